package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
)

// Claim is true once per id until the id is released or expires.
func TestSeenStoreClaimRelease(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		s := open(t, dsn).SeenStore(time.Hour)
		first, err := s.Claim(ctx, "shopify:evt-1")
		require.NoError(t, err)
		require.True(t, first)
		first, err = s.Claim(ctx, "shopify:evt-1")
		require.NoError(t, err)
		require.False(t, first, "a redelivery was claimed again")
		first, err = s.Claim(ctx, "shopify:evt-2")
		require.NoError(t, err)
		require.True(t, first)

		require.NoError(t, s.Release(ctx, "shopify:evt-1"))
		require.NoError(t, s.Release(ctx, "never-claimed"))
		first, err = s.Claim(ctx, "shopify:evt-1")
		require.NoError(t, err)
		require.True(t, first, "a released id must be claimable again")
	})
}

// Of concurrent claims of one id from two processes, exactly one is first.
func TestSeenStoreConcurrentClaims(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		stores := []*sqlstore.SeenStore{open(t, dsn).SeenStore(time.Hour), open(t, dsn).SeenStore(time.Hour)}
		for round := range 5 {
			id := fmt.Sprintf("stripe:evt-%d", round)
			var firsts atomic.Int32
			var wg sync.WaitGroup
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					first, err := stores[i%2].Claim(context.Background(), id)
					if err != nil {
						t.Error(err)
					}
					if first {
						firsts.Add(1)
					}
				}()
			}
			wg.Wait()
			require.Equal(t, int32(1), firsts.Load(), "claims of %s that were first", id)
		}
	})
}

// An id is claimable again once its ttl has passed, and expired ids are
// deleted as claims go by.
func TestSeenStoreExpiry(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		clk := newClock(db)
		s := db.SeenStore(48 * time.Hour)
		for _, id := range []string{"a", "b", "c"} {
			first, err := s.Claim(ctx, id)
			require.NoError(t, err)
			require.True(t, first)
		}
		clk.Advance(47 * time.Hour)
		first, err := s.Claim(ctx, "a")
		require.NoError(t, err)
		require.False(t, first, "claimable again before its ttl")

		clk.Advance(2 * time.Hour)
		first, err = s.Claim(ctx, "a") // prunes b and c, renews a
		require.NoError(t, err)
		require.True(t, first, "an expired id must be claimable again")
		var rows int
		require.NoError(t, db.Raw().QueryRowContext(ctx, `SELECT count(*) FROM patchbay_webhook_seen`).Scan(&rows))
		require.Equal(t, 1, rows, "expired ids were not pruned")
		first, err = s.Claim(ctx, "a")
		require.NoError(t, err)
		require.False(t, first, "the renewed claim must hold")
	})
}

// An expired id is claimable again even before pruning deletes it (pruning
// runs at most once a minute).
func TestSeenStoreExpiredBeforePrune(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		clk := newClock(db)
		s := db.SeenStore(10 * time.Second)
		first, err := s.Claim(ctx, "x") // prunes (nothing) now
		require.NoError(t, err)
		require.True(t, first)
		clk.Advance(11 * time.Second)
		first, err = s.Claim(ctx, "x") // no prune: the last was 11 s ago
		require.NoError(t, err)
		require.True(t, first, "an expired id must be claimable again")
		first, err = s.Claim(ctx, "x")
		require.NoError(t, err)
		require.False(t, first)
	})
}
