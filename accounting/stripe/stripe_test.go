package stripe_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"go.uber.org/goleak"

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
