package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
)

// report prints what happens: a line per order step (or, for many orders,
// a progress bar and only the failures) and a summary.
type report struct {
	asJSON, bar bool
	out, status io.Writer // results; the progress bar
	mu          sync.Mutex
	total, done int
}

func newReport(asJSON, many bool) *report {
	return &report{asJSON: asJSON, bar: many && !asJSON && isTerminal(progress), out: output, status: progress}
}

// output is where results go, progress where the progress bar goes; tests
// replace them.
var (
	output   io.Writer = os.Stdout
	progress io.Writer = os.Stderr
)

// isTerminal reports whether w is a terminal. The bar redraws itself with
// control codes, which would garble a pipe or a file: there, every order's
// lines are printed instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (r *report) line(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.asJSON {
		// Standard output is the results, one JSON object each; a
		// service's notes (reconciliation, a refused webhook) go to
		// standard error, stamped as a service's log is.
		fmt.Fprintln(r.status, time.Now().UTC().Format(time.RFC3339Nano), s)
		return
	}
	if r.bar {
		fmt.Fprint(r.status, "\r\033[K")
	}
	fmt.Fprintln(r.out, s)
}

func (r *report) banner(env *flowtest.Env, moved []string) {
	if s := env.Sandboxes(); len(s) > 0 {
		r.line("Sandboxes on 127.0.0.1: " + strings.Join(s, " · "))
	}
	if len(moved) > 0 {
		r.line("From the environment, not the sandboxes: " + strings.Join(moved, ", "))
	}
}

func (r *report) section(title string) { r.line("\n== " + title) }

// timed is a result and how long the order took.
type timed struct {
	flow.Result
	took time.Duration
}

// runOrders processes orders, concurrency at a time, reporting each.
func runOrders(ctx context.Context, f *flow.Flow, orders []flow.Order, concurrency int, out *report) []timed {
	results := make([]timed, len(orders))
	out.mu.Lock()
	out.total, out.done = len(orders), 0
	out.mu.Unlock()
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, o := range orders {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			start := time.Now()
			res := f.Process(ctx, o)
			results[i] = timed{res, time.Since(start)}
			out.order(res)
		}()
	}
	wg.Wait()
	if out.bar {
		fmt.Fprintln(out.status)
	}
	return results
}

// order prints one order's steps, or moves the progress bar.
func (r *report) order(res flow.Result) {
	if r.asJSON {
		b, _ := json.Marshal(res)
		r.mu.Lock()
		fmt.Fprintln(r.out, string(b))
		r.mu.Unlock()
		return
	}
	var b strings.Builder
	if !r.bar {
		for _, s := range res.Steps {
			mark := "  ✓"
			if s.AlreadyDone {
				mark = "  = already done:"
			}
			fmt.Fprintf(&b, "order %s  %-8s%s %s\n", res.OrderID, s.Step, mark, s.Detail)
		}
	}
	if res.Status == flow.Failed {
		fmt.Fprintf(&b, "order %s  FAILED: %s", res.OrderID, res.Reason)
		if len(res.Compensated) > 0 {
			fmt.Fprintf(&b, " (undone: %s)", strings.Join(res.Compensated, ", "))
		}
		b.WriteString("\n")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done++
	if r.bar {
		fmt.Fprint(r.status, "\r\033[K")
	}
	fmt.Fprint(r.out, b.String())
	if r.bar {
		const width = 40
		filled := width * r.done / max(r.total, 1)
		fmt.Fprintf(r.status, "[%s%s] %d/%d orders", strings.Repeat("#", filled), strings.Repeat(".", width-filled), r.done, r.total)
	}
}

func (r *report) summary(results map[string]flow.Result, latency map[string]time.Duration, elapsed time.Duration,
	calls, failures map[string]int, counts flowtest.Counts) {
	if r.asJSON {
		return
	}
	done, failed, open := 0, 0, 0
	var lat []time.Duration
	for id, res := range results {
		lat = append(lat, latency[id])
		switch {
		case res.Status == flow.Done:
			done++
		case res.Open:
			open++
		default:
			failed++
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-24s %d done, %d failed", "orders", done, failed)
	if open > 0 {
		fmt.Fprintf(&b, ", %d still open (run again)", open)
	}
	b.WriteString("\n")
	total := 0
	for _, v := range sortedKeys(calls) {
		fmt.Fprintf(&b, "%-24s %d\n", "API calls, "+v, calls[v])
		total += calls[v]
	}
	if len(results) > 0 {
		fmt.Fprintf(&b, "%-24s %.1f\n", "API calls per order", float64(total)/float64(len(results)))
	}
	throttled, retried := 0, 0
	for k, v := range failures {
		retried += v
		if strings.HasSuffix(k, " 429") {
			throttled += v
		}
	}
	fmt.Fprintf(&b, "%-24s %d (429s: %d)", "answers retried", retried, throttled)
	if len(failures) > 0 {
		var parts []string
		for _, k := range sortedKeys(failures) {
			parts = append(parts, fmt.Sprintf("%s ×%d", k, failures[k]))
		}
		fmt.Fprintf(&b, ": %s", strings.Join(parts, ", "))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-24s p50 %s, p95 %s\n", "order latency", pct(0.50).Round(time.Millisecond), pct(0.95).Round(time.Millisecond))
	fmt.Fprintf(&b, "%-24s %.1f\n", "orders/s", float64(len(results))/elapsed.Seconds())
	fmt.Fprintf(&b, "%-24s %s\n", "in the sandboxes", counts)
	r.line(b.String())
}

func (r *report) mailbox(env *flowtest.Env, moved []string) {
	if r.asJSON || slices.Contains(moved, "SMTP") {
		return
	}
	msgs := env.Mailbox.Messages()
	r.line(fmt.Sprintf("Mailbox (no PATCHBAY_SMTP_URL set): %d messages", len(msgs)))
	for i, m := range msgs {
		if i == 10 {
			r.line(fmt.Sprintf("  ... and %d more", len(msgs)-10))
			break
		}
		r.line(fmt.Sprintf("  to %s: %s", m.To, m.Subject))
	}
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
