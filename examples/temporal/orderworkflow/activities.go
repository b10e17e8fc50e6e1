package orderworkflow

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// FailedType is the application error type of a step that failed for good:
// out of stock, an address no carrier serves, a vendor's validation error.
// Its retry policies list it as non-retryable, and its details carry the
// order's State, so the saga knows what to undo.
const FailedType = "OrderStepFailed"

// StepInput is what every activity gets: the order and what earlier steps
// made.
type StepInput struct {
	Order flow.Order
	State flow.State
}

// StepOutput is what a step made, and the state after it.
type StepOutput struct {
	Detail string
	State  flow.State
}

// Activities run the order flow's steps, one activity each, on the
// vendors a Flow is wired to. Every write inside carries an idempotency
// key derived from the order id (and the workflow id is the order id), so
// an activity Temporal retries after a worker died mid-call finds what the
// dead attempt made instead of making it twice.
type Activities struct {
	Flow *flow.Flow
}

func (a *Activities) RecordOnCRM(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.RecordOnCRM)
}

func (a *Activities) TakeStock(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.TakeStock)
}

func (a *Activities) Invoice(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.Invoice)
}

func (a *Activities) BuyLabel(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.BuyLabel)
}

func (a *Activities) Fulfil(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.Fulfil)
}

func (a *Activities) Notify(ctx context.Context, in StepInput) (StepOutput, error) {
	return a.run(ctx, in, a.Flow.Notify)
}

// The saga's compensations.

func (a *Activities) Unfulfil(ctx context.Context, in StepInput) error {
	defer heartbeat(ctx)()
	return a.Flow.Unfulfil(ctx, in.Order, &in.State)
}

func (a *Activities) VoidLabel(ctx context.Context, in StepInput) error {
	defer heartbeat(ctx)()
	return a.Flow.VoidLabel(ctx, in.Order, &in.State)
}

func (a *Activities) VoidInvoice(ctx context.Context, in StepInput) error {
	defer heartbeat(ctx)()
	return a.Flow.VoidInvoice(ctx, in.Order, &in.State)
}

func (a *Activities) Restock(ctx context.Context, in StepInput) error {
	defer heartbeat(ctx)()
	return a.Flow.Restock(ctx, in.Order, &in.State)
}

// heartbeat tells Temporal the attempt is alive, every HeartbeatEvery,
// until the returned stop is called: an attempt on a worker that died
// stops heartbeating, and after HeartbeatTimeout it is retried on another.
func heartbeat(ctx context.Context) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(HeartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			case <-done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return func() { close(done); <-exited }
}

// run runs one step. Only a first attempt may skip looking for an earlier
// attempt's work: Temporal's attempt count is the durable record that the
// order flow's journal is elsewhere (the workflow id is the order's, and a
// second workflow for one order is refused, so no other run shares the
// keys).
func (a *Activities) run(ctx context.Context, in StepInput, step func(context.Context, flow.Order, *flow.State) (string, error)) (StepOutput, error) {
	defer heartbeat(ctx)()
	st := in.State
	info := activity.GetInfo(ctx)
	// ScheduledTime is when the activity's first attempt was scheduled:
	// no attempt's work is older, so keyed lookups read back to it.
	st.NewKey, st.StepBegan = info.Attempt == 1, info.ScheduledTime
	detail, err := step(ctx, in.Order, &st)
	st.NewKey, st.StepBegan = false, time.Time{}
	if err != nil {
		if reason, ok := flow.IsPermanent(err); ok {
			return StepOutput{}, temporal.NewNonRetryableApplicationError(reason, FailedType, nil, st)
		}
		return StepOutput{}, err
	}
	return StepOutput{Detail: detail, State: st}, nil
}
