package xero_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// receiver serves NewWebhookHandler with the given secrets.
func receiver(t *testing.T, rec *webhooktest.Recorder[xero.Payload], secrets ...string) *httptest.Server {
	t.Helper()
	h, err := xero.NewWebhookHandler(webhook.Config{Secrets: secrets}, rec.Handle)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// Xero's webhooks pass the contract every vendor's do: a delivery of one
// event, in the envelope Xero sends.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[xero.Payload]{
		NewHandler: xero.NewWebhookHandler,
		Sign:       xero.SignWebhook,
		Body: []byte(`{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/Invoices/0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f",` +
			`"resourceId":"0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f","eventDateUtc":"2026-11-23T10:15:39.902","eventType":"CREATE",` +
			`"eventCategory":"INVOICE","tenantId":"c2cc9b6e-9458-4c7d-93cc-f02b81b0594f","tenantType":"ORGANISATION"}],` +
			`"firstEventSequence":1,"lastEventSequence":1,"entropy":"S0m3r4Nd0mt3xt"}`),
		SignsBody: true,
	})
}

// Intent to receive: a delivery with no events signed with the key gets
// 200, one signed with another key 401, both with no body, as Xero
// requires.
func TestWebhookIntentToReceive(t *testing.T) {
	srv := xerotest.NewServer()
	defer srv.Close()
	rec := &webhooktest.Recorder[xero.Payload]{}
	h, err := xero.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	recv := httptest.NewServer(h)
	defer recv.Close()
	valid, invalid, err := srv.IntentToReceive(context.Background(), recv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, valid)
	assert.Equal(t, http.StatusUnauthorized, invalid)

	body := xerotest.WebhookBody()
	for _, tc := range []struct {
		key    string
		status int
	}{{srv.WebhookSecret(), http.StatusOK}, {"not-the-webhook-key", http.StatusUnauthorized}} {
		r := httptest.NewRequest(http.MethodPost, "/xero", bytes.NewReader(body))
		xero.SignWebhook(r, body, tc.key, time.Now())
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, tc.status, w.Code)
		assert.Empty(t, w.Body.String(), "Xero wants no body in the answer")
	}
	assert.Empty(t, rec.Events(), "the handshake has no events to handle")
}

// A delivery's events come typed, once each; a failed handle is answered
// 500 and Xero's retry hands the event on again.
func TestWebhookDelivery(t *testing.T) {
	srv := xerotest.NewServer()
	defer srv.Close()
	rec := &webhooktest.Recorder[xero.Payload]{Fail: 1}
	recv := receiver(t, rec, srv.WebhookSecret())
	ctx := context.Background()

	created := srv.WebhookEvent("INVOICE", "CREATE", "0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f")
	srv.Advance(time.Second)
	updated := srv.WebhookEvent("CONTACT", "UPDATE", "6a1e0c2b-3d4f-4a5b-8c7d-9e0f1a2b3c4d")
	body := xerotest.WebhookBody(created, updated)
	for i, want := range []int{500, 200, 200} {
		status, err := srv.SendWebhook(ctx, recv.URL, body)
		require.NoError(t, err)
		require.Equal(t, want, status, "delivery %d", i+1)
	}
	got := rec.Events()
	require.Len(t, got, 2, "each event handled once")
	inv, contact := got[0], got[1]
	assert.Equal(t, webhook.InvoiceCreated, inv.Kind)
	assert.Equal(t, "INVOICE.CREATE", inv.Type)
	assert.Equal(t, created.Payload, inv.Payload)
	assert.True(t, inv.OccurredAt.Equal(created.OccurredAt), "OccurredAt %v, want %v", inv.OccurredAt, created.OccurredAt)
	assert.Equal(t, srv.TenantID()+":INVOICE:0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f:CREATE:"+created.OccurredAt.Format(time.RFC3339Nano), inv.ID)
	assert.Contains(t, string(inv.Raw), `"resourceId":"0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f"`)
	assert.Equal(t, webhook.CustomerUpdated, contact.Kind)
	assert.Equal(t, "CONTACT.UPDATE", contact.Type)
	assert.NotEqual(t, inv.ID, contact.ID)
}

// The same change delivered again in another delivery (another entropy)
// is handled once; the same record changed again later is a new event.
func TestWebhookReplayHandledOnce(t *testing.T) {
	srv := xerotest.NewServer()
	defer srv.Close()
	rec := &webhooktest.Recorder[xero.Payload]{}
	recv := receiver(t, rec, srv.WebhookSecret())
	ctx := context.Background()
	first := srv.WebhookEvent("INVOICE", "UPDATE", "0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f")
	srv.Advance(time.Minute)
	later := srv.WebhookEvent("INVOICE", "UPDATE", "0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f")
	for _, body := range [][]byte{xerotest.WebhookBody(first), xerotest.WebhookBody(first), xerotest.WebhookBody(later)} {
		status, err := srv.SendWebhook(ctx, recv.URL, body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, status)
	}
	assert.Len(t, rec.Events(), 2, "the replay was handled again, or the later change was dropped")
}

// Xero's categories and types map to vendor-neutral kinds; the rest is
// KindOther. Xero's own example body, with its zone-less eventDateUtc,
// parses.
func TestParseWebhook(t *testing.T) {
	for _, tc := range []struct {
		category, eventType string
		kind                webhook.Kind
	}{
		{"INVOICE", "CREATE", webhook.InvoiceCreated},
		{"INVOICE", "UPDATE", webhook.InvoiceUpdated},
		{"CONTACT", "CREATE", webhook.CustomerCreated},
		{"CONTACT", "UPDATE", webhook.CustomerUpdated},
		{"CREDITNOTE", "CREATE", webhook.KindOther},
		{"SUBSCRIPTION", "UPDATE", webhook.KindOther},
	} {
		body := `{"events":[{"resourceUrl":"https://api.xero.com/api.xro/2.0/X/1","resourceId":"1","eventDateUtc":"2026-11-23T10:15:39.902",` +
			`"eventType":"` + tc.eventType + `","eventCategory":"` + tc.category + `","tenantId":"t1","tenantType":"ORGANISATION"}],` +
			`"firstEventSequence":1,"lastEventSequence":1,"entropy":"QWERTYUIOPASDFGH"}`
		events, err := xero.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), []byte(body))
		require.NoError(t, err)
		require.Len(t, events, 1)
		e := events[0]
		assert.Equal(t, tc.kind, e.Kind, "%s %s", tc.category, tc.eventType)
		assert.Equal(t, tc.category+"."+tc.eventType, e.Type)
		assert.Equal(t, "t1:"+tc.category+":1:"+tc.eventType+":2026-11-23T10:15:39.902Z", e.ID)
		assert.Equal(t, time.Date(2026, 11, 23, 10, 15, 39, 902_000_000, time.UTC), e.OccurredAt)
		assert.Equal(t, xero.Payload{ResourceURL: "https://api.xero.com/api.xro/2.0/X/1", ResourceID: "1", EventCategory: tc.category,
			EventType: tc.eventType, TenantID: "t1", TenantType: "ORGANISATION"}, e.Payload)
	}
	_, err := xero.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), []byte(`{"events":"no"}`))
	assert.ErrorIs(t, err, connector.ErrInvalidResponse)
}

// The sandbox's signed deliveries match Xero's webhook schema, and the
// handler takes them.
func TestConformanceWebhookPayload(t *testing.T) {
	schema := spec.LoadOpenAPI(t, "xero/xero-webhooks.yaml").Schema(t, "WebhookEvent")
	srv := xerotest.NewServer()
	defer srv.Close()
	rec := &webhooktest.Recorder[xero.Payload]{}
	h, err := xero.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := schema.Validate(body); err != nil {
			t.Errorf("delivery does not match Xero's webhook schema: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	defer recv.Close()
	body := xerotest.WebhookBody(srv.WebhookEvent("INVOICE", "CREATE", "0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f"),
		srv.WebhookEvent("CONTACT", "UPDATE", "6a1e0c2b-3d4f-4a5b-8c7d-9e0f1a2b3c4d"))
	status, err := srv.SendWebhook(context.Background(), recv.URL, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Len(t, rec.Events(), 2)
	assert.Error(t, schema.Validate([]byte(`{"events":[{"eventType":"DELETE"}]}`)), "the schema check accepts a payload without its required fields")
}
