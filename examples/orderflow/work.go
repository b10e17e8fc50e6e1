package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// Leases and backoff of the service loop.
const (
	// leaseFor is how long a taken order is this worker's unless it
	// extends the lease, which it does every leaseFor/3 while it runs the
	// order: a worker that died leaves its order to another within it.
	leaseFor = 15 * time.Second
	// idlePoll is how often an idle worker looks for orders another
	// process added (its own intake wakes it at once).
	idlePoll = 250 * time.Millisecond
	// maxBackoff bounds the wait before an open order is run again: a
	// vendor down recovers in minutes. Under -faults, where faults are
	// brief by design, faultsBackoff.
	maxBackoff    = time.Minute
	faultsBackoff = 5 * time.Second
)

// work is the service loop: it takes orders from the inbox and runs them
// until ctx ends. An order that ended (done, or failed for good and
// undone) is marked done and passed to ended; one a vendor left open goes
// back to the inbox and is run again after a backoff that doubles with
// each attempt, until it ends. On stop, the order in flight is released at
// once for the next worker or process.
func work(ctx context.Context, f *flow.Flow, inbox *sqlstore.Inbox, wake <-chan struct{}, worker string, backoffCap time.Duration,
	out *report, ended func(timed)) error {
	for ctx.Err() == nil {
		item, err := inbox.Take(ctx, worker, leaseFor)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("taking an order from the inbox: %w", err)
		}
		if item == nil {
			select {
			case <-ctx.Done():
			case <-wake:
			case <-time.After(idlePoll):
			}
			continue
		}
		var o flow.Order
		if err := json.Unmarshal(item.Payload, &o); err != nil {
			// Not an order this program wrote: running it again cannot help.
			out.line(fmt.Sprintf("inbox %s/%s: not an order (%v); set aside", item.Source, item.ID, err))
			if err := inbox.Done(context.WithoutCancel(ctx), item); err != nil {
				return err
			}
			continue
		}
		stopExtending := extendWhileRunning(ctx, inbox, item)
		r := runOrders(ctx, f, []flow.Order{o}, 1, out)[0]
		stopExtending()
		// The inbox is told even when ctx ended: a stopping service
		// releases what it holds, as the lease would later.
		bg := context.WithoutCancel(ctx)
		if r.Status == flow.Failed && r.Open {
			wait := min(time.Second<<min(item.Attempt-1, 10), backoffCap)
			if ctx.Err() != nil {
				wait = 0
			}
			if err := inbox.Release(bg, item, wait); err != nil {
				return fmt.Errorf("releasing order %s: %w", o.ID, err)
			}
			continue
		}
		if err := inbox.Done(bg, item); err != nil {
			return fmt.Errorf("marking order %s done: %w", o.ID, err)
		}
		ended(r)
	}
	return nil
}

// extendWhileRunning extends item's lease every leaseFor/3 until the
// returned stop is called. A lease found lost is left so: the order runs
// on to its end (its steps' keys make another worker's run of it repeat
// nothing), and Done still records it.
func extendWhileRunning(ctx context.Context, inbox *sqlstore.Inbox, item *sqlstore.InboxItem) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(leaseFor / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if err := inbox.Extend(ctx, item, leaseFor); err != nil {
					return
				}
			}
		}
	}()
	return func() { close(done); <-exited }
}
