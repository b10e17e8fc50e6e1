package hubspot_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// Record an order on the CRM: upsert the customer by email, create the deal
// under a key derived from the order, and link the two. Run it twice and
// nothing is duplicated. Then receive HubSpot's webhooks for what changed:
// verified with the app's client secret, each event handled once.
func Example() {
	sandbox := hubspottest.NewServer() // in production: no BaseURL, a real token
	defer sandbox.Close()
	client, err := hubspot.New(hubspot.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	orderID := "1001"
	for range 2 { // a re-run after a crash
		contact, err := client.Contacts.Upsert(ctx, crm.Contact{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
		if err != nil {
			panic(err)
		}
		total := money.MustParseAmount("USD", "249.90")
		deal, err := client.Deals.Create(ctx, crm.Deal{Name: "Order " + orderID, Amount: &total, Stage: "closedwon", Pipeline: "default"},
			connector.WithIdempotencyKey(connector.DeriveKey("order", orderID, "crm-deal")))
		if err != nil {
			panic(err)
		}
		err = client.Associations.Associate(ctx, crm.Ref{Type: crm.DealObject, ID: deal.ID}, crm.Ref{Type: crm.ContactObject, ID: contact.ID})
		if err != nil {
			panic(err)
		}
	}
	fmt.Println(sandbox.Count("contacts"), "contact,", sandbox.Count("deals"), "deal")

	// The app's webhook endpoint.
	handler, err := hubspot.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e hubspot.Event) error {
			fmt.Println("event:", e.Kind, "("+e.Type+")")
			return nil
		})
	if err != nil {
		panic(err)
	}
	endpoint := httptest.NewServer(handler)
	defer endpoint.Close()
	status, err := sandbox.FlushWebhooks(ctx, endpoint.URL+"/webhooks/hubspot") // signed and sent by SendWebhook
	fmt.Println("delivered:", status, err)
	// Output:
	// 1 contact, 1 deal
	// event: contact.created (contact.creation)
	// event: deal.created (deal.creation)
	// delivered: 200 <nil>
}

// Test your own code against the sandbox, faults included.
func ExampleContactsService_Get() {
	sandbox := hubspottest.NewServer()
	defer sandbox.Close()
	client, _ := hubspot.New(hubspot.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	ctx := context.Background()
	c, _ := client.Contacts.Create(ctx, crm.Contact{Email: "grace@example.com", FirstName: "Grace"})

	sandbox.Throttle(1) // HubSpot says 429 TEN_SECONDLY_ROLLING once: the client waits and retries
	got, err := client.Contacts.Get(ctx, c.ID)
	fmt.Println(got.FirstName, err)
	// Output: Grace <nil>
}
