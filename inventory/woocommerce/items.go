package woocommerce

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// ItemsService finds products and variations: an Item is a simple
// product, a variable product that keeps the stock of its variations, or
// a variation. Its ID is the product id ("123") or the parent's and the
// variation's ("123/456"); Tracked is manage_stock.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#products
// https://woocommerce.github.io/woocommerce-rest-api-docs/#product-variations
type ItemsService struct{ a *api }

// List yields every product and variation that can hold stock, 100
// products a page, each variable product followed by its variations.
// Grouped and external products hold no stock and are left out.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-product-variations
func (s *ItemsService) List(ctx context.Context) iter.Seq2[*inventory.Item, error] {
	return func(yield func(*inventory.Item, error) bool) {
		for raw, err := range s.a.all(ctx, "/products", url.Values{"orderby": {"id"}, "order": {"asc"}}, "products.list") {
			if err != nil {
				yield(nil, err)
				return
			}
			p, err := decodeProduct(raw, "products.list")
			if err != nil {
				yield(nil, err)
				return
			}
			switch p.Type {
			case "grouped", "external":
				continue
			case "variable":
				if p.managed() && !yield(p.item(itemRef{product: p.ID}, "", raw), nil) {
					return
				}
				for it, err := range s.variations(ctx, p) {
					if !yield(it, err) || err != nil {
						return
					}
				}
				continue
			}
			if !yield(p.item(p.ref(), "", raw), nil) {
				return
			}
		}
	}
}

// variations yields a variable product's variations.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-product-variations
func (s *ItemsService) variations(ctx context.Context, parent *productWire) iter.Seq2[*inventory.Item, error] {
	return func(yield func(*inventory.Item, error) bool) {
		path := "/products/" + strconv.FormatInt(parent.ID, 10) + "/variations"
		for raw, err := range s.a.all(ctx, path, url.Values{"orderby": {"id"}, "order": {"asc"}}, "variations.list") {
			if err != nil {
				yield(nil, err)
				return
			}
			v, err := decodeProduct(raw, "variations.list")
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(v.item(itemRef{product: parent.ID, variation: v.ID}, parent.Name, raw), nil) {
				return
			}
		}
	}
}

// GetBySKU finds the product or variation with the SKU: WooCommerce's
// sku filter searches products and variations alike, and answers a
// variation with type "variation" and its parent_id. The filter splits
// on commas, so only an exact match is taken.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products
func (s *ItemsService) GetBySKU(ctx context.Context, sku string) (*inventory.Item, error) {
	if strings.TrimSpace(sku) == "" {
		return nil, connector.InvalidInput(vendorName, "items.getBySKU", "the SKU is empty")
	}
	p, err := s.a.list(ctx, "/products", url.Values{"sku": {sku}, "per_page": {"20"}}, "items.getBySKU")
	if err != nil {
		return nil, err
	}
	for _, raw := range p.items {
		w, err := decodeProduct(raw, "items.getBySKU")
		if err != nil {
			return nil, err
		}
		if w.SKU == sku {
			return w.item(w.ref(), "", raw), nil
		}
	}
	return nil, &connector.APIError{Vendor: vendorName, Op: "items.getBySKU", Kind: connector.ErrNotFound, Message: "no product or variation has SKU " + sku}
}

func decodeProduct(raw json.RawMessage, op string) (*productWire, error) {
	var p productWire
	if err := json.Unmarshal(raw, &p); err != nil || p.ID <= 0 {
		return nil, &connector.APIError{Vendor: vendorName, Op: op, Kind: connector.ErrInvalidResponse, Message: "a product could not be decoded"}
	}
	return &p, nil
}
