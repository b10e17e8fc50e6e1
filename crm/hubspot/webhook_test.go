package hubspot_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/hubspot/hubspottest"
)

// Changes in the sandbox reach a receiver as signed webhook batches; a
// redelivered batch changes nothing, and a failed one is processed on
// redelivery.
func TestWebhooksFromSandbox(t *testing.T) {
	const secret = "app-client-secret-0001"
	srv, client := sandbox(t, nil, hubspot.Config{})
	var mu sync.Mutex
	var got []hubspot.Event
	fail := true
	h, err := hubspot.NewWebhookHandler(hubspot.WebhookConfig{ClientSecret: secret}, func(ctx context.Context, events []hubspot.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			fail = false
			return errors.New("database down")
		}
		got = append(got, events...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	ctx := context.Background()

	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "hook@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Contacts.Update(ctx, c.ID, crm.Contact{FirstName: "Hook"}); err != nil {
		t.Fatal(err)
	}
	url := receiver.URL + "/webhooks/hubspot?portal=62515"
	if status, err := srv.FlushWebhooks(ctx, url, secret); err != nil || status != 500 {
		t.Fatalf("first delivery: %d, %v; want 500 from the failing handler", status, err)
	}
	if status, err := srv.FlushWebhooks(ctx, url, secret); err != nil || status != 200 {
		t.Fatalf("redelivery: %d, %v", status, err)
	}
	if len(got) != 2 || got[0].SubscriptionType != "contact.creation" || got[1].PropertyName != "firstname" || got[1].PropertyValue != "Hook" {
		t.Fatalf("events = %+v, want creation then the firstname change", got)
	}
	// A duplicate delivery of the same events is acknowledged and dropped.
	if status, _ := hubspottest.SendWebhook(ctx, url, secret, []hubspottest.Event{{EventID: 1, SubscriptionType: "contact.creation"}}); status != 200 || len(got) != 2 {
		t.Fatalf("duplicate: status %d, %d events handled; want 200 and still 2", status, len(got))
	}
}

// Signatures: v3 accepted; a changed byte, a wrong secret, a stale or
// future timestamp rejected; v1 and v2 accepted when v3 is absent.
func TestVerifySignature(t *testing.T) {
	const secret = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
	body := []byte(`[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]`)
	now := time.UnixMilli(1_800_000_000_000)
	uri := "https://www.example.com/webhook_uri?x=%3Ay"

	v3 := func(secret string, body []byte, ts time.Time) *http.Request {
		r := httptest.NewRequest(http.MethodPost, uri, strings.NewReader(string(body)))
		r.Header.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(ts.UnixMilli(), 10))
		r.Header.Set("X-HubSpot-Signature-v3", hubspot.SignV3(secret, http.MethodPost, uri, body, ts.UnixMilli()))
		return r
	}
	check := func(r *http.Request, b []byte) error {
		return hubspot.VerifySignature(r, b, secret, uri, 5*time.Minute, now)
	}
	if err := check(v3(secret, body, now), body); err != nil {
		t.Fatalf("valid v3 rejected: %v", err)
	}
	tampered := []byte(strings.Replace(string(body), "123", "124", 1))
	for name, err := range map[string]error{
		"one byte changed": check(v3(secret, body, now), tampered),
		"wrong secret":     check(v3("another-secret-000", body, now), body),
		"stale":            check(v3(secret, body, now.Add(-6*time.Minute)), body),
		"future":           check(v3(secret, body, now.Add(6*time.Minute)), body),
	} {
		if !errors.Is(err, connector.ErrSignatureInvalid) && !errors.Is(err, connector.ErrTimestampStale) {
			t.Errorf("%s: err = %v, want rejection", name, err)
		}
	}

	// HubSpot's published v1 example: secret + body, SHA-256.
	r := httptest.NewRequest(http.MethodPost, uri, nil)
	r.Header.Set("X-HubSpot-Signature-Version", "v1")
	r.Header.Set("X-HubSpot-Signature", "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de")
	if err := check(r, body); err != nil {
		t.Fatalf("HubSpot's own v1 example rejected: %v", err)
	}
	// HubSpot's published v2 example: GET with no body.
	r = httptest.NewRequest(http.MethodGet, "https://www.example.com/webhook_uri", nil)
	r.Header.Set("X-HubSpot-Signature-Version", "v2")
	r.Header.Set("X-HubSpot-Signature", "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e")
	if err := hubspot.VerifySignature(r, nil, secret, "https://www.example.com/webhook_uri", 5*time.Minute, now); err != nil {
		t.Fatalf("HubSpot's own v2 example rejected: %v", err)
	}
}
