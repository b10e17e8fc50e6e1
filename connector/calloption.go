package connector

import "net/http"

// CallOption tunes one call (every write of a domain interface takes them).
type CallOption func(*CallOptions)

// CallOptions is a call's options resolved, for vendor packages.
type CallOptions struct {
	IdempotencyKey string      // the caller's key: one record and one result per key
	Operation      string      // the call's name in errors and logs ("contacts.create")
	KeyIsNew       bool        // the caller knows the key was never used (WithNewKey)
	Replayable     bool        // repeating the request causes no second effect (WithReplayable)
	Header         http.Header // headers for this call only
}

// WithIdempotencyKey makes a write safe to repeat: one key, one result.
func WithIdempotencyKey(key string) CallOption {
	return func(o *CallOptions) { o.IdempotencyKey = key }
}

// WithNewKey says a keyed write's key was never used (only a journal
// knows): a vendor with no idempotency of its own skips looking for
// earlier work.
func WithNewKey() CallOption {
	return func(o *CallOptions) { o.KeyIsNew = true }
}

// WithRequestHeader sets a header on this call's request (If-Modified-Since).
func WithRequestHeader(name, value string) CallOption {
	return func(o *CallOptions) {
		if o.Header == nil {
			o.Header = http.Header{}
		}
		o.Header.Set(name, value)
	}
}

// WithReplayable marks a POST that has no second effect when sent again (a
// search, a query, an upsert by a unique field): retried as a GET is.
func WithReplayable() CallOption {
	return func(o *CallOptions) { o.Replayable = true }
}

// WithOperation names the call; vendor packages set it for every method.
func WithOperation(op string) CallOption {
	return func(o *CallOptions) { o.Operation = op }
}

// ResolveCallOptions applies opts in order.
func ResolveCallOptions(opts ...CallOption) CallOptions {
	var o CallOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}
