// Package orderworkflow runs the order flow as a Temporal workflow: each
// step an activity with a retry policy that fits it, failures for good
// undone by a saga, and exactly-once writes through the same idempotency
// keys the in-process flow uses.
package orderworkflow

import (
	"errors"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// TaskQueue is where workers take order tasks from.
const TaskQueue = "patchbay-orders"

// WorkflowID is the id of an order's workflow: one order, one workflow
// (the starter refuses a duplicate), so the keys derived from the order id
// are the workflow's alone.
func WorkflowID(orderID string) string { return "order-" + orderID }

// retry is the policy every step starts from: vendors recover within
// minutes, and a step that keeps failing after an hour needs a person.
func retry(maxAttempts int32) *temporal.RetryPolicy {
	return &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		MaximumAttempts: maxAttempts, NonRetryableErrorTypes: []string{FailedType}}
}

// stepOptions fit each step:
//   - CRM and notify are cheap and safe to repeat: many attempts;
//   - stock, invoice and label write money or goods: fewer, longer
//     attempts, since each retry of a lost answer also looks the write up;
//   - every step's start-to-close bounds one attempt, well over the
//     connectors' own per-call retries;
//   - every attempt heartbeats (HeartbeatEvery): one on a worker that died
//     is retried on another after HeartbeatTimeout, in seconds, not at
//     the end of its start-to-close.
var stepOptions = map[string]workflow.ActivityOptions{
	flow.StepCRM:     {StartToCloseTimeout: time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(30)},
	flow.StepStock:   {StartToCloseTimeout: time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(20)},
	flow.StepInvoice: {StartToCloseTimeout: 2 * time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(20)},
	flow.StepLabel:   {StartToCloseTimeout: 2 * time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(20)},
	flow.StepFulfil:  {StartToCloseTimeout: time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(30)},
	flow.StepNotify:  {StartToCloseTimeout: time.Minute, HeartbeatTimeout: HeartbeatTimeout, RetryPolicy: retry(50)},
}

// HeartbeatTimeout is how long an attempt may go without a heartbeat
// before Temporal counts its worker dead and retries it elsewhere;
// HeartbeatEvery is how often a running attempt sends one.
const (
	HeartbeatTimeout = 5 * time.Second
	HeartbeatEvery   = time.Second
)

// compensationOptions: an undo must happen, so it retries until it does
// (for a day), on a context that survives the workflow's cancellation.
var compensationOptions = workflow.ActivityOptions{StartToCloseTimeout: 2 * time.Minute, HeartbeatTimeout: HeartbeatTimeout,
	RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	ScheduleToCloseTimeout: 24 * time.Hour}

// OrderWorkflow takes an order through CRM, stock, invoice, label and
// notification. A step that fails for good (FailedType) ends the order as
// failed after the saga has undone, newest first, what earlier steps did.
// A step whose retries run out fails the workflow, compensation included,
// with the step's error.
func OrderWorkflow(ctx workflow.Context, o flow.Order) (flow.Result, error) {
	var a *Activities
	res := flow.Result{OrderID: o.ID}
	st := flow.State{}
	var saga []compensation
	steps := []workflowStep{
		{flow.StepCRM, a.RecordOnCRM, compensation{}},
		{flow.StepStock, a.TakeStock, compensation{"restocked", a.Restock, func(s flow.State) bool { return s.StockTaken }}},
		{flow.StepInvoice, a.Invoice, compensation{"invoice voided", a.VoidInvoice, func(s flow.State) bool { return s.InvoiceID != "" }}},
		{flow.StepLabel, a.BuyLabel, compensation{"label voided", a.VoidLabel, func(s flow.State) bool { return s.LabelID != "" }}},
		{flow.StepFulfil, a.Fulfil, compensation{"fulfilment cancelled", a.Unfulfil, func(s flow.State) bool { return s.FulfilmentID != "" }}},
		{flow.StepNotify, a.Notify, compensation{}},
	}
	// The fulfil step came after workflows had run: one started before it
	// replays its history without it.
	// https://docs.temporal.io/develop/go/versioning#patching
	if workflow.GetVersion(ctx, "fulfil-step", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		steps = slices.DeleteFunc(steps, func(s workflowStep) bool { return s.name == flow.StepFulfil })
	}
	for _, s := range steps {
		var out StepOutput
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, stepOptions[s.name]), s.run, StepInput{Order: o, State: st}).Get(ctx, &out)
		if err != nil {
			var failed *temporal.ApplicationError
			if errors.As(err, &failed) && failed.Type() == FailedType {
				// A step can make something and then fail for good (stock
				// taken, then found short): its own undo joins the saga.
				var left flow.State
				if s.undo.run != nil && failed.HasDetails() && failed.Details(&left) == nil && s.undo.made(left) {
					saga = append(saga, s.undo)
					st = left
				}
				res.Status, res.Reason = flow.Failed, s.name+": "+failed.Message()
				res.Compensated, err = undo(ctx, o, st, saga)
				return res, err
			}
			res.Status, res.Reason = flow.Failed, s.name+": "+err.Error()
			_, _ = undo(ctx, o, st, saga)
			return res, err
		}
		st = out.State
		res.Steps = append(res.Steps, flow.StepResult{Step: s.name, Detail: out.Detail})
		if s.undo.run != nil {
			saga = append(saga, s.undo)
		}
	}
	res.Status = flow.Done
	res.InvoiceNumber, res.TrackingNumber, res.TrackingURL = st.InvoiceNumber, st.TrackingNumber, st.TrackingURL
	return res, nil
}

// workflowStep is one step of the order: its activity, and the undo of
// what it made.
type workflowStep struct {
	name string
	run  any
	undo compensation
}

// compensation is one undo in the saga.
type compensation struct {
	done string
	run  any
	made func(flow.State) bool // whether the step left something to undo
}

// undo runs the saga's compensations, newest first, each retried until it
// succeeds, on a context the workflow's cancellation does not reach.
func undo(ctx workflow.Context, o flow.Order, st flow.State, saga []compensation) ([]string, error) {
	ctx, _ = workflow.NewDisconnectedContext(ctx)
	ctx = workflow.WithActivityOptions(ctx, compensationOptions)
	var done []string
	var errs []error
	for i := len(saga) - 1; i >= 0; i-- {
		if err := workflow.ExecuteActivity(ctx, saga[i].run, StepInput{Order: o, State: st}).Get(ctx, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, saga[i].done)
	}
	return done, errors.Join(errs...)
}

// StartOptions makes the workflow id the order's and refuses a second
// workflow for one order, even after the first ended: the activities'
// idempotency keys come from the order id, and only one run may own them.
func StartOptions(o flow.Order) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: WorkflowID(o.ID), TaskQueue: TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL}
}
