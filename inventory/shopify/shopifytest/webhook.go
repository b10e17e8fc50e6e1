package shopifytest

import (
	"context"
	"net/http"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

// ShopDomain is the sandbox shop's domain: its webhooks'
// X-Shopify-Shop-Domain.
const ShopDomain = "patchbay-sandbox.myshopify.com"

// SendWebhook posts body to url as Shopify posts an orders/create
// delivery: under a new webhook id, signed with the sandbox's client
// secret (WebhookSecret) by shopify.SignWebhook. It returns the receiver's
// status. For another topic, or a redelivery, use SendTopic. url must be
// on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return s.SendTopic(ctx, url, "orders/create", "", body)
}

// SendTopic posts body to url as a delivery of topic ("orders/updated",
// "inventory_levels/update") under webhookID: "" for a new delivery, an
// earlier delivery's id for its redelivery. It is signed as SendWebhook
// signs.
func (s *Server) SendTopic(ctx context.Context, url, topic, webhookID string, body []byte) (int, error) {
	return s.send(ctx, url, topic, webhookID, body, s.webhookSecret)
}

func (s *Server) send(ctx context.Context, url, topic, webhookID string, body []byte, secret string) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Shopify-Topic", topic)
		r.Header.Set("X-Shopify-Shop-Domain", ShopDomain)
		if webhookID != "" {
			r.Header.Set("X-Shopify-Webhook-Id", webhookID)
		}
		shopify.SignWebhook(r, body, secret, s.Now())
	})
}
