package shippo_test

import (
	"context"
	"fmt"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

// Quote, pick the cheapest rate arriving within 3 days, and buy its label
// under a key derived from the order: running it again buys nothing.
func Example() {
	srv := shippotest.NewServer()
	defer srv.Close()
	client, err := shippo.New(shippo.Config{BaseURL: srv.URL, Token: srv.Token()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	rates, err := client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	if err != nil {
		panic(err)
	}
	rate, _ := shipping.CheapestWithin(rates, 3)
	for range 2 {
		label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "label")))
		if err != nil {
			panic(err)
		}
		fmt.Println(label.Carrier, rate.Service, label.Amount, label.Status)
	}
	fmt.Println(srv.Purchases(), "charge")
	// Output:
	// USPS Priority Mail USD 8.75 created
	// USPS Priority Mail USD 8.75 created
	// 1 charge
}
