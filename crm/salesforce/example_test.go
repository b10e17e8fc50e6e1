package salesforce_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

// Record an order on Salesforce in one Composite call: the customer by
// email, the opportunity under a key derived from the order, and a note.
// Run it twice and nothing is duplicated. A sync follows Salesforce's
// changes through the updated-since list (SystemModstamp), oldest change
// first; a Workflow rule's Outbound Message is received by
// NewWebhookHandler and acknowledged.
func Example() {
	sandbox := salesforcetest.NewServer() // in production: the org's instance_url and its OAuth2 tokens
	defer sandbox.Close()
	client, err := salesforce.New(salesforce.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	mark := sandbox.Now()
	orderID := "1001"
	total := money.MustParseAmount("EUR", "249.90")
	for range 2 { // a re-run after a crash
		_, err := client.RecordSale(ctx, crm.Sale{
			Contact: crm.Contact{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"},
			Deal:    crm.Deal{Name: "Order " + orderID, Amount: &total, Stage: "closedwon"},
			Note:    &crm.Note{Body: "Order " + orderID + " paid"},
		}, connector.WithIdempotencyKey(connector.DeriveKey("order", orderID, "crm")))
		if err != nil {
			panic(err)
		}
	}
	fmt.Println(sandbox.Count("Contact"), "contact,", sandbox.Count("Opportunity"), "opportunity,", sandbox.Count("Task"), "note")

	// The change feed: what changed since the mark, oldest change first.
	for d, err := range client.Deals.List(ctx, crm.ListOptions{UpdatedSince: mark}) {
		if err != nil {
			panic(err)
		}
		fmt.Println("changed:", d.Name, d.Amount, d.Stage)
	}

	// An Outbound Message from the org, for the contact: verified by the
	// org id (see VerifyWebhook for what that proves), then acknowledged.
	handler, err := salesforce.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e salesforce.Event) error {
			fmt.Println("outbound message:", e.Type, e.Payload.Contact.Email)
			return nil
		})
	if err != nil {
		panic(err)
	}
	listener := httptest.NewServer(handler) // in production: an HTTPS URL checking Salesforce's client certificate
	defer listener.Close()
	for c, err := range client.Contacts.List(ctx, crm.ListOptions{}) {
		if err != nil {
			panic(err)
		}
		status, err := sandbox.SendWebhook(ctx, listener.URL, sandbox.ContactChanged(c.ID))
		if err != nil {
			panic(err)
		}
		fmt.Println("acknowledged:", status)
	}
	// Output:
	// 1 contact, 1 opportunity, 1 note
	// changed: Order 1001 EUR 249.90 closedwon
	// outbound message: outbound.Contact ada@example.com
	// acknowledged: 200
}
