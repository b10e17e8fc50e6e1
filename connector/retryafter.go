package connector

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfterSecs caps a Retry-After, in seconds or as a date: a year is
// more than any vendor means.
const maxRetryAfterSecs = 365 * 24 * 3600

// parseRetryAfter reads a Retry-After header value (RFC 9110 section 10.2.3):
// either whole seconds ("120") or an HTTP-date in any of the three forms
// net/http accepts (IMF-fixdate, RFC 850, ANSI C asctime). A date in the past
// gives 0. It reports false for anything else: empty, negative, fractional or
// garbage values, which callers treat as if the header were absent.
func parseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if value[0] >= '0' && value[0] <= '9' {
		secs, err := strconv.ParseUint(value, 10, 63)
		if err != nil {
			return 0, false
		}
		// A year is more than any vendor means; it also keeps the
		// multiplication below from overflowing.
		if secs > maxRetryAfterSecs {
			secs = maxRetryAfterSecs
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	return min(max(d, 0), maxRetryAfterSecs*time.Second), true
}
