package square

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Payload is one Square event notification: Square posts one event per
// request, a JSON object naming its type, its event_id and the object it
// is about. https://developer.squareup.com/docs/webhooks/overview
type Payload struct {
	MerchantID string    // the seller the event is about
	Type       string    // "order.created", "inventory.count.updated", ...
	EventID    string    // the same on every redelivery
	CreatedAt  time.Time // when Square made the event (the same on redeliveries)
	DataType   string    // data.type: "order", "inventory", ...
	DataID     string    // data.id: the object's id, where it has one
	Object     json.RawMessage
	// OrderID is the order an order.* event names
	// (data.object.order_created.order_id and the like): the event carries
	// no more of the order, read it with Orders.Get or Orders.FromWebhook.
	OrderID string
}

// Event is one verified Square event. Its ID is event_id.
type Event = webhook.Event[Payload]

// signatureHeader carries the signature of a notification.
// https://developer.squareup.com/docs/webhooks/step3validate
const signatureHeader = "X-Square-Hmacsha256-Signature"

// Redelivery is how long Square retries a notification that was not
// answered 2xx within 10 seconds: up to 72 hours. The default seen store
// remembers event ids for 108.
// https://developer.squareup.com/docs/webhooks/troubleshooting
const Redelivery = 72 * time.Hour

// NewWebhookHandler serves a webhook subscription's notification URL:
// cfg.Secrets holds the subscription's signature key (two while it is
// being replaced), and cfg.PublicURL the notification URL exactly as
// registered when the handler runs behind a proxy that changes it. It
// verifies each notification, drops redeliveries by event_id, and calls
// handle once for each new one; if handle fails, the answer is 500 and
// Square's retry brings the event again.
//
// Square signs no timestamp: a replayed notification is dropped by its
// event_id while the seen store remembers it (108 hours, past Square's 72
// of retries). With cfg.Tolerance set, a notification whose created_at is
// older than that is refused too: set it above 72 hours, or Square's own
// late retries are refused.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "square", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// VerifyWebhook checks x-square-hmacsha256-signature: the base64
// HMAC-SHA256, under the subscription's signature key (any of
// cfg.Secrets), of the notification URL followed by the raw body. The URL
// is cfg.PublicURL, or the request's own rebuilt from Host and
// X-Forwarded-Proto. With cfg.Tolerance, a created_at older than it is
// webhook.ErrTimestampStale.
// https://developer.squareup.com/docs/webhooks/step3validate
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	notificationURL := cfg.PublicURL
	if notificationURL == "" {
		notificationURL = requestURL(r)
	}
	signed := append([]byte(notificationURL), body...)
	if err := webhook.VerifyHMAC(signed, r.Header.Get(signatureHeader), webhook.Base64, cfg.Keys()...); err != nil {
		return err
	}
	if cfg.Tolerance > 0 {
		var n struct {
			CreatedAt time.Time `json:"created_at"`
		}
		if json.Unmarshal(body, &n) == nil && !n.CreatedAt.IsZero() && cfg.TimeNow().Sub(n.CreatedAt) > cfg.Tolerance {
			return webhook.ErrTimestampStale
		}
	}
	return nil
}

// requestURL is the URL the request was posted to, as its sender named it.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// ParseWebhook reads a verified notification: one event, of its type. A
// notification without event_id (Square always sends one) is identified
// by its body. A body that is no JSON object is ErrInvalidResponse.
// https://developer.squareup.com/docs/webhooks/step3validate
func ParseWebhook(_ *http.Request, body []byte) ([]Event, error) {
	var n struct {
		MerchantID string `json:"merchant_id"`
		Type       string `json:"type"`
		EventID    string `json:"event_id"`
		CreatedAt  string `json:"created_at"`
		Data       struct {
			Type   string          `json:"type"`
			ID     string          `json:"id"`
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &n); err != nil || !strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
		return nil, fmt.Errorf("square: webhook body is no JSON object: %w", connector.ErrInvalidResponse)
	}
	p := Payload{MerchantID: n.MerchantID, Type: n.Type, EventID: n.EventID, DataType: n.Data.Type, DataID: n.Data.ID, Object: n.Data.Object}
	p.CreatedAt, _ = time.Parse(time.RFC3339Nano, n.CreatedAt)
	if strings.HasPrefix(n.Type, "order.") {
		p.OrderID, _, _ = webhookOrderID(body)
	}
	id := strings.TrimSpace(n.EventID)
	if id == "" {
		sum := sha256.Sum256(body)
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}
	typ := n.Type
	if typ == "" {
		typ = "unknown"
	}
	return []Event{{ID: id, Kind: kindOf(n.Type), Type: typ, OccurredAt: p.CreatedAt, Payload: p, Raw: json.RawMessage(body)}}, nil
}

// kindOf maps an event type to a vendor-neutral kind.
// https://developer.squareup.com/docs/webhooks/v2webhook-events-tech-ref
func kindOf(typ string) webhook.Kind {
	switch typ {
	case "order.created":
		return webhook.OrderCreated
	case "order.updated", "order.fulfillment.updated":
		return webhook.OrderUpdated
	case "inventory.count.updated":
		return webhook.StockUpdated
	case "customer.created":
		return webhook.CustomerCreated
	case "customer.updated":
		return webhook.CustomerUpdated
	case "customer.deleted":
		return webhook.CustomerDeleted
	case "invoice.created":
		return webhook.InvoiceCreated
	case "invoice.updated":
		return webhook.InvoiceUpdated
	case "invoice.payment_made":
		return webhook.InvoicePaid
	case "payment.created":
		return webhook.PaymentCreated
	}
	return webhook.KindOther
}

// SignWebhook sets x-square-hmacsha256-signature on r for body under
// secret (a subscription's signature key), as Square computes it over
// r.URL (the notification URL the sender posts to; "/" for an empty
// path) and the body, and the
// Content-Type. Square signs no time: now is unused, and the event's
// created_at is the caller's to write in the body.
func SignWebhook(r *http.Request, body []byte, secret string, _ time.Time) {
	u := *r.URL
	if u.Path == "" {
		u.Path = "/" // what the request line carries, and the receiver rebuilds
	}
	signed := append([]byte(u.String()), body...)
	r.Header.Set(signatureHeader, webhook.SignHMAC([]byte(secret), signed, webhook.Base64))
	r.Header.Set("Content-Type", "application/json")
}
