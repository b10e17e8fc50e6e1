package shipengine_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

const trackBody = `{"resource_url":"https://api.shipengine.com/v1/tracking?carrier_code=ups&tracking_number=1Z","resource_type":"API_TRACK",` +
	`"data":{"tracking_number":"1Z","status_code":"IT","status_description":"In Transit","carrier_code":"ups",` +
	`"events":[{"occurred_at":"2026-11-23T10:00:00Z","description":"Departed","city_locality":"AUSTIN","state_province":"TX","status_code":"IT"},` +
	`{"occurred_at":"2026-11-22T18:00:00Z","description":"Label created","status_code":"AC"}]}}`

// keys gives each webhooktest "secret" an RSA key pair: the suite's
// secrets name signers, and ShipEngine's Secrets take public keys.
var keys = struct {
	sync.Mutex
	m map[string]*rsa.PrivateKey
}{m: map[string]*rsa.PrivateKey{}}

func keyFor(t testing.TB, name string) *rsa.PrivateKey {
	keys.Lock()
	defer keys.Unlock()
	if k, ok := keys.m[name]; ok {
		return k
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	keys.m[name] = k
	return k
}

// ShipEngine's webhooks pass the contract every vendor's do, with each
// suite secret standing for a signer: the handler gets its public key (as
// a JWKS), SignWebhook its private key.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[shipengine.Payload]{
		NewHandler: func(cfg webhook.Config, handle func(context.Context, shipengine.Event) error) (http.Handler, error) {
			pub := make([]string, len(cfg.Secrets))
			for i, s := range cfg.Secrets {
				if s != "" {
					k := keyFor(t, s)
					pub[i] = string(webhook.EncodeJWKS(map[string]*rsa.PublicKey{webhook.RSAKeyID(&k.PublicKey): &k.PublicKey}))
				}
			}
			cfg.Secrets = pub
			return shipengine.NewWebhookHandler(cfg, handle)
		},
		Sign: func(r *http.Request, body []byte, secret string, now time.Time) {
			shipengine.SignWebhook(r, body, webhook.EncodeRSAPrivateKeyPEM(keyFor(t, secret)), now)
		},
		Body:      []byte(trackBody),
		SignsBody: true,
		SignsTime: true,
	})
}

func deliver(t *testing.T, h http.Handler, body string, mutate func(r *http.Request)) int {
	r := httptest.NewRequest(http.MethodPost, "/hooks/shipengine", strings.NewReader(body))
	if mutate != nil {
		mutate(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// Tampering, replay and stale deliveries are refused; a PEM key pins as a
// JWKS does.
func TestWebhookTamperReplayStale(t *testing.T) {
	k := keyFor(t, "tamper")
	priv := webhook.EncodeRSAPrivateKeyPEM(k)
	rec := &webhooktest.Recorder[shipengine.Payload]{}
	h, err := shipengine.NewWebhookHandler(webhook.Config{Secrets: []string{webhook.EncodeRSAPublicKeyPEM(&k.PublicKey)}}, rec.Handle)
	require.NoError(t, err)
	now := time.Now()
	sign := func(r *http.Request) { shipengine.SignWebhook(r, []byte(trackBody), priv, now) }

	assert.Equal(t, 200, deliver(t, h, trackBody, sign))
	assert.Equal(t, 200, deliver(t, h, trackBody, sign), "a replay is acknowledged")
	assert.Len(t, rec.Events(), 1, "a replay was handled again")

	tests := []struct {
		name   string
		body   string
		mutate func(r *http.Request)
	}{
		{"body changed", strings.Replace(trackBody, `"IT"`, `"DE"`, 1), sign},
		{"timestamp changed", trackBody, func(r *http.Request) {
			sign(r)
			r.Header.Set(shipengine.TimestampHeader, now.Add(time.Second).UTC().Format("2006-01-02T15:04:05.000Z"))
		}},
		{"stale", trackBody, func(r *http.Request) { shipengine.SignWebhook(r, []byte(trackBody), priv, now.Add(-6*time.Minute)) }},
		{"future", trackBody, func(r *http.Request) { shipengine.SignWebhook(r, []byte(trackBody), priv, now.Add(6*time.Minute)) }},
		{"no signature", trackBody, func(r *http.Request) { sign(r); r.Header.Del(shipengine.SignatureHeader) }},
		{"no key id", trackBody, func(r *http.Request) { sign(r); r.Header.Del(shipengine.KeyIDHeader) }},
		{"signature not base64", trackBody, func(r *http.Request) { sign(r); r.Header.Set(shipengine.SignatureHeader, "!!") }},
		{"another key", trackBody, func(r *http.Request) {
			shipengine.SignWebhook(r, []byte(trackBody), webhook.EncodeRSAPrivateKeyPEM(keyFor(t, "other")), now)
		}},
	}
	for _, tt := range tests {
		assert.Equal(t, http.StatusUnauthorized, deliver(t, h, tt.body, tt.mutate), tt.name)
	}
	assert.Len(t, rec.Events(), 1)

	_, err = shipengine.NewWebhookHandler(webhook.Config{Secrets: []string{"not-a-key-SENTINEL"}}, rec.Handle)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SENTINEL")
}

// The sandbox's API_TRACK events arrive signed with its key, verified by a
// handler that fetched the sandbox's /jwks through the client.
func TestWebhooksFromSandbox(t *testing.T) {
	srv, client := sandbox(t, nil)
	rec := &webhooktest.Recorder[shipengine.Payload]{}
	h, err := client.NewWebhookHandler(webhook.Config{}, rec.Handle)
	require.NoError(t, err)
	hook := httptest.NewServer(h)
	defer hook.Close()
	srv.DeliverWebhooksTo(hook.URL + "/hooks/shipengine")

	ctx := context.Background()
	rate, _ := shipping.Cheapest(shippingtest.Quote(t, client.Rates))
	label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("hook-order"))
	require.NoError(t, err)
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))

	events := rec.Events()
	require.Len(t, events, 2)
	assert.Equal(t, "API_TRACK", events[0].Type)
	assert.Equal(t, webhook.TrackingUpdated, events[0].Kind)
	assert.Equal(t, shipping.InTransit, events[0].Payload.Tracking.State)
	assert.Equal(t, shipping.Delivered, events[1].Payload.Tracking.State)
	assert.Len(t, events[1].Payload.Tracking.History, 3)
	assert.NotEqual(t, events[0].ID, events[1].ID)

	// The package-level handler verifies with the sandbox's JWKS pinned.
	pinned := &webhooktest.Recorder[shipengine.Payload]{}
	h2, err := shipengine.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, pinned.Handle)
	require.NoError(t, err)
	hook2 := httptest.NewServer(h2)
	defer hook2.Close()
	status, err := srv.SendWebhook(ctx, hook2.URL, []byte(trackBody))
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, pinned.Events(), 1)
}

func TestParseWebhook(t *testing.T) {
	events, err := shipengine.ParseWebhook(nil, []byte(trackBody))
	require.NoError(t, err)
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, "API_TRACK:1Z:in_transit:2026-11-23T10:00:00Z", e.ID)
	assert.Equal(t, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), e.OccurredAt)
	require.Len(t, e.Payload.Tracking.History, 2)
	assert.Equal(t, shipping.PreTransit, e.Payload.Tracking.History[0].State, "history oldest first")
	assert.Equal(t, "AUSTIN, TX", e.Payload.Tracking.Location)

	other, err := shipengine.ParseWebhook(nil, []byte(`{"resource_url":"u","resource_type":"API_BATCH"}`))
	require.NoError(t, err)
	assert.Equal(t, webhook.KindOther, other[0].Kind)
	assert.True(t, strings.HasPrefix(other[0].ID, "API_BATCH:"))
	for _, bad := range []string{``, `[]`, `{"data":{}}`, `{"resource_type":"API_TRACK","data":[1]}`, `{"resource_type":"API_TRACK"}`} {
		_, err := shipengine.ParseWebhook(nil, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, bad)
	}
}
