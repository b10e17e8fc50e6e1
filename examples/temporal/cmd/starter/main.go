// Command starter starts one order workflow per order and prints how each
// ended. An order whose workflow already exists is not started again:
// the workflow id is the order's.
//
//	go run ./cmd/starter -orders ../orderflow/testdata/orders.json
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/temporal/orderworkflow"
)

func main() {
	file := flag.String("orders", "../orderflow/testdata/orders.json", "a JSON file of orders")
	flag.Parse()
	if err := run(*file); err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

func run(file string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("reading -orders: %w", err)
	}
	orders, err := flow.ParseOrders(data)
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: orEnv("TEMPORAL_ADDRESS", "127.0.0.1:7233"), Namespace: orEnv("TEMPORAL_NAMESPACE", "default")})
	if err != nil {
		return fmt.Errorf("connecting to Temporal (TEMPORAL_ADDRESS): %w", err)
	}
	defer c.Close()
	ctx := context.Background()
	var runs []client.WorkflowRun
	for _, o := range orders {
		run, err := c.ExecuteWorkflow(ctx, orderworkflow.StartOptions(o), orderworkflow.OrderWorkflow, o)
		var started *serviceerror.WorkflowExecutionAlreadyStarted
		if errors.As(err, &started) {
			fmt.Printf("order %s: already has a workflow; not started again\n", o.ID)
			continue
		}
		if err != nil {
			return err
		}
		runs = append(runs, run)
	}
	for _, run := range runs {
		var res flow.Result
		if err := run.Get(ctx, &res); err != nil {
			fmt.Printf("%s: %v\n", run.GetID(), err)
			continue
		}
		fmt.Printf("order %s: %s %s %s\n", res.OrderID, res.Status, res.Reason, res.TrackingNumber)
	}
	return nil
}

func orEnv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
