package xero

import (
	"net/http"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// paceFromHeaders reads X-MinLimit-Remaining (60 calls a minute per
// tenant), X-AppMinLimit-Remaining (per app) and X-DayLimit-Remaining
// (5,000 a day per tenant). Near the end of a minute's budget the client
// slows to one call a second; with the day spent it pauses for an hour
// rather than burn calls on 429s.
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	minute := remaining(resp.Header, "X-MinLimit-Remaining")
	app := remaining(resp.Header, "X-AppMinLimit-Remaining")
	day := remaining(resp.Header, "X-DayLimit-Remaining")
	switch {
	case day == 0:
		l.PauseUntil(time.Now().Add(time.Hour))
	case (minute >= 0 && minute <= 5) || (app >= 0 && app <= 5):
		l.SetLimit(rate.Every(time.Second), 1)
	case minute > 5 || app > 5:
		if l.Limit() != rate.Inf {
			l.SetLimit(rate.Inf, 1)
		}
	}
}

func remaining(h http.Header, name string) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil {
		return -1
	}
	return n
}
