package hubspot_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// FuzzParseEvents: any delivery body gives events or ErrInvalidResponse.
func FuzzParseEvents(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := hubspot.ParseEvents(body)
		if err != nil && !errors.Is(err, connector.ErrInvalidResponse) {
			t.Fatalf("untyped error %v", err)
		}
		if err == nil && events == nil {
			t.Fatal("nil events without an error")
		}
	})
}

// FuzzVerifySignature: any headers give a verdict, never a panic, and a
// made-up signature never verifies.
func FuzzVerifySignature(f *testing.F) {
	f.Fuzz(func(t *testing.T, sigV3, ts, version, sig string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "https://example.com/hook", strings.NewReader(string(body)))
		r.Header.Set("X-HubSpot-Signature-v3", sigV3)
		r.Header.Set("X-HubSpot-Request-Timestamp", ts)
		r.Header.Set("X-HubSpot-Signature-Version", version)
		r.Header.Set("X-HubSpot-Signature", sig)
		if hubspot.VerifySignature(r, body, "fuzz-client-secret", "", 5*time.Minute, time.Now()) == nil {
			t.Fatalf("made-up signature verified: v3=%q ts=%q version=%q sig=%q", sigV3, ts, version, sig)
		}
	})
}
