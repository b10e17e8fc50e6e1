package shopifytest

import (
	"bytes"
	"context"
	"net/http"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

// SendWebhook posts body to url as Shopify does: signed with
// X-Shopify-Hmac-Sha256 under secret, with topic, shop domain, API version
// and a webhook id. Pass the same id again to simulate a redelivery ("" for
// a new one). It returns the receiver's status and the id used. url must
// be on this machine.
func SendWebhook(ctx context.Context, url, secret, topic, webhookID string, body []byte) (int, string, error) {
	if webhookID == "" {
		webhookID = connectortest.RandomHex(8) + "-" + connectortest.RandomHex(4) + "-" + connectortest.RandomHex(4) + "-" + connectortest.RandomHex(4) + "-" + connectortest.RandomHex(12)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Hmac-Sha256", shopify.Sign(body, secret))
	req.Header.Set("X-Shopify-Shop-Domain", "patchbay-sandbox.myshopify.com")
	req.Header.Set("X-Shopify-API-Version", shopify.Version)
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, webhookID, err
	}
	resp.Body.Close()
	return resp.StatusCode, webhookID, nil
}
