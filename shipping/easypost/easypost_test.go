package easypost_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper) (*easyposttest.Server, *easypost.Client) {
	t.Helper()
	srv := easyposttest.NewServer()
	t.Cleanup(srv.Close)
	client, err := easypost.New(easypost.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

func harness(wrap func(*testing.T, http.RoundTripper) http.RoundTripper) func(t *testing.T) shippingtest.Harness {
	return func(t *testing.T) shippingtest.Harness {
		var w func(http.RoundTripper) http.RoundTripper
		if wrap != nil {
			w = func(next http.RoundTripper) http.RoundTripper { return wrap(t, next) }
		}
		srv, client := sandbox(t, w)
		return shippingtest.HarnessOn(client.Rates, client.Labels, client.Tracking, srv)
	}
}

// The shipping contract, on the sandbox.
func TestContract(t *testing.T) { shippingtest.Run(t, harness(nil)) }

// The purchase goes through and is charged at EasyPost but its answer is
// lost: Buy finds the shipment by the key in its reference and returns it.
// One label, one charge.
func TestLostPurchaseAnswer(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	rates := shippingtest.Quote(t, client.Rates)
	rate, _ := shipping.Fastest(rates)
	srv.LoseNextPurchaseAnswer()
	label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("order-1001-label"))
	require.NoError(t, err, "Buy after a lost answer")
	assert.Equal(t, 1, srv.Purchases(), "charges")
	assert.NotEmpty(t, label.TrackingNumber, "label %+v", label)
	assert.Equal(t, rate.ID, label.RateID)

	again, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("order-1001-label"))
	require.NoError(t, err)
	assert.Equal(t, label.ID, again.ID, "a rerun under the key")
	assert.Equal(t, 1, srv.Purchases(), "charges after a rerun")

	// Without a key the lost answer is reported, not retried blindly.
	rate2, _ := shipping.Cheapest(rates)
	srv.LoseNextPurchaseAnswer()
	_, err = client.Labels.Buy(ctx, rate2.ID)
	assert.ErrorIs(t, err, connector.ErrOutcomeUnknown)
	assert.Equal(t, 2, srv.Purchases(), "charges")
}

// countRequests counts what reaches the sandbox.
type countRequests struct {
	next http.RoundTripper
	n    atomic.Int64
}

func (c *countRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// A caller that knows its key is new buys a quoted rate in one call, and a
// lost answer is still found by its key rather than bought twice.
func TestBuyWithNewKeyIsOneCall(t *testing.T) {
	counter := &countRequests{}
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { counter.next = next; return counter })
	ctx := context.Background()
	rates := shippingtest.Quote(t, client.Rates)
	cheap, _ := shipping.Cheapest(rates)
	before := counter.n.Load()
	label, err := client.Labels.Buy(ctx, cheap.ID, connector.WithIdempotencyKey("order-1-label"), connector.WithNewKey())
	require.NoError(t, err)
	assert.Equal(t, int64(1), counter.n.Load()-before, "calls")
	assert.Equal(t, cheap.Carrier, label.Carrier)
	assert.Equal(t, cheap.Amount, label.Amount)

	fast, _ := shipping.Fastest(rates)
	srv.LoseNextPurchaseAnswer()
	_, err = client.Labels.Buy(ctx, fast.ID, connector.WithIdempotencyKey("order-2-label"), connector.WithNewKey())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Purchases(), "charges")
}

// A rate this client did not quote is read back (rate, then shipment);
// a rate bought without a key cannot be bought again under one.
func TestBuyRateQuotedElsewhere(t *testing.T) {
	srv, quoter := sandbox(t, nil)
	rates := shippingtest.Quote(t, quoter.Rates)
	other, err := easypost.New(easypost.Config{BaseURL: srv.URL(), Auth: srv.Auth()}, connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	ctx := context.Background()
	rate, _ := shipping.Cheapest(rates)
	label, err := other.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("elsewhere"))
	require.NoError(t, err)
	eq, _ := label.Amount.Equal(rate.Amount)
	assert.True(t, eq, "amount %v, rate %v", label.Amount, rate.Amount)

	fast, _ := shipping.Fastest(rates)
	_, err = quoter.Labels.Buy(ctx, fast.ID)
	require.NoError(t, err)
	_, err = quoter.Labels.Buy(ctx, fast.ID)
	assert.ErrorIs(t, err, connector.ErrConflict, "a shipment is bought once")
}

// FindByKey finds a label by its key whatever its rate, across list pages
// (before_id), and says ErrNotFound for a key never used.
func TestFindByKeyPages(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	rate, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
	want, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("first-order"))
	require.NoError(t, err)
	for range 105 { // more than a page of newer shipments
		shippingtest.Quote(t, client.Rates)
	}
	// Purchased ones only are listed: buy a page's worth more.
	for i := range 101 {
		r, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
		_, err := client.Labels.Buy(ctx, r.ID, connector.WithIdempotencyKey(connector.DeriveKey("o", string(rune('a'+i%26)), time.Now().String())), connector.WithNewKey())
		require.NoError(t, err)
	}
	got, err := client.Labels.FindByKey(ctx, "first-order", time.Time{})
	require.NoError(t, err)
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, rate.ID, got.RateID)
	_, err = client.Labels.FindByKey(ctx, "never-used", time.Time{})
	assert.ErrorIs(t, err, connector.ErrNotFound)
	assert.Equal(t, 102, srv.Purchases())
}

// Every request carries the key as the Basic user with no password; the
// sandbox refuses another key with EasyPost's 401.
func TestAuth(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Body: `{"trackers":[],"has_more":false}`})
	client, err := easypost.New(easypost.Config{BaseURL: srv.URL, Auth: easypost.APIKey("EZTK0123456789")}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = client.Tracking.Track(context.Background(), "usps", "9400")
	assert.ErrorIs(t, err, connector.ErrNotFound)
	require.Equal(t, 1, srv.Hits())
	r := (&http.Request{Header: srv.Requests()[0].Header})
	user, pass, ok := r.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "EZTK0123456789", user)
	assert.Empty(t, pass)
	assert.Equal(t, "/v2/trackers", srv.Requests()[0].Path)

	_, err = easypost.New(easypost.Config{BaseURL: srv.URL})
	assert.Error(t, err, "a client without Auth")

	sb := easyposttest.NewServer()
	defer sb.Close()
	other, err := easypost.New(easypost.Config{BaseURL: sb.URL(), Auth: easypost.APIKey("EZTKnot_the_sandboxes")})
	require.NoError(t, err)
	_, err = other.Tracking.Track(context.Background(), "usps", "9400")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	var apiErr *connector.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "APIKEY.INACTIVE", apiErr.Code)
	assert.NotEmpty(t, apiErr.RequestID, "X-Ep-Request-Uuid")
}

func buyOne(t *testing.T, client *easypost.Client) *shipping.Label {
	t.Helper()
	rate, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
	label, err := client.Labels.Buy(context.Background(), rate.ID, connector.WithIdempotencyKey(connector.NewKey()))
	require.NoError(t, err)
	return label
}
