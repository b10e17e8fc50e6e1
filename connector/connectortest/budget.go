package connectortest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// TestSharedBudget is the contract of a connector.SharedBudget, run by
// each store: two returns two handles on one fresh store, as two
// processes would hold.
func TestSharedBudget(t *testing.T, two func(t *testing.T) (a, b connector.SharedBudget)) {
	ctx := context.Background()
	slow := connector.Limit{Burst: 5, PerSecond: 1}

	t.Run("SpentForEveryone", func(t *testing.T) {
		a, b := two(t)
		k := t.Name() + ":acct" // a store may outlive the subtest
		for i := range 5 {
			if wait := take(t, a, k, slow, 1); wait != 0 {
				t.Fatalf("take %d of a full bucket of 5 waits %v", i+1, wait)
			}
		}
		for _, h := range []connector.SharedBudget{a, b} {
			if wait := take(t, h, k, slow, 1); wait <= 0 || wait > time.Second {
				t.Fatalf("a spent bucket refilling 1 a second says wait %v, want (0, 1s]", wait)
			}
		}
		if wait := take(t, b, t.Name()+":other", slow, 1); wait != 0 {
			t.Fatalf("another account's budget waits %v: keys must not share", wait)
		}
	})

	t.Run("SettleGivesBack", func(t *testing.T) {
		a, b := two(t)
		k := t.Name() + ":acct" // a store may outlive the subtest
		if wait := take(t, a, k, slow, 5); wait != 0 {
			t.Fatalf("taking the whole bucket waits %v", wait)
		}
		if err := a.Settle(ctx, k, slow, -2, -1); err != nil {
			t.Fatal(err)
		}
		for i := range 2 {
			if wait := take(t, b, k, slow, 1); wait != 0 {
				t.Fatalf("take %d of the 2 given back waits %v", i+1, wait)
			}
		}
		if wait := take(t, b, k, slow, 1); wait <= 0 {
			t.Fatal("a third take after 2 were given back did not wait")
		}
	})

	t.Run("ReportOnlyLowers", func(t *testing.T) {
		a, b := two(t)
		k := t.Name() + ":acct" // a store may outlive the subtest
		if err := a.Settle(ctx, k, slow, 0, 0); err != nil {
			t.Fatal(err)
		}
		if wait := take(t, b, k, slow, 1); wait <= 0 {
			t.Fatal("the vendor reported nothing left, yet a take went")
		}
		if err := a.Settle(ctx, k, slow, 0, 5); err != nil {
			t.Fatal(err)
		}
		if wait := take(t, b, k, slow, 1); wait <= 0 {
			t.Fatal("a report of more than the budget holds raised it: calls in flight would be forgotten")
		}
	})

	t.Run("OverTheBucketWhenFull", func(t *testing.T) {
		a, _ := two(t)
		k := t.Name() + ":acct" // a store may outlive the subtest
		if wait := take(t, a, k, slow, 50); wait != 0 {
			t.Fatalf("a cost over the bucket on a full bucket waits %v: it would never go", wait)
		}
	})

	// Two handles taking at once never take more than the bucket and
	// its refill over the time they took.
	t.Run("ConcurrentNeverOver", func(t *testing.T) {
		a, b := two(t)
		k := t.Name() + ":acct" // a store may outlive the subtest
		fast := connector.Limit{Burst: 20, PerSecond: 100}
		var mu sync.Mutex
		taken := 0
		start := time.Now()
		var last time.Time
		var wg sync.WaitGroup
		for i := range 8 {
			h := []connector.SharedBudget{a, b}[i%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Since(start) < 300*time.Millisecond {
					wait, err := h.Take(ctx, k, fast, 1)
					if err != nil {
						t.Error(err)
						return
					}
					if wait == 0 {
						mu.Lock()
						taken++
						last = time.Now()
						mu.Unlock()
					}
				}
			}()
		}
		wg.Wait()
		if most := fast.Burst + fast.PerSecond*last.Sub(start).Seconds() + 1; float64(taken) > most {
			t.Fatalf("%d taken in %v: at most %.0f fit", taken, last.Sub(start), most)
		}
		if taken < int(fast.Burst) {
			t.Fatalf("only %d taken: the full bucket holds %v", taken, fast.Burst)
		}
	})
}

func take(t *testing.T, b connector.SharedBudget, key string, l connector.Limit, cost float64) time.Duration {
	t.Helper()
	wait, err := b.Take(context.Background(), key, l, cost)
	if err != nil {
		t.Fatal(err)
	}
	return wait
}
