package stripe_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/accountingtest"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

// sandbox starts a Stripe sandbox and a client on it.
func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper) (*stripetest.Server, *stripe.Client) {
	t.Helper()
	srv := stripetest.NewServer()
	t.Cleanup(srv.Close)
	client, err := stripe.New(stripe.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// The accounting contract, on the sandbox.
func TestContract(t *testing.T) {
	accountingtest.Run(t, func(t *testing.T) accountingtest.Harness {
		srv, c := sandbox(t, nil)
		return accountingtest.Harness{Customers: c.Customers, Invoices: c.Invoices, Payments: c.Payments,
			Currency: "USD", TaxCode: srv.TaxRate(), TaxRate: decimal.MustParse("0.15"),
			Throttle: srv.Throttle, Advance: srv.Advance, Now: srv.Now}
	})
}

// A keyed create run again later (a re-run after a crash, an hour on) with
// the customer found this time: Stripe binds a key to its request's
// parameters, so nothing the clock or the first run's path changes may go
// into them. One customer, one invoice, no idempotency_error.
func TestKeyedCreateRunAgainLater(t *testing.T) {
	ctx := context.Background()
	srv, c := sandbox(t, nil)
	issue := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	invoice := func(at time.Time) accounting.Invoice {
		return accounting.Invoice{Currency: "USD", Reference: "ORDER-7", IssueDate: at, DueDate: at.AddDate(0, 0, 14),
			Customer: &accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"},
			Lines:    []accounting.Line{{Description: "mug", Quantity: decimal.MustParse("1"), UnitPrice: money.MustParseAmount("USD", "12.50"), TaxCode: srv.TaxRate()}}}
	}
	key := connector.WithIdempotencyKey("order-7-invoice")
	first, err := c.Invoices.Create(ctx, invoice(issue), key)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Invoices.Create(ctx, invoice(issue.Add(time.Hour)), key)
	if err != nil {
		t.Fatalf("the same order's invoice an hour later: %v", err)
	}
	if again.ID != first.ID || srv.InvoiceCount() != 1 {
		t.Fatalf("invoices %s then %s, %d in Stripe; want one", first.ID, again.ID, srv.InvoiceCount())
	}
}
