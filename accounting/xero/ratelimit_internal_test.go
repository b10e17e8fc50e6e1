package xero

import (
	"net/http"
	"testing"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// Xero's limit headers pace the client: full speed with budget left, one
// call a second near the minute's end, a pause once the day is spent; and
// a day-limit 429 is not retried.
func TestPaceFromHeaders(t *testing.T) {
	resp := func(minute, app, day string) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"X-Minlimit-Remaining": {minute},
			"X-Appminlimit-Remaining": {app}, "X-Daylimit-Remaining": {day}}}
	}
	l := connector.NewRateLimiter(rate.Inf, 1)
	paceFromHeaders(resp("3", "9000", "4000"), l)
	if l.Limit() != rate.Limit(1) {
		t.Fatalf("3 calls left this minute: limit %v, want 1/s", l.Limit())
	}
	paceFromHeaders(resp("50", "9000", "4000"), l)
	if l.Limit() != rate.Inf {
		t.Fatalf("budget restored: limit %v, want unlimited", l.Limit())
	}
	paceFromHeaders(resp("50", "9000", "0"), l)
	if l.PausedFor() <= 0 {
		t.Fatal("day spent: the client must pause")
	}
	day := &http.Response{StatusCode: 429, Header: http.Header{"X-Rate-Limit-Problem": {"day"}}}
	minute := &http.Response{StatusCode: 429, Header: http.Header{"X-Rate-Limit-Problem": {"minute"}}}
	if decideRetry(day) != connector.RetryNo || decideRetry(minute) != connector.RetryDefault {
		t.Fatal("a day-limit 429 is final; a minute-limit 429 is retried")
	}
}
