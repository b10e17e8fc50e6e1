package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Records are values kept under a (kind, key) pair: what a flow journal
// needs (kind "step", key order id and step; kind "outcome", key order id).
// Values are opaque bytes, JSON by convention.

// Put stores value under (kind, key), replacing what was there.
func (d *DB) Put(ctx context.Context, kind, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO patchbay_records (kind, key, value, updated_ms) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`,
		kind, key, value, d.ms())
	if err != nil {
		return fmt.Errorf("sqlstore: putting %s record: %w", kind, err)
	}
	return nil
}

// Get returns the value under (kind, key), and false if there is none.
func (d *DB) Get(ctx context.Context, kind, key string) ([]byte, bool, error) {
	var value []byte
	err := d.db.QueryRowContext(ctx, `SELECT value FROM patchbay_records WHERE kind = $1 AND key = $2`, kind, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlstore: getting %s record: %w", kind, err)
	}
	if value == nil {
		value = []byte{}
	}
	return value, true, nil
}

// Delete removes the value under (kind, key), if any.
func (d *DB) Delete(ctx context.Context, kind, key string) error {
	if _, err := d.db.ExecContext(ctx, `DELETE FROM patchbay_records WHERE kind = $1 AND key = $2`, kind, key); err != nil {
		return fmt.Errorf("sqlstore: deleting %s record: %w", kind, err)
	}
	return nil
}
