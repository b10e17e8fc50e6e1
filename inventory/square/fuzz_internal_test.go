package square

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body gives a message and at most the one
// sentinel, never a panic; a body that is not Square's shape leaves the
// status's kind alone.
func FuzzDecodeError(f *testing.F) {
	kinds := []error{connector.ErrConflict, connector.ErrRateLimited, connector.ErrUnauthorized, connector.ErrForbidden,
		connector.ErrValidation, connector.ErrNotFound, connector.ErrUnavailable}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 400 + (status&0xff)%200
		e := &connector.APIError{Vendor: "square", StatusCode: status, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: status}, body, e)
		known := false
		for _, k := range kinds {
			known = known || e.Kind == k
		}
		if !known {
			t.Fatalf("kind %v", e.Kind)
		}
		var doc struct {
			Errors []squareError `json:"errors"`
		}
		if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
			if e.Kind != connector.ErrValidation || e.Message != "" {
				t.Fatalf("a body not Square's changed the error: %+v", e)
			}
		}
	})
}

// FuzzDecodeOrder: any order body is an inventory.Order a flow can ship
// (an id, lines with SKUs and positive quantities, an address) or an
// ErrInvalidResponse, never a panic.
func FuzzDecodeOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		w, err := decodeOrder(raw)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		skus := map[string]string{}
		for _, l := range w.LineItems {
			skus[l.CatalogObjectID] = "SKU-" + l.CatalogObjectID
		}
		o, err := w.toOrder(raw, nil, skus)
		if err != nil {
			if o != nil || !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("order %v, error %v", o, err)
			}
			return
		}
		if o.ID == "" || len(o.Lines) == 0 || o.UpdatedAt.IsZero() && w.UpdatedAt != "" && validTime(w.UpdatedAt) {
			t.Fatalf("accepted an order it cannot ship: %+v", o)
		}
		for _, l := range o.Lines {
			if l.SKU == "" || l.Quantity <= 0 {
				t.Fatalf("line %+v", l)
			}
		}
	})
}

// FuzzParseWebhook: any notification is one event with an ID, a Kind, a
// Type and the body as it came, or ErrInvalidResponse; never a panic.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		events, err := ParseWebhook(r, body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		e := events[0]
		if e.ID == "" || e.Kind == "" || e.Type == "" || !bytes.Equal(e.Raw, body) {
			t.Fatalf("event %+v", e)
		}
	})
}

// FuzzVerifyWebhook: no header verifies a body under a key it was not made
// with; the genuine signature always does, and only for its URL.
func FuzzVerifyWebhook(f *testing.F) {
	cfg := webhook.Config{Secrets: []string{"fuzz-signature-key-0001"}}
	const url = "https://shop.example.com/square/hooks"
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, url, nil)
		r.Header.Set(signatureHeader, header)
		if VerifyWebhook(r, body, cfg) == nil {
			mac, _ := base64.StdEncoding.DecodeString(webhook.SignHMAC([]byte(cfg.Secrets[0]), append([]byte(url), body...), webhook.Base64))
			got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
			if err != nil {
				got, _ = base64.RawStdEncoding.DecodeString(strings.TrimSpace(header))
			}
			if !bytes.Equal(got, mac) {
				t.Fatalf("header %q verified", header)
			}
		}
		SignWebhook(r, body, cfg.Secrets[0], time.Unix(1_800_000_000, 0))
		if err := VerifyWebhook(r, body, cfg); err != nil {
			t.Fatalf("genuine signature refused: %v", err)
		}
		other := httptest.NewRequest(http.MethodPost, url+"x", nil)
		other.Header = r.Header
		if VerifyWebhook(other, body, cfg) == nil {
			t.Fatal("a signature verified for another URL")
		}
	})
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
