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
