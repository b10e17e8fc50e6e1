package connector

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Vendor is what a vendor package declares about its vendor, once, in its
// New: where the API is, how it authenticates, how it reports errors and
// limits, and how it takes idempotency keys. A user of the vendor package
// never sets these; the Options a user passes cannot change them.
type Vendor struct {
	// Name is the vendor's name in errors and logs ("hubspot"). Required.
	Name string
	// BaseURL is the API root. Vendor packages set their default, or the
	// user's Config.BaseURL (a sandbox, a proxy). Relative request paths
	// are joined to it. Required.
	BaseURL string
	// Auth puts credentials on requests to BaseURL's host and TrustedHosts
	// only, never on a redirect elsewhere. Nil sends none.
	Auth Auth
	// Header is sent on every request that does not set it itself: an API
	// version pin (Stripe-Version), an account selector (xero-tenant-id).
	// Never credentials: Auth keeps those from other hosts.
	Header http.Header
	// IdempotencyHeader is where the vendor reads an idempotency key
	// ("Idempotency-Key"), or "" when it has none. A write that carries a
	// key there is retried safely after a lost answer.
	IdempotencyHeader string
	// KeyEveryWrite gives every write that has no key a fresh one, so that
	// its own retries are safe, as stripe-go does. Needs IdempotencyHeader.
	KeyEveryWrite bool
	// DecodeError fills an APIError from the vendor's error body. Nil reads
	// the shapes most JSON APIs use.
	DecodeError ErrorDecoder
	// DecideRetry sees every answer before the standard retry rules, for
	// what a status cannot say (Stripe-Should-Retry, HubSpot's daily limit).
	DecideRetry func(resp *http.Response) RetryDecision
	// RateFeedback reads the vendor's rate-limit headers from every answer
	// and paces the client before the vendor refuses.
	RateFeedback RateFeedback
	// RequestIDHeaders name the answer headers with the vendor's request
	// id, tried in order. Default X-Request-Id.
	RequestIDHeaders []string
	// TrustedHosts are more hosts (host or host:port) that get credentials:
	// a vendor's separate upload host.
	TrustedHosts []string
	// MaxConcurrent bounds the client's requests in flight, for vendors
	// that limit concurrency per account (Xero: 5). 0 is no bound.
	MaxConcurrent int
}

func (v *Vendor) check() (*url.URL, error) {
	if v.Name == "" {
		return nil, errors.New("connector: Vendor.Name is empty")
	}
	u, err := url.Parse(v.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("connector: %s: base URL: %w", v.Name, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("connector: %s: base URL %q must be absolute http(s)", v.Name, v.BaseURL)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("connector: %s: base URL must not carry user info, query or fragment", v.Name)
	}
	if v.KeyEveryWrite && v.IdempotencyHeader == "" {
		return nil, fmt.Errorf("connector: %s: KeyEveryWrite needs IdempotencyHeader", v.Name)
	}
	if v.MaxConcurrent < 0 {
		return nil, fmt.Errorf("connector: %s: negative MaxConcurrent", v.Name)
	}
	return u, nil
}
