package connector_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Fuzz targets for every parser of vendor input in the core. Seeds live in
// testdata/fuzz/<target>; `make fuzz` runs each for a while.

func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := connector.ParseRetryAfter(v, now)
		if d < 0 {
			t.Fatalf("negative wait %v for %q", d, v)
		}
		if !ok && d != 0 {
			t.Fatalf("rejected %q but returned %v", v, d)
		}
	})
}

func FuzzDecodeCommonError(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		var e connector.APIError
		connector.DecodeCommonError(&http.Response{StatusCode: 400}, body, &e)
		if len(e.Message) > len(body)*4+8 {
			t.Fatalf("message of %d bytes from a %d-byte body", len(e.Message), len(body))
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	f.Fuzz(func(t *testing.T, body string) {
		var v struct {
			ID    string             `json:"id"`
			N     int64              `json:"n"`
			Items []map[string]any   `json:"items"`
			More  map[string]float64 `json:"more"`
		}
		err := connector.DecodeJSON(strings.NewReader(body), &v)
		if err != nil && !errors.Is(err, connector.ErrInvalidResponse) {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func FuzzParseSignatureHeader(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		h := connector.ParseSignatureHeader(header)
		n := 0
		for k, vs := range h {
			if k == "" {
				t.Fatal("empty key")
			}
			n += len(vs)
		}
		if n > 32 {
			t.Fatalf("%d items read, want at most 32", n)
		}
		// Whatever the header says, a signature from it never verifies
		// against an unrelated secret by accident.
		for _, v := range h["v1"] {
			if connector.VerifyHMAC([]byte("body"), v, connector.Hex, []byte("fuzz-secret")) == nil {
				t.Fatalf("random signature %q verified", v)
			}
		}
	})
}
