package shopify_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// Take an order's stock exactly once: the key comes from the order, so a
// re-run after a crash applies nothing twice. Then the orders/create
// webhook that started it, verified.
func Example() {
	sandbox := shopifytest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	sandbox.AddProduct("Mug", "MUG-001", 10)

	// In production: BaseURL is the shop's, "https://example.myshopify.com",
	// and Auth is shopify.AccessToken(token), or shopify.OAuth(src) for a
	// public app.
	client, err := shopify.New(shopify.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
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
	fmt.Println(sandbox.Adjustments(), "adjustment")

	// Shopify posts orders/create when a customer checks out.
	handler, err := shopify.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e shopify.Event) error {
			o := e.Payload.Order
			fmt.Println(e.Kind, e.Type, o.Name, o.LineItems[0].SKU, "x", o.LineItems[0].Quantity)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	body := []byte(`{"id":450789469,"name":"#1001","email":"ada@example.com","currency":"NZD",
		"shipping_address":{"name":"Ada Lovelace","address1":"1 Queen St","city":"Auckland","zip":"1010","country_code":"NZ"},
		"line_items":[{"sku":"MUG-001","title":"Mug","quantity":2,"price":"12.50"}]}`)
	status, err := sandbox.SendWebhook(ctx, receiver.URL, body)
	fmt.Println(status, err)
	// Output:
	// MUG-001 left: 8
	// MUG-001 left: 8
	// 1 adjustment
	// order.created orders/create #1001 MUG-001 x 2
	// 200 <nil>
}

// Catch the orders whose webhook never came: a poll of the orders changed
// since the last one seen. The sandbox drops every other orders/create
// webhook here; the poll finds those orders, and an inbox keyed by the
// order id would drop the ones that came both ways.
func ExampleOrdersService_List() {
	sandbox := shopifytest.NewServer(shopifytest.WithDroppedWebhooks(0.5))
	defer sandbox.Close()
	ctx := context.Background()
	client, err := shopify.New(shopify.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}

	seen := map[string]bool{}
	handler, err := shopify.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e shopify.Event) error {
			o, err := client.Orders.FromWebhook(ctx, e.Payload.Body)
			if err != nil {
				return nil // not an order a flow can ship: acknowledged, and reported in a real handler
			}
			seen[o.ID] = true
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	for range 4 {
		_, _, _, err := sandbox.PlaceOrder(ctx, receiver.URL, shopifytest.NewOrder{Email: "ada@example.com", Currency: "NZD",
			Address: shopifytest.OrderAddress{Street: "1 Queen St", City: "Auckland", PostalCode: "1010", Country: "NZ"},
			Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 1, Price: "12.50"}}})
		if err != nil {
			panic(err)
		}
	}
	fmt.Println(len(seen), "webhooks came")

	var since time.Time // the UpdatedAt of the last order the previous poll saw
	for o, err := range client.Orders.List(ctx, since) {
		if err != nil {
			panic(err) // an order that cannot be shipped is an error too: report it and go on
		}
		if !seen[o.ID] {
			fmt.Println("missed:", o.Lines[0].SKU, o.ShipTo.City)
			seen[o.ID] = true
		}
		since = o.UpdatedAt
	}
	fmt.Println(len(seen), "orders")
	// Output:
	// 2 webhooks came
	// missed: MUG-001 Auckland
	// missed: MUG-001 Auckland
	// 4 orders
}

// Tell the shop an order shipped, once: the key comes from the order, so a
// re-run after a crash finds the fulfillment it made. Shopify mails the
// customer its shipping confirmation (Notify).
func ExampleFulfilmentsService_Fulfil() {
	sandbox := shopifytest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	client, err := shopify.New(shopify.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	id, _, err := sandbox.OrderWebhook(shopifytest.NewOrder{Email: "ada@example.com", Currency: "NZD",
		Address: shopifytest.OrderAddress{Street: "1 Queen St", City: "Auckland", PostalCode: "1010", Country: "NZ"},
		Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 1, Price: "12.50"}}})
	if err != nil {
		panic(err)
	}
	orderID := strconv.FormatInt(id, 10)
	shipped := inventory.Shipment{Carrier: "DHL Express", TrackingNumber: "1234567890", Notify: true}
	for range 2 {
		f, err := client.Fulfilments.Fulfil(ctx, orderID, shipped, connector.WithIdempotencyKey(connector.DeriveKey("order", orderID, "fulfil")))
		if err != nil {
			panic(err)
		}
		fmt.Println(f.Carrier, f.TrackingNumber, "notified:", f.Notified)
	}
	fmt.Println(sandbox.Shipped(orderID))
	// Output:
	// DHL Express 1234567890 notified: true
	// DHL Express 1234567890 notified: true
	// [1234567890]
}
