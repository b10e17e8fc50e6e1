package connector

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/time/rate"
)

// Option configures a Client. Options validate their input: New returns the
// first error instead of building a client that fails later.
type Option func(*config) error

type config struct {
	baseURL           *url.URL
	httpClient        *http.Client
	auth              Auth
	retry             RetryPolicy
	rateLimit         rate.Limit
	rateBurst         int
	feedback          RateFeedback
	logger            *slog.Logger
	userAgent         string
	attemptTimeout    time.Duration
	decodeError       ErrorDecoder
	requestIDHeaders  []string
	idempotencyHeader string
	autoKeys          bool
	maxBody           int64
	sensitiveHeaders  []string
	trustedHosts      []string
	decide            func(*http.Response) RetryDecision
	maxConcurrent     int
	headers           http.Header
}

// WithBaseURL sets the vendor's API root, e.g. "https://api.hubapi.com".
// Relative request paths are joined to it, and only its host (and those of
// WithTrustedHosts) ever receives credentials. Required.
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		u, err := url.Parse(raw)
		if err != nil {
			return fmt.Errorf("connector: base URL: %w", err)
		}
		if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("connector: base URL %q must be absolute http(s)", raw)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return errors.New("connector: base URL must not carry user info, query or fragment")
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient takes the base transport (and so the connection pool) from
// hc. The client keeps its own redirect policy and timeouts. Give every
// tenant's client the same *http.Client to share one pool.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("connector: nil HTTP client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithAuth sets how requests are authenticated.
func WithAuth(a Auth) Option {
	return func(c *config) error {
		if a == nil {
			return errors.New("connector: nil Auth")
		}
		c.auth = a
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy().
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		if err := p.validate(); err != nil {
			return err
		}
		c.retry = p
		return nil
	}
}

// WithRateLimit paces the client at r requests a second with the given
// burst. Without it the client is unpaced until the vendor says otherwise.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(c *config) error {
		if r <= 0 || burst < 1 {
			return errors.New("connector: rate limit needs r > 0 and burst >= 1")
		}
		c.rateLimit, c.rateBurst = r, burst
		return nil
	}
}

// WithRateFeedback lets a vendor package adjust pacing from each response.
func WithRateFeedback(f RateFeedback) Option {
	return func(c *config) error { c.feedback = f; return nil }
}

// WithLogger sends one debug line per attempt to l. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("connector: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *config) error { c.userAgent = ua; return nil }
}

// WithAttemptTimeout bounds each attempt, body included. Default 30 s; 0
// leaves attempts bounded by the caller's context alone.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("connector: negative attempt timeout")
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithErrorDecoder sets the decoder for the vendor's error bodies.
func WithErrorDecoder(d ErrorDecoder) Option {
	return func(c *config) error { c.decodeError = d; return nil }
}

// WithRequestIDHeader names the response headers that carry the vendor's
// request or correlation id, tried in order.
func WithRequestIDHeader(names ...string) Option {
	return func(c *config) error { c.requestIDHeaders = append(c.requestIDHeaders, names...); return nil }
}

// WithIdempotencyHeader names the header in which the vendor takes an
// idempotency key ("Idempotency-Key" for Stripe and Xero). A call made with
// WithIdempotencyKey then carries it there, and may be retried safely.
func WithIdempotencyHeader(name string) Option {
	return func(c *config) error {
		if name == "" {
			return errors.New("connector: empty idempotency header")
		}
		c.idempotencyHeader = http.CanonicalHeaderKey(name)
		return nil
	}
}

// WithAutoIdempotencyKeys gives every write (POST, PUT, PATCH, DELETE)
// without a key a random one, so that it can be retried after a lost
// answer (as stripe-go does). It
// needs WithIdempotencyHeader. The key protects the retries of one call, not
// a repeated call: pass your own key for that.
func WithAutoIdempotencyKeys() Option {
	return func(c *config) error { c.autoKeys = true; return nil }
}

// WithMaxResponseBytes caps how much of a response body can be read.
// Default 32 MiB.
func WithMaxResponseBytes(n int64) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("connector: max response bytes must be positive")
		}
		c.maxBody = n
		return nil
	}
}

// WithSensitiveHeaders names more request headers to drop when a redirect
// leaves the vendor's host. The auth header is always dropped.
func WithSensitiveHeaders(names ...string) Option {
	return func(c *config) error { c.sensitiveHeaders = append(c.sensitiveHeaders, names...); return nil }
}

// WithTrustedHosts lets credentials go to more hosts than the base URL's
// (host or host:port, as in URL.Host): a vendor's separate upload host.
func WithTrustedHosts(hosts ...string) Option {
	return func(c *config) error { c.trustedHosts = append(c.trustedHosts, hosts...); return nil }
}

// WithRetryDecider lets a vendor package decide responses the status code
// alone cannot (HubSpot's DAILY 429, Stripe-Should-Retry). It applies
// whatever retry policy the user sets, unless that policy has its own
// Decide.
func WithRetryDecider(d func(*http.Response) RetryDecision) Option {
	return func(c *config) error { c.decide = d; return nil }
}

// WithMaxConcurrent allows at most n requests of this client in flight at
// once, for vendors that limit concurrency per account (Xero: 5 per
// tenant). Waiting for a slot honours the context.
func WithMaxConcurrent(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("connector: max concurrent must be at least 1")
		}
		c.maxConcurrent = n
		return nil
	}
}

// WithHeader sends a header on every request of the client, unless the
// request sets it itself: an account selector such as Xero's
// xero-tenant-id. Not for credentials: use WithAuth, which keeps them from
// other hosts.
func WithHeader(name, value string) Option {
	return func(c *config) error {
		if c.headers == nil {
			c.headers = http.Header{}
		}
		c.headers.Set(name, value)
		return nil
	}
}
