package woocommerce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/inventory"
)

// Payload is one WooCommerce webhook delivery: one event, its topic in
// X-WC-Webhook-Topic, the resource as the REST API shows it as the body.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
type Payload struct {
	Topic      string // X-WC-Webhook-Topic: "order.created"
	Resource   string // X-WC-Webhook-Resource: "order"
	Event      string // X-WC-Webhook-Event: "created"
	Source     string // X-WC-Webhook-Source: the shop's URL
	WebhookID  string // X-WC-Webhook-ID: the webhook's id in the shop
	DeliveryID string // X-WC-Webhook-Delivery-ID: this delivery's, new on every send
	Body       []byte // the resource, exactly as sent
	// Order is the order of an order.* topic, decoded with DecodeOrder; nil
	// for other topics and for a body DecodeOrder refuses.
	Order *inventory.Order
}

// Event is one verified WooCommerce webhook delivery. Its ID identifies
// the change, not the delivery (see ParseWebhook); its Type is the topic;
// its OccurredAt the resource's date_modified_gmt.
type Event = webhook.Event[Payload]

// The headers WooCommerce sends with a delivery.
const (
	signatureHeader  = "X-WC-Webhook-Signature"
	topicHeader      = "X-WC-Webhook-Topic"
	resourceHeader   = "X-WC-Webhook-Resource"
	eventHeader      = "X-WC-Webhook-Event"
	sourceHeader     = "X-WC-Webhook-Source"
	webhookIDHeader  = "X-WC-Webhook-ID"
	deliveryIDHeader = "X-WC-Webhook-Delivery-ID"
)

// redelivery is how long a delivery may come again. WooCommerce does not
// retry a failed delivery (it counts failures, and disables the webhook
// after more than five in a row); the same change comes twice when a
// hook fires twice, or when the shop sends it again by hand. A day covers
// both.
const redelivery = 24 * time.Hour

// pingBody is the form body WooCommerce posts, unsigned, when a webhook is
// created or its delivery URL changed (WC_Webhook::deliver_ping); it
// must be answered 200.
var pingBody = regexp.MustCompile(`^webhook_id=[0-9]+$`)

// NewWebhookHandler serves WooCommerce webhooks: cfg.Secrets holds the
// webhook's secret (two during a rotation). It verifies the signature,
// answers the creation ping 200 without an event, drops a change already
// handled (by Event.ID), and calls handle once for each new one. If
// handle fails the answer is 500, but WooCommerce does not redeliver:
// poll Orders.List to catch what a failed or missed delivery carried.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: vendorName, Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: redelivery}, cfg, handle)
}

// VerifyWebhook checks X-WC-Webhook-Signature: the base64 HMAC-SHA256 of
// the raw body under the webhook's secret, any of cfg.Secrets. WooCommerce
// signs no timestamp: a replay of a captured delivery verifies, and is
// dropped as a change already handled (ParseWebhook's ID) while the seen
// store remembers it. The creation ping, a form body "webhook_id=N" sent
// without a signature, verifies so that it can be answered 200: it
// carries no event.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#delivery-payload
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	sig := r.Header.Get(signatureHeader)
	if sig == "" && pingBody.Match(body) && len(cfg.Keys()) > 0 {
		return nil
	}
	return webhook.VerifyHMAC(body, sig, webhook.Base64, cfg.Keys()...)
}

// ParseWebhook reads a verified delivery: the creation ping is no event;
// anything else is one event of the topic in X-WC-Webhook-Topic.
//
// X-WC-Webhook-Delivery-ID cannot de-duplicate: WooCommerce makes it
// afresh for every send, from the webhook's id and the current second
// (WC_Webhook::get_new_delivery_id), so a change sent twice has two, and
// two changes sent in one second share one. The ID is what identifies the
// change instead: topic, resource id and date_modified_gmt of the body
// ("order.updated:727:2017-03-22T19:28:08"); two changes of one resource
// within a second share it, and only the first is handled. A body without
// an id is identified by its topic and a hash of it. A body that is no
// JSON object is ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	if r.Header.Get(signatureHeader) == "" && pingBody.Match(body) {
		return []Event{}, nil
	}
	var res struct {
		ID           json.RawMessage `json:"id"`
		DateModified string          `json:"date_modified_gmt"`
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, fmt.Errorf("woocommerce: webhook body is no JSON object: %w", connector.ErrInvalidResponse)
	}
	_ = json.Unmarshal(body, &res)
	topic := strings.TrimSpace(r.Header.Get(topicHeader))
	p := Payload{Topic: topic, Resource: r.Header.Get(resourceHeader), Event: r.Header.Get(eventHeader), Source: r.Header.Get(sourceHeader),
		WebhookID: r.Header.Get(webhookIDHeader), DeliveryID: r.Header.Get(deliveryIDHeader), Body: body}
	if strings.HasPrefix(topic, "order.") {
		p.Order, _ = DecodeOrder(body)
	}
	var id string
	if n, err := strconv.ParseInt(string(res.ID), 10, 64); err == nil && n > 0 {
		id = topic + ":" + strconv.FormatInt(n, 10) + ":" + res.DateModified
	} else {
		sum := sha256.Sum256([]byte(topic + "\x00" + string(body)))
		id = topic + ":sha256:" + hex.EncodeToString(sum[:16])
	}
	return []Event{{ID: id, Kind: kindOf(topic), Type: topic, OccurredAt: gmt(res.DateModified), Payload: p, Raw: json.RawMessage(body)}}, nil
}

// kindOf maps a topic to a vendor-neutral kind. Product topics are
// KindOther: product.updated fires for any change of a product, not only
// of its stock.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#topics
func kindOf(topic string) webhook.Kind {
	switch topic {
	case "order.created":
		return webhook.OrderCreated
	case "order.updated", "order.restored":
		return webhook.OrderUpdated
	case "customer.created":
		return webhook.CustomerCreated
	case "customer.updated":
		return webhook.CustomerUpdated
	case "customer.deleted":
		return webhook.CustomerDeleted
	}
	return webhook.KindOther
}

// SignWebhook sets on r X-WC-Webhook-Signature for body under secret, as
// WooCommerce computes it, and a fresh X-WC-Webhook-Delivery-ID when r has
// none. WooCommerce signs no time: now is not used. The topic, resource,
// event, source and webhook id headers are the caller's to set.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set(signatureHeader, webhook.SignHMAC([]byte(secret), body, webhook.Base64))
	if r.Header.Get(deliveryIDHeader) == "" {
		var b [20]byte
		_, _ = rand.Read(b[:])
		r.Header.Set(deliveryIDHeader, hex.EncodeToString(b[:])) // wp_hash: 40 hex digits
	}
}
