package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

// startSourceService starts the sandboxes of v, and the service's intake
// and one worker on a fresh state database, taking the orders of v.Sources[0]
// at its webhook path. Each order the worker ends comes on the channel.
func startSourceService(t *testing.T, v flowenv.Vendors) (*flowtest.Env, *intake, string, <-chan timed) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	env := flowtest.NewEnv()
	env.Vendors = v
	if err := env.Fill(ctx, flow.Systems{}); err != nil {
		t.Fatal(err)
	}
	db := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	src := v.WithDefaults().Sources[0]
	in, err := startIntakeFor("127.0.0.1:0", db, source{name: src, secret: webhookSecret(env, src, true), orders: env.Orders(src)})
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan timed, 8)
	worked := make(chan error, 1)
	go func() {
		worked <- work(ctx, env.Flow, in.inbox, in.wake, "test", time.Second, newReport(true, false), func(r timed) { ended <- r })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-worked; err != nil {
			t.Error(err)
		}
		in.close()
		env.Close()
	})
	return env, in, "http://" + in.addr + webhookPaths[src], ended
}

// For each source, as the inventory and beside another inventory: an
// order placed at its checkout, its webhook delivered twice, is run once
// end to end. Its stock is taken once: by the checkout alone when the
// source holds the stock (no adjustment by the flow), else by one
// adjustment of the inventory; and the source is told once that it
// shipped, with the label's tracking number.
func TestEachSourceOrderOnceEndToEnd(t *testing.T) {
	for _, v := range []flowenv.Vendors{
		{Inventory: "shopify", Sources: []string{"shopify"}}, {Inventory: "square", Sources: []string{"square"}}, {Inventory: "woocommerce", Sources: []string{"woocommerce"}},
		{Inventory: "square", Sources: []string{"shopify"}}, {Inventory: "shopify", Sources: []string{"square"}}, {Inventory: "shopify", Sources: []string{"woocommerce"}},
	} {
		t.Run(flowtest.Name(v), func(t *testing.T) {
			env, in, url, ended := startSourceService(t, v)
			ctx := context.Background()
			before := env.Available(v.Inventory, "MUG-001")
			placed, err := env.PlaceOrder(v.Sources[0], flowtest.Order("E1", inventory.OrderLine{SKU: "MUG-001", Title: "Patchbay mug", Quantity: 2,
				UnitPrice: decimal.MustParse("12.50")}))
			if err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				if status, err := placed.Deliver(ctx, url); err != nil || status != http.StatusOK {
					t.Fatalf("delivery %d: %d %v", i+1, status, err)
				}
			}
			var r timed
			select {
			case r = <-ended:
			case <-time.After(20 * time.Second):
				t.Fatal("the order was never run")
			}
			if r.Status != flow.Done || r.OrderID != v.Sources[0]+"-"+placed.SourceID {
				t.Fatalf("result %+v", r.Result)
			}
			select {
			case again := <-ended:
				t.Fatalf("the order ran twice: %+v", again.Result)
			case <-time.After(300 * time.Millisecond):
			}
			if in.received.Load() != 2 || in.accepted.Load() != 1 {
				t.Fatalf("received %d, accepted %d: want 2 deliveries, 1 order", in.received.Load(), in.accepted.Load())
			}
			wantAdjustments := 1
			if v.Sources[0] == v.Inventory {
				wantAdjustments = 0 // the checkout took it
			}
			c := env.Counts()
			if c.StockAdjustments != wantAdjustments || c.Fulfilments != 1 || c.Labels != 1 || c.Invoices != 1 || c.Emails != 1 {
				t.Fatalf("counts %v: want %d stock adjustments, one fulfilment, label, invoice, email", c, wantAdjustments)
			}
			if left := env.Available(v.Inventory, "MUG-001"); left != before-2 {
				t.Fatalf("%s holds %d mugs, had %d: the order's 2 must be taken once", v.Inventory, left, before)
			}
			if shipped := shippedAt(env, v.Sources[0], placed.SourceID); len(shipped) != 1 || shipped[0] != r.TrackingNumber {
				t.Fatalf("%s holds shipments %v, want the label's %s once", v.Sources[0], shipped, r.TrackingNumber)
			}
		})
	}
}

// shippedAt is the tracking numbers the source's sandbox holds for an
// order.
func shippedAt(env *flowtest.Env, src, id string) []string {
	switch src {
	case "shopify":
		return env.Shopify.Shipped(id)
	case "square":
		return env.Square.Shipped(id)
	}
	n, _ := json.Number(id).Int64()
	return env.WooCommerce.Shipped(n)
}

// A webhook that never came: the sandbox shop sends none (Square's
// delivery failed for good, WooCommerce's is never retried), and
// reconciliation, polling the source from its own cursor, finds every
// order, each run once.
func TestDroppedSourceWebhooksReconciled(t *testing.T) {
	for _, v := range []flowenv.Vendors{{Inventory: "square", Sources: []string{"square"}}, {Inventory: "woocommerce", Sources: []string{"woocommerce"}},
		{Inventory: "shopify", Sources: []string{"woocommerce"}}, {Inventory: "square", Sources: []string{"shopify", "square", "woocommerce"}}} {
		t.Run(flowtest.Name(v), func(t *testing.T) {
			o := options{listen: "127.0.0.1:0", demo: true, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: v.Inventory,
				source: strings.Join(v.Sources, ","), shipping: "shippo", asJSON: true, reconcile: 50 * time.Millisecond, dropWebhooks: 1}
			everySampleOrderOnce(t, o)
		})
	}
}

// -demo with each source: the sample orders placed at its sandbox, the
// first webhook twice, each order run once and shipped.
func TestDemoEachSource(t *testing.T) {
	for _, src := range []string{"square", "woocommerce"} {
		t.Run(src, func(t *testing.T) {
			o := options{listen: "127.0.0.1:0", demo: true, concurrency: 2, crm: "hubspot", accounting: "xero", inventory: "shopify", source: src,
				shipping: "shippo", asJSON: true}
			results := runJSON(t, o)
			if len(results) != 4 {
				t.Fatalf("%d results, want one per sample order (4): %v", len(results), results)
			}
			seen := map[string]bool{}
			for _, r := range results {
				if seen[r.OrderID] || r.Status != flow.Done || r.TrackingNumber == "" || !strings.HasPrefix(r.OrderID, src+"-") {
					t.Fatalf("order %s: %+v (seen before: %v)", r.OrderID, r, seen[r.OrderID])
				}
				seen[r.OrderID] = true
			}
		})
	}
}

// The batch run with -source places the sample orders at that sandbox's
// checkout (at several in turn) and runs them as the platform's orders;
// the second pass changes nothing.
func TestBatchFromSource(t *testing.T) {
	for _, c := range []struct{ inventory, source string }{{"square", "square"}, {"woocommerce", "woocommerce"}, {"shopify", "square,woocommerce"}} {
		src := c.source
		results := runJSON(t, options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: c.inventory, source: src, shipping: "shippo", asJSON: true})
		if len(results) != 8 {
			t.Fatalf("%s: %d results, want the 4 sample orders twice", src, len(results))
		}
		for _, r := range results {
			from, _, _ := strings.Cut(r.OrderID, "-")
			if r.Status != flow.Done || !slices.Contains(strings.Split(src, ","), from) {
				t.Fatalf("%s: %+v", src, r)
			}
		}
	}
}

// Square signs the notification URL with the body: behind -listen alone
// the request's own URL is the one signed; with -public-url, the public
// one is, and a notification signed for another URL is refused.
func TestSquareSignsTheNotificationURL(t *testing.T) {
	ctx := context.Background()
	env := flowtest.NewEnv()
	defer env.Close()
	env.Vendors = flowenv.Vendors{Inventory: "square"}
	if err := env.Fill(ctx, flow.Systems{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		publicURL string
		want      int
	}{{"", http.StatusOK}, {"https://hooks.example.com", http.StatusUnauthorized}} {
		db := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
		in, err := startIntakeFor("127.0.0.1:0", db, source{name: "square", secret: env.Square.WebhookSecret(), orders: env.Orders("square"), publicURL: c.publicURL})
		if err != nil {
			t.Fatal(err)
		}
		placed, err := env.PlaceOrder("square", flowtest.Order("P1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
		if err != nil {
			t.Fatal(err)
		}
		status, err := placed.Deliver(ctx, "http://"+in.addr+"/webhooks/square")
		in.close()
		if err != nil || status != c.want {
			t.Fatalf("-public-url %q: %d %v, want %d", c.publicURL, status, err, c.want)
		}
	}
}

// The README documents the new flags and variables (its tables escape
// the bars).
func TestReadmeListsSourcesFlagsAndVariables(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`-source shopify\|square\|woocommerce`, "-public-url", `-inventory shopify\|square\|woocommerce`, "/webhooks/square", "/webhooks/woocommerce",
		"PATCHBAY_SQUARE_URL", "PATCHBAY_SQUARE_TOKEN", "PATCHBAY_SQUARE_LOCATION_ID", "PATCHBAY_SQUARE_WEBHOOK_KEY",
		"PATCHBAY_WOOCOMMERCE_URL", "PATCHBAY_WOOCOMMERCE_KEY", "PATCHBAY_WOOCOMMERCE_SECRET", "PATCHBAY_WOOCOMMERCE_WEBHOOK_SECRET"} {
		if !bytes.Contains(readme, []byte(want)) {
			t.Errorf("the README does not mention %s", want)
		}
	}
}
