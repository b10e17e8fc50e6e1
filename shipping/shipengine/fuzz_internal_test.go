package shipengine

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body, never a panic, at most one sentinel.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &connector.APIError{StatusCode: 400, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: 400}, body, e)
		if e.Kind == nil {
			t.Fatal("kind lost")
		}
	})
}

// FuzzParseWebhook: any body gives one event with an ID, a kind and a
// type, or ErrInvalidResponse.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhook(nil, body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(events) != 1 || events[0].ID == "" || events[0].Kind == "" || events[0].Type == "" {
			t.Fatalf("bad events %+v", events)
		}
	})
}

// FuzzVerifyWebhook: whatever the headers say, a delivery never panics and
// never verifies without the signer's key.
func FuzzVerifyWebhook(f *testing.F) {
	cfg := webhook.Config{Secrets: []string{`{"keys":[]}`}, Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }}
	f.Fuzz(func(t *testing.T, sig, kid, ts string, body []byte) {
		r := &http.Request{Header: http.Header{}}
		r.Header.Set(SignatureHeader, sig)
		r.Header.Set(KeyIDHeader, kid)
		r.Header.Set(TimestampHeader, ts)
		if err := VerifyWebhook(r, body, cfg); err == nil {
			t.Fatal("verified with no key")
		}
	})
}

// FuzzDecodeTrack: any tracking log, never a panic.
func FuzzDecodeTrack(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		ts, err := decodeTrack(body)
		if err == nil && ts.State == "" {
			t.Fatal("no state")
		}
	})
}
