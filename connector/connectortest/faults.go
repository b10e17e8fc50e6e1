package connectortest

import (
	"sync"
	"time"
)

// Faults are the failures a sandbox injects on cue: its next requests
// throttled, or failed with a 5xx. Each sandbox answers them in its
// vendor's own shapes: its handlers ask NextThrottled and NextFailure. Safe for concurrent use; the zero value injects
// nothing.
type Faults struct {
	mu         sync.Mutex
	throttle   int
	failNext   int
	failStatus int
}

// Throttle answers the next n requests with the vendor's 429.
func (f *Faults) Throttle(n int) { f.mu.Lock(); f.throttle = n; f.mu.Unlock() }

// FailNext answers the next n requests with status (a 5xx), before the
// sandbox does anything.
func (f *Faults) FailNext(n, status int) {
	f.mu.Lock()
	f.failNext, f.failStatus = n, status
	f.mu.Unlock()
}

// NextThrottled says whether this request is one to throttle, and counts
// it.
func (f *Faults) NextThrottled() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.throttle > 0 {
		f.throttle--
		return true
	}
	return false
}

// NextFailure returns the status this request fails with, counting it,
// or 0 for none.
func (f *Faults) NextFailure() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return f.failStatus
	}
	return 0
}

// Clock is a sandbox's clock: the wall clock plus what tests advanced it
// by, truncated to Resolution (a millisecond if zero), as the vendor
// keeps times. Safe for concurrent use.
type Clock struct {
	Resolution time.Duration

	mu     sync.Mutex
	offset time.Duration
}

// Now reads the sandbox clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := c.Resolution
	if res == 0 {
		res = time.Millisecond
	}
	return time.Now().Add(c.offset).UTC().Truncate(res)
}

// Advance moves the sandbox clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.offset += d; c.mu.Unlock() }
