package shippo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

func receiver(t *testing.T, cfg webhook.Config, rec *webhooktest.Recorder[shippo.Payload]) *httptest.Server {
	t.Helper()
	h, err := shippo.NewWebhookHandler(cfg, rec.Handle)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

const trackBody = `{"event":"track_updated","test":true,"data":{"carrier":"usps","tracking_number":"9400111","tracking_status":` +
	`{"status":"TRANSIT","status_details":"In transit","status_date":"2026-11-23T10:00:00Z"},"tracking_history":[]}}`

// trackUpdated is a track_updated delivery as Shippo documents it.
const trackUpdated = `{"event":"track_updated","test":false,"data":{"messages":[],"carrier":"usps",` +
	`"tracking_number":"9205590164917312751089","address_from":{"city":"Las Vegas","state":"NV","zip":"89101","country":"US"},` +
	`"address_to":{"city":"Spotsylvania","state":"VA","zip":"22551","country":"US"},"eta":"2026-11-25T00:00:00Z",` +
	`"original_eta":"2026-11-25T00:00:00Z","servicelevel":{"token":"usps_priority","name":"Priority Mail"},"metadata":"Order 1001",` +
	`"tracking_status":{"object_created":"2026-11-23T10:02:11.432Z","object_updated":"2026-11-23T10:02:11.432Z",` +
	`"object_id":"ce48ff3d52a34e91b77aa98370182624","status":"TRANSIT","status_details":"Your shipment has departed from the origin.",` +
	`"status_date":"2026-11-23T10:00:00Z","substatus":null,"location":{"city":"Las Vegas","state":"NV","zip":"89101","country":"US"}},` +
	`"tracking_history":[{"object_created":"2026-11-22T18:30:05.120Z","object_id":"0f1ab7c4e3d44b1e9a3f1c2d3e4f5a6b","status":"PRE_TRANSIT",` +
	`"status_details":"The carrier has received the electronic shipment information.","status_date":"2026-11-22T18:00:00Z",` +
	`"location":{"city":"Las Vegas","state":"NV","zip":"89101","country":"US"}}],"transaction":"a1b2c3d4e5f64a7b8c9d0e1f2a3b4c5d",` +
	`"test":false}}`

// Shippo's webhooks pass the contract every vendor's do. Shippo signs
// nothing: the token rides in the URL, so a changed body is not refused
// (SignsBody false) and no time is checked.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[shippo.Payload]{
		NewHandler: shippo.NewWebhookHandler,
		Sign:       shippo.SignWebhook,
		Body:       []byte(trackUpdated),
		URL:        "https://hooks.example.com/hooks/shippo",
	})
}

// The sandbox's transaction_created and track_updated events arrive typed,
// in the neutral kinds, each with an ID.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, client := sandbox(t, nil)
	rec := &webhooktest.Recorder[shippo.Payload]{}
	hook := receiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec)
	srv.DeliverWebhooksTo(hook.URL + "/hooks/shippo")

	ctx := context.Background()
	rates, err := client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	require.NoError(t, err)
	rate, _ := shipping.Cheapest(rates)
	label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("hook-order"))
	require.NoError(t, err)
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))

	events := rec.Events()
	require.Len(t, events, 2, "want the label, then its tracking update")
	created, tracked := events[0], events[1]
	assert.Equal(t, "transaction_created", created.Type)
	assert.Equal(t, webhook.LabelCreated, created.Kind)
	require.NotNil(t, created.Payload.Label)
	assert.Equal(t, label.ID, created.Payload.Label.ID)
	assert.Equal(t, shipping.LabelCreated, created.Payload.Label.Status)
	assert.True(t, created.Payload.Test)
	assert.False(t, created.OccurredAt.IsZero(), "transaction event without object_updated time")

	assert.Equal(t, "track_updated", tracked.Type)
	assert.Equal(t, webhook.TrackingUpdated, tracked.Kind)
	require.NotNil(t, tracked.Payload.Tracking)
	assert.Equal(t, shipping.InTransit, tracked.Payload.Tracking.State)
	assert.Equal(t, tracked.Payload.Tracking.At, tracked.OccurredAt)
	assert.NotEqual(t, created.ID, tracked.ID)
	for _, e := range events {
		assert.NotEmpty(t, e.ID)
		assert.NotEmpty(t, e.Raw)
	}

	// Stopped: nothing more arrives.
	srv.DeliverWebhooksTo("")
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))
	assert.Len(t, rec.Events(), 2)
}

// Only a delivery whose token query parameter is one of the secrets is
// handled: during a rotation both the old and the new token are. Shippo
// does not sign the body, so the token is all there is.
func TestWebhookToken(t *testing.T) {
	const oldToken, newToken = "hook-old-0123456789abcdef", "hook-new-fedcba9876543210"
	rec := &webhooktest.Recorder[shippo.Payload]{}
	hook := receiver(t, webhook.Config{Secrets: []string{oldToken, newToken}}, rec)
	post := func(query string, header http.Header, body string) int {
		req, err := http.NewRequest(http.MethodPost, hook.URL+"/hooks/shippo"+query, strings.NewReader(body))
		require.NoError(t, err)
		for k, v := range header {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := func(n string) string { return strings.Replace(trackBody, "9400111", n, 1) }
	tests := []struct {
		name    string
		query   string
		header  http.Header
		body    string
		status  int
		handled int
	}{
		{"old token", "?token=" + oldToken, nil, body("1"), 200, 1},
		{"new token, with other parameters", "?shop=7&token=" + newToken, nil, body("2"), 200, 2},
		{"one character changed", "?token=" + oldToken[:len(oldToken)-1] + "X", nil, body("3"), 401, 2},
		{"a prefix of the token", "?token=" + oldToken[:16], nil, body("4"), 401, 2},
		{"no token", "", nil, body("5"), 401, 2},
		{"empty token", "?token=", nil, body("6"), 401, 2},
		{"token in another parameter", "?secret=" + oldToken, nil, body("7"), 401, 2},
		{"token in a header only", "", http.Header{"Token": {oldToken}, "Authorization": {"ShippoToken " + oldToken}}, body("8"), 401, 2},
		{"valid token, no event", "?token=" + oldToken, nil, `{"data":{}}`, 400, 2},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.status, post(tt.query, tt.header, tt.body), tt.name)
		require.Len(t, rec.Events(), tt.handled, tt.name)
	}
}

// The same parcel in another state is another event, handled though the
// first was. (A retry of one delivery handled once, a failure redelivered:
// TestWebhookContract.)
func TestWebhookNewStateNewEvent(t *testing.T) {
	sb := shippotest.NewServer()
	defer sb.Close()
	rec := &webhooktest.Recorder[shippo.Payload]{}
	hook := receiver(t, webhook.Config{Secrets: []string{sb.WebhookSecret()}}, rec)
	ctx := context.Background()
	for _, body := range []string{trackBody, strings.Replace(trackBody, `"TRANSIT"`, `"DELIVERED"`, 1)} {
		status, err := sb.SendWebhook(ctx, hook.URL, []byte(body))
		require.NoError(t, err)
		assert.Equal(t, 200, status)
	}
	events := rec.Events()
	require.Len(t, events, 2)
	assert.NotEqual(t, events[0].ID, events[1].ID)
}

// A token shorter than 16 characters is refused, and the error does not
// repeat it; empty entries are skipped, but one secret is required.
func TestWebhookSecretRules(t *testing.T) {
	handle := func(context.Context, shippo.Event) error { return nil }
	_, err := shippo.NewWebhookHandler(webhook.Config{Secrets: []string{"long-enough-0123456789", "short-tok"}}, handle)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "short-tok")
	_, err = shippo.NewWebhookHandler(webhook.Config{Secrets: []string{"", ""}}, handle)
	assert.Error(t, err)
	_, err = shippo.NewWebhookHandler(webhook.Config{Secrets: []string{"", "long-enough-0123456789"}}, handle)
	assert.NoError(t, err)

	// VerifyWebhook alone: an empty secret verifies nothing.
	r := httptest.NewRequest(http.MethodPost, "/hooks?token=", nil)
	assert.ErrorIs(t, shippo.VerifyWebhook(r, nil, webhook.Config{Secrets: []string{""}}), webhook.ErrSignatureInvalid)
}

// SignWebhook adds the token to the URL as Shippo's delivery carries it,
// keeping the URL's own parameters; VerifyWebhook then accepts it.
func TestSignWebhook(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks/shippo?shop=7&token=stale", nil)
	shippo.SignWebhook(r, []byte(trackBody), "hook-secret-0123456789", time.Now())
	assert.Equal(t, "7", r.URL.Query().Get("shop"))
	assert.Equal(t, []string{"hook-secret-0123456789"}, r.URL.Query()["token"])
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.NoError(t, shippo.VerifyWebhook(r, []byte(trackBody), webhook.Config{Secrets: []string{"hook-secret-0123456789"}}))
}

// Each event type maps to its neutral kind; the ID is the old
// de-duplication identity, so the same change always has the same ID.
func TestParseWebhook(t *testing.T) {
	parse := func(body string) shippo.Event {
		t.Helper()
		events, err := shippo.ParseWebhook(nil, []byte(body))
		require.NoError(t, err, body)
		require.Len(t, events, 1)
		return events[0]
	}
	track := parse(trackBody)
	assert.Equal(t, webhook.TrackingUpdated, track.Kind)
	assert.Equal(t, "track_updated:9400111:in_transit:2026-11-23T10:00:00Z", track.ID)
	assert.Equal(t, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), track.OccurredAt)
	assert.True(t, track.Payload.Test)
	assert.JSONEq(t, trackBody, string(track.Raw))

	const txn = `{"event":"transaction_updated","data":{"object_id":"t1","status":"REFUNDPENDING","rate":"r1",` +
		`"object_updated":"2026-11-23T11:00:00.000Z","tracking_number":"9400"}}`
	updated := parse(txn)
	assert.Equal(t, webhook.LabelUpdated, updated.Kind)
	assert.Equal(t, "transaction_updated:t1:void_requested", updated.ID)
	assert.Equal(t, time.Date(2026, 11, 23, 11, 0, 0, 0, time.UTC), updated.OccurredAt)
	require.NotNil(t, updated.Payload.Label)
	assert.Equal(t, "r1", updated.Payload.Label.RateID)
	assert.Equal(t, shipping.LabelVoidRequested, updated.Payload.Label.Status)
	assert.Nil(t, updated.Payload.Tracking)

	created := parse(strings.Replace(txn, "transaction_updated", "transaction_created", 1))
	assert.Equal(t, webhook.LabelCreated, created.Kind)
	assert.NotEqual(t, updated.ID, created.ID)

	const batch = `{"event":"batch_created","data":{"object_id":"b1","status":"VALIDATING"}}`
	other := parse(batch)
	assert.Equal(t, webhook.KindOther, other.Kind)
	assert.Equal(t, "batch_created", other.Type)
	assert.Equal(t, other.ID, parse(batch).ID, "the same body, the same ID")
	assert.NotEqual(t, other.ID, parse(strings.Replace(batch, "VALIDATING", "VALID", 1)).ID)
	assert.True(t, strings.HasPrefix(other.ID, "batch_created:"), other.ID)

	for _, bad := range []string{``, `[]`, `{"data":{}}`, `{"event":"track_updated","data":[1]}`, `{"event":"transaction_created","data":"x"}`} {
		_, err := shippo.ParseWebhook(nil, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, bad)
	}
}

// Shippo's 400 field maps keep every message, with its field path.
func TestFieldErrors(t *testing.T) {
	body := `{"address_to": {"zip": ["This field is required."], "country": ["Invalid country code."]}, "parcels": ["Each parcel needs a weight."]}`
	srv := newFaultServer(t, body)
	client, err := shippo.New(shippo.Config{BaseURL: srv.URL, Auth: shippo.APIToken("shippo_test_abcdef")}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = client.Rates.Quote(context.Background(), shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	require.ErrorIs(t, err, connector.ErrValidation)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "address_to.country: Invalid country code.; address_to.zip: This field is required.; parcels: Each parcel needs a weight.", apiErr.Message)
}
