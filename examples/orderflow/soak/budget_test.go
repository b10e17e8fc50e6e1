package soak

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/internal/pgtest"
	"github.com/patchbay-go/patchbay/inventory"
)

// BenchmarkProcesses runs two (and four) orderflow processes on one
// standard shop (examples/sandboxes -shop-plan standard) and one
// PostgreSQL state, each with its own orders, and reports how much of the
// shop's budget they used together and how many answers the vendors
// refused: with the shop's budget shared through the state
// (-share-budgets shopify) and without (none), at concurrency 1, 8 and 32
// in each process.
//
//	make bench-processes
//	go test -run '^$' -bench 'Processes/processes=2' -benchtime 1x ./examples/orderflow/soak/
//
// PATCHBAY_BENCH_ORDERS sets the orders of each process (default 400).
// The budget used is the points the shop charged over what the plan gave
// in the run: its 2,000-point bucket plus 100 points a second.
func BenchmarkProcesses(b *testing.B) {
	n := 400
	if v, err := strconv.Atoi(os.Getenv("PATCHBAY_BENCH_ORDERS")); err == nil && v > 0 {
		n = v
	}
	dir := b.TempDir()
	bin := build(b, dir)
	for _, workerCount := range []int{2, 4} {
		for _, share := range []string{"shopify", "none"} {
			for _, concurrency := range []int{1, 8, 32} {
				b.Run(fmt.Sprintf("processes=%d/share=%s/concurrency=%d", workerCount, share, concurrency), func(b *testing.B) {
					runProcesses(b, bin, workerCount, n, concurrency, share)
				})
			}
		}
	}
}

func runProcesses(b *testing.B, bin map[string]string, workerCount, n, concurrency int, share string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	dir := b.TempDir()
	db := pgtest.URL(b)
	procs := &processes{t: b, dir: dir}
	defer procs.stopAll()
	envFile := filepath.Join(dir, "patchbay.env")
	procs.start("sandboxes", nil, bin["sandboxes"], "-env", envFile, "-shop-plan", "standard")
	vars := waitForVariables(b, ctx, envFile)
	control := vars["PATCHBAY_SANDBOXES_CONTROL"]
	stockUp(b, ctx, vars, workerCount*n)
	env := []string{"TMPDIR=" + dir}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	files := make([]string, workerCount)
	for p := range files {
		var orders []inventory.Order
		for i := range n {
			o := flowtest.Order(fmt.Sprintf("P%d-%05d", p+1, i), inventory.OrderLine{SKU: soakSKUs[i%len(soakSKUs)],
				Title: "bench", Quantity: 1, UnitPrice: decimal.MustParse("19.90")})
			o.Order.ID = o.ID
			orders = append(orders, o.Order)
		}
		data, err := json.Marshal(orders)
		if err != nil {
			b.Fatal(err)
		}
		files[p] = filepath.Join(dir, fmt.Sprintf("orders-%d.json", p+1))
		if err := os.WriteFile(files[p], data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	// Let the shop's bucket fill after the stock-up, as a plan's would
	// between busy hours.
	time.Sleep(2 * time.Second)
	before := counts(b, ctx, control)
	b.ResetTimer()
	start := time.Now()
	workers := make([]*process, workerCount)
	for p := range workers {
		workers[p] = procs.start(fmt.Sprintf("worker-%d", p+1), env, bin["orderflow"], "-orders", files[p],
			"-concurrency", strconv.Itoa(concurrency), "-state", db, "-share-budgets", share)
	}
	for _, w := range workers {
		select {
		case <-w.exited:
		case <-ctx.Done():
			procs.showLogs()
			b.Fatal("the workers did not finish")
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	after := counts(b, ctx, control)

	refused := after.ShopThrottled - before.ShopThrottled
	open := 0
	for _, w := range workers {
		out, _ := os.ReadFile(w.log)
		// An order whose stock the shop kept refusing stays open, for a
		// later run: only unshared processes leave some.
		m := regexp.MustCompile(`orders\s+(\d+) done, 0 failed(?:, (\d+) still open[^\n]*)?\n`).FindSubmatch(out)
		if m == nil {
			procs.showLogs()
			b.Fatalf("%s did not do its %d orders", w.name, n)
		}
		k, _ := strconv.Atoi(string(m[2]))
		if open += k; k > 0 && share != "none" {
			procs.showLogs()
			b.Fatalf("%s left %d orders open", w.name, k)
		}
		if m := regexp.MustCompile(`\(429s: (\d+)\)`).FindSubmatch(out); m != nil {
			k, _ := strconv.Atoi(string(m[1]))
			refused += k
		}
	}
	answers := 0
	for v, k := range after.Requests {
		answers += k - before.Requests[v]
	}
	points := after.ShopPoints - before.ShopPoints
	b.ReportMetric(float64(workerCount*n-open)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(open), "open")
	b.ReportMetric(100*points/(2000+100*elapsed.Seconds()), "%budget")
	b.ReportMetric(float64(refused), "refused")
	b.ReportMetric(100*float64(refused)/float64(max(answers, 1)), "%refused")
	b.Logf("%d orders (%d left open) in %v: %.0f points charged, %d answers, %d refused (%s)", workerCount*n, open, elapsed.Round(time.Millisecond), points, answers, refused,
		strings.TrimSpace(fmt.Sprint(after.Requests)))
}
