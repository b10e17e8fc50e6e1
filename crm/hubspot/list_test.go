package hubspot_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// liveHeapGrowth lists every contact of a sandbox seeded with n and returns
// the largest growth of the live heap seen while iterating (measured after
// a GC every 2,000 records), so garbage awaiting collection does not count.
func liveHeapGrowth(tb testing.TB, n int) (peak uint64, count int) {
	srv, client := sandbox(tb.(*testing.T), nil, hubspot.Config{})
	srv.SeedContacts(n)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	for _, err := range client.Contacts.List(context.Background(), crm.ListOptions{}) {
		if err != nil {
			tb.Fatal(err)
		}
		count++
		if count%2000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > base && ms.HeapAlloc-base > peak {
				peak = ms.HeapAlloc - base
			}
		}
	}
	return peak, count
}

// Listing holds one page at a time: the live heap while listing 40,000
// contacts is no larger than while listing 4,000.
func TestListMemoryDoesNotGrow(t *testing.T) {
	small, n1 := liveHeapGrowth(t, 4_000)
	large, n2 := liveHeapGrowth(t, 40_000)
	if n1 != 4_000 || n2 != 40_000 {
		t.Fatalf("listed %d and %d", n1, n2)
	}
	t.Logf("live heap growth: %d KiB listing 4,000; %d KiB listing 40,000", small>>10, large>>10)
	if large > 4<<20 || large > 4*small+1<<20 {
		t.Fatalf("live heap grew by %d KiB listing 40,000 contacts (vs %d KiB for 4,000): memory grows with the count", large>>10, small>>10)
	}
}
