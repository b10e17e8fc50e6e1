package woocommerce

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// The REST API's JSON shapes the connector reads (snake_case, integer
// ids, money as decimal strings), and their conversion to the inventory
// types.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#product-properties
// https://woocommerce.github.io/woocommerce-rest-api-docs/#product-variation-properties

// productWire is a product, or a variation as /products?sku= answers it
// (type "variation", with parent_id), or a variation as
// /products/{id}/variations answers it (neither type nor parent_id: the
// path says).
type productWire struct {
	ID            int64           `json:"id"`
	Name          string          `json:"name"`
	Type          string          `json:"type"`
	ParentID      int64           `json:"parent_id"`
	SKU           string          `json:"sku"`
	ManageStock   json.RawMessage `json:"manage_stock"` // true, false, or "parent" on a variation whose parent keeps the stock
	StockQuantity *json.Number    `json:"stock_quantity"`
	Attributes    []attributeWire `json:"attributes"`
	MetaData      []metaWire      `json:"meta_data"`
	DateModified  string          `json:"date_modified_gmt"`
	Variations    []int64         `json:"variations"`
}

type attributeWire struct {
	Name   string `json:"name"`
	Option string `json:"option"`
}

// metaWire is one meta_data entry. WooCommerce's value is any JSON; the
// connector writes strings.
type metaWire struct {
	ID    int64           `json:"id,omitempty"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// managed says the product or variation counts its own stock
// (manage_stock true, not "parent").
func (p *productWire) managed() bool { return string(p.ManageStock) == "true" }

// quantity is stock_quantity as a whole number (null: not counted).
func (p *productWire) quantity() (int, bool) {
	if p.StockQuantity == nil {
		return 0, false
	}
	if n, err := p.StockQuantity.Int64(); err == nil {
		return int(n), true
	}
	// A plugin can make stock fractional (wc_stock_amount's filter): keep
	// the whole units.
	if f, err := p.StockQuantity.Float64(); err == nil {
		return int(f), true
	}
	return 0, false
}

// meta returns the value of the meta entry with key, as a string.
func (p *productWire) meta(key string) string {
	for _, m := range p.MetaData {
		if m.Key == key {
			return text(m.Value)
		}
	}
	return ""
}

// itemRef is what an inventory.Item's ID names: a product, or a variation
// of its parent product. Its text is "123" or "123/456" (parent/variation).
type itemRef struct {
	product, variation int64
}

func (r itemRef) String() string {
	if r.variation == 0 {
		return strconv.FormatInt(r.product, 10)
	}
	return strconv.FormatInt(r.product, 10) + "/" + strconv.FormatInt(r.variation, 10)
}

// path is the item's REST path.
func (r itemRef) path() string {
	if r.variation == 0 {
		return "/products/" + strconv.FormatInt(r.product, 10)
	}
	return "/products/" + strconv.FormatInt(r.product, 10) + "/variations/" + strconv.FormatInt(r.variation, 10)
}

// parseItemID reads an Item ID; anything else is ErrValidation, sent
// nowhere.
func parseItemID(id, op string) (itemRef, error) {
	parts := strings.Split(id, "/")
	var r itemRef
	ok := len(parts) == 1 || len(parts) == 2
	if ok {
		p, err := strconv.ParseInt(parts[0], 10, 64)
		r.product, ok = p, err == nil && p > 0
	}
	if ok && len(parts) == 2 {
		v, err := strconv.ParseInt(parts[1], 10, 64)
		r.variation, ok = v, err == nil && v > 0
	}
	if !ok {
		return itemRef{}, connector.InvalidInput(vendorName, op, "no WooCommerce item has id "+strconv.Quote(id)+
			": an item id is a product id (\"123\") or a parent and variation id (\"123/456\")")
	}
	return r, nil
}

// ref is the item the product answer is: a variation, answered by
// /products?sku= with type "variation" and its parent, is named through
// its parent.
func (p *productWire) ref() itemRef {
	if p.Type == "variation" && p.ParentID > 0 {
		return itemRef{product: p.ParentID, variation: p.ID}
	}
	return itemRef{product: p.ID}
}

// item is the inventory.Item of a product or variation; parentName titles
// a variation answered by the variations endpoint, which has no name.
func (p *productWire) item(ref itemRef, parentName string, raw json.RawMessage) *inventory.Item {
	title := p.Name
	if title == "" {
		var opts []string
		for _, a := range p.Attributes {
			opts = append(opts, a.Option)
		}
		title = strings.TrimSpace(parentName + " - " + strings.Join(opts, ", "))
	}
	return &inventory.Item{ID: ref.String(), SKU: p.SKU, Title: title, Tracked: p.managed(), Raw: raw}
}

// gmt reads WooCommerce's *_gmt dates ("2017-03-22T19:28:08", no zone:
// UTC). Zero if it is not one.
func gmt(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04:05", strings.TrimSuffix(s, "Z"))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
