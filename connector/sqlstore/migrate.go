package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// migration is one schema version: the statements that make it from the
// version before, for each dialect.
type migration struct {
	sqlite, postgres []string
}

// migrations[i] makes version i+1. Append only: a released migration is
// never edited, since databases have already run it.
var migrations = []migration{
	// 1: the base.
	{
		sqlite: []string{
			`CREATE TABLE patchbay_oauth_tokens (
				name       TEXT PRIMARY KEY,
				token      TEXT NOT NULL,
				version    INTEGER NOT NULL,
				updated_ms INTEGER NOT NULL)`,
			`CREATE TABLE patchbay_webhook_seen (
				id         TEXT PRIMARY KEY,
				expires_ms INTEGER NOT NULL)`,
			`CREATE TABLE patchbay_records (
				kind       TEXT NOT NULL,
				key        TEXT NOT NULL,
				value      BLOB NOT NULL,
				updated_ms INTEGER NOT NULL,
				PRIMARY KEY (kind, key))`,
			`CREATE TABLE patchbay_inbox (
				source   TEXT NOT NULL,
				id       TEXT NOT NULL,
				payload  BLOB NOT NULL,
				added_ms INTEGER NOT NULL,
				done_ms  INTEGER,
				PRIMARY KEY (source, id))`,
		},
		postgres: []string{
			`CREATE TABLE patchbay_oauth_tokens (
				name       TEXT PRIMARY KEY,
				token      TEXT NOT NULL,
				version    BIGINT NOT NULL,
				updated_ms BIGINT NOT NULL)`,
			`CREATE TABLE patchbay_webhook_seen (
				id         TEXT PRIMARY KEY,
				expires_ms BIGINT NOT NULL)`,
			`CREATE TABLE patchbay_records (
				kind       TEXT NOT NULL,
				key        TEXT NOT NULL,
				value      BYTEA NOT NULL,
				updated_ms BIGINT NOT NULL,
				PRIMARY KEY (kind, key))`,
			`CREATE TABLE patchbay_inbox (
				source   TEXT NOT NULL,
				id       TEXT NOT NULL,
				payload  BYTEA NOT NULL,
				added_ms BIGINT NOT NULL,
				done_ms  BIGINT,
				PRIMARY KEY (source, id))`,
		},
	},
	// 2: inbox leases (an item is taken while available_ms is in the
	// future), retry counts, and the indexes Take and the seen-id pruning
	// scan by.
	{
		sqlite: []string{
			`ALTER TABLE patchbay_inbox ADD COLUMN available_ms INTEGER NOT NULL DEFAULT 0`,
			`ALTER TABLE patchbay_inbox ADD COLUMN lease_owner TEXT`,
			`ALTER TABLE patchbay_inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX patchbay_inbox_ready ON patchbay_inbox (added_ms) WHERE done_ms IS NULL`,
			`CREATE INDEX patchbay_webhook_seen_expiry ON patchbay_webhook_seen (expires_ms)`,
		},
		postgres: []string{
			`ALTER TABLE patchbay_inbox ADD COLUMN available_ms BIGINT NOT NULL DEFAULT 0`,
			`ALTER TABLE patchbay_inbox ADD COLUMN lease_owner TEXT`,
			`ALTER TABLE patchbay_inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
			`CREATE INDEX patchbay_inbox_ready ON patchbay_inbox (added_ms) WHERE done_ms IS NULL`,
			`CREATE INDEX patchbay_webhook_seen_expiry ON patchbay_webhook_seen (expires_ms)`,
		},
	},
	// 3: vendor budgets shared by processes: when each key's bucket is
	// full again, in Unix microseconds (Budgets).
	{
		sqlite:   []string{`CREATE TABLE patchbay_budgets (key TEXT PRIMARY KEY, tat_us INTEGER NOT NULL)`},
		postgres: []string{`CREATE TABLE patchbay_budgets (key TEXT PRIMARY KEY, tat_us BIGINT NOT NULL)`},
	},
}

// latest is the schema version this build runs on.
var latest = len(migrations)

// migrateLock keys the PostgreSQL advisory lock that serialises migrations
// of one database ("patchbay" in ASCII).
const migrateLock = 0x7061746368626179

// migrate brings the schema to version target in one transaction. On
// PostgreSQL a transaction-scoped advisory lock, taken before anything is
// read, makes concurrent Opens wait for each other instead of racing to
// create the same tables; SQLite's write lock (BEGIN IMMEDIATE) does the
// same.
// https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
func (d *DB) migrate(ctx context.Context, target int) error {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if d.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrateLock)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS patchbay_schema_version (version INTEGER NOT NULL)`); err != nil {
			return err
		}
		current, err := schemaVersion(ctx, tx)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := tx.ExecContext(ctx, `INSERT INTO patchbay_schema_version (version) VALUES (0)`); err != nil {
				return err
			}
			current, err = 0, nil
		}
		if err != nil {
			return err
		}
		if current > latest {
			return fmt.Errorf("the database is at schema version %d, newer than this build's %d: upgrade Patchbay", current, latest)
		}
		for v := current + 1; v <= target; v++ {
			stmts := migrations[v-1].sqlite
			if d.dialect == Postgres {
				stmts = migrations[v-1].postgres
			}
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("migration %d: %w", v, err)
				}
			}
		}
		if target > current {
			if _, err := tx.ExecContext(ctx, `UPDATE patchbay_schema_version SET version = $1`, target); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlstore: migrating the %s schema: %w", d.dialect, err)
	}
	return nil
}

// SchemaVersion reports the version the database's schema is at.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	v, err := schemaVersion(ctx, d.db)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: reading the schema version: %w", err)
	}
	return v, nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryRower) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM patchbay_schema_version`).Scan(&v)
	return v, err
}
