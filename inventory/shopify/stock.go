package shopify

import (
	"context"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The documents StockService sends. Each validates against the Admin
// schema (see the conformance test), but for @idempotent, which arrived in
// 2026-01.
const (
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

// StockService reads and changes levels.
// https://shopify.dev/docs/api/admin-graphql/latest/objects/InventoryLevel
type StockService struct{ g *graphQL }

// Levels yields the levels of the filtered items (every item if none is
// named) at the filtered locations.
// https://shopify.dev/docs/api/admin-graphql/latest/queries/inventoryItem
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
						Quantities quantitiesWire `json:"quantities"`
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
			n.Quantities.into(lv)
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
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventoryAdjustQuantities
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
	return group.adjusted(), nil
}

// Set sets available quantities. Quantities with Expected are
// compare-and-set (a stale expectation is connector.ErrConflict); if any
// lacks Expected, the comparison is skipped for the call.
// https://shopify.dev/docs/api/admin-graphql/latest/mutations/inventorySetQuantities
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
	if err := userErrorsError(op, data[field].UserErrors, s.g.c.Redact); err != nil {
		return nil, err
	}
	if data[field].Group == nil {
		return &adjustmentGroup{}, nil
	}
	return data[field].Group, nil
}
