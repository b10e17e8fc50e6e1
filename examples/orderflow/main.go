// Command orderflow is the main job: website orders flowing through a CRM
// (HubSpot), inventory (Shopify, Square or WooCommerce), accounting (Xero)
// and shipping (Shippo), exactly once. By default it runs on the vendors'
// sandboxes, started in this process on 127.0.0.1:
//
//	go run ./examples/orderflow                      # the sample orders, then the same orders again
//	go run ./examples/orderflow -orders examples/orderflow/testdata/oversold.json  # one fails for good, undone
//	go run ./examples/orderflow -n 200 -concurrency 8 -faults 0.3
//	go run ./examples/orderflow -listen 127.0.0.1:8080 -demo
//	go run ./examples/orderflow -inventory square -source woocommerce   # stock at Square, orders from a WooCommerce shop
//	go run ./examples/orderflow -source square -listen 127.0.0.1:8080 -demo
//
// PATCHBAY_* environment variables move any vendor to a real account or
// another server (see the README).
package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
)

//go:embed testdata/orders.json
var sampleOrders []byte

type options struct {
	confirm string
	// tuning is the connector options every client of the run gets (the
	// attempt timeout and retries under -faults, telemetry): set by run,
	// not a flag.
	tuning                               []connector.Option
	ordersFile                           string
	n                                    int
	concurrency                          int
	faults                               float64
	asJSON                               bool
	listen                               string
	demo                                 bool
	journal, state, shareBudgets         string
	reconcile                            time.Duration
	telemetry                            string
	dropWebhooks                         float64
	crm, accounting, inventory, shipping string
	// source is the platforms the website's orders are placed on,
	// comma-separated; empty is the inventory's (-source).
	source string
	// publicURL is the service's public base URL, for Square's signature
	// over the notification URL (-public-url).
	publicURL string
}

// platforms are the inventory and order-source vendors this build has.
var platforms = []string{"shopify", "square", "woocommerce"}

// titles name the platforms for people.
var titles = map[string]string{"shopify": "Shopify", "square": "Square", "woocommerce": "WooCommerce"}

// sources are the platforms whose orders the service takes: -source, or
// the inventory's.
func (o options) sources() []string {
	if o.source != "" {
		return strings.Split(o.source, ",")
	}
	return []string{o.inventory}
}

func main() {
	var o options
	flag.StringVar(&o.ordersFile, "orders", "", "a JSON file of orders (default: the sample orders)")
	flag.IntVar(&o.n, "n", 0, "process n generated orders instead")
	flag.IntVar(&o.concurrency, "concurrency", 1, "orders processed at once")
	flag.Float64Var(&o.faults, "faults", 0, "inject faults into this share of vendor calls (0.3 = 30%): 5xx, 429, lost answers, hangs")
	flag.BoolVar(&o.asJSON, "json", false, "print results as JSON lines")
	flag.StringVar(&o.listen, "listen", "", "serve the source's order webhooks on this address (127.0.0.1:8080) and process what arrives: /webhooks/shopify/orders-create, /webhooks/square, /webhooks/woocommerce")
	flag.BoolVar(&o.demo, "demo", false, "with -listen: the sandbox shop (-source) places the sample orders, sending their webhooks")
	flag.StringVar(&o.publicURL, "public-url", "", "with -listen and -source square: the service's public base URL (https://hooks.example.com), for Square's signature over the notification URL (default: the URL each request was sent to)")
	flag.DurationVar(&o.reconcile, "reconcile", time.Minute, "with -listen: poll the shop for orders whose webhook never came this often (0: never)")
	flag.Float64Var(&o.dropWebhooks, "drop-webhooks", 0, "with -listen: the sandbox shop drops this share of its order webhooks (0.1 = 10%), for reconciliation to find")
	flag.StringVar(&o.shareBudgets, "share-budgets", "shopify", "the vendors (comma-separated, all or none) whose account budget the processes on one -state database share, so that together they stay within it: shopify (its bucket, as the shop reports it), or vendors at their documented limits (a sandbox run slows to them)")
	flag.StringVar(&o.journal, "journal", "", "keep the journal in this JSON-lines file instead of the database")
	flag.StringVar(&o.state, "state", "", "keep the journal in this database, so a killed run resumes where it stopped: sqlite:FILE or postgres://... (default: SQLite in a temporary directory, gone after the run)")
	flag.StringVar(&o.telemetry, "telemetry", "", "write every span (orders, steps, vendor calls) to this file as JSON, and print the metrics at the end (OTEL_EXPORTER_OTLP_ENDPOINT also sends them over OTLP)")
	flag.StringVar(&o.crm, "crm", "hubspot", "CRM vendor: hubspot, pipedrive or salesforce")
	flag.StringVar(&o.accounting, "accounting", "xero", "accounting vendor: xero, stripe or quickbooks")
	flag.StringVar(&o.inventory, "inventory", "shopify", "inventory vendor: shopify, square or woocommerce")
	flag.StringVar(&o.source, "source", "", "where the website's orders are placed: shopify, square or woocommerce, or several, comma-separated (default: the inventory's). The sample orders are placed at their sandboxes' checkouts first, in turn")
	flag.StringVar(&o.shipping, "shipping", "shippo", "shipping vendor: shippo, shipengine, shipstation or easypost")
	flag.StringVar(&o.confirm, "confirm", "mail", "who mails the customer that an order shipped: mail (this program's mail), shop (the shop's own confirmation, where it sends one) or both")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "orderflow:", err)
	}
	os.Exit(exitStatus(err))
}

// The exit statuses: how the run ended.
const (
	exitAllDone    = 0 // every order done
	exitError      = 1 // the program could not run
	exitConfig     = 2 // a flag, a PATCHBAY_* variable, or credentials a vendor refused
	exitStillOpen  = 3 // some orders are still open (a vendor was down): run again to resume them
	exitSomeFailed = 4 // every order ended, some failed for good (out of stock, a refused label) and were undone
)

var (
	// errStillOpen ends a run that left orders open.
	errStillOpen = errors.New("some orders are still open: run again to resume them")
	// errSomeFailed ends a run in which every order ended but some failed
	// for good; each order's result says why and what was undone.
	errSomeFailed = errors.New("some orders failed for good (undone): see each order's result")
)

// configError is a problem with what the user gave: flags, variables,
// credentials.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func exitStatus(err error) int {
	var ce *configError
	var fe *flowenv.ConfigError
	switch {
	case err == nil:
		return exitAllDone
	case errors.Is(err, errStillOpen):
		return exitStillOpen
	case errors.Is(err, errSomeFailed):
		return exitSomeFailed
	case errors.As(err, &ce), errors.As(err, &fe):
		return exitConfig
	}
	return exitError
}

func (o options) check() error {
	for _, v := range []struct {
		flag, got string
		have      []string
	}{{"-crm", o.crm, []string{"hubspot", "pipedrive", "salesforce"}}, {"-accounting", o.accounting, []string{"xero", "stripe", "quickbooks"}},
		{"-inventory", o.inventory, platforms}, {"-shipping", o.shipping, []string{"shippo", "shipengine", "shipstation", "easypost"}}} {
		if !slices.Contains(v.have, v.got) {
			return fmt.Errorf("%s %s: not a vendor this build has (have: %s)", v.flag, v.got, strings.Join(v.have, ", "))
		}
	}
	for i, src := range o.sources() {
		if !slices.Contains(platforms, src) {
			return fmt.Errorf("-source %s: %q is not a platform this build has (have: %s)", o.source, src, strings.Join(platforms, ", "))
		}
		if slices.Contains(o.sources()[:i], src) {
			return fmt.Errorf("-source %s: %s twice", o.source, src)
		}
	}
	switch {
	case o.publicURL != "" && !strings.HasPrefix(o.publicURL, "https://") && !strings.HasPrefix(o.publicURL, "http://"):
		return errors.New("-public-url is the service's public http(s) base URL, https://hooks.example.com")
	case o.faults < 0 || o.faults > 1:
		return errors.New("-faults is a share of calls, from 0 to 1")
	case o.demo && o.listen == "":
		return errors.New("-demo needs -listen ADDR")
	case o.dropWebhooks < 0 || o.dropWebhooks > 1:
		return errors.New("-drop-webhooks is a share of webhooks, from 0 to 1")
	case o.concurrency < 1:
		return errors.New("-concurrency must be at least 1")
	case o.journal != "" && o.state != "":
		return errors.New("-journal FILE or -state DATABASE, not both")
	}
	for v := range strings.SplitSeq(o.shareBudgets, ",") {
		if v != "" && v != "all" && v != "none" && !flowenv.Known(v) {
			return fmt.Errorf("-share-budgets: %q is not a vendor (hubspot, shopify, xero, shippo, ...), all or none", v)
		}
	}
	return nil
}

func run(ctx context.Context, o options) error {
	if err := o.check(); err != nil {
		return &configError{err.Error()}
	}
	orders, err := loadOrders(o.ordersFile, o.n)
	if err != nil {
		return err
	}
	var tuning []connector.Option
	if o.faults > 0 {
		// Injected hangs end at the attempt timeout: keep it short, as a
		// flow that must answer within seconds would.
		tuning = append(tuning, connector.WithAttemptTimeout(300*time.Millisecond), connector.WithRetryPolicy(connector.RetryPolicy{
			MaxAttempts: 4, BaseDelay: 5 * time.Millisecond, MaxDelay: 100 * time.Millisecond, MaxRetryAfter: 2 * time.Second}))
	}
	tel, err := startTelemetry(ctx, o.telemetry)
	if err != nil {
		return err
	}
	if tel != nil {
		defer tel.close(context.WithoutCancel(ctx))
		tuning = append(tuning, tel.option())
	}
	// Real accounts first, from the environment; then a sandbox for each
	// system they leave empty, and none for a vendor that is real.
	env := flowtest.NewEnv()
	defer env.Close()
	var sys flow.Systems
	// The state opens first: a vendor that rotates its OAuth tokens keeps
	// them there, so processes on one database share one token.
	st, err := openState(ctx, o)
	if err != nil {
		return err
	}
	defer st.close()
	// A budget shared through a private temporary database would share
	// nothing: only a -state database is one processes have in common.
	var budgets connector.SharedBudget
	if o.state != "" {
		budgets = st.db.Budgets()
	}
	env.Vendors = flowenv.Vendors{CRM: o.crm, Inventory: o.inventory, Sources: o.sources(), Accounting: o.accounting, Shipping: o.shipping,
		Tokens:  func(name string) oauth.TokenStore { return st.db.TokenStore(name) },
		Budgets: budgets, Share: strings.Split(o.shareBudgets, ",")}
	moved, err := flowenv.Configure(ctx, &sys, env.Vendors, env.HTTPClient(), tuning)
	if err != nil {
		return err
	}
	if err := env.Fill(ctx, sys, tuning...); err != nil {
		return err
	}
	env.Flow.Journal = st.journal
	if env.Flow.Confirm, err = confirmBy(o.confirm); err != nil {
		return err
	}
	if tel != nil {
		if env.Flow.Telemetry, err = tel.flow(); err != nil {
			return err
		}
		defer func() {
			for _, l := range tel.summary(context.WithoutCancel(ctx)) {
				fmt.Fprintln(output, "telemetry:", l)
			}
		}()
	}
	env.Chaos.SetRate(o.faults)
	out := newReport(o.asJSON, len(orders) > 50)
	out.banner(env, moved)
	out.line("Journal: " + st.where)
	if o.listen != "" {
		if tel != nil {
			if err := tel.observeInbox(st.db.Inbox()); err != nil {
				return err
			}
		}
		o.tuning = tuning
		return serve(ctx, env, st.db, o, orders, out)
	}
	if o.source != "" {
		if orders, err = placeAtSources(ctx, env, o.sources(), orders, out); err != nil {
			return err
		}
	}
	passes := []string{"first run"}
	if o.ordersFile == "" && o.n == 0 && o.journal == "" && o.state == "" {
		passes = append(passes, "the same orders again (nothing may change)")
	}
	var results map[string]flow.Result
	for _, pass := range passes {
		out.section(fmt.Sprintf("%s: %d orders", pass, len(orders)))
		var err error
		if results, err = process(ctx, env, orders, o, out); err != nil {
			return err
		}
	}
	out.mailbox(env, moved)
	return ending(results)
}

// placeAtSources places the orders at the sandbox shops' checkouts, each
// at the next source in turn (a shop takes the stock it tracks), and
// returns them as their order-created webhooks bring them
// (flow.FromPlatform): the batch run then processes what the service
// would.
func placeAtSources(ctx context.Context, env *flowtest.Env, srcs []string, orders []flow.Order, out *report) ([]flow.Order, error) {
	var names []string
	for _, src := range srcs {
		if env.Orders(src) == nil {
			return nil, &configError{"-source " + src + " without -listen places the orders at the sandbox shop's checkout; with a real " +
				titles[src] + " account, use -listen to take its orders"}
		}
		names = append(names, titles[src])
	}
	out.line(fmt.Sprintf("The %d orders are placed at the sandbox %s checkout first.", len(orders), strings.Join(names, " and ")))
	placed := make([]flow.Order, 0, len(orders))
	for i, o := range orders {
		p, err := env.PlaceAndRead(ctx, srcs[i%len(srcs)], o)
		if err != nil {
			return nil, err
		}
		placed = append(placed, p)
	}
	return placed, nil
}

// ending says how a run whose last results these are ended: nil when every
// order is done.
func ending(results map[string]flow.Result) error {
	failed := false
	for _, r := range results {
		if r.Status == flow.Done {
			continue
		}
		if r.Open {
			return errStillOpen
		}
		failed = true
	}
	if failed {
		return errSomeFailed
	}
	return nil
}

// process runs orders and, under injected faults (-faults), runs the ones
// a fault left open again, up to 10 rounds, as an operator or a queue
// would. Without injected faults an open order is a vendor really down:
// it is reported, not run again at once. A vendor that refuses the
// credentials ends the run: no order can pass it. It returns the
// orders' results.
func process(ctx context.Context, env *flowtest.Env, orders []flow.Order, o options, out *report) (map[string]flow.Result, error) {
	before, failuresBefore, start := env.Calls(), env.Failures(), time.Now()
	results := map[string]flow.Result{}
	latency := map[string]time.Duration{}
	pending := orders
	rounds := 1
	if o.faults > 0 {
		rounds = 10
	}
	for round := 1; len(pending) > 0 && round <= rounds && ctx.Err() == nil; round++ {
		if round > 1 {
			out.line(fmt.Sprintf("-- round %d: %d orders a fault left open", round, len(pending)))
		}
		var again []flow.Order
		for i, r := range runOrders(ctx, env.Flow, pending, o.concurrency, out) {
			results[r.OrderID] = r.Result
			latency[r.OrderID] += r.took
			if err := refused(r.Result, o); err != nil {
				return nil, err
			}
			if r.Status == flow.Failed && r.Open {
				again = append(again, pending[i]) // results come in the orders' order
			}
		}
		pending = again
	}
	out.summary(results, latency, time.Since(start), diff(env.Calls(), before), diff(env.Failures(), failuresBefore), env.Counts())
	return results, nil
}

// refused turns a vendor's refusal of the credentials, which left an order
// open, into one line that names the vendor and the variable to fix; nil
// for anything else.
func refused(r flow.Result, o options) error {
	err := r.Err
	if !errors.Is(err, connector.ErrUnauthorized) && !errors.Is(err, connector.ErrForbidden) {
		return nil
	}
	// The step names the system, the options its vendor.
	step, _, _ := strings.Cut(r.Reason, ":")
	vendor := map[string]string{flow.StepCRM: o.crm, flow.StepStock: o.inventory, flow.StepInvoice: o.accounting,
		flow.StepLabel: o.shipping, flow.StepNotify: o.crm}[step]
	var apiErr *connector.APIError
	if errors.As(err, &apiErr) {
		vendor = apiErr.Vendor
	}
	return &configError{fmt.Sprintf("%s refused the credentials (%v): check %s", vendor, kindOf(err), flowenv.CredentialVariable(vendor))}
}

func kindOf(err error) error {
	for _, k := range []error{connector.ErrReauthRequired, connector.ErrUnauthorized, connector.ErrForbidden} {
		if errors.Is(err, k) {
			return k
		}
	}
	return err
}

// state is where the run keeps what must survive it: the journal and the
// order inbox.
type state struct {
	db      *sqlstore.DB
	journal flow.Journal // in db, or in the file -journal names
	where   string       // for people; no password
	close   func()
}

// openState opens the database -state names, else an SQLite database in a
// temporary directory for this run alone, and the flow's journal there
// (or in the file -journal names).
func openState(ctx context.Context, o options) (*state, error) {
	dsn, cleanup := o.state, func() {}
	if dsn == "" {
		dir, err := os.MkdirTemp("", "orderflow-")
		if err != nil {
			return nil, err
		}
		dsn, cleanup = "sqlite:"+filepath.Join(dir, "state.db"), func() { os.RemoveAll(dir) }
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		cleanup()
		return nil, &configError{"-state: " + err.Error()}
	}
	st := &state{db: db, journal: flow.SQLJournal{DB: db}, where: redactDSN(dsn), close: func() { db.Close(); cleanup() }}
	if o.journal != "" {
		j, err := flow.OpenFileJournal(o.journal)
		if err != nil {
			st.close()
			return nil, err
		}
		st.journal, st.where = j, o.journal
		st.close = func() { j.Close(); db.Close(); cleanup() }
	}
	return st, nil
}

// redactDSN drops a password from a database URL.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return dsn
}

func loadOrders(file string, n int) ([]flow.Order, error) {
	if n > 0 {
		var out []flow.Order
		skus := []string{"TEE-BLK-M", "TEE-WHT-L", "MUG-001", "CABLE-3M"}
		for i := range n {
			out = append(out, flowtest.Order(fmt.Sprintf("G%05d", i),
				inventory.OrderLine{SKU: skus[i%len(skus)], Title: skus[i%len(skus)], Quantity: 1, UnitPrice: decimal.MustParse("19.90")}))
		}
		return out, nil
	}
	data := sampleOrders
	if file != "" {
		var err error
		if data, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("reading -orders: %w", err)
		}
	}
	return flow.ParseOrders(data)
}

func diff(after, before map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range after {
		if d := v - before[k]; d > 0 {
			out[k] = d
		}
	}
	return out
}

// confirmBy reads -confirm.
func confirmBy(v string) (flow.Confirm, error) {
	switch v {
	case "", "mail":
		return flow.ConfirmByMail, nil
	case "shop":
		return flow.ConfirmByShop, nil
	case "both":
		return flow.ConfirmByBoth, nil
	}
	return 0, &configError{"-confirm " + v + ": mail, shop or both"}
}
