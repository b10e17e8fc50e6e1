package stripe

import (
	"net/http"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// FuzzDecodeError: any error body gives an APIError, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := &connector.APIError{StatusCode: status}
		decodeError(&http.Response{StatusCode: status}, body, e)
		_ = e.Error()
	})
}

// FuzzParseEvent: any webhook body is an event or a typed error.
func FuzzParseEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := ParseEvent(body)
		if (e == nil) == (err == nil) {
			t.Fatalf("event %v and error %v", e, err)
		}
	})
}

// FuzzVerifySignature: any header is accepted only if it signs the body.
func FuzzVerifySignature(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		now := time.Unix(1_800_000_000, 0)
		if VerifySignature(body, header, now, Tolerance, "whsec_fuzz") == nil && VerifySignature(body, header, now, Tolerance, "whsec_other") == nil {
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
