package shopify

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any "errors" value, in a 200 answer or an error
// answer's body, gives messages and one kind, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		if errs := decodeErrors(json.RawMessage(raw)); len(errs) > 0 {
			err := toAPIError("op", errs, func(s string) string { return s })
			var apiErr *connector.APIError
			if !errors.As(err, &apiErr) || apiErr.Kind == nil {
				t.Fatalf("untyped error %v", err)
			}
		}
		for _, body := range [][]byte{raw, append(append([]byte(`{"errors":`), raw...), '}')} {
			e := &connector.APIError{Vendor: "shopify", StatusCode: 401, Kind: connector.ErrUnauthorized}
			decodeError(&http.Response{StatusCode: 401}, body, e)
			if e.Kind != connector.ErrUnauthorized {
				t.Fatalf("the decoder changed the kind to %v", e.Kind)
			}
		}
	})
}

// FuzzDecodeOrder: any webhook body is an order that can be shipped or a
// typed error, never a panic.
func FuzzDecodeOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := DecodeOrder(body)
		if err != nil {
			if o != nil {
				t.Fatal("an error with an order")
			}
			return
		}
		if o.ID <= 0 || len(o.LineItems) == 0 || o.ShippingAddress == nil {
			t.Fatalf("accepted an order it cannot ship: %+v", o)
		}
		if io := o.inventory(body); io.ID != strconv.FormatInt(o.ID, 10) || len(io.Lines) != len(o.LineItems) || io.Express != o.Express() {
			t.Fatalf("mapped %+v from %+v", io, o)
		}
	})
}

// FuzzDecodeGraphQLOrder: any Order node is an order that can be
// shipped, its ID the legacyResourceId and Raw the node, or an
// ErrInvalidResponse; never a panic.
func FuzzDecodeGraphQLOrder(f *testing.F) {
	f.Fuzz(func(t *testing.T, node []byte) {
		o, err := decodeGraphQLOrder(node)
		if err != nil {
			if o != nil || !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("order %v, error %v", o, err)
			}
			return
		}
		if o.ID == "" || len(o.Lines) == 0 {
			t.Fatalf("accepted an order it cannot ship: %+v", o)
		}
		for _, l := range o.Lines {
			if strings.TrimSpace(l.SKU) == "" || l.Quantity <= 0 {
				t.Fatalf("accepted a line it cannot ship: %+v", l)
			}
		}
		var w struct {
			LegacyResourceID string `json:"legacyResourceId"`
		}
		if json.Unmarshal(node, &w) != nil || strings.TrimLeft(w.LegacyResourceID, "0") != o.ID {
			t.Fatalf("id %s is not the legacyResourceId of %s", o.ID, node)
		}
		if !bytes.Equal(o.Raw, node) {
			t.Fatal("Raw is not the node")
		}
	})
}

// FuzzParseWebhook: any delivery is one event with an ID, a Kind and the
// body as it came, or ErrInvalidResponse; never a panic.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, topic, webhookID string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		r.Header.Set("X-Shopify-Topic", topic)
		r.Header.Set("X-Shopify-Webhook-Id", webhookID)
		events, err := ParseWebhook(r, body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if len(events) != 1 {
			t.Fatalf("%d events, want 1", len(events))
		}
		e := events[0]
		if e.ID == "" || e.Kind == "" || string(e.Raw) != string(body) || string(e.Payload.Body) != string(body) {
			t.Fatalf("event %+v", e)
		}
		if e.Payload.Order != nil && (e.Payload.Order.ID <= 0 || len(e.Payload.Order.LineItems) == 0) {
			t.Fatalf("an order that cannot ship: %+v", e.Payload.Order)
		}
	})
}

// FuzzVerifyWebhook: no header verifies a body under a secret it was not
// made with; the genuine signature always does.
func FuzzVerifyWebhook(f *testing.F) {
	cfg := webhook.Config{Secrets: []string{"shpss_fuzz_secret_0001"}}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		r.Header.Set("X-Shopify-Hmac-Sha256", header)
		if VerifyWebhook(r, body, cfg) == nil {
			// Only the MAC itself verifies, however it is written.
			mac, _ := base64.StdEncoding.DecodeString(webhook.SignHMAC([]byte(cfg.Secrets[0]), body, webhook.Base64))
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
	})
}

// FuzzFulfilmentState: any answer to the FulfilmentState query gives a
// fulfillment that stands under the tracking number asked for, or the
// open fulfillment orders of one location, or a typed error; never a
// panic.
func FuzzFulfilmentState(f *testing.F) {
	f.Fuzz(func(t *testing.T, number string, order []byte) {
		var st fulfilmentState
		if json.Unmarshal(order, &st) != nil {
			return
		}
		if fw := st.shipped(number); fw != nil {
			got := fw.fulfilment("1", true)
			if got.ID == "" || got.TrackingNumber != number || fw.Status == "CANCELLED" {
				t.Fatalf("fulfilment %+v from %+v", got, fw)
			}
		}
		ids, err := st.open("1")
		if err != nil {
			var apiErr *connector.APIError
			if ids != nil || !errors.As(err, &apiErr) || (apiErr.Kind != connector.ErrConflict && apiErr.Kind != connector.ErrValidation) {
				t.Fatalf("ids %v, error %v", ids, err)
			}
			return
		}
		if len(ids) == 0 {
			t.Fatal("no fulfillment order and no error")
		}
	})
}
