package connector

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"golang.org/x/time/rate"
)

// Option is a user's setting for a client: what a user owns, never what
// the vendor package declared (see Vendor). Options validate their input:
// New returns the first error instead of building a client that fails
// later.
type Option func(*settings) error

type settings struct {
	base           http.RoundTripper
	retry          RetryPolicy
	rateLimit      rate.Limit
	rateBurst      int
	logger         *slog.Logger
	userAgent      string
	attemptTimeout time.Duration
	maxBody        int64
}

func defaultSettings(vendor string) settings {
	return settings{
		base:           SharedTransport(),
		retry:          DefaultRetryPolicy(),
		rateLimit:      rate.Inf,
		rateBurst:      1,
		logger:         discardLogger,
		userAgent:      "patchbay-go " + vendor,
		attemptTimeout: 30 * time.Second,
		maxBody:        32 << 20,
	}
}

// WithHTTPClient takes the base transport (and so the connection pool) from
// hc. The client keeps its own redirect policy and timeouts. Give every
// tenant's client the same *http.Client to share one pool; without it, all
// clients share SharedTransport.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("connector: nil HTTP client")
		}
		if hc.Transport == nil {
			return nil
		}
		// crypto/tls already defaults clients to TLS 1.2; refuse a
		// transport that explicitly allows less.
		if tr, ok := hc.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil &&
			tr.TLSClientConfig.MinVersion != 0 && tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
			return errors.New("connector: the HTTP client allows TLS below 1.2")
		}
		s.base = hc.Transport
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy(); its zero fields keep
// their defaults.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		p = p.withDefaults()
		if err := p.validate(); err != nil {
			return err
		}
		s.retry = p
		return nil
	}
}

// WithRateLimit paces the client at r requests a second with the given
// burst. Without it the client is unpaced until the vendor says otherwise.
func WithRateLimit(r rate.Limit, burst int) Option {
	return func(s *settings) error {
		if r <= 0 || burst < 1 {
			return errors.New("connector: rate limit needs r > 0 and burst >= 1")
		}
		s.rateLimit, s.rateBurst = r, burst
		return nil
	}
}

// WithLogger sends one debug line per attempt to l. The default discards.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("connector: nil logger")
		}
		s.logger = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header. Default "patchbay-go <vendor>".
func WithUserAgent(ua string) Option {
	return func(s *settings) error { s.userAgent = ua; return nil }
}

// WithAttemptTimeout bounds each attempt, body included. Default 30 s; 0
// leaves attempts bounded by the caller's context alone.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return errors.New("connector: negative attempt timeout")
		}
		s.attemptTimeout = d
		return nil
	}
}

// WithMaxResponseBytes caps how much of a response body can be read.
// Default 32 MiB.
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return errors.New("connector: max response bytes must be positive")
		}
		s.maxBody = n
		return nil
	}
}
