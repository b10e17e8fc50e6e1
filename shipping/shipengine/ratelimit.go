package shipengine

import (
	"net/http"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// DocumentedLimit is ShipEngine's default rate limit: 200 requests a
// minute per account (https://www.shipengine.com/docs/rate-limits/).
// ShipEngine sends no remaining-quota headers; a request over the limit is
// answered 429 with Retry-After in seconds, which pauses the whole client
// (connector's rate limiter) before any further request.
const DocumentedLimit = rate.Limit(200.0 / 60.0)

// rateFeedback paces the client after ShipEngine said it sent too much:
// on a 429, a client running faster than DocumentedLimit (the default
// client is unpaced) slows to it, so that the requests after the
// Retry-After pause do not all run into the limit again. A user's own
// slower limit is kept.
func rateFeedback(resp *http.Response, l *connector.RateLimiter) {
	if resp.StatusCode != http.StatusTooManyRequests {
		return
	}
	if l.Limit() > DocumentedLimit {
		l.SetLimit(DocumentedLimit, 10)
	}
}
