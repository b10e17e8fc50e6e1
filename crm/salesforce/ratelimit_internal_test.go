package salesforce

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/connector"
)

// Sforce-Limit-Info paces the client: free with budget left, the rest of
// the budget spread over the 24-hour window below a twentieth of it, a
// pause when it is spent, free again when calls come back.
func TestPaceFromHeaders(t *testing.T) {
	c, err := connector.New(connector.Vendor{Name: "salesforce", BaseURL: "https://example.my.salesforce.com"})
	require.NoError(t, err)
	l := c.RateLimiter()
	answer := func(v string) *http.Response {
		return &http.Response{StatusCode: 200, Header: http.Header{"Sforce-Limit-Info": {v}}}
	}
	paceFromHeaders(answer("api-usage=100/15000"), l)
	assert.Equal(t, rate.Inf, l.Limit(), "budget left")
	paceFromHeaders(answer("api-usage=14900/15000; per-app-api-usage=3/250(appName=pb)"), l)
	assert.InDelta(t, 100/dailyWindow.Seconds(), float64(l.Limit()), 1e-6, "100 left: spread over 24 hours")
	paceFromHeaders(answer("api-usage=15000/15000"), l)
	assert.InDelta(t, 15000/dailyWindow.Seconds(), float64(l.Limit()), 1e-6, "spent")
	paceFromHeaders(answer("garbage"), l)
	assert.InDelta(t, 15000/dailyWindow.Seconds(), float64(l.Limit()), 1e-6, "an unreadable header changes nothing")
	paceFromHeaders(answer("api-usage=10/15000"), l)
	assert.Equal(t, rate.Inf, l.Limit(), "calls came back")

	for in, want := range map[string][2]int{"api-usage=25/15000": {25, 15000}, " api-usage = 1/2": {0, 0}, "per-app-api-usage=1/2": {0, 0},
		"api-usage=3/0": {0, 0}, "x=1, api-usage=7/9": {7, 9}} {
		used, limit, _ := parseAPIUsage(in)
		assert.Equal(t, want, [2]int{used, limit}, in)
	}
}
