package easypost_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// Quote, pick the cheapest rate arriving within 3 days, and buy its label
// under a key derived from the order: running it again buys nothing. Then
// a tracking webhook from the sandbox, verified by its X-Hmac-Signature.
func Example() {
	sandbox := easyposttest.NewServer()
	defer sandbox.Close()
	client, err := easypost.New(easypost.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
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
		fmt.Println(label.Carrier, rate.Service, label.Amount, label.Status)
	}
	fmt.Println(sandbox.Purchases(), "charge")

	hooks, err := easypost.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e easypost.Event) error {
			// A hint: read the tracker back from the API before acting on it.
			fmt.Println(e.Type, e.Kind, e.Payload.Tracking.State)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()
	sandbox.AdvanceTracking(label.Carrier, label.TrackingNumber)
	status, err := sandbox.SendWebhook(ctx, receiver.URL+"/hooks/easypost", sandbox.TrackerEvent(label.TrackingNumber))
	if err != nil {
		panic(err)
	}
	fmt.Println(status)
	// Output:
	// USPS GroundAdvantage USD 6.70 created
	// USPS GroundAdvantage USD 6.70 created
	// 1 charge
	// tracker.updated tracking.updated in_transit
	// 200
}
