package hubspot_test

import (
	"context"
	"fmt"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// Record an order on the CRM: upsert the customer by email, create the deal
// under a key derived from the order, and link the two. Run it twice and
// nothing is duplicated.
func Example() {
	srv := hubspottest.NewServer() // in production: no BaseURL, a real token
	defer srv.Close()
	client, err := hubspot.New(hubspot.Config{BaseURL: srv.URL, Auth: connector.Bearer(srv.Token())})
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
	fmt.Println(srv.Count("contacts"), "contact,", srv.Count("deals"), "deal")
	// Output: 1 contact, 1 deal
}

// Test your own code against the sandbox, faults included.
func ExampleContactsService_Get() {
	srv := hubspottest.NewServer()
	defer srv.Close()
	client, _ := hubspot.New(hubspot.Config{BaseURL: srv.URL, Auth: connector.Bearer(srv.Token())})
	ctx := context.Background()
	c, _ := client.Contacts.Create(ctx, crm.Contact{Email: "grace@example.com", FirstName: "Grace"})

	srv.Throttle(1) // HubSpot says 429 TEN_SECONDLY_ROLLING once: the client waits and retries
	got, err := client.Contacts.Get(ctx, c.ID)
	fmt.Println(got.FirstName, err)
	// Output: Grace <nil>
}
