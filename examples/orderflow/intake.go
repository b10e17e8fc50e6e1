package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
)

// webhookPath is where the shop's orders/create webhook is subscribed.
const webhookPath = "/webhooks/shopify/orders-create"

// webhookPaths are where each source's order webhooks come.
var webhookPaths = map[string]string{"shopify": webhookPath, "square": "/webhooks/square", "woocommerce": "/webhooks/woocommerce"}

// source is a platform the website's orders are placed on, as the intake
// serves its webhooks.
type source struct {
	name   string           // "shopify", "square", "woocommerce": the inbox's source
	secret string           // its webhooks' signing secret (Square: the subscription's signature key)
	orders inventory.Orders // reads the order a Square notification names; unused by the others
	// publicURL is the notification URL Square signs, as registered
	// (-public-url and the path), for a service behind a proxy; empty,
	// the request's own URL (scheme, Host and path), right when Square
	// posts straight to -listen.
	publicURL string
}

// intake serves the sources' order webhooks and puts each new order in
// the inbox, in the state database, before it answers: a process that
// dies after the answer leaves the order there for the next one to run. A
// redelivery (the same X-Shopify-Webhook-Id, Square event_id, or
// WooCommerce order and date_modified) is dropped by the seen store in
// the same database, and an order that came twice under two webhook ids
// is one inbox entry (the inbox keys it by source and order).
type intake struct {
	inbox     *sqlstore.Inbox
	wake      chan struct{} // an order was added
	received  atomic.Int64  // deliveries that passed the signature check or not
	accepted  atomic.Int64  // new orders in the inbox
	rejected  atomic.Int64  // bodies that are no order the flow can ship
	onReject  func(error)
	srv       *http.Server
	addr      string
	listenErr chan error
}

// inboxSource names the Shopify shop's orders in the inbox.
const inboxSource = "shopify"

// startIntake serves the Shopify shop's webhooks alone.
func startIntake(addr, secret string, db *sqlstore.DB) (*intake, error) {
	return startIntakeFor(addr, db, source{name: "shopify", secret: secret})
}

// startIntakeFor serves each source's webhooks at its webhookPaths path.
func startIntakeFor(addr string, db *sqlstore.DB, sources ...source) (*intake, error) {
	in := &intake{inbox: db.Inbox(), wake: make(chan struct{}, 1), listenErr: make(chan error, 1)}
	mux := http.NewServeMux()
	for _, src := range sources {
		cfg := webhook.Config{Secrets: []string{src.secret}, Seen: db.SeenStore(sqlstore.DefaultSeenTTL)}
		var hooks http.Handler
		var err error
		switch src.name {
		case "shopify":
			hooks, err = shopify.NewWebhookHandler(cfg, func(ctx context.Context, e shopify.Event) error {
				if e.Kind != webhook.OrderCreated {
					return nil // subscribed elsewhere: not for this endpoint
				}
				return in.add(ctx, src.name, e.ID, func() (*inventory.Order, error) { return shopify.OrderFromWebhook(e.Payload.Body) })
			})
		case "square":
			if src.publicURL != "" {
				cfg.PublicURL = strings.TrimSuffix(src.publicURL, "/") + webhookPaths["square"]
			}
			hooks, err = square.NewWebhookHandler(cfg, func(ctx context.Context, e square.Event) error {
				if e.Kind != webhook.OrderCreated {
					return nil
				}
				// order.created names the order; Square is asked for it
				// before the answer, within Square's 10 seconds. A Square
				// that fails answers 500, and Square delivers it again.
				return in.add(ctx, src.name, e.ID, func() (*inventory.Order, error) { return src.orders.FromWebhook(ctx, e.Raw) })
			})
		case "woocommerce":
			hooks, err = woocommerce.NewWebhookHandler(cfg, func(ctx context.Context, e woocommerce.Event) error {
				if e.Kind != webhook.OrderCreated {
					return nil
				}
				return in.add(ctx, src.name, e.ID, func() (*inventory.Order, error) { return woocommerce.DecodeOrder(e.Payload.Body) })
			})
		default:
			return nil, fmt.Errorf("no webhooks for source %q", src.name)
		}
		if err != nil {
			return nil, err
		}
		mux.Handle("POST "+webhookPaths[src.name], http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			in.received.Add(1)
			hooks.ServeHTTP(w, r)
		}))
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-listen %s: %w", addr, err)
	}
	in.addr = ln.Addr().String()
	in.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { in.listenErr <- in.srv.Serve(ln) }()
	return in, nil
}

// add maps an order-created delivery to an order and commits it to the
// inbox under its source; only then is the delivery answered 200. The
// platforms want an answer within seconds (Shopify 5, Square 10), so the
// flow runs after the answer, from the inbox.
func (in *intake) add(ctx context.Context, src, eventID string, read func() (*inventory.Order, error)) error {
	po, err := read()
	if err != nil {
		if !errors.Is(err, connector.ErrInvalidResponse) && !errors.Is(err, connector.ErrNotFound) {
			return err // the platform failed (Square's read): answered 500, delivered again
		}
		// Acknowledged, and reported: a retry brings the same body, and
		// the platforms drop subscriptions whose deliveries keep failing.
		in.rejected.Add(1)
		if in.onReject != nil {
			in.onReject(fmt.Errorf("%s webhook %s: %w", src, eventID, err))
		}
		return nil
	}
	o := flow.FromPlatform(src, po)
	payload, err := json.Marshal(o)
	if err != nil {
		return err
	}
	added, err := in.inbox.Add(ctx, src, o.ID, payload)
	if err != nil {
		return err // answered 500: the platform delivers it again (WooCommerce does not: reconciliation finds it)
	}
	if added {
		in.accepted.Add(1)
		select {
		case in.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

func (in *intake) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := in.srv.Shutdown(ctx)
	if serveErr := <-in.listenErr; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}

// demo places the sample orders on the sandbox shop, whose webhooks
// (signed with its secret) come to the intake, and delivers the first
// webhook a second time, as the platforms do when an answer is slow. A
// share of the webhooks (-drop-webhooks) is not sent, for
// reconciliation to find: the Shopify sandbox drops them itself.
func demo(ctx context.Context, env *flowtest.Env, src, url string, orders []flow.Order, drop float64) error {
	for i, o := range orders {
		if src == "shopify" {
			_, hookID, body, err := env.Shopify.PlaceOrder(ctx, url, flowtest.ShopifyOrder(o))
			if err != nil {
				return err
			}
			if i == 0 && hookID != "" { // a dropped webhook is not delivered twice either
				if _, err := env.Shopify.SendTopic(ctx, url, "orders/create", hookID, body); err != nil {
					return err
				}
			}
			continue
		}
		placed, err := env.PlaceOrder(src, o)
		if err != nil {
			return err
		}
		if drop > 0 && rand.Float64() < drop {
			continue
		}
		for range 1 + boolInt(i == 0) {
			if _, err := placed.Deliver(ctx, url); err != nil {
				return err
			}
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// secretVariables name each source's webhook signing secret.
var secretVariables = map[string]string{"shopify": "PATCHBAY_SHOPIFY_WEBHOOK_SECRET", "square": "PATCHBAY_SQUARE_WEBHOOK_KEY",
	"woocommerce": "PATCHBAY_WOOCOMMERCE_WEBHOOK_SECRET"}

// webhookSecret is the source's webhook secret: the sandbox shop's for
// -demo (it signs what it places), else its PATCHBAY_* variable
// (secretVariables), else the sandbox shop's.
func webhookSecret(env *flowtest.Env, src string, demo bool) string {
	if s := flowenv.Lookup(secretVariables[src]); s != "" && !demo {
		return s
	}
	switch {
	case src == "shopify" && env.Shopify != nil:
		return env.Shopify.WebhookSecret()
	case src == "square" && env.Square != nil:
		return env.Square.WebhookSecret()
	case src == "woocommerce" && env.WooCommerce != nil:
		return env.WooCommerce.WebhookSecret()
	}
	return connectortest.RandomHex(32)
}

// sourceOrders is the source's orders: the sandbox shop's, else the
// account its PATCHBAY_* variables name, else nil.
func sourceOrders(env *flowtest.Env, src string, o options) (inventory.Orders, error) {
	if orders := env.Orders(src); orders != nil {
		return orders, nil
	}
	return flowenv.SourceOrders(src, env.HTTPClient(), env.Vendors.Options(src, o.tuning))
}

// startReconciler polls each source every -reconcile for orders whose
// webhook never came, each from its own cursor, sending each poll's end to
// done; it returns how many goroutines it started.
func startReconciler(ctx context.Context, env *flowtest.Env, db *sqlstore.DB, in *intake, o options, out *report, done chan<- error) (int, error) {
	if o.reconcile <= 0 {
		return 0, nil
	}
	started := 0
	for _, src := range o.sources() {
		orders, err := sourceOrders(env, src, o)
		if err != nil {
			return started, err
		}
		if orders == nil {
			continue
		}
		rc := &reconciler{source: src, orders: orders, db: db, inbox: in.inbox, wake: in.wake, report: out.line}
		go func() { done <- rc.run(ctx, o.reconcile) }()
		started++
	}
	return started, nil
}

// serve takes orders from webhooks until interrupted or, with -demo, until
// every sample order placed on the sandbox shop has been through the flow.
func serve(ctx context.Context, env *flowtest.Env, db *sqlstore.DB, o options, samples []flow.Order, out *report) error {
	var sources []source
	for _, name := range o.sources() {
		src := source{name: name, secret: webhookSecret(env, name, o.demo), publicURL: o.publicURL}
		if name == "square" {
			var err error
			if src.orders, err = sourceOrders(env, name, o); err != nil {
				return err
			}
			if src.orders == nil {
				return &configError{"-source square: Square's webhooks name the order, which is read from the account: set PATCHBAY_SQUARE_TOKEN"}
			}
		}
		sources = append(sources, src)
	}
	in, err := startIntakeFor(o.listen, db, sources...)
	if err != nil {
		return err
	}
	defer in.close()
	in.onReject = func(err error) { out.line("REJECTED " + err.Error()) }
	for _, src := range sources {
		url := "http://" + in.addr + webhookPaths[src.name]
		if src.name == "square" && o.publicURL != "" {
			url += " (Square signs " + strings.TrimSuffix(o.publicURL, "/") + webhookPaths[src.name] + ")"
		}
		out.section(fmt.Sprintf("listening for %s order webhooks on %s", titles[src.name], url))
	}
	if env.Shopify != nil {
		env.Shopify.DropWebhooks(o.dropWebhooks) // before the demo's first order
	}
	before, failuresBefore, start := env.Calls(), env.Failures(), time.Now()
	want := -1
	if o.demo {
		// Each source's sandbox shop places its share of the samples, in
		// turn, as the batch run does.
		srcs := o.sources()
		for j, src := range srcs {
			var share []flow.Order
			for i := j; i < len(samples); i += len(srcs) {
				share = append(share, samples[i])
			}
			url := "http://" + in.addr + webhookPaths[src]
			out.line(fmt.Sprintf("demo: the sandbox %s shop places %d orders; its first webhook is delivered twice", titles[src], len(share)))
			go func() {
				if err := demo(ctx, env, src, url, share, o.dropWebhooks); err != nil {
					out.line("demo: " + err.Error())
				}
			}()
		}
		want = len(samples)
		defer func() {
			out.line(fmt.Sprintf("webhooks received %d, orders accepted %d: a redelivered webhook changes nothing", in.received.Load(), in.accepted.Load()))
		}()
	}
	results := map[string]flow.Result{}
	latency := map[string]time.Duration{}
	ended := make(chan timed)
	workCtx, stopWork := context.WithCancel(ctx)
	worked := make(chan error, o.concurrency+1)
	reconciling, err := startReconciler(workCtx, env, db, in, o, out, worked)
	if err != nil {
		stopWork()
		return err
	}
	// -concurrency loops take orders from the inbox at once.
	backoffCap := maxBackoff
	if o.faults > 0 {
		backoffCap = faultsBackoff
	}
	for i := range o.concurrency {
		go func() {
			worked <- work(workCtx, env.Flow, in.inbox, in.wake, fmt.Sprintf("orderflow-%d-%d", os.Getpid(), i), backoffCap, out, func(r timed) {
				select {
				case ended <- r:
				case <-workCtx.Done():
				}
			})
		}()
	}
	for want < 0 || len(results) < want {
		select {
		case <-ctx.Done():
			want = 0
		case r := <-ended:
			results[r.OrderID], latency[r.OrderID] = r.Result, r.took
			continue
		}
		break
	}
	stopWork()
	for range o.concurrency + reconciling {
		if err := <-worked; err != nil {
			return err
		}
	}
	out.summary(results, latency, time.Since(start), diff(env.Calls(), before), diff(env.Failures(), failuresBefore), env.Counts())
	out.mailbox(env, nil)
	return ending(results)
}
