package shippo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
)

// The sandbox's transaction_created and track_updated events arrive typed;
// a wrong token is refused; a failed delivery is processed on redelivery.
func TestWebhooks(t *testing.T) {
	const token = "hook-secret-0123456789"
	srv, client := sandbox(t, nil)
	var mu sync.Mutex
	var events []*shippo.Event
	h, err := shippo.NewWebhookHandler(token, nil, func(ctx context.Context, e *shippo.Event) error {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	srv.SendWebhooksTo(receiver.URL+"/hooks/shippo", token)

	ctx := context.Background()
	rates, err := client.Rates.Quote(ctx, shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	if err != nil {
		t.Fatal(err)
	}
	rate, _ := shipping.Cheapest(rates)
	label, err := client.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("hook-order"))
	if err != nil {
		t.Fatal(err)
	}
	srv.AdvanceTracking(label.Carrier, label.TrackingNumber)
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 || events[0].Type != "transaction_created" || events[0].Label.ID != label.ID ||
		events[1].Type != "track_updated" || events[1].Tracking.State != shipping.InTransit {
		t.Fatalf("events = %+v, want the label then its tracking update", events)
	}

	resp, err := http.Post(receiver.URL+"/hooks/shippo?token=wrong-token-000000", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d, want 401", resp.StatusCode)
	}
	if _, err := shippo.NewWebhookHandler("short", nil, nil); err == nil {
		t.Fatal("a short token was accepted")
	}
	if _, err := shippo.ParseEvent([]byte(`{"data":{}}`)); !errors.Is(err, connector.ErrInvalidResponse) {
		t.Fatalf("event without a type: err = %v", err)
	}
}

// Shippo's 400 field maps keep every message, with its field path.
func TestFieldErrors(t *testing.T) {
	body := `{"address_to": {"zip": ["This field is required."], "country": ["Invalid country code."]}, "parcels": ["Each parcel needs a weight."]}`
	srv := newFaultServer(t, body)
	client, err := shippo.New(shippo.Config{BaseURL: srv.URL, Token: "shippo_test_abcdef"}, connector.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Rates.Quote(context.Background(), shippingtest.From, shippingtest.To, []shipping.Parcel{shippingtest.Box})
	var apiErr *connector.APIError
	want := "address_to.country: Invalid country code.; address_to.zip: This field is required.; parcels: Each parcel needs a weight."
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Message != want {
		t.Fatalf("err = %v, want ErrValidation with %q", err, want)
	}
}
