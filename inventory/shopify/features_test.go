package shopify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// A signed delivery is handled once; its redelivery (same webhook id) is
// acknowledged and dropped; a forged one is refused.
func TestWebhooks(t *testing.T) {
	const secret = "shpss_app_client_secret_0001"
	var handled atomic.Int32
	h, err := shopify.NewWebhookHandler([]string{secret}, nil, func(ctx context.Context, w shopify.Webhook) error {
		if w.Topic != "orders/create" || len(w.Body) == 0 || w.WebhookID == "" {
			t.Errorf("webhook = %+v", w)
		}
		handled.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	ctx := context.Background()
	body := []byte(`{"id":820982911946154508,"email":"ada@example.com","line_items":[{"sku":"WIDGET-RED","quantity":2}]}`)
	status, id, err := shopifytest.SendWebhook(ctx, receiver.URL, secret, "orders/create", "", body)
	if err != nil || status != 200 {
		t.Fatalf("delivery: %d, %v", status, err)
	}
	if status, _, _ := shopifytest.SendWebhook(ctx, receiver.URL, secret, "orders/create", id, body); status != 200 {
		t.Fatalf("redelivery: %d", status)
	}
	if status, _, _ := shopifytest.SendWebhook(ctx, receiver.URL, "not-the-secret-000000", "orders/create", "", body); status != 401 {
		t.Fatalf("forged: %d, want 401", status)
	}
	if handled.Load() != 1 {
		t.Fatalf("handled %d, want 1", handled.Load())
	}
}

// With the shop's bucket nearly empty, the client learns the throttle
// status and waits for the refill instead of being throttled again and
// again; the list still completes.
func TestPacesByQueryCost(t *testing.T) {
	srv, client := sandbox(t, nil)
	for i := range 120 {
		srv.AddProduct("P", "COST-"+string(rune('A'+i/26))+string(rune('a'+i%26)), 1)
	}
	srv.Drain(2000)
	n := 0
	for _, err := range client.Items.List(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 120 {
		t.Fatalf("listed %d, want 120", n)
	}
	if th := srv.Throttled(); th > 1 {
		t.Fatalf("%d THROTTLED answers: after the first, the client should wait for the bucket", th)
	}
}

// A public app's OAuth token goes in X-Shopify-Access-Token.
func TestTokenSource(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client, err := shopify.New(shopify.Config{Shop: srv.URL, TokenSource: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.Token()})},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	srv.AddProduct("P", "OAUTH-1", 1)
	if _, err := client.Items.GetBySKU(context.Background(), "OAUTH-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := shopify.New(shopify.Config{Shop: srv.URL}); err == nil {
		t.Fatal("a config without a token was accepted")
	}
}
