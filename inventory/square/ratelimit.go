package square

import (
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Square publishes no request quota and sends no rate-limit headers: an
// application that sends too much is answered 429 with RATE_LIMITED (often
// without Retry-After), and Square asks for an exponential backoff. The
// connector's retry policy backs off each call; rateFeedback also pauses
// the whole client briefly, so that concurrent calls do not all run into
// the limit again at once.
// https://developer.squareup.com/docs/build-basics/handling-errors
const throttlePause = 500 * time.Millisecond

func rateFeedback(resp *http.Response, l *connector.RateLimiter) {
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		l.PauseUntil(time.Now().Add(throttlePause))
	}
}
