package connector

import "net/http"

// CallOption tunes one call: every write in the domain interfaces takes
// them, and so does Client.Do.
type CallOption func(*CallOptions)

// CallOptions is the resolved form of a call's options, for vendor packages
// that map them onto their wire format.
type CallOptions struct {
	// IdempotencyKey is the caller's key: the same key twice must give one
	// record and the same result. Vendor packages map it to the vendor's
	// native mechanism (header, body field, directive, lookup by reference).
	IdempotencyKey string
	// Operation names the call in errors and logs ("contacts.create").
	Operation string
	// KeyIsNew says the caller knows the key was never used before.
	KeyIsNew bool
	// Header holds headers for this call only (Client.Send sets them).
	Header http.Header
}

// WithIdempotencyKey makes a write safe to repeat: the vendor (or, where it
// has no mechanism, the vendor package) gives one result for one key. Derive
// keys with DeriveKey so that a re-run of the same work repeats nothing.
func WithIdempotencyKey(key string) CallOption {
	return func(o *CallOptions) { o.IdempotencyKey = key }
}

// WithNewKey tells a keyed write that its key was never used before, so
// the lookups a vendor package makes to find an earlier attempt's work
// (where the vendor has no idempotency of its own: Shippo labels, HubSpot
// notes) can be skipped. Only a caller with a durable record of what it
// started can know this: the order flow passes it when its journal shows
// the step never began. Retries inside the call still look.
func WithNewKey() CallOption {
	return func(o *CallOptions) { o.KeyIsNew = true }
}

// WithRequestHeader sets a header on this call's request, such as a
// conditional GET's If-Modified-Since. Client.JSON and Client.Send apply
// it; callers of Client.Do set headers on their request.
func WithRequestHeader(name, value string) CallOption {
	return func(o *CallOptions) {
		if o.Header == nil {
			o.Header = http.Header{}
		}
		o.Header.Set(name, value)
	}
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
