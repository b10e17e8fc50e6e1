package hubspot

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// paceFromHeaders reads X-HubSpot-RateLimit-Max, -Remaining and
// -Interval-Milliseconds (a rolling window, 10 s) from every answer. While
// plenty remains the client runs free; when less than a tenth of the
// window's budget is left, it paces itself to the sustained rate
// (Max per interval), and when none is left it waits one slot, so that a
// bulk sync slows down before HubSpot says 429.
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	h := resp.Header
	maxReq, err1 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Max"))
	remaining, err2 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	intervalMS, err3 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds"))
	if err1 != nil || err2 != nil || err3 != nil || maxReq <= 0 || intervalMS <= 0 {
		return
	}
	interval := time.Duration(intervalMS) * time.Millisecond
	slot := interval / time.Duration(maxReq)
	switch {
	case remaining <= 0:
		l.SetLimit(rate.Every(slot), 1)
		l.PauseUntil(time.Now().Add(slot))
	case remaining <= maxReq/10:
		l.SetLimit(rate.Every(slot), 1)
	default:
		if l.Limit() != rate.Inf {
			l.SetLimit(rate.Inf, 1)
		}
	}
}

// decideRetry keeps the standard rules, except that a 429 for the DAILY
// policy is not retried: nothing will succeed before the day resets, and
// the error says when that is.
func decideRetry(resp *http.Response) connector.RetryDecision {
	if resp.StatusCode != http.StatusTooManyRequests {
		return connector.RetryDefault
	}
	var b struct {
		PolicyName string `json:"policyName"`
	}
	if json.Unmarshal(connector.PeekBody(resp, 16<<10), &b) == nil && b.PolicyName == "DAILY" {
		return connector.RetryNo
	}
	return connector.RetryDefault
}
