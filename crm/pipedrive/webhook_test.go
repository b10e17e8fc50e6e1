package pipedrive_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
)

// A webhook v2 delivery as Pipedrive documents it.
var personDelivery = []byte(`{"data":{"id":7,"name":"Ada Lovelace","first_name":"Ada","last_name":"Lovelace","emails":[{"value":"ada@example.com","primary":true,"label":"work"}],` +
	`"add_time":"2026-01-02T03:04:05Z","update_time":"2026-01-02T03:04:05Z","custom_fields":{"abc123":"web"}},"previous":null,` +
	`"meta":{"action":"create","entity":"person","entity_id":"7","id":"8f0c1d2e-3a4b-4c5d-9e6f-7a8b9c0d1e2f","timestamp":"2026-01-02T03:04:05Z",` +
	`"version":"2.0","attempt":1,"change_source":"api","company_id":"1","user_id":"1","type":"general"}}`)

// The webhook contract: Pipedrive does not sign, so deliveries are
// authenticated by their Basic credentials; a redelivery (same meta id)
// is dropped; a wrong or missing credential is refused.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[pipedrive.Payload]{
		NewHandler: pipedrive.NewWebhookHandler,
		Sign:       pipedrive.SignWebhook,
		Body:       personDelivery,
	})

	const secret = "pipedrive:hook-password-0123"
	var got []pipedrive.Event
	h, err := pipedrive.NewWebhookHandler(webhook.Config{Secrets: []string{secret}}, func(_ context.Context, e pipedrive.Event) error {
		got = append(got, e)
		return nil
	})
	require.NoError(t, err)
	post := func(body []byte, prepare func(r *http.Request)) int {
		r := httptest.NewRequest(http.MethodPost, "https://hooks.example.com/pipedrive", bytes.NewReader(body))
		prepare(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	t.Run("Unauthenticated", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, post(personDelivery, func(*http.Request) {}), "no credentials")
		assert.Equal(t, http.StatusUnauthorized, post(personDelivery, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }), "not Basic")
		assert.Equal(t, http.StatusUnauthorized, post(personDelivery, func(r *http.Request) { r.SetBasicAuth("pipedrive", "hook-password-012") }), "a password one character short")
		assert.Equal(t, http.StatusUnauthorized, post(personDelivery, func(r *http.Request) { r.SetBasicAuth("other", "hook-password-0123") }), "another user")
		assert.Equal(t, http.StatusUnauthorized, post(personDelivery, func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }), "malformed")
		assert.Empty(t, got)
	})
	t.Run("ReplayedWithNextAttempt", func(t *testing.T) {
		sign := func(r *http.Request) { pipedrive.SignWebhook(r, nil, secret, nowTime()) }
		require.Equal(t, http.StatusOK, post(personDelivery, sign))
		retry := bytes.Replace(personDelivery, []byte(`"attempt":1`), []byte(`"attempt":2`), 1)
		require.Equal(t, http.StatusOK, post(retry, sign), "a retry is acknowledged")
		require.Len(t, got, 1, "a retry of one delivery (same meta id) was handled twice")
		e := got[0]
		assert.Equal(t, "8f0c1d2e-3a4b-4c5d-9e6f-7a8b9c0d1e2f", e.ID)
		assert.Equal(t, webhook.ContactCreated, e.Kind)
		assert.Equal(t, "create.person", e.Type)
		require.NotNil(t, e.Payload.Contact)
		assert.Equal(t, "ada@example.com", e.Payload.Contact.Email)
		assert.Equal(t, "web", e.Payload.Contact.Properties["abc123"])
	})
	t.Run("TamperedBodyIsAnotherEvent", func(t *testing.T) {
		// Pipedrive signs no body: a changed body with the right
		// credentials is accepted. Only the credential protects the URL;
		// a body that is no event is refused.
		sign := func(r *http.Request) { pipedrive.SignWebhook(r, nil, secret, nowTime()) }
		assert.Equal(t, http.StatusBadRequest, post([]byte(`{"meta":{}}`), sign))
	})
}
