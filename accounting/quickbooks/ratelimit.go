package quickbooks

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// pacer keeps a client within Intuit's limits, which Intuit announces in
// no header: 500 requests a minute per realm (a bucket of 10 refilled at
// 500 a minute) and 10 in flight (the connector's MaxConcurrent). After a 429
// (ThrottleExceeded) it spreads calls out evenly, one every 120ms, for a
// minute, then allows bursts of 10 again. A user's WithRateLimit is
// left alone.
// https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
type pacer struct {
	mu        sync.Mutex
	managed   bool      // the pace is ours (the user set none)
	slowUntil time.Time // zero when not slowed
	now       func() time.Time
}

func newPacer() *pacer { return &pacer{now: time.Now} }

// sharedLimit is Intuit's throttle as the budget clients sharing a realm
// draw on (connector.WithSharedBudget): its bucket of 10, less two of
// room for calls that arrive together, refilled at 90% of 500 a minute.
var sharedLimit = connector.Limit{Burst: maxInFlight - 2, PerSecond: requestsPerMin * 0.9 / 60}

// evenly is the pace after a 429: the minute's budget, one at a time.
var evenly = rate.Every(time.Minute / requestsPerMin)

func (p *pacer) start(l *connector.RateLimiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.managed = true
	l.SetLimit(rate.Limit(float64(requestsPerMin)/60), maxInFlight)
}

// feedback is the connector.RateFeedback.
func (p *pacer) feedback(resp *http.Response, l *connector.RateLimiter) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.managed {
		return
	}
	now := p.now()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		p.slowUntil = now.Add(time.Minute)
		l.SetLimit(evenly, 1)
	case !p.slowUntil.IsZero() && now.After(p.slowUntil):
		p.slowUntil = time.Time{}
		l.SetLimit(rate.Limit(float64(requestsPerMin)/60), maxInFlight)
	}
}
