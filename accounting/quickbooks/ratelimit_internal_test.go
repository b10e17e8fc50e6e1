package quickbooks

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// The client starts at Intuit's 500 a minute, slows to one call every
// 120ms for a minute after a 429, then speeds up again; a user's own
// WithRateLimit is left alone, 429 or not.
func TestPacerKeepsToIntuitsLimits(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", Auth: connector.Bearer("x"), RealmID: "1"})
	require.NoError(t, err)
	l := c.RateLimiter()
	assert.InDelta(t, 500.0/60, float64(l.Limit()), 1e-9)
	now := time.Unix(1_800_000_000, 0)
	c.pace.now = func() time.Time { return now }
	c.pace.feedback(&http.Response{StatusCode: http.StatusTooManyRequests}, l)
	assert.InDelta(t, float64(rate.Every(120*time.Millisecond)), float64(l.Limit()), 1e-9)
	now = now.Add(30 * time.Second)
	c.pace.feedback(&http.Response{StatusCode: http.StatusOK}, l)
	assert.InDelta(t, float64(rate.Every(120*time.Millisecond)), float64(l.Limit()), 1e-9, "sped up within the minute")
	now = now.Add(31 * time.Second)
	c.pace.feedback(&http.Response{StatusCode: http.StatusOK}, l)
	assert.InDelta(t, 500.0/60, float64(l.Limit()), 1e-9)

	own, err := New(Config{BaseURL: "http://127.0.0.1:1", Auth: connector.Bearer("x"), RealmID: "1"}, connector.WithRateLimit(rate.Limit(1000), 100))
	require.NoError(t, err)
	own.pace.feedback(&http.Response{StatusCode: http.StatusTooManyRequests}, own.RateLimiter())
	assert.InDelta(t, 1000.0, float64(own.RateLimiter().Limit()), 1e-9)
}
