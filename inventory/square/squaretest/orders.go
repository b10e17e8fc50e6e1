package squaretest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/square"
)

type customer struct {
	id, given, family, email, phone string
	createdAt                       time.Time
}

type order struct {
	seq                  int
	id, locationID       string
	customerID           string
	state                string
	version              int
	createdAt, updatedAt time.Time
	currency             string
	lines                []orderLine
	fulfillments         []*fulfillment
	added                int                  // fulfillments added through UpdateOrder
	keys                 map[string]idemEntry // UpdateOrder idempotency keys
}

type orderLine struct {
	uid, name, variationID, variationName string
	quantity                              int
	price                                 int64
}

type fulfillment struct {
	uid, typ, state                         string
	recipient                               map[string]any
	shippingType, carrier, tracking, trkURL string
	cancelReason                            string
	placedAt, shippedAt, canceledAt         time.Time
}

// NewOrder is an order a customer places on the seller's Square Online
// site.
type NewOrder struct {
	Customer Customer
	// Guest is a checkout without a customer profile: the order names no
	// customer_id, and only its shipment's recipient says who ordered.
	Guest        bool
	Currency     string // ISO 4217; every price is in it
	ShippingType string // the customer's shipping choice, "Standard Shipping", "Express Shipping"
	Address      Address
	Lines        []OrderLine
}

// Customer is who places an order.
type Customer struct{ GivenName, FamilyName, Email, Phone string }

// Address is where an order ships.
type Address struct{ Line1, Line2, Locality, Region, PostalCode, Country string }

// OrderLine is a SKU, a quantity and a unit price in the currency's
// smallest unit (1299 is 12.99 USD). A SKU the catalog lacks is added as
// an untracked item.
type OrderLine struct {
	SKU, Name string
	Quantity  int
	Price     int64
}

// PlaceOrder places o at the first location now (the sandbox's clock), as
// a Square Online checkout does: a customer record, an OPEN order of
// version 1 with a SHIPMENT fulfillment PROPOSED to o's address, the stock
// of every tracked variation taken (IN_STOCK to SOLD). It returns the
// order's id and the order.created notification Square would send for it,
// under a new event_id: deliver it with SendWebhook, and deliver the same
// body again for Square's redelivery of that event.
// https://developer.squareup.com/reference/square/webhooks/order.created
func (s *Server) PlaceOrder(o NewOrder) (orderID string, notification []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	s.orderSeq++
	ord := &order{seq: s.orderSeq, id: randomID(27), locationID: s.locations[0].id, state: "OPEN", version: 1,
		createdAt: now, updatedAt: now, currency: o.Currency, keys: map[string]idemEntry{}}
	if !o.Guest && (o.Customer.Email != "" || o.Customer.FamilyName != "") {
		c := &customer{id: randomID(26), given: o.Customer.GivenName, family: o.Customer.FamilyName, email: o.Customer.Email,
			phone: o.Customer.Phone, createdAt: now}
		s.customers[c.id] = c
		ord.customerID = c.id
	}
	for i, l := range o.Lines {
		v := s.variationBySKU(l.SKU)
		if v == nil {
			v = s.addItem(l.Name, l.SKU, false, l.Price, o.Currency)
		}
		ord.lines = append(ord.lines, orderLine{uid: fmt.Sprintf("L%s%d", randomID(8), i), name: l.Name, variationID: v.id,
			variationName: v.name, quantity: l.Quantity, price: l.Price})
		if v.tracked {
			k := [2]string{v.id, ord.locationID}
			c := s.counts[k]
			if c == nil {
				c = &count{}
				s.counts[k] = c
			}
			c.quantity -= l.Quantity
			c.calculatedAt = now
			s.changes++
		}
	}
	name := strings.TrimSpace(o.Customer.GivenName + " " + o.Customer.FamilyName)
	recipient := map[string]any{"display_name": name, "email_address": o.Customer.Email, "address": map[string]any{
		"address_line_1": o.Address.Line1, "locality": o.Address.Locality, "administrative_district_level_1": o.Address.Region,
		"postal_code": o.Address.PostalCode, "country": o.Address.Country}}
	if o.Address.Line2 != "" {
		recipient["address"].(map[string]any)["address_line_2"] = o.Address.Line2
	}
	if o.Customer.Phone != "" {
		recipient["phone_number"] = o.Customer.Phone
	}
	if ord.customerID != "" {
		recipient["customer_id"] = ord.customerID
	}
	ord.fulfillments = []*fulfillment{{uid: randomID(22), typ: "SHIPMENT", state: "PROPOSED", recipient: recipient,
		shippingType: o.ShippingType, placedAt: now}}
	s.orders[ord.id] = ord
	event := map[string]any{"merchant_id": s.merchantID, "type": "order.created", "event_id": connectortest.UUID(),
		"created_at": stamp(now), "data": map[string]any{"type": "order_created", "id": ord.id, "object": map[string]any{
			"order_created": map[string]any{"created_at": stamp(now), "location_id": ord.locationID, "order_id": ord.id,
				"state": ord.state, "version": ord.version}}}}
	return ord.id, marshal(event)
}

// SendWebhook posts body to url as Square posts a notification: signed
// with the subscription's signature key (WebhookSecret) over url and the
// body by square.SignWebhook. It returns the receiver's status. url must
// be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	s.mu.Lock()
	s.webhookSent++
	s.mu.Unlock()
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		square.SignWebhook(r, body, s.signatureKey, s.Now())
	})
}

// Shipped returns the tracking numbers of the order's shipment
// fulfillments that are not canceled or failed, in order.
func (s *Server) Shipped(orderID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if o := s.orders[orderID]; o != nil {
		for _, f := range o.fulfillments {
			if f.state != "CANCELED" && f.state != "FAILED" && f.tracking != "" {
				out = append(out, f.tracking)
			}
		}
	}
	return out
}

// Fulfillments returns the states of the order's fulfillments, in order.
func (s *Server) Fulfillments(orderID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if o := s.orders[orderID]; o != nil {
		for _, f := range o.fulfillments {
			out = append(out, f.state)
		}
	}
	return out
}

// TouchOrder changes an order now, as the seller would (a note): its
// version and updated_at move on. It reports whether the order exists.
func (s *Server) TouchOrder(orderID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil {
		return false
	}
	o.version++
	o.updatedAt = s.Now()
	return true
}

// CompleteOrder sets an order COMPLETED, as Square does once it is paid
// and the seller completes it: after that, UpdateOrder refuses it.
func (s *Server) CompleteOrder(orderID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[orderID]
	if o == nil {
		return false
	}
	o.state = "COMPLETED"
	o.version++
	o.updatedAt = s.Now()
	return true
}

func (s *Server) variationBySKU(sku string) *variation {
	for _, it := range s.items {
		for _, v := range it.variations {
			if v.sku == sku {
				return v
			}
		}
	}
	return nil
}

func money(amount int64, currency string) map[string]any {
	return map[string]any{"amount": amount, "currency": currency}
}

// orderJSON is the order as Square's Order object. Call with s.mu held.
func (s *Server) orderJSON(o *order) map[string]any {
	var lines []any
	var total int64
	for _, l := range o.lines {
		gross := l.price * int64(l.quantity)
		total += gross
		lines = append(lines, map[string]any{"uid": l.uid, "name": l.name, "quantity": fmt.Sprint(l.quantity),
			"catalog_object_id": l.variationID, "variation_name": l.variationName, "item_type": "ITEM",
			"base_price_money": money(l.price, o.currency), "variation_total_price_money": money(gross, o.currency),
			"gross_sales_money": money(gross, o.currency), "total_tax_money": money(0, o.currency),
			"total_discount_money": money(0, o.currency), "total_money": money(gross, o.currency)})
	}
	var fs []any
	for _, f := range o.fulfillments {
		d := map[string]any{"recipient": f.recipient, "placed_at": stamp(f.placedAt)}
		for k, v := range map[string]string{"shipping_type": f.shippingType, "carrier": f.carrier, "tracking_number": f.tracking,
			"tracking_url": f.trkURL, "cancel_reason": f.cancelReason} {
			if v != "" {
				d[k] = v
			}
		}
		if !f.shippedAt.IsZero() {
			d["shipped_at"] = stamp(f.shippedAt)
		}
		if !f.canceledAt.IsZero() {
			d["canceled_at"] = stamp(f.canceledAt)
		}
		fs = append(fs, map[string]any{"uid": f.uid, "type": f.typ, "state": f.state, "line_item_application": "ALL",
			"shipment_details": d})
	}
	out := map[string]any{"id": o.id, "location_id": o.locationID, "source": map[string]any{"name": "Square Online"},
		"line_items": lines, "fulfillments": fs, "created_at": stamp(o.createdAt), "updated_at": stamp(o.updatedAt),
		"state": o.state, "version": o.version, "total_money": money(total, o.currency), "total_tax_money": money(0, o.currency),
		"total_discount_money": money(0, o.currency), "total_tip_money": money(0, o.currency),
		"total_service_charge_money": money(0, o.currency), "net_amount_due_money": money(0, o.currency)}
	if o.customerID != "" {
		out["customer_id"] = o.customerID
	}
	return out
}

// getCustomer is RetrieveCustomer.
// https://developer.squareup.com/reference/square/customers-api/retrieve-customer
func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.customers[r.PathValue("id")]
	if c == nil {
		notFound(w, "Customer with ID `"+r.PathValue("id")+"` not found.", "")
		return
	}
	out := map[string]any{"id": c.id, "created_at": stamp(c.createdAt), "updated_at": stamp(c.createdAt), "given_name": c.given,
		"family_name": c.family, "email_address": c.email, "preferences": map[string]any{"email_unsubscribed": false},
		"creation_source": "THIRD_PARTY", "version": 0}
	if c.phone != "" {
		out["phone_number"] = c.phone
	}
	writeJSON(w, http.StatusOK, map[string]any{"customer": out})
}

// getOrder is RetrieveOrder.
// https://developer.squareup.com/reference/square/orders-api/retrieve-order
func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[r.PathValue("id")]
	if o == nil {
		notFound(w, "Order not found", "order_id")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"order": s.orderJSON(o)})
}

// searchOrders is SearchOrders: the orders of up to 10 locations, filtered
// on updated_at or created_at (the sort field must be the filter's), 500
// a page by default and 1,000 at most.
// https://developer.squareup.com/reference/square/orders-api/search-orders
func (s *Server) searchOrders(w http.ResponseWriter, r *http.Request) {
	type timeRange struct {
		StartAt string `json:"start_at"`
		EndAt   string `json:"end_at"`
	}
	var req struct {
		LocationIDs []string `json:"location_ids"`
		Cursor      string   `json:"cursor"`
		Limit       *int     `json:"limit"`
		Query       *struct {
			Filter *struct {
				DateTimeFilter *struct {
					CreatedAt *timeRange `json:"created_at"`
					UpdatedAt *timeRange `json:"updated_at"`
				} `json:"date_time_filter"`
			} `json:"filter"`
			Sort *struct {
				SortField string `json:"sort_field"`
				SortOrder string `json:"sort_order"`
			} `json:"sort"`
		} `json:"query"`
	}
	if _, ok := decode(w, r, &req); !ok {
		return
	}
	limit, ok := limitOf(w, req.Limit, 500, 1000)
	if !ok {
		return
	}
	if len(req.LocationIDs) == 0 || len(req.LocationIDs) > 10 {
		invalid(w, "INVALID_VALUE", "`location_ids` must name 1 to 10 locations.", "location_ids")
		return
	}
	field, desc := "CREATED_AT", true
	var rng *timeRange
	filterField := ""
	if q := req.Query; q != nil {
		if q.Sort != nil {
			field, desc = q.Sort.SortField, q.Sort.SortOrder != "ASC"
		}
		if q.Filter != nil && q.Filter.DateTimeFilter != nil {
			if f := q.Filter.DateTimeFilter; f.UpdatedAt != nil {
				rng, filterField = f.UpdatedAt, "UPDATED_AT"
			} else if f.CreatedAt != nil {
				rng, filterField = f.CreatedAt, "CREATED_AT"
			}
		}
	}
	if field != "CREATED_AT" && field != "UPDATED_AT" && field != "CLOSED_AT" {
		invalid(w, "INVALID_ENUM_VALUE", "Unknown sort field "+field, "query.sort.sort_field")
		return
	}
	if filterField != "" && filterField != field {
		invalid(w, "INVALID_VALUE", "The sort field must be the field the date time filter uses.", "query.sort.sort_field")
		return
	}
	var start, end time.Time
	if rng != nil {
		var err1, err2 error
		if rng.StartAt != "" {
			start, err1 = time.Parse(time.RFC3339Nano, rng.StartAt)
		}
		if rng.EndAt != "" {
			end, err2 = time.Parse(time.RFC3339Nano, rng.EndAt)
		}
		if err1 != nil || err2 != nil {
			invalid(w, "INVALID_TIME", "The time range is not RFC 3339.", "query.filter.date_time_filter")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := func(o *order) time.Time {
		if field == "UPDATED_AT" {
			return o.updatedAt
		}
		return o.createdAt
	}
	var all []*order
	for _, o := range s.orders {
		if !slices.Contains(req.LocationIDs, o.locationID) {
			continue
		}
		t := at(o)
		if (!start.IsZero() && t.Before(start)) || (!end.IsZero() && !t.Before(end)) {
			continue
		}
		all = append(all, o)
	}
	slices.SortFunc(all, func(a, b *order) int {
		c := at(a).Compare(at(b))
		if c == 0 {
			c = a.seq - b.seq
		}
		if desc {
			return -c
		}
		return c
	})
	got, next, ok := page(w, all, req.Cursor, limit)
	if !ok {
		return
	}
	orders := []any{}
	for _, o := range got {
		orders = append(orders, s.orderJSON(o))
	}
	out := map[string]any{"orders": orders}
	if next != "" {
		out["cursor"] = next
	}
	writeJSON(w, http.StatusOK, out)
}

// updateOrder is UpdateOrder for fulfillments: a sparse order with the
// version it applies to, each fulfillment named by uid (a change) or
// without one (a new one; the Orders API adds at most one). An order
// COMPLETED or CANCELED cannot be updated; a stale version is
// VERSION_MISMATCH. A repeated idempotency key answers the order as it is
// now; the key with another request is IDEMPOTENCY_KEY_REUSED.
// https://developer.squareup.com/reference/square/orders-api/update-order
// https://developer.squareup.com/docs/orders-api/fulfillments
func (s *Server) updateOrder(w http.ResponseWriter, r *http.Request) {
	type details struct {
		Recipient      map[string]any `json:"recipient"`
		Carrier        *string        `json:"carrier"`
		ShippingType   *string        `json:"shipping_type"`
		TrackingNumber *string        `json:"tracking_number"`
		TrackingURL    *string        `json:"tracking_url"`
		CancelReason   *string        `json:"cancel_reason"`
	}
	var req struct {
		IdempotencyKey string `json:"idempotency_key"`
		Order          *struct {
			Version      *int `json:"version"`
			Fulfillments []struct {
				UID             string   `json:"uid"`
				Type            string   `json:"type"`
				State           string   `json:"state"`
				ShipmentDetails *details `json:"shipment_details"`
			} `json:"fulfillments"`
		} `json:"order"`
	}
	body, ok := decode(w, r, &req)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[r.PathValue("id")]
	if o == nil {
		notFound(w, "Order not found", "order_id")
		return
	}
	fp := fingerprint(body)
	if req.IdempotencyKey != "" {
		if e, seen := o.keys[req.IdempotencyKey]; seen {
			if e.fingerprint != fp {
				invalid(w, "IDEMPOTENCY_KEY_REUSED", "The idempotency key was used before with another request.", "idempotency_key")
				return
			}
			answer(w, s.lose(), marshal(map[string]any{"order": s.orderJSON(o)}))
			return
		}
	}
	if req.Order == nil || req.Order.Version == nil {
		invalid(w, "MISSING_REQUIRED_PARAMETER", "Field must be set", "order.version")
		return
	}
	if o.state == "COMPLETED" || o.state == "CANCELED" {
		invalid(w, "BAD_REQUEST", "An order in the "+o.state+" state cannot be updated.", "order.state")
		return
	}
	if *req.Order.Version != o.version {
		invalid(w, "VERSION_MISMATCH", fmt.Sprintf("The order's version is %d, not %d.", o.version, *req.Order.Version), "order.version")
		return
	}
	now := s.Now()
	// Everything is checked before anything changes.
	type change struct {
		f   *fulfillment
		req int
	}
	var changes []change
	added := 0
	for i, fr := range req.Order.Fulfillments {
		field := fmt.Sprintf("order.fulfillments[%d]", i)
		if fr.UID == "" {
			if fr.Type != "SHIPMENT" {
				invalid(w, "INVALID_VALUE", "The sandbox adds SHIPMENT fulfillments only.", field+".type")
				return
			}
			if o.added+added >= 1 {
				invalid(w, "BAD_REQUEST", "Only one fulfillment can be added to an order with the Orders API.", field)
				return
			}
			added++
			changes = append(changes, change{f: &fulfillment{uid: randomID(22), typ: "SHIPMENT", state: "PROPOSED", placedAt: now}, req: i})
			continue
		}
		var f *fulfillment
		for _, x := range o.fulfillments {
			if x.uid == fr.UID {
				f = x
			}
		}
		if f == nil {
			invalid(w, "INVALID_VALUE", "No fulfillment with uid `"+fr.UID+"`.", field+".uid")
			return
		}
		if fr.State != "" && fr.State != f.state && !transition(f.state, fr.State) {
			invalid(w, "INVALID_VALUE", "A fulfillment cannot move from "+f.state+" to "+fr.State+".", field+".state")
			return
		}
		changes = append(changes, change{f: f, req: i})
	}
	for _, c := range changes {
		fr := req.Order.Fulfillments[c.req]
		f := c.f
		if fr.UID == "" {
			o.fulfillments = append(o.fulfillments, f)
			o.added++
		}
		if d := fr.ShipmentDetails; d != nil {
			if d.Recipient != nil {
				f.recipient = d.Recipient
			}
			set := func(dst *string, v *string) {
				if v != nil {
					*dst = *v
				}
			}
			set(&f.carrier, d.Carrier)
			set(&f.shippingType, d.ShippingType)
			set(&f.tracking, d.TrackingNumber)
			set(&f.trkURL, d.TrackingURL)
			set(&f.cancelReason, d.CancelReason)
		}
		if fr.State != "" && fr.State != f.state {
			f.state = fr.State
			switch f.state {
			case "COMPLETED":
				f.shippedAt = now
			case "CANCELED":
				f.canceledAt = now
			}
		}
	}
	o.version++
	o.updatedAt = now
	out := marshal(map[string]any{"order": s.orderJSON(o)})
	if req.IdempotencyKey != "" {
		o.keys[req.IdempotencyKey] = idemEntry{fingerprint: fp}
	}
	answer(w, s.lose(), out)
}

// transition says whether a fulfillment may move from one state to
// another: forward while open, to CANCELED or FAILED from any state but
// those two. From COMPLETED to CANCELED is allowed here; Square's
// reference does not say either way.
func transition(from, to string) bool {
	rank := map[string]int{"PROPOSED": 0, "RESERVED": 1, "PREPARED": 2, "COMPLETED": 3}
	switch {
	case from == "CANCELED" || from == "FAILED":
		return false
	case to == "CANCELED" || to == "FAILED":
		return true
	}
	f, okf := rank[from]
	t, okt := rank[to]
	return okf && okt && t > f && from != "COMPLETED"
}
