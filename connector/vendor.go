package connector

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Vendor is what a vendor package declares about its vendor, once, in its
// New. A user's Options cannot change any of it.
type Vendor struct {
	Name    string // in errors and logs ("hubspot"); required
	BaseURL string // the API root: the package's default or the user's Config.BaseURL; required
	// Auth puts credentials on requests to BaseURL's host and TrustedHosts
	// only, never on a redirect elsewhere. Nil sends none.
	Auth Auth
	// Header is sent on every request that does not set it: a version pin,
	// an account selector. Never credentials.
	Header            http.Header
	IdempotencyHeader string // where the vendor reads an idempotency key; "" if nowhere
	KeyEveryWrite     bool   // a fresh key for every unkeyed write, so its retries are safe
	DecodeError       ErrorDecoder
	// DecideRetry sees every answer first, for what a status cannot say
	// (Stripe-Should-Retry, HubSpot's daily limit).
	DecideRetry      func(resp *http.Response) RetryDecision
	RateFeedback     RateFeedback // paces the client from the vendor's rate-limit headers
	RequestIDHeaders []string     // answer headers with the vendor's request id; default X-Request-Id
	TrustedHosts     []string     // more hosts (host[:port]) that get credentials
	MaxConcurrent    int          // requests in flight at most (Xero: 5); 0 is no bound
	// Limit is the vendor's documented request budget of an account,
	// which clients sharing it (WithSharedBudget) keep together; a
	// RateFeedback's RateLimiter.Report replaces it with what the vendor
	// reports. Zero: the package shares its budget its own way (Shopify
	// meters cost) or not at all.
	Limit Limit
	// LimitFor, where the vendor meters each route on its own (Shippo:
	// each endpoint and verb), names a request's route and its limit; a
	// zero limit leaves the request out of the shared budget.
	LimitFor func(*http.Request) (route string, l Limit)
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
	if v.Limit != (Limit{}) && !v.Limit.Valid() {
		return nil, fmt.Errorf("connector: %s: Limit needs Burst > 0 and PerSecond > 0", v.Name)
	}
	if v.MaxConcurrent < 0 {
		return nil, fmt.Errorf("connector: %s: negative MaxConcurrent", v.Name)
	}
	return u, nil
}
