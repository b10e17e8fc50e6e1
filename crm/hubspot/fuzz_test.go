package hubspot_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// FuzzParseWebhook: any delivery body gives events or ErrInvalidResponse;
// every event has an id, a kind and its raw JSON.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := hubspot.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		if err != nil {
			require.ErrorIs(t, err, connector.ErrInvalidResponse, "untyped error")
			return
		}
		require.NotNil(t, events, "nil events without an error")
		for _, e := range events {
			require.NotEmpty(t, e.ID, "event without an id")
			require.NotEmpty(t, e.Kind, "event without a kind")
			require.NotEmpty(t, e.Raw, "event without its raw JSON")
		}
	})
}

// FuzzVerifyWebhook: any headers give a verdict, never a panic, and a
// made-up signature never verifies; the same body signed as HubSpot signs
// verifies, and one byte more does not.
func FuzzVerifyWebhook(f *testing.F) {
	const secret = "fuzz-client-secret"
	now := time.UnixMilli(1_800_000_000_000)
	cfg := webhook.Config{Secrets: []string{secret}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, sigV3, ts, version, sig string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "https://example.com/hook", bytes.NewReader(body))
		r.Header.Set("X-HubSpot-Signature-v3", sigV3)
		r.Header.Set("X-HubSpot-Request-Timestamp", ts)
		r.Header.Set("X-HubSpot-Signature-Version", version)
		r.Header.Set("X-HubSpot-Signature", sig)
		if hubspot.VerifyWebhook(r, body, cfg) == nil {
			t.Fatalf("made-up signature verified: v3=%q ts=%q version=%q sig=%q", sigV3, ts, version, sig)
		}

		signed := httptest.NewRequest(http.MethodPost, "https://example.com/hook", bytes.NewReader(body))
		hubspot.SignWebhook(signed, body, secret, now)
		require.NoError(t, hubspot.VerifyWebhook(signed, body, cfg), "a signed delivery")
		require.Error(t, hubspot.VerifyWebhook(signed, append(bytes.Clone(body), 'x'), cfg), "a changed body")
	})
}
