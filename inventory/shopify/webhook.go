package shopify

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Webhook is one delivery: its topic ("orders/create",
// "inventory_levels/update") and raw JSON body, for the handler to decode
// into the type the topic carries.
type Webhook struct {
	Topic      string
	ShopDomain string
	WebhookID  string
	APIVersion string
	Body       []byte
}

// VerifyHMAC checks X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw
// body under the app's client secret (several, during a rotation).
func VerifyHMAC(body []byte, header string, secrets ...string) error {
	keys := make([][]byte, len(secrets))
	for i, s := range secrets {
		keys[i] = []byte(s)
	}
	return connector.VerifyHMAC(body, header, connector.Base64, keys...)
}

// Sign returns X-Shopify-Hmac-Sha256 for body, as Shopify computes it.
func Sign(body []byte, secret string) string {
	return connector.SignHMAC([]byte(secret), body, connector.Base64)
}

// NewWebhookHandler serves Shopify webhooks: it verifies the HMAC, drops
// redeliveries by X-Shopify-Webhook-Id (Shopify retries for 48 hours, so
// the default store remembers 72), and hands the rest on. A failed handle
// releases the id so the retry is processed.
// https://shopify.dev/docs/apps/build/webhooks/subscribe/https
func NewWebhookHandler(secrets []string, seen connector.SeenStore, handle func(ctx context.Context, w Webhook) error) (http.Handler, error) {
	if len(secrets) == 0 || secrets[0] == "" {
		return nil, errors.New("shopify: the app's client secret is required")
	}
	if seen == nil {
		seen = connector.NewMemorySeen(100_000, 72*time.Hour)
	}
	return &connector.WebhookHandler{
		Verify: func(r *http.Request, body []byte) (string, error) {
			if err := VerifyHMAC(body, r.Header.Get("X-Shopify-Hmac-Sha256"), secrets...); err != nil {
				return "", err
			}
			return r.Header.Get("X-Shopify-Webhook-Id"), nil
		},
		Seen: seen,
		Handle: func(ctx context.Context, r *http.Request, body []byte) error {
			return handle(ctx, Webhook{Topic: r.Header.Get("X-Shopify-Topic"), ShopDomain: r.Header.Get("X-Shopify-Shop-Domain"),
				WebhookID: r.Header.Get("X-Shopify-Webhook-Id"), APIVersion: r.Header.Get("X-Shopify-API-Version"), Body: body})
		},
	}, nil
}
