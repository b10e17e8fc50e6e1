package xero

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzParseMSDate: any date text gives a time or zero, never a panic.
func FuzzParseMSDate(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		_ = parseMSDate(s)
	})
}

// FuzzDecodeError: any error body fills the error without panicking,
// leaves it one sentinel kind, and keeps its message valid text.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		kind := connector.ErrValidation
		if status >= 500 {
			kind = connector.ErrUnavailable
		}
		e := &connector.APIError{Vendor: "xero", StatusCode: status, Kind: kind}
		decodeError(&http.Response{StatusCode: status, Header: http.Header{}}, body, e)
		if e.Kind != kind && e.Kind != connector.ErrValidation {
			t.Fatalf("kind %v, want %v or ErrValidation", e.Kind, kind)
		}
		if !utf8.ValidString(e.Message) {
			t.Fatalf("message %q is not valid text", e.Message)
		}
	})
}

// FuzzParseWebhook: any verified body gives events or ErrInvalidResponse;
// every event has an id, a kind and Xero's type.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, e := range events {
			if e.ID == "" || e.Kind == "" || !strings.Contains(e.Type, ".") || len(e.Raw) == 0 {
				t.Fatalf("incomplete event %+v", e)
			}
		}
	})
}

// FuzzVerifyWebhook: a signature made with the key verifies the body it
// was made for, and no signature from the input verifies under a key it
// was not made with, nor after the body changed.
func FuzzVerifyWebhook(f *testing.F) {
	const key = "fuzz-webhook-key-0123456789"
	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set(signatureHeader, signature)
		if VerifyWebhook(r, body, webhook.Config{Secrets: []string{key}}) == nil {
			t.Fatalf("signature %q from the input verified", signature)
		}
		SignWebhook(r, body, key, time.Time{})
		if err := VerifyWebhook(r, body, webhook.Config{Secrets: []string{"", "other-key-000000", key}}); err != nil {
			t.Fatalf("signed body refused: %v", err)
		}
		if VerifyWebhook(r, append(body, '!'), webhook.Config{Secrets: []string{key}}) == nil {
			t.Fatal("a changed body verified")
		}
		if VerifyWebhook(r, body, webhook.Config{Secrets: []string{"", "other-key-000000"}}) == nil {
			t.Fatal("verified without the key")
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
		assert.Equal(t, want, parseMSDate(in).UnixMilli(), "parseMSDate(%q)", in)
	}
	for _, bad := range []string{"", "/Date()/", "/Date(x)/", "tomorrow"} {
		assert.True(t, parseMSDate(bad).IsZero(), "parseMSDate(%q) = %v, want zero", bad, parseMSDate(bad))
	}
}

// Xero writes eventDateUtc in UTC without a zone; RFC 3339 is read too.
func TestParseEventTime(t *testing.T) {
	want := time.Date(2026, 11, 23, 10, 15, 39, 902_000_000, time.UTC)
	for _, in := range []string{"2026-11-23T10:15:39.902", "2026-11-23T10:15:39.902Z", "2026-11-23T23:15:39.902+13:00"} {
		got, ok := parseEventTime(in)
		require.True(t, ok, in)
		assert.True(t, got.Equal(want), "%s: %v", in, got)
		assert.Equal(t, time.UTC, got.Location(), in)
	}
	for _, bad := range []string{"", "yesterday", "2026-11-23"} {
		_, ok := parseEventTime(bad)
		assert.False(t, ok, bad)
	}
}
