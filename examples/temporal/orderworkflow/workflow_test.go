package orderworkflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/govalues/decimal"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/inventory"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The testsuite's environments keep a few goroutines until the
		// process ends.
		goleak.IgnoreAnyFunction("go.temporal.io/sdk/internal.(*testWorkflowEnvironmentImpl).runBeforeTimeout"),
		goleak.IgnoreTopFunction("go.temporal.io/sdk/internal.(*coroutineState).initialYield"))
}

// quiet drops the SDK's log lines (an error line per injected failure).
var quiet = log.NewStructuredLogger(slog.New(slog.DiscardHandler))

var fastRetry = connector.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

func sandboxes(t *testing.T) *flowtest.Env {
	t.Helper()
	env, err := flowtest.Start(context.Background(), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	return env
}

func order(id, sku string, qty int) flow.Order {
	return flowtest.Order(id, inventory.OrderLine{SKU: sku, Title: sku, Quantity: qty, UnitPrice: decimal.MustParse("19.90")})
}

// run executes one order's workflow in the testsuite with acts registered.
func run(t *testing.T, register func(*testsuite.TestWorkflowEnvironment), o flow.Order) (flow.Result, error) {
	t.Helper()
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quiet)
	env := suite.NewTestWorkflowEnvironment()
	env.SetTestTimeout(time.Minute)
	env.RegisterWorkflow(OrderWorkflow)
	register(env)
	env.ExecuteWorkflow(OrderWorkflow, o)
	if !env.IsWorkflowCompleted() {
		t.Fatal("the workflow did not complete")
	}
	var res flow.Result
	err := env.GetWorkflowError()
	if err == nil {
		if gerr := env.GetWorkflowResult(&res); gerr != nil {
			t.Fatal(gerr)
		}
	}
	return res, err
}

func real(acts *Activities) func(*testsuite.TestWorkflowEnvironment) {
	return func(env *testsuite.TestWorkflowEnvironment) { env.RegisterActivity(acts) }
}

func TestHappyPath(t *testing.T) {
	sb := sandboxes(t)
	res, err := run(t, real(&Activities{Flow: sb.Flow}), order("T1", "MUG-001", 2))
	if err != nil || res.Status != flow.Done || len(res.Steps) != 6 || res.TrackingNumber == "" || res.InvoiceNumber == "" {
		t.Fatalf("result %+v, err %v", res, err)
	}
	want := flowtest.Counts{Contacts: 1, Deals: 1, Notes: 1, Invoices: 1, Labels: 1, StockAdjustments: 1, Emails: 1}
	if got := sb.Counts(); got != want {
		t.Fatalf("sandboxes hold %v, want %v", got, want)
	}
}

// flaky registers the real activities under their names, wrapped so that
// a share of attempts fail: half before calling the vendor (a timeout, a
// refused connection), half after the vendor committed (the worker died
// with the answer in hand). Temporal retries each.
func flaky(acts *Activities, rate float64, seed uint64, failures *atomic.Int64) func(*testsuite.TestWorkflowEnvironment) {
	rng := rand.New(rand.NewPCG(seed, 7))
	var mu = make(chan struct{}, 1)
	roll := func() float64 { mu <- struct{}{}; defer func() { <-mu }(); return rng.Float64() }
	wrap := func(step func(context.Context, StepInput) (StepOutput, error)) func(context.Context, StepInput) (StepOutput, error) {
		return func(ctx context.Context, in StepInput) (StepOutput, error) {
			if roll() < rate/2 {
				failures.Add(1)
				return StepOutput{}, errors.New("injected: the vendor could not be reached")
			}
			out, err := step(ctx, in)
			if err == nil && roll() < rate/2 {
				failures.Add(1)
				return StepOutput{}, errors.New("injected: the worker died after the vendor committed")
			}
			return out, err
		}
	}
	return func(env *testsuite.TestWorkflowEnvironment) {
		for name, step := range map[string]func(context.Context, StepInput) (StepOutput, error){
			"RecordOnCRM": acts.RecordOnCRM, "TakeStock": acts.TakeStock, "Invoice": acts.Invoice, "BuyLabel": acts.BuyLabel, "Fulfil": acts.Fulfil, "Notify": acts.Notify,
		} {
			env.RegisterActivityWithOptions(wrap(step), activity.RegisterOptions{Name: name})
		}
		env.RegisterActivityWithOptions(acts.Unfulfil, activity.RegisterOptions{Name: "Unfulfil"})
		env.RegisterActivityWithOptions(acts.VoidLabel, activity.RegisterOptions{Name: "VoidLabel"})
		env.RegisterActivityWithOptions(acts.VoidInvoice, activity.RegisterOptions{Name: "VoidInvoice"})
		env.RegisterActivityWithOptions(acts.Restock, activity.RegisterOptions{Name: "Restock"})
	}
}

// Activities failing at random, retried by Temporal: every order done,
// and exactly one of every record per order in the sandboxes.
func TestRandomFailuresRetriedNothingTwice(t *testing.T) {
	sb := sandboxes(t)
	acts := &Activities{Flow: sb.Flow}
	var failures atomic.Int64
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	const n = 20
	for i := range n {
		o := order(fmt.Sprintf("R%02d", i), []string{"TEE-BLK-M", "CABLE-3M", "MUG-001"}[i%3], 1+i%2)
		res, err := run(t, flaky(acts, 0.4, seed+uint64(i), &failures), o)
		if err != nil || res.Status != flow.Done {
			t.Fatalf("order %s: %+v, %v", o.ID, res, err)
		}
	}
	want := flowtest.Counts{Contacts: n, Deals: n, Notes: n, Invoices: n, Labels: n, StockAdjustments: n, Emails: n}
	if got := sb.Counts(); got != want {
		t.Fatalf("after %d injected failures the sandboxes hold %v, want %v", failures.Load(), got, want)
	}
	if failures.Load() < n {
		t.Fatalf("only %d failures injected: the test did not test what it claims", failures.Load())
	}
	t.Logf("%d orders, %d injected failures, nothing twice", n, failures.Load())
}

// Out of stock is not retried: the saga puts the stock back, and nothing
// is invoiced or shipped.
func TestNonRetryableFailureCompensates(t *testing.T) {
	sb := sandboxes(t)
	var attempts atomic.Int64
	acts := &Activities{Flow: sb.Flow}
	var suite testsuite.WorkflowTestSuite
	suite.SetLogger(quiet)
	env := suite.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(OrderWorkflow)
	env.RegisterActivity(acts)
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, _ converter.EncodedValues) {
		if info.ActivityType.Name == "TakeStock" {
			attempts.Add(1)
		}
	})
	env.ExecuteWorkflow(OrderWorkflow, order("X1", "LAST-ONE", 2))
	var res flow.Result
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if err := env.GetWorkflowResult(&res); err != nil {
		t.Fatal(err)
	}
	if res.Status != flow.Failed || !strings.Contains(res.Reason, "out of stock: LAST-ONE") || strings.Join(res.Compensated, ",") != "restocked" {
		t.Fatalf("result %+v", res)
	}
	if attempts.Load() != 1 {
		t.Fatalf("TakeStock ran %d times: a failure for good must not be retried", attempts.Load())
	}
	item, _ := sb.Flow.Items.GetBySKU(context.Background(), "LAST-ONE")
	if got := sb.Shopify.Available(item.ID, sb.Shopify.LocationID()); got != 1 {
		t.Fatalf("available %d, want 1 after restocking", got)
	}
	if c := sb.Counts(); c.Invoices != 0 || c.Labels != 0 || c.Emails != 0 {
		t.Fatalf("counts %v", c)
	}
}

// A refused label fails the order at the label step; the saga voids the
// invoice and restocks, newest first.
func TestLabelRefusedRunsTheSagaBackwards(t *testing.T) {
	sb := sandboxes(t)
	sb.Shippo.FailLabels(true)
	res, err := run(t, real(&Activities{Flow: sb.Flow}), order("X2", "CABLE-3M", 4))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != flow.Failed || !strings.HasPrefix(res.Reason, "label:") || strings.Join(res.Compensated, ",") != "invoice voided,restocked" {
		t.Fatalf("result %+v", res)
	}
	item, _ := sb.Flow.Items.GetBySKU(context.Background(), "CABLE-3M")
	if got := sb.Shopify.Available(item.ID, sb.Shopify.LocationID()); got != 1000 {
		t.Fatalf("available %d, want 1000", got)
	}
}

// One order, one workflow, ever.
func TestStartOptions(t *testing.T) {
	o := StartOptions(flow.Order{ID: "1001"})
	if o.ID != "order-1001" || o.WorkflowIDReusePolicy != enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE ||
		o.WorkflowIDConflictPolicy != enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL || o.TaskQueue == "" {
		t.Fatalf("%+v", o)
	}
}
