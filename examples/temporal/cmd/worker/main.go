// Command worker runs order workflows and their activities. It connects to
// Temporal at TEMPORAL_ADDRESS (default 127.0.0.1:7233, `temporal server
// start-dev`) in TEMPORAL_NAMESPACE (default "default").
//
// Vendors are configured as for examples/orderflow: the in-process
// sandboxes by default, or real accounts and other servers through the
// PATCHBAY_* variables. Run many workers against shared vendors (not the
// per-process sandboxes) to scale out: each takes tasks from the same
// queue.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/examples/temporal/orderworkflow"
)

func main() {
	var v flowenv.Vendors
	flag.StringVar(&v.CRM, "crm", "hubspot", "CRM vendor: hubspot or pipedrive")
	flag.StringVar(&v.Accounting, "accounting", "xero", "accounting vendor: xero, stripe or quickbooks")
	flag.StringVar(&v.Shipping, "shipping", "shippo", "shipping vendor: shippo, shipengine, shipstation or easypost")
	verbose := flag.Bool("v", false, "log at debug level")
	flag.Parse()
	if err := run(v, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(v flowenv.Vendors, verbose bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Real accounts (or shared sandboxes, examples/sandboxes) from the
	// environment; a sandbox in this process only for each system they
	// leave empty.
	env := flowtest.NewEnv()
	defer env.Close()
	var sys flow.Systems
	env.Vendors = v
	moved, err := flowenv.Configure(ctx, &sys, env.Vendors, env.HTTPClient(), nil)
	if err != nil {
		return err
	}
	if err := env.Fill(ctx, sys); err != nil {
		return err
	}
	fmt.Println("vendors from the environment:", moved)
	if s := env.Sandboxes(); len(s) > 0 {
		fmt.Println("sandboxes in this process:", s)
	}

	// Quiet by default: the SDK logs every poll at debug.
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	logger := log.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})))
	c, err := client.Dial(client.Options{HostPort: orEnv("TEMPORAL_ADDRESS", "127.0.0.1:7233"), Namespace: orEnv("TEMPORAL_NAMESPACE", "default"),
		Logger: logger})
	if err != nil {
		return fmt.Errorf("connecting to Temporal (TEMPORAL_ADDRESS): %w", err)
	}
	defer c.Close()
	w := worker.New(c, orderworkflow.TaskQueue, worker.Options{})
	w.RegisterWorkflow(orderworkflow.OrderWorkflow)
	w.RegisterActivity(&orderworkflow.Activities{Flow: env.Flow})
	fmt.Println("worker", os.Getpid(), "on task queue", orderworkflow.TaskQueue, "- Ctrl-C to stop")
	if err := w.Start(); err != nil {
		return err
	}
	<-ctx.Done()
	w.Stop() // finishes or hands back what is in flight
	return nil
}

func orEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
