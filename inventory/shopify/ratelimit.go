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
		RequestedQueryCost float64 `json:"requestedQueryCost"`
		ThrottleStatus     struct {
			MaximumAvailable   float64 `json:"maximumAvailable"`
			CurrentlyAvailable float64 `json:"currentlyAvailable"`
			RestoreRate        float64 `json:"restoreRate"`
		} `json:"throttleStatus"`
	} `json:"cost"`
}

// bucket is the client's view of the shop's leaky bucket.
type bucket struct {
	mu        sync.Mutex
	max       float64
	available float64
	restore   float64 // points a second
	at        time.Time
	// reserved is the points of this client's requests not yet answered
	// (waiting their turn or in flight): what the shop will take that
	// its last report could not count.
	reserved float64
}

// reserve takes cost points and returns how long to wait until they are
// there. Reserving (the balance may go below zero) makes concurrent
// callers queue behind each other instead of all seeing the same points
// and being throttled together. Every reserve is ended by one release.
func (b *bucket) reserve(cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.available = min(b.max, b.available+now.Sub(b.at).Seconds()*b.restore) - cost
	b.at = now
	b.reserved += cost
	if b.available >= 0 || b.restore <= 0 {
		return 0
	}
	return time.Duration(-b.available / b.restore * float64(time.Second))
}

// wait says how long until cost points are there, reserving nothing.
func (b *bucket) wait(cost float64) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	avail := min(b.max, b.available+time.Since(b.at).Seconds()*b.restore)
	if avail >= cost || b.restore <= 0 {
		return 0
	}
	return time.Duration((cost - avail) / b.restore * float64(time.Second))
}

// release ends a reservation: its request was answered, or failed.
func (b *bucket) release(cost float64) {
	b.mu.Lock()
	b.reserved = max(0, b.reserved-cost)
	b.mu.Unlock()
}

// update takes the throttle status Shopify reported with an answer whose
// reservation is released. The shop's figure is the truth, both ways:
// what it says is available, less what this client has reserved since
// and not yet been charged for. Keeping the lower of the two views
// instead let the local one drift down for good, by the estimate of
// every request that failed before the shop charged it and by the refund
// of every query that cost less than it asked: under faults, calls waited
// a minute for points the shop had.
func (b *bucket) update(max, available, restore float64) {
	if max <= 0 || restore <= 0 {
		return
	}
	b.mu.Lock()
	b.max, b.restore, b.available, b.at = max, restore, available-b.reserved, time.Now()
	b.mu.Unlock()
}

// sleep waits d for the bucket, or fails at once with ErrRateLimited if
// the context's deadline comes first.
func sleep(ctx context.Context, d time.Duration, op string) error {
	if d <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return &connector.APIError{Vendor: "shopify", Op: op, Kind: connector.ErrRateLimited, RetryAfter: d,
			Message: "the shop's query budget refills after the context deadline"}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
