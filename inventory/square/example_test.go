package square_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
)

// Take stock exactly once under a key derived from the order, verify the
// order.created notification a checkout sent, read its order and record
// the shipment, twice under one key: one fulfillment.
func Example() {
	sandbox := squaretest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	sandbox.AddItem("Mug", "MUG-001", 10)

	// In production: Auth is square.AccessToken(token), or
	// square.OAuth(src) for an app the seller authorized; BaseURL is left
	// out (square.DefaultBaseURL).
	client, err := square.New(square.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	mug, err := client.Items.GetBySKU(ctx, "MUG-001")
	if err != nil {
		panic(err)
	}
	for range 2 {
		left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: mug.ID, LocationID: sandbox.LocationID(), Delta: -2,
			Reason: "correction", Reference: "order://1001"}}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "stock")))
		if err != nil {
			panic(err)
		}
		fmt.Println(mug.SKU, "left:", left[0].After)
	}
	fmt.Println(sandbox.Changes(), "change")

	// A customer checks out on the seller's Square Online site; Square
	// posts order.created, which carries the order's id only.
	orders := make(chan string, 1)
	handler, err := square.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e square.Event) error {
			fmt.Println(e.Kind, e.Type)
			orders <- e.Payload.OrderID
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	_, body := sandbox.PlaceOrder(squaretest.NewOrder{
		Customer: squaretest.Customer{GivenName: "Ada", FamilyName: "Lovelace", Email: "ada@example.com"},
		Currency: "USD", ShippingType: "Express Shipping",
		Address: squaretest.Address{Line1: "215 Clayton St", Locality: "San Francisco", Region: "CA", PostalCode: "94117", Country: "US"},
		Lines:   []squaretest.OrderLine{{SKU: "MUG-001", Name: "Mug", Quantity: 1, Price: 1299}},
	})
	status, err := sandbox.SendWebhook(ctx, receiver.URL+"/square", body)
	fmt.Println(status, err)

	order, err := client.Orders.Get(ctx, <-orders)
	if err != nil {
		panic(err)
	}
	l := order.Lines[0]
	fmt.Println(order.Customer.Name(), l.SKU, "x", l.Quantity, l.UnitPrice, order.Currency, order.Shipping, order.Express)

	key := connector.DeriveKey("order", order.ID, "fulfil")
	for range 2 {
		f, err := client.Fulfilments.Fulfil(ctx, order.ID, inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000001"},
			connector.WithIdempotencyKey(key))
		if err != nil {
			panic(err)
		}
		fmt.Println(f.Carrier, f.TrackingNumber, "notified:", f.Notified)
	}
	fmt.Println(sandbox.Shipped(order.ID))
	// Output:
	// MUG-001 left: 8
	// MUG-001 left: 8
	// 1 change
	// order.created order.created
	// 200 <nil>
	// Ada Lovelace MUG-001 x 1 12.99 USD Express Shipping true
	// USPS 9400100000000000000001 notified: false
	// USPS 9400100000000000000001 notified: false
	// [9400100000000000000001]
}
