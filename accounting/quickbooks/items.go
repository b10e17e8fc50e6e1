package quickbooks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"

	"github.com/govalues/decimal"
)

// Item is a product or service invoice lines refer to (ItemRef).
type Item struct {
	ID              string
	Name            string
	Description     string
	Type            string          // Service, NonInventory, Inventory
	UnitPrice       decimal.Decimal // in the company's currency
	IncomeAccountID string          // IncomeAccountRef
	Active          bool
	Raw             json.RawMessage
}

type itemWire struct {
	ID               string      `json:"Id,omitempty"`
	SyncToken        string      `json:"SyncToken,omitempty"`
	Name             string      `json:"Name,omitempty"`
	Description      string      `json:"Description,omitempty"`
	Active           *bool       `json:"Active,omitempty"`
	UnitPrice        json.Number `json:"UnitPrice,omitempty"`
	Type             string      `json:"Type,omitempty"`
	IncomeAccountRef *ref        `json:"IncomeAccountRef,omitempty"`
	MetaData         *metaData   `json:"MetaData,omitempty"`
}

func decodeItem(raw json.RawMessage) (*Item, error) {
	var w itemWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	it := &Item{ID: w.ID, Name: w.Name, Description: w.Description, Type: w.Type, IncomeAccountID: w.IncomeAccountRef.id(),
		Active: w.Active == nil || *w.Active, Raw: raw}
	if w.UnitPrice != "" {
		d, err := decimal.Parse(string(w.UnitPrice))
		if err != nil {
			return nil, err
		}
		it.UnitPrice = d
	}
	return it, nil
}

// ItemsService reads items.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/item
type ItemsService struct{ a *api }

// Get returns one item.
//
// QuickBooks API: GET /v3/company/{realmId}/item/{itemId}.
func (s *ItemsService) Get(ctx context.Context, id string) (*Item, error) {
	const op = "items.get"
	out, err := s.a.get(ctx, "item/"+url.PathEscape(id), nil, op)
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, notFound(op, "item "+id)
	}
	it, err := decodeItem(out.Item)
	if err != nil {
		return nil, invalid(op, "the item could not be decoded")
	}
	return it, nil
}

// FindByName returns the item with that Name.
//
// QuickBooks API: GET /v3/company/{realmId}/query?query=select * from Item where Name = '...'.
func (s *ItemsService) FindByName(ctx context.Context, name string) (*Item, error) {
	const op = "items.findByName"
	raws, err := s.a.query(ctx, "Item", "select * from Item where Name = "+quote(name)+" MAXRESULTS 1", op)
	if err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, notFound(op, "no item is named "+name)
	}
	it, err := decodeItem(raws[0])
	if err != nil {
		return nil, invalid(op, "the item could not be decoded")
	}
	return it, nil
}

// List yields items, 100 a page.
//
// QuickBooks API: GET /v3/company/{realmId}/query (select * from Item STARTPOSITION n MAXRESULTS 100).
func (s *ItemsService) List(ctx context.Context) iter.Seq2[*Item, error] {
	return queryAll(ctx, s.a, "Item", "", "items.list", decodeItem)
}
