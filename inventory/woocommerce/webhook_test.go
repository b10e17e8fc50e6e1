package woocommerce_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
)

// receiver serves a NewWebhookHandler over cfg and records what it handled.
type receiver = webhooktest.Receiver[woocommerce.Payload]

func newReceiver(t *testing.T, cfg webhook.Config) *receiver {
	return webhooktest.Serve(t, woocommerce.NewWebhookHandler, cfg)
}

// orderCreated is an order.created body as WooCommerce sends it (the
// order as the REST API shows it), trimmed to what a flow reads.
const orderCreated = `{"id":727,"parent_id":0,"number":"727","status":"processing","currency":"USD",` +
	`"date_created":"2017-03-22T16:28:02","date_created_gmt":"2017-03-22T19:28:02","date_modified":"2017-03-22T16:28:08","date_modified_gmt":"2017-03-22T19:28:08",` +
	`"billing":{"first_name":"John","last_name":"Doe","address_1":"969 Market","city":"San Francisco","state":"CA","postcode":"94103","country":"US","email":"john.doe@example.com","phone":"(555) 555-5555"},` +
	`"shipping":{"first_name":"John","last_name":"Doe","address_1":"969 Market","city":"San Francisco","state":"CA","postcode":"94103","country":"US"},` +
	`"line_items":[{"id":315,"name":"Woo Single #1","product_id":93,"variation_id":0,"quantity":2,"subtotal":"6.00","total":"6.00","sku":"","price":3},` +
	`{"id":316,"name":"Ship Your Idea","product_id":22,"variation_id":23,"quantity":1,"subtotal":"12.00","total":"12.00","sku":"Bar3","price":12}],` +
	`"shipping_lines":[{"id":317,"method_title":"Flat Rate","method_id":"flat_rate","total":"10.00"}]}`

var hookHeader = http.Header{
	"X-Wc-Webhook-Topic":    {"order.created"},
	"X-Wc-Webhook-Resource": {"order"},
	"X-Wc-Webhook-Event":    {"created"},
	"X-Wc-Webhook-Source":   {"https://shop.example.com/"},
	"X-Wc-Webhook-Id":       {"42"},
}

// WooCommerce's webhooks pass the contract every vendor's do. SignWebhook
// makes a new delivery id for each delivery, as WooCommerce does: the
// redelivery is dropped by what identifies the change.
func TestWebhookContract(t *testing.T) {
	webhooktest.Run(t, webhooktest.Vendor[woocommerce.Payload]{
		NewHandler: woocommerce.NewWebhookHandler,
		Sign:       woocommerce.SignWebhook,
		Body:       []byte(orderCreated),
		Header:     hookHeader,
		SignsBody:  true,
	})
}

// An order placed on the sandbox arrives once, decoded, with its headers;
// WooCommerce sending it again (a new delivery id) is acknowledged and
// dropped.
func TestWebhookOrderCreated(t *testing.T) {
	srv, _ := sandbox(t, nil)
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	ctx := context.Background()
	id, body, err := srv.PlaceOrder(woocommercetest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "NZD",
		Express: true, Address: woocommercetest.Address{Street: "1 Queen St", City: "Auckland", PostalCode: "1010", Country: "NZ"},
		Lines: []woocommercetest.OrderLine{{SKU: "MUG", Title: "Mug", Quantity: 3, Price: "0.10"}}})
	require.NoError(t, err)
	for range 2 {
		status, err := srv.DeliverOrderCreated(ctx, rc.URL, id)
		require.NoError(t, err)
		assert.Equal(t, 200, status)
	}
	events := rc.Events()
	require.Len(t, events, 1, "the second send of one change must be dropped")
	e := events[0]
	assert.Equal(t, webhook.OrderCreated, e.Kind)
	assert.Equal(t, "order.created", e.Type)
	assert.Equal(t, "order.created:"+strconv.FormatInt(id, 10)+":"+e.OccurredAt.Format("2006-01-02T15:04:05"), e.ID)
	assert.WithinDuration(t, srv.Now(), e.OccurredAt, time.Minute)
	assert.JSONEq(t, string(body), string(e.Raw))
	assert.Equal(t, "order", e.Payload.Resource)
	assert.Equal(t, "created", e.Payload.Event)
	assert.Equal(t, woocommercetest.WebhookID, e.Payload.WebhookID)
	assert.NotEmpty(t, e.Payload.DeliveryID)
	assert.Equal(t, srv.URL()+"/", e.Payload.Source)
	require.NotNil(t, e.Payload.Order)
	assert.Equal(t, strconv.FormatInt(id, 10), e.Payload.Order.ID)
	assert.Equal(t, "0.10", e.Payload.Order.Lines[0].UnitPrice.String(), "subtotal 0.30 / 3, exactly")
	assert.True(t, e.Payload.Order.Express)
}

// The ping WooCommerce posts when a webhook is created, unsigned, is
// answered 200 with no event; the same form body with a wrong signature
// is refused, and a body that only looks like a ping is not taken for one.
func TestWebhookPing(t *testing.T) {
	srv, _ := sandbox(t, nil)
	rc := newReceiver(t, webhook.Config{Secrets: []string{srv.WebhookSecret()}})
	status, err := srv.Ping(context.Background(), rc.URL)
	require.NoError(t, err)
	assert.Equal(t, 200, status)
	assert.Empty(t, rc.Events())
	for _, tt := range []struct {
		body, sig string
		want      int
	}{
		{"webhook_id=42", "c2lnbmF0dXJl", 401},
		{"webhook_id=42&x=1", "", 401},
		{`{"id":1}`, "", 401},
	} {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		if tt.sig != "" {
			h.Set("X-WC-Webhook-Signature", tt.sig)
		}
		status, err := connectortest.PostWebhook(context.Background(), rc.URL, []byte(tt.body), h)
		require.NoError(t, err)
		assert.Equal(t, tt.want, status, tt.body)
	}
	assert.Empty(t, rc.Events())
}

// Tampering: a changed body, a signature of another secret, a signature
// moved to another body are refused 401 and never handled. Replay: the
// same signed delivery sent again (WooCommerce signs no time) verifies,
// and is dropped as a change already handled; a later change of the same
// order (a new date_modified_gmt) is a new event.
func TestWebhookTamperAndReplay(t *testing.T) {
	const secret = "wc-webhook-secret-0123"
	rc := newReceiver(t, webhook.Config{Secrets: []string{secret}})
	ctx := context.Background()
	post := func(body []byte, signWith string, signed []byte) int {
		r := httptest.NewRequest(http.MethodPost, rc.URL, nil)
		for k, v := range hookHeader {
			r.Header[k] = v
		}
		woocommerce.SignWebhook(r, signed, signWith, time.Now())
		status, err := connectortest.PostWebhook(ctx, rc.URL, body, r.Header)
		require.NoError(t, err)
		return status
	}
	body := []byte(orderCreated)
	tampered := []byte(strings.Replace(orderCreated, `"quantity":2`, `"quantity":20`, 1))
	later := []byte(strings.Replace(orderCreated, `"date_modified_gmt":"2017-03-22T19:28:08"`, `"date_modified_gmt":"2017-03-22T19:30:00"`, 1))

	assert.Equal(t, 401, post(tampered, secret, body), "a changed body")
	assert.Equal(t, 401, post(body, "another-secret-456789", body), "another secret")
	assert.Equal(t, 401, post(later, secret, body), "a signature of another body")
	assert.Empty(t, rc.Events())

	assert.Equal(t, 200, post(body, secret, body))
	assert.Equal(t, 200, post(body, secret, body), "a replay is acknowledged")
	assert.Len(t, rc.Events(), 1, "and dropped")
	assert.Equal(t, 200, post(later, secret, later))
	assert.Len(t, rc.Events(), 2, "a later change of the order is new")
}

// Topics map to kinds; a body that is no JSON object is
// ErrInvalidResponse (400 from the handler); a body with no id is still
// identified, by its topic and content.
func TestParseWebhook(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
	for topic, kind := range map[string]webhook.Kind{"order.created": webhook.OrderCreated, "order.updated": webhook.OrderUpdated,
		"order.deleted": webhook.KindOther, "product.updated": webhook.KindOther, "customer.created": webhook.CustomerCreated} {
		r.Header.Set("X-WC-Webhook-Topic", topic)
		events, err := woocommerce.ParseWebhook(r, []byte(`{"id":5,"date_modified_gmt":"2026-01-01T00:00:00"}`))
		require.NoError(t, err)
		require.Len(t, events, 1)
		assert.Equal(t, kind, events[0].Kind, topic)
		assert.Equal(t, topic+":5:2026-01-01T00:00:00", events[0].ID)
	}
	r.Header.Set("X-WC-Webhook-Topic", "action.woocommerce_add_to_cart")
	a, err := woocommerce.ParseWebhook(r, []byte(`{"action":"woocommerce_add_to_cart","arg":"abc"}`))
	require.NoError(t, err)
	b, err := woocommerce.ParseWebhook(r, []byte(`{"action":"woocommerce_add_to_cart","arg":"abd"}`))
	require.NoError(t, err)
	assert.NotEqual(t, a[0].ID, b[0].ID)
	for _, bad := range []string{``, `[]`, `"x"`, `{"id":`, `null`} {
		_, err := woocommerce.ParseWebhook(r, []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, "%q", bad)
	}
}
