package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
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
	t.Setenv("TMPDIR", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	file := filepath.Join(t.TempDir(), "patchbay.env")
	vendors := flowenv.Vendors{Inventory: "square", Sources: []string{"woocommerce"}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, settings{envFile: file, control: "127.0.0.1:0", vendors: vendors}, io.Discard)
	}()
	defer func() { cancel(); require.NoError(t, <-done) }()

	vars := waitForVariables(t, file)
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = os.Getenv }()
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
	resp, err := http.Get(vars["PATCHBAY_SANDBOXES_CONTROL"] + "/counts")
	require.NoError(t, err)
	defer resp.Body.Close()
	var h Holdings
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	assert.Equal(t, 1, h.StockAdjustments, "the order's stock, taken at Square")
	assert.Positive(t, h.Requests["Square"])
}
