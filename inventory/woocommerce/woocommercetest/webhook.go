package woocommercetest

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
)

// WebhookID is the sandbox's webhook's id: its deliveries'
// X-WC-Webhook-ID.
const WebhookID = "42"

// SendWebhook posts body to url as WooCommerce posts an order.created
// delivery: signed with the webhook secret (WebhookSecret) by
// woocommerce.SignWebhook, with a new delivery id. It returns the
// receiver's status. url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return s.SendTopic(ctx, url, "order.created", body)
}

// SendTopic posts body to url as a delivery of topic ("order.updated",
// "product.updated"), signed as SendWebhook signs.
func (s *Server) SendTopic(ctx context.Context, url, topic string, body []byte) (int, error) {
	resource, event, _ := strings.Cut(topic, ".")
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("User-Agent", "WooCommerce/9.4.0 Hookshot (WordPress/6.7)")
		r.Header.Set("X-WC-Webhook-Source", s.URL()+"/")
		r.Header.Set("X-WC-Webhook-Topic", topic)
		r.Header.Set("X-WC-Webhook-Resource", resource)
		r.Header.Set("X-WC-Webhook-Event", event)
		r.Header.Set("X-WC-Webhook-ID", WebhookID)
		woocommerce.SignWebhook(r, body, s.webhookSecret, s.Now())
	})
}

// DeliverOrderCreated sends the order.created webhook of an order
// PlaceOrder placed, with its body as it was at placement. Each call is
// a new delivery with a new delivery id, as when WooCommerce sends the
// same change twice: call it twice for a duplicate.
func (s *Server) DeliverOrderCreated(ctx context.Context, url string, orderID int64) (int, error) {
	s.mu.Lock()
	o := s.orders[orderID]
	var body []byte
	if o != nil {
		body = o.createdBody
	}
	s.mu.Unlock()
	if body == nil {
		return 0, fmt.Errorf("woocommercetest: no order %d", orderID)
	}
	return s.SendWebhook(ctx, url, body)
}

// Ping posts the unsigned form body WooCommerce sends when a webhook is
// created ("webhook_id=42"), and returns the receiver's status, which
// must be 200 for WooCommerce to activate the webhook.
func (s *Server) Ping(ctx context.Context, url string) (int, error) {
	return connectortest.PostWebhook(ctx, url, []byte("webhook_id="+WebhookID), http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"},
		"User-Agent":   {"WooCommerce/9.4.0 Hookshot (WordPress/6.7)"},
	})
}
