package easypost_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/easypost"
)

// trackerUpdated is a tracker.updated delivery in EasyPost's Event shape.
const trackerUpdated = `{"description":"tracker.updated","mode":"test","previous_attributes":{"status":"pre_transit"},` +
	`"created_at":"2026-11-23T10:00:01.000Z","pending_urls":["https://hooks.example.com/webhooks"],"completed_urls":[],` +
	`"updated_at":"2026-11-23T10:00:01.000Z","id":"evt_5c0ffee0c0ffee0c0ffee0c0ffee0c0f","user_id":"user_1","status":"pending",` +
	`"object":"Event","result":{"id":"trk_1","object":"Tracker","mode":"test","tracking_code":"9400111","status":"in_transit",` +
	`"status_detail":"arrived_at_facility","created_at":"2026-11-22T18:00:00Z","updated_at":"2026-11-23T10:00:00Z",` +
	`"carrier":"USPS","tracking_details":[{"object":"TrackingDetail","message":"Label created","status":"pre_transit",` +
	`"status_detail":"label_created","datetime":"2026-11-22T18:00:00Z","tracking_location":{"object":"TrackingLocation",` +
	`"city":null,"state":null,"country":"US","zip":"94117"}},{"object":"TrackingDetail","message":"Arrived at facility",` +
	`"status":"in_transit","status_detail":"arrived_at_facility","datetime":"2026-11-23T10:00:00Z","tracking_location":` +
	`{"object":"TrackingLocation","city":"SAN FRANCISCO","state":"CA","country":"US","zip":"94107"}}],"public_url":"https://track.easypost.com/x"}}`

// EasyPost's webhooks pass the contract every vendor's do. The body is
// signed (a changed byte is refused); no time is (SignsTime false):
// replays are dropped by event id.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[easypost.Payload]{
		NewHandler: easypost.NewWebhookHandler,
		Sign:       easypost.SignWebhook,
		Body:       []byte(trackerUpdated),
		SignsBody:  true,
	})
}

func post(h http.Handler, body []byte, header http.Header) int {
	r := httptest.NewRequest(http.MethodPost, "/hooks/easypost", bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// The signature EasyPost's client libraries test with: the event body of
// their fixtures, the secret "sécret" (normalised to NFKD before use) and
// the signature they expect. The body in the fixture file ends in a
// newline the signed body does not have.
func TestWebhookOfficialFixture(t *testing.T) {
	raw, err := os.ReadFile(spec.Path(t, "easypost/fixtures/event-body.json"))
	require.NoError(t, err)
	body := bytes.TrimRight(raw, "\n")
	fixtures, err := os.ReadFile(spec.Path(t, "easypost/fixtures/client-library-fixtures.json"))
	require.NoError(t, err)
	var f struct {
		Webhooks struct {
			Secret        string `json:"secret"`
			HMACSignature string `json:"hmac_signature"`
		} `json:"webhooks"`
	}
	require.NoError(t, json.Unmarshal(fixtures, &f))
	require.Equal(t, "sécret", f.Webhooks.Secret)

	r := httptest.NewRequest(http.MethodPost, "/hooks/easypost", nil)
	easypost.SignWebhook(r, body, f.Webhooks.Secret, time.Time{})
	assert.Equal(t, f.Webhooks.HMACSignature, r.Header.Get("X-Hmac-Signature"), "SignWebhook")

	rec := &webhooktest.Recorder[easypost.Payload]{}
	h, err := easypost.NewWebhookHandler(webhook.Config{Secrets: []string{f.Webhooks.Secret}}, rec.Handle)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, post(h, body, http.Header{"X-Hmac-Signature": {f.Webhooks.HMACSignature}}))
	events := rec.Events()
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, "evt_1", e.ID)
	assert.Equal(t, "tracker.updated", e.Type)
	assert.Equal(t, webhook.TrackingUpdated, e.Kind)
	assert.Equal(t, "production", e.Payload.Mode)
	require.NotNil(t, e.Payload.Tracking)
	assert.Equal(t, shipping.InTransit, e.Payload.Tracking.State)
	assert.Len(t, e.Payload.Tracking.History, 7)
	assert.Equal(t, "EDISON, NJ, 08817, US", e.Payload.Tracking.Location)

	// The secret as typed in another normal form (NFC, é one code point)
	// verifies too: both are normalised to NFKD.
	other := []byte(f.Webhooks.Secret)
	require.Len(t, other, 7, "the fixture's secret is NFC")
	h2, err := easypost.NewWebhookHandler(webhook.Config{Secrets: []string{"se\u0301cret"}}, (&webhooktest.Recorder[easypost.Payload]{}).Handle)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, post(h2, body, http.Header{"X-Hmac-Signature": {f.Webhooks.HMACSignature}}), "NFD secret")
}

// Tampering: the body changed, the signature changed in one digit or its
// case, its prefix dropped, the header missing, another secret: all 401.
// Replay: the same delivery again is acknowledged and not handled twice,
// and so is a redelivery re-signed with the same event id.
func TestWebhookTamperAndReplay(t *testing.T) {
	const secret = "whsec-tamper-0123456789"
	rec := &webhooktest.Recorder[easypost.Payload]{}
	h, err := easypost.NewWebhookHandler(webhook.Config{Secrets: []string{secret}}, rec.Handle)
	require.NoError(t, err)
	body := []byte(trackerUpdated)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	easypost.SignWebhook(r, body, secret, time.Now())
	sig := r.Header.Get("X-Hmac-Signature")
	require.Regexp(t, `^hmac-sha256-hex=[0-9a-f]{64}$`, sig)

	flip := []byte(sig)
	if flip[len(flip)-1] == '0' {
		flip[len(flip)-1] = '1'
	} else {
		flip[len(flip)-1] = '0'
	}
	for name, c := range map[string]struct {
		body []byte
		sig  string
	}{
		"changed body":     {bytes.Replace(body, []byte(`"in_transit"`), []byte(`"delivered"`), 1), sig},
		"one digit":        {body, string(flip)},
		"upper-case hex":   {body, "hmac-sha256-hex=" + string(bytes.ToUpper([]byte(sig[len("hmac-sha256-hex="):])))},
		"no prefix":        {body, sig[len("hmac-sha256-hex="):]},
		"no header":        {body, ""},
		"another secret":   {body, sign(body, "whsec-other-0123456789")},
		"unnormalised key": {body, sign(body, "whsec-tamper-\uFF10123456789")}, // a fullwidth 0: NFKD of it is "0"
	} {
		hdr := http.Header{}
		if c.sig != "" {
			hdr.Set("X-Hmac-Signature", c.sig)
		}
		want := http.StatusUnauthorized
		if name == "unnormalised key" {
			want = http.StatusOK // NFKD maps it to the same secret, as EasyPost's libraries do
		}
		assert.Equal(t, want, post(h, c.body, hdr), name)
	}
	n := len(rec.Events())
	assert.Equal(t, 1, n, "only the NFKD-equal secret's delivery was handled")
	assert.Equal(t, http.StatusOK, post(h, body, http.Header{"X-Hmac-Signature": {sig}}), "replay")
	assert.Len(t, rec.Events(), n, "a replay was handled again")

	// A redelivery whose envelope changed (completed_urls) but whose event
	// id is the same is dropped too.
	redelivered := bytes.Replace(body, []byte(`"completed_urls":[]`), []byte(`"completed_urls":["https://old.example"]`), 1)
	require.NotEqual(t, body, redelivered)
	assert.Equal(t, http.StatusOK, post(h, redelivered, http.Header{"X-Hmac-Signature": {sign(redelivered, secret)}}))
	assert.Len(t, rec.Events(), n, "a redelivery was handled again")
}

func sign(body []byte, secret string) string {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	easypost.SignWebhook(r, body, secret, time.Now())
	return r.Header.Get("X-Hmac-Signature")
}

// The sandbox's tracker.created and tracker.updated events arrive signed,
// typed, each with its event id.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, client := sandbox(t, nil)
	rec := &webhooktest.Recorder[easypost.Payload]{}
	h, err := easypost.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, rec.Handle)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	t.Cleanup(hook.Close)
	srv.DeliverWebhooksTo(hook.URL + "/hooks/easypost")

	label := buyOne(t, client)
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))
	events := rec.Events()
	require.Len(t, events, 2, "want the tracker created, then updated")
	assert.Equal(t, "tracker.created", events[0].Type)
	assert.Equal(t, "tracker.updated", events[1].Type)
	for _, e := range events {
		assert.Equal(t, webhook.TrackingUpdated, e.Kind)
		assert.Regexp(t, `^evt_[0-9a-f]{32}$`, e.ID)
		assert.Equal(t, label.TrackingNumber, e.Payload.Tracking.TrackingNumber)
	}
	assert.Equal(t, shipping.InTransit, events[1].Payload.Tracking.State)
	assert.NotEqual(t, events[0].ID, events[1].ID)

	// Signed with another secret, the receiver refuses it.
	body := srv.TrackerEvent(label.TrackingNumber)
	status, err := srv.SendWebhook(context.Background(), hook.URL, body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	other := httptest.NewRequest(http.MethodPost, "/", nil)
	easypost.SignWebhook(other, body, "not-the-secret", time.Now())
	assert.Equal(t, http.StatusUnauthorized, post(h, body, other.Header))
}
