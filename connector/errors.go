package connector

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel kinds: every error unwraps to at most one. Branch with
// errors.Is; read details with errors.As(err, &apiErr).
var (
	ErrNotFound     = errors.New("not found")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrConflict     = errors.New("conflict")
	ErrValidation   = errors.New("validation failed")
	ErrRateLimited  = errors.New("rate limited")
	ErrUnavailable  = errors.New("vendor unavailable")
	// ErrOutcomeUnknown: a keyless write was sent and its answer lost; look
	// the record up before retrying.
	ErrOutcomeUnknown = errors.New("outcome unknown")
	// ErrInvalidResponse: the answer could not be decoded, or passed the cap.
	ErrInvalidResponse = errors.New("invalid response")
)

// ErrReauthRequired: connect the account again (refresh token refused, or
// 401 with a fresh token). An ErrUnauthorized: test for it first.
var ErrReauthRequired = fmt.Errorf("re-authorization required: %w", ErrUnauthorized)

// maxErrorBody bounds how much of an error response is read and kept.
const maxErrorBody = 4 << 10

// APIError is a vendor's failed answer, or a call stopped before sending;
// every string in it is redacted.
type APIError struct {
	Vendor     string        // "hubspot", "xero", ...
	Op         string        // the operation, e.g. "contacts.create"; empty for raw calls
	StatusCode int           // HTTP status; 0 if no response was received
	Code       string        // the vendor's error code or category
	Message    string        // the vendor's message
	RequestID  string        // the vendor's request or correlation id
	RetryAfter time.Duration // how long the vendor asked us to wait, if it did
	Body       []byte        // the start of the raw body, truncated and redacted

	Kind error // the sentinel it unwraps to
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

// InvalidInput is a vendor package's refusal of input before sending: an
// *APIError of kind ErrValidation with no status.
func InvalidInput(vendor, op, message string) error {
	return &APIError{Vendor: vendor, Op: op, Kind: ErrValidation, Message: message}
}

// kindForStatus is the default mapping from an HTTP status to a sentinel.
func kindForStatus(status int) error {
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

// ErrorDecoder sets e's Code, Message (and Kind) from a redacted body.
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
	// The kind is said once: a context error's text is its cause's too.
	if e.kind != nil && !strings.Contains(e.msg, e.kind.Error()) {
		s += ": " + e.kind.Error()
	}
	return s + ": " + e.msg
}

// Unwrap exposes the kind and the cause. The cause is for errors.Is checks
// (context.DeadlineExceeded, syscall.ECONNREFUSED); do not print it. A
// failure that is not the vendor's (a token store that cannot save) has
// no kind.
func (e *transportError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}
