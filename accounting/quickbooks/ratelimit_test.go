package quickbooks_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func clientOf(t *testing.T, srv *quickbookstest.Server, opts ...connector.Option) *quickbooks.Client {
	t.Helper()
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID(), HomeCurrency: srv.HomeCurrency()},
		append([]connector.Option{connector.WithHTTPClient(connectortest.TestClient(t, nil))}, opts...)...)
	require.NoError(t, err)
	return client
}

// gets runs n customer reads at once and returns how long they took.
func gets(t *testing.T, client *quickbooks.Client, id string, n int) time.Duration {
	t.Helper()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := client.Customers.Get(context.Background(), id)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	return time.Since(start)
}

// Left to itself the client keeps to Intuit's pace, 500 a minute in
// bursts of 10: 40 reads at once take over 3.5s, and the sandbox, at
// Intuit's limits, throttles none. After a 429 the bursts stop.
func TestClientPacesItself(t *testing.T) {
	srv := quickbookstest.NewServer()
	t.Cleanup(srv.Close)
	client := clientOf(t, srv, connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	c := newCustomer(t, client, "paced@example.com")
	took := gets(t, client, c.ID, 40)
	assert.Zero(t, srv.Throttled())
	assert.GreaterOrEqual(t, took, 3*time.Second, "40 calls in %s: faster than 500 a minute", took)

	// After a 429 it sends one call at a time, every 120ms, even with a
	// full bucket.
	time.Sleep(1300 * time.Millisecond) // the burst of 10 is back
	srv.Throttle(1)
	_, err := client.Customers.Get(context.Background(), c.ID)
	require.ErrorIs(t, err, connector.ErrRateLimited)
	took = gets(t, client, c.ID, 8)
	assert.GreaterOrEqual(t, took, 700*time.Millisecond, "8 calls in %s after a 429: still in bursts", took)
}

// However fast its pace, the client has at most 10 requests in flight:
// the sandbox, slowed to 50ms an answer, throttles none of 40 at once.
func TestClientKeepsTenInFlight(t *testing.T) {
	srv := quickbookstest.NewServer(quickbookstest.WithLatency(50 * time.Millisecond))
	t.Cleanup(srv.Close)
	client := clientOf(t, srv, connector.WithRateLimit(rate.Limit(1e6), 1000), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	c := newCustomer(t, client, "ten@example.com")
	gets(t, client, c.ID, 40)
	assert.Zero(t, srv.Throttled())
}

// A 429 is retried after a backoff: the invoice is made once, nothing
// fails.
func TestThrottledWriteIsRetried(t *testing.T) {
	srv, client := sandbox(t, nil)
	c := newCustomer(t, client, "throttled@example.com")
	srv.Throttle(2)
	inv, err := client.Invoices.Create(context.Background(), oneLine(c.ID, "ORDER-429"),
		connector.WithIdempotencyKey(connector.DeriveKey("order", "429", "invoice")))
	require.NoError(t, err)
	assert.Equal(t, "ORDER-429", inv.Reference)
	assert.Equal(t, 2, srv.Throttled())
	assert.Equal(t, 1, srv.InvoiceCount())
}

// The sandbox's limits: Intuit's by default (the 501st request of a
// minute is refused), WithRateLimit's when given, none with 0.
func TestSandboxRateLimit(t *testing.T) {
	for name, tc := range map[string]struct {
		opts  []quickbookstest.Option
		calls int
		want  int
	}{
		"intuit":    {nil, 502, 2},
		"five":      {[]quickbookstest.Option{quickbookstest.WithRateLimit(5, 2)}, 8, 3},
		"unlimited": {[]quickbookstest.Option{quickbookstest.WithRateLimit(0, 0)}, 600, 0},
	} {
		t.Run(name, func(t *testing.T) {
			srv := quickbookstest.NewServer(tc.opts...)
			t.Cleanup(srv.Close)
			client := clientOf(t, srv, connector.WithRateLimit(rate.Limit(1e6), 1), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
			refused := 0
			for range tc.calls {
				_, err := client.Customers.Get(context.Background(), "1")
				if errors.Is(err, connector.ErrRateLimited) {
					refused++
				} else {
					assert.ErrorIs(t, err, connector.ErrNotFound)
				}
			}
			assert.Equal(t, tc.want, refused)
			assert.Equal(t, tc.want, srv.Throttled())
		})
	}
}
