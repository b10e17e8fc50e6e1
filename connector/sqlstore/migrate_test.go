package sqlstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/sqlstore"
)

// An empty database gets the latest schema; opening it again changes
// nothing and keeps what is stored.
func TestMigrateFromEmpty(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		v, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, sqlstore.Latest, v)
		require.Equal(t, 3, sqlstore.Latest, "a new migration needs its own upgrade test")
		require.NoError(t, db.Put(ctx, "k", "a", []byte("kept")))

		again := open(t, dsn)
		v, err = again.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, sqlstore.Latest, v)
		got, ok, err := again.Get(ctx, "k", "a")
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "kept", string(got))
	})
}

// Several processes opening a new database at once all succeed: one
// migrates, the others wait for it and find the schema done.
func TestMigrateConcurrentOpen(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		const n = 4
		var wg sync.WaitGroup
		errs := make([]error, n)
		dbs := make([]*sqlstore.DB, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dbs[i], errs[i] = sqlstore.Open(context.Background(), dsn)
			}()
		}
		wg.Wait()
		for i := range n {
			if assert.NoError(t, errs[i]) {
				v, err := dbs[i].SchemaVersion(context.Background())
				assert.NoError(t, err)
				assert.Equal(t, sqlstore.Latest, v)
				dbs[i].Close()
			}
		}
	})
}

// A database an older build left at version 1, holding a token and a
// waiting order, is upgraded to version 2 (inbox leases) with both kept,
// and the order can be taken.
func TestMigrateFromV1(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old, err := sqlstore.OpenAt(ctx, dsn, 1)
		require.NoError(t, err)
		v, err := old.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		// Version 1 has no lease columns: write as that build did.
		_, err = old.Raw().ExecContext(ctx, `INSERT INTO patchbay_inbox (source, id, payload, added_ms) VALUES ('shopify', '1001', $1, 5)`, []byte(`{"n":1}`))
		require.NoError(t, err)
		_, err = old.Raw().ExecContext(ctx, `SELECT available_ms FROM patchbay_inbox`)
		require.Error(t, err, "version 1 must not have the version 2 columns")
		ver, err := old.TokenStore("xero").Save(ctx, &oauth2.Token{AccessToken: "a1", RefreshToken: "r1"}, 0)
		require.NoError(t, err)
		require.NoError(t, old.Close())

		db := open(t, dsn)
		v, err = db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, sqlstore.Latest, v)
		tok, got, err := db.TokenStore("xero").Load(ctx)
		require.NoError(t, err)
		require.Equal(t, ver, got)
		require.Equal(t, "r1", tok.RefreshToken)
		depth, err := db.Inbox().Depth(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, depth)
		it, err := db.Inbox().Take(ctx, "w1", time.Minute)
		require.NoError(t, err)
		require.NotNil(t, it)
		require.Equal(t, "1001", it.ID)
		require.Equal(t, `{"n":1}`, string(it.Payload))
		require.Equal(t, 1, it.Attempt)
	})
}

// A database a newer build migrated is refused, not run on.
func TestMigrateRefusesNewerSchema(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		_, err := db.Raw().ExecContext(ctx, `UPDATE patchbay_schema_version SET version = 99`)
		require.NoError(t, err)
		_, err = sqlstore.Open(ctx, dsn)
		require.ErrorContains(t, err, "schema version 99")
	})
}

// A DSN Open cannot use is refused, and its password is not echoed.
func TestOpenRejectsBadDSN(t *testing.T) {
	for _, dsn := range []string{"mysql://u:SENTINEL-pw@h/db", "sqlite::memory:", "file::memory:?cache=shared", "",
		"postgres://u:SENTINEL-pw@127.0.0.1:1/db?connect_timeout=2", "postgres://u:SENTINEL-pw@127.0.0.1:1/db?sslmode=bogus"} {
		_, err := sqlstore.Open(context.Background(), dsn)
		require.Error(t, err, dsn)
		require.NotContains(t, err.Error(), "SENTINEL-pw")
	}
}

// A database at version 2 gains the shared budgets (version 3), its inbox
// kept.
func TestMigrateFromV2(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		old, err := sqlstore.OpenAt(ctx, dsn, 2)
		require.NoError(t, err)
		_, err = old.Inbox().Add(ctx, "shopify", "1002", []byte(`{"n":2}`))
		require.NoError(t, err)
		_, err = old.Raw().ExecContext(ctx, `SELECT tat_us FROM patchbay_budgets`)
		require.Error(t, err, "version 2 must not have the budgets")
		require.NoError(t, old.Close())

		db := open(t, dsn)
		v, err := db.SchemaVersion(ctx)
		require.NoError(t, err)
		require.Equal(t, 3, v)
		depth, err := db.Inbox().Depth(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, depth)
		wait, err := db.Budgets().Take(ctx, "shippo:acct", connector.Limit{Burst: 1, PerSecond: 1}, 1)
		require.NoError(t, err)
		require.Zero(t, wait)
	})
}
