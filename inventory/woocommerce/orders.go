package woocommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// OrdersService reads the shop's orders.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#orders
type OrdersService struct{ a *api }

// orderWire is the part of WooCommerce's order the connector reads.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#order-properties
type orderWire struct {
	ID              int64              `json:"id"`
	Number          string             `json:"number"`
	Status          string             `json:"status"`
	Currency        string             `json:"currency"`
	DateCreatedGMT  string             `json:"date_created_gmt"`
	DateModifiedGMT string             `json:"date_modified_gmt"`
	Billing         addressWire        `json:"billing"`
	Shipping        addressWire        `json:"shipping"`
	LineItems       []lineItemWire     `json:"line_items"`
	ShippingLines   []shippingLineWire `json:"shipping_lines"`
	MetaData        []metaWire         `json:"meta_data"`
}

type addressWire struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email"` // billing only
	Phone     string `json:"phone"` // billing; shipping since WooCommerce 5.6
}

// lineItemWire is one line. Its price is a JSON number WooCommerce
// computes as total / quantity after discounts, as a float: the connector
// takes the unit price from subtotal (before discounts, a decimal string)
// divided by quantity instead.
type lineItemWire struct {
	Name     string      `json:"name"`
	SKU      string      `json:"sku"`
	Quantity json.Number `json:"quantity"`
	Subtotal string      `json:"subtotal"`
}

type shippingLineWire struct {
	MethodTitle string `json:"method_title"`
	MethodID    string `json:"method_id"`
}

// Get reads an order by its id (the post id WooCommerce's webhooks carry).
// An id that is not a number names no order: ErrNotFound, sent nowhere.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-an-order
func (s *OrdersService) Get(ctx context.Context, id string) (*inventory.Order, error) {
	n, err := parseOrderID(id, "orders.get")
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := s.a.c.JSON(ctx, http.MethodGet, "/orders/"+strconv.FormatInt(n, 10), nil, &raw, connector.WithOperation("orders.get")); err != nil {
		return nil, err
	}
	return DecodeOrder(raw)
}

func parseOrderID(id, op string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, &connector.APIError{Vendor: vendorName, Op: op, Kind: connector.ErrNotFound, Message: "no WooCommerce order has id " + strconv.Quote(id)}
	}
	return n, nil
}

// List yields the orders changed at or after since, oldest change first:
// orderby=modified (accepted by WooCommerce's code,
// WC_REST_CRUD_Controller, though its reference lists only date, id,
// include, title and slug), order=asc, with
// modified_after and dates_are_gmt (WooCommerce 5.8). modified_after is
// strictly after, to the second, so the connector asks from a second
// before since and drops what is older. Pages are 100 orders, numbered:
// an order changed while the list is read moves to its end, and the pages
// after it shift, so one order can be missed by this list (the next poll,
// from the last UpdatedAt seen, may miss it too if it was older); orders
// changed in the same second are in the database's order. An order read
// twice is yielded once.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
func (s *OrdersService) List(ctx context.Context, since time.Time) iter.Seq2[*inventory.Order, error] {
	q := url.Values{"orderby": {"modified"}, "order": {"asc"}}
	since = since.UTC().Truncate(time.Second)
	if !since.IsZero() {
		q.Set("modified_after", since.Add(-time.Second).Format("2006-01-02T15:04:05"))
		q.Set("dates_are_gmt", "true")
	}
	return func(yield func(*inventory.Order, error) bool) {
		seen := map[int64]bool{}
		for raw, err := range s.a.all(ctx, "/orders", q, "orders.list") {
			if err != nil {
				yield(nil, err)
				return
			}
			o, err := DecodeOrder(raw)
			if err != nil {
				if !yield(nil, err) {
					return
				}
				continue
			}
			n, _ := strconv.ParseInt(o.ID, 10, 64)
			if seen[n] || o.UpdatedAt.Before(since) {
				continue
			}
			seen[n] = true
			if !yield(o, nil) {
				return
			}
		}
	}
}

// FromWebhook decodes an order.created (or order.updated) delivery's
// body: WooCommerce sends the order as the REST API shows it.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
func (s *OrdersService) FromWebhook(ctx context.Context, body []byte) (*inventory.Order, error) {
	return DecodeOrder(body)
}

// DecodeOrder reads an order as the REST API and its webhooks send it. A
// body that is no order (no id, no line) is connector.ErrInvalidResponse
// saying what is missing; an order with no shipping address (collected
// in person) has a zero ShipTo.
func DecodeOrder(body []byte) (*inventory.Order, error) {
	var w orderWire
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badOrder("the body is not an order: " + err.Error())
	}
	if w.ID <= 0 {
		return nil, badOrder("the order has no id")
	}
	if len(w.LineItems) == 0 {
		return nil, badOrder(fmt.Sprintf("order %d has no line items", w.ID))
	}
	o := &inventory.Order{
		ID:        strconv.FormatInt(w.ID, 10),
		Number:    w.Number,
		Currency:  w.Currency,
		Customer:  inventory.Customer{Email: w.Billing.Email, FirstName: w.Billing.FirstName, LastName: w.Billing.LastName, Phone: w.Billing.Phone},
		CreatedAt: gmt(w.DateCreatedGMT),
		UpdatedAt: gmt(w.DateModifiedGMT),
		Raw:       json.RawMessage(body),
	}
	if o.Number == "" {
		o.Number = o.ID
	}
	if a := w.Shipping; a.Address1 != "" || a.City != "" || a.Postcode != "" {
		phone := a.Phone
		if phone == "" {
			phone = w.Billing.Phone
		}
		o.ShipTo = shipping.Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.Company, Street1: a.Address1,
			Street2: a.Address2, City: a.City, Region: a.State, PostalCode: a.Postcode, Country: a.Country, Phone: phone, Email: w.Billing.Email}
	}
	if len(w.ShippingLines) > 0 {
		o.Shipping = w.ShippingLines[0].MethodTitle
		if o.Shipping == "" {
			o.Shipping = w.ShippingLines[0].MethodID
		}
		o.Express = inventory.IsExpress(o.Shipping)
	}
	for i, l := range w.LineItems {
		qty, err := l.Quantity.Int64()
		if err != nil || qty <= 0 {
			return nil, badOrder(fmt.Sprintf("order %d, line %d: the quantity %q is not a positive whole number", w.ID, i+1, l.Quantity))
		}
		unit, err := unitPrice(l.Subtotal, qty)
		if err != nil {
			return nil, badOrder(fmt.Sprintf("order %d, line %d: subtotal %q: %v", w.ID, i+1, l.Subtotal, err))
		}
		o.Lines = append(o.Lines, inventory.OrderLine{SKU: l.SKU, Title: l.Name, Quantity: int(qty), UnitPrice: unit})
	}
	return o, nil
}

// unitPrice is subtotal (the line before discounts, a decimal string)
// divided by quantity, exactly where it divides.
func unitPrice(subtotal string, qty int64) (decimal.Decimal, error) {
	st, err := decimal.Parse(strings.TrimSpace(subtotal))
	if err != nil {
		return decimal.Decimal{}, err
	}
	q, err := decimal.New(qty, 0)
	if err != nil {
		return decimal.Decimal{}, err
	}
	u, err := st.Quo(q)
	if err != nil {
		return decimal.Decimal{}, err
	}
	return u.Trim(2), nil
}

func badOrder(msg string) error {
	return &connector.APIError{Vendor: vendorName, Op: "orders.decode", Kind: connector.ErrInvalidResponse, Message: msg}
}
