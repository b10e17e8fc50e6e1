package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// webhookPath is where the shop's orders/create webhook is subscribed.
const webhookPath = "/webhooks/shopify/orders-create"

// intake serves Shopify orders/create webhooks and puts each new order in
// the inbox, in the state database, before it answers: a process that dies
// after the answer leaves the order there for the next one to run. A
// redelivery (the same X-Shopify-Webhook-Id) is dropped by the seen store
// in the same database, and an order that came twice under two webhook
// ids is one inbox entry.
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

// inboxSource names the shop's orders in the inbox.
const inboxSource = "shopify"

func startIntake(addr, secret string, db *sqlstore.DB) (*intake, error) {
	in := &intake{inbox: db.Inbox(), wake: make(chan struct{}, 1), listenErr: make(chan error, 1)}
	hooks, err := shopify.NewWebhookHandler(webhook.Config{Secrets: []string{secret}, Seen: db.SeenStore(sqlstore.DefaultSeenTTL)}, in.handle)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+webhookPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.received.Add(1)
		hooks.ServeHTTP(w, r)
	}))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-listen %s: %w", addr, err)
	}
	in.addr = ln.Addr().String()
	in.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { in.listenErr <- in.srv.Serve(ln) }()
	return in, nil
}

// handle maps an orders/create delivery to an order and commits it to the
// inbox; only then is the delivery answered 200. Shopify wants an answer
// within 5 seconds, so the flow runs after the answer, from the inbox.
func (in *intake) handle(ctx context.Context, e shopify.Event) error {
	if e.Kind != webhook.OrderCreated {
		return nil // subscribed elsewhere: not for this endpoint
	}
	so, err := shopify.OrderFromWebhook(e.Payload.Body)
	if err != nil {
		// Acknowledged, and reported: a retry brings the same body, and
		// Shopify drops subscriptions whose deliveries keep failing.
		in.rejected.Add(1)
		if in.onReject != nil {
			in.onReject(fmt.Errorf("webhook %s: %w", e.ID, err))
		}
		return nil
	}
	o := flow.FromPlatform(inboxSource, so)
	payload, err := json.Marshal(o)
	if err != nil {
		return err
	}
	added, err := in.inbox.Add(ctx, inboxSource, o.ID, payload)
	if err != nil {
		return err // answered 500: Shopify delivers it again
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
// webhook a second time, as Shopify does when an answer is slow.
func demo(ctx context.Context, shop *shopifytest.Server, url string, orders []flow.Order) error {
	for i, o := range orders {
		n := flowtest.ShopifyOrder(o)
		_, hookID, body, err := shop.PlaceOrder(ctx, url, n)
		if err != nil {
			return err
		}
		if i == 0 && hookID != "" { // a dropped webhook is not delivered twice either
			if _, err := shop.SendTopic(ctx, url, "orders/create", hookID, body); err != nil {
				return err
			}
		}
	}
	return nil
}

// webhookSecret is the shop app's secret: the sandbox shop's for -demo
// (it signs what it places), else PATCHBAY_SHOPIFY_WEBHOOK_SECRET, else
// the sandbox shop's.
func webhookSecret(env *flowtest.Env, demo bool) string {
	if s := flowenv.Lookup("PATCHBAY_SHOPIFY_WEBHOOK_SECRET"); s != "" && !demo {
		return s
	}
	if env.Shopify != nil {
		return env.Shopify.WebhookSecret()
	}
	return connectortest.RandomHex(32)
}

// startReconciler polls the shop every -reconcile for orders whose
// webhook never came, sending its end to done; it returns how many
// goroutines it started (0 or 1).
func startReconciler(ctx context.Context, env *flowtest.Env, db *sqlstore.DB, in *intake, o options, out *report, done chan<- error) (int, error) {
	if env.Shopify != nil {
		env.Shopify.DropWebhooks(o.dropWebhooks)
	}
	if o.reconcile <= 0 {
		return 0, nil
	}
	shop := env.Shop()
	if shop == nil {
		var err error
		if shop, err = flowenv.Shop(env.HTTPClient(), o.tuning); err != nil || shop == nil {
			return 0, err
		}
	}
	rc := &reconciler{orders: shop.Orders, db: db, inbox: in.inbox, wake: in.wake, report: out.line}
	go func() { done <- rc.run(ctx, o.reconcile) }()
	return 1, nil
}

// serve takes orders from webhooks until interrupted or, with -demo, until
// every sample order placed on the sandbox shop has been through the flow.
func serve(ctx context.Context, env *flowtest.Env, db *sqlstore.DB, o options, samples []flow.Order, out *report) error {
	secret := webhookSecret(env, o.demo)
	in, err := startIntake(o.listen, secret, db)
	if err != nil {
		return err
	}
	defer in.close()
	in.onReject = func(err error) { out.line("REJECTED " + err.Error()) }
	url := "http://" + in.addr + webhookPath
	out.section("listening for Shopify orders/create webhooks on " + url)
	want := -1
	if o.demo {
		out.line(fmt.Sprintf("demo: the sandbox shop places %d orders; the first webhook is delivered twice", len(samples)))
		go func() {
			if err := demo(ctx, env.Shopify, url, samples); err != nil {
				out.line("demo: " + err.Error())
			}
		}()
		want = len(samples)
		defer func() {
			out.line(fmt.Sprintf("webhooks received %d, orders accepted %d: a redelivered webhook changes nothing", in.received.Load(), in.accepted.Load()))
		}()
	}
	before, failuresBefore, start := env.Calls(), env.Failures(), time.Now()
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
