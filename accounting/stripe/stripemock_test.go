package stripe_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// Every operation the connector offers, against stripe-mock: Stripe's own
// server for its current OpenAPI spec, which refuses any parameter the API
// does not know (a misspelled name fails here) and answers with Stripe's
// fixtures, which the connector must decode. stripe-mock keeps no state,
// so what a sequence of calls leaves is the contract suite's job, on
// stripetest.
func TestConformanceStripeMock(t *testing.T) {
	base := spec.StripeMockURL(t)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := stripe.New(stripe.Config{BaseURL: base, Auth: connector.Bearer("sk_test_123")},
		connector.WithHTTPClient(&http.Client{Transport: tr}), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	usd := func(s string) money.Amount { return money.MustParseAmount("USD", s) }
	key := func(s string) connector.CallOption {
		return connector.WithIdempotencyKey(connector.DeriveKey("stripe-mock", s, time.Now().String()))
	}

	cust := accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "+44 20 7946 0000", TaxNumber: "GB123",
		Addresses: []accounting.Address{{Lines: []string{"12 St James's Square", "Flat 2"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}}}
	created, err := client.Customers.Create(ctx, cust, key("customer"))
	must(t, "Customers.Create", err, created != nil && created.ID != "")
	got, err := client.Customers.Get(ctx, created.ID)
	must(t, "Customers.Get", err, got != nil && got.ID != "")
	found, err := client.Customers.FindByEmail(ctx, "ada@example.com")
	must(t, "Customers.FindByEmail", err, found != nil && found.ID != "")
	up, err := client.Customers.Upsert(ctx, cust)
	must(t, "Customers.Upsert", err, up != nil)
	n := 0
	for c, err := range client.Customers.List(ctx, accounting.ListOptions{}) {
		must(t, "Customers.List", err, c != nil)
		if n++; n == 3 {
			break
		}
	}
	for c, err := range client.Customers.List(ctx, accounting.ListOptions{UpdatedSince: time.Now().Add(-time.Hour)}) {
		must(t, "Customers.List since", err, c != nil)
		break
	}
	// stripe-mock lists one event, so List since never needs its second
	// pass; the page it asks for then, the events after the oldest, is
	// checked here.
	req, err := client.NewRequest(ctx, http.MethodGet, "/v1/events?created%5Bgte%5D=1800000000&ending_before=evt_1&limit=100&type=invoice.%2A", nil)
	must(t, "events after a cursor", err, true)
	resp, err := client.Do(ctx, req)
	must(t, "events after a cursor", err, true)
	resp.Body.Close()

	inv := accounting.Invoice{CustomerID: created.ID, Currency: "USD", Reference: "ORDER-1001", DueDate: time.Now().AddDate(0, 0, 14),
		Lines: []accounting.Line{
			{Description: "T-shirt", Quantity: decimal.MustNew(2, 0), UnitPrice: usd("25.00"), TaxCode: "txr_123"},
			{Description: "Cable, by the metre", Quantity: decimal.MustParse("1.5"), UnitPrice: usd("9.90")},
		}}
	issued, err := client.Invoices.Create(ctx, inv, key("invoice"))
	must(t, "Invoices.Create", err, issued != nil && issued.ID != "")
	draft := inv
	draft.Status = accounting.InvoiceDraft
	draft.Customer, draft.CustomerID = &cust, ""
	_, err = client.Invoices.Create(ctx, draft, key("draft"))
	must(t, "Invoices.Create (draft, by customer)", err, true)
	_, err = client.Invoices.Get(ctx, issued.ID)
	must(t, "Invoices.Get", err, true)
	for i, err := range client.Invoices.List(ctx, accounting.ListOptions{}) {
		must(t, "Invoices.List", err, i != nil)
		break
	}
	for i, err := range client.Invoices.List(ctx, accounting.ListOptions{UpdatedSince: time.Now().Add(-time.Hour)}) {
		must(t, "Invoices.List since", err, i != nil)
		break
	}
	_, err = client.Invoices.FindByReference(ctx, "ORDER-1001")
	if err != nil && !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Invoices.FindByReference: %v", err)
	}
	for inv, err := range client.Invoices.Search(ctx, "metadata['reference']:'ORDER-1001' AND status:'open'") {
		must(t, "Invoices.Search", err, inv != nil)
		break
	}
	_, err = client.Invoices.Void(ctx, issued.ID, key("void"))
	must(t, "Invoices.Void", err, true)
	current, err := client.Invoices.Get(ctx, issued.ID)
	must(t, "Invoices.Get", err, true)
	_, err = client.Payments.Record(ctx, accounting.Payment{InvoiceID: issued.ID, Amount: current.AmountDue}, key("pay"))
	must(t, "Payments.Record", err, true)
}

func must(t *testing.T, what string, err error, ok bool) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s against stripe-mock: %v", what, err)
	}
	if !ok {
		t.Fatalf("%s against stripe-mock: an empty answer", what)
	}
}
