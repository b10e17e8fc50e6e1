package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

// Reconciliation: Shopify says plainly that webhooks can be missed, and
// that an app must poll for what they did not bring.
// https://shopify.dev/docs/apps/build/webhooks/best-practices#implement-reconciliation-jobs

// cursorKind keys the poll's cursor in the state database: the updated_at
// of the last order it saw, so that a restarted service goes on from there.
const cursorKind = "reconcile.cursor"

// reconciler polls the shop's orders changed since its cursor and puts
// each in the inbox, which drops the ones a webhook already brought.
type reconciler struct {
	orders *shopify.OrdersService
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
		if err := rc.poll(ctx); err != nil && ctx.Err() == nil {
			// A vendor down is reported, and the next poll tries again from
			// the same cursor.
			rc.report("reconciliation: " + err.Error())
		}
	}
}

// startCursor is where a service's first poll starts.
func startCursor(now time.Time) time.Time { return now.Add(-10 * time.Minute) }

// poll runs one reconciliation pass and moves the cursor on.
func (rc *reconciler) poll(ctx context.Context) error {
	since, err := rc.cursor(ctx)
	if err != nil {
		return err
	}
	last := since
	for so, err := range rc.orders.List(ctx, shopify.OrderListOptions{UpdatedSince: since}) {
		if err != nil {
			if so == nil && errors.Is(err, connector.ErrInvalidResponse) {
				rc.report("reconciliation: " + err.Error()) // no order the flow can ship, as a rejected webhook
				continue
			}
			return err // the cursor stays where the last complete pass left it
		}
		o := fromShopify(so)
		payload, err := json.Marshal(o)
		if err != nil {
			return err
		}
		added, err := rc.inbox.Add(ctx, inboxSource, o.ID, payload)
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
	}
	if last.After(since) {
		return rc.db.Put(ctx, cursorKind, inboxSource, []byte(last.UTC().Format(time.RFC3339Nano)))
	}
	return nil
}

func (rc *reconciler) cursor(ctx context.Context) (time.Time, error) {
	b, ok, err := rc.db.Get(ctx, cursorKind, inboxSource)
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		at := startCursor(time.Now())
		return at, rc.db.Put(ctx, cursorKind, inboxSource, []byte(at.UTC().Format(time.RFC3339Nano)))
	}
	return time.Parse(time.RFC3339Nano, string(b))
}
