package spec_test

import (
	"strings"
	"testing"

	"github.com/patchbay-go/patchbay/internal/spec"
)

func TestConformanceShopifyGraphQL(t *testing.T) {
	schema := spec.LoadGraphQL(t, "shopify/admin_schema_unstable_2024-12-18.graphql")
	const adjust = `mutation Adjust($input: InventoryAdjustQuantitiesInput!) {
	  inventoryAdjustQuantities(input: $input) {
	    inventoryAdjustmentGroup { reason changes { name delta } }
	    userErrors { field message }
	  }
	}`
	validVars := map[string]any{"input": map[string]any{
		"reason": "correction", "name": "available",
		"changes": []any{map[string]any{"delta": -2, "inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/1"}},
	}}
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  string
	}{
		{"query", `{ shop { name currencyCode } }`, nil, ""},
		{"mutation", adjust, validVars, ""},
		{"unknown field", `{ shop { nameOfTheShop } }`, nil, "nameOfTheShop"},
		{"syntax error", `{ shop { name }`, nil, "Expected"},
		{"missing variable", adjust, nil, "input"},
		{"variable of the wrong type", adjust, map[string]any{"input": map[string]any{"reason": "x", "name": "available", "changes": []any{map[string]any{"delta": "two"}}}}, "delta"},
	}
	for _, tt := range tests {
		err := schema.Validate(tt.query, tt.vars)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: valid document rejected: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want one mentioning %q", tt.name, err, tt.want)
		}
	}
}
