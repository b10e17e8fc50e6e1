package salesforce

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// dailyWindow is Salesforce's API request limit window: a rolling 24
// hours, not a calendar day.
const dailyWindow = 24 * time.Hour

// paceFromHeaders reads Sforce-Limit-Info: api-usage=n/m, sent on every
// REST answer: n calls of the org's m in the last 24 hours. With more than
// a twentieth of the budget left the client runs free; below that it
// spreads what remains over the window, so that a bulk sync slows down
// long before the org is locked out (for every integration it has, not
// only this one); with nothing left it pauses an hour, and the 403
// REQUEST_LIMIT_EXCEEDED TotalRequests is not retried (decideRetry). A
// call whose wait passes its context's deadline is refused at once with
// connector.ErrRateLimited, without being sent.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_api_usage.htm
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	used, limit, ok := parseAPIUsage(resp.Header.Get("Sforce-Limit-Info"))
	if !ok {
		return
	}
	left := limit - used
	switch {
	case left <= 0:
		l.SetLimit(rate.Every(dailyWindow/time.Duration(limit)), 1)
		l.PauseUntil(time.Now().Add(time.Hour))
	case left <= max(limit/20, 1):
		l.SetLimit(rate.Every(dailyWindow/time.Duration(left)), 1)
	default:
		if l.Limit() != rate.Inf {
			l.SetLimit(rate.Inf, 1)
		}
	}
}

// parseAPIUsage reads "api-usage=25/15000" out of a Sforce-Limit-Info
// value, which may carry other entries ("per-app-api-usage=...").
func parseAPIUsage(h string) (used, limit int, ok bool) {
	for part := range strings.SplitSeq(h, ";") {
		for entry := range strings.SplitSeq(part, ",") {
			v, found := strings.CutPrefix(strings.TrimSpace(entry), "api-usage=")
			if !found {
				continue
			}
			n, m, cut := strings.Cut(v, "/")
			used, err1 := strconv.Atoi(strings.TrimSpace(n))
			limit, err2 := strconv.Atoi(strings.TrimSpace(m))
			if !cut || err1 != nil || err2 != nil || limit <= 0 || used < 0 {
				return 0, 0, false
			}
			return used, limit, true
		}
	}
	return 0, 0, false
}
