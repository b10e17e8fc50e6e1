package shipengine

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// DocumentedLimit is ShipEngine's default rate limit: 200 requests a
// minute per account (https://www.shipengine.com/docs/rate-limits/).
// ShipEngine sends no remaining-quota headers; a request over the limit is
// answered 429 with Retry-After in seconds, which pauses the whole client
// (connector's rate limiter) before any further request.
const DocumentedLimit = rate.Limit(200.0 / 60.0)

// sharedLimit is DocumentedLimit as the budget clients sharing an account
// draw on (connector.WithSharedBudget).
var sharedLimit = connector.Within(200, time.Minute)

// rateFeedback paces the client after ShipEngine said the account's
// minute is spent: on a 429 that asks for a wait (Retry-After of a second
// or more), a client running faster than DocumentedLimit (the default
// client is unpaced) slows to it, so that the requests after the pause do
// not all run into the limit again. A 429 with Retry-After: 0 (a burst, not
// the budget) slows nothing: the core retries it. A user's own slower
// limit is kept.
func rateFeedback(resp *http.Response, l *connector.RateLimiter) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs < 1 {
		return
	}
	if l.Limit() > DocumentedLimit {
		l.SetLimit(DocumentedLimit, 10)
	}
}
