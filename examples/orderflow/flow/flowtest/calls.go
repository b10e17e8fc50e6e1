package flowtest

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// count names the vendor whose calls go to base, for Calls.
func (e *Env) count(base, vendor string) {
	e.calls.mu.Lock()
	e.calls.byHost[hostOf(base)] = vendor
	e.calls.mu.Unlock()
}

// callCounter counts the HTTP requests that reach each vendor: API calls
// on the wire, retries included.
type callCounter struct {
	next   http.RoundTripper
	byHost map[string]string
	mu     sync.Mutex
	counts map[string]int
	total  int
	status map[string]int // "hubspot 429", "xero 503", "shopify error"
	kill   func()         // called when total reaches killAt
	killAt int
	before bool // kill before that call is sent, not after it committed
}

func (c *callCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	vendor := c.byHost[r.URL.Host]
	if vendor == "" {
		vendor = r.URL.Host // a vendor moved off its sandbox
	}
	c.counts[vendor]++
	c.total++
	var kill func()
	if c.kill != nil && c.total == c.killAt {
		kill, c.kill = c.kill, nil
	}
	before := c.before
	c.mu.Unlock()
	if kill != nil && before {
		kill()
		return nil, context.Canceled
	}
	resp, err := c.next.RoundTrip(r)
	if kill != nil {
		kill()
		if err == nil {
			resp.Body.Close()
		}
		return nil, context.Canceled
	}
	switch {
	case err != nil:
		c.note(vendor + " error")
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		c.note(vendor + " " + strconv.Itoa(resp.StatusCode))
	}
	return resp, err
}

func (c *callCounter) note(what string) {
	c.mu.Lock()
	c.status[what]++
	c.mu.Unlock()
}

// Failures returns the vendor answers that make the client retry or back
// off, by vendor and status ("shopify 429", "xero 503", "hubspot error"
// for a connection that failed).
func (e *Env) Failures() map[string]int {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	return maps.Clone(e.calls.status)
}

// HTTPClient is the client every vendor call goes through (counted, and
// with Chaos in its path), for clients built outside Start.
func (e *Env) HTTPClient() *http.Client { return e.client }

// KillAfter calls kill (a context's cancel) once the nth vendor call from
// now has reached its vendor, the way a crash lands in the middle of a
// step: that call commits, its answer is never read, and every other call
// in flight ends.
func (e *Env) KillAfter(n int, kill func()) {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	e.calls.kill, e.calls.killAt, e.calls.before = kill, e.calls.total+n, false
}

// KillBefore calls kill as the nth vendor call from now is about to be
// sent: that call never reaches its vendor.
func (e *Env) KillBefore(n int, kill func()) {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	e.calls.kill, e.calls.killAt, e.calls.before = kill, e.calls.total+n, true
}

// Calls returns the API calls made to each vendor so far.
func (e *Env) Calls() map[string]int {
	e.calls.mu.Lock()
	defer e.calls.mu.Unlock()
	return maps.Clone(e.calls.counts)
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Host
}
