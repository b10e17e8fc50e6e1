package woocommerce

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body gives at most one kind, and keeps the
// status's kind but where a WooCommerce code says more; never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 401, 404, 429, 500} {
			e := &connector.APIError{Vendor: vendorName, StatusCode: status, Kind: connector.ErrValidation}
			decodeError(&http.Response{StatusCode: status}, body, e)
			if e.Kind == nil {
				t.Fatal("no kind")
			}
			if (status == 429 || status >= 500) && e.Kind != connector.ErrValidation {
				t.Fatalf("a %d became %v", status, e.Kind)
			}
			if e.Kind != connector.ErrValidation && kindOfCode(e.Code) != e.Kind {
				t.Fatalf("kind %v not from code %q", e.Kind, e.Code)
			}
		}
	})
}

// FuzzDecodeOrder: any body is an order with an id and lines whose unit
// prices times quantities give back the subtotals, or an
// ErrInvalidResponse; never a panic.
func FuzzDecodeOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := DecodeOrder(body)
		if err != nil {
			if o != nil || !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("order %v, error %v", o, err)
			}
			return
		}
		if o.ID == "" || len(o.Lines) == 0 {
			t.Fatalf("accepted an order with no id or lines: %+v", o)
		}
		for _, l := range o.Lines {
			if l.Quantity <= 0 {
				t.Fatalf("line quantity %d", l.Quantity)
			}
		}
		_ = o.Customer.Name()
	})
}

// FuzzParseWebhook: any delivery is no event (the ping) or one event with
// an ID, a Kind and the body as it came, or ErrInvalidResponse.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic, signature string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		r.Header.Set(topicHeader, topic)
		r.Header.Set(signatureHeader, signature)
		events, err := ParseWebhook(r, body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(events) == 0 {
			if r.Header.Get(signatureHeader) != "" || !pingBody.Match(body) {
				t.Fatalf("no event from %q", body)
			}
			return
		}
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		e := events[0]
		if e.ID == "" || e.Kind == "" || !bytes.Equal(e.Raw, body) || !bytes.Equal(e.Payload.Body, body) {
			t.Fatalf("event %+v", e)
		}
		if e.Payload.Order != nil && (e.Payload.Order.ID == "" || len(e.Payload.Order.Lines) == 0) {
			t.Fatalf("an order with no id or lines: %+v", e.Payload.Order)
		}
	})
}

// FuzzVerifyWebhook: no header verifies a body under a secret it was not
// made with, but the unsigned ping; the genuine signature always does.
func FuzzVerifyWebhook(f *testing.F) {
	cfg := webhook.Config{Secrets: []string{"wc-fuzz-secret-0001"}}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		r.Header.Set(signatureHeader, header)
		if VerifyWebhook(r, body, cfg) == nil && r.Header.Get(signatureHeader) != "" {
			mac, _ := base64.StdEncoding.DecodeString(webhook.SignHMAC([]byte(cfg.Secrets[0]), body, webhook.Base64))
			got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
			if err != nil {
				got, _ = base64.RawStdEncoding.DecodeString(strings.TrimSpace(header))
			}
			if !bytes.Equal(got, mac) {
				t.Fatalf("header %q verified", header)
			}
		}
		if VerifyWebhook(r, body, webhook.Config{}) == nil && r.Header.Get(signatureHeader) != "" {
			t.Fatal("verified with no secret")
		}
		SignWebhook(r, body, cfg.Secrets[0], time.Unix(1_800_000_000, 0))
		if err := VerifyWebhook(r, body, cfg); err != nil {
			t.Fatalf("genuine signature refused: %v", err)
		}
	})
}
