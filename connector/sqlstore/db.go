package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // the "sqlite" database/sql driver, pure Go
)

// Dialect is the SQL a database speaks.
type Dialect int

const (
	SQLite   Dialect = iota + 1 // modernc.org/sqlite, driver name "sqlite"
	Postgres                    // pgx's database/sql driver, driver name "pgx"
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// sqliteParams are added to every SQLite DSN Open is given: WAL (readers do
// not block the writer), writers wait for each other rather than fail,
// foreign keys on, and transactions take the write lock when they begin, so
// that one never fails half-way to upgrade its lock.
// DSN parameters: https://pkg.go.dev/modernc.org/sqlite (Driver);
// https://www.sqlite.org/wal.html, https://www.sqlite.org/lang_transaction.html
const sqliteParams = "_pragma=busy_timeout(15000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// DB is a database holding Patchbay's state. It is safe for concurrent use.
type DB struct {
	db      *sql.DB
	dialect Dialect
	owned   bool             // Close closes db
	now     func() time.Time // the clock of leases and expiries

	mu    sync.Mutex
	locks map[string]chan struct{} // token refresh locks in this process, by name
}

// Open opens the database at dsn and brings its schema up to date.
//
//   - "sqlite:PATH" or "file:PATH[?params]": a SQLite file (created if
//     missing), through modernc.org/sqlite. An in-memory SQLite database is
//     refused: each pooled connection would see a database of its own; use
//     the memory stores instead.
//   - "postgres://..." or "postgresql://...": PostgreSQL, through pgx.
func Open(ctx context.Context, dsn string) (*DB, error) { return openAt(ctx, dsn, latest) }

func openAt(ctx context.Context, dsn string, version int) (*DB, error) {
	var driver, source string
	var dialect Dialect
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		driver, source, dialect = "pgx", dsn, Postgres
	case strings.HasPrefix(dsn, "sqlite:"), strings.HasPrefix(dsn, "file:"):
		name := strings.TrimPrefix(dsn, "sqlite:")
		if name == "" || strings.Contains(name, ":memory:") || strings.Contains(name, "mode=memory") {
			return nil, errors.New("sqlstore: an in-memory SQLite database is not supported: give a file path, or use the memory stores")
		}
		sep := "?"
		if strings.Contains(name, "?") {
			sep = "&"
		}
		driver, source, dialect = "sqlite", name+sep+sqliteParams, SQLite
	default:
		// Not echoed: a DSN can hold a password.
		return nil, errors.New("sqlstore: the DSN must start with sqlite:, file:, postgres:// or postgresql://")
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: opening %s: %w", dialect, err)
	}
	d, err := newDB(ctx, db, dialect, true, version)
	if err != nil {
		db.Close()
		return nil, err
	}
	return d, nil
}

// New uses a pool the caller opened, and brings its schema up to date.
// Close does not close db. A SQLite pool should be opened as Open does:
// with busy_timeout, WAL and _txlock=immediate (modernc.org/sqlite).
func New(ctx context.Context, db *sql.DB, dialect Dialect) (*DB, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", dialect)
	}
	return newDB(ctx, db, dialect, false, latest)
}

func newDB(ctx context.Context, db *sql.DB, dialect Dialect, owned bool, version int) (*DB, error) {
	d := &DB{db: db, dialect: dialect, owned: owned, now: time.Now, locks: map[string]chan struct{}{}}
	err := d.migrate(ctx, version)
	// Processes opening a new SQLite file at once: one may find it locked
	// while another switches it to WAL, a change SQLite's busy handler does
	// not wait out. The schema is migrated in one transaction, so trying
	// again is safe.
	for try := 1; err != nil && dialect == SQLite && strings.Contains(err.Error(), "SQLITE_BUSY") && try <= 5; try++ {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(try) * 50 * time.Millisecond):
		}
		err = d.migrate(ctx, version)
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Close closes the pool, if Open opened it.
func (d *DB) Close() error {
	if !d.owned {
		return nil
	}
	return d.db.Close()
}

// Dialect reports the SQL the database speaks.
func (d *DB) Dialect() Dialect { return d.dialect }

// inTx runs fn in a transaction, committed if fn returns nil.
func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

// ms is the store's time: Unix milliseconds from the process clock.
func (d *DB) ms() int64 { return d.now().UnixMilli() }
