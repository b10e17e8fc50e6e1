package shopify

import (
	"context"
	"encoding/json"
	"iter"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The documents the connector sends. Each validates against the Admin
// schema (see the conformance test).
const (
	variantFields = `id sku title product { title } inventoryItem { id tracked }`

	queryVariants = `query Variants($first: Int!, $after: String, $query: String) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes { ` + variantFields + ` }
    pageInfo { hasNextPage endCursor }
  }
}`
	queryLocations = `query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}`
	queryLevels = `query Levels($id: ID!, $first: Int!, $after: String) {
  inventoryItem(id: $id) {
    id
    inventoryLevels(first: $first, after: $after) {
      nodes { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`
	queryLevelAt = `query LevelAt($id: ID!, $location: ID!) {
  inventoryItem(id: $id) {
    id
    inventoryLevel(locationId: $location) { location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } }
  }
}`
	mutationAdjust = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`
	mutationSet = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`
)

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

const pageSize = 100

// ItemsService finds stocked variants.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/productVariants
type ItemsService struct{ g *graphQL }

type variantWire struct {
	ID      string `json:"id"`
	SKU     string `json:"sku"`
	Title   string `json:"title"`
	Product struct {
		Title string `json:"title"`
	} `json:"product"`
	InventoryItem struct {
		ID      string `json:"id"`
		Tracked bool   `json:"tracked"`
	} `json:"inventoryItem"`
}

func (v variantWire) item(raw json.RawMessage) *inventory.Item {
	title := v.Product.Title
	if v.Title != "" && v.Title != "Default Title" {
		title += " - " + v.Title
	}
	return &inventory.Item{ID: v.InventoryItem.ID, SKU: v.SKU, Title: title, Tracked: v.InventoryItem.Tracked, Raw: raw}
}

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
func (s *ItemsService) List(ctx context.Context) iter.Seq2[*inventory.Item, error] {
	return connector.All(ctx, func(ctx context.Context, after string) (connector.Page[*inventory.Item], error) {
		return s.page(ctx, "", after, pageSize)
	})
}

// GetBySKU finds the variant with the SKU (productVariants query "sku:...").
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

// LocationsService lists locations.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/locations
type LocationsService struct{ g *graphQL }

// List yields the shop's locations.
func (s *LocationsService) List(ctx context.Context) iter.Seq2[*inventory.Location, error] {
	return connector.All(ctx, func(ctx context.Context, after string) (connector.Page[*inventory.Location], error) {
		var data struct {
			Locations struct {
				Nodes    []json.RawMessage `json:"nodes"`
				PageInfo pageInfo          `json:"pageInfo"`
			} `json:"locations"`
		}
		if err := s.g.do(ctx, "Locations", queryLocations, map[string]any{"first": pageSize, "after": nilIfEmpty(after)}, &data); err != nil {
			return connector.Page[*inventory.Location]{}, err
		}
		p := connector.Page[*inventory.Location]{}
		for _, raw := range data.Locations.Nodes {
			var l struct {
				ID       string `json:"id"`
				Name     string `json:"name"`
				IsActive bool   `json:"isActive"`
			}
			if err := json.Unmarshal(raw, &l); err != nil {
				return p, &connector.APIError{Vendor: "shopify", Op: "Locations", Kind: connector.ErrInvalidResponse, Message: "a location could not be decoded"}
			}
			p.Items = append(p.Items, &inventory.Location{ID: l.ID, Name: l.Name, Active: l.IsActive, Raw: raw})
		}
		if data.Locations.PageInfo.HasNextPage {
			p.Next = data.Locations.PageInfo.EndCursor
		}
		return p, nil
	})
}

// StockService reads and changes levels.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventoryAdjustQuantities
type StockService struct{ g *graphQL }

// Levels yields the levels of the filtered items (every item if none is
// named) at the filtered locations.
func (s *StockService) Levels(ctx context.Context, f inventory.LevelFilter) iter.Seq2[*inventory.Level, error] {
	return func(yield func(*inventory.Level, error) bool) {
		ids := f.ItemIDs
		if len(ids) == 0 {
			for it, err := range (&ItemsService{g: s.g}).List(ctx) {
				if err != nil {
					yield(nil, err)
					return
				}
				ids = append(ids, it.ID)
			}
		}
		wanted := map[string]bool{}
		for _, l := range f.LocationIDs {
			wanted[l] = true
		}
		for _, id := range ids {
			if len(f.LocationIDs) > 0 {
				// The levels asked for, one each: a few cost points instead of
				// a page of them (Shopify meters queries by cost).
				for _, loc := range f.LocationIDs {
					lv, err := s.levelAt(ctx, id, loc)
					if err != nil {
						yield(nil, err)
						return
					}
					if lv != nil && !yield(lv, nil) {
						return
					}
				}
				continue
			}
			for lv, err := range s.itemLevels(ctx, id) {
				if err != nil {
					yield(nil, err)
					return
				}
				if len(wanted) > 0 && !wanted[lv.LocationID] {
					continue
				}
				if !yield(lv, nil) {
					return
				}
			}
		}
	}
}

type quantitiesWire []struct {
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

func (q quantitiesWire) into(lv *inventory.Level) {
	for _, x := range q {
		switch x.Name {
		case "available":
			lv.Available = x.Quantity
		case "on_hand":
			lv.OnHand = x.Quantity
		case "committed":
			lv.Committed = x.Quantity
		}
	}
}

// levelAt reads one item's level at one location; nil if it has none.
func (s *StockService) levelAt(ctx context.Context, itemID, locationID string) (*inventory.Level, error) {
	var data struct {
		InventoryItem *struct {
			InventoryLevel *struct {
				Quantities quantitiesWire `json:"quantities"`
			} `json:"inventoryLevel"`
		} `json:"inventoryItem"`
	}
	if err := s.g.do(ctx, "LevelAt", queryLevelAt, map[string]any{"id": itemID, "location": locationID}, &data); err != nil {
		return nil, err
	}
	if data.InventoryItem == nil {
		return nil, &connector.APIError{Vendor: "shopify", Op: "LevelAt", Kind: connector.ErrNotFound, Message: "no inventory item " + itemID}
	}
	if data.InventoryItem.InventoryLevel == nil {
		return nil, nil
	}
	lv := &inventory.Level{ItemID: itemID, LocationID: locationID}
	data.InventoryItem.InventoryLevel.Quantities.into(lv)
	return lv, nil
}

func (s *StockService) itemLevels(ctx context.Context, itemID string) iter.Seq2[*inventory.Level, error] {
	return connector.All(ctx, func(ctx context.Context, after string) (connector.Page[*inventory.Level], error) {
		var data struct {
			InventoryItem *struct {
				InventoryLevels struct {
					Nodes []struct {
						Location struct {
							ID string `json:"id"`
						} `json:"location"`
						Quantities []struct {
							Name     string `json:"name"`
							Quantity int    `json:"quantity"`
						} `json:"quantities"`
					} `json:"nodes"`
					PageInfo pageInfo `json:"pageInfo"`
				} `json:"inventoryLevels"`
			} `json:"inventoryItem"`
		}
		if err := s.g.do(ctx, "Levels", queryLevels, map[string]any{"id": itemID, "first": pageSize, "after": nilIfEmpty(after)}, &data); err != nil {
			return connector.Page[*inventory.Level]{}, err
		}
		if data.InventoryItem == nil {
			return connector.Page[*inventory.Level]{}, &connector.APIError{Vendor: "shopify", Op: "Levels", Kind: connector.ErrNotFound,
				Message: "no inventory item " + itemID}
		}
		p := connector.Page[*inventory.Level]{}
		for _, n := range data.InventoryItem.InventoryLevels.Nodes {
			lv := &inventory.Level{ItemID: itemID, LocationID: n.Location.ID}
			for _, q := range n.Quantities {
				switch q.Name {
				case "available":
					lv.Available = q.Quantity
				case "on_hand":
					lv.OnHand = q.Quantity
				case "committed":
					lv.Committed = q.Quantity
				}
			}
			p.Items = append(p.Items, lv)
		}
		if data.InventoryItem.InventoryLevels.PageInfo.HasNextPage {
			p.Next = data.InventoryItem.InventoryLevels.PageInfo.EndCursor
		}
		return p, nil
	})
}

// Adjust applies changes to available stock in one mutation, under
// @idempotent(key:): the caller's key, or a fresh one so that the call's
// own retries apply it once. Shopify adds deltas server-side, so
// concurrent adjustments sum exactly.
//
// What each change left comes from the mutation's quantityAfterChange,
// which Shopify's @idempotent replay repeats as first given.
func (s *StockService) Adjust(ctx context.Context, changes []inventory.Change, opts ...connector.CallOption) ([]inventory.Adjusted, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	reason, ref := changes[0].Reason, changes[0].Reference
	if reason == "" {
		reason = "correction"
	}
	var in []map[string]any
	for _, c := range changes {
		in = append(in, map[string]any{"inventoryItemId": c.ItemID, "locationId": c.LocationID, "delta": c.Delta})
	}
	input := map[string]any{"name": "available", "reason": reason, "changes": in}
	if ref != "" {
		input["referenceDocumentUri"] = ref
	}
	group, err := s.mutate(ctx, "Adjust", mutationAdjust, "inventoryAdjustQuantities", input, opts)
	if err != nil {
		return nil, err
	}
	out := make([]inventory.Adjusted, 0, len(group.Changes))
	for _, c := range group.Changes {
		if c.Name != "available" || c.QuantityAfterChange == nil {
			continue
		}
		out = append(out, inventory.Adjusted{ItemID: c.Item.ID, LocationID: c.Location.ID, Delta: c.Delta, After: *c.QuantityAfterChange})
	}
	return out, nil
}

// adjustmentGroup is the part of an InventoryAdjustmentGroup the
// connector reads.
type adjustmentGroup struct {
	Changes []struct {
		Name                string `json:"name"`
		Delta               int    `json:"delta"`
		QuantityAfterChange *int   `json:"quantityAfterChange"`
		Item                struct {
			ID string `json:"id"`
		} `json:"item"`
		Location struct {
			ID string `json:"id"`
		} `json:"location"`
	} `json:"changes"`
}

// Set sets available quantities. Quantities with Expected are
// compare-and-set (a stale expectation is connector.ErrConflict); if any
// lacks Expected, the comparison is skipped for the call.
func (s *StockService) Set(ctx context.Context, quantities []inventory.Quantity, opts ...connector.CallOption) error {
	if len(quantities) == 0 {
		return nil
	}
	ignore := false
	var in []map[string]any
	reason := quantities[0].Reason
	for _, q := range quantities {
		m := map[string]any{"inventoryItemId": q.ItemID, "locationId": q.LocationID, "quantity": q.Quantity}
		if q.Expected != nil {
			m["compareQuantity"] = *q.Expected
		} else {
			ignore = true
		}
		in = append(in, m)
	}
	if reason == "" {
		reason = "correction"
	}
	input := map[string]any{"name": "available", "reason": reason, "ignoreCompareQuantity": ignore, "quantities": in}
	_, err := s.mutate(ctx, "Set", mutationSet, "inventorySetQuantities", input, opts)
	return err
}

func (s *StockService) mutate(ctx context.Context, op, doc, field string, input map[string]any, opts []connector.CallOption) (*adjustmentGroup, error) {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	var data map[string]struct {
		Group      *adjustmentGroup `json:"inventoryAdjustmentGroup"`
		UserErrors []userError      `json:"userErrors"`
	}
	// The key makes the mutation safe for the connector to retry too.
	if err := s.g.do(ctx, op, doc, map[string]any{"input": input, "key": key}, &data, connector.WithIdempotencyKey(key)); err != nil {
		return nil, err
	}
	if err := userErrorsError(op, data[field].UserErrors); err != nil {
		return nil, err
	}
	if data[field].Group == nil {
		return &adjustmentGroup{}, nil
	}
	return data[field].Group, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
