package shopify

import (
	"testing"
	"time"
)

// Requests that failed before the shop charged them (or cost less than
// they asked) must not leave the client waiting for points the shop has:
// the next report is taken as it is, less what is still reserved.
func TestBucketTrustsTheShopsReport(t *testing.T) {
	b := &bucket{max: 2000, available: 2000, restore: 100, at: time.Now()}
	for range 500 { // 500 requests of 10 points that never reached the shop
		b.reserve(10)
		b.release(10)
	}
	if w := b.wait(10); w < 20*time.Second {
		t.Fatalf("before any report the client waits %v: the test does not drain the bucket", w)
	}
	b.reserve(10)
	b.release(10)
	b.update(2000, 1990, 100) // the shop charged 10 of its 2000
	if w := b.reserve(10); w != 0 {
		t.Fatalf("after the shop said 1990 points are there, the client waits %v", w)
	}

	// What is reserved and not yet charged still counts.
	other := &bucket{max: 100, available: 100, restore: 10, at: time.Now()}
	other.reserve(60) // in flight
	other.reserve(10)
	other.release(10)
	other.update(100, 90, 10) // the 10's answer; the 60 is not charged yet
	if w := other.wait(40); w == 0 {
		t.Fatal("the 60 points in flight were forgotten")
	}
}
