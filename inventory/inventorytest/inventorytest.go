// Package inventorytest is the contract every inventory vendor package
// passes against its sandbox.
package inventorytest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// Harness is one fresh sandbox, a client on it, and a way to stock it.
type Harness struct {
	Items     inventory.Items
	Locations inventory.Locations
	Stock     inventory.Stock
	// AddItem creates a tracked item with sku and quantity available at
	// the sandbox's first location.
	AddItem func(sku string, quantity int)
	// Throttle makes the vendor refuse the next n requests as throttled.
	Throttle func(n int)
	// SetOnly says the vendor's API only sets quantities (WooCommerce):
	// the connector adjusts by reading, adding and setting, serialised
	// within one client, and cannot make adjustments from separate
	// processes add up. The zero value is a vendor that adds deltas
	// itself, atomically, and the concurrency test holds it to exact sums
	// from any number of callers. Under SetOnly it holds the connector to
	// what it can promise: concurrent adjustments through one client sum
	// exactly, each seeing its own place in the sequence, and a key sent
	// by two callers at once applies once.
	SetOnly bool
}

// Run runs the contract; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("ItemsAndLocations", func(t *testing.T) { testItems(t, newHarness(t)) })
	t.Run("ConcurrentAdjustmentsSumExactly", func(t *testing.T) { testConcurrent(t, newHarness(t)) })
	t.Run("SameKeyTwiceOneAdjustment", func(t *testing.T) { testIdempotent(t, newHarness(t)) })
	t.Run("CompareAndSet", func(t *testing.T) { testCompareAndSet(t, newHarness(t)) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, newHarness(t)) })
	t.Run("TypedErrors", func(t *testing.T) { testErrors(t, newHarness(t)) })
	t.Run("Throttled", func(t *testing.T) { testThrottled(t, newHarness(t)) })
}

func firstLocation(t *testing.T, h Harness) *inventory.Location {
	t.Helper()
	for l, err := range h.Locations.List(context.Background()) {
		require.NoError(t, err)
		return l
	}
	require.FailNow(t, "no location")
	return nil
}

func available(t *testing.T, h Harness, itemID, locationID string) int {
	t.Helper()
	for l, err := range h.Stock.Levels(context.Background(), inventory.LevelFilter{ItemIDs: []string{itemID}, LocationIDs: []string{locationID}}) {
		require.NoError(t, err)
		return l.Available
	}
	require.FailNowf(t, "no level", "no level for %s at %s", itemID, locationID)
	return 0
}

func item(t *testing.T, h Harness, sku string, qty int) *inventory.Item {
	t.Helper()
	h.AddItem(sku, qty)
	it, err := h.Items.GetBySKU(context.Background(), sku)
	require.NoError(t, err)
	return it
}

func testItems(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-RED", 12)
	assert.Equal(t, "WIDGET-RED", it.SKU)
	assert.NotEmpty(t, it.ID)
	assert.True(t, it.Tracked)
	assert.NotEmpty(t, it.Raw)
	loc := firstLocation(t, h)
	assert.NotEmpty(t, loc.ID)
	assert.NotEmpty(t, loc.Name)
	assert.True(t, loc.Active)
	assert.Equal(t, 12, available(t, h, it.ID, loc.ID))
}

func testConcurrent(t *testing.T, h Harness) {
	if h.SetOnly {
		testConcurrentSetOnly(t, h)
		return
	}
	it := item(t, h, "WIDGET-CONC", 100)
	loc := firstLocation(t, h)
	var wg sync.WaitGroup
	afters := make([]int, 20)
	for i := range 20 {
		wg.Go(func() {
			left, err := h.Stock.Adjust(context.Background(), []inventory.Change{{ItemID: it.ID, LocationID: loc.ID, Delta: -3, Reason: "correction"}},
				connector.WithIdempotencyKey(fmt.Sprintf("conc-%d", i)))
			// assert, not require: FailNow must not be called off the test's goroutine.
			if assert.NoError(t, err) && assert.Len(t, left, 1, "changes reported by Adjust") {
				afters[i] = left[0].After
			}
		})
	}
	wg.Wait()
	require.Equal(t, 40, available(t, h, it.ID, loc.ID), "after 20 × -3")
	// Each adjustment saw its own place in the sequence: 97, 94, ... 40.
	slices.Sort(afters)
	want := make([]int, 20)
	for i := range want {
		want[i] = 40 + 3*i
	}
	assert.Equal(t, want, afters, "quantities after each change")
}

// testConcurrentSetOnly: 20 callers of one client, 10 keys each sent by
// two of them at once; 10 adjustments of -3 apply, each key's two callers
// see the same quantity after it, and the ten quantities are 97, 94, ...
// 70.
func testConcurrentSetOnly(t *testing.T, h Harness) {
	t.Log("set-only vendor: exact sums are promised within one client, not across processes")
	it := item(t, h, "WIDGET-CONC", 100)
	loc := firstLocation(t, h)
	var wg sync.WaitGroup
	afters := make([]int, 20)
	for i := range 20 {
		wg.Go(func() {
			left, err := h.Stock.Adjust(context.Background(), []inventory.Change{{ItemID: it.ID, LocationID: loc.ID, Delta: -3, Reason: "correction"}},
				connector.WithIdempotencyKey(fmt.Sprintf("conc-%d", i/2)))
			// assert, not require: FailNow must not be called off the test's goroutine.
			if assert.NoError(t, err) && assert.Len(t, left, 1, "changes reported by Adjust") {
				afters[i] = left[0].After
			}
		})
	}
	wg.Wait()
	require.Equal(t, 70, available(t, h, it.ID, loc.ID), "after 10 keys × -3, each sent twice")
	var distinct []int
	for i := 0; i < 20; i += 2 {
		assert.Equal(t, afters[i], afters[i+1], "the two callers of key conc-%d saw different quantities", i/2)
		distinct = append(distinct, afters[i])
	}
	slices.Sort(distinct)
	want := make([]int, 10)
	for i := range want {
		want[i] = 70 + 3*i
	}
	assert.Equal(t, want, distinct, "quantities after each change")
}

func testIdempotent(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-ONCE", 10)
	other := item(t, h, "WIDGET-TWICE", 10)
	loc := firstLocation(t, h)
	changes := []inventory.Change{
		{ItemID: it.ID, LocationID: loc.ID, Delta: -2, Reason: "correction", Reference: "order://1001"},
		{ItemID: other.ID, LocationID: loc.ID, Delta: -1, Reason: "correction", Reference: "order://1001"},
	}
	key := connector.DeriveKey("order", "1001", "stock")
	want := []inventory.Adjusted{
		{ItemID: it.ID, LocationID: loc.ID, Delta: -2, After: 8},
		{ItemID: other.ID, LocationID: loc.ID, Delta: -1, After: 9},
	}
	for range 2 {
		left, err := h.Stock.Adjust(context.Background(), changes, connector.WithIdempotencyKey(key))
		require.NoError(t, err)
		// The repeat reports what the first call left, not a second change.
		require.Equal(t, want, left)
	}
	assert.Equal(t, 8, available(t, h, it.ID, loc.ID), "after the same key twice")
	assert.Equal(t, 9, available(t, h, other.ID, loc.ID), "after the same key twice")
}

func testCompareAndSet(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-CAS", 5)
	loc := firstLocation(t, h)
	five, four := 5, 4
	require.NoError(t, h.Stock.Set(context.Background(), []inventory.Quantity{{ItemID: it.ID, LocationID: loc.ID, Quantity: 7, Expected: &five, Reason: "correction"}}))
	err := h.Stock.Set(context.Background(), []inventory.Quantity{{ItemID: it.ID, LocationID: loc.ID, Quantity: 9, Expected: &four, Reason: "correction"}})
	require.ErrorIs(t, err, connector.ErrConflict, "stale expectation")
	assert.Equal(t, 7, available(t, h, it.ID, loc.ID), "the stale set changed nothing")
}

func testPagination(t *testing.T, h Harness) {
	const n = 130
	for i := range n {
		h.AddItem(fmt.Sprintf("PAGE-%03d", i), 1)
	}
	seen := map[string]bool{}
	for it, err := range h.Items.List(context.Background()) {
		require.NoError(t, err)
		require.False(t, seen[it.ID], "item %s listed twice", it.ID)
		seen[it.ID] = true
	}
	assert.Len(t, seen, n)
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	_, err := h.Items.GetBySKU(ctx, "NO-SUCH-SKU")
	require.ErrorIs(t, err, connector.ErrNotFound, "unknown SKU")
	loc := firstLocation(t, h)
	_, err = h.Stock.Adjust(ctx, []inventory.Change{{ItemID: "gid://shopify/InventoryItem/999999", LocationID: loc.ID, Delta: 1, Reason: "correction"}})
	require.ErrorIs(t, err, connector.ErrValidation, "unknown item")
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotEmpty(t, apiErr.Message, "the vendor's message")
}

func testThrottled(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-BUSY", 3)
	h.Throttle(1)
	_, err := h.Items.GetBySKU(context.Background(), it.SKU)
	require.NoError(t, err, "one throttled answer must be waited out and retried")
}
