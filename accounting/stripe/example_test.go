package stripe_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// A keyed write done twice makes one customer; the sandbox then delivers
// Stripe's customer.created event to a webhook endpoint, which verifies
// its signature and hands the event on.
func Example() {
	sandbox := stripetest.NewServer()
	defer sandbox.Close()
	client, err := stripe.New(stripe.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// The same key twice, as after a crash between the write and its
	// answer: Stripe replays the first answer.
	key := connector.WithIdempotencyKey(connector.DeriveKey("signup", "ada@example.com"))
	first, err := client.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}, key)
	if err != nil {
		log.Fatal(err)
	}
	again, err := client.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}, key)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same customer:", first.ID == again.ID, "customers:", sandbox.CustomerCount())

	handler, err := stripe.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e stripe.Event) error {
			c, err := stripe.DecodeCustomer(e.Payload.Object)
			if err != nil {
				return err
			}
			fmt.Println(e.Kind, e.Type, c.Name)
			return nil
		})
	if err != nil {
		log.Fatal(err)
	}
	endpoint := httptest.NewServer(handler)
	defer endpoint.Close()
	for _, body := range sandbox.EventBodies("customer.created") {
		status, err := sandbox.SendWebhook(ctx, endpoint.URL, body)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("endpoint answered", status)
	}
	// Output:
	// same customer: true customers: 1
	// customer.created customer.created Ada Lovelace
	// endpoint answered 200
}
