package salesforce

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

var sentinels = []error{connector.ErrValidation, connector.ErrNotFound, connector.ErrConflict, connector.ErrRateLimited,
	connector.ErrForbidden, connector.ErrUnauthorized, connector.ErrUnavailable}

// FuzzDecodeError: any error body fills the error without panicking,
// leaves it one sentinel kind (a 404 stays ErrNotFound), and keeps its
// message and code valid text.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 300 || status > 599 {
			return
		}
		kind := connector.ErrValidation
		switch {
		case status == http.StatusNotFound:
			kind = connector.ErrNotFound
		case status >= 500:
			kind = connector.ErrUnavailable
		}
		e := &connector.APIError{Vendor: "salesforce", StatusCode: status, Kind: kind}
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
		if utf8.Valid(body) && (!utf8.ValidString(e.Message) || !utf8.ValidString(e.Code)) {
			t.Fatalf("message %q or code %q is not valid text", e.Message, e.Code)
		}
	})
}

// FuzzDecodeQueryPage: any query answer is a page or ErrInvalidResponse;
// a page that is not done has a next URL on the instance's own API, and
// a done page none.
func FuzzDecodeQueryPage(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeQueryPage(body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if p.Done && p.NextRecordsURL != "" {
			t.Fatalf("done page with a next URL %q", p.NextRecordsURL)
		}
		if !p.Done && (!strings.HasPrefix(p.NextRecordsURL, "/services/data/") || strings.Contains(p.NextRecordsURL, "//")) {
			t.Fatalf("next URL %q leaves the API", p.NextRecordsURL)
		}
	})
}

// FuzzParseAmount: any currency field is an exact amount or
// ErrInvalidResponse, never a panic; an amount written back reads the same.
func FuzzParseAmount(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw, currency string) {
		a, err := parseAmount([]byte(raw), currency)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if a == nil {
			return
		}
		again, err := parseAmount([]byte(amountNumber(*a)), currency)
		if err != nil {
			t.Fatalf("%v written as %q does not read back: %v", a, amountNumber(*a), err)
		}
		if eq, _ := again.Equal(*a); !eq {
			t.Fatalf("%v read back as %v", a, again)
		}
		if _, err := money.ParseAmount(a.Curr().Code(), a.Decimal().String()); err != nil {
			t.Fatalf("%v is not an amount: %v", a, err)
		}
	})
}
