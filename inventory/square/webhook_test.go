package square_test

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
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
)

// orderCreated is an order.created notification as Square documents it
// (the spec's OrderCreatedEvent example).
// https://developer.squareup.com/reference/square/webhooks/order.created
const orderCreated = `{"merchant_id":"5S9MXCS9Y99KK","type":"order.created","event_id":"116038d3-2948-439f-8679-fc86dbf80f69",` +
	`"created_at":"2020-04-16T23:14:26.129Z","data":{"type":"order_created","id":"eA3vssLHKJrv9H0IdJCM3gNqfdcZY",` +
	`"object":{"order_created":{"created_at":"2020-04-16T23:14:26.129Z","location_id":"FPYCBCHYMXFK1",` +
	`"order_id":"eA3vssLHKJrv9H0IdJCM3gNqfdcZY","state":"OPEN","version":1}}}}`

// receiver serves a NewWebhookHandler over cfg and records what it handled.
type receiver = webhooktest.Receiver[square.Payload]

func newReceiver(t *testing.T, cfg webhook.Config) *receiver {
	return webhooktest.Serve(t, square.NewWebhookHandler, cfg)
}

// Square's notifications pass the contract every vendor's do. The
// signature covers the body (and the URL), but no time.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[square.Payload]{
		NewHandler: square.NewWebhookHandler,
		Sign:       square.SignWebhook,
		Body:       []byte(orderCreated),
		SignsBody:  true,
	})
}

// An order placed on the sandbox arrives as one verified order.created
// event naming the order; its redelivery (the same body, the same
// event_id) is acknowledged and dropped; FromWebhook reads the order.
func TestWebhookOrderCreated(t *testing.T) {
	srv, client := sandbox(t, nil)
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	id, body := srv.PlaceOrder(toSquare(t, sampleOrder()))
	for range 2 {
		status, err := srv.SendWebhook(ctx, rc.URL, body)
		require.NoError(t, err)
		assert.Equal(t, 200, status)
	}
	events := rc.Events()
	require.Len(t, events, 1, "the redelivery must be dropped")
	e := events[0]
	assert.Equal(t, webhook.OrderCreated, e.Kind)
	assert.Equal(t, "order.created", e.Type)
	assert.Equal(t, e.Payload.EventID, e.ID)
	assert.Equal(t, id, e.Payload.OrderID)
	assert.WithinDuration(t, srv.Now(), e.OccurredAt, time.Minute)
	o, err := client.Orders.FromWebhook(ctx, e.Raw)
	require.NoError(t, err)
	assert.Equal(t, id, o.ID)
	assert.Equal(t, "MUG-1", o.Lines[0].SKU)
}

// The signature covers the notification URL: a delivery signed for
// another URL, a changed body, a signature removed or made with another
// key are refused 401 and never handled. Behind a proxy, cfg.PublicURL
// is the URL verified.
func TestWebhookTampered(t *testing.T) {
	srv := squaretest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	_, body := srv.PlaceOrder(toSquare(t, sampleOrder()))
	post := func(signedURL string, key string, sent []byte) int {
		r := httptest.NewRequest(http.MethodPost, signedURL, nil)
		if key != "" {
			square.SignWebhook(r, body, key, time.Now())
		}
		status, err := connectortest.PostWebhook(ctx, rc.URL+"/hooks", sent, r.Header)
		require.NoError(t, err)
		return status
	}
	assert.Equal(t, 401, post(rc.URL+"/elsewhere", srv.WebhookSecret(), body), "signed for another URL")
	assert.Equal(t, 401, post(rc.URL+"/hooks", srv.WebhookSecret(), []byte(strings.Replace(string(body), "OPEN", "OPEM", 1))), "changed body")
	assert.Equal(t, 401, post(rc.URL+"/hooks", "", body), "unsigned")
	assert.Equal(t, 401, post(rc.URL+"/hooks", "another-signature-key", body), "another key")
	assert.Empty(t, rc.Events())
	assert.Equal(t, 200, post(rc.URL+"/hooks", srv.WebhookSecret(), body), "the genuine delivery")
	assert.Len(t, rc.Events(), 1)

	// Behind a proxy: Square signed the public URL, the handler sees another.
	public := "https://shop.example.com/square/hooks"
	proxied := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}, PublicURL: public})
	r := httptest.NewRequest(http.MethodPost, public, nil)
	square.SignWebhook(r, body, srv.WebhookSecret(), time.Now())
	status, err := connectortest.PostWebhook(ctx, proxied.URL+"/internal", body, r.Header)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Len(t, proxied.Events(), 1)
}

// Square signs no time: a replay is dropped by its event_id while the
// seen store remembers it; with cfg.Tolerance, a notification whose
// created_at is older is refused outright, however it is signed.
func TestWebhookReplay(t *testing.T) {
	srv := squaretest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	_, body := srv.PlaceOrder(toSquare(t, sampleOrder()))

	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	for range 3 {
		status, err := srv.SendWebhook(ctx, rc.URL, body)
		require.NoError(t, err)
		assert.Equal(t, 200, status)
	}
	assert.Len(t, rc.Events(), 1, "replays are dropped by event_id")

	later := time.Now().Add(100 * time.Hour)
	strict := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}, Tolerance: 80 * time.Hour,
		Now: func() time.Time { return later }})
	status, err := srv.SendWebhook(ctx, strict.URL, body)
	require.NoError(t, err)
	assert.Equal(t, 401, status, "created_at 100 hours old, tolerance 80")
	assert.Empty(t, strict.Events())
	lenient := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}, Tolerance: 120 * time.Hour,
		Now: func() time.Time { return later }})
	status, err = srv.SendWebhook(ctx, lenient.URL, body)
	require.NoError(t, err)
	assert.Equal(t, 200, status, "within the tolerance")
}

// The documented notification: one event, its id the event_id, naming
// the order.
func TestWebhookDocumented(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
	events, err := square.ParseWebhook(r, []byte(orderCreated))
	require.NoError(t, err)
	require.Len(t, events, 1)
	e := events[0]
	assert.Equal(t, "116038d3-2948-439f-8679-fc86dbf80f69", e.ID)
	assert.Equal(t, webhook.OrderCreated, e.Kind)
	assert.Equal(t, "eA3vssLHKJrv9H0IdJCM3gNqfdcZY", e.Payload.OrderID)
	assert.Equal(t, "5S9MXCS9Y99KK", e.Payload.MerchantID)
	assert.Equal(t, time.Date(2020, 4, 16, 23, 14, 26, 129e6, time.UTC), e.OccurredAt)
}

// Event types map to vendor-neutral kinds; an event without event_id is
// identified by its body; a body that is no JSON object is
// ErrInvalidResponse, answered 400.
func TestParseWebhook(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
	for typ, kind := range map[string]webhook.Kind{"order.created": webhook.OrderCreated, "order.updated": webhook.OrderUpdated,
		"order.fulfillment.updated": webhook.OrderUpdated, "inventory.count.updated": webhook.StockUpdated,
		"catalog.version.updated": webhook.KindOther} {
		events, err := square.ParseWebhook(r, []byte(`{"type":"`+typ+`","event_id":"e-1","data":{"type":"x","id":"1"}}`))
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, kind, events[0].Kind, typ)
		assert.Equal(t, "e-1", events[0].ID)
	}
	a, err := square.ParseWebhook(r, []byte(`{"type":"order.updated","data":{"id":"O1"}}`))
	require.NoError(t, err)
	b, err := square.ParseWebhook(r, []byte(`{"type":"order.updated","data":{"id":"O2"}}`))
	require.NoError(t, err)
	assert.NotEmpty(t, a[0].ID)
	assert.NotEqual(t, a[0].ID, b[0].ID, "another body, another id")
	assert.Equal(t, "O1", a[0].Payload.OrderID)
	c, err := square.ParseWebhook(r, []byte(`{"type":"order.fulfillment.updated","event_id":"e-2","data":{"type":"order_fulfillment_updated",`+
		`"object":{"order_fulfillment_updated":{"order_id":"O3","version":2}}}}`))
	require.NoError(t, err)
	assert.Equal(t, "O3", c[0].Payload.OrderID, "the order named inside the object, where data has no id")
	for _, bad := range []string{``, `[]`, `"x"`, `null`, `{"type":`} {
		_, err := square.ParseWebhook(r, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, "%q", bad)
	}
	srv := squaretest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	status, err := srv.SendWebhook(context.Background(), rc.URL, []byte(`not json`))
	require.NoError(t, err)
	assert.Equal(t, 400, status)
}
