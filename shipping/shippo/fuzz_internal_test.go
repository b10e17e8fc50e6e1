package shippo

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body, any nesting, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &connector.APIError{StatusCode: 400, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: 400}, body, e)
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

// FuzzVerifyWebhook: whatever the query says, a delivery verifies only
// when its token parameter is the secret, and never panics.
func FuzzVerifyWebhook(f *testing.F) {
	const secret = "hook-secret-0123456789"
	cfg := webhook.Config{Secrets: []string{"", secret}}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/hooks", RawQuery: rawQuery}}
		err := VerifyWebhook(r, nil, cfg)
		matches := subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(secret)) == 1
		switch {
		case err == nil && !matches:
			t.Fatalf("query %q verified", rawQuery)
		case err != nil && matches:
			t.Fatalf("query %q with the secret refused: %v", rawQuery, err)
		case err != nil && !errors.Is(err, webhook.ErrSignatureInvalid):
			t.Fatalf("untyped error %v", err)
		}
	})
}
