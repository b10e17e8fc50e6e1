package woocommerce_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
)

// A customer's order arrives by webhook, verified (WooCommerce took its
// stock at checkout); a delivery of stock is booked once under a key
// derived from it, so a re-run after a crash adds nothing twice; then the
// order is fulfilled with its tracking number, once under its own key.
func Example() {
	sandbox := woocommercetest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	sandbox.AddProduct("Mug", "MUG-001", 10)

	// In production: BaseURL is the shop's site, "https://shop.example.com",
	// and Auth is woocommerce.ConsumerKey(key, secret).
	client, err := woocommerce.New(woocommerce.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}

	// WooCommerce posts order.created when a customer checks out.
	handler, err := woocommerce.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e woocommerce.Event) error {
			o := e.Payload.Order
			fmt.Println(e.Kind, e.Type, o.Number, o.Lines[0].SKU, "x", o.Lines[0].Quantity, "at", o.Lines[0].UnitPrice, o.Currency)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	id, _, err := sandbox.PlaceOrder(woocommercetest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace",
		Currency: "NZD", Address: woocommercetest.Address{Street: "1 Queen St", City: "Auckland", PostalCode: "1010", Country: "NZ"},
		Lines: []woocommercetest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2, Price: "12.50"}}})
	if err != nil {
		panic(err)
	}
	status, err := sandbox.DeliverOrderCreated(ctx, receiver.URL, id)
	fmt.Println(status, err)

	orderID := strconv.FormatInt(id, 10)
	mug, err := client.Items.GetBySKU(ctx, "MUG-001")
	if err != nil {
		panic(err)
	}
	for range 2 {
		left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: mug.ID, LocationID: woocommerce.LocationID, Delta: 5,
			Reason: "received", Reference: "po://PO-17"}}, connector.WithIdempotencyKey(connector.DeriveKey("delivery", "PO-17", "stock")))
		if err != nil {
			panic(err)
		}
		fmt.Println(mug.SKU, "left:", left[0].After) // 10, 8 after checkout, 13 after the delivery
	}

	for range 2 {
		f, err := client.Fulfilments.Fulfil(ctx, orderID, inventory.Shipment{Carrier: "NZ Post", TrackingNumber: "NZ123456789", Notify: true},
			connector.WithIdempotencyKey(connector.DeriveKey("order", orderID, "fulfil")))
		if err != nil {
			panic(err)
		}
		fmt.Println("fulfilled:", f.Carrier, f.TrackingNumber, "notified:", f.Notified)
	}
	fmt.Println(sandbox.Status(id), sandbox.Shipped(id))
	// Output:
	// order.created order.created 102 MUG-001 x 2 at 12.50 NZD
	// 200 <nil>
	// MUG-001 left: 13
	// MUG-001 left: 13
	// fulfilled: NZ Post NZ123456789 notified: true
	// fulfilled: NZ Post NZ123456789 notified: true
	// completed [NZ123456789]
}
