package shippo_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

// Quote, pick the cheapest rate arriving within 3 days, and buy its label
// under a key derived from the order: running it again buys nothing. Then
// a tracking webhook from the sandbox, authenticated by the token in its
// URL.
func Example() {
	sandbox := shippotest.NewServer()
	defer sandbox.Close()
	client, err := shippo.New(shippo.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
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

	// The endpoint registered at Shippo as https://your.app/hooks/shippo?token=...
	hooks, err := shippo.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e shippo.Event) error {
			// A hint: read the parcel back from the API before acting on it.
			fmt.Println(e.Kind, e.Payload.Tracking.State)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(hooks)
	defer receiver.Close()
	body, _ := json.Marshal(map[string]any{"event": "track_updated", "test": true, "data": map[string]any{
		"carrier": "usps", "tracking_number": label.TrackingNumber,
		"tracking_status": map[string]any{"status": "TRANSIT", "status_date": "2026-11-23T10:00:00Z"}}})
	status, err := sandbox.SendWebhook(ctx, receiver.URL+"/hooks/shippo", body)
	if err != nil {
		panic(err)
	}
	fmt.Println(status)
	// Output:
	// USPS Priority Mail USD 8.75 created
	// USPS Priority Mail USD 8.75 created
	// 1 charge
	// tracking.updated in_transit
	// 200
}
