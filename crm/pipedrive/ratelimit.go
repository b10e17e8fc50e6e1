package pipedrive

import (
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// dailyLow is the daily budget left below which the client spreads what
// remains over the rest of the UTC day.
const dailyLow = 200

// paceFromHeaders reads Pipedrive's rate-limit headers on every answer:
// x-ratelimit-limit, -remaining and -reset (the burst limit, per token, in
// a 2-second window, reset in seconds) and x-daily-requests-left (the
// day's budget, reset at midnight UTC).
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting
//
// With the burst window spent the client waits for its reset; below a
// tenth of it, it spreads what remains over the window. With the daily
// budget low it spreads the rest over the time left until midnight UTC;
// once spent, a 429 is not retried (decideRetry). The slower pace wins.
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	h := resp.Header
	limit := rate.Inf
	if maxReq, err := strconv.Atoi(h.Get("X-Ratelimit-Limit")); err == nil && maxReq > 0 {
		remaining, err1 := strconv.Atoi(h.Get("X-Ratelimit-Remaining"))
		reset, err2 := strconv.Atoi(h.Get("X-Ratelimit-Reset"))
		if err1 == nil && err2 == nil {
			window := time.Duration(max(reset, 1)) * time.Second
			switch {
			case remaining <= 0:
				l.PauseUntil(time.Now().Add(window))
				limit = rate.Every(window / time.Duration(maxReq))
			case remaining <= maxReq/10:
				limit = rate.Every(window / time.Duration(remaining))
			}
		}
	}
	if left, err := strconv.Atoi(h.Get("X-Daily-Requests-Left")); err == nil && left > 0 && left < dailyLow {
		daily := rate.Every(untilNextUTCMidnight(time.Now()) / time.Duration(left))
		if daily < limit {
			limit = daily
		}
	}
	if limit != l.Limit() {
		l.SetLimit(limit, 1)
	}
}
