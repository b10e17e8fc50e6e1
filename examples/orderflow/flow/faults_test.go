package flow_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
)

// Under faults: 200 orders with 30% of vendor calls failing (503 before
// arrival, 429, answers lost after the vendor committed, hangs). Every
// order ends done or failed with a reason; re-running the failed ones
// until none is left gives exactly one contact, deal, invoice, label,
// stock movement and email per order. Nothing twice, nothing lost. With
// each platform as the website (flowtest.EachSource), the orders are
// placed at its checkout first: then each is also told it shipped exactly
// once, and no stock is taken where the shop took it.
func TestFaultsNothingTwiceNothingLost(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 200 orders")
	}
	for _, v := range append(slices.Clone(flowtest.Each), flowtest.EachSource...) {
		t.Run(flowtest.Name(v), func(t *testing.T) { nothingTwiceNothingLost(t, v) })
	}
}

func nothingTwiceNothingLost(t *testing.T, v flowenv.Vendors) {
	// Injected hangs end at the attempt timeout: short, so the test is; but
	// not so short that a label lookup, which pages through the labels
	// bought (up to 200 here, under the race detector, on a busy machine),
	// times out when nothing is wrong. EasyPost's pages through the
	// shipments bought since the quote: it needs longer still.
	attempt := 300 * time.Millisecond
	if v.Shipping == "easypost" {
		attempt = time.Second
	}
	env, err := flowtest.StartWith(context.Background(), v, connector.WithRetryPolicy(fastRetry),
		connector.WithAttemptTimeout(attempt))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	n := 200
	if v, err := strconv.Atoi(os.Getenv("PATCHBAY_SOAK_ORDERS")); err == nil && v > 0 {
		n = v // make soak-flow
	}
	if env.Shopify != nil && slices.Contains(v.Sources, "shopify") {
		// Checking and fulfilling at the shop costs about 90 points an
		// order, a standard plan's budget for about one order a second:
		// the budget is not what this test is about (BenchmarkOrders is).
		env.Shopify.SetPlan(20000, 1000)
	}
	start := time.Now()
	env.AddProduct("Soak cable", "SOAK-CABLE", n)
	env.AddProduct("Soak shirt", "SOAK-SHIRT", n)
	var pending []flow.Order
	for i := range n {
		o := flowtest.Order(fmt.Sprintf("F%04d", i), line("SOAK-CABLE", 1, "9.90"), line("SOAK-SHIRT", 1, "25.00"))
		if len(v.Sources) > 0 {
			if o, err = env.PlaceAndRead(context.Background(), v.Sources[0], o); err != nil {
				t.Fatal(err)
			}
		}
		pending = append(pending, o)
	}
	env.Chaos.SetRate(0.30)
	rounds := 0
	for len(pending) > 0 && rounds < 12 {
		rounds++
		if rounds == 11 {
			env.Chaos.SetRate(0) // the vendors recover
		}
		pending = runRound(t, env, pending, rounds >= 11)
	}
	if len(pending) > 0 {
		t.Fatalf("%d orders still not done after %d rounds (faults %v)", len(pending), rounds, env.Chaos.Counts())
	}
	faults := env.Chaos.Counts()
	want := flowtest.Counts{Contacts: n, Deals: n, Notes: n, Invoices: n, Labels: n, StockAdjustments: n * env.AdjustmentsFor(2), Emails: n}
	if len(v.Sources) > 0 {
		want.Fulfilments = n
		if v.Sources[0] == v.WithDefaults().Inventory {
			want.StockAdjustments = 0 // the shop took it at checkout
		}
	}
	if got := env.Counts(); got != want {
		t.Fatalf("after %d rounds under %v faults: %v, want %v", rounds, faults, got, want)
	}
	if faults[connectortest.FaultLostAnswer] == 0 {
		t.Fatalf("no answer was lost: the test did not test what it claims (%v)", faults)
	}
	calls, failures := env.Calls(), env.Failures()
	total := 0
	for _, c := range calls {
		total += c
	}
	t.Logf("%d orders done in %d rounds, %s (%.1f orders/s); %d vendor calls (%.1f per order), %v; faults injected: %v; vendor answers retried: %v",
		n, rounds, time.Since(start).Round(time.Millisecond), float64(n)/time.Since(start).Seconds(), total, float64(total)/float64(n), calls, faults, failures)
}

func runRound(t *testing.T, env *flowtest.Env, orders []flow.Order, logFailures bool) []flow.Order {
	var mu sync.Mutex
	var again []flow.Order
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, o := range orders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			r := env.Flow.Process(context.Background(), o)
			switch {
			case r.Status == flow.Done:
			case r.Reason == "":
				t.Errorf("order %s failed with no reason", o.ID)
			case !r.Open:
				t.Errorf("order %s failed for good under faults alone: %s", o.ID, r.Reason)
			default:
				if logFailures {
					t.Logf("order %s without faults: %s", o.ID, r.Reason)
				}
				mu.Lock()
				again = append(again, o)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return again
}
