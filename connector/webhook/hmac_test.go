package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

// A Stripe-style scheme built from the primitives: header
// "t=<unix>,v1=<hex hmac of "t.body">", several v1 values allowed, the
// event id in a header.
var stripeStyle = webhook.Scheme[string]{
	Vendor:     "test",
	Redelivery: time.Hour,
	Verify: func(r *http.Request, body []byte, cfg webhook.Config) error {
		h := webhook.ParseSignatureHeader(r.Header.Get("Signature"))
		ts, err := strconv.ParseInt(h.Get("t"), 10, 64)
		if err != nil {
			return webhook.ErrSignatureInvalid
		}
		if err := webhook.CheckTimestamp(time.Unix(ts, 0), cfg.TimeNow(), cfg.ToleranceOr(5*time.Minute)); err != nil {
			return err
		}
		signed := append([]byte(h.Get("t")+"."), body...)
		for _, sig := range h["v1"] {
			if webhook.VerifyHMAC(signed, sig, webhook.Hex, cfg.Keys()...) == nil {
				return nil
			}
		}
		return webhook.ErrSignatureInvalid
	},
	Parse: func(r *http.Request, body []byte) ([]webhook.Event[string], error) {
		if r.Header.Get("Event-Id") == "" {
			return nil, errors.New("no event id")
		}
		return []webhook.Event[string]{{ID: r.Header.Get("Event-Id"), Kind: webhook.KindOther, Payload: string(body), Raw: body}}, nil
	},
}

func signedRequest(secret string, ts time.Time, body, eventID string) *http.Request {
	t := strconv.FormatInt(ts.Unix(), 10)
	sig := webhook.SignHMAC([]byte(secret), []byte(t+"."+body), webhook.Hex)
	r := httptest.NewRequest(http.MethodPost, "/webhooks", strings.NewReader(body))
	r.Header.Set("Signature", fmt.Sprintf("t=%s,v1=%s", t, sig))
	r.Header.Set("Event-Id", eventID)
	return r
}

// Scenario 19: a one-byte change, a stale or future timestamp, and a
// replayed id are rejected; a valid signature and one made with the new
// secret during a rotation are accepted.
func TestWebhookVerification(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	oldSecret, newSecret := "whsec_old_000000", "whsec_new_111111"
	var handled atomic.Int32
	h, err := webhook.NewHandler(stripeStyle, webhook.Config{Secrets: []string{oldSecret, newSecret}, Now: func() time.Time { return now }},
		func(ctx context.Context, e webhook.Event[string]) error { handled.Add(1); return nil })
	if err != nil {
		t.Fatal(err)
	}
	serve := func(r *http.Request) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	body := `{"id":"evt_1","type":"invoice.paid"}`

	tampered := signedRequest(oldSecret, now, body, "evt_2")
	tampered.Body = httpBody(strings.Replace(body, "paid", "paiD", 1))

	tests := []struct {
		name    string
		req     *http.Request
		status  int
		handled int32
	}{
		{"valid", signedRequest(oldSecret, now, body, "evt_1"), 200, 1},
		{"replayed id", signedRequest(oldSecret, now, body, "evt_1"), 200, 1},
		{"one byte changed", tampered, 401, 1},
		{"stale timestamp", signedRequest(oldSecret, now.Add(-6*time.Minute), body, "evt_3"), 401, 1},
		{"future timestamp", signedRequest(oldSecret, now.Add(6*time.Minute), body, "evt_4"), 401, 1},
		{"unknown secret", signedRequest("whsec_attacker_99", now, body, "evt_5"), 401, 1},
		{"rotated secret", signedRequest(newSecret, now, body, "evt_6"), 200, 2},
	}
	for _, tt := range tests {
		if got := serve(tt.req); got != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.status)
		}
		if got := handled.Load(); got != tt.handled {
			t.Fatalf("%s: handled %d deliveries, want %d", tt.name, got, tt.handled)
		}
	}
}

// A delivery whose handling fails is released, so the redelivery is
// processed: nothing is lost to de-duplication.
func TestWebhookFailureIsRedelivered(t *testing.T) {
	now := time.Now()
	attempts := 0
	h, err := webhook.NewHandler(stripeStyle, webhook.Config{Secrets: []string{"whsec_abcdef"}},
		func(ctx context.Context, e webhook.Event[string]) error {
			attempts++
			if attempts == 1 {
				return errors.New("database down")
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{500, 200, 200} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedRequest("whsec_abcdef", now, `{}`, "evt_9"))
		if w.Code != want {
			t.Fatalf("delivery %d: status %d, want %d", i+1, w.Code, want)
		}
	}
	if attempts != 2 {
		t.Fatalf("handled %d times, want 2 (failed once, then once more)", attempts)
	}
}

func TestVerifyHMACEncodings(t *testing.T) {
	payload := []byte("exact raw body")
	secret := []byte("shpss_secret")
	for _, enc := range []webhook.SignatureEncoding{webhook.Hex, webhook.Base64} {
		sig := webhook.SignHMAC(secret, payload, enc)
		if err := webhook.VerifyHMAC(payload, sig, enc, secret); err != nil {
			t.Errorf("encoding %d: valid signature rejected: %v", enc, err)
		}
		if err := webhook.VerifyHMAC(payload, sig, enc, nil, []byte{}); !errors.Is(err, webhook.ErrSignatureInvalid) {
			t.Errorf("encoding %d: empty secrets must verify nothing, got %v", enc, err)
		}
		if err := webhook.VerifyHMAC(payload, sig[:len(sig)-2], enc, secret); !errors.Is(err, webhook.ErrSignatureInvalid) {
			t.Errorf("encoding %d: truncated signature accepted", enc)
		}
	}
}

func TestMemorySeenBounded(t *testing.T) {
	s := webhook.NewMemorySeen(3, time.Hour)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c", "d"} {
		if first, _ := s.Claim(ctx, id); !first {
			t.Fatalf("%s claimed twice", id)
		}
	}
	if s.Len() != 3 {
		t.Fatalf("len = %d, want 3", s.Len())
	}
	if first, _ := s.Claim(ctx, "d"); first {
		t.Fatal("d is a duplicate")
	}
	if first, _ := s.Claim(ctx, "a"); !first {
		t.Fatal("a was evicted and should count as new")
	}
}

func httpBody(s string) *readCloser { return &readCloser{strings.NewReader(s)} }

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
