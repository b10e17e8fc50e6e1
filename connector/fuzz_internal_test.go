package connector

import (
	"net/http"
	"testing"
)

// The default error decoder reads any body without panicking, and never
// makes a message much longer than the body.
func FuzzDecodeCommonError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var e APIError
		decodeCommonError(&http.Response{StatusCode: 400}, body, &e)
		if len(e.Message) > len(body)*4+8 {
			t.Fatalf("message of %d bytes from a %d-byte body", len(e.Message), len(body))
		}
	})
}
