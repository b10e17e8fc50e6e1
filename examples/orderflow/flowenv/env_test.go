package flowenv

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/govalues/decimal"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// A bad or missing variable is a message naming it, never a stack trace.
func TestEnvironmentErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"PATCHBAY_HUBSPOT_URL": "http://127.0.0.1:1"}, "PATCHBAY_HUBSPOT_TOKEN: missing"},
		{map[string]string{"PATCHBAY_HUBSPOT_TOKEN": "pat-x", "PATCHBAY_HUBSPOT_URL": "not a url"}, "PATCHBAY_HUBSPOT_URL: \"not a url\" is not"},
		{map[string]string{"PATCHBAY_SHOPIFY_TOKEN": "shpat_x"}, "PATCHBAY_SHOPIFY_SHOP: missing"},
		{map[string]string{"PATCHBAY_SHOPIFY_SHOP": "x.myshopify.com"}, "PATCHBAY_SHOPIFY_TOKEN: missing"},
		{map[string]string{"PATCHBAY_XERO_CLIENT_ID": "id"}, "PATCHBAY_XERO_CLIENT_SECRET: missing"},
		{map[string]string{"PATCHBAY_XERO_CLIENT_ID": "id", "PATCHBAY_XERO_CLIENT_SECRET": "s"}, "PATCHBAY_XERO_REFRESH_TOKEN: missing"},
		{map[string]string{"PATCHBAY_XERO_URL": "ftp://x"}, "PATCHBAY_XERO_CLIENT_ID: missing"},
		{map[string]string{"PATCHBAY_SHIPPO_URL": "http://127.0.0.1:1"}, "PATCHBAY_SHIPPO_TOKEN: missing"},
		{map[string]string{"PATCHBAY_SMTP_URL": "mailto:x"}, "PATCHBAY_SMTP_URL: an SMTP URL looks like"},
	}
	for _, c := range cases {
		Lookup = func(k string) string { return c.vars[k] }
		env, err := flowtest.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, err = Apply(context.Background(), env, "xero", nil)
		env.Close()
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.vars, err, c.want)
		}
	}
	Lookup = func(string) string { return "" }
}

// Overrides go through the same connectors: here every vendor is "moved"
// to its own sandbox by URL and credentials, and orders still flow.
func TestEnvironmentMovesVendors(t *testing.T) {
	ctx := context.Background()
	env, err := flowtest.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	vars := map[string]string{
		"PATCHBAY_HUBSPOT_URL": env.HubSpot.URL, "PATCHBAY_HUBSPOT_TOKEN": env.HubSpot.Token(),
		"PATCHBAY_SHOPIFY_URL": env.Shopify.URL, "PATCHBAY_SHOPIFY_TOKEN": env.Shopify.Token(),
		"PATCHBAY_SHIPPO_URL": env.Shippo.URL, "PATCHBAY_SHIPPO_TOKEN": env.Shippo.Token(),
	}
	Lookup = func(k string) string { return vars[k] }
	defer func() { Lookup = func(string) string { return "" } }()
	moved, err := Apply(ctx, env, "xero", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(moved, ",") != "HubSpot,Shopify,Shippo" {
		t.Fatalf("moved %v", moved)
	}
	for _, o := range []flow.Order{flowtest.Order("E1", flow.Line{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")})} {
		if r := env.Flow.Process(ctx, o); r.Reason != "" {
			t.Fatalf("order %s: %s", o.ID, r.Reason)
		}
	}
}
