package shopify

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
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

// inventory maps a Shopify order, as DecodeOrder reads a webhook and as
// orderWire.order reads an Order node, to the vendor-neutral order: the
// one mapping behind FromWebhook, Get and List, so that they agree. raw is
// what Shopify sent.
func (o *Order) inventory(raw []byte) *inventory.Order {
	out := &inventory.Order{ID: strconv.FormatInt(o.ID, 10), Number: o.Name, Currency: o.Currency,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Raw: json.RawMessage(raw), Customer: inventory.Customer{Email: o.Email}}
	if out.Number == "" {
		out.Number = out.ID
	}
	if c := o.Customer; c != nil {
		out.Customer.FirstName, out.Customer.LastName, out.Customer.Phone = c.FirstName, c.LastName, c.Phone
		if out.Customer.Email == "" {
			out.Customer.Email = c.Email
		}
	}
	if a := o.ShippingAddress; a != nil {
		name := a.Name
		if name == "" {
			name = strings.TrimSpace(a.FirstName + " " + a.LastName)
		}
		out.ShipTo = shipping.Address{Name: name, Company: a.Company, Street1: a.Address1, Street2: a.Address2, City: a.City,
			Region: a.ProvinceCode, PostalCode: a.Zip, Country: a.CountryCode, Phone: a.Phone, Email: out.Customer.Email}
	}
	for _, l := range o.LineItems {
		out.Lines = append(out.Lines, inventory.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPrice: l.Price})
	}
	// The first shipping line is the customer's choice; an order has more
	// only when it was edited.
	if len(o.ShippingLines) > 0 {
		out.Shipping = o.ShippingLines[0].Title
		if out.Shipping == "" {
			out.Shipping = o.ShippingLines[0].Code
		}
	}
	out.Express = o.Express()
	return out
}
