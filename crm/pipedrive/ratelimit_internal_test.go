package pipedrive

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// Pipedrive's headers pace the client: full speed with budget left, the
// rest of the burst window spread below a tenth of it, a pause when it is
// spent, and the day's last requests spread until midnight UTC; the slower
// pace wins, and budget restored brings full speed back.
func TestPaceFromHeaders(t *testing.T) {
	c, err := connector.New(connector.Vendor{Name: "pipedrive", BaseURL: DefaultBaseURL})
	require.NoError(t, err)
	l := c.RateLimiter()
	p := &pacer{}
	answer := func(limit, remaining, reset, daily string) *http.Response {
		h := http.Header{}
		for k, v := range map[string]string{"X-Ratelimit-Limit": limit, "X-Ratelimit-Remaining": remaining,
			"X-Ratelimit-Reset": reset, "X-Daily-Requests-Left": daily} {
			if v != "" {
				h.Set(k, v)
			}
		}
		return &http.Response{StatusCode: http.StatusOK, Header: h}
	}

	p.feedback(answer("80", "70", "2", "10000"), l)
	assert.Equal(t, rate.Inf, l.Limit(), "budget left: full speed")

	p.feedback(answer("80", "4", "2", "10000"), l)
	assert.InDelta(t, 2.0, float64(l.Limit()), 0.01, "4 left in a 2 s window: 2 a second")

	p.feedback(answer("80", "0", "2", "10000"), l)
	assert.InDelta(t, 40.0, float64(l.Limit()), 0.01, "window spent: the window's pace after a pause")

	p.feedback(answer("80", "70", "2", "100"), l)
	perSecond := 100 / untilNextUTCMidnight(time.Now()).Seconds()
	assert.InDelta(t, perSecond, float64(l.Limit()), perSecond/10, "the day's last 100 spread until midnight UTC")

	p.feedback(answer("80", "70", "2", "10000"), l)
	assert.Equal(t, rate.Inf, l.Limit(), "budget restored: full speed again")
}

// x-daily-requests-left comes only on answers to writes: the pace it sets
// holds through the reads that follow on the same UTC day, and a new day
// forgets it.
func TestDailyPaceSurvivesReads(t *testing.T) {
	c, err := connector.New(connector.Vendor{Name: "pipedrive", BaseURL: DefaultBaseURL})
	require.NoError(t, err)
	l := c.RateLimiter()
	p := &pacer{}
	write := &http.Response{StatusCode: http.StatusCreated, Header: http.Header{"X-Ratelimit-Limit": {"80"},
		"X-Ratelimit-Remaining": {"70"}, "X-Ratelimit-Reset": {"2"}, "X-Daily-Requests-Left": {"50"}}}
	read := &http.Response{StatusCode: http.StatusOK, Header: http.Header{"X-Ratelimit-Limit": {"80"},
		"X-Ratelimit-Remaining": {"69"}, "X-Ratelimit-Reset": {"2"}}}

	p.feedback(write, l)
	slow := l.Limit()
	require.Less(t, float64(slow), 1.0, "50 left for the day: well under one a second")
	p.feedback(read, l)
	assert.InDelta(t, float64(slow), float64(l.Limit()), float64(slow)/10, "a read without the header keeps the daily pace")

	now := time.Now()
	assert.Equal(t, 50, p.daily(http.Header{}, now))
	assert.Equal(t, -1, p.daily(http.Header{}, now.Add(24*time.Hour)), "the next UTC day starts a new budget")
}
