package square

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// ItemsService finds stocked products: an inventory.Item is a catalog
// item variation (ID = the variation's id, what inventory counts and order
// lines name), titled with its item's name.
// https://developer.squareup.com/docs/catalog-api/what-it-does
type ItemsService struct{ c *connector.Client }

// List yields every variation of every catalog item. It lists ITEM
// objects (ListCatalog, 100 a page, by cursor) rather than ITEM_VARIATION
// ones: an item carries its variations nested, and its name, which a
// variation alone does not.
// https://developer.squareup.com/reference/square/catalog-api/list-catalog
func (s *ItemsService) List(ctx context.Context) iter.Seq2[*inventory.Item, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[*inventory.Item], error) {
		q := url.Values{"types": {"ITEM"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var resp struct {
			Objects []catalogObject `json:"objects"`
			Cursor  string          `json:"cursor"`
		}
		p := connector.Page[*inventory.Item]{}
		if err := s.c.JSON(ctx, http.MethodGet, "/v2/catalog/list?"+q.Encode(), nil, &resp, connector.WithOperation("catalog.list")); err != nil {
			return p, err
		}
		for _, o := range resp.Objects {
			if o.Type != "ITEM" || o.ItemData == nil || o.IsDeleted {
				continue
			}
			for _, raw := range o.ItemData.Variations {
				it, err := variationItem(raw, o.ItemData.Name)
				if err != nil {
					return p, err
				}
				p.Items = append(p.Items, it)
			}
		}
		p.Next = resp.Cursor
		return p, nil
	})
}

// GetBySKU finds the variation with the SKU: SearchCatalogObjects with an
// exact query on "sku", its item among the related objects. Square does
// not make SKUs unique: two variations with the SKU are ErrConflict, as a
// stock change to the wrong one cannot be taken back. Square's exact query
// ignores case; the SKU is matched exactly here.
// https://developer.squareup.com/reference/square/catalog-api/search-catalog-objects
// https://developer.squareup.com/docs/catalog-api/search-catalog
func (s *ItemsService) GetBySKU(ctx context.Context, sku string) (*inventory.Item, error) {
	if sku == "" {
		return nil, connector.InvalidInput("square", "items.getBySKU", "the SKU is empty")
	}
	req := map[string]any{
		"object_types":            []string{"ITEM_VARIATION"},
		"query":                   map[string]any{"exact_query": map[string]any{"attribute_name": "sku", "attribute_value": sku}},
		"include_related_objects": true,
		"limit":                   100,
	}
	var resp struct {
		Objects        []json.RawMessage `json:"objects"`
		RelatedObjects []catalogObject   `json:"related_objects"`
	}
	// A search changes nothing: safe to repeat though it is a POST.
	if err := s.c.JSON(ctx, http.MethodPost, "/v2/catalog/search", req, &resp,
		connector.WithOperation("items.getBySKU"), connector.WithReplayable()); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, o := range resp.RelatedObjects {
		if o.Type == "ITEM" && o.ItemData != nil {
			names[o.ID] = o.ItemData.Name
		}
	}
	var found []*inventory.Item
	for _, raw := range resp.Objects {
		var o catalogObject
		if json.Unmarshal(raw, &o) != nil || o.IsDeleted || o.ItemVariationData == nil || o.ItemVariationData.SKU != sku {
			continue
		}
		it, err := variationItem(raw, names[o.ItemVariationData.ItemID])
		if err != nil {
			return nil, err
		}
		found = append(found, it)
	}
	switch len(found) {
	case 0:
		return nil, &connector.APIError{Vendor: "square", Op: "items.getBySKU", Kind: connector.ErrNotFound, Message: "no item variation has SKU " + sku}
	case 1:
		return found[0], nil
	}
	return nil, &connector.APIError{Vendor: "square", Op: "items.getBySKU", Kind: connector.ErrConflict,
		Message: fmt.Sprintf("%d item variations have SKU %s (%s, %s, ...)", len(found), sku, found[0].ID, found[1].ID)}
}
