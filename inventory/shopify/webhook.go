package shopify

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory"
)

// Payload is one Shopify webhook delivery: Shopify sends one event per
// delivery, its topic in X-Shopify-Topic and the resource as the body
// (the REST representation of the API version the subscription names).
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https
type Payload struct {
	Topic      string // X-Shopify-Topic: "orders/create", "inventory_levels/update"
	ShopDomain string // X-Shopify-Shop-Domain: "example.myshopify.com"
	APIVersion string // X-Shopify-API-Version: the version Body is shaped by
	Body       []byte // the resource, exactly as sent: decode it into what the topic carries
	// Order is the order of an orders/* topic, decoded with DecodeOrder;
	// nil for other topics, and for an order DecodeOrder refuses (no
	// shipping address, a line without SKU): read Body for those.
	Order *Order
}

// Event is one verified Shopify webhook delivery. Its ID is
// X-Shopify-Webhook-Id (the same on every redelivery), its Type the
// topic, its OccurredAt X-Shopify-Triggered-At.
type Event = webhook.Event[Payload]

// The headers Shopify sends with a delivery.
const (
	hmacHeader        = "X-Shopify-Hmac-Sha256"
	topicHeader       = "X-Shopify-Topic"
	webhookIDHeader   = "X-Shopify-Webhook-Id"
	shopDomainHeader  = "X-Shopify-Shop-Domain"
	apiVersionHeader  = "X-Shopify-API-Version"
	triggeredAtHeader = "X-Shopify-Triggered-At"
)

// redelivery is how long Shopify retries a delivery that is not answered
// 2xx within 5 seconds. Shopify documented 48 hours; since September 2024
// it retries 8 times over 4 hours. The window stays at 48 hours, so that
// the default seen store (72 hours) outlasts either.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https
// https://shopify.dev/changelog/updates-to-webhook-retry-mechanism
const redelivery = 48 * time.Hour

// NewWebhookHandler serves Shopify webhooks: cfg.Secrets holds the app's
// client secret (two during a rotation). It verifies the HMAC, drops
// redeliveries by X-Shopify-Webhook-Id (Shopify retries for 48 hours, so
// the default store remembers 72), and calls handle once for each new
// delivery. If handle fails, the answer is 500, the id is released, and
// Shopify's retry hands the delivery on again.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "shopify", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: redelivery}, cfg, handle)
}

// VerifyWebhook checks X-Shopify-Hmac-Sha256: the base64 HMAC-SHA256 of
// the raw body under the app's client secret, any of cfg.Secrets. Shopify
// signs no timestamp: replays are caught by webhook id.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	return webhook.VerifyHMAC(body, r.Header.Get(hmacHeader), webhook.Base64, cfg.Keys()...)
}

// ParseWebhook reads a verified delivery: one event, of the topic in
// X-Shopify-Topic. A delivery without X-Shopify-Webhook-Id (Shopify always
// sends one) is identified by its topic and body. A body that is no JSON
// object is an ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil, fmt.Errorf("shopify: webhook body is no JSON object: %w", connector.ErrInvalidResponse)
	}
	topic := strings.TrimSpace(r.Header.Get(topicHeader))
	p := Payload{Topic: topic, ShopDomain: r.Header.Get(shopDomainHeader), APIVersion: r.Header.Get(apiVersionHeader), Body: body}
	if strings.HasPrefix(topic, "orders/") {
		p.Order, _ = DecodeOrder(body)
	}
	id := strings.TrimSpace(r.Header.Get(webhookIDHeader))
	if id == "" {
		sum := sha256.Sum256([]byte(topic + "\x00" + string(body)))
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	var at time.Time
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(r.Header.Get(triggeredAtHeader))); err == nil {
		at = t
	}
	return []Event{{ID: id, Kind: kindOf(topic), Type: topic, OccurredAt: at, Payload: p, Raw: json.RawMessage(body)}}, nil
}

// kindOf maps a topic to a vendor-neutral kind.
// https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics
func kindOf(topic string) webhook.Kind {
	switch topic {
	case "orders/create":
		return webhook.OrderCreated
	case "orders/updated", "orders/paid", "orders/fulfilled", "orders/cancelled":
		return webhook.OrderUpdated
	case "inventory_levels/update":
		return webhook.StockUpdated
	}
	return webhook.KindOther
}

// SignWebhook sets on r X-Shopify-Hmac-Sha256 for body under secret (the
// app's client secret), as Shopify computes it, and X-Shopify-Triggered-At
// (now). X-Shopify-Webhook-Id (a fresh one) and X-Shopify-API-Version
// (APIVersion) are set when r has none; X-Shopify-Topic and
// X-Shopify-Shop-Domain are the caller's to set.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set(hmacHeader, webhook.SignHMAC([]byte(secret), body, webhook.Base64))
	r.Header.Set(triggeredAtHeader, now.UTC().Format(time.RFC3339Nano))
	if r.Header.Get(webhookIDHeader) == "" {
		r.Header.Set(webhookIDHeader, newWebhookID())
	}
	if r.Header.Get(apiVersionHeader) == "" {
		r.Header.Set(apiVersionHeader, APIVersion)
	}
}

// newWebhookID is a random UUID, the shape of Shopify's webhook ids.
func newWebhookID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Order is the part of Shopify's Order resource a fulfilment flow reads,
// as the orders/* webhooks deliver it (the REST representation:
// snake_case fields, prices as decimal strings).
// https://shopify.dev/docs/api/webhooks?reference=toml#list-of-topics-orders/create
type Order struct {
	ID              int64           `json:"id"`
	Name            string          `json:"name"` // "#1001", what the shop shows
	Email           string          `json:"email"`
	Currency        string          `json:"currency"`
	Customer        *OrderCustomer  `json:"customer"`
	ShippingAddress *OrderAddress   `json:"shipping_address"`
	LineItems       []OrderLineItem `json:"line_items"`
	ShippingLines   []ShippingLine  `json:"shipping_lines"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"` // what OrdersService.List's since compares
}

// OrderCustomer is who placed the order.
type OrderCustomer struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone"`
}

// OrderAddress is a postal address on an order.
type OrderAddress struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	Name         string `json:"name"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	ProvinceCode string `json:"province_code"`
	Zip          string `json:"zip"`
	CountryCode  string `json:"country_code"`
	Phone        string `json:"phone"`
}

// OrderLineItem is one product line; Price is the unit price.
type OrderLineItem struct {
	SKU      string          `json:"sku"`
	Title    string          `json:"title"`
	Quantity int             `json:"quantity"`
	Price    decimal.Decimal `json:"price"`
}

// ShippingLine is the shipping method the customer chose.
type ShippingLine struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// DecodeOrder reads an orders/* body. A body that is not an order a flow
// can ship (no id, no lines, a line without SKU or quantity) is
// connector.ErrInvalidResponse saying what is missing.
func DecodeOrder(body []byte) (*Order, error) {
	type plain Order // Order's fields, without its times
	var o Order
	// The times are read apart: one Shopify did not write as RFC 3339
	// stays zero rather than losing the order.
	w := struct {
		*plain
		CreatedAt json.RawMessage `json:"created_at"`
		UpdatedAt json.RawMessage `json:"updated_at"`
	}{plain: (*plain)(&o)}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badOrder("the body is not an order: " + err.Error())
	}
	_ = json.Unmarshal(w.CreatedAt, &o.CreatedAt)
	_ = json.Unmarshal(w.UpdatedAt, &o.UpdatedAt)
	if err := checkOrder(&o); err != nil {
		return nil, err
	}
	return &o, nil
}

// checkOrder refuses an order a flow cannot ship: no id, no lines, no
// shipping address, a line without SKU or quantity.
func checkOrder(o *Order) error {
	switch {
	case o.ID <= 0:
		return badOrder("the order has no id")
	case len(o.LineItems) == 0:
		return badOrder(fmt.Sprintf("order %d has no line items", o.ID))
	case o.ShippingAddress == nil:
		return badOrder(fmt.Sprintf("order %d has no shipping address", o.ID))
	}
	for i, l := range o.LineItems {
		if strings.TrimSpace(l.SKU) == "" || l.Quantity <= 0 {
			return badOrder(fmt.Sprintf("order %d, line %d: a SKU and a positive quantity are needed", o.ID, i+1))
		}
	}
	return nil
}

// badOrderOp is the Op of badOrder's errors.
const badOrderOp = "orders.decode"

func badOrder(msg string) error {
	return &connector.APIError{Vendor: "shopify", Op: badOrderOp, Kind: connector.ErrInvalidResponse, Message: msg}
}

// Express says whether the customer chose express shipping, by the words
// shops use in their shipping lines' codes and titles
// (inventory.IsExpress).
func (o *Order) Express() bool {
	for _, s := range o.ShippingLines {
		if inventory.IsExpress(s.Code + " " + s.Title) {
			return true
		}
	}
	return false
}
