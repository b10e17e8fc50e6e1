package connector_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
)

// Every test in this package ends with no goroutine left behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fastRetry keeps the default rules with millisecond waits, so that tests
// exercise retries without sleeping.
var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 10 * time.Second}

// newClient builds a client for baseURL with its own connection pool (hc),
// closed when the test ends, and the fast retry policy.
func newClient(t *testing.T, baseURL string, hc *http.Client, opts ...connector.Option) *connector.Client {
	t.Helper()
	return newVendorClient(t, connector.Vendor{BaseURL: baseURL}, hc, opts...)
}

// newVendorClient is newClient for a vendor with policy of its own; its
// name is "testvendor".
func newVendorClient(t *testing.T, v connector.Vendor, hc *http.Client, opts ...connector.Option) *connector.Client {
	t.Helper()
	v.Name = "testvendor"
	if hc == nil {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc = &http.Client{Transport: tr}
	}
	all := append([]connector.Option{
		connector.WithHTTPClient(hc),
		connector.WithRetryPolicy(fastRetry),
	}, opts...)
	c, err := connector.New(v, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(ctx context.Context, c *connector.Client, path string) error {
	return c.JSON(ctx, http.MethodGet, path, nil, nil)
}

func post(ctx context.Context, c *connector.Client, path string, opts ...connector.CallOption) error {
	return c.JSON(ctx, http.MethodPost, path, map[string]string{"a": "b"}, nil, opts...)
}
