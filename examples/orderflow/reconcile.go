package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
)

// Reconciliation: Shopify says plainly that webhooks can be missed, and
// that an app must poll for what they did not bring.
// https://shopify.dev/docs/apps/build/webhooks/best-practices#implement-reconciliation-jobs

// cursorKind keys the poll's cursors in the state database, one per
// source (the key): the updated_at of the last order it saw, so that a
// restarted service goes on from there.
const cursorKind = "reconcile.cursor"

// reconciler polls a source's orders changed since its cursor and puts
// each in the inbox, which drops the ones a webhook already brought.
// Square retries a notification for 72 hours but says deliveries can
// still fail; WooCommerce never retries one: both need the poll too.
// https://developer.squareup.com/docs/webhooks/troubleshooting
// https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
type reconciler struct {
	source string           // "shopify" when empty: the inbox's source and the cursor's key
	orders inventory.Orders // the source's: shopify.Client.Orders, square.Client.Orders, ...
	db     *sqlstore.DB
	inbox  *sqlstore.Inbox
	wake   chan<- struct{}
	report func(string)
	added  int
}

// run polls every interval until ctx ends. A service started for the
// first time polls from its start, less a margin: the orders before it
// are not its to run.
func (rc *reconciler) run(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		pass, cancel := context.WithTimeout(ctx, passTimeout)
		err := rc.poll(pass)
		cancel()
		if err != nil && ctx.Err() == nil {
			// A vendor down is reported, and the next poll tries again from
			// the same cursor.
			rc.report("reconciliation of " + rc.src() + ": " + err.Error())
		}
	}
}

// src is the source polled.
func (rc *reconciler) src() string {
	if rc.source == "" {
		return inboxSource
	}
	return rc.source
}

// passTimeout bounds one pass: a connection that hangs past the client's
// own timeouts must not stop reconciliation for good, and the next pass
// goes on from the cursor this one left.
const passTimeout = 2 * time.Minute

// startCursor is where a service's first poll starts.
func startCursor(now time.Time) time.Time { return now.Add(-10 * time.Minute) }

// poll runs one reconciliation pass, moving the cursor on as it goes.
// The list is oldest change first, so the cursor can follow it: a pass
// that fails half-way (a page refused, the shop's budget spent) leaves
// the cursor at the last order it queued, and the next pass goes on from
// there instead of listing again all that this one listed.
func (rc *reconciler) poll(ctx context.Context) (err error) {
	since, err := rc.cursor(ctx)
	if err != nil {
		return err
	}
	last, saved := since, since
	save := func() error {
		if !last.After(saved) {
			return nil
		}
		// Every worker reconciles: one whose pass began further back
		// must not move the cursor back over another's progress.
		if stored, err := rc.cursor(ctx); err == nil && !stored.Before(last) {
			saved = last
			return nil
		}
		if err := rc.db.Put(ctx, cursorKind, rc.src(), []byte(last.UTC().Format(time.RFC3339Nano))); err != nil {
			return err
		}
		saved = last
		return nil
	}
	defer func() {
		if serr := save(); err == nil {
			err = serr
		}
	}()
	n := 0
	for so, err := range rc.orders.List(ctx, since) {
		if err != nil {
			if so == nil && errors.Is(err, connector.ErrInvalidResponse) {
				rc.report("reconciliation: " + err.Error()) // no order the flow can ship, as a rejected webhook
				continue
			}
			return err // the next pass goes on from the last order queued
		}
		o := flow.FromPlatform(rc.src(), so)
		payload, err := json.Marshal(o)
		if err != nil {
			return err
		}
		added, err := rc.inbox.Add(ctx, rc.src(), o.ID, payload)
		if err != nil {
			return err
		}
		if added {
			rc.added++
			rc.report(fmt.Sprintf("reconciliation: order %s had no webhook; queued", o.ID))
			select {
			case rc.wake <- struct{}{}:
			default:
			}
		}
		if so.UpdatedAt.After(last) {
			last = so.UpdatedAt
		}
		if n++; n%cursorEvery == 0 {
			if err := save(); err != nil {
				return err
			}
		}
	}
	return nil
}

// cursorEvery is how many orders a pass queues between two saves of its
// cursor.
const cursorEvery = 50

func (rc *reconciler) cursor(ctx context.Context) (time.Time, error) {
	b, ok, err := rc.db.Get(ctx, cursorKind, rc.src())
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		at := startCursor(time.Now())
		return at, rc.db.Put(ctx, cursorKind, rc.src(), []byte(at.UTC().Format(time.RFC3339Nano)))
	}
	return time.Parse(time.RFC3339Nano, string(b))
}
