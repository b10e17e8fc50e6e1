package shopify

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeErrors: any "errors" value gives messages, never a panic.
func FuzzDecodeErrors(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		errs := decodeErrors(json.RawMessage(raw))
		if len(errs) > 0 {
			_ = toAPIError("op", errs)
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
		_ = o.Express()
	})
}
