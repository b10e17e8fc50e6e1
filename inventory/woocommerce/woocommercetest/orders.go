package woocommercetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/govalues/decimal"
)

// NewOrder is an order a customer places on the sandbox shop.
type NewOrder struct {
	Email, FirstName, LastName, Phone string
	Currency                          string
	Express                           bool // the shop's express shipping method, else its flat rate
	Address                           Address
	Lines                             []OrderLine
}

// Address is where an order ships.
type Address struct {
	Street, City, Region, PostalCode, Country string
}

// OrderLine is a SKU, a quantity and a unit price ("12.99").
type OrderLine struct {
	SKU, Title string
	Quantity   int
	Price      string
}

type order struct {
	id                 int64
	status             string
	o                  NewOrder
	lines              []line
	shippingID         int64
	meta               []*meta
	created, mod, paid time.Time
	completed          time.Time
	createdBody        []byte // the order.created webhook's body
}

type line struct {
	id, productID, variationID int64
	subtotal                   decimal.Decimal
}

type note struct {
	id, order int64
	text      string
	customer  bool
	created   time.Time
}

// statuses are the order statuses WooCommerce core knows.
var statuses = map[string]bool{"pending": true, "processing": true, "on-hold": true, "completed": true, "cancelled": true,
	"refunded": true, "failed": true}

// PlaceOrder places o as a customer's checkout does, paid: the order is
// processing, and every line whose SKU is a product or variation that
// manages stock takes its quantity from it (wc_reduce_stock_levels); a
// line of a SKU the shop does not have is kept with product_id 0, as for
// a product deleted since. It returns the order's id and the body of the
// order.created webhook, which DeliverOrderCreated sends.
func (s *Server) PlaceOrder(o NewOrder) (int64, []byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(o.Lines) == 0 {
		return 0, nil, fmt.Errorf("woocommercetest: an order needs a line")
	}
	now := s.Now()
	s.nextID++
	ord := &order{id: s.nextID, status: "processing", o: o, created: now, mod: now, paid: now}
	for _, l := range o.Lines {
		price, err := decimal.Parse(l.Price)
		if err != nil || l.Quantity <= 0 {
			return 0, nil, fmt.Errorf("woocommercetest: line %q: a price and a positive quantity are needed", l.SKU)
		}
		qty, _ := decimal.New(int64(l.Quantity), 0)
		sub, _ := price.Mul(qty)
		s.nextID++
		ln := line{id: s.nextID, subtotal: sub}
		for _, id := range sortedKeys(s.products) {
			p := s.products[id]
			if p.sku != "" && p.sku == l.SKU && p.typ != "variable" {
				if p.typ == "variation" {
					ln.productID, ln.variationID = p.parent, p.id
				} else {
					ln.productID = p.id
				}
				if p.manage {
					p.stock -= l.Quantity
					p.mod = now
				}
				break
			}
		}
		ord.lines = append(ord.lines, ln)
	}
	s.nextID++
	ord.shippingID = s.nextID
	s.orders[ord.id] = ord
	body, err := json.Marshal(s.orderJSON(ord))
	if err != nil {
		return 0, nil, err
	}
	ord.createdBody = body
	return ord.id, body, nil
}

// Status reads an order's status ("" if there is no such order).
func (s *Server) Status(orderID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.orders[orderID]; o != nil {
		return o.status
	}
	return ""
}

// trackingNote finds the tracking number in a note woocommerce.Fulfil
// wrote (woocommerce.TrackingNote).
var trackingNote = regexp.MustCompile(`Tracking number: ([^ ]+)\.`)

// Shipped returns the tracking numbers of the order's notes that record a
// shipment (as woocommerce.TrackingNote writes them), oldest first: a
// deleted note is left out, and a note written twice counts twice.
func (s *Server) Shipped(orderID int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range sortedKeys(s.notes) {
		n := s.notes[id]
		if m := trackingNote.FindStringSubmatch(n.text); n.order == orderID && m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

// Notes returns the texts of the order's notes, oldest first, and how
// many of them are customer notes (emailed to the customer).
func (s *Server) Notes(orderID int64) (texts []string, customer int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range sortedKeys(s.notes) {
		if n := s.notes[id]; n.order == orderID {
			texts = append(texts, n.text)
			if n.customer {
				customer++
			}
		}
	}
	return texts, customer
}

// orderJSON is an order as the REST API answers it, and as the order.*
// webhooks carry it.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties
func (s *Server) orderJSON(o *order) map[string]any {
	var items []any
	total := decimal.Decimal{}
	for i, l := range o.lines {
		in := o.o.Lines[i]
		total, _ = total.Add(l.subtotal)
		price, _ := l.subtotal.Float64() // WooCommerce's price is a float: total / quantity
		items = append(items, map[string]any{
			"id": l.id, "name": in.Title, "product_id": l.productID, "variation_id": l.variationID, "quantity": in.Quantity,
			"tax_class": "", "subtotal": l.subtotal.Trim(2).Pad(2).String(), "subtotal_tax": "0.00", "total": l.subtotal.Trim(2).Pad(2).String(),
			"total_tax": "0.00", "taxes": []any{}, "meta_data": []any{}, "sku": in.SKU, "price": price / float64(in.Quantity),
		})
	}
	method, cost := map[string]any{"method_title": "Flat rate", "method_id": "flat_rate"}, "5.00"
	if o.o.Express {
		method, cost = map[string]any{"method_title": "Express Shipping", "method_id": "flat_rate"}, "15.00"
	}
	shipLine := map[string]any{"id": o.shippingID, "method_title": method["method_title"], "method_id": method["method_id"],
		"total": cost, "total_tax": "0.00", "taxes": []any{}, "meta_data": []any{}}
	c, _ := decimal.Parse(cost)
	total, _ = total.Add(c)
	a := o.o.Address
	return map[string]any{
		"id": o.id, "parent_id": 0, "number": strconv.FormatInt(o.id, 10), "order_key": fmt.Sprintf("wc_order_%013x", o.id),
		"created_via": "checkout", "version": "9.4.0", "status": o.status, "currency": o.o.Currency,
		"date_created": wcDate(o.created), "date_created_gmt": wcDate(o.created), "date_modified": wcDate(o.mod), "date_modified_gmt": wcDate(o.mod),
		"discount_total": "0.00", "discount_tax": "0.00", "shipping_total": cost, "shipping_tax": "0.00", "cart_tax": "0.00",
		"total": total.Trim(2).Pad(2).String(), "total_tax": "0.00", "prices_include_tax": false, "customer_id": 0,
		"customer_ip_address": "127.0.0.1", "customer_user_agent": "", "customer_note": "",
		"billing": map[string]any{"first_name": o.o.FirstName, "last_name": o.o.LastName, "company": "", "address_1": a.Street, "address_2": "",
			"city": a.City, "state": a.Region, "postcode": a.PostalCode, "country": a.Country, "email": o.o.Email, "phone": o.o.Phone},
		"shipping": map[string]any{"first_name": o.o.FirstName, "last_name": o.o.LastName, "company": "", "address_1": a.Street, "address_2": "",
			"city": a.City, "state": a.Region, "postcode": a.PostalCode, "country": a.Country},
		"payment_method": "bacs", "payment_method_title": "Direct bank transfer", "transaction_id": "",
		"date_paid": wcDate(o.paid), "date_paid_gmt": wcDate(o.paid), "date_completed": wcDate(o.completed), "date_completed_gmt": wcDate(o.completed),
		"cart_hash": "", "meta_data": metaJSON(o.meta), "line_items": items, "tax_lines": []any{}, "shipping_lines": []any{shipLine},
		"fee_lines": []any{}, "coupon_lines": []any{}, "refunds": []any{},
	}
}

func (s *Server) findOrder(r *http.Request) (*order, *wpError) {
	o := s.orders[pathID(r, "id")]
	if o == nil {
		return nil, &wpError{status: http.StatusNotFound, code: "woocommerce_rest_shop_order_invalid_id", message: "Invalid ID."}
	}
	return o, nil
}

func (s *Server) getOrder(r *http.Request, _ map[string]any) (int, any, http.Header) {
	o, err := s.findOrder(r)
	if err != nil {
		return err.status, err, nil
	}
	return http.StatusOK, s.orderJSON(o), nil
}

// listOrders is GET /orders: orderby date (default), id or modified;
// order desc (default) or asc; modified_after strictly after, in GMT with
// dates_are_gmt, else in the site's time (UTC here as well).
func (s *Server) listOrders(r *http.Request, _ map[string]any) (int, any, http.Header) {
	q := r.URL.Query()
	var after time.Time
	if v := q.Get("modified_after"); v != "" {
		t, err := time.Parse("2006-01-02T15:04:05", v)
		if err != nil {
			if t, err = time.Parse(time.RFC3339, v); err != nil {
				return invalidParam("modified_after", "Invalid date.")
			}
		}
		after = t
	}
	orderby := q.Get("orderby")
	switch orderby {
	case "", "date", "id", "modified":
	default:
		return invalidParam("orderby", "orderby is not one of date, id, include, title, slug, and modified.")
	}
	var list []*order
	for _, id := range sortedKeys(s.orders) {
		o := s.orders[id]
		if !after.IsZero() && !o.mod.After(after) {
			continue
		}
		list = append(list, o)
	}
	less := func(a, b *order) bool {
		switch orderby {
		case "modified":
			if !a.mod.Equal(b.mod) {
				return a.mod.Before(b.mod)
			}
		case "id":
		default:
			if !a.created.Equal(b.created) {
				return a.created.Before(b.created)
			}
		}
		return a.id < b.id
	}
	sort.SliceStable(list, func(i, j int) bool {
		if q.Get("order") == "asc" {
			return less(list[i], list[j])
		}
		return less(list[j], list[i])
	})
	page, h, err := paginate(r, list)
	if err != nil {
		return err.status, err, nil
	}
	items := []any{}
	for _, o := range page {
		items = append(items, s.orderJSON(o))
	}
	return http.StatusOK, items, h
}

func (s *Server) putOrder(r *http.Request, body map[string]any) (int, any, http.Header) {
	o, err := s.findOrder(r)
	if err != nil {
		err.status = http.StatusBadRequest // an update of a missing id is 400
		return err.status, err, nil
	}
	status := o.status
	if v, ok := body["status"]; ok {
		st, _ := v.(string)
		if !statuses[st] {
			return invalidParam("status", "status is not one of pending, processing, on-hold, completed, cancelled, refunded, failed, and checkout-draft.")
		}
		status = st
	}
	ms := o.meta
	if v, ok := body["meta_data"]; ok {
		var good bool
		if ms, good = s.updateMeta(append([]*meta(nil), o.meta...), v); !good {
			return invalidParam("meta_data", "meta_data is not of type array.")
		}
	}
	now := s.Now()
	if status == "completed" && o.status != "completed" {
		o.completed = now
	}
	if status != "completed" {
		o.completed = time.Time{}
	}
	o.status, o.meta, o.mod = status, ms, now
	return http.StatusOK, s.orderJSON(o), nil
}

func noteJSON(n *note) map[string]any {
	return map[string]any{"id": n.id, "author": "WooCommerce", "date_created": wcDate(n.created), "date_created_gmt": wcDate(n.created),
		"note": n.text, "customer_note": n.customer}
}

// notesOrder finds the order of a notes route.
func (s *Server) notesOrder(r *http.Request) (*order, *wpError) {
	o := s.orders[pathID(r, "id")]
	if o == nil {
		return nil, &wpError{status: http.StatusNotFound, code: "woocommerce_rest_order_invalid_id", message: "Invalid order ID."}
	}
	return o, nil
}

// listNotes is GET /orders/{id}/notes: newest first, every note (type
// any), not paginated.
func (s *Server) listNotes(r *http.Request, _ map[string]any) (int, any, http.Header) {
	o, err := s.notesOrder(r)
	if err != nil {
		return err.status, err, nil
	}
	items := []any{}
	ids := sortedKeys(s.notes)
	for i := len(ids) - 1; i >= 0; i-- {
		if n := s.notes[ids[i]]; n.order == o.id {
			items = append(items, noteJSON(n))
		}
	}
	return http.StatusOK, items, nil
}

func (s *Server) addNote(r *http.Request, body map[string]any) (int, any, http.Header) {
	o, err := s.notesOrder(r)
	if err != nil {
		return err.status, err, nil
	}
	text, _ := body["note"].(string)
	if text == "" {
		return fail(http.StatusBadRequest, "rest_missing_callback_param", "Missing parameter(s): note")
	}
	customer := false
	if v, ok := body["customer_note"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return invalidParam("customer_note", "customer_note is not of type boolean.")
		}
		customer = b
	}
	s.nextID++
	n := &note{id: s.nextID, order: o.id, text: text, customer: customer, created: s.Now()}
	s.notes[n.id] = n
	return http.StatusCreated, noteJSON(n), nil
}

func (s *Server) deleteNote(r *http.Request, _ map[string]any) (int, any, http.Header) {
	o, err := s.notesOrder(r)
	if err != nil {
		return err.status, err, nil
	}
	n := s.notes[pathID(r, "nid")]
	if n == nil || n.order != o.id {
		return fail(http.StatusNotFound, "woocommerce_rest_invalid_id", "Invalid resource ID.")
	}
	if r.URL.Query().Get("force") != "true" {
		return fail(http.StatusNotImplemented, "woocommerce_rest_trash_not_supported", "Resource does not support trashing.")
	}
	delete(s.notes, n.id)
	return http.StatusOK, noteJSON(n), nil
}
