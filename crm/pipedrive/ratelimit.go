package pipedrive

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// dailyLow is the daily budget left below which the client spreads what
// remains over the rest of the UTC day.
const dailyLow = 200

// burstWindow is the length of Pipedrive's burst window: "the Pipedrive
// API rate limit window duration is 2 seconds for both authentication
// methods".
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
const burstWindow = 2 * time.Second

// pacer reads Pipedrive's rate-limit headers on every answer:
// x-ratelimit-limit, -remaining and -reset (the burst limit, per token, in
// a 2-second window; reset is the seconds left of the current window) and
// x-daily-requests-left (the day's budget, reset at midnight UTC).
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
//
// With the burst window spent the client waits for its reset, then goes
// at the window's pace; below a tenth of it, it spreads what remains over
// what is left of the window. With the daily budget low it spreads the
// rest over the time left until midnight UTC; once spent, a 429 is not
// retried (decideRetry). The slower pace wins.
//
// Pipedrive sends x-daily-requests-left only on answers to writes (POST,
// PUT) made with an API token ("This field only appears in responses for
// POST and PUT endpoints"), so the pacer remembers the last value it saw
// until the UTC day ends: a read in between does not undo the daily pace.
type pacer struct {
	mu        sync.Mutex
	dailyLeft int       // the last x-daily-requests-left seen
	dailyDay  time.Time // the UTC day it was seen on; zero: none seen
}

// feedback is the connector.RateFeedback.
func (p *pacer) feedback(resp *http.Response, l *connector.RateLimiter) {
	paceFromHeaders(resp, l, p.daily(resp.Header, time.Now()))
}

// daily returns the daily budget left, from h or remembered from an
// earlier answer of the same UTC day; -1 when unknown.
func (p *pacer) daily(h http.Header, now time.Time) int {
	day := now.UTC().Truncate(24 * time.Hour)
	p.mu.Lock()
	defer p.mu.Unlock()
	if left, err := strconv.Atoi(h.Get("X-Daily-Requests-Left")); err == nil {
		p.dailyLeft, p.dailyDay = left, day
		return left
	}
	if p.dailyDay.Equal(day) {
		return p.dailyLeft
	}
	return -1
}

// paceFromHeaders sets l's pace from one answer's burst headers and the
// daily budget left (-1: unknown).
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter, dailyLeft int) {
	h := resp.Header
	limit := rate.Inf
	if maxReq, err := strconv.Atoi(h.Get("X-Ratelimit-Limit")); err == nil && maxReq > 0 {
		remaining, err1 := strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
		reset, err2 := strconv.Atoi(h.Get("X-Ratelimit-Reset"))
		if err1 == nil && err2 == nil {
			// Clients sharing the token's budget
			// (connector.WithSharedBudget) draw on the burst window,
			// lowered to what is left of it.
			l.Report(connector.Within(float64(maxReq), burstWindow), float64(remaining))
			left := time.Duration(min(max(reset, 1), 60)) * time.Second
			switch {
			case remaining <= 0:
				l.PauseUntil(time.Now().Add(left))
				limit = rate.Every(burstWindow / time.Duration(maxReq))
			case remaining <= maxReq/10:
				limit = rate.Every(left / time.Duration(remaining))
			}
		}
	}
	if dailyLeft > 0 && dailyLeft < dailyLow {
		daily := rate.Every(untilNextUTCMidnight(time.Now()) / time.Duration(dailyLeft))
		if daily < limit {
			limit = daily
		}
	}
	if limit != l.Limit() {
		l.SetLimit(limit, 1)
	}
}
