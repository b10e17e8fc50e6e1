package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Budgets is a connector.SharedBudget in the database: the processes
// using it draw on one budget per vendor account, so that together they
// stay within it. Each key is one row, the time its bucket is full again
// (connector.GCRA), changed in a transaction that holds the row: of two
// processes taking the last units at once, one waits.
type Budgets struct{ d *DB }

var _ connector.SharedBudget = (*Budgets)(nil)

// Budgets returns the shared budgets of the database.
func (d *DB) Budgets() *Budgets { return &Budgets{d: d} }

// Take implements connector.SharedBudget.
func (b *Budgets) Take(ctx context.Context, key string, l connector.Limit, cost float64) (time.Duration, error) {
	if !l.Valid() {
		return 0, fmt.Errorf("sqlstore: budget %q: the limit needs Burst > 0 and PerSecond > 0", key)
	}
	var wait time.Duration
	err := b.d.inTx(ctx, func(tx *sql.Tx) error {
		tat, err := b.hold(ctx, tx, key)
		if err != nil {
			return err
		}
		next, w := connector.GCRA(tat, b.d.now(), l, cost)
		if wait = w; w > 0 {
			return nil
		}
		return b.store(ctx, tx, key, next)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlstore: taking from budget %q: %w", key, err)
	}
	return wait, nil
}

// Settle implements connector.SharedBudget.
func (b *Budgets) Settle(ctx context.Context, key string, l connector.Limit, charge, available float64) error {
	if !l.Valid() {
		return fmt.Errorf("sqlstore: budget %q: the limit needs Burst > 0 and PerSecond > 0", key)
	}
	err := b.d.inTx(ctx, func(tx *sql.Tx) error {
		tat, err := b.hold(ctx, tx, key)
		if err != nil {
			return err
		}
		return b.store(ctx, tx, key, connector.GCRASettle(tat, b.d.now(), l, charge, available))
	})
	if err != nil {
		return fmt.Errorf("sqlstore: settling budget %q: %w", key, err)
	}
	return nil
}

// hold reads key's row, made if missing, and keeps it to the transaction:
// FOR UPDATE on PostgreSQL; on SQLite the transaction holds the write
// lock from its start (_txlock=immediate).
func (b *Budgets) hold(ctx context.Context, tx *sql.Tx, key string) (time.Time, error) {
	if _, err := tx.ExecContext(ctx, `INSERT INTO patchbay_budgets (key, tat_us) VALUES ($1, 0) ON CONFLICT (key) DO NOTHING`, key); err != nil {
		return time.Time{}, err
	}
	q := `SELECT tat_us FROM patchbay_budgets WHERE key = $1`
	if b.d.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var us int64
	if err := tx.QueryRowContext(ctx, q, key).Scan(&us); err != nil {
		return time.Time{}, err
	}
	if us == 0 {
		return time.Time{}, nil
	}
	return time.UnixMicro(us), nil
}

func (b *Budgets) store(ctx context.Context, tx *sql.Tx, key string, tat time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE patchbay_budgets SET tat_us = $1 WHERE key = $2`, tat.UnixMicro(), key)
	return err
}
