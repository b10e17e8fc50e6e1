package pipedrive_test

import (
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/crmtest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
	"github.com/patchbay-go/patchbay/internal/spec"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 2 * time.Second}

// sandbox starts a Pipedrive sandbox and a client on it. wrap, if not nil,
// wraps the client's base transport (for conformance checks).
func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...pipedrivetest.Option) (*pipedrivetest.Server, *pipedrive.Client) {
	t.Helper()
	srv := pipedrivetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := pipedrive.New(pipedrive.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
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
		srv, client := sandbox(t, w)
		return crmtest.Harness{Contacts: client.Contacts, Companies: client.Companies, Deals: client.Deals,
			Associations: client.Associations, Throttle: srv.Throttle, Advance: srv.Advance, Now: srv.Now}
	}
}

// The crm contract, on the sandbox.
func TestContract(t *testing.T) { crmtest.Run(t, harness(nil)) }

// pipedriveSpecs are Pipedrive's official v2 and v1 specs.
func pipedriveSpecs(t *testing.T) []*spec.OpenAPI {
	return []*spec.OpenAPI{
		spec.LoadOpenAPI(t, "pipedrive/pipedrive-api-v2.openapi.yaml", pipedriveExceptions...),
		spec.LoadOpenAPI(t, "pipedrive/pipedrive-api-v1.openapi.yaml", pipedriveExceptions...),
	}
}

// pipedriveExceptions are known gaps between Pipedrive's published specs
// and its API.
var pipedriveExceptions = []spec.Exception{
	{
		Operation: "*",
		Contains:  "status is not supported",
		Why: "the v2 spec documents only the 200 answer of persons, organizations and deals; Pipedrive's errors " +
			"(400, 401, 404, 429: {\"success\":false,\"error\":...,\"error_info\":...}) are undocumented " +
			"(https://pipedrive.readme.io/docs/core-api-concepts-http-status-codes)",
	},
	{
		Operation: "updatePerson",
		Contains:  `Error at "/org_id": Value is not nullable`,
		Why:       "unlinking a person from its organization is org_id: null; the spec types org_id as a plain integer",
	},
	{
		Operation: "updateDeal",
		Contains:  `Value is not nullable`,
		Why:       "unlinking a deal from its person or organization is person_id/org_id: null; the spec types them as plain integers",
	},
}

// The same contract with every request the connector sends and every
// answer the sandbox gives validated against Pipedrive's official specs.
func TestConformanceContract(t *testing.T) {
	specs := pipedriveSpecs(t)
	crmtest.Run(t, harness(func(t *testing.T, next http.RoundTripper) http.RoundTripper { return spec.Transport(t, next, specs...) }))
}
