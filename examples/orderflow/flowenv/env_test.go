package flowenv_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/crm/pipedrive/pipedrivetest"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A bad or missing variable is a message naming it, never a stack trace.
func TestEnvironmentErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		accounting string
		vars       map[string]string
		want       string
	}{
		{"xero", map[string]string{"PATCHBAY_HUBSPOT_URL": "http://127.0.0.1:1"}, "PATCHBAY_HUBSPOT_TOKEN: missing"},
		{"xero", map[string]string{"PATCHBAY_HUBSPOT_TOKEN": "pat-x", "PATCHBAY_HUBSPOT_URL": "not a url"}, "PATCHBAY_HUBSPOT_URL: \"not a url\" is not"},
		{"xero", map[string]string{"PATCHBAY_SHOPIFY_TOKEN": "shpat_x"}, "PATCHBAY_SHOPIFY_SHOP: missing"},
		{"xero", map[string]string{"PATCHBAY_SHOPIFY_SHOP": "x.myshopify.com"}, "PATCHBAY_SHOPIFY_TOKEN: missing"},
		{"xero", map[string]string{"PATCHBAY_XERO_CLIENT_ID": "id"}, "PATCHBAY_XERO_CLIENT_SECRET: missing"},
		{"xero", map[string]string{"PATCHBAY_XERO_CLIENT_ID": "id", "PATCHBAY_XERO_CLIENT_SECRET": "s"}, "PATCHBAY_XERO_REFRESH_TOKEN: missing"},
		{"xero", map[string]string{"PATCHBAY_XERO_URL": "ftp://x"}, "PATCHBAY_XERO_CLIENT_ID: missing"},
		{"xero", map[string]string{"PATCHBAY_XERO_URL": "ftp://x", "PATCHBAY_XERO_CLIENT_ID": "id"}, "PATCHBAY_XERO_URL: \"ftp://x\" is not"},
		{"xero", map[string]string{"PATCHBAY_SHIPSTATION_API_KEY": "k"}, "PATCHBAY_SHIPSTATION_API_KEY: set, but the shipping system is shippo: choose shipstation (-shipping shipstation)"},
		{"xero", map[string]string{"PATCHBAY_SHIPPO_URL": "http://127.0.0.1:1"}, "PATCHBAY_SHIPPO_TOKEN: missing"},
		{"xero", map[string]string{"PATCHBAY_SMTP_URL": "mailto:x"}, "PATCHBAY_SMTP_URL: an SMTP URL looks like"},
		// The other accounting vendor's variables are not silently ignored.
		{"xero", map[string]string{"PATCHBAY_STRIPE_KEY": "sk_test_x"}, "PATCHBAY_STRIPE_KEY: set, but the accounting system is xero"},
		{"stripe", map[string]string{"PATCHBAY_XERO_CLIENT_ID": "id"}, "PATCHBAY_XERO_CLIENT_ID: set, but the accounting system is stripe"},
	}
	defer func() { flowenv.Lookup = func(string) string { return "" } }()
	for _, c := range cases {
		flowenv.Lookup = func(k string) string { return c.vars[k] }
		var sys flow.Systems
		_, err := flowenv.Configure(context.Background(), &sys, flowenv.Vendors{Accounting: c.accounting}, nil, nil)
		var ce *flowenv.ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.vars, err, c.want)
		}
	}
}

// Real accounts go through the same connectors, and no sandbox is started
// for them: here HubSpot, Shopify and Shippo are servers of their own
// (standing in for the real vendors), named by URL and credential; only
// accounting is left to a sandbox, and orders flow.
func TestEnvironmentBuildsRealClients(t *testing.T) {
	ctx := context.Background()
	crm := hubspottest.NewServer(hubspottest.WithToken("pat-na1-env-test-0001"))
	defer crm.Close()
	shop := shopifytest.NewServer(shopifytest.WithAccessToken("shpat_env_test_0000000000000001"))
	defer shop.Close()
	shop.AddProduct("Mug", "MUG-001", 10)
	carrier := shippotest.NewServer(shippotest.WithToken("shippo_test_env_0001"))
	defer carrier.Close()
	vars := map[string]string{
		"PATCHBAY_HUBSPOT_URL": crm.URL(), "PATCHBAY_HUBSPOT_TOKEN": "pat-na1-env-test-0001",
		"PATCHBAY_SHOPIFY_URL": shop.URL(), "PATCHBAY_SHOPIFY_TOKEN": "shpat_env_test_0000000000000001",
		"PATCHBAY_SHIPPO_URL": carrier.URL(), "PATCHBAY_SHIPPO_TOKEN": "shippo_test_env_0001",
	}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	env := flowtest.NewEnv()
	defer env.Close()
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, flowenv.Vendors{}, env.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"HubSpot", "Shopify", "Shippo"}, moved)
	require.NoError(t, env.Fill(ctx, sys))
	assert.Nil(t, env.HubSpot, "a sandbox was started for a real CRM")
	assert.Nil(t, env.Shopify, "a sandbox was started for a real shop")
	assert.Nil(t, env.Shippo, "a sandbox was started for a real carrier")
	assert.NotNil(t, env.Xero, "accounting, not configured, is a sandbox")

	o := flowtest.Order("E1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")})
	r := env.Flow.Process(ctx, o)
	require.Empty(t, r.Reason)
	assert.Equal(t, 1, crm.Count("contacts"))
	assert.Equal(t, 1, shop.Adjustments())
	assert.Equal(t, 1, carrier.Purchases())
}

// The environment configuration imports no test package and no sandbox:
// a worker built on it against real vendors carries none of them.
func TestNoTestPackageImported(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Greater(t, len(deps), 10, "go list said: %s", out)
	for _, line := range deps {
		pkg, std, _ := strings.Cut(line, " ")
		if pkg == "testing" || std == "false" && (strings.HasSuffix(pkg, "test") || strings.Contains(pkg, "gqlparser")) {
			t.Errorf("flowenv depends on %s", pkg)
		}
	}
}

// Xero moves off the real service whole: the API, the token endpoint and
// /Connections (here with no tenant id given, so the client finds it)
// all go to the server the variables name.
func TestXeroMovesWhole(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()) // the rotated refresh token's file
	ctx := context.Background()
	books := xerotest.NewServer()
	defer books.Close()
	cfg := books.OAuthConfig()
	vars := map[string]string{
		"PATCHBAY_XERO_URL": books.URL(), "PATCHBAY_XERO_TOKEN_URL": cfg.Endpoint.TokenURL,
		"PATCHBAY_XERO_CLIENT_ID": cfg.ClientID, "PATCHBAY_XERO_CLIENT_SECRET": cfg.ClientSecret,
		"PATCHBAY_XERO_REFRESH_TOKEN": books.Connect().RefreshToken,
		"PATCHBAY_XERO_ACCOUNT_CODE":  xerotest.SalesAccount, "PATCHBAY_XERO_TAX_TYPE": xerotest.TaxType,
	}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	env := flowtest.NewEnv()
	defer env.Close()
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, flowenv.Vendors{}, env.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Xero"}, moved)
	require.NoError(t, env.Fill(ctx, sys))
	assert.Nil(t, env.Xero, "a sandbox was started for a real Xero")
	r := env.Flow.Process(ctx, flowtest.Order("X1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
	require.Empty(t, r.Reason)
	assert.Equal(t, 1, books.InvoiceCount())
}

// The other CRM and carriers go through the environment the same way:
// Pipedrive and EasyPost given as real, with no sandbox started for them.
func TestEnvironmentOtherVendors(t *testing.T) {
	ctx := context.Background()
	crm := pipedrivetest.NewServer(pipedrivetest.WithToken("pipedrive-env-token-0001"))
	defer crm.Close()
	carrier := easyposttest.NewServer(easyposttest.WithAPIKey("EZTKenvtest0001"))
	defer carrier.Close()
	vars := map[string]string{
		"PATCHBAY_PIPEDRIVE_URL": crm.URL(), "PATCHBAY_PIPEDRIVE_API_TOKEN": "pipedrive-env-token-0001",
		"PATCHBAY_EASYPOST_URL": carrier.URL(), "PATCHBAY_EASYPOST_API_KEY": "EZTKenvtest0001",
	}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	env := flowtest.NewEnv()
	defer env.Close()
	env.Vendors = flowenv.Vendors{CRM: "pipedrive", Shipping: "easypost"}
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, env.Vendors, env.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Pipedrive", "EasyPost"}, moved)
	require.NoError(t, env.Fill(ctx, sys))
	assert.Nil(t, env.Pipedrive)
	assert.Nil(t, env.EasyPost)
	r := env.Flow.Process(ctx, flowtest.Order("P1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
	require.Empty(t, r.Reason)
	assert.Equal(t, 1, crm.Count("persons"))
	assert.Equal(t, 1, carrier.Purchases())

	// Pipedrive's variables with HubSpot chosen are not ignored.
	_, err = flowenv.Configure(ctx, &flow.Systems{}, flowenv.Vendors{Shipping: "easypost"}, nil, nil)
	var ce *flowenv.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "PATCHBAY_PIPEDRIVE_API_TOKEN", ce.Variable)
}

// ShipStation API v2 is the ShipEngine platform under its own variables:
// given as real, the label is bought there, with no sandbox started.
func TestEnvironmentShipStation(t *testing.T) {
	ctx := context.Background()
	carrier := shipenginetest.NewServer(shipenginetest.WithAPIKey("shipstation-env-key-0001"))
	defer carrier.Close()
	vars := map[string]string{"PATCHBAY_SHIPSTATION_URL": carrier.URL(), "PATCHBAY_SHIPSTATION_API_KEY": "shipstation-env-key-0001"}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	env := flowtest.NewEnv()
	defer env.Close()
	env.Vendors = flowenv.Vendors{Shipping: "shipstation"}
	var paths []string
	var mu sync.Mutex
	hc := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		return env.HTTPClient().Transport.RoundTrip(r)
	})}
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, env.Vendors, hc, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"ShipStation"}, moved)
	require.NoError(t, env.Fill(ctx, sys))
	assert.Nil(t, env.ShipEngine)
	r := env.Flow.Process(ctx, flowtest.Order("S1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
	require.Empty(t, r.Reason)
	assert.Equal(t, 1, carrier.Purchases())
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, paths)
	for _, p := range paths {
		assert.True(t, strings.HasPrefix(p, "/v2/"), "%s: not ShipStation API v2", p)
	}
	assert.Equal(t, "PATCHBAY_SHIPSTATION_API_KEY", flowenv.CredentialVariable("shipstation"))
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Salesforce from a connected app's refresh token: the session comes from
// the login host the variables name, the API is the instance URL, and the
// CRM step is one Composite call.
func TestEnvironmentSalesforce(t *testing.T) {
	ctx := context.Background()
	org := salesforcetest.NewServer(salesforcetest.WithCurrencies("NZD", "USD"))
	defer org.Close()
	app := org.OAuthConfig()
	tok, err := app.Exchange(ctx, org.AuthorizationCode())
	require.NoError(t, err)
	vars := map[string]string{"PATCHBAY_SALESFORCE_URL": org.URL(), "PATCHBAY_SALESFORCE_LOGIN_URL": org.LoginURL(),
		"PATCHBAY_SALESFORCE_CLIENT_ID": app.ClientID, "PATCHBAY_SALESFORCE_CLIENT_SECRET": app.ClientSecret,
		"PATCHBAY_SALESFORCE_REFRESH_TOKEN": tok.RefreshToken}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	env := flowtest.NewEnv()
	defer env.Close()
	env.Vendors = flowenv.Vendors{CRM: "salesforce"}
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, env.Vendors, env.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"Salesforce"}, moved)
	require.NotNil(t, sys.Sales, "the CRM step is not one round trip")
	require.NoError(t, env.Fill(ctx, sys))
	assert.Nil(t, env.Salesforce)
	before := org.Requests()
	st := &flow.State{}
	_, err = env.Flow.RecordOnCRM(ctx, flowtest.Order("F1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}), st)
	require.NoError(t, err)
	assert.Equal(t, 1, org.Requests()-before, "API calls for the CRM step")
	assert.Equal(t, 1, org.Count("Contact"))
	assert.Equal(t, 1, org.Count("Opportunity"))
	assert.Equal(t, 1, org.TokenRequests("refresh_token"))

	// Neither credential: the message names both ways.
	delete(vars, "PATCHBAY_SALESFORCE_CLIENT_ID")
	_, err = flowenv.Configure(ctx, &flow.Systems{}, env.Vendors, nil, nil)
	require.ErrorContains(t, err, "PATCHBAY_SALESFORCE_CLIENT_ID: missing")
	require.ErrorContains(t, err, "PATCHBAY_SALESFORCE_ACCESS_TOKEN")
}

// Two workers on one database (Vendors.Tokens from sqlstore) share Xero's
// rotating token: the refresh token given is spent once, both work with
// the token it bought, and the store holds the rotated refresh token for
// the next start. The temporary directory holds no token file.
func TestRotatingTokenInSharedStore(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	ctx := context.Background()
	books := xerotest.NewServer()
	defer books.Close()
	cfg := books.OAuthConfig()
	vars := map[string]string{
		"PATCHBAY_XERO_URL": books.URL(), "PATCHBAY_XERO_TOKEN_URL": cfg.Endpoint.TokenURL,
		"PATCHBAY_XERO_CLIENT_ID": cfg.ClientID, "PATCHBAY_XERO_CLIENT_SECRET": cfg.ClientSecret,
		"PATCHBAY_XERO_REFRESH_TOKEN": books.Connect().RefreshToken, "PATCHBAY_XERO_TENANT_ID": books.TenantID(),
		"PATCHBAY_XERO_ACCOUNT_CODE": xerotest.SalesAccount, "PATCHBAY_XERO_TAX_TYPE": xerotest.TaxType,
	}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()
	db, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	require.NoError(t, err)
	defer db.Close()

	vendors := flowenv.Vendors{Tokens: func(name string) oauth.TokenStore { return db.TokenStore(name) }}
	for i := range 2 {
		var sys flow.Systems
		_, err := flowenv.Configure(ctx, &sys, vendors, nil, nil)
		require.NoError(t, err)
		_, err = sys.Customers.Upsert(ctx, accounting.Customer{Name: fmt.Sprintf("Worker %d", i), Email: fmt.Sprintf("w%d@example.com", i)})
		require.NoError(t, err, "worker %d", i)
	}
	assert.Equal(t, 1, books.Provider.TokenRequests("refresh_token"), "one refresh for both workers")
	files, _ := filepath.Glob(filepath.Join(tmp, "patchbay-xero-*"))
	assert.Empty(t, files, "the token went to the database, not a file")
}

// Only the vendors Share names ("all": every one) draw on the shared
// budget, and only when there is one.
func TestSharedBudgetOptions(t *testing.T) {
	budget := connector.NewMemoryBudget()
	v := flowenv.Vendors{Budgets: budget, Share: []string{"shopify"}}
	assert.Len(t, v.Options("shopify", nil), 1)
	assert.Empty(t, v.Options("xero", nil))
	v.Share = []string{"all"}
	assert.Len(t, v.Options("xero", nil), 1)
	v.Budgets = nil
	assert.Empty(t, v.Options("xero", nil))
}
