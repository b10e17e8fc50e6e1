package xero

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Xero's limit headers pace the client: full speed with budget left, one
// call a second near the minute's end; and a day-limit 429 is not retried.
func TestPaceFromHeaders(t *testing.T) {
	resp := func(minute, app, day string) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"X-Minlimit-Remaining": {minute},
			"X-Appminlimit-Remaining": {app}, "X-Daylimit-Remaining": {day}}}
	}
	c, err := connector.New(connector.Vendor{Name: "xero", BaseURL: DefaultBaseURL})
	if err != nil {
		t.Fatal(err)
	}
	l := c.RateLimiter()
	paceFromHeaders(resp("3", "9000", "4000"), l)
	assert.Equal(t, rate.Limit(1), l.Limit(), "3 calls left this minute: want 1/s")
	paceFromHeaders(resp("50", "9000", "4000"), l)
	assert.Equal(t, rate.Inf, l.Limit(), "budget restored: want unlimited")
	paceFromHeaders(resp("50", "4", "4000"), l)
	assert.Equal(t, rate.Limit(1), l.Limit(), "4 calls left this minute for the app: want 1/s")

	day := &http.Response{StatusCode: 429, Header: http.Header{"X-Rate-Limit-Problem": {"day"}}}
	minute := &http.Response{StatusCode: 429, Header: http.Header{"X-Rate-Limit-Problem": {"minute"}}}
	assert.Equal(t, connector.RetryNo, decideRetry(day), "a day-limit 429 is final")
	assert.Equal(t, connector.RetryDefault, decideRetry(minute), "a minute-limit 429 is retried")
}

// Once an answer says the day's calls are spent, the client pauses: the
// next call, with a deadline shorter than the pause, is not sent.
func TestDaySpentPauses(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Header: http.Header{"X-Daylimit-Remaining": {"0"},
		"X-Minlimit-Remaining": {"50"}, "X-Appminlimit-Remaining": {"9000"}}, Body: `{"Contacts":[]}`})
	c, err := New(Config{BaseURL: srv.URL, Auth: connector.Bearer("token-day-0000"), TenantID: "t"}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Customers.FindByEmail(ctx, "a@example.com")
	require.True(t, errors.Is(err, connector.ErrNotFound), "first call: %v", err)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = c.Customers.FindByEmail(ctx, "a@example.com")
	assert.ErrorIs(t, err, connector.ErrRateLimited)
	assert.Equal(t, 1, srv.Hits(), "the call after the day was spent was sent")
}
