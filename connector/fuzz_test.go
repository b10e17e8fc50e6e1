package connector_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/connector"
)

// Fuzz targets for every parser of vendor input in the core. Seeds live in
// testdata/fuzz/<target>; `make fuzz` runs each for a while.

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
