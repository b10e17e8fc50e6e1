package connector_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Scenario 17: hostile JSON gives a typed error, never a panic, and a
// runaway body cannot take more memory than the cap.
func TestHostileJSON(t *testing.T) {
	type record struct {
		ID    string  `json:"id"`
		Count int64   `json:"count"`
		Price float64 `json:"price"`
	}
	cases := map[string]string{
		"truncated":          `{"id":"a","count":`,
		"empty":              ``,
		"deeply nested":      strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000),
		"huge int":           `{"count": 99999999999999999999999999999}`,
		"huge float":         `{"price": 1e999999}`,
		"wrong type":         `{"id": {"nested": true}}`,
		"nested in a string": `{"id":` + strings.Repeat(`{"a":`, 100_000),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			var r record
			err := connector.DecodeJSON(strings.NewReader(body), &r)
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("err = %v, want ErrInvalidResponse", err)
			}
		})
	}

	t.Run("2 GB stream", func(t *testing.T) {
		const capBytes = 4 << 20
		srv := connectortest.NewServer(t, connectortest.Fault{Handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[`)
			chunk := []byte(strings.Repeat(`1234567,`, 8192)) // 64 KiB
			for sent := 0; sent < 2<<30; sent += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return // the client hung up, as it should
				}
			}
		}})
		c := newClient(t, srv.URL, srv.Client(), connector.WithMaxResponseBytes(capBytes))

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var out []int
		err := c.JSON(context.Background(), http.MethodGet, "/export", nil, &out)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, connector.ErrInvalidResponse) {
			t.Fatalf("err = %v, want ErrInvalidResponse for a body over the cap", err)
		}
		// The decoder may buffer the capped bytes and grow its slice;
		// 2 GB must never be anywhere near memory.
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<20 {
			t.Fatalf("allocated %d MiB reading a body capped at 4 MiB", grew>>20)
		}
	})
}

// The default decoder reads the common error shapes.
// A vendor with no error decoder of its own gets the shapes most JSON APIs
// use read into Code and Message.
func TestDefaultErrorDecoder(t *testing.T) {
	tests := []struct {
		body, code, message string
	}{
		{`{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR","correlationId":"x"}`, "VALIDATION_ERROR", "Property values were not valid"},
		{`{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such customer"}}`, "resource_missing", "No such customer"},
		{`{"error":"invalid_grant","error_description":"refresh token expired"}`, "invalid_grant", "refresh token expired"},
		{`{"errors":[{"message":"a"},{"message":"b","code":7}]}`, "", "a; b"},
		{`{"detail":"Not Found","title":"Problem"}`, "", "Not Found"},
		{`{"code":404,"message":"nope"}`, "404", "nope"},
		{`not json`, "", "not json"}, // no known shape: the text itself
	}
	for _, tt := range tests {
		srv := connectortest.NewServer(t, connectortest.Fault{Status: 400, Body: tt.body})
		err := get(context.Background(), newClient(t, srv.URL, srv.Client()), "/x")
		var e *connector.APIError
		if !errors.As(err, &e) || e.Code != tt.code || e.Message != tt.message {
			t.Errorf("%s: code %q message %q, want %q %q", tt.body, e.Code, e.Message, tt.code, tt.message)
		}
	}
}

// Status codes map to the sentinel kinds, and the vendor's answer is kept.
func TestAPIErrorKinds(t *testing.T) {
	tests := []struct {
		status int
		kind   error
	}{
		{400, connector.ErrValidation}, {401, connector.ErrUnauthorized}, {403, connector.ErrForbidden},
		{404, connector.ErrNotFound}, {409, connector.ErrConflict}, {422, connector.ErrValidation},
		{429, connector.ErrRateLimited}, {500, connector.ErrUnavailable}, {503, connector.ErrUnavailable},
	}
	for _, tt := range tests {
		srv := connectortest.NewServer(t, connectortest.Fault{Status: tt.status, Body: `{"message":"why","code":"E1"}`,
			Header: http.Header{"X-Request-Id": {"req-42"}}})
		c := newClient(t, srv.URL, srv.Client(), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1, BaseDelay: 1, MaxDelay: 1}))
		err := c.JSON(context.Background(), http.MethodGet, "/x", nil, nil, connector.WithOperation("things.get"))
		var apiErr *connector.APIError
		if !errors.Is(err, tt.kind) || !errors.As(err, &apiErr) {
			t.Fatalf("%d: err = %v, want %v", tt.status, err, tt.kind)
		}
		if apiErr.StatusCode != tt.status || apiErr.Code != "E1" || apiErr.Message != "why" || apiErr.RequestID != "req-42" || apiErr.Op != "things.get" {
			t.Fatalf("%d: %+v lost part of the vendor's answer", tt.status, apiErr)
		}
	}
}

// A body that is not the vendor's shape (a gateway's page) keeps its text
// as the message, folded and cut, whatever the vendor's decoder makes of
// it; a body the decoder reads keeps the decoder's message.
func TestForeignErrorBodyKeepsItsText(t *testing.T) {
	quiet := func(*http.Response, []byte, *connector.APIError) {} // a vendor decoder that finds nothing
	gateway := "<html>\n  <body>upstream connect error or disconnect/reset before headers</body>\n</html>"
	srv := connectortest.NewServer(t, connectortest.Fault{Status: 400, Body: gateway}, connectortest.Fault{Status: 400, Body: strings.Repeat("é", 300)})
	c := newVendorClient(t, connector.Vendor{BaseURL: srv.URL, DecodeError: quiet}, srv.Client())
	var apiErr *connector.APIError
	require.ErrorAs(t, get(context.Background(), c, "/x"), &apiErr)
	assert.Equal(t, "<html> <body>upstream connect error or disconnect/reset before headers</body> </html>", apiErr.Message)
	require.ErrorAs(t, get(context.Background(), c, "/x"), &apiErr)
	assert.LessOrEqual(t, len(apiErr.Message), 203)
	assert.True(t, utf8.ValidString(apiErr.Message))
}
