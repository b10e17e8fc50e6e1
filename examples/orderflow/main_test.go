package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/internal/pgtest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

func TestMain(m *testing.M) {
	output, progress = io.Discard, io.Discard // the programs' results, not the tests'
	goleak.VerifyTestMain(pgtest.Main(m))
}

// Into a pipe or a file, many orders print their lines, with no progress
// bar and no terminal control code anywhere.
func TestNoProgressBarOffTerminal(t *testing.T) {
	var out, bar bytes.Buffer
	output, progress = &out, &bar
	defer func() { output, progress = io.Discard, io.Discard }()
	if err := run(context.Background(), options{n: 60, concurrency: 4, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String()+bar.String(), "\033[") || strings.Contains(out.String()+bar.String(), "\r") {
		t.Fatalf("control codes in the output: %q", bar.String())
	}
	if n := strings.Count(out.String(), "  notify "); n != 60 {
		t.Fatalf("%d orders printed their notify step, want 60", n)
	}
}

// Orders from the website: signed webhooks become orders in the inbox; a
// bad signature is refused; a redelivery is dropped before it reaches the
// inbox, and the same order under another webhook id is one entry.
func TestWebhookIntake(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	in, err := startIntake("127.0.0.1:0", "shop-secret", db)
	if err != nil {
		t.Fatal(err)
	}
	defer in.close()
	url := "http://" + in.addr + webhookPath
	shop := shopifytest.NewServer(shopifytest.WithWebhookSecret("shop-secret"))
	defer shop.Close()
	wrongShop := shopifytest.NewServer(shopifytest.WithWebhookSecret("wrong-secret"))
	defer wrongShop.Close()
	placed := shopifytest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD", Express: true,
		Address: shopifytest.OrderAddress{Street: "965 Mission St", City: "San Francisco", Region: "CA", PostalCode: "94103", Country: "US"},
		Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2, Price: "12.50"}}}
	id, hookID, body, err := shop.PlaceOrder(ctx, url, placed)
	if err != nil {
		t.Fatal(err)
	}
	item, err := db.Inbox().Take(ctx, "test", time.Minute)
	if err != nil || item == nil {
		t.Fatalf("the answered order is not in the inbox: %v %v", item, err)
	}
	var o flow.Order
	if err := json.Unmarshal(item.Payload, &o); err != nil {
		t.Fatal(err)
	}
	if o.ID == "" || !strings.HasSuffix(o.ID, "-"+strconv.FormatInt(id, 10)) || !o.Express || o.PlatformID() != strconv.FormatInt(id, 10) || o.Customer.Email != "ada@example.com" ||
		o.ShipTo.PostalCode != "94103" || len(o.Lines) != 1 || o.Lines[0].Quantity != 2 || o.Lines[0].UnitPrice.String() != "12.50" {
		t.Fatalf("mapped order %+v", o)
	}
	if err := o.ShipTo.Validate(); err != nil {
		t.Fatalf("mapped address: %v", err)
	}
	status, err := shop.SendTopic(ctx, url, "orders/create", hookID, body)
	if err != nil || status != http.StatusOK {
		t.Fatalf("redelivery: %d %v", status, err)
	}
	status, err = wrongShop.SendTopic(ctx, url, "orders/create", "", body)
	if err != nil || status != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d %v, want 401", status, err)
	}
	status, err = shop.SendTopic(ctx, url, "orders/create", "", body) // the same order, another webhook id
	if err != nil || status != http.StatusOK {
		t.Fatalf("the order again: %d %v", status, err)
	}
	status, err = shop.SendTopic(ctx, url, "orders/create", "", []byte(`{"id":1}`))
	if err != nil || status != http.StatusOK {
		t.Fatalf("not an order: %d %v, want 200 (acknowledged and reported)", status, err)
	}
	depth, err := db.Inbox().Depth(ctx)
	if err != nil || in.received.Load() != 5 || in.accepted.Load() != 1 || in.rejected.Load() != 1 || depth != 1 {
		t.Fatalf("received %d, accepted %d, rejected %d, in the inbox %d (%v); want 5, 1, 1, 1", in.received.Load(), in.accepted.Load(), in.rejected.Load(), depth, err)
	}
}

func openDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A process killed after the webhook was answered and before the flow ran
// loses nothing: the order was in the inbox before the answer, and the
// restarted service runs it, exactly once; the shop's redelivery of that
// webhook changes nothing. On SQLite and on PostgreSQL.
func TestKilledAfterTheAnswer(t *testing.T) {
	for kind, dsn := range map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "state.db"), "postgres": pgtest.URL(t)} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			env, err := flowtest.Start(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			secret := env.Shopify.WebhookSecret()

			// The first process: the intake answers, then the process dies
			// before any worker ran the order.
			db1, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			in, err := startIntake("127.0.0.1:0", secret, db1)
			if err != nil {
				t.Fatal(err)
			}
			url := "http://" + in.addr + webhookPath
			placed := shopifytest.NewOrder{Email: "kill@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD",
				Address: shopifytest.OrderAddress{Street: "965 Mission St", City: "San Francisco", Region: "CA", PostalCode: "94103", Country: "US"},
				Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 1, Price: "12.50"}}}
			_, hookID, body, err := env.Shopify.PlaceOrder(ctx, url, placed)
			if err != nil {
				t.Fatal(err)
			}
			in.close()
			db1.Close()
			if c := env.Counts(); c.Contacts != 0 || c.Invoices != 0 {
				t.Fatalf("the flow ran before the kill: %v", c)
			}

			// The restarted process: its service loop finds the order.
			db2 := openDB(t, dsn)
			in2, err := startIntake("127.0.0.1:0", secret, db2)
			if err != nil {
				t.Fatal(err)
			}
			defer in2.close()
			if status, err := env.Shopify.SendTopic(ctx, "http://"+in2.addr+webhookPath, "orders/create", hookID, body); err != nil || status != http.StatusOK {
				t.Fatalf("redelivery: %d %v", status, err)
			}
			wctx, stop := context.WithCancel(ctx)
			var got []timed
			err = work(wctx, env.Flow, in2.inbox, in2.wake, "restarted", maxBackoff, newReport(true, false), func(r timed) {
				got = append(got, r)
				stop()
			})
			stop()
			if err != nil || len(got) != 1 || got[0].Status != flow.Done {
				t.Fatalf("after the restart: %+v %v; want the order done", got, err)
			}
			if depth, _ := db2.Inbox().Depth(ctx); depth != 0 {
				t.Fatalf("%d orders still in the inbox", depth)
			}
			// The shop took the stock at checkout: the flow takes none, and
			// tells the shop the order shipped, once.
			if c := env.Counts(); c.Contacts != 1 || c.Deals != 1 || c.Invoices != 1 || c.Labels != 1 || c.StockAdjustments != 0 ||
				c.Fulfilments != 1 || c.Emails != 1 {
				t.Fatalf("the sandboxes hold %v; want one of each, and no stock adjustment", c)
			}
		})
	}
}

// An order a vendor left open goes back to the inbox and is run again by
// the service loop, after a backoff, until it ends: here every vendor is
// down for the first attempt.
func TestServiceLoopRunsOpenOrdersAgain(t *testing.T) {
	ctx := context.Background()
	env, err := flowtest.Start(ctx, connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}), connector.WithAttemptTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	db := openDB(t, "sqlite:"+filepath.Join(t.TempDir(), "state.db"))
	inbox := db.Inbox()
	payload, _ := json.Marshal(flowtest.Order("L1", inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")}))
	if _, err := inbox.Add(ctx, inboxSource, "L1", payload); err != nil {
		t.Fatal(err)
	}
	env.Chaos.SetRate(1)
	wctx, stop := context.WithTimeout(ctx, 30*time.Second)
	defer stop()
	recovered := make(chan struct{})
	go func() { // the vendors come back once the first attempt met them down
		defer close(recovered)
		for wctx.Err() == nil && len(env.Failures()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		env.Chaos.SetRate(0)
	}()
	var got []timed
	err = work(wctx, env.Flow, inbox, nil, "w", maxBackoff, newReport(true, false), func(r timed) { got = append(got, r); stop() })
	<-recovered
	if err != nil || len(got) != 1 || got[0].Status != flow.Done {
		t.Fatalf("%+v %v; want the order done once the vendors came back", got, err)
	}
	if len(env.Failures()) == 0 {
		t.Fatal("the first attempt met no fault: the test did not test what it claims")
	}
}

// The whole demo: website to shipping confirmation, each sample order once.
// Each sample order arrives once, its redelivered webhook changes nothing,
// and every order ships.
func TestDemo(t *testing.T) {
	o := options{listen: "127.0.0.1:0", demo: true, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo", asJSON: true}
	results := runJSON(t, o)
	if len(results) != 4 {
		t.Fatalf("%d results, want one per sample order (4): %v", len(results), results)
	}
	seen := map[string]bool{}
	for _, r := range results {
		if seen[r.OrderID] {
			t.Fatalf("order %s processed twice", r.OrderID)
		}
		seen[r.OrderID] = true
		if r.Status != flow.Done || r.TrackingNumber == "" {
			t.Fatalf("order %s: %+v", r.OrderID, r)
		}
	}
}

// The exit status says how the run ended: every order done (the sample
// orders, twice), or every order ended with some failed for good and
// undone (the oversold poster), apart from still open and configuration
// errors (TestVendorDownLeavesOrdersOpen, TestRefusedCredentialsStopTheRun).
func TestExitStatusSaysHowTheRunEnded(t *testing.T) {
	base := options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo", asJSON: true}
	results, err := runJSONErr(base)
	if got := exitStatus(err); got != exitAllDone || len(results) != 8 {
		t.Fatalf("the sample orders: err = %v, exit status %d, %d results; want %d (all done), 4 orders × 2 passes", err, got, len(results), exitAllDone)
	}

	oversold := base
	oversold.ordersFile = "testdata/oversold.json"
	results, err = runJSONErr(oversold)
	if got := exitStatus(err); got != exitSomeFailed {
		t.Fatalf("an oversold poster: err = %v, exit status %d, want %d (some failed)", err, got, exitSomeFailed)
	}
	if len(results) != 2 || results[0].Status != flow.Done || results[1].Status != flow.Failed || results[1].Open ||
		!strings.Contains(results[1].Reason, "out of stock: LAST-ONE") || strings.Join(results[1].Compensated, ",") != "restocked" {
		t.Fatalf("an oversold poster: %+v; want the first order done, the second failed for good and restocked", results)
	}
	if err != nil && strings.Count(err.Error(), "failed") != 1 {
		t.Fatalf("the closing line repeats itself: %v", err)
	}
}

// runJSON runs the program with -json and returns what it printed.
func runJSON(t *testing.T, o options) []flow.Result {
	t.Helper()
	out, err := runJSONErr(o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runJSONErr runs the program with -json and returns what it printed and
// how the run ended.
func runJSONErr(o options) ([]flow.Result, error) {
	var buf bytes.Buffer
	output = &buf
	defer func() { output = io.Discard }()
	runErr := run(context.Background(), o)
	var out []flow.Result
	dec := json.NewDecoder(&buf)
	for dec.More() {
		var r flow.Result
		if err := dec.Decode(&r); err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, runErr
}

// The sample orders twice with Stripe as the accounting system: each
// invoiced and shipped, and the second pass finds every step done.
func TestStripeAccounting(t *testing.T) {
	o := options{concurrency: 2, crm: "hubspot", accounting: "stripe", inventory: "shopify", shipping: "shippo", asJSON: true}
	results := runJSON(t, o)
	if len(results) != 8 {
		t.Fatalf("%d results, want 4 orders × 2 passes", len(results))
	}
	invoices := map[string]string{}
	for i, r := range results {
		if r.Status != flow.Done {
			continue
		}
		if r.InvoiceNumber == "" {
			t.Fatalf("order %s done without an invoice", r.OrderID)
		}
		if prev, ok := invoices[r.OrderID]; ok && prev != r.InvoiceNumber {
			t.Fatalf("order %s invoiced as %s, then %s", r.OrderID, prev, r.InvoiceNumber)
		}
		invoices[r.OrderID] = r.InvoiceNumber
		for _, s := range r.Steps {
			if i >= 4 && !s.AlreadyDone {
				t.Fatalf("second pass: order %s step %s ran again", r.OrderID, s.Step)
			}
		}
	}
	if len(invoices) != 4 {
		t.Fatalf("%d orders invoiced, want 4", len(invoices))
	}
}

// Flags name what is wrong.
func TestFlagErrors(t *testing.T) {
	base := options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"}
	for want, change := range map[string]func(*options){
		"-accounting sage":          func(o *options) { o.accounting = "sage" },
		"-faults":                   func(o *options) { o.faults = 2 },
		"-demo needs -listen":       func(o *options) { o.demo = true },
		`-share-budgets: "shopfiy"`: func(o *options) { o.shareBudgets = "shopify,shopfiy" },
	} {
		o := base
		change(&o)
		if err := o.check(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}

// A vendor that refuses the credentials ends the run at once, with one line
// that names the vendor and the variable, and the configuration status;
// nothing is run again ten times.
func TestRefusedCredentialsStopTheRun(t *testing.T) {
	crm := hubspottest.NewServer(hubspottest.WithToken("pat-na1-the-right-token"))
	defer crm.Close()
	vars := map[string]string{"PATCHBAY_HUBSPOT_URL": crm.URL(), "PATCHBAY_HUBSPOT_TOKEN": "pat-na1-a-wrong-token"}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()

	err := run(context.Background(), options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"})
	if err == nil || !strings.Contains(err.Error(), "hubspot refused the credentials") || !strings.Contains(err.Error(), "PATCHBAY_HUBSPOT_TOKEN") {
		t.Fatalf("err = %v, want one line naming hubspot and PATCHBAY_HUBSPOT_TOKEN", err)
	}
	if got := exitStatus(err); got != exitConfig {
		t.Fatalf("exit status %d, want %d (configuration)", got, exitConfig)
	}
	if n := crm.Requests(); n > 4 {
		t.Fatalf("the CRM was asked %d times, want at most once per sample order (4)", n)
	}
}

// An order a vendor really down left open is reported once, not run again
// in rounds, and the exit status says orders are still open.
func TestVendorDownLeavesOrdersOpen(t *testing.T) {
	vars := map[string]string{"PATCHBAY_SHIPPO_URL": "http://127.0.0.1:1", "PATCHBAY_SHIPPO_TOKEN": "shippo_test_down"}
	flowenv.Lookup = func(k string) string { return vars[k] }
	defer func() { flowenv.Lookup = func(string) string { return "" } }()
	var out bytes.Buffer
	output = &out
	defer func() { output = io.Discard }()

	err := run(context.Background(), options{concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo"})
	if got := exitStatus(err); got != exitStillOpen {
		t.Fatalf("err = %v, exit status %d, want %d (still open)", err, got, exitStillOpen)
	}
	if strings.Contains(out.String(), "-- round 2") {
		t.Fatalf("open orders were run again without -faults:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "still open") {
		t.Fatalf("the summary does not say orders are open:\n%s", out.String())
	}
}

// The journal in a database: a second run on the same -state finds every
// order's steps done, on SQLite and on PostgreSQL; a bad -state is a
// configuration error that shows no password.
func TestStateInADatabase(t *testing.T) {
	for kind, dsn := range map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "state.db"), "postgres": pgtest.URL(t)} {
		t.Run(kind, func(t *testing.T) {
			o := options{n: 3, concurrency: 2, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo", asJSON: true, state: dsn}
			first := runJSON(t, o)
			again := runJSON(t, o)
			if len(first) != 3 || len(again) != 3 {
				t.Fatalf("%d then %d results, want 3 and 3", len(first), len(again))
			}
			for _, r := range again {
				for _, s := range r.Steps {
					if !s.AlreadyDone {
						t.Fatalf("order %s step %s ran again with the journal in %s", r.OrderID, s.Step, kind)
					}
				}
			}
		})
	}
	err := run(context.Background(), options{n: 1, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo",
		state: "postgres://shop:pw-SENTINEL-7d1e@127.0.0.1:1/orders?connect_timeout=1"})
	if got := exitStatus(err); got != exitConfig || strings.Contains(err.Error(), "SENTINEL") {
		t.Fatalf("err = %v, exit status %d; want a configuration error (%d) without the password", err, got, exitConfig)
	}
}

// Two processes' service loops on one inbox (each its own database
// handle, flow and journal, on the same vendors) run every order once
// between them: no order twice, none lost. On SQLite and on PostgreSQL.
func TestTwoWorkersShareTheInbox(t *testing.T) {
	for kind, dsn := range map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "state.db"), "postgres": pgtest.URL(t)} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			env, err := flowtest.Start(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			const n = 40
			seed := openDB(t, dsn)
			for i := range n {
				o := flowtest.Order(fmt.Sprintf("W%03d", i), inventory.OrderLine{SKU: "MUG-001", Title: "Mug", Quantity: 1, UnitPrice: decimal.MustParse("12.50")})
				payload, _ := json.Marshal(o)
				if _, err := seed.Inbox().Add(ctx, inboxSource, o.ID, payload); err != nil {
					t.Fatal(err)
				}
			}
			wctx, stop := context.WithTimeout(ctx, time.Minute)
			defer stop()
			var mu sync.Mutex
			ended := map[string][]string{} // order → the workers that ended it
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for _, worker := range []string{"process-1", "process-2"} {
				db := openDB(t, dsn)
				f := &flow.Flow{Systems: env.Flow.Systems, Journal: flow.SQLJournal{DB: db}}
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- work(wctx, f, db.Inbox(), nil, worker, maxBackoff, newReport(true, false), func(r timed) {
						mu.Lock()
						defer mu.Unlock()
						ended[r.OrderID] = append(ended[r.OrderID], worker)
						if len(ended) == n {
							stop()
						}
					})
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			byWorker := map[string]int{}
			for id, ws := range ended {
				if len(ws) != 1 {
					t.Fatalf("order %s ended %d times, by %v", id, len(ws), ws)
				}
				byWorker[ws[0]]++
			}
			if len(ended) != n {
				t.Fatalf("%d of %d orders ended", len(ended), n)
			}
			if c := env.Counts(); c.Contacts != n || c.Invoices != n || c.Labels != n || c.StockAdjustments != n || c.Emails != n {
				t.Fatalf("the sandboxes hold %v; want %d of each", c, n)
			}
			t.Logf("%s: orders by worker %v", kind, byWorker)
		})
	}
}

// Webhooks the shop never sent (half of them here) are found by the
// reconciliation poll: every sample order is run, once.
func TestDroppedWebhooksReconciled(t *testing.T) {
	o := options{listen: "127.0.0.1:0", demo: true, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo",
		asJSON: true, reconcile: 50 * time.Millisecond, dropWebhooks: 0.5}
	everySampleOrderOnce(t, o)
}

// everySampleOrderOnce runs o (a service whose shop drops webhooks) and
// checks that each of the 4 sample orders was run once, done, its id
// starting with prefix: reconciliation found the ones with no webhook.
func everySampleOrderOnce(t *testing.T, o options) {
	t.Helper()
	var buf bytes.Buffer
	output = &buf
	defer func() { output = io.Discard }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, o); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("not every order was run: the dropped webhooks' orders were never found")
	}
	seen, bySource := map[string]bool{}, map[string]int{}
	for dec := json.NewDecoder(&buf); dec.More(); {
		var r flow.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		src, _, _ := strings.Cut(r.OrderID, "-")
		if seen[r.OrderID] || r.Status != flow.Done || !slices.Contains(o.sources(), src) {
			t.Fatalf("order %s: %+v (seen before: %v)", r.OrderID, r, seen[r.OrderID])
		}
		seen[r.OrderID] = true
		bySource[src]++
	}
	if len(seen) != 4 {
		t.Fatalf("%d orders run, want the 4 sample orders", len(seen))
	}
	for _, src := range o.sources() {
		if bySource[src] == 0 {
			t.Fatalf("no order from %s: %v", src, bySource)
		}
	}
}

// -telemetry writes every span to a file and prints the metrics: orders
// counted by how they ended, vendor calls by operation.
func TestTelemetryFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spans.json")
	var buf bytes.Buffer
	output = &buf
	defer func() { output = io.Discard }()
	if err := run(context.Background(), options{n: 2, concurrency: 1, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo",
		telemetry: path}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "telemetry: orderflow.orders{orderflow.order.status=done} 2") ||
		!strings.Contains(buf.String(), "telemetry: patchbay.client.calls{patchbay.operation=invoices.create,patchbay.outcome=ok,patchbay.vendor=xero} 2") {
		t.Fatalf("the metrics are not printed:\n%s", buf.String())
	}
	spans, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`"Name":"orderflow order"`, `"Name":"orderflow invoice"`, `"Name":"xero invoices.create"`} {
		if !strings.Contains(string(spans), name) {
			t.Errorf("no span %s in the file", name)
		}
	}
}

// The service reports its inbox's depth: after the demo's orders, none is
// left in it.
func TestTelemetryInboxDepth(t *testing.T) {
	var buf bytes.Buffer
	output = &buf
	defer func() { output = io.Discard }()
	o := options{listen: "127.0.0.1:0", demo: true, concurrency: 2, crm: "hubspot", accounting: "xero", inventory: "shopify", shipping: "shippo",
		telemetry: filepath.Join(t.TempDir(), "spans.json")}
	if err := run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "telemetry: orderflow.inbox.depth{} 0") || !strings.Contains(buf.String(), "telemetry: orderflow.orders{orderflow.order.status=done} 4") {
		t.Fatalf("no inbox depth or order count in the metrics:\n%s", buf.String())
	}
}
