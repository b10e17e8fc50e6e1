package shipping_test

import (
	"strconv"
	"testing"

	"github.com/patchbay-go/patchbay/shipping"
)

// Quoted keeps the first value of an id, and the newest 4,096 ids.
func TestQuotedBounded(t *testing.T) {
	var q shipping.Quoted[int]
	q.Add("r-0", 0)
	q.Add("r-0", 99)
	if v, ok := q.Get("r-0"); !ok || v != 0 {
		t.Fatalf("r-0 = %d, %v; want the first value, 0", v, ok)
	}
	for i := 1; i <= 4096; i++ {
		q.Add("r-"+strconv.Itoa(i), i)
	}
	if _, ok := q.Get("r-0"); ok {
		t.Fatal("the oldest rate was kept past 4,096")
	}
	if v, ok := q.Get("r-4096"); !ok || v != 4096 {
		t.Fatalf("the newest rate: %d, %v", v, ok)
	}
}
