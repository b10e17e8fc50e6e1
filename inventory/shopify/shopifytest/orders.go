package shopifytest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// NewOrder is an order a customer places on the sandbox shop.
type NewOrder struct {
	Email, FirstName, LastName string
	Currency                   string
	Express                    bool
	Address                    OrderAddress
	Lines                      []OrderLine
}

// OrderAddress is where the order ships.
type OrderAddress struct {
	Street, City, Region, PostalCode, Country string
}

// OrderLine is a SKU, a quantity and a unit price ("25.00").
type OrderLine struct {
	SKU, Title string
	Quantity   int
	Price      string
}

var orderNumber atomic.Int64

// PlaceOrder places o on the shop (the orders query lists it from then
// on), makes the orders/create webhook for it, as Shopify would send it,
// and posts it to url signed with the sandbox's client secret
// (WebhookSecret), as SendWebhook does. It returns the order's id, the
// webhook id (post the same body again under it with SendTopic to
// simulate a redelivery) and the body. A receiver's answer other than 2xx
// is an error.
//
// Under WithDroppedWebhooks the webhook of some orders is never sent, as
// Shopify warns that a delivery can be missed: the order is placed, and
// PlaceOrder returns its id and body with an empty webhook id and no error.
// https://shopify.dev/docs/apps/build/webhooks/best-practices#implement-reconciliation-jobs
//
// It used to take the secret to sign with; the receiver now verifies with
// WebhookSecret (or the secret given to WithWebhookSecret).
func (s *Server) PlaceOrder(ctx context.Context, url string, o NewOrder) (id int64, webhookID string, body []byte, err error) {
	id, body, err = s.OrderWebhook(o)
	if err != nil {
		return 0, "", nil, err
	}
	if s.dropWebhook() {
		return id, "", body, nil
	}
	webhookID = connectortest.UUID()
	status, err := s.SendTopic(ctx, url, "orders/create", webhookID, body)
	if err == nil && status/100 != 2 {
		err = fmt.Errorf("shopifytest: the receiver answered %d", status)
	}
	return id, webhookID, body, err
}

// OrderWebhook places o on the shop now (the sandbox's clock), taking its
// stock as Shopify's checkout does, as PlaceOrder does, and returns the new order's id and the body of its
// orders/create webhook, as Shopify would send it, without sending it.
// Deliver it with SendWebhook.
func (s *Server) OrderWebhook(o NewOrder) (id int64, body []byte, err error) {
	n := 1000 + orderNumber.Add(1)
	id = 450789469 + n*1000
	var lines []map[string]any
	for i, l := range o.Lines {
		lines = append(lines, map[string]any{"id": id + int64(i) + 1, "sku": l.SKU, "title": l.Title, "quantity": l.Quantity,
			"price": l.Price, "requires_shipping": true, "fulfillment_status": nil})
	}
	shipping := map[string]any{"code": "Standard", "title": "Standard Shipping", "price": "0.00"}
	if o.Express {
		shipping = map[string]any{"code": "Express", "title": "Express Shipping", "price": "12.00"}
	}
	name := o.FirstName + " " + o.LastName
	now := s.Now().UTC().Truncate(time.Second)
	s.mu.Lock()
	s.orders = append(s.orders, &order{id: id, number: n, o: o, createdAt: now, updatedAt: now,
		fulfillmentOrders: []*fulfillmentOrder{{id: s.gid("FulfillmentOrder"), locationID: s.locations[0].id, status: "OPEN"}}})
	s.checkout(o.Lines)
	s.mu.Unlock()
	payload := map[string]any{
		"id": id, "admin_graphql_api_id": fmt.Sprintf("gid://shopify/Order/%d", id), "name": fmt.Sprintf("#%d", n), "order_number": n,
		"email": o.Email, "currency": o.Currency, "created_at": now.Format(time.RFC3339), "updated_at": now.Format(time.RFC3339), "financial_status": "paid",
		"customer": map[string]any{"email": o.Email, "first_name": o.FirstName, "last_name": o.LastName},
		"shipping_address": map[string]any{"first_name": o.FirstName, "last_name": o.LastName, "name": name, "address1": o.Address.Street,
			"city": o.Address.City, "province_code": o.Address.Region, "zip": o.Address.PostalCode, "country_code": o.Address.Country},
		"line_items": lines, "shipping_lines": []any{shipping},
	}
	body, err = json.Marshal(payload)
	if err != nil {
		return 0, nil, err
	}
	return id, body, nil
}

// checkout takes the order's stock at the shop's first location, as
// Shopify does when an order is created for tracked items: available goes
// down and committed up, and a shop that keeps selling out of stock goes
// below zero. It is the shop's own change, not an adjustment through the
// API: Adjustments does not count it. Call with s.mu held.
// https://help.shopify.com/en/manual/products/inventory/getting-started-with-inventory/inventory-states
func (s *Server) checkout(lines []OrderLine) {
	for _, l := range lines {
		for _, it := range s.items {
			if it.sku != l.SKU || !it.tracked {
				continue
			}
			if lv := s.levels[[2]string{it.itemID, s.locations[0].id}]; lv != nil {
				lv.available -= l.Quantity
				lv.committed += l.Quantity
			}
			break
		}
	}
}
