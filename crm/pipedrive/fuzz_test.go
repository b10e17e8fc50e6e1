package pipedrive_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
)

// FuzzParseWebhook: any body gives one event or ErrInvalidResponse; an
// event has an id, a kind, a type and its raw JSON.
func FuzzParseWebhook(f *testing.F) {
	f.Add(personDelivery)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := pipedrive.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		if err != nil {
			require.ErrorIs(t, err, connector.ErrInvalidResponse, "untyped error")
			return
		}
		require.Len(t, events, 1)
		for _, e := range events {
			require.NotEmpty(t, e.ID, "event without an id")
			require.NotEmpty(t, e.Kind, "event without a kind")
			require.NotEmpty(t, e.Type, "event without a type")
			require.NotEmpty(t, e.Raw, "event without its raw JSON")
		}
	})
}

// FuzzVerifyWebhook: any Authorization header gives a verdict, never a
// panic, and made-up credentials never verify; the credentials Pipedrive
// sends verify.
func FuzzVerifyWebhook(f *testing.F) {
	const secret = "pipedrive:fuzz-password-42"
	cfg := webhook.Config{Secrets: []string{secret}}
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("pipedrive:wrong")))
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, auth string) {
		r := httptest.NewRequest(http.MethodPost, "https://example.com/hook", bytes.NewReader(nil))
		r.Header.Set("Authorization", auth)
		if pipedrive.VerifyWebhook(r, nil, cfg) == nil {
			_, tok, _ := bytes.Cut([]byte(auth), []byte(" "))
			dec, _ := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(tok)))
			require.Equal(t, secret, string(dec), "made-up credentials verified: %q", auth)
		}
		signed := httptest.NewRequest(http.MethodPost, "https://example.com/hook", nil)
		pipedrive.SignWebhook(signed, nil, secret, time.Now())
		require.NoError(t, pipedrive.VerifyWebhook(signed, nil, cfg))
	})
}
