package flowenv_test

import (
	"context"
	"strings"
	"testing"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

// The variables the sandboxes publish (flowtest.Env.Variables) move a
// second process to them as to real accounts: Square or WooCommerce as
// the inventory, or only as the source of orders, told that they shipped
// while the stock stays where it is.
func TestSquareAndWooCommerceFromTheEnvironment(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name           string
		vendors        flowenv.Vendors
		moved          string
		inventory      string   // Systems.Inventory after Configure
		shops          []string // Systems.Shops after Configure
		sandboxInStock bool     // the platform's sandbox holds the stock the flow takes
	}{
		{"square inventory", flowenv.Vendors{Inventory: "square"}, "Square", "square", []string{"square"}, true},
		{"woocommerce inventory", flowenv.Vendors{Inventory: "woocommerce"}, "WooCommerce", "woocommerce", []string{"woocommerce"}, true},
		{"square source", flowenv.Vendors{Inventory: "shopify", Sources: []string{"square"}}, "Square", "", []string{"square"}, false},
		{"woocommerce source", flowenv.Vendors{Inventory: "shopify", Sources: []string{"woocommerce"}}, "WooCommerce", "", []string{"woocommerce"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			// The sandboxes of a first process, as examples/sandboxes runs them.
			shared := flowtest.NewEnv()
			defer shared.Close()
			shared.Vendors = c.vendors
			require.NoError(t, shared.Fill(ctx, flow.Systems{}))
			vars := shared.Variables()
			platform := map[string]string{"Square": "square", "WooCommerce": "woocommerce"}[c.moved]
			for _, k := range map[string][]string{
				"square":      {"PATCHBAY_SQUARE_URL", "PATCHBAY_SQUARE_TOKEN", "PATCHBAY_SQUARE_LOCATION_ID", "PATCHBAY_SQUARE_WEBHOOK_KEY"},
				"woocommerce": {"PATCHBAY_WOOCOMMERCE_URL", "PATCHBAY_WOOCOMMERCE_KEY", "PATCHBAY_WOOCOMMERCE_SECRET", "PATCHBAY_WOOCOMMERCE_WEBHOOK_SECRET"},
			}[platform] {
				require.NotEmpty(t, vars[k], "the sandboxes do not publish %s", k)
			}
			// Only the platform's: the other systems stay sandboxes here.
			only := map[string]string{}
			for k, v := range vars {
				if strings.HasPrefix(k, "PATCHBAY_SQUARE_") || strings.HasPrefix(k, "PATCHBAY_WOOCOMMERCE_") {
					only[k] = v
				}
			}
			flowenv.Lookup = func(k string) string { return only[k] }
			defer func() { flowenv.Lookup = func(string) string { return "" } }()

			var sys flow.Systems
			moved, err := flowenv.Configure(ctx, &sys, c.vendors, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, []string{c.moved}, moved)
			assert.Equal(t, c.inventory, sys.Inventory)
			assert.Equal(t, c.sandboxInStock, sys.Stock != nil)
			for _, s := range c.shops {
				assert.NotNil(t, sys.Shops[s], "no fulfilments for %s", s)
			}
			orders, err := flowenv.SourceOrders(platform, nil, nil)
			require.NoError(t, err)
			require.NotNil(t, orders, "no orders client for the source")
			if !c.sandboxInStock {
				return
			}
			// The flow takes stock on the shared sandbox, at its location.
			item, err := sys.Items.GetBySKU(ctx, "MUG-001")
			require.NoError(t, err)
			second := flowtest.NewEnv()
			defer second.Close()
			second.Vendors = c.vendors
			require.NoError(t, second.Fill(ctx, sys))
			r := second.Flow.Process(ctx, flowtest.Order("E2", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 3, UnitPrice: decimal.MustParse("12.50")}))
			require.Equal(t, flow.Done, r.Status, "%+v", r)
			assert.Equal(t, 297, shared.Available(platform, "MUG-001"), "item %s", item.ID)
		})
	}
}

// Square's or WooCommerce's variables, with neither the inventory nor the
// source theirs, are an error that says how to choose them.
func TestPlatformVariablesOfAnotherVendor(t *testing.T) {
	flowenv.Lookup = func(k string) string {
		return map[string]string{"PATCHBAY_SQUARE_TOKEN": "EAAAtest"}[k]
	}
	defer func() { flowenv.Lookup = func(string) string { return "" } }()
	_, err := flowenv.Configure(context.Background(), &flow.Systems{}, flowenv.Vendors{}, nil, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PATCHBAY_SQUARE_TOKEN: set, but the inventory system is shopify: choose square (-inventory square, or the source of orders, -source square,)")
	flowenv.Lookup = func(k string) string {
		return map[string]string{"PATCHBAY_WOOCOMMERCE_KEY": "ck_x", "PATCHBAY_WOOCOMMERCE_URL": "https://shop.example.com"}[k]
	}
	_, err = flowenv.Configure(context.Background(), &flow.Systems{}, flowenv.Vendors{Inventory: "woocommerce"}, nil, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PATCHBAY_WOOCOMMERCE_SECRET: missing")
}
