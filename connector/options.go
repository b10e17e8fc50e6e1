package connector

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"
)

// Option is a user's setting for a client; it cannot change what the
// vendor package declared. New returns the first invalid one as an error.
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
	tracerProvider trace.TracerProvider
	meterProvider  metric.MeterProvider
	shared         SharedBudget
	account        string
}

func defaultSettings(vendor string) settings {
	return settings{
		base:           SharedTransport(),
		retry:          RetryPolicy{}.withDefaults(),
		rateLimit:      rate.Inf,
		rateBurst:      1,
		logger:         discardLogger,
		userAgent:      "patchbay-go " + vendor,
		attemptTimeout: 30 * time.Second,
		maxBody:        32 << 20,
	}
}

// WithHTTPClient takes the base transport, and so the connection pool, from
// hc; without it every client shares SharedTransport.
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

// WithRetryPolicy sets the retry policy; its zero fields keep their defaults.
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

// WithRateLimit paces the client at r requests a second; by default only
// the vendor's signals pace it.
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

// WithAttemptTimeout bounds each attempt, body included (default 30 s; 0: none).
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *settings) error {
		if d < 0 {
			return errors.New("connector: negative attempt timeout")
		}
		s.attemptTimeout = d
		return nil
	}
}

// WithMaxResponseBytes caps a response body (default 32 MiB).
func WithMaxResponseBytes(n int64) Option {
	return func(s *settings) error {
		if n < 1 {
			return errors.New("connector: max response bytes must be positive")
		}
		s.maxBody = n
		return nil
	}
}
