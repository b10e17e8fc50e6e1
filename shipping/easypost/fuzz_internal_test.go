package easypost

import (
	"errors"
	"net/http"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body, any nesting, never a panic; the kind is
// a sentinel.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := &connector.APIError{StatusCode: status, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: status}, body, e)
		if e.Kind == nil {
			t.Fatal("no kind")
		}
	})
}

// FuzzParseWebhook: any webhook body gives exactly one event with an ID, a
// kind and its type, or ErrInvalidResponse.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhook(nil, body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(events) != 1 {
			t.Fatalf("%d events, want 1", len(events))
		}
		if e := events[0]; e.ID == "" || e.Kind == "" || e.Type == "" {
			t.Fatalf("event without ID, Kind or Type: %+v", e)
		}
	})
}

// FuzzVerifyWebhook: whatever the header says, a delivery verifies only
// when it is the signature of the body under the secret, and never panics.
func FuzzVerifyWebhook(f *testing.F) {
	const secret = "sécret-0123456789"
	cfg := webhook.Config{Secrets: []string{"", secret}}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		r := &http.Request{Method: http.MethodPost, Header: http.Header{"X-Hmac-Signature": {header}}}
		err := VerifyWebhook(r, body, cfg)
		matches := r.Header.Get("X-Hmac-Signature") != "" && trimSpace(header) == signature(body, secret)
		switch {
		case err == nil && !matches:
			t.Fatalf("header %q verified", header)
		case err != nil && matches:
			t.Fatalf("the signature refused: %v", err)
		case err != nil && !errors.Is(err, webhook.ErrSignatureInvalid):
			t.Fatalf("untyped error %v", err)
		}
	})
}

// FuzzDecodeTracker: any tracker body decodes or is ErrInvalidResponse,
// and a decoded one has a tracking number and a known state.
func FuzzDecodeTracker(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		ts, err := decodeTracker(body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if ts.TrackingNumber == "" || ts.State == "" {
			t.Fatalf("tracker without number or state: %+v", ts)
		}
	})
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
