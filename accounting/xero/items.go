package xero

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector"
)

// Item is a product or service in Xero, which invoice lines can name by
// Code so that Xero fills in its description, price, account and tax.
type Item struct {
	ID          string
	Code        string // unique, at most 30 characters
	Name        string
	Description string
	// UnitPrice is the sale price in the organisation's currency; exact.
	UnitPrice   decimal.Decimal
	AccountCode string
	TaxType     string
	UpdatedAt   time.Time
	Warnings    []string // what Xero flagged on the item without refusing it
	Raw         json.RawMessage
}

// ItemsService reads and writes items.
// https://developer.xero.com/documentation/api/accounting/items
type ItemsService struct{ c *connector.Client }

// Get returns an item by its ItemID or by its code.
//
// Xero's published spec types the path of GET /Items/{ItemID} as the
// item's UUID only, so an id goes there, and a code is looked up with the
// where filter the spec documents for GET /Items: both forms are
// requests the spec describes, whatever the API also accepts.
//
// Xero API: GET /Items/{ItemID}, GET /Items?where=Code=="...".
func (s *ItemsService) Get(ctx context.Context, idOrCode string) (*Item, error) {
	path := "/Items/" + url.PathEscape(idOrCode)
	if !isUUID(idOrCode) {
		path = "/Items?where=" + url.QueryEscape("Code=="+quote(idOrCode))
	}
	items, err := s.fetch(ctx, path, "items.get")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, notFound("items.get", "item "+idOrCode)
	}
	return items[0], nil
}

// List returns every item (Xero does not page items).
//
// Xero API: GET /Items.
func (s *ItemsService) List(ctx context.Context) ([]*Item, error) {
	return s.fetch(ctx, "/Items", "items.list")
}

// Upsert creates the item with it.Code, or updates it: repeating it changes
// nothing.
//
// Xero API: POST /Items.
func (s *ItemsService) Upsert(ctx context.Context, it Item, opts ...connector.CallOption) (*Item, error) {
	var env itemsEnvelope
	if err := s.c.JSON(ctx, http.MethodPost, "/Items", map[string][]itemWire{"Items": {toItemWire(it)}}, &env,
		append(opts, connector.WithOperation("items.upsert"))...); err != nil {
		return nil, err
	}
	items, err := decodeItems(env.Items, "items.upsert", false)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, invalid("items.upsert", "the answer holds no item")
	}
	return items[0], nil
}

// isUUID reports whether s is a UUID in its text form, as Xero's ids are.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}

func (s *ItemsService) fetch(ctx context.Context, path, op string) ([]*Item, error) {
	var env itemsEnvelope
	if err := getJSON(ctx, s.c, path, op, time.Time{}, &env); err != nil {
		return nil, err
	}
	return decodeItems(env.Items, op, true)
}
