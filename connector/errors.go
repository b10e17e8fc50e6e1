package connector

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel kinds. Every error a connector returns unwraps to at most one of
// these, so callers branch with errors.Is and read details with errors.As:
//
//	var apiErr *connector.APIError
//	if errors.Is(err, connector.ErrRateLimited) && errors.As(err, &apiErr) {
//		retryLater(apiErr.RetryAfter)
//	}
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrValidation   = errors.New("validation failed")
	ErrRateLimited  = errors.New("rate limited")
	ErrUnavailable  = errors.New("vendor unavailable")
	// ErrOutcomeUnknown means a write may or may not have taken effect: the
	// request was sent, no answer came back, and it carried no idempotency
	// key that would make a retry safe. Look the record up before retrying.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrInvalidResponse means the vendor's answer could not be decoded:
	// malformed JSON, a body over the size cap, or a shape we do not expect.
	ErrInvalidResponse = errors.New("invalid response")
)

// ErrReauthRequired means the account's authorization is gone: the refresh
// token was refused (invalid_grant, revoked, rotated away), or the vendor
// still said 401 after a fresh token. No retry can fix it; the user must
// connect the account again. It also matches ErrUnauthorized.
var ErrReauthRequired = fmt.Errorf("re-authorization required: %w", ErrUnauthorized)

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 4 << 10

// APIError is a vendor's answer that was not a success, or a call that the
// client stopped before sending (a rate-limit pause past the deadline).
// Every string field has been through the client's redactor.
type APIError struct {
	Vendor     string        // "hubspot", "xero", ...
	Op         string        // the operation, e.g. "contacts.create"; empty for raw calls
	StatusCode int           // HTTP status; 0 if no response was received
	Code       string        // the vendor's error code or category
	Message    string        // the vendor's message
	RequestID  string        // the vendor's request or correlation id
	RetryAfter time.Duration // how long the vendor asked us to wait, if it did
	Body       []byte        // the start of the raw body, truncated and redacted

	// Kind is the sentinel this error unwraps to. A vendor's ErrorDecoder
	// may override the default chosen from the status code.
	Kind error
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Vendor)
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(e.Op)
	}
	b.WriteString(": ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	if e.Kind != nil {
		b.WriteString(e.Kind.Error())
	}
	if e.Code != "" {
		b.WriteString(" (")
		b.WriteString(e.Code)
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " [retry after %s]", e.RetryAfter)
	}
	if e.RequestID != "" {
		b.WriteString(" [request id ")
		b.WriteString(e.RequestID)
		b.WriteString("]")
	}
	return b.String()
}

// Unwrap returns the sentinel kind, so errors.Is(err, ErrNotFound) works.
func (e *APIError) Unwrap() error { return e.Kind }

// InvalidInput is the error for input a vendor package refuses before
// sending anything: an *APIError with no status that unwraps to
// ErrValidation, like the vendor's own validation errors.
func InvalidInput(vendor, op, message string) error {
	return &APIError{Vendor: vendor, Op: op, Kind: ErrValidation, Message: message}
}

// KindForStatus is the default mapping from an HTTP status to a sentinel.
func KindForStatus(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound || status == http.StatusGone:
		return ErrNotFound
	case status == http.StatusConflict || status == http.StatusPreconditionFailed:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusRequestTimeout || status >= 500:
		return ErrUnavailable
	case status >= 400:
		return ErrValidation
	}
	return nil
}

// ErrorDecoder fills e from a vendor's error body. The client has already set
// Vendor, Op, StatusCode, RequestID, RetryAfter, Body and a default Kind, and
// body has already been redacted. A decoder sets Code and Message, and may
// change Kind (Stripe's idempotency_error is a conflict, for instance). It
// must not panic on any input: fuzz it.
type ErrorDecoder func(resp *http.Response, body []byte, e *APIError)

// transportError is a failure with no HTTP answer. Its message is redacted:
// net/http puts the full URL, query string included, into its errors.
type transportError struct {
	vendor, op string
	kind       error
	msg        string // redacted text of err
	err        error
}

func (e *transportError) Error() string {
	s := e.vendor
	if e.op != "" {
		s += ": " + e.op
	}
	return s + ": " + e.kind.Error() + ": " + e.msg
}

// Unwrap exposes the kind and the cause. The cause is for errors.Is checks
// (context.DeadlineExceeded, syscall.ECONNREFUSED); do not print it.
func (e *transportError) Unwrap() []error { return []error{e.kind, e.err} }
