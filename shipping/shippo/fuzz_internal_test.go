package shippo

import (
	"errors"
	"net/http"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
)

// FuzzDecodeError: any error body, any nesting, never a panic.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		e := &connector.APIError{StatusCode: 400, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: 400}, body, e)
	})
}

// FuzzParseEvent: any webhook body gives an event or ErrInvalidResponse.
func FuzzParseEvent(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := ParseEvent(body); err != nil && !errors.Is(err, connector.ErrInvalidResponse) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
