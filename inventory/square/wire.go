package square

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The Square JSON shapes the services read and send, trimmed to the fields
// they use. https://developer.squareup.com/reference/square/objects

// moneyWire is Square's Money: an amount in the currency's smallest unit.
// https://developer.squareup.com/reference/square/objects/Money
type moneyWire struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// decimalOf converts an amount in the smallest unit into the currency's
// units, exactly: USD 1299 is 12.99, JPY 1299 is 1299, KWD 1299 is 1.299.
// https://developer.squareup.com/docs/build-basics/common-data-types/working-with-monetary-amounts
func (m moneyWire) decimal() (decimal.Decimal, error) {
	curr, err := money.ParseCurr(m.Currency)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("unknown currency %q", m.Currency)
	}
	return decimal.New(m.Amount, curr.Scale())
}

// MinorUnits converts an amount in currency's units into its smallest unit,
// as Square's Money takes it: 12.99 USD is 1299. An amount with more
// decimals than the currency has is an error, never rounded.
func MinorUnits(amount decimal.Decimal, currency string) (int64, error) {
	curr, err := money.ParseCurr(currency)
	if err != nil {
		return 0, fmt.Errorf("square: unknown currency %q", currency)
	}
	if amount.MinScale() > curr.Scale() {
		return 0, fmt.Errorf("square: %s has %d decimals, %s more", currency, curr.Scale(), amount)
	}
	whole, frac, ok := amount.Int64(curr.Scale())
	if !ok {
		return 0, fmt.Errorf("square: amount %s out of range", amount)
	}
	scale := int64(1)
	for range curr.Scale() {
		scale *= 10
	}
	return whole*scale + frac, nil
}

// catalogObject is a CatalogObject of type ITEM or ITEM_VARIATION.
// https://developer.squareup.com/reference/square/objects/CatalogObject
type catalogObject struct {
	Type              string            `json:"type"`
	ID                string            `json:"id"`
	IsDeleted         bool              `json:"is_deleted"`
	ItemData          *catalogItem      `json:"item_data"`
	ItemVariationData *catalogVariation `json:"item_variation_data"`
}

// catalogItem is an ITEM's item_data: its variations come nested.
type catalogItem struct {
	Name       string            `json:"name"`
	Variations []json.RawMessage `json:"variations"`
}

// catalogVariation is an ITEM_VARIATION's item_variation_data.
// https://developer.squareup.com/reference/square/objects/CatalogItemVariation
type catalogVariation struct {
	ItemID         string `json:"item_id"`
	Name           string `json:"name"`
	SKU            string `json:"sku"`
	TrackInventory *bool  `json:"track_inventory"`
}

// variationItem maps an ITEM_VARIATION (raw, as Square sent it) onto an
// inventory.Item: its ID is the variation's id, which inventory counts and
// order lines name; its title the item's name, with the variation's when
// the item has several.
func variationItem(raw json.RawMessage, itemName string) (*inventory.Item, error) {
	var o catalogObject
	if err := json.Unmarshal(raw, &o); err != nil || o.ID == "" || o.ItemVariationData == nil {
		return nil, &connector.APIError{Vendor: "square", Op: "catalog.decode", Kind: connector.ErrInvalidResponse,
			Message: "a catalog item variation could not be decoded"}
	}
	v := o.ItemVariationData
	title := strings.TrimSpace(itemName)
	if v.Name != "" && !strings.EqualFold(v.Name, "Regular") {
		title = strings.TrimSpace(title + " - " + v.Name)
	}
	if title == "" {
		title = v.Name
	}
	return &inventory.Item{ID: o.ID, SKU: v.SKU, Title: title, Tracked: v.TrackInventory != nil && *v.TrackInventory, Raw: raw}, nil
}

// inventoryCount is an InventoryCount: one state's quantity of one
// variation at one location, as a decimal string.
// https://developer.squareup.com/reference/square/objects/InventoryCount
type inventoryCount struct {
	CatalogObjectID string `json:"catalog_object_id"`
	State           string `json:"state"`
	LocationID      string `json:"location_id"`
	Quantity        string `json:"quantity"`
}

// quantity reads a count's decimal quantity as whole units. Square keeps
// up to 5 decimals for items sold by measure (kg, m); such a count is an
// error here, not a rounded number.
func (c inventoryCount) quantity() (int, error) {
	d, err := decimal.Parse(c.Quantity)
	if err != nil {
		return 0, badCount(c, "is no decimal")
	}
	whole, _, ok := d.Int64(0)
	if !d.IsInt() || !ok || whole != int64(int(whole)) {
		return 0, badCount(c, "is not a whole number of units")
	}
	return int(whole), nil
}

func badCount(c inventoryCount, why string) error {
	return &connector.APIError{Vendor: "square", Op: "inventory.decode", Kind: connector.ErrInvalidResponse,
		Message: fmt.Sprintf("the %s count %q of %s at %s %s", c.State, c.Quantity, c.CatalogObjectID, c.LocationID, why)}
}
