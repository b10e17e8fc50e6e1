package quickbooks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/accounting/accountingtest"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// sandbox starts a QuickBooks sandbox and returns a client for its
// company. wrap, if set, wraps the base transport.
func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...connector.Option) (*quickbookstest.Server, *quickbooks.Client) {
	t.Helper()
	srv := quickbookstest.NewServer()
	t.Cleanup(srv.Close)
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID(), HomeCurrency: quickbookstest.Currency},
		append([]connector.Option{connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry)}, opts...)...)
	require.NoError(t, err)
	return srv, client
}

func harness(wrap func(*testing.T, http.RoundTripper) http.RoundTripper) func(t *testing.T) accountingtest.Harness {
	return func(t *testing.T) accountingtest.Harness {
		var w func(http.RoundTripper) http.RoundTripper
		if wrap != nil {
			w = func(next http.RoundTripper) http.RoundTripper { return wrap(t, next) }
		}
		// Intuit's pace of 500 a minute would make the 130 invoices of the
		// pagination check take 16s: the contract runs unpaced.
		srv, client := sandbox(t, w, connector.WithRateLimit(rate.Limit(1000), 100))
		return accountingtest.Harness{
			Customers: client.Customers, Invoices: client.Invoices, Payments: client.Payments,
			Currency: quickbookstest.Currency, AccountCode: quickbookstest.SalesAccount, BankAccountCode: quickbookstest.BankAccount,
			TaxCode: quickbookstest.TaxCode, TaxRate: decimal.MustParse("0.20"),
			Throttle: srv.Throttle, Advance: srv.Advance, Now: srv.Now,
		}
	}
}

// The accounting contract, on the sandbox.
func TestContract(t *testing.T) { accountingtest.Run(t, harness(nil)) }
