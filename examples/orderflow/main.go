// Command orderflow is the main job: website orders flowing through a CRM
// (HubSpot), inventory (Shopify), accounting (Xero) and shipping (Shippo),
// exactly once. By default it runs on the vendors' sandboxes, started in
// this process on 127.0.0.1:
//
//	go run ./examples/orderflow            # the sample orders, then the same orders again
//	go run ./examples/orderflow -n 200 -concurrency 8
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/orderflow"
	"github.com/patchbay-go/patchbay/orderflow/orderflowtest"
)

//go:embed testdata/orders.json
var sampleOrders []byte

func main() {
	ordersFile := flag.String("orders", "", "a JSON file of orders (default: the sample orders)")
	n := flag.Int("n", 0, "process n generated orders instead")
	concurrency := flag.Int("concurrency", 1, "orders processed at once")
	asJSON := flag.Bool("json", false, "print results as JSON lines")
	flag.Parse()
	if err := run(*ordersFile, *n, *concurrency, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "orderflow:", err)
		os.Exit(1)
	}
}

func run(ordersFile string, n, concurrency int, asJSON bool) error {
	orders, err := loadOrders(ordersFile, n)
	if err != nil {
		return err
	}
	ctx := context.Background()
	env, err := orderflowtest.Start(ctx)
	if err != nil {
		return err
	}
	defer env.Close()
	if !asJSON {
		fmt.Println("Sandboxes on 127.0.0.1: HubSpot", env.HubSpot.URL, "· Shopify", env.Shopify.URL, "· Xero", env.Xero.URL, "· Shippo", env.Shippo.URL)
	}
	passes := []string{"first run"}
	if ordersFile == "" && n == 0 {
		passes = append(passes, "the same orders again (nothing may change)")
	}
	for _, pass := range passes {
		if !asJSON {
			fmt.Printf("\n== %s: %d orders\n", pass, len(orders))
		}
		before := env.Calls()
		start := time.Now()
		results, latencies := process(ctx, env.Flow, orders, max(concurrency, 1))
		elapsed := time.Since(start)
		for _, r := range results {
			print(r, asJSON)
		}
		if !asJSON {
			summary(results, latencies, elapsed, diff(env.Calls(), before), env.Counts())
		}
	}
	if !asJSON {
		fmt.Println("\nMailbox (no SMTP configured):")
		for _, m := range env.Mailbox.Messages() {
			fmt.Printf("  to %s: %s\n", m.To, m.Subject)
		}
	}
	return nil
}

func loadOrders(file string, n int) ([]orderflow.Order, error) {
	if n > 0 {
		var out []orderflow.Order
		skus := []string{"TEE-BLK-M", "TEE-WHT-L", "MUG-001", "CABLE-3M"}
		for i := range n {
			out = append(out, orderflowtest.Order(fmt.Sprintf("G%05d", i),
				orderflow.Line{SKU: skus[i%len(skus)], Title: skus[i%len(skus)], Quantity: 1, UnitPrice: decimal.MustParse("19.90")}))
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
	var orders []orderflow.Order
	if err := json.Unmarshal(data, &orders); err != nil {
		return nil, fmt.Errorf("the orders file is not a JSON array of orders: %w", err)
	}
	return orders, nil
}

func process(ctx context.Context, f *orderflow.Flow, orders []orderflow.Order, concurrency int) ([]orderflow.Result, []time.Duration) {
	results := make([]orderflow.Result, len(orders))
	latencies := make([]time.Duration, len(orders))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, o := range orders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			results[i] = f.Process(ctx, o)
			latencies[i] = time.Since(start)
		}()
	}
	wg.Wait()
	return results, latencies
}

func print(r orderflow.Result, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		return
	}
	for _, s := range r.Steps {
		mark := "  ✓"
		if s.AlreadyDone {
			mark = "  = already done:"
		}
		fmt.Printf("order %s  %-8s%s %s\n", r.OrderID, s.Step, mark, s.Detail)
	}
	if r.Status == orderflow.Failed {
		fmt.Printf("order %s  FAILED: %s", r.OrderID, r.Reason)
		if len(r.Compensated) > 0 {
			fmt.Printf(" (undone: %s)", strings.Join(r.Compensated, ", "))
		}
		fmt.Println()
	}
}

func summary(results []orderflow.Result, lat []time.Duration, elapsed time.Duration, calls map[string]int, counts orderflowtest.Counts) {
	done := 0
	for _, r := range results {
		if r.Status == orderflow.Done {
			done++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("\n%-22s %d done, %d failed\n", "orders", done, len(results)-done)
	var vendors []string
	for v := range calls {
		vendors = append(vendors, v)
	}
	sort.Strings(vendors)
	for _, v := range vendors {
		fmt.Printf("%-22s %d\n", "API calls, "+v, calls[v])
	}
	fmt.Printf("%-22s p50 %s, p95 %s\n", "order latency", pct(0.50).Round(time.Millisecond), pct(0.95).Round(time.Millisecond))
	fmt.Printf("%-22s %.1f\n", "orders/s", float64(len(results))/elapsed.Seconds())
	fmt.Printf("%-22s %s\n", "in the sandboxes", counts)
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
