package connectortest

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"syscall"
)

// Fault kinds Chaos injects.
const (
	FaultUnavailable = "503"   // 503 before the request reaches the vendor
	FaultThrottled   = "429"   // 429 with Retry-After: 0
	FaultLostAnswer  = "reset" // the vendor does the work, then the connection resets
	FaultHang        = "hang"  // no answer until the request's context ends
)

// Chaos is an http.RoundTripper that inflicts what vendors inflict, on a
// share of requests: at Rate, one of the four faults above, chosen evenly.
// Put it under a client's stack (as its base transport) to test that
// retries, idempotency keys and lookups keep every effect single. The
// lost answer is the one that matters: the vendor committed the write, and
// only a key or a lookup can tell.
type Chaos struct {
	next http.RoundTripper

	mu     sync.Mutex
	rate   float64
	rng    *rand.Rand
	counts map[string]int
}

// NewChaos wraps next; seed makes a run repeatable.
func NewChaos(next http.RoundTripper, rate float64, seed uint64) *Chaos {
	return &Chaos{next: next, rate: rate, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), counts: map[string]int{}}
}

// SetRate changes the share of faulted requests (0 turns chaos off).
func (c *Chaos) SetRate(rate float64) { c.mu.Lock(); c.rate = rate; c.mu.Unlock() }

// Counts reports how many faults of each kind were injected.
func (c *Chaos) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts {
		out[k] = v
	}
	return out
}

func (c *Chaos) pick() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rng.Float64() >= c.rate {
		return ""
	}
	kind := []string{FaultUnavailable, FaultThrottled, FaultLostAnswer, FaultHang}[c.rng.IntN(4)]
	c.counts[kind]++
	return kind
}

func (c *Chaos) RoundTrip(req *http.Request) (*http.Response, error) {
	switch c.pick() {
	case FaultUnavailable:
		drainRequest(req)
		return synthetic(req, http.StatusServiceUnavailable, nil), nil
	case FaultThrottled:
		drainRequest(req)
		return synthetic(req, http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}}), nil
	case FaultLostAnswer:
		resp, err := c.next.RoundTrip(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	case FaultHang:
		drainRequest(req)
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return c.next.RoundTrip(req)
}

func drainRequest(req *http.Request) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
}

func synthetic(req *http.Request, status int, h http.Header) *http.Response {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	body := []byte(`{"message":"injected fault"}`)
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)), Request: req}
}
