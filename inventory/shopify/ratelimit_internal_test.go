package shopify

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Requests that failed before the shop charged them (or cost less than
// they asked) must not leave the client waiting for points the shop has:
// the next report is taken as it is, less what is still in flight.
func TestBucketTrustsTheShopsReport(t *testing.T) {
	ctx := context.Background()
	b := reported(2000, 100)
	for range 200 { // 200 requests of 10 points that never reached the shop
		if _, err := b.take(ctx, 10, "op"); err != nil {
			t.Fatal(err)
		}
		b.release(10)
	}
	if w := b.wait(10); w < 50*time.Millisecond {
		t.Fatalf("before any report the client waits %v: the test does not drain the bucket", w)
	}
	n, err := b.take(ctx, 10, "op")
	if err != nil {
		t.Fatal(err)
	}
	b.release(10)
	b.update(n, 2000, 1990, 100) // the shop charged 10 of its 2000
	if w := b.wait(10); w != 0 {
		t.Fatalf("after the shop said 1990 points are there, the client waits %v", w)
	}

	// What is in flight and not yet charged still counts.
	other := reported(100, 10)
	if _, err := other.take(ctx, 60, "op"); err != nil { // in flight
		t.Fatal(err)
	}
	n, err = other.take(ctx, 10, "op")
	if err != nil {
		t.Fatal(err)
	}
	other.release(10)
	other.update(n, 100, 90, 10) // the 10's answer; the 60 is not charged yet
	if w := other.wait(40); w == 0 {
		t.Fatal("the 60 points in flight were forgotten")
	}
}

// Answers come back out of order: a report made before a later request
// was charged, taken after that request's own report, would give its
// points back.
func TestBucketKeepsTheNewerReport(t *testing.T) {
	ctx := context.Background()
	b := reported(100, 1)
	first, _ := b.take(ctx, 30, "op")
	second, _ := b.take(ctx, 30, "op")
	b.release(30)
	b.update(second, 100, 40, 1) // the shop charged both
	b.release(30)
	b.update(first, 100, 70, 1) // made when only the first was charged
	if w := b.wait(50); w == 0 {
		t.Fatal("the older report gave back points the shop had charged")
	}
}

// A request sent first but charged by the shop second, and answered
// first, is in no report the client takes, and the view is high by its
// cost: the reserve keeps the requests sent before the next report within
// what the shop has.
func TestBucketReserveCoversAReorderedCharge(t *testing.T) {
	b := reported(100, 0.001) // no refill to speak of
	b.update(0, 100, 40, 0.001)
	first, _ := b.take(context.Background(), 10, "op")
	second, _ := b.take(context.Background(), 10, "op")
	// The shop charged second (40 → 30), then first (30 → 20).
	b.release(10)
	b.update(first, 100, 20, 0.001)
	b.release(10)
	b.update(second, 100, 30, 0.001) // the newer ticket, the older charge
	shop := 20.0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := b.take(ctx, 10, "op")
		cancel()
		if err != nil {
			break
		}
		if shop -= 10; shop < 0 {
			t.Fatal("a request went into a bucket the shop had emptied: it would be throttled")
		}
	}
}

// Waiting requests leave in the order they came, each when its points are
// there; a report that shows more points wakes them at once, one that
// shows fewer holds them; and one whose turn would come after its
// deadline leaves the queue at once with the wait it would need, the
// others keeping their places.
func TestBucketQueue(t *testing.T) {
	ctx := context.Background()
	b := reported(100, 100)
	if _, err := b.take(ctx, 100, "op"); err != nil { // empty it
		t.Fatal(err)
	}
	b.release(100)
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Go(func() {
			if _, err := b.take(ctx, 10, "op"); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
		for queued(b) < i+1 { // join in turn
			time.Sleep(time.Millisecond)
		}
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err := b.take(short, 10, "op") // sixth in line: 60 ms away
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, connector.ErrRateLimited) || apiErr.RetryAfter < 30*time.Millisecond {
		t.Fatalf("a turn after the deadline: %v, want ErrRateLimited with the wait", err)
	}
	wg.Wait()
	for i, got := range order {
		if got != i {
			t.Fatalf("left in the order %v, want the order they came", order)
		}
	}

	// A small request behind a big one waits its turn, though its own
	// points are there first and a report wakes it.
	b = reported(100, 100)
	n, _ := b.take(ctx, 100, "op")
	b.release(100)
	order = nil
	for i, cost := range []float64{50, 10} {
		wg.Go(func() {
			if _, err := b.take(ctx, cost, "op"); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		})
		for queued(b) < i+1 {
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(200 * time.Millisecond)
	b.update(n, 100, 20, 100) // 20 free: the small one's 10, not the big one's 50
	wg.Wait()
	if len(order) != 2 || order[0] != 0 {
		t.Fatalf("left in the order %v, want the big request first", order)
	}

	slow := reported(100, 1) // a point a second
	n, _ = slow.take(ctx, 100, "op")
	slow.release(100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := slow.take(ctx, 50, "op"); err != nil {
			t.Error(err)
		}
	}()
	for queued(slow) == 0 {
		time.Sleep(time.Millisecond)
	}
	slow.update(n, 100, 100, 1) // the shop has them all back
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a report of free points did not wake the queue")
	}
}

// A report that shows fewer points than the client thought holds the
// queue: a request does not leave on the plan it made when it joined.
func TestBucketReportHoldsTheQueue(t *testing.T) {
	ctx := context.Background()
	b := reported(100, 100)
	n, _ := b.take(ctx, 100, "op")
	b.release(100)
	left := make(chan struct{})
	go func() {
		defer close(left)
		if _, err := b.take(ctx, 10, "op"); err != nil { // 100 ms away, by the client's view
			t.Error(err)
		}
	}()
	for queued(b) == 0 {
		time.Sleep(time.Millisecond)
	}
	b.update(n, 100, 0, 10) // the shop: none free, and 10 points a second
	select {
	case <-left:
		t.Fatal("the request left on its first plan, before the shop had its points")
	case <-time.After(400 * time.Millisecond):
	}
	<-left // about a second in all
}

// reported is a bucket the shop has reported on: full.
func reported(max, restore float64) *bucket {
	b := newBucket(max, restore)
	b.known = true
	return b
}

// Before the first report the client does not know what another process
// left in the bucket: one request goes, and the rest wait for its report
// (or its failure), not a burst on a bucket assumed full.
func TestBucketProbesFirst(t *testing.T) {
	ctx := context.Background()
	b := newBucket(2000, 100)
	first, err := b.take(ctx, 10, "op")
	if err != nil {
		t.Fatal(err)
	}
	var gone sync.WaitGroup
	for range 2 {
		gone.Go(func() {
			if _, err := b.take(ctx, 10, "op"); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if q := queued(b); q != 2 {
		t.Fatalf("%d waiting while the first request is out, want 2", q)
	}
	b.release(10)
	b.update(first, 2000, 1990, 100)
	gone.Wait()
}

func queued(b *bucket) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}
