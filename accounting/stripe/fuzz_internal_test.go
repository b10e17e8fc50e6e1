package stripe

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body gives an APIError, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := &connector.APIError{StatusCode: status}
		decodeError(&http.Response{StatusCode: status}, body, e)
		_ = e.Error()
	})
}

// FuzzParseWebhook: any webhook body is one event with an id, a kind and
// the vendor's type, or a typed error.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/hooks", strings.NewReader(string(body)))
		events, err := ParseWebhook(r, body)
		if err != nil {
			if events != nil {
				t.Fatalf("events %v and error %v", events, err)
			}
			return
		}
		if len(events) != 1 || events[0].ID == "" || events[0].Type == "" || events[0].Kind == "" || len(events[0].Payload.Object) == 0 {
			t.Fatalf("events %+v", events)
		}
	})
}

// FuzzVerifyWebhook: any header is accepted only if it signs the body.
func FuzzVerifyWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		now := time.Unix(1_800_000_000, 0)
		r := httptest.NewRequest(http.MethodPost, "/hooks", nil)
		r.Header.Set("Stripe-Signature", header)
		verify := func(secret string) error {
			return VerifyWebhook(r, body, webhook.Config{Secrets: []string{secret}, Now: func() time.Time { return now }})
		}
		if verify("whsec_fuzz") == nil && verify("whsec_other") == nil {
			t.Fatal("one header verified under two secrets")
		}
	})
}

// FuzzInvoiceDecode: any answer decodes to an invoice (or a customer) or
// a typed error.
func FuzzInvoiceDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		inv, err := DecodeInvoice(raw)
		if (inv == nil) == (err == nil) {
			t.Fatalf("invoice %v and error %v", inv, err)
		}
		c, err := DecodeCustomer(raw)
		if (c == nil) == (err == nil) {
			t.Fatalf("customer %v and error %v", c, err)
		}
	})
}
