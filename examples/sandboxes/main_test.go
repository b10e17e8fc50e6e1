package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Another process configured from the variables file alone (as a worker
// is) runs orders on the shared sandboxes: it starts no sandbox of its
// own, and /counts shows one of everything per order, mail included.
func TestSharedSandboxes(t *testing.T) {
	ctx := context.Background()
	vars := shareSandboxes(t, settings{latency: 5 * time.Millisecond})

	worker := flowtest.NewEnv()
	defer worker.Close()
	var sys flow.Systems
	moved, err := flowenv.Configure(ctx, &sys, flowenv.Vendors{}, worker.HTTPClient(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"HubSpot", "Shopify", "Xero", "Shippo", "SMTP"}, moved)
	require.NoError(t, worker.Fill(ctx, sys))
	assert.Empty(t, worker.Sandboxes(), "the worker started sandboxes of its own")

	for _, id := range []string{"S1", "S2"} {
		r := worker.Flow.Process(ctx, flowtest.Order(id, inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
		require.Equal(t, flow.Done, r.Status, "%+v", r)
	}
	h := holdings(t, vars)
	assert.Equal(t, flowtest.Counts{Contacts: 2, Deals: 2, Notes: 2, Invoices: 2, Labels: 2, StockAdjustments: 2, Emails: 2}, h.Counts)
	assert.Equal(t, 2, h.Deliveries)
	assert.Positive(t, h.Requests["HubSpot"])
}

// shareSandboxes runs the sandboxes in-process as s says, writing their
// variables to a file, and points flowenv at them, as a worker started
// with that file is; everything stops when the test ends.
func shareSandboxes(t *testing.T, s settings) map[string]string {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir()) // the rotated Xero refresh token's file
	ctx, cancel := context.WithCancel(context.Background())
	s.envFile, s.control = filepath.Join(t.TempDir(), "patchbay.env"), "127.0.0.1:0"
	done := make(chan error, 1)
	go func() { done <- run(ctx, s, io.Discard) }()
	t.Cleanup(func() { cancel(); require.NoError(t, <-done) })
	vars := waitForVariables(t, s.envFile)
	flowenv.Lookup = func(k string) string { return vars[k] }
	t.Cleanup(func() { flowenv.Lookup = os.Getenv })
	return vars
}

// holdings is what the shared sandboxes hold (GET /counts).
func holdings(t *testing.T, vars map[string]string) Holdings {
	t.Helper()
	resp, err := http.Get(vars["PATCHBAY_SANDBOXES_CONTROL"] + "/counts")
	require.NoError(t, err)
	defer resp.Body.Close()
	var h Holdings
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	return h
}

func waitForVariables(t *testing.T, file string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		f, err := os.Open(file)
		if err == nil {
			defer f.Close()
			vars := map[string]string{}
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if k, v, ok := strings.Cut(sc.Text(), "="); ok {
					vars[k] = v
				}
			}
			return vars
		}
		if time.Now().After(deadline) {
			t.Fatalf("no variables file after 10 s: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Through the latency proxies, a vendor's absolute next-page links lead
// back through the proxy: a client never meets another host (to which it
// would rightly not send its credentials). Shippo's label lookup pages
// through more than 100 transactions here.
func TestLinksThroughTheProxy(t *testing.T) {
	ctx := context.Background()
	vars := shareSandboxes(t, settings{latency: time.Millisecond})

	worker := flowtest.NewEnv()
	defer worker.Close()
	var sys flow.Systems
	_, err := flowenv.Configure(ctx, &sys, flowenv.Vendors{}, worker.HTTPClient(), nil)
	require.NoError(t, err)
	require.NoError(t, worker.Fill(ctx, sys))
	for i := range 105 {
		o := flowtest.Order(fmt.Sprintf("P%03d", i), inventory.OrderLine{SKU: "CABLE-3M", Title: "Cable", Quantity: 1, UnitPrice: decimal.MustParse("9.90")})
		r := worker.Flow.Process(ctx, o)
		for tries := 0; r.Open && tries < 3; tries++ { // as the service retries an open order
			t.Logf("order %s open, run again: %s", o.ID, r.Reason)
			r = worker.Flow.Process(ctx, o)
		}
		require.Equal(t, flow.Done, r.Status, "%+v", r)
	}
	// A label looked up by its key: the first label bought is on the
	// second page of the newest-first list.
	worker.Flow.Journal, worker.Flow.JournalMayBeLost = flow.NewMemoryJournal(), true
	before := worker.Calls()
	r := worker.Flow.Process(ctx, flowtest.Order("P000", inventory.OrderLine{SKU: "CABLE-3M", Title: "Cable", Quantity: 1, UnitPrice: decimal.MustParse("9.90")}))
	require.Equal(t, flow.Done, r.Status, "%+v", r)
	require.Greater(t, worker.Calls()[hostOf(vars["PATCHBAY_SHIPPO_URL"])]-before[hostOf(vars["PATCHBAY_SHIPPO_URL"])], 1,
		"the label was not looked up across pages")
	h := holdings(t, vars)
	require.Equal(t, 105, h.Labels, "a label was bought again")
}

func hostOf(raw string) string { return strings.TrimPrefix(raw, "http://") }
