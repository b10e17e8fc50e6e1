package hubspot

import (
	"errors"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/patchbay-go/patchbay/connector"
)

// sentinels are the kinds an error may have.
var sentinels = []error{connector.ErrValidation, connector.ErrNotFound, connector.ErrConflict, connector.ErrRateLimited,
	connector.ErrForbidden, connector.ErrUnauthorized, connector.ErrUnavailable}

// FuzzDecodeError: any error body fills the error without panicking,
// leaves it one sentinel kind (a 404 stays ErrNotFound whatever the body
// says), and keeps its message valid text.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		kind := connector.ErrValidation
		switch {
		case status == http.StatusNotFound:
			kind = connector.ErrNotFound
		case status >= 500:
			kind = connector.ErrUnavailable
		}
		e := &connector.APIError{Vendor: "hubspot", StatusCode: status, Kind: kind}
		decodeError(&http.Response{StatusCode: status, Header: http.Header{}}, body, e)
		n := 0
		for _, s := range sentinels {
			if errors.Is(e.Kind, s) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("kind %v is %d sentinels, want 1", e.Kind, n)
		}
		if status == http.StatusNotFound && e.Kind != connector.ErrNotFound {
			t.Fatalf("a 404 became %v", e.Kind)
		}
		if !utf8.ValidString(e.Message) || !utf8.ValidString(e.Code) {
			t.Fatalf("message %q or code %q is not valid text", e.Message, e.Code)
		}
		if e.RetryAfter < 0 {
			t.Fatalf("negative RetryAfter %v", e.RetryAfter)
		}
	})
}
