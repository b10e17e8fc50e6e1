// Command e2e runs the order workflow on a real Temporal server: it starts
// `temporal server start-dev` on 127.0.0.1, one set of shared sandboxes
// (examples/sandboxes) and two worker processes, starts -n orders, kills
// one worker with SIGKILL while its activities are in flight, and checks
// in the sandboxes that every order ended exactly once: one contact,
// deal, note, invoice, label, stock movement and email per order. It
// reports orders/s and p50/p99 from start to completion. Everything it
// started is stopped, by pid, whether it passes or fails.
//
//	make e2e          # installs the Temporal CLI into .tools/ first
//	go run ./cmd/e2e -temporal ../../.tools/bin/temporal
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	var o options
	flag.StringVar(&o.temporal, "temporal", "temporal", "the Temporal CLI (go install github.com/temporalio/cli/cmd/temporal@v1.5.1)")
	flag.IntVar(&o.orders, "n", 200, "orders to run")
	flag.IntVar(&o.workers, "workers", 2, "worker processes")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after this long")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: FAILED:", err)
		os.Exit(1)
	}
	fmt.Println("e2e: passed")
}

type options struct {
	temporal        string
	orders, workers int
	timeout         time.Duration
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "patchbay-e2e-")
	if err != nil {
		return err
	}
	procs := &processes{dir: dir}
	defer func() {
		procs.stopAll()
		os.RemoveAll(dir)
	}()
	fail := func(err error) error {
		procs.showLogs()
		return err
	}

	step("building the worker and the shared sandboxes")
	worker, sandboxes := filepath.Join(dir, "worker"), filepath.Join(dir, "sandboxes")
	for _, b := range [][2]string{{worker, "./cmd/worker"}, {sandboxes, "github.com/patchbay-go/patchbay/examples/sandboxes"}} {
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			return fmt.Errorf("go build %s: %v\n%s", b[1], err, out)
		}
	}

	step("starting the Temporal dev server")
	temporalAddr, err := startTemporal(ctx, procs, o.temporal)
	if err != nil {
		return fail(err)
	}
	c, err := dialTemporal(ctx, temporalAddr)
	if err != nil {
		return fail(err)
	}
	defer c.Close()

	step("starting the shared sandboxes")
	envFile := filepath.Join(dir, "patchbay.env")
	// Vendors answer in tens of milliseconds over the internet: so do the
	// sandboxes here, or no activity would be in flight long enough to be
	// caught by the kill.
	if _, err := procs.start("sandboxes", nil, sandboxes, "-env", envFile, "-latency", "50ms"); err != nil {
		return fail(err)
	}
	vars, err := waitForFile(ctx, envFile)
	if err != nil {
		return fail(err)
	}

	env := []string{"TEMPORAL_ADDRESS=" + temporalAddr, "TMPDIR=" + dir}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	var workers []*process
	for i := range o.workers {
		p, err := procs.start(fmt.Sprintf("worker-%d", i+1), env, worker)
		if err != nil {
			return fail(err)
		}
		workers = append(workers, p)
		fmt.Printf("   worker-%d pid %d\n", i+1, p.cmd.Process.Pid)
	}

	step(fmt.Sprintf("starting %d orders", o.orders))
	runs, err := startOrders(ctx, c, o.orders)
	if err != nil {
		return fail(err)
	}
	results := waitAll(ctx, runs)

	// Kill a worker once the orders flow: its activities in flight are
	// retried on the other after the heartbeat timeout, under the same
	// idempotency keys.
	victim := workers[0]
	if err := waitCompleted(ctx, results, o.orders/4); err != nil {
		return fail(err)
	}
	pid := victim.cmd.Process.Pid
	if err := waitInFlight(ctx, c, runs, pid); err != nil {
		return fail(err)
	}
	if err := victim.kill(); err != nil {
		return fail(err)
	}
	inFlight := pendingOn(ctx, c, runs, pid)
	step(fmt.Sprintf("killed worker-1 (pid %d) with SIGKILL: %d activities in flight on it (%s)", pid, len(inFlight), strings.Join(first(inFlight, 5), ", ")))

	step("waiting for every order to end")
	sum, err := collect(ctx, results, o.orders)
	if err != nil {
		return fail(err)
	}
	fmt.Print(sum)
	moved, err := retriedAfterHeartbeatTimeout(ctx, c, runs, pid)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("   %d activities started on the killed worker were retried on another after their heartbeat timeout (%s)\n",
		len(moved), strings.Join(first(moved, 5), ", "))
	if len(moved) == 0 && len(inFlight) == 0 {
		return fail(fmt.Errorf("worker pid %d had no activity in flight when it was killed: the kill proved nothing", pid))
	}

	step("checking the sandboxes")
	h, err := holdings(ctx, vars["PATCHBAY_SANDBOXES_CONTROL"])
	if err != nil {
		return fail(err)
	}
	fmt.Printf("   the sandboxes hold: %d contacts, %d deals, %d notes, %d invoices, %d labels, %d stock adjustments, %d emails (%d deliveries)\n",
		h.Contacts, h.Deals, h.Notes, h.Invoices, h.Labels, h.StockAdjustments, h.Emails, h.Deliveries)
	want := sum.done
	for name, got := range map[string]int{"contacts": h.Contacts, "deals": h.Deals, "notes": h.Notes, "invoices": h.Invoices,
		"labels": h.Labels, "stock adjustments": h.StockAdjustments, "emails": h.Emails} {
		if got != want {
			return fail(fmt.Errorf("%d %s for %d orders done: each must be made exactly once", got, name, want))
		}
	}
	if sum.done != o.orders {
		return fail(fmt.Errorf("%d of %d orders done: %s", sum.done, o.orders, sum.firstFailure))
	}
	return nil
}

func step(msg string) { fmt.Printf("e2e: %s\n", msg) }

func first(s []string, n int) []string { return s[:min(n, len(s))] }

// Holdings is what examples/sandboxes answers on GET /counts.
type Holdings struct {
	Contacts, Deals, Notes, Invoices, Labels, StockAdjustments, Emails int
	Deliveries                                                         int
}

func holdings(ctx context.Context, control string) (Holdings, error) {
	var h Holdings
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, control+"/counts", nil)
	if err != nil {
		return h, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return h, fmt.Errorf("asking the sandboxes what they hold: %w", err)
	}
	defer resp.Body.Close()
	return h, json.NewDecoder(resp.Body).Decode(&h)
}
