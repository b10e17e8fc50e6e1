package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Put is an upsert under (kind, key); Get sees it from another process;
// kinds are separate; Delete removes.
func TestRecords(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, other := open(t, dsn), open(t, dsn)

		_, ok, err := db.Get(ctx, "step", "1001/invoice")
		require.NoError(t, err)
		require.False(t, ok)

		require.NoError(t, db.Put(ctx, "step", "1001/invoice", []byte(`{"Detail":"INV-1"}`)))
		require.NoError(t, db.Put(ctx, "outcome", "1001/invoice", []byte(`{"Status":"done"}`)))
		require.NoError(t, db.Put(ctx, "step", "1001/invoice", []byte(`{"Detail":"INV-2"}`)))
		require.NoError(t, db.Put(ctx, "step", "1001/label", nil))

		v, ok, err := other.Get(ctx, "step", "1001/invoice")
		require.NoError(t, err)
		require.True(t, ok)
		require.JSONEq(t, `{"Detail":"INV-2"}`, string(v))
		v, ok, err = other.Get(ctx, "outcome", "1001/invoice")
		require.NoError(t, err)
		require.True(t, ok)
		require.JSONEq(t, `{"Status":"done"}`, string(v))
		v, ok, err = other.Get(ctx, "step", "1001/label")
		require.NoError(t, err)
		require.True(t, ok, "an empty value is a value")
		require.Empty(t, v)

		require.NoError(t, other.Delete(ctx, "step", "1001/invoice"))
		_, ok, err = db.Get(ctx, "step", "1001/invoice")
		require.NoError(t, err)
		require.False(t, ok)
		_, ok, err = db.Get(ctx, "outcome", "1001/invoice")
		require.NoError(t, err)
		require.True(t, ok)
	})
}
