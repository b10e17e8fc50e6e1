package shopify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

var order = shopifytest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD", Express: true,
	Address: shopifytest.OrderAddress{Street: "965 Mission St", City: "San Francisco", Region: "CA", PostalCode: "94103", Country: "US"},
	Lines:   []shopifytest.OrderLine{{SKU: "MUG-001", Title: "Mug", Quantity: 2, Price: "12.50"}}}

// receiver serves a NewWebhookHandler over cfg and records what it handled.
type receiver = webhooktest.Receiver[shopify.Payload]

func newReceiver(t *testing.T, cfg webhook.Config) *receiver {
	return webhooktest.Serve(t, shopify.NewWebhookHandler, cfg)
}

// orderCreated is an orders/create delivery as Shopify documents it
// (trimmed to the fields a fulfilment flow reads).
const orderCreated = `{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","name":"#9999",` +
	`"email":"jon@example.com","currency":"USD","created_at":"2026-01-01T10:00:00-05:00","total_price":"403.00",` +
	`"customer":{"id":115310627314723954,"email":"john@example.com","first_name":"John","last_name":"Smith","phone":null},` +
	`"shipping_address":{"first_name":"Steve","last_name":"Shipper","name":"Steve Shipper","company":"Shipping Company","address1":"123 Shipping Street",` +
	`"address2":null,"city":"Shippington","province_code":"KY","zip":"40003","country_code":"US","phone":"555-555-SHIP"},` +
	`"line_items":[{"id":866550311766439020,"sku":"IPOD2008PINK","title":"IPod Nano - 8GB","quantity":1,"price":"199.00"},` +
	`{"id":141249953214522974,"sku":"IPOD2008BLACK","title":"IPod Nano - 8GB","quantity":1,"price":"199.00"}],` +
	`"shipping_lines":[{"code":null,"title":"Generic Shipping","price":"10.00"}]}`

// Shopify's webhooks pass the contract every vendor's do. Every delivery
// carries the one X-Shopify-Webhook-Id, as Shopify's retries of an event
// do: without it SignWebhook would make each delivery a new event.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[shopify.Payload]{
		NewHandler: shopify.NewWebhookHandler,
		Sign:       shopify.SignWebhook,
		Body:       []byte(orderCreated),
		Header: http.Header{
			"X-Shopify-Topic":       {"orders/create"},
			"X-Shopify-Webhook-Id":  {"b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
			"X-Shopify-Shop-Domain": {"example.myshopify.com"},
		},
		SignsBody: true,
	})
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

	events := rc.Events()
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
	events := rc.Events()
	require.Len(t, events, len(tests))
	for i, tt := range tests {
		e := events[i]
		assert.Equal(t, tt.topic, e.Type)
		assert.Equal(t, tt.kind, e.Kind, tt.topic)
		assert.Equal(t, tt.order, e.Payload.Order != nil, tt.topic)
		assert.NotEmpty(t, e.ID)
	}
}

// A delivery with no signature at all is refused with 401 and never
// handled; the same delivery signed is handled. (A changed byte, another
// secret, rotation, replays, failures: TestWebhookContract.)
func TestWebhookUnsigned(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	_, body, err := srv.OrderWebhook(order)
	require.NoError(t, err)

	post := func(secret string) int {
		r := httptest.NewRequest(http.MethodPost, rc.URL, nil)
		r.Header.Set("X-Shopify-Topic", "orders/create")
		if secret != "" {
			shopify.SignWebhook(r, body, secret, time.Now())
		}
		status, err := connectortest.PostWebhook(ctx, rc.URL, body, r.Header)
		require.NoError(t, err)
		return status
	}
	assert.Equal(t, 401, post(""), "no signature")
	assert.Empty(t, rc.Events())
	assert.Equal(t, 200, post(srv.WebhookSecret()), "the genuine delivery")
	assert.Len(t, rc.Events(), 1)
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
