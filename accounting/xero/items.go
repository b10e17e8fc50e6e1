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
	Raw         json.RawMessage
}

// ItemsService reads and writes items.
// https://developer.xero.com/documentation/api/accounting/items
type ItemsService struct{ c *connector.Client }

// Get returns an item by id or code.
//
// Xero API: GET /Items/{ItemID}.
func (s *ItemsService) Get(ctx context.Context, idOrCode string) (*Item, error) {
	items, err := s.fetch(ctx, "/Items/"+url.PathEscape(idOrCode), "items.get")
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
	items, err := decodeItems(env.Items, "items.upsert")
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, invalid("items.upsert", "the answer holds no item")
	}
	return items[0], nil
}

func (s *ItemsService) fetch(ctx context.Context, path, op string) ([]*Item, error) {
	var env itemsEnvelope
	if err := getJSON(ctx, s.c, path, op, time.Time{}, &env); err != nil {
		return nil, err
	}
	return decodeItems(env.Items, op)
}
