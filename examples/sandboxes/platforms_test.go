package main

import (
	"context"
	"testing"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

// -inventory square -source woocommerce: the shared sandboxes publish
// both platforms' variables, and a worker configured from them alone
// takes stock on the Square sandbox and is told of no sandbox of its own.
func TestSharedSquareAndWooCommerce(t *testing.T) {
	ctx := context.Background()
	vendors := flowenv.Vendors{Inventory: "square", Sources: []string{"woocommerce"}}
	vars := shareSandboxes(t, settings{vendors: vendors})
	worker := flowtest.NewEnv()
	defer worker.Close()
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, vendors, worker.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"HubSpot", "Square", "WooCommerce", "Xero", "Shippo", "SMTP"}, moved)
	worker.Vendors = vendors
	require.NoError(t, worker.Fill(ctx, sys))
	assert.Empty(t, worker.Sandboxes(), "the worker started sandboxes of its own")
	require.NotNil(t, sys.Shops["woocommerce"])

	r := worker.Flow.Process(ctx, flowtest.Order("Q1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
	require.Equal(t, flow.Done, r.Status, "%+v", r)
	h := holdings(t, vars)
	assert.Equal(t, 1, h.StockAdjustments, "the order's stock, taken at Square")
	assert.Positive(t, h.Requests["Square"])
}
