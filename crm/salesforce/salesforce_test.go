package salesforce_test

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/crmtest"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

// sandbox starts a sandbox org and a client on it. wrap, if not nil,
// wraps the client's base transport.
func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, cfg salesforce.Config, opts ...salesforcetest.Option) (*salesforcetest.Server, *salesforce.Client) {
	t.Helper()
	srv := salesforcetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	cfg.BaseURL, cfg.Auth = srv.URL(), srv.Auth()
	client, err := salesforce.New(cfg, connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

func harness(wrap func(*testing.T, http.RoundTripper) http.RoundTripper) func(t *testing.T) crmtest.Harness {
	return func(t *testing.T) crmtest.Harness {
		var w func(http.RoundTripper) http.RoundTripper
		if wrap != nil {
			w = func(next http.RoundTripper) http.RoundTripper { return wrap(t, next) }
		}
		srv, client := sandbox(t, w, salesforce.Config{})
		return crmtest.Harness{Contacts: client.Contacts, Companies: client.Companies, Deals: client.Deals,
			Associations: client.Associations, Throttle: srv.Throttle, Advance: srv.Advance, Now: srv.Now}
	}
}

// The crm contract, on the sandbox.
func TestContract(t *testing.T) { crmtest.Run(t, harness(nil)) }

func salesforcetestWithout() salesforcetest.Option { return salesforcetest.WithoutExternalIDField() }
func salesforcetestSingle() salesforcetest.Option  { return salesforcetest.WithSingleCurrency() }
