package shopify

import (
	"context"
	"encoding/json"
	"iter"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The documents ItemsService sends. Each validates against the Admin
// schema (see the conformance test).
const (
	variantFields = `id sku title product { title } inventoryItem { id tracked }`

	queryVariants = `query Variants($first: Int!, $after: String, $query: String) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes { ` + variantFields + ` }
    pageInfo { hasNextPage endCursor }
  }
}`
)

// ItemsService finds stocked variants: an Item is a variant's inventory
// item, its ID the inventory item's global id.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
type ItemsService struct{ g *graphQL }

func (s *ItemsService) page(ctx context.Context, query, after string, first int) (connector.Page[*inventory.Item], error) {
	vars := map[string]any{"first": first, "after": nilIfEmpty(after), "query": nilIfEmpty(query)}
	var data struct {
		ProductVariants struct {
			Nodes    []json.RawMessage `json:"nodes"`
			PageInfo pageInfo          `json:"pageInfo"`
		} `json:"productVariants"`
	}
	if err := s.g.do(ctx, "Variants", queryVariants, vars, &data); err != nil {
		return connector.Page[*inventory.Item]{}, err
	}
	p := connector.Page[*inventory.Item]{}
	for _, raw := range data.ProductVariants.Nodes {
		var v variantWire
		if err := json.Unmarshal(raw, &v); err != nil {
			return p, &connector.APIError{Vendor: "shopify", Op: "Variants", Kind: connector.ErrInvalidResponse, Message: "a variant could not be decoded"}
		}
		p.Items = append(p.Items, v.item(raw))
	}
	if data.ProductVariants.PageInfo.HasNextPage {
		p.Next = data.ProductVariants.PageInfo.EndCursor
	}
	return p, nil
}

// List yields every variant's inventory item, 100 a page.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
func (s *ItemsService) List(ctx context.Context) iter.Seq2[*inventory.Item, error] {
	return connector.All(ctx, func(ctx context.Context, after string) (connector.Page[*inventory.Item], error) {
		return s.page(ctx, "", after, pageSize)
	})
}

// GetBySKU finds the variant with the SKU (productVariants query "sku:...").
// https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
func (s *ItemsService) GetBySKU(ctx context.Context, sku string) (*inventory.Item, error) {
	if sku == "" || strings.ContainsAny(sku, `"\`) {
		return nil, connector.InvalidInput("shopify", "items.getBySKU", "the SKU is empty or has quotes")
	}
	p, err := s.page(ctx, `sku:"`+sku+`"`, "", 5)
	if err != nil {
		return nil, err
	}
	for _, it := range p.Items {
		if it.SKU == sku {
			return it, nil
		}
	}
	return nil, &connector.APIError{Vendor: "shopify", Op: "items.getBySKU", Kind: connector.ErrNotFound, Message: "no variant has SKU " + sku}
}
