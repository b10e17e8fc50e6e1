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
	"os"
	"os/signal"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flowenv"
	"github.com/patchbay-go/patchbay/examples/temporal/orderworkflow"
)

func main() {
	accounting := flag.String("accounting", "xero", "accounting vendor: xero or stripe")
	flag.Parse()
	if err := run(*accounting); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run(accounting string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	// Real accounts from the environment; a sandbox in this process only
	// for each system they leave empty.
	env := flowtest.NewEnv()
	defer env.Close()
	var sys flow.Systems
	env.Vendors = flowenv.Vendors{Accounting: accounting}
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

	c, err := client.Dial(client.Options{HostPort: orEnv("TEMPORAL_ADDRESS", "127.0.0.1:7233"), Namespace: orEnv("TEMPORAL_NAMESPACE", "default")})
	if err != nil {
		return fmt.Errorf("connecting to Temporal (TEMPORAL_ADDRESS): %w", err)
	}
	defer c.Close()
	w := worker.New(c, orderworkflow.TaskQueue, worker.Options{})
	w.RegisterWorkflow(orderworkflow.OrderWorkflow)
	w.RegisterActivity(&orderworkflow.Activities{Flow: env.Flow})
	fmt.Println("worker on task queue", orderworkflow.TaskQueue, "- Ctrl-C to stop")
	return w.Run(worker.InterruptCh())
}

func orEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
