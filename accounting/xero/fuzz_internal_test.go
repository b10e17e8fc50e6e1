package xero

import (
	"errors"
	"net/http"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
)

// FuzzParseMSDate: any date text gives a time or zero, never a panic.
func FuzzParseMSDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseMSDate(s)
	})
}

// FuzzDecodeError: any error body fills the error without panicking and
// leaves a kind.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		e := &connector.APIError{StatusCode: status, Kind: connector.KindForStatus(status)}
		decodeError(&http.Response{StatusCode: status, Header: http.Header{}}, body, e)
		if e.Kind == nil {
			t.Fatal("no kind")
		}
	})
}

// FuzzParseDelivery: any webhook body gives a delivery or
// ErrInvalidResponse.
func FuzzParseDelivery(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := ParseDelivery(body); err != nil && !errors.Is(err, connector.ErrInvalidResponse) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func TestParseMSDate(t *testing.T) {
	for in, want := range map[string]int64{
		"/Date(1573755038314)/":      1573755038314,
		"/Date(1573755038314+0000)/": 1573755038314,
		"/Date(1573755038314+1300)/": 1573755038314,
		"/Date(-86400000+0000)/":     -86400000,
		"2019-11-14T18:10:38":        1573755038000,
		"2019-11-14":                 1573689600000,
	} {
		if got := parseMSDate(in); got.UnixMilli() != want {
			t.Errorf("parseMSDate(%q) = %v (%d), want %d", in, got, got.UnixMilli(), want)
		}
	}
	for _, bad := range []string{"", "/Date()/", "/Date(x)/", "tomorrow"} {
		if got := parseMSDate(bad); !got.IsZero() {
			t.Errorf("parseMSDate(%q) = %v, want zero", bad, got)
		}
	}
}
