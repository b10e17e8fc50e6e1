package connector_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Scenario 6, behaviour: a 429 is retried after the wait the vendor named,
// an unreadable Retry-After falls back to backoff, and one longer than the
// policy's MaxRetryAfter is handed to the caller instead of slept through.
func TestRetryAfterHonoured(t *testing.T) {
	imf := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(http.TimeFormat) }
	rfc850 := func(d time.Duration) string {
		return time.Now().Add(d).UTC().Format("Monday, 02-Jan-06 15:04:05 GMT")
	}
	asctime := func(d time.Duration) string { return time.Now().Add(d).UTC().Format(time.ANSIC) }
	tests := []struct {
		name            string
		retryAfter      func() string
		minWait         time.Duration
		hits            int
		wantErr         error
		retryAfterInErr time.Duration
	}{
		{name: "seconds", retryAfter: func() string { return "2" }, minWait: 1900 * time.Millisecond, hits: 2},
		{name: "IMF-fixdate", retryAfter: func() string { return imf(2 * time.Second) }, minWait: 900 * time.Millisecond, hits: 2},
		{name: "RFC 850", retryAfter: func() string { return rfc850(2 * time.Second) }, minWait: 900 * time.Millisecond, hits: 2},
		{name: "asctime", retryAfter: func() string { return asctime(2 * time.Second) }, minWait: 900 * time.Millisecond, hits: 2},
		{name: "negative", retryAfter: func() string { return "-1" }, hits: 2},
		{name: "garbage", retryAfter: func() string { return "abc" }, hits: 2},
		{name: "past the clamp", retryAfter: func() string { return "3600" }, hits: 1, wantErr: connector.ErrRateLimited, retryAfterInErr: time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := connectortest.NewServer(t, connectortest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.retryAfter())
				w.WriteHeader(http.StatusTooManyRequests)
			}}, connectortest.Fault{})
			c := newClient(t, srv.URL, srv.Client())

			start := time.Now()
			err := get(context.Background(), c, "/x")
			elapsed := time.Since(start)
			if !errors.Is(err, tt.wantErr) && !(err == nil && tt.wantErr == nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if srv.Hits() != tt.hits {
				t.Fatalf("hits = %d, want %d", srv.Hits(), tt.hits)
			}
			if elapsed < tt.minWait {
				t.Fatalf("retried after %v, want at least %v", elapsed, tt.minWait)
			}
			if tt.minWait == 0 && elapsed > 500*time.Millisecond {
				t.Fatalf("took %v: an unusable Retry-After should fall back to the short backoff", elapsed)
			}
			var apiErr *connector.APIError
			if tt.retryAfterInErr > 0 && (!errors.As(err, &apiErr) || apiErr.RetryAfter != tt.retryAfterInErr) {
				t.Fatalf("err = %#v, want RetryAfter %v", err, tt.retryAfterInErr)
			}
		})
	}
}

// Scenario 7: a Retry-After that would outlast the caller's deadline comes
// back at once as ErrRateLimited with RetryAfter; and since the wait pauses
// the whole client, the next call does not even reach the vendor.
func TestRetryAfterPastDeadline(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "5"})
	c := newClient(t, srv.URL, srv.Client())
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	start := time.Now()
	err := get(ctx, c, "/x")
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter != 5*time.Second {
		t.Fatalf("err = %v, want ErrRateLimited with RetryAfter 5s", err)
	}
	if elapsed := time.Since(start); elapsed > 200*time.Millisecond {
		t.Fatalf("took %v, want an immediate return", elapsed)
	}

	err = get(ctx, c, "/y")
	if !errors.Is(err, connector.ErrRateLimited) || !errors.As(err, &apiErr) || apiErr.RetryAfter < 4*time.Second {
		t.Fatalf("second call: err = %v, want ErrRateLimited from the client-wide pause", err)
	}
	if srv.Hits() != 1 {
		t.Fatalf("hits = %d, want 1: the paused client must not call the vendor", srv.Hits())
	}
}

// A RetryPolicy literal's zero fields take the documented defaults:
// MaxRetryAfter left out is 60 s, so a Retry-After of 1 is waited out, not
// turned into an immediate ErrRateLimited; a literal with MaxAttempts
// alone is accepted.
func TestRetryPolicyLiteralKeepsDefaults(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "1"}, connectortest.Fault{})
	c := newClient(t, srv.URL, srv.Client(),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second}))
	start := time.Now()
	if err := get(context.Background(), c, "/x"); err != nil {
		t.Fatalf("err = %v, want the Retry-After of 1 s waited out", err)
	}
	if waited := time.Since(start); waited < 900*time.Millisecond {
		t.Fatalf("answered after %v, want the second the vendor asked for", waited)
	}
	if _, err := connector.New(connector.Vendor{Name: "v", BaseURL: srv.URL}, connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 3})); err != nil {
		t.Fatalf("RetryPolicy{MaxAttempts: 3} refused: %v", err)
	}
}

// The retry quota's size is settable: a budget of 10 tokens allows two
// retries (5 each), then none until a call succeeds.
func TestRetryQuotaSettable(t *testing.T) {
	srv := connectortest.NewServer(t, connectortest.Fault{Status: http.StatusServiceUnavailable})
	c := newClient(t, srv.URL, srv.Client(),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Quota: 10}))
	for range 2 {
		if err := get(context.Background(), c, "/down"); !errors.Is(err, connector.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	}
	if hits := srv.Hits(); hits != 4 {
		t.Fatalf("%d attempts, want 4: three for the first call, one for the second once the quota is spent", hits)
	}
}
