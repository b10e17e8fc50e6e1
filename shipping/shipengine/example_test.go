package shipengine_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// Quote, pick the cheapest rate arriving within 3 days, and buy its label
// under a key derived from the order: running it again buys nothing. Then
// a tracking webhook from the sandbox, its RSA signature verified with the
// keys the handler fetched from the platform's /jwks.
func Example() {
	sandbox := shipenginetest.NewServer()
	defer sandbox.Close()
	client, err := shipengine.New(shipengine.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	rates, err := client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	if err != nil {
		panic(err)
	}
	rate, _ := shipping.CheapestWithin(rates, 3)
	var label *shipping.Label
	for range 2 {
		label, err = client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "label")))
		if err != nil {
			panic(err)
		}
		fmt.Println(rate.Carrier, rate.Service, label.Amount, label.Status)
	}
	fmt.Println(sandbox.Purchases(), "charge")

	hooks, err := client.NewWebhookHandler(webhook.Config{}, func(ctx context.Context, e shipengine.Event) error {
		fmt.Println(e.Kind, e.Payload.Tracking.State)
		return nil
	})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()
	sandbox.DeliverWebhooksTo(receiver.URL + "/hooks/shipengine")
	sandbox.AdvanceTracking(label.Carrier, label.TrackingNumber)
	// Output:
	// USPS USPS Priority Mail USD 8.75 created
	// USPS USPS Priority Mail USD 8.75 created
	// 1 charge
	// tracking.updated in_transit
}
