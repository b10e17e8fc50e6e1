package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/internal/pgtest"
)

// New runs on a pool the caller opened, migrates it, and leaves it open
// on Close.
func TestNewOnCallersPool(t *testing.T) {
	for _, tc := range []struct {
		name    string
		driver  string
		dsn     func(t *testing.T) string
		dialect sqlstore.Dialect
	}{
		{"sqlite", "sqlite", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "own.db") + "?_pragma=busy_timeout(5000)&_txlock=immediate"
		}, sqlstore.SQLite},
		{"postgres", "pgx", func(t *testing.T) string { return pgtest.URL(t) }, sqlstore.Postgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			pool, err := sql.Open(tc.driver, tc.dsn(t))
			require.NoError(t, err)
			defer pool.Close()
			db, err := sqlstore.New(ctx, pool, tc.dialect)
			require.NoError(t, err)
			require.Equal(t, tc.dialect, db.Dialect())
			v, err := db.SchemaVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, sqlstore.Latest, v)
			require.NoError(t, db.Close())
			require.NoError(t, pool.PingContext(ctx), "Close closed the caller's pool")
		})
	}
	_, err := sqlstore.New(context.Background(), nil, sqlstore.Dialect(9))
	require.Error(t, err)
}

// Open puts a SQLite file in WAL mode with foreign keys on.
func TestOpenSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	db := open(t, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	require.Equal(t, sqlstore.SQLite, db.Dialect())
	var mode string
	var fk, busy int
	require.NoError(t, db.Raw().QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
	require.NoError(t, db.Raw().QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk))
	require.NoError(t, db.Raw().QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy))
	require.Equal(t, "wal", mode)
	require.Equal(t, 1, fk)
	require.Equal(t, 15000, busy)
}
