// Command sandboxes serves the order flow's vendor sandboxes on 127.0.0.1
// for other processes to share, the way stripe-mock serves Stripe: Temporal
// workers, a starter, or a program in any language. It prints the
// PATCHBAY_* variables that point examples/orderflow, the Temporal worker
// or any flowenv configuration at them (and writes them to -env), then
// serves until interrupted:
//
//	go run ./examples/sandboxes -env /tmp/patchbay.env
//	set -a; . /tmp/patchbay.env; set +a
//	go run ./examples/orderflow     # now on the shared sandboxes
//
// The shop is stocked with the sample catalogue; mail goes to an SMTP
// server of its own. On the -control address, GET /counts says what the
// sandboxes hold, for checking that several workers did each thing once,
// GET /emails lists the confirmations with when they arrived, and
// POST /shopify/orders?webhook=URL places an order on the shop, whose
// orders/create webhook goes to URL.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
)

// settings are the command's flags.
type settings struct {
	vendors      flowenv.Vendors
	envFile      string
	control      string
	latency      time.Duration
	dropWebhooks float64
	shopPlan     string
}

// shopPlans are the Shopify plans' query-cost buckets: size and points
// regained a second (https://shopify.dev/docs/api/usage/limits).
var shopPlans = map[string][2]float64{"standard": {2000, 100}, "advanced": {4000, 200}, "plus": {20000, 1000}}

func main() {
	var s settings
	flag.StringVar(&s.envFile, "env", "", "also write the variables to this file, one NAME=value a line")
	flag.StringVar(&s.control, "control", "127.0.0.1:0", "serve GET /counts on this address")
	flag.DurationVar(&s.latency, "latency", 0, "answer no request sooner than this, as a real vendor over the internet (50ms)")
	flag.Float64Var(&s.dropWebhooks, "drop-webhooks", 0, "the shop drops this share of its order webhooks (0.1 = 10%), as Shopify says deliveries can be missed")
	flag.StringVar(&s.shopPlan, "shop-plan", "standard", "the shop's Shopify plan, which sets its query budget: standard (100 points a second), advanced (200) or plus (1,000)")
	flag.StringVar(&s.vendors.CRM, "crm", "hubspot", "CRM vendor: hubspot or pipedrive")
	flag.StringVar(&s.vendors.Inventory, "inventory", "shopify", "inventory vendor: shopify, square or woocommerce")
	flag.Func("source", "where the website's orders are placed, when not (only) the inventory: shopify, square or woocommerce, or several, comma-separated (their sandboxes run too)", func(v string) error {
		s.vendors.Sources = strings.Split(v, ",")
		return nil
	})
	flag.StringVar(&s.vendors.Accounting, "accounting", "xero", "accounting vendor: xero, stripe or quickbooks")
	flag.StringVar(&s.vendors.Shipping, "shipping", "shippo", "shipping vendor: shippo, shipengine, shipstation or easypost")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, s, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sandboxes:", err)
		os.Exit(1)
	}
}

// Holdings is what the sandboxes hold, as GET /counts answers it.
type Holdings struct {
	flowtest.Counts
	// Deliveries is every message the SMTP server took; Emails counts
	// them by Message-ID.
	Deliveries int
	// Requests is the API requests each sandbox answered.
	Requests map[string]int
	// DroppedWebhooks is the order webhooks the shop did not send.
	DroppedWebhooks int
	// ShopThrottled is the shop's THROTTLED answers, and ShopPoints the
	// query-cost points it charged: how much of its plan a run used.
	ShopThrottled int
	ShopPoints    float64
}

func run(ctx context.Context, s settings, out io.Writer) error {
	plan, ok := shopPlans[cmp.Or(s.shopPlan, "standard")]
	if !ok {
		return fmt.Errorf("-shop-plan %q: standard, advanced or plus", s.shopPlan)
	}
	env := flowtest.NewEnv()
	defer env.Close()
	env.Vendors = s.vendors
	if err := env.Fill(ctx, flow.Systems{}); err != nil {
		return err
	}
	if env.Shopify != nil {
		env.Shopify.DropWebhooks(s.dropWebhooks)
		env.Shopify.SetPlan(plan[0], plan[1])
	}
	mail, err := flowtest.StartSMTP("")
	if err != nil {
		return err
	}
	defer mail.Close()

	vars := env.Variables()
	if s.latency > 0 {
		stopProxies, err := slowDown(vars, s.latency)
		if err != nil {
			return err
		}
		defer stopProxies()
	}
	vars["PATCHBAY_SMTP_URL"] = mail.URL("shop@example.com")
	ln, err := net.Listen("tcp", s.control)
	if err != nil {
		return fmt.Errorf("-control %s: %w", s.control, err)
	}
	vars["PATCHBAY_SANDBOXES_CONTROL"] = "http://" + ln.Addr().String()
	var lines []string
	for name, value := range vars {
		lines = append(lines, name+"="+value)
	}
	slices.Sort(lines)
	text := strings.Join(lines, "\n") + "\n"
	if s.envFile != "" {
		// Written whole, then renamed: a reader waiting for the file never
		// sees half of it.
		if err := os.WriteFile(s.envFile+".tmp", []byte(text), 0o600); err != nil {
			return err
		}
		if err := os.Rename(s.envFile+".tmp", s.envFile); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "sandboxes on 127.0.0.1 (pid %d): %s\n%s", os.Getpid(), strings.Join(env.Sandboxes(), " · "), text)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /counts", func(w http.ResponseWriter, _ *http.Request) {
		h := Holdings{Counts: env.Counts(), Deliveries: len(mail.Messages()), Requests: env.Requests()}
		if env.Shopify != nil {
			h.DroppedWebhooks = env.Shopify.DroppedWebhooks()
			h.ShopThrottled, h.ShopPoints = env.Shopify.Throttled(), env.Shopify.Charged()
		}
		h.Emails = mail.Distinct()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(h)
	})
	mux.HandleFunc("GET /emails", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(mail.Received())
	})
	// The shop takes an order as a customer's checkout would, and sends
	// its orders/create webhook to ?webhook=URL: a driver in another
	// process (a soak test) places orders through this.
	mux.HandleFunc("POST /shopify/orders", func(w http.ResponseWriter, r *http.Request) {
		if env.Shopify == nil {
			http.Error(w, "no Shopify sandbox here", http.StatusNotFound)
			return
		}
		var o flow.Order
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&o); err != nil {
			http.Error(w, "the body is not an order: "+err.Error(), http.StatusBadRequest)
			return
		}
		id, hookID, _, err := env.Shopify.PlaceOrder(r.Context(), r.URL.Query().Get("webhook"), flowtest.ShopifyOrder(o))
		w.Header().Set("Content-Type", "application/json")
		answer := map[string]any{"id": id, "webhook_id": hookID}
		if err != nil {
			answer["delivery_error"] = err.Error() // placed; the webhook did not get through
		}
		json.NewEncoder(w).Encode(answer)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
