package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/govalues/decimal"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow/flowtest"
	"github.com/patchbay-go/patchbay/examples/temporal/orderworkflow"
	"github.com/patchbay-go/patchbay/inventory"
)

// started is one order's workflow and when it was started.
type started struct {
	run client.WorkflowRun
	at  time.Time
}

// ended is how an order's workflow ended, and how long it took.
type ended struct {
	id     string
	result flow.Result
	err    error
	took   time.Duration
	at     time.Time
}

// startOrders starts one workflow per order, the orders spread over the
// catalogue's plentiful items.
func startOrders(ctx context.Context, c client.Client, n int) ([]started, error) {
	skus := []string{"TEE-BLK-M", "TEE-WHT-L", "MUG-001", "CABLE-3M"}
	var runs []started
	for i := range n {
		o := flowtest.Order(fmt.Sprintf("E2E%04d", i), inventory.OrderLine{SKU: skus[i%len(skus)], Title: skus[i%len(skus)], Quantity: 1,
			UnitPrice: decimal.MustParse("19.90")})
		at := time.Now()
		run, err := c.ExecuteWorkflow(ctx, orderworkflow.StartOptions(o), orderworkflow.OrderWorkflow, o)
		if err != nil {
			return nil, fmt.Errorf("starting order %s: %w", o.ID, err)
		}
		runs = append(runs, started{run, at})
	}
	return runs, nil
}

// results collects how the workflows end, as they end.
type results struct {
	mu    sync.Mutex
	ended []ended
}

func waitAll(ctx context.Context, runs []started) *results {
	r := &results{}
	for _, s := range runs {
		go func() {
			var res flow.Result
			err := s.run.Get(ctx, &res)
			now := time.Now()
			r.mu.Lock()
			r.ended = append(r.ended, ended{id: s.run.GetID(), result: res, err: err, took: now.Sub(s.at), at: now})
			r.mu.Unlock()
		}()
	}
	return r
}

func (r *results) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ended)
}

// waitCompleted waits until n workflows have ended.
func waitCompleted(ctx context.Context, r *results, n int) error {
	for r.count() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of the first %d orders ended: %w", r.count(), n, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// pendingOn lists the activities whose current attempt was started on the
// worker with that pid (Temporal's default worker identity is "pid@host@")
// and has not ended. Right after the worker is killed, these are its work
// in flight: they stay so until their heartbeat timeout moves them.
func pendingOn(ctx context.Context, c client.Client, runs []started, pid int) []string {
	prefix := fmt.Sprintf("%d@", pid)
	var mu sync.Mutex
	var out []string
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for _, s := range runs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			d, err := c.DescribeWorkflowExecution(ctx, s.run.GetID(), "")
			if err != nil {
				return
			}
			for _, a := range d.GetPendingActivities() {
				if a.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED && strings.HasPrefix(a.GetLastWorkerIdentity(), prefix) {
					mu.Lock()
					out = append(out, s.run.GetID()+"/"+a.GetActivityType().GetName())
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(out)
	return out
}

// waitInFlight waits until the worker with that pid runs an activity.
func waitInFlight(ctx context.Context, c client.Client, runs []started, pid int) error {
	for {
		if len(pendingOn(ctx, c, runs, pid)) > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("worker pid %d never ran an activity: %w", pid, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// retriedAfterHeartbeatTimeout lists the activities that ended on an
// attempt after the first whose previous attempt, on the worker with that
// pid, timed out on its heartbeat: the proof that work in flight on the
// killed worker moved to another.
func retriedAfterHeartbeatTimeout(ctx context.Context, c client.Client, runs []started, pid int) ([]string, error) {
	var out []string
	for _, s := range runs {
		it := c.GetWorkflowHistory(ctx, s.run.GetID(), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		scheduled := map[int64]string{}
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("reading the history of %s: %w", s.run.GetID(), err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil {
				scheduled[ev.GetEventId()] = a.GetActivityType().GetName()
			}
			a := ev.GetActivityTaskStartedEventAttributes()
			if a == nil || a.GetAttempt() < 2 {
				continue
			}
			if f := a.GetLastFailure(); f != nil && strings.Contains(strings.ToLower(f.String()), "heartbeat") &&
				!strings.HasPrefix(a.GetIdentity(), fmt.Sprintf("%d@", pid)) {
				out = append(out, s.run.GetID()+"/"+scheduled[a.GetScheduledEventId()])
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// summary is how the run ended.
type summary struct {
	done, failed int
	firstFailure string
	ordersPerSec float64
	p50, p99     time.Duration
}

func (s summary) String() string {
	return fmt.Sprintf("   orders: %d done, %d failed; %.1f orders/s; start to completion p50 %v, p99 %v\n",
		s.done, s.failed, s.ordersPerSec, s.p50.Round(time.Millisecond), s.p99.Round(time.Millisecond))
}

// collect waits for all n orders and sums them up.
func collect(ctx context.Context, r *results, n int) (summary, error) {
	if err := waitCompleted(ctx, r, n); err != nil {
		return summary{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var s summary
	var took []time.Duration
	var last time.Time
	for _, e := range r.ended {
		took = append(took, e.took)
		if e.at.After(last) {
			last = e.at
		}
		switch {
		case e.err == nil && e.result.Status == flow.Done:
			s.done++
		default:
			s.failed++
			if s.firstFailure == "" {
				s.firstFailure = fmt.Sprintf("%s: %v %s", e.id, e.err, e.result.Reason)
			}
		}
	}
	slices.Sort(took)
	pct := func(p float64) time.Duration { return took[min(len(took)-1, int(p*float64(len(took))))] }
	first := last
	for _, e := range r.ended {
		if start := e.at.Add(-e.took); start.Before(first) {
			first = start
		}
	}
	s.ordersPerSec = float64(n) / last.Sub(first).Seconds()
	s.p50, s.p99 = pct(0.50), pct(0.99)
	return s, nil
}
