package hubspot_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// HubSpot's webhooks pass the contract every vendor's do: a v3-signed
// batch of one event, as HubSpot posts it.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[hubspot.Payload]{
		NewHandler: hubspot.NewWebhookHandler,
		Sign:       hubspot.SignWebhook,
		Body: []byte(`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"appId":54321,"occurredAt":1564113600000,` +
			`"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW"}]`),
		URL:       "https://hooks.example.com/webhooks/hubspot?portal=62515",
		SignsBody: true,
		SignsTime: true,
	})
}

// Changes in the sandbox reach a receiver as signed webhook batches, one
// Event each; a failed event is processed on redelivery, and a redelivered
// event changes nothing.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, client := sandbox(t, nil, hubspot.Config{})
	rec := &webhooktest.Recorder[hubspot.Payload]{Fail: 1}
	h, err := hubspot.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	ctx := context.Background()

	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "hook@example.com"})
	require.NoError(t, err)
	_, err = client.Contacts.Update(ctx, c.ID, crm.Contact{FirstName: "Hook"})
	require.NoError(t, err)

	url := receiver.URL + "/webhooks/hubspot?portal=62515"
	status, err := srv.FlushWebhooks(ctx, url)
	require.NoError(t, err)
	require.Equal(t, 500, status, "first delivery: the failing handler")
	status, err = srv.FlushWebhooks(ctx, url)
	require.NoError(t, err)
	require.Equal(t, 200, status, "redelivery")

	got := rec.Events()
	require.Len(t, got, 2, "the creation, then the firstname change")
	assert.Equal(t, webhook.ContactCreated, got[0].Kind)
	assert.Equal(t, "contact.creation", got[0].Type)
	assert.Equal(t, c.ID, strconv.FormatInt(got[0].Payload.ObjectID, 10))
	assert.Equal(t, "NEW", got[0].Payload.ChangeFlag)
	assert.False(t, got[0].OccurredAt.IsZero())
	assert.Equal(t, webhook.ContactUpdated, got[1].Kind)
	assert.Equal(t, "firstname", got[1].Payload.PropertyName)
	assert.Equal(t, "Hook", got[1].Payload.PropertyValue)
	assert.NotEqual(t, got[0].ID, got[1].ID)

	// The same event delivered again is acknowledged and dropped.
	status, err = srv.SendWebhook(ctx, url, hubspottest.Batch(hubspottest.Event{EventID: 1, SubscriptionType: "contact.creation"}))
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, rec.Events(), 2, "a redelivered event was handled again")
}

// The handler de-duplicates each event of a batch, not the batch: a batch
// mixing handled events with a new one hands on only the new one. A
// signed body that is no event array is 400 and hands on nothing.
// (Signatures, replays, rotation: TestWebhookContract.)
func TestWebhookHandler(t *testing.T) {
	const secret = "11111111-1111-1111-1111-111111111111"
	now := time.UnixMilli(1_800_000_000_000)
	var handled []string
	h, err := hubspot.NewWebhookHandler(webhook.Config{Secrets: []string{secret}, Now: func() time.Time { return now }},
		func(_ context.Context, e hubspot.Event) error { handled = append(handled, e.ID); return nil })
	require.NoError(t, err)

	const target = "https://hooks.example.com/hubspot?portal=62515"
	deliver := func(body string) int {
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		hubspot.SignWebhook(r, []byte(body), secret, now)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	batch := func(ids ...int64) string {
		var events []hubspottest.Event
		for _, id := range ids {
			events = append(events, hubspottest.Event{EventID: id, SubscriptionType: "deal.propertyChange", ObjectID: 7,
				PropertyName: "dealstage", PropertyValue: "closedwon"})
		}
		return string(hubspottest.Batch(events...))
	}

	tests := []struct {
		name    string
		status  int
		handled []string
		body    string
	}{
		{"valid batch", 200, []string{"1", "2"}, batch(1, 2)},
		{"one new event among seen ones", 200, []string{"1", "2", "3"}, batch(2, 3)},
		{"not an event array", 400, []string{"1", "2", "3"}, `{"eventId":9}`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, deliver(tt.body), tt.name)
		require.Equal(t, tt.handled, handled, tt.name)
	}
}

// A failed event is redelivered, and only it: the events before it in the
// batch stay handled, it and those after are handled on the retry.
func TestWebhookFailedEventRedelivered(t *testing.T) {
	const secret = "44444444-4444-4444-4444-444444444444"
	var handled []string
	failOnce := true
	h, err := hubspot.NewWebhookHandler(webhook.Config{Secrets: []string{secret}}, func(_ context.Context, e hubspot.Event) error {
		if e.ID == "12" && failOnce {
			failOnce = false
			return errors.New("queue full")
		}
		handled = append(handled, e.ID)
		return nil
	})
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	srv := hubspottest.NewServer(hubspottest.WithWebhookSecret(secret))
	defer srv.Close()
	body := hubspottest.Batch(hubspottest.Event{EventID: 11, SubscriptionType: "company.creation"},
		hubspottest.Event{EventID: 12, SubscriptionType: "company.propertyChange"}, hubspottest.Event{EventID: 13, SubscriptionType: "company.deletion"})
	for _, want := range []int{500, 200, 200} {
		status, err := srv.SendWebhook(context.Background(), receiver.URL+"/hubspot", body)
		require.NoError(t, err)
		require.Equal(t, want, status)
	}
	assert.Equal(t, []string{"11", "12", "13"}, handled)
}

// Signatures: v3 accepted under any of the secrets; a changed byte, a
// wrong secret, a stale or future timestamp rejected; v1 and v2 accepted
// when v3 is absent, HubSpot's own published examples included.
func TestVerifyWebhook(t *testing.T) {
	const secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
	body := []byte(`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`)
	now := time.UnixMilli(1_800_000_000_000)
	uri := "https://www.example.com/webhook_uri?x=%3Ay"
	cfg := webhook.Config{Secrets: []string{secret}, PublicURL: uri, Now: func() time.Time { return now }}

	v3 := func(secret string, ts time.Time) *http.Request {
		r := httptest.NewRequest(http.MethodPost, uri, bytes.NewReader(body))
		hubspot.SignWebhook(r, body, secret, ts)
		r.Header.Del("X-HubSpot-Signature") // v3 alone
		r.Header.Del("X-HubSpot-Signature-Version")
		return r
	}
	require.NoError(t, hubspot.VerifyWebhook(v3(secret, now), body, cfg), "valid v3")
	rotating := cfg
	rotating.Secrets = []string{"another-secret-000", secret}
	require.NoError(t, hubspot.VerifyWebhook(v3(secret, now), body, rotating), "v3 under the second of two secrets")
	behindProxy := v3(secret, now)
	behindProxy.Host, behindProxy.TLS = "www.example.com", nil
	behindProxy.Header.Set("X-Forwarded-Proto", "https")
	require.NoError(t, hubspot.VerifyWebhook(behindProxy, body, webhook.Config{Secrets: cfg.Secrets, Now: cfg.Now}),
		"v3 with the URL rebuilt from Host and X-Forwarded-Proto")

	tampered := []byte(strings.Replace(string(body), "123", "124", 1))
	badTimestamp := v3(secret, now)
	badTimestamp.Header.Set("X-HubSpot-Request-Timestamp", "yesterday")
	for _, tt := range []struct {
		name string
		err  error
		want error
	}{
		{"one byte changed", hubspot.VerifyWebhook(v3(secret, now), tampered, cfg), webhook.ErrSignatureInvalid},
		{"wrong secret", hubspot.VerifyWebhook(v3("another-secret-000", now), body, cfg), webhook.ErrSignatureInvalid},
		{"another URL", hubspot.VerifyWebhook(v3(secret, now), body, webhook.Config{Secrets: cfg.Secrets, PublicURL: "https://www.example.com/other", Now: cfg.Now}), webhook.ErrSignatureInvalid},
		{"stale", hubspot.VerifyWebhook(v3(secret, now.Add(-6*time.Minute)), body, cfg), webhook.ErrTimestampStale},
		{"future", hubspot.VerifyWebhook(v3(secret, now.Add(6*time.Minute)), body, cfg), webhook.ErrTimestampStale},
		{"timestamp not a number", hubspot.VerifyWebhook(badTimestamp, body, cfg), webhook.ErrSignatureInvalid},
		{"no signature", hubspot.VerifyWebhook(httptest.NewRequest(http.MethodPost, uri, nil), body, cfg), webhook.ErrSignatureInvalid},
		{"no secrets", hubspot.VerifyWebhook(v3(secret, now), body, webhook.Config{Secrets: []string{""}, PublicURL: uri, Now: cfg.Now}), webhook.ErrSignatureInvalid},
	} {
		assert.ErrorIs(t, tt.err, tt.want, tt.name)
	}
	// Within the tolerance, and a wider one set in the config.
	require.NoError(t, hubspot.VerifyWebhook(v3(secret, now.Add(-4*time.Minute)), body, cfg))
	wide := cfg
	wide.Tolerance = 10 * time.Minute
	require.NoError(t, hubspot.VerifyWebhook(v3(secret, now.Add(-6*time.Minute)), body, wide))

	// HubSpot's published v1 example: secret + body, SHA-256; under a
	// rotation too.
	v1 := httptest.NewRequest(http.MethodPost, uri, nil)
	v1.Header.Set("X-HubSpot-Signature-Version", "v1")
	v1.Header.Set("X-HubSpot-Signature", "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de")
	require.NoError(t, hubspot.VerifyWebhook(v1, body, cfg), "HubSpot's own v1 example")
	require.NoError(t, hubspot.VerifyWebhook(v1, body, rotating), "HubSpot's own v1 example, second secret")
	assert.ErrorIs(t, hubspot.VerifyWebhook(v1, tampered, cfg), webhook.ErrSignatureInvalid, "v1, one byte changed")
	// HubSpot's published v2 example: GET with no body.
	v2 := httptest.NewRequest(http.MethodGet, "https://www.example.com/webhook_uri", nil)
	v2.Header.Set("X-HubSpot-Signature-Version", "v2")
	v2.Header.Set("X-HubSpot-Signature", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e")
	require.NoError(t, hubspot.VerifyWebhook(v2, nil, webhook.Config{Secrets: []string{secret}, PublicURL: "https://www.example.com/webhook_uri"}),
		"HubSpot's own v2 example")
	v2.Header.Set("X-HubSpot-Signature-Version", "v9")
	assert.ErrorIs(t, hubspot.VerifyWebhook(v2, nil, webhook.Config{Secrets: []string{secret}, PublicURL: "https://www.example.com/webhook_uri"}),
		webhook.ErrSignatureInvalid, "an unknown signature version")
}

// Each event of a batch becomes one Event: its eventId, a neutral kind
// for contacts, companies and deals, HubSpot's own type, its time, its
// fields and its raw JSON.
func TestParseWebhook(t *testing.T) {
	types := map[string]webhook.Kind{
		"contact.creation": webhook.ContactCreated, "contact.propertyChange": webhook.ContactUpdated, "contact.deletion": webhook.ContactDeleted,
		"company.creation": webhook.CompanyCreated, "company.propertyChange": webhook.CompanyUpdated, "company.deletion": webhook.CompanyDeleted,
		"deal.creation": webhook.DealCreated, "deal.propertyChange": webhook.DealUpdated, "deal.deletion": webhook.DealDeleted,
		"contact.merge": webhook.KindOther, "contact.associationChange": webhook.KindOther, "contact.privacyDeletion": webhook.KindOther,
		"ticket.creation": webhook.KindOther,
	}
	for typ, kind := range types {
		body := `[{"eventId":101,"subscriptionType":"` + typ + `","occurredAt":1564113600000,"objectId":123,"portalId":62515}]`
		events, err := hubspot.ParseWebhook(nil, []byte(body))
		require.NoError(t, err, typ)
		require.Len(t, events, 1, typ)
		assert.Equal(t, kind, events[0].Kind, typ)
		assert.Equal(t, typ, events[0].Type)
	}

	body := []byte(`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"appId":54321,"occurredAt":1564113600000,"subscriptionType":"deal.propertyChange","attemptNumber":2,"objectId":123,"propertyName":"amount","propertyValue":"99.50","changeSource":"API"},` +
		`{"eventId":2,"subscriptionType":"deal.deletion","objectId":124}]`)
	events, err := hubspot.ParseWebhook(nil, body)
	require.NoError(t, err)
	require.Len(t, events, 2)
	e := events[0]
	assert.Equal(t, "1", e.ID)
	assert.Equal(t, time.Date(2019, 7, 26, 4, 0, 0, 0, time.UTC), e.OccurredAt)
	assert.Equal(t, hubspot.Payload{SubscriptionID: 12345, PortalID: 62515, AppID: 54321, AttemptNumber: 2, ObjectID: 123,
		PropertyName: "amount", PropertyValue: "99.50", ChangeSource: "API"}, e.Payload)
	assert.JSONEq(t, string(body[1:bytes.Index(body, []byte("},{"))+1]), string(e.Raw))
	assert.Equal(t, "2", events[1].ID)
	assert.True(t, events[1].OccurredAt.IsZero(), "no occurredAt: zero")

	for _, bad := range []string{`{"eventId":1}`, `[{"eventId":"x"}]`, `not json`, ``} {
		_, err := hubspot.ParseWebhook(nil, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, bad)
	}
}
