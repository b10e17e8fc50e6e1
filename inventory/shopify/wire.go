package shopify

import (
	"encoding/json"

	"github.com/patchbay-go/patchbay/inventory"
)

// The Admin API's GraphQL shapes the connector reads (camelCase, ids as
// global ids, "gid://shopify/InventoryItem/1"), and their conversion to
// the inventory types.

type pageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// pageSize is the connections' page: 100 nodes.
const pageSize = 100

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

// item is the variant's inventory item: the product's title, with the
// variant's unless it is the only one ("Default Title").
func (v variantWire) item(raw json.RawMessage) *inventory.Item {
	title := v.Product.Title
	if v.Title != "" && v.Title != "Default Title" {
		title += " - " + v.Title
	}
	return &inventory.Item{ID: v.InventoryItem.ID, SKU: v.SKU, Title: title, Tracked: v.InventoryItem.Tracked, Raw: raw}
}

type locationWire struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	IsActive bool   `json:"isActive"`
}

func (l locationWire) location(raw json.RawMessage) *inventory.Location {
	return &inventory.Location{ID: l.ID, Name: l.Name, Active: l.IsActive, Raw: raw}
}

// quantitiesWire is an inventory level's named quantities.
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

// adjusted is what the group's changes to available stock left.
func (g *adjustmentGroup) adjusted() []inventory.Adjusted {
	out := make([]inventory.Adjusted, 0, len(g.Changes))
	for _, c := range g.Changes {
		if c.Name != "available" || c.QuantityAfterChange == nil {
			continue
		}
		out = append(out, inventory.Adjusted{ItemID: c.Item.ID, LocationID: c.Location.ID, Delta: c.Delta, After: *c.QuantityAfterChange})
	}
	return out
}

// nilIfEmpty sends an empty optional variable as null.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
