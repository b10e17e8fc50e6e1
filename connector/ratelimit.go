package connector

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter paces a client: a token bucket, and pauses the vendor asks for.
type RateLimiter struct {
	bucket     *rate.Limiter
	pauseUntil atomic.Int64 // unix nanoseconds; 0 when not paused
	// shared is the account's budget across processes (WithSharedBudget),
	// and limit the vendor's as last reported (Report) or declared
	// (Vendor.Limit).
	shared *AccountBudget
	limit  atomic.Pointer[Limit]
}

// newRateLimiter returns a limiter of r requests a second (for tests of a
// RateFeedback).
func newRateLimiter(r rate.Limit, burst int) *RateLimiter {
	return &RateLimiter{bucket: rate.NewLimiter(r, burst)}
}

// SetLimit changes the pace, for instance from a vendor's limit headers.
func (l *RateLimiter) SetLimit(r rate.Limit, burst int) {
	l.bucket.SetLimit(r)
	l.bucket.SetBurst(burst)
}

// Limit reports the current pace.
func (l *RateLimiter) Limit() rate.Limit { return l.bucket.Limit() }

// PauseUntil holds every call until t. An earlier t than the current pause
// changes nothing.
func (l *RateLimiter) PauseUntil(t time.Time) {
	next := t.UnixNano()
	for {
		cur := l.pauseUntil.Load()
		if cur >= next || l.pauseUntil.CompareAndSwap(cur, next) {
			return
		}
	}
}

// Report tells the limiter what the vendor said of the account's budget:
// its limit as a bucket (see Limit) and what is left of it. Clients
// sharing the budget (WithSharedBudget) then all take no more than the
// vendor says is left, and draw on the limit reported.
func (l *RateLimiter) Report(limit Limit, remaining float64) {
	if !limit.Valid() {
		return
	}
	l.limit.Store(&limit)
	// A report of a bucket's worth or more lowers no budget (it holds at
	// most that): only a low one is written to the store.
	if l.shared != nil && remaining < limit.Burst {
		ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
		defer cancel()
		l.shared.Settle(ctx, limit, 0, remaining)
	}
}

// currentLimit is the limit the shared budget is drawn on: zero when the
// vendor declared none and reported none.
func (l *RateLimiter) currentLimit() Limit {
	if p := l.limit.Load(); p != nil {
		return *p
	}
	return Limit{}
}

// pausedFor reports how long calls are still held, or 0.
func (l *RateLimiter) pausedFor() time.Duration {
	if until := l.pauseUntil.Load(); until != 0 {
		if d := time.Until(time.Unix(0, until)); d > 0 {
			return d
		}
	}
	return 0
}

// wait blocks until a call may go. If the wait would end after ctx's
// deadline, it returns a *rateWaitError at once instead of sleeping.
func (l *RateLimiter) wait(ctx context.Context) error {
	if d := l.pausedFor(); d > 0 {
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
			return &rateWaitError{wait: d}
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	if l.bucket.Limit() == rate.Inf {
		return nil
	}
	r := l.bucket.Reserve()
	if !r.OK() {
		return &rateWaitError{wait: time.Second}
	}
	d := r.Delay()
	if d == 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		r.Cancel()
		return &rateWaitError{wait: d}
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		r.Cancel()
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// budgetFor is the shared budget req draws on, and its limit; nil when
// the client shares none or knows no limit for it.
func (t *rateLimitTransport) budgetFor(req *http.Request) (*AccountBudget, Limit) {
	if t.shared == nil {
		return nil, Limit{}
	}
	if t.limitFor != nil {
		route, limit := t.limitFor(req)
		if !limit.Valid() {
			return nil, Limit{}
		}
		return t.shared.route(route), limit
	}
	limit := t.limiter.currentLimit()
	if !limit.Valid() {
		return nil, Limit{}
	}
	return t.shared, limit
}

func (t *rateLimitTransport) release() {
	if t.slots != nil {
		<-t.slots
	}
}

// releaseOnClose frees a concurrency slot once, when the body is closed.
type releaseOnClose struct {
	io.ReadCloser
	release func()
	once    sync.Once
}

func (b *releaseOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}

// rateWaitError says a call was not sent because its rate-limit wait would
// outlast the caller's deadline. Do turns it into an ErrRateLimited APIError.
type rateWaitError struct{ wait time.Duration }

func (e *rateWaitError) notSent() {}

func (e *rateWaitError) Error() string {
	return fmt.Sprintf("rate limit wait of %s exceeds the context deadline", e.wait)
}

// RateFeedback reads a vendor's rate-limit headers from every answer.
type RateFeedback func(resp *http.Response, l *RateLimiter)

// rateLimitTransport waits for a slot before each attempt and, after it,
// pauses the whole client for any Retry-After on a 429 or 503.
//
// It deliberately has no CloseIdleConnections method: go-retryablehttp calls
// that on its HTTP client after every failed call, which would empty the
// connection pool shared by every client of the process.
type rateLimitTransport struct {
	next          http.RoundTripper
	limiter       *RateLimiter
	feedback      RateFeedback
	maxRetryAfter time.Duration
	slots         chan struct{}  // nil: no concurrency limit
	shared        *AccountBudget // nil: the client paces alone
	// limitFor is Vendor.LimitFor: the route and limit of a request, when
	// the vendor meters each route on its own.
	limitFor func(*http.Request) (string, Limit)
}

func (t *rateLimitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.slots != nil {
		select {
		case t.slots <- struct{}{}:
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	}
	if err := t.limiter.wait(req.Context()); err != nil {
		t.release()
		return nil, err
	}
	budget, limit := t.budgetFor(req)
	if budget != nil {
		if tooLong, err := budget.Wait(req.Context(), limit, 1); err != nil || tooLong > 0 {
			t.release()
			if err != nil {
				return nil, err
			}
			return nil, &rateWaitError{wait: tooLong}
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		t.release()
		return nil, err
	}
	if t.slots != nil {
		// The slot is held until the body is closed: the vendor counts the
		// call as running until its answer is read.
		resp.Body = &releaseOnClose{ReadCloser: resp.Body, release: t.release}
	}
	if resp.StatusCode == http.StatusTooManyRequests && budget != nil {
		// The vendor says the account is spent, whatever the budget
		// thought: every process sharing it waits for it to refill.
		budget.Settle(req.Context(), limit, 0, 0)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if wait, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && wait > 0 {
			t.limiter.PauseUntil(time.Now().Add(min(wait, t.maxRetryAfter)))
		}
	}
	if t.feedback != nil {
		t.feedback(resp, t.limiter)
	}
	return resp, nil
}
