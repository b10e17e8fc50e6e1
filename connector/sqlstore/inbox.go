package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrLeaseLost is returned by Release when the item's lease ran out and
// another worker took it meanwhile: that worker's lease stands.
var ErrLeaseLost = errors.New("sqlstore: the inbox item was taken again by another worker, or is done")

// Inbox is a queue of orders to process, one entry per (source, id): a
// webhook and a reconciliation poll that both bring an order make one
// entry. Workers take an item under a lease; one that dies leaves its
// item to be taken again when the lease runs out. On PostgreSQL workers in
// any number of processes take items with FOR UPDATE SKIP LOCKED, so no
// two ever hold one item.
type Inbox struct{ d *DB }

// Inbox returns the database's order inbox.
func (d *DB) Inbox() *Inbox { return &Inbox{d: d} }

// InboxItem is one taken entry.
type InboxItem struct {
	Source  string // the platform the order came from, e.g. "shopify"
	ID      string // the order's id there
	Payload []byte
	Added   time.Time
	// Attempt counts the takes of this item, this one included: above 1,
	// an earlier worker released it or died.
	Attempt int
	Worker  string
	// LeaseUntil is when another worker may take the item if this one has
	// neither finished nor released it.
	LeaseUntil time.Time
}

// Add puts an order in the inbox, and reports false if (source, id) was
// already there, waiting, taken or done.
func (b *Inbox) Add(ctx context.Context, source, id string, payload []byte) (added bool, err error) {
	if payload == nil {
		payload = []byte{}
	}
	res, err := b.d.db.ExecContext(ctx, `INSERT INTO patchbay_inbox (source, id, payload, added_ms, available_ms) VALUES ($1, $2, $3, $4, 0)
		ON CONFLICT (source, id) DO NOTHING`, source, id, payload, b.d.ms())
	if err != nil {
		return false, fmt.Errorf("sqlstore: adding to the inbox: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlstore: adding to the inbox: %w", err)
	}
	return n == 1, nil
}

// Take leases the oldest item that is not done and is free (never taken,
// released and past its retry time, or its lease ran out) to worker for
// lease. It returns nil and no error when there is none.
func (b *Inbox) Take(ctx context.Context, worker string, lease time.Duration) (*InboxItem, error) {
	if lease <= 0 {
		return nil, errors.New("sqlstore: Take needs a positive lease")
	}
	now := b.d.now()
	until := now.Add(lease)
	// One statement: on SQLite it runs under the write lock; on PostgreSQL
	// SKIP LOCKED passes over rows another transaction is taking, and the
	// locked row's conditions are checked again on its newest version.
	// https://www.postgresql.org/docs/current/sql-select.html#SQL-FOR-UPDATE-SHARE
	pick := `SELECT source, id FROM patchbay_inbox WHERE done_ms IS NULL AND available_ms <= $3
		ORDER BY added_ms, source, id LIMIT 1`
	if b.d.dialect == Postgres {
		pick += ` FOR UPDATE SKIP LOCKED`
	}
	row := b.d.db.QueryRowContext(ctx, `UPDATE patchbay_inbox SET lease_owner = $1, available_ms = $2, attempts = attempts + 1
		WHERE (source, id) = (`+pick+`)
		RETURNING source, id, payload, added_ms, attempts`, worker, until.UnixMilli(), now.UnixMilli())
	it := &InboxItem{Worker: worker, LeaseUntil: time.UnixMilli(until.UnixMilli())}
	var added int64
	err := row.Scan(&it.Source, &it.ID, &it.Payload, &added, &it.Attempt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: taking from the inbox: %w", err)
	}
	it.Added = time.UnixMilli(added)
	return it, nil
}

// Done marks the item processed: it is never taken again, and adding it
// again changes nothing. Done is idempotent, and succeeds even if the lease
// ran out meanwhile (the work is done; the flow's idempotency keys make a
// second worker's run of it repeat nothing).
func (b *Inbox) Done(ctx context.Context, item *InboxItem) error {
	_, err := b.d.db.ExecContext(ctx, `UPDATE patchbay_inbox SET done_ms = $3, lease_owner = NULL
		WHERE source = $1 AND id = $2 AND done_ms IS NULL`, item.Source, item.ID, b.d.ms())
	if err != nil {
		return fmt.Errorf("sqlstore: marking an inbox item done: %w", err)
	}
	return nil
}

// Release gives the item back, to be taken again no sooner than retryAfter
// from now. If the lease ran out and another worker took the item, nothing
// changes and Release returns ErrLeaseLost.
func (b *Inbox) Release(ctx context.Context, item *InboxItem, retryAfter time.Duration) error {
	at := b.d.now().Add(max(retryAfter, 0)).UnixMilli()
	res, err := b.d.db.ExecContext(ctx, `UPDATE patchbay_inbox SET available_ms = $3, lease_owner = NULL
		WHERE source = $1 AND id = $2 AND done_ms IS NULL AND attempts = $4`, item.Source, item.ID, at, item.Attempt)
	if err != nil {
		return fmt.Errorf("sqlstore: releasing an inbox item: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlstore: releasing an inbox item: %w", err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// Extend keeps a taken item this worker's for lease from now: a worker
// running an order longer than its lease extends it as it goes, so that
// the lease can be short and a dead worker's order is taken again soon.
// If the lease ran out and another worker took the item, or it is done,
// Extend returns ErrLeaseLost.
func (b *Inbox) Extend(ctx context.Context, item *InboxItem, lease time.Duration) error {
	until := b.d.now().Add(lease)
	res, err := b.d.db.ExecContext(ctx, `UPDATE patchbay_inbox SET available_ms = $3
		WHERE source = $1 AND id = $2 AND done_ms IS NULL AND attempts = $4 AND lease_owner = $5`,
		item.Source, item.ID, until.UnixMilli(), item.Attempt, item.Worker)
	if err != nil {
		return fmt.Errorf("sqlstore: extending an inbox lease: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return fmt.Errorf("sqlstore: extending an inbox lease: %w", err)
		}
		return ErrLeaseLost
	}
	item.LeaseUntil = time.UnixMilli(until.UnixMilli())
	return nil
}

// Depth counts the items not done: waiting, taken, or released to retry.
func (b *Inbox) Depth(ctx context.Context) (int, error) {
	var n int
	if err := b.d.db.QueryRowContext(ctx, `SELECT count(*) FROM patchbay_inbox WHERE done_ms IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: counting the inbox: %w", err)
	}
	return n, nil
}
