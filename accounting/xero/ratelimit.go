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
//
// Clients sharing a tenant's budget (connector.WithSharedBudget) draw on
// one of 60 calls a minute, lowered to what each answer says is left of
// the minute.
func paceFromHeaders(resp *http.Response, l *connector.RateLimiter) {
	minute := remaining(resp.Header, "X-MinLimit-Remaining")
	if minute >= 0 {
		l.Report(minuteLimit, float64(minute))
	}
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

// minuteLimit is Xero's minute limit per tenant, 60 calls, as a shared
// budget. https://developer.xero.com/documentation/guides/oauth2/limits/
var minuteLimit = connector.Within(60, time.Minute)

func remaining(h http.Header, name string) int {
	n, err := strconv.Atoi(h.Get(name))
	if err != nil {
		return -1
	}
	return n
}
