// Package inventorytest is the contract every inventory vendor package
// passes against its sandbox.
package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

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
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	t.Fatal("no location")
	return nil
}

func available(t *testing.T, h Harness, itemID, locationID string) int {
	t.Helper()
	for l, err := range h.Stock.Levels(context.Background(), inventory.LevelFilter{ItemIDs: []string{itemID}, LocationIDs: []string{locationID}}) {
		if err != nil {
			t.Fatal(err)
		}
		return l.Available
	}
	t.Fatalf("no level for %s at %s", itemID, locationID)
	return 0
}

func item(t *testing.T, h Harness, sku string, qty int) *inventory.Item {
	t.Helper()
	h.AddItem(sku, qty)
	it, err := h.Items.GetBySKU(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func testItems(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-RED", 12)
	if it.SKU != "WIDGET-RED" || it.ID == "" || !it.Tracked || len(it.Raw) == 0 {
		t.Fatalf("item = %+v", it)
	}
	loc := firstLocation(t, h)
	if loc.ID == "" || loc.Name == "" || !loc.Active {
		t.Fatalf("location = %+v", loc)
	}
	if got := available(t, h, it.ID, loc.ID); got != 12 {
		t.Fatalf("available = %d, want 12", got)
	}
}

func testConcurrent(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-CONC", 100)
	loc := firstLocation(t, h)
	var wg sync.WaitGroup
	afters := make([]int, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			left, err := h.Stock.Adjust(context.Background(), []inventory.Change{{ItemID: it.ID, LocationID: loc.ID, Delta: -3, Reason: "correction"}},
				connector.WithIdempotencyKey(fmt.Sprintf("conc-%d", i)))
			if err != nil {
				t.Error(err)
				return
			}
			if len(left) != 1 {
				t.Errorf("Adjust reported %d changes, want 1", len(left))
				return
			}
			afters[i] = left[0].After
		}()
	}
	wg.Wait()
	if got := available(t, h, it.ID, loc.ID); got != 40 {
		t.Fatalf("after 20 × -3: available = %d, want 40", got)
	}
	// Each adjustment saw its own place in the sequence: 97, 94, ... 40.
	slices.Sort(afters)
	for i, a := range afters {
		if a != 40+3*i {
			t.Fatalf("quantities after each change %v, want 40, 43, ... 97", afters)
		}
	}
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
	for range 2 {
		left, err := h.Stock.Adjust(context.Background(), changes, connector.WithIdempotencyKey(key))
		if err != nil {
			t.Fatal(err)
		}
		// The repeat reports what the first call left, not a second change.
		if len(left) != 2 || left[0].ItemID != it.ID || left[0].After != 8 || left[1].After != 9 {
			t.Fatalf("Adjust reported %+v, want %s at 8 and %s at 9", left, it.ID, other.ID)
		}
	}
	if a, b := available(t, h, it.ID, loc.ID), available(t, h, other.ID, loc.ID); a != 8 || b != 9 {
		t.Fatalf("after the same key twice: %d and %d, want 8 and 9", a, b)
	}
}

func testCompareAndSet(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-CAS", 5)
	loc := firstLocation(t, h)
	five, four := 5, 4
	if err := h.Stock.Set(context.Background(), []inventory.Quantity{{ItemID: it.ID, LocationID: loc.ID, Quantity: 7, Expected: &five, Reason: "correction"}}); err != nil {
		t.Fatal(err)
	}
	err := h.Stock.Set(context.Background(), []inventory.Quantity{{ItemID: it.ID, LocationID: loc.ID, Quantity: 9, Expected: &four, Reason: "correction"}})
	if !errors.Is(err, connector.ErrConflict) {
		t.Fatalf("stale expectation: err = %v, want ErrConflict", err)
	}
	if got := available(t, h, it.ID, loc.ID); got != 7 {
		t.Fatalf("available = %d, want 7 (the stale set changed nothing)", got)
	}
}

func testPagination(t *testing.T, h Harness) {
	const n = 130
	for i := range n {
		h.AddItem(fmt.Sprintf("PAGE-%03d", i), 1)
	}
	seen := map[string]bool{}
	for it, err := range h.Items.List(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[it.ID] {
			t.Fatalf("item %s listed twice", it.ID)
		}
		seen[it.ID] = true
	}
	if len(seen) != n {
		t.Fatalf("listed %d items, want %d", len(seen), n)
	}
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	if _, err := h.Items.GetBySKU(ctx, "NO-SUCH-SKU"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("unknown SKU: err = %v, want ErrNotFound", err)
	}
	loc := firstLocation(t, h)
	_, err := h.Stock.Adjust(ctx, []inventory.Change{{ItemID: "gid://shopify/InventoryItem/999999", LocationID: loc.ID, Delta: 1, Reason: "correction"}})
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Message == "" {
		t.Fatalf("unknown item: err = %v, want ErrValidation with the vendor's message", err)
	}
}

func testThrottled(t *testing.T, h Harness) {
	it := item(t, h, "WIDGET-BUSY", 3)
	h.Throttle(1)
	if _, err := h.Items.GetBySKU(context.Background(), it.SKU); err != nil {
		t.Fatalf("one throttled answer must be waited out and retried: %v", err)
	}
}
