package flow_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

// BenchmarkOrders runs orders through the four sandboxes, concurrency at a
// time, and reports orders/s and vendor calls per order, on a standard shop
// (100 query-cost points a second, which bounds long runs, as it would a
// real shop), an Advanced one (200), a Plus one (1,000), and with no cost limit at all, which
// shows what the flow and the sandboxes themselves can do.
//
//	go test -run '^$' -bench 'Orders|Loopback' -benchtime 400x ./examples/orderflow/flow/
//
// 400 orders of one 10-point adjustment are twice a standard shop's
// bucket; an Advanced shop needs 800 and a Plus one 4,000 for the bucket
// not to hold the whole run (%budget: the points charged over the
// bucket and the refill of the run).
func BenchmarkOrders(b *testing.B) {
	plans := []struct {
		name            string
		bucket, restore float64
	}{{"standard", 2000, 100}, {"advanced", 4000, 200}, {"plus", 20000, 1000}, {"unmetered", 1e12, 1e12}}
	for _, plan := range plans {
		for _, concurrency := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("shop=%s/concurrency=%d", plan.name, concurrency), func(b *testing.B) {
				benchOrders(b, concurrency, plan.bucket, plan.restore)
			})
		}
	}
}

func benchOrders(b *testing.B, concurrency int, bucket, restore float64) {
	{
		{
			env, err := flowtest.Start(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			defer env.Close()
			env.Shopify.SetPlan(bucket, restore)
			env.Shopify.AddProduct("Bench mug", "BENCH-MUG", b.N+1)
			orders := make(chan flow.Order, b.N)
			for i := range b.N {
				orders <- flowtest.Order(fmt.Sprintf("B%d-%06d", concurrency, i), line("BENCH-MUG", 1, "12.50"))
			}
			close(orders)
			var failed atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range concurrency {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for o := range orders {
						if r := env.Flow.Process(context.Background(), o); r.Status != flow.Done {
							failed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d orders failed", failed.Load())
			}
			calls := 0
			for _, c := range env.Calls() {
				calls += c
			}
			// Refused: the shop's THROTTLED answers and every vendor's
			// 429s, which pacing that uses the budget well avoids.
			refused := env.Shopify.Throttled()
			for what, n := range env.Failures() {
				if strings.HasSuffix(what, " 429") {
					refused += n
				}
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
			b.ReportMetric(float64(calls)/float64(b.N), "calls/order")
			b.ReportMetric(float64(refused), "refused")
			// The points the shop charged over what the plan gave in the
			// run: its bucket, full at the start, and the refill.
			if restore < 1e12 {
				b.ReportMetric(100*env.Shopify.Charged()/(bucket+restore*elapsed.Seconds()), "%budget")
			}
		}
	}
}

// BenchmarkLoopback is the ceiling on this machine: raw net/http requests
// to a 127.0.0.1 server answering a small JSON body, 32 at a time.
func BenchmarkLoopback(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"1","ok":true}`)
	}))
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	b.SetParallelism(16) // × GOMAXPROCS goroutines
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := client.Get(srv.URL)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}
