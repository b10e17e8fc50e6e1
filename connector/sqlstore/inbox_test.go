package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/sqlstore"
)

// A webhook and a reconciliation poll of one order make one entry; Take
// leases it; Done ends it for good.
func TestInboxDedupTakeDone(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		in := open(t, dsn).Inbox()

		added, err := in.Add(ctx, "shopify", "1001", []byte(`{"via":"webhook"}`))
		require.NoError(t, err)
		require.True(t, added)
		added, err = in.Add(ctx, "shopify", "1001", []byte(`{"via":"poll"}`))
		require.NoError(t, err)
		require.False(t, added, "the poll made a second entry")
		added, err = in.Add(ctx, "woocommerce", "1001", nil) // another platform's order 1001
		require.NoError(t, err)
		require.True(t, added)
		depth, err := in.Depth(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, depth)

		it, err := in.Take(ctx, "w1", time.Minute)
		require.NoError(t, err)
		require.NotNil(t, it)
		require.Equal(t, "shopify", it.Source, "oldest first")
		require.Equal(t, `{"via":"webhook"}`, string(it.Payload), "the first payload is kept")
		require.Equal(t, 1, it.Attempt)
		require.Equal(t, "w1", it.Worker)

		it2, err := in.Take(ctx, "w2", time.Minute)
		require.NoError(t, err)
		require.NotNil(t, it2)
		require.Equal(t, "woocommerce", it2.Source)
		none, err := in.Take(ctx, "w3", time.Minute)
		require.NoError(t, err)
		require.Nil(t, none, "a leased item was taken twice")

		require.NoError(t, in.Done(ctx, it))
		require.NoError(t, in.Done(ctx, it), "Done is idempotent")
		depth, err = in.Depth(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, depth, "taken but not done still counts")
		added, err = in.Add(ctx, "shopify", "1001", nil)
		require.NoError(t, err)
		require.False(t, added, "a done order came back")
		require.ErrorIs(t, in.Release(ctx, it, 0), sqlstore.ErrLeaseLost, "a done item was released")
	})
}

// Workers in two processes taking at once never get the same item, and
// between them take every item.
func TestInboxConcurrentTakeNeverShares(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		inboxes := []*sqlstore.Inbox{open(t, dsn).Inbox(), open(t, dsn).Inbox()}
		const items = 40
		for i := range items {
			_, err := inboxes[0].Add(ctx, "shopify", fmt.Sprint(i), []byte("{}"))
			require.NoError(t, err)
		}
		var mu sync.Mutex
		taken := map[string]string{}
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				worker := fmt.Sprintf("w%d", w)
				for {
					it, err := inboxes[w%2].Take(ctx, worker, time.Minute)
					if !assert.NoError(t, err) || it == nil {
						return
					}
					mu.Lock()
					if prev, dup := taken[it.ID]; dup {
						t.Errorf("item %s taken by %s and %s", it.ID, prev, worker)
					}
					taken[it.ID] = worker
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Len(t, taken, items)
	})
}

// A worker that died leaves its item to be taken again once the lease
// runs out; the dead worker's late Release then changes nothing.
func TestInboxExpiredLeaseIsTakenAgain(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := open(t, dsn), open(t, dsn)
		clk := newClock(a, b)
		_, err := a.Inbox().Add(ctx, "shopify", "1001", []byte("{}"))
		require.NoError(t, err)

		dead, err := a.Inbox().Take(ctx, "dies", time.Minute)
		require.NoError(t, err)
		require.NotNil(t, dead)
		require.True(t, clk.Now().Add(time.Minute).Equal(dead.LeaseUntil), "lease until %v", dead.LeaseUntil)

		clk.Advance(59 * time.Second)
		it, err := b.Inbox().Take(ctx, "w2", time.Minute)
		require.NoError(t, err)
		require.Nil(t, it, "taken while the lease held")

		clk.Advance(2 * time.Second)
		it, err = b.Inbox().Take(ctx, "w2", time.Minute)
		require.NoError(t, err)
		require.NotNil(t, it, "the dead worker's item was not taken again")
		require.Equal(t, "1001", it.ID)
		require.Equal(t, 2, it.Attempt)

		require.ErrorIs(t, a.Inbox().Release(ctx, dead, 0), sqlstore.ErrLeaseLost)
		none, err := a.Inbox().Take(ctx, "w3", time.Minute)
		require.NoError(t, err)
		require.Nil(t, none, "the stale release freed the new lease")
		require.NoError(t, b.Inbox().Done(ctx, it))
		depth, err := a.Inbox().Depth(ctx)
		require.NoError(t, err)
		require.Zero(t, depth)
	})
}

// A released item comes back no sooner than retryAfter.
func TestInboxReleaseRetryAfter(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := open(t, dsn)
		clk := newClock(db)
		in := db.Inbox()
		_, err := in.Add(ctx, "shopify", "1001", []byte("{}"))
		require.NoError(t, err)

		it, err := in.Take(ctx, "w1", time.Hour)
		require.NoError(t, err)
		require.NoError(t, in.Release(ctx, it, 30*time.Second))

		clk.Advance(29 * time.Second)
		none, err := in.Take(ctx, "w1", time.Hour)
		require.NoError(t, err)
		require.Nil(t, none, "taken before retryAfter")

		clk.Advance(time.Second)
		again, err := in.Take(ctx, "w1", time.Hour)
		require.NoError(t, err)
		require.NotNil(t, again)
		require.Equal(t, 2, again.Attempt)

		// Release with no wait: free at once.
		require.NoError(t, in.Release(ctx, again, 0))
		third, err := in.Take(ctx, "w2", time.Hour)
		require.NoError(t, err)
		require.NotNil(t, third)
		require.Equal(t, 3, third.Attempt)
		depth, err := in.Depth(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, depth)
	})
}

// A worker that extends its lease keeps the item past the first lease;
// once the lease ran out and another took the item, Extend says so.
func TestInboxExtend(t *testing.T) {
	eachDialect(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := open(t, dsn), open(t, dsn)
		clk := newClock(a, b)
		_, err := a.Inbox().Add(ctx, "shopify", "1002", []byte("{}"))
		require.NoError(t, err)
		it, err := a.Inbox().Take(ctx, "w1", 10*time.Second)
		require.NoError(t, err)
		require.NotNil(t, it)

		clk.Advance(8 * time.Second)
		require.NoError(t, a.Inbox().Extend(ctx, it, 10*time.Second))
		clk.Advance(8 * time.Second) // 16 s after the take: past the first lease
		other, err := b.Inbox().Take(ctx, "w2", 10*time.Second)
		require.NoError(t, err)
		require.Nil(t, other, "taken while an extended lease held")

		clk.Advance(3 * time.Second) // the extended lease ran out
		other, err = b.Inbox().Take(ctx, "w2", 10*time.Second)
		require.NoError(t, err)
		require.NotNil(t, other)
		require.ErrorIs(t, a.Inbox().Extend(ctx, it, 10*time.Second), sqlstore.ErrLeaseLost)
		require.NoError(t, b.Inbox().Extend(ctx, other, 10*time.Second))
	})
}
