package shopify

import (
	"context"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Shopify meters GraphQL by query cost, not by request, and reports the
// bucket in every answer's extensions.cost rather than in headers: the
// client keeps its own view of the bucket from it.
// https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits

// costExtension is extensions.cost of an answer.
type costExtension struct {
	Cost *struct {
		RequestedQueryCost float64  `json:"requestedQueryCost"`
		ActualQueryCost    *float64 `json:"actualQueryCost"` // null when throttled
		ThrottleStatus     struct {
			MaximumAvailable   float64 `json:"maximumAvailable"`
			CurrentlyAvailable float64 `json:"currentlyAvailable"`
			RestoreRate        float64 `json:"restoreRate"`
		} `json:"throttleStatus"`
	} `json:"cost"`
}

// bucket is the client's view of the shop's leaky bucket, and the queue
// of its requests waiting for points. Requests leave the queue in the
// order they joined it, each when the points for it are there: a request
// at the back neither overtakes one at the front nor leaves on a plan the
// shop's next report proved wrong (a fixed sleep, computed when it
// joined, sent requests into a bucket a later report had shown empty).
type bucket struct {
	mu  sync.Mutex
	max float64
	// level is the points the shop has free at at, every request sent so
	// far counted as charged; it refills at restore points a second.
	level   float64
	restore float64
	at      time.Time
	// inflight is the points of requests sent and not yet answered: the
	// shop's next report may not count them yet.
	inflight float64
	// known says a report came: until then the client cannot know what
	// another process (or an earlier run) left in the bucket, so one
	// request goes at a time to learn it, instead of a burst on a full
	// bucket assumed (concurrent first calls were throttled).
	known bool
	queue []*waiter
	// changed is closed, and replaced, when the view or the queue
	// changes: the waiters look again.
	changed chan struct{}
	// sent numbers the requests in the order they left the queue, and
	// reported is the number of the latest whose report was taken:
	// answers arrive out of order under concurrency, and an older report,
	// made before requests already answered were charged, would give
	// their points back.
	sent, reported uint64
	// biggest is the largest cost taken so far, which sets the reserve.
	biggest float64
}

// waiter is a request in the queue.
type waiter struct{ cost float64 }

func newBucket(max, restore float64) *bucket {
	return &bucket{max: max, level: max, restore: restore, at: time.Now()}
}

// reserve is the points a request leaves in the bucket. A report can
// miss a charge: a request sent before the reporting one but charged by
// the shop after it (concurrent requests reach the shop out of order),
// and answered first, is neither in the report nor still in flight, so
// the view is high by its cost and the next request is throttled. Two of
// the biggest requests cover that; held once, not a rate, it costs a
// long run nothing. It is at most a tenth of the bucket, and never so
// much that a request could not go from a full one. Called with mu held.
func (b *bucket) reserve(cost float64) float64 {
	return max(0, min(2*b.biggest, b.max/10, b.max-cost))
}

// free is the points the shop has at now.
func (b *bucket) free(now time.Time) float64 {
	return min(b.max, b.level+now.Sub(b.at).Seconds()*b.restore)
}

// signal wakes the waiters. Called with mu held.
func (b *bucket) signal() {
	if b.changed != nil {
		close(b.changed)
	}
	b.changed = make(chan struct{})
}

// take queues a request of cost points and returns when it is at the
// front and its points are there, with its number for update. If its turn
// would come after ctx's deadline it leaves the queue at once with
// ErrRateLimited and the wait it would need. Every take that succeeds is
// ended by one release.
func (b *bucket) take(ctx context.Context, cost float64, op string) (uint64, error) {
	b.mu.Lock()
	w := &waiter{cost: cost}
	b.queue = append(b.queue, w)
	for {
		now := time.Now()
		free := b.free(now)
		probing := !b.known && b.inflight > 0 // wait for the first report
		b.biggest = max(b.biggest, cost)
		if b.queue[0] == w && !probing && (free >= cost+b.reserve(cost) || b.restore <= 0) {
			b.queue = b.queue[1:]
			b.level, b.at = free-cost, now
			b.inflight += cost
			b.sent++
			n := b.sent
			b.signal() // the next in line looks
			b.mu.Unlock()
			return n, nil
		}
		// Until the points of everyone up to and including w are there.
		ahead := 0.0
		for _, q := range b.queue {
			ahead += q.cost
			if q == w {
				break
			}
		}
		d := time.Duration((ahead + b.reserve(cost) - free) / b.restore * float64(time.Second))
		if probing {
			d = 0 // until the report, or the probe's failure, wakes the queue
		}
		if deadline, ok := ctx.Deadline(); ok && d > 0 && time.Until(deadline) < d {
			b.leave(w)
			b.mu.Unlock()
			return 0, &connector.APIError{Vendor: "shopify", Op: op, Kind: connector.ErrRateLimited, RetryAfter: d,
				Message: "the shop's query budget refills after the context deadline"}
		}
		if b.changed == nil {
			b.changed = make(chan struct{})
		}
		changed := b.changed
		b.mu.Unlock()
		var timer *time.Timer
		var expired <-chan time.Time
		if d > 0 {
			timer = time.NewTimer(d)
			expired = timer.C
		}
		select {
		case <-changed:
		case <-expired:
		case <-ctx.Done():
			b.mu.Lock()
			b.leave(w)
			b.mu.Unlock()
			return 0, ctx.Err()
		}
		if timer != nil {
			timer.Stop()
		}
		b.mu.Lock()
	}
}

// leave takes w out of the queue. Called with mu held.
func (b *bucket) leave(w *waiter) {
	for i, q := range b.queue {
		if q == w {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			break
		}
	}
	b.signal()
}

// wait says how long until cost points are there for a request joining
// the queue now, reserving nothing.
func (b *bucket) wait(cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	need := cost + b.reserve(cost)
	for _, q := range b.queue {
		need += q.cost
	}
	free := b.free(time.Now())
	if free >= need || b.restore <= 0 {
		return 0
	}
	return time.Duration((need - free) / b.restore * float64(time.Second))
}

// limit is the bucket as the shop last reported it, for a budget shared
// with other processes.
func (b *bucket) limit() connector.Limit {
	b.mu.Lock()
	defer b.mu.Unlock()
	return connector.Limit{Burst: b.max, PerSecond: b.restore}
}

// release ends a request's take: it was answered, or failed.
func (b *bucket) release(cost float64) {
	b.mu.Lock()
	b.inflight = max(0, b.inflight-cost)
	if !b.known {
		b.signal() // a probe that failed without a report: the next one goes
	}
	b.mu.Unlock()
}

// update takes the throttle status Shopify reported with the answer to
// request n, once it is released, unless the report of a later request
// was taken already. The shop's figure is the truth, both ways: what it
// says is available, less what this client has in flight and not yet
// been charged for. Keeping the lower of the two views instead let the
// local one drift down for good, by the estimate of every request that
// failed before the shop charged it and by the refund of every query
// that cost less than it asked: under faults, calls waited a minute for
// points the shop had.
func (b *bucket) update(n uint64, max, available, restore float64) {
	if max <= 0 || restore <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < b.reported {
		return // older than the view already taken
	}
	b.max, b.restore, b.level, b.at, b.reported, b.known = max, restore, available-b.inflight, time.Now(), n, true
	b.signal()
}
