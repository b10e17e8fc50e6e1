package shopify_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

var order = shopifytest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD", Express: true,
	Address: shopifytest.OrderAddress{Street: "965 Mission St", City: "San Francisco", Region: "CA", PostalCode: "94103", Country: "US"},
	Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2, Price: "12.50"}}}

// receiver serves a NewWebhookHandler over cfg and records what it handled.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	events []shopify.Event
	fail   int // deliveries to fail first
}

func newReceiver(t *testing.T, cfg webhook.Config) *receiver {
	t.Helper()
	rc := &receiver{}
	h, err := shopify.NewWebhookHandler(cfg, func(ctx context.Context, e shopify.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if rc.fail > 0 {
			rc.fail--
			return errors.New("database down")
		}
		rc.events = append(rc.events, e)
		return nil
	})
	require.NoError(t, err)
	rc.Server = httptest.NewServer(h)
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) handled() []shopify.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]shopify.Event(nil), rc.events...)
}

// An order placed on the sandbox arrives as one verified event: Kind,
// Type, ID, the shop, the time and the decoded order. Its redelivery
// (same webhook id) is acknowledged and dropped.
func TestWebhookOrderCreated(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()

	id, hookID, body, err := srv.PlaceOrder(ctx, rc.URL, order)
	require.NoError(t, err)
	status, err := srv.SendTopic(ctx, rc.URL, "orders/create", hookID, body)
	require.NoError(t, err)
	assert.Equal(t, 200, status, "a redelivery is acknowledged")

	events := rc.handled()
	require.Len(t, events, 1, "the redelivery must be dropped")
	e := events[0]
	assert.Equal(t, hookID, e.ID)
	assert.Equal(t, webhook.OrderCreated, e.Kind)
	assert.Equal(t, "orders/create", e.Type)
	assert.WithinDuration(t, srv.Now(), e.OccurredAt, time.Minute)
	assert.JSONEq(t, string(body), string(e.Raw))
	assert.Equal(t, shopifytest.ShopDomain, e.Payload.ShopDomain)
	assert.Equal(t, shopify.APIVersion, e.Payload.APIVersion)
	assert.Equal(t, body, e.Payload.Body)
	require.NotNil(t, e.Payload.Order)
	assert.Equal(t, id, e.Payload.Order.ID)
	assert.Equal(t, "MUG-001", e.Payload.Order.LineItems[0].SKU)
	assert.True(t, e.Payload.Order.Express())
}

// Topics map to vendor-neutral kinds; an orders/* body that is no
// shippable order still arrives, with no Order; other topics carry none.
func TestWebhookKinds(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	_, orderBody, err := srv.OrderWebhook(order)
	require.NoError(t, err)
	level := []byte(`{"inventory_item_id":271878346596884015,"location_id":24826418,"available":6,"updated_at":"2026-01-01T10:00:00-05:00"}`)
	tests := []struct {
		topic string
		body  []byte
		kind  webhook.Kind
		order bool
	}{
		{"orders/create", orderBody, webhook.OrderCreated, true},
		{"orders/updated", orderBody, webhook.OrderUpdated, true},
		{"orders/paid", orderBody, webhook.OrderUpdated, true},
		{"orders/fulfilled", orderBody, webhook.OrderUpdated, true},
		{"orders/cancelled", orderBody, webhook.OrderUpdated, true},
		{"orders/delete", []byte(`{"id":450789469}`), webhook.KindOther, false},
		{"inventory_levels/update", level, webhook.StockUpdated, false},
		{"products/update", []byte(`{"id":788032119674292922,"title":"Mug"}`), webhook.KindOther, false},
	}
	for _, tt := range tests {
		status, err := srv.SendTopic(context.Background(), rc.URL, tt.topic, "", tt.body)
		require.NoError(t, err)
		require.Equal(t, 200, status, tt.topic)
	}
	events := rc.handled()
	require.Len(t, events, len(tests))
	for i, tt := range tests {
		e := events[i]
		assert.Equal(t, tt.topic, e.Type)
		assert.Equal(t, tt.kind, e.Kind, tt.topic)
		assert.Equal(t, tt.order, e.Payload.Order != nil, tt.topic)
		assert.NotEmpty(t, e.ID)
	}
}

// A body changed by one byte, a signature under another secret, and a
// delivery with no signature are refused with 401 and never handled.
// Shopify signs no timestamp: a replay is caught by its webhook id (above).
func TestWebhookRejected(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	_, body, err := srv.OrderWebhook(order)
	require.NoError(t, err)

	post := func(signed, sent []byte, secret string) int {
		r := httptest.NewRequest(http.MethodPost, rc.URL, nil)
		r.Header.Set("X-Shopify-Topic", "orders/create")
		if secret != "" {
			shopify.SignWebhook(r, signed, secret, time.Now())
		}
		status, err := connectortest.PostWebhook(ctx, rc.URL, sent, r.Header)
		require.NoError(t, err)
		return status
	}
	tampered := bytes.Replace(body, []byte(`"quantity":2`), []byte(`"quantity":3`), 1)
	require.NotEqual(t, body, tampered)
	assert.Equal(t, 401, post(body, tampered, srv.WebhookSecret()), "tampered body")
	assert.Equal(t, 401, post(body, body, "shpss_attacker_secret_0000"), "another secret")
	assert.Equal(t, 401, post(body, body, ""), "no signature")
	assert.Equal(t, 200, post(body, body, srv.WebhookSecret()), "the genuine delivery")
	assert.Len(t, rc.handled(), 1)
}

// During a rotation both client secrets verify.
func TestWebhookRotatedSecret(t *testing.T) {
	old := shopifytest.NewServer(shopifytest.WithWebhookSecret("shpss_old_secret_000001"))
	defer old.Close()
	rotated := shopifytest.NewServer(shopifytest.WithWebhookSecret("shpss_new_secret_000002"))
	defer rotated.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{old.WebhookSecret(), rotated.WebhookSecret()}})
	for _, srv := range []*shopifytest.Server{old, rotated} {
		_, _, _, err := srv.PlaceOrder(context.Background(), rc.URL, order)
		require.NoError(t, err)
	}
	assert.Len(t, rc.handled(), 2)
}

// A delivery whose handling fails is answered 500 and its id released:
// Shopify's retry is handled, once.
func TestWebhookFailureRedelivered(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	rc.fail = 1
	ctx := context.Background()
	_, body, err := srv.OrderWebhook(order)
	require.NoError(t, err)
	const hookID = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
	for _, want := range []int{500, 200, 200} {
		status, err := srv.SendTopic(ctx, rc.URL, "orders/create", hookID, body)
		require.NoError(t, err)
		assert.Equal(t, want, status)
	}
	events := rc.handled()
	require.Len(t, events, 1)
	assert.Equal(t, hookID, events[0].ID)
}

// ParseWebhook: a delivery without X-Shopify-Webhook-Id is still
// identified (by topic and body); a body that is no JSON object is
// ErrInvalidResponse, which the handler answers 400.
func TestParseWebhook(t *testing.T) {
	body := []byte(`{"id":1}`)
	r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
	r.Header.Set("X-Shopify-Topic", "orders/delete")
	a, err := shopify.ParseWebhook(r, body)
	require.NoError(t, err)
	b, err := shopify.ParseWebhook(r, body)
	require.NoError(t, err)
	require.Len(t, a, 1)
	assert.NotEmpty(t, a[0].ID)
	assert.Equal(t, a[0].ID, b[0].ID, "the same delivery, the same id")
	assert.True(t, a[0].OccurredAt.IsZero())
	r.Header.Set("X-Shopify-Topic", "orders/create")
	c, err := shopify.ParseWebhook(r, body)
	require.NoError(t, err)
	assert.NotEqual(t, a[0].ID, c[0].ID, "another topic, another id")

	for _, bad := range []string{``, `[]`, `"x"`, `{"id":`} {
		_, err := shopify.ParseWebhook(r, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, "%q", bad)
	}
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	status, err := srv.SendWebhook(context.Background(), rc.URL, []byte(`not json`))
	require.NoError(t, err)
	assert.Equal(t, 400, status)
}
