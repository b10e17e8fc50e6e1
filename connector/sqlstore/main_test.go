package sqlstore_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
	"github.com/patchbay-go/patchbay/internal/pgtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(pgtest.Main(m)) }

// eachDialect runs test on a new SQLite file and on a new PostgreSQL
// database. dsn opens the same database again: two DBs on one DSN stand in
// for two processes.
func eachDialect(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, "sqlite:"+filepath.Join(t.TempDir(), "patchbay.db"))
	})
	t.Run("postgres", func(t *testing.T) {
		test(t, pgtest.URL(t))
	})
}

// open opens dsn, closed when t ends.
func open(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

// clock is a settable time shared by several DBs.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(dbs ...*sqlstore.DB) *clock {
	c := &clock{t: time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)}
	for _, db := range dbs {
		db.SetNow(c.Now)
	}
	return c
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
