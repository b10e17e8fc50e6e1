package hubspot

import (
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// defaultLimit is the budget clients sharing an account draw on
// (connector.WithSharedBudget) before HubSpot's first answer reports the
// account's own: 100 requests every 10 seconds, the lowest tier's
// (Free and Starter; Professional and Enterprise have 190).
// https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details
var defaultLimit = connector.Within(100, 10*time.Second)

// paceFromHeaders reads X-HubSpot-RateLimit-Max, -Remaining and
// -Interval-Milliseconds from every answer. The window is rolling (10 s),
// so a burst spends budget that only time gives back. While more than a
// tenth of the budget remains the client runs free; below that it spreads
// what remains over one interval; with nothing left it waits a whole
// interval, the longest the oldest request can still count. A bulk sync
// so slows down before HubSpot says 429.
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	h := resp.Header
	maxReq, err1 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Max"))
	remaining, err2 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Remaining"))
	intervalMS, err3 := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds"))
	if err1 != nil || err2 != nil || err3 != nil || maxReq <= 0 || intervalMS <= 0 {
		return
	}
	interval := time.Duration(intervalMS) * time.Millisecond
	// Clients sharing the account's budget (connector.WithSharedBudget)
	// draw on the window HubSpot reports, lowered to what it says is left.
	l.Report(connector.Within(float64(maxReq), interval), float64(remaining))
	switch {
	case remaining <= 0:
		l.SetLimit(rate.Every(interval), 1)
		l.PauseUntil(time.Now().Add(interval))
	case remaining <= maxReq/10:
		l.SetLimit(rate.Every(interval/time.Duration(remaining)), 1)
	default:
		if l.Limit() != rate.Inf {
			l.SetLimit(rate.Inf, 1)
		}
	}
}
