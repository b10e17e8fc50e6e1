package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// StockService reads and changes stock_quantity. WooCommerce's REST API
// only sets it: see the package documentation for how Adjust is built on
// that and what it guarantees.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-a-product
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-a-product-variation
type StockService struct{ a *api }

// journalKey is the product meta entry where Adjust records the last
// keyed changes, in the same write that sets the quantity. The leading
// underscore keeps it out of the admin's custom fields box.
const journalKey = "_patchbay_stock_journal"

// The journal keeps an entry while a retry under its key may still come:
// for journalRetention after the change, and always the last journalKeep
// entries, but never more than journalMax, which bounds what every read
// of the item carries (an entry is about 60 bytes). A flow retries an
// order for hours while other orders adjust the same item: a bound by
// count alone (the last 50) forgot keys on a busy item and took its stock
// twice.
const (
	journalRetention = 24 * time.Hour
	journalKeep      = 50
	journalMax       = 1000
)

// maxRedo bounds how often Adjust applies a change again after another
// writer overwrote it.
const maxRedo = 3

// journalEntry is one adjustment: its key, delta, the quantity after, and
// when (Unix seconds; 0 in entries written before it was kept).
type journalEntry struct {
	Key   string `json:"k"`
	Delta int    `json:"d"`
	After int    `json:"a"`
	At    int64  `json:"t,omitempty"`
}

type journal []journalEntry

func readJournal(p *productWire) journal {
	var j journal
	_ = json.Unmarshal([]byte(p.meta(journalKey)), &j)
	return j
}

// prune drops what the journal need no longer keep at now: entries past
// journalMax, then, oldest first, entries older than journalRetention
// while more than journalKeep remain.
func (j journal) prune(now time.Time) journal {
	start := max(0, len(j)-journalMax)
	cutoff := now.Add(-journalRetention).Unix()
	for start < len(j)-journalKeep && j[start].At < cutoff {
		start++
	}
	return j[start:]
}

func (j journal) find(key string) (journalEntry, bool) {
	for _, e := range j {
		if e.Key == key {
			return e, true
		}
	}
	return journalEntry{}, false
}

// Levels yields the stock of the filtered items (every item if none is
// named) at the one location: Available and OnHand are both
// stock_quantity (WooCommerce takes stock when an order is paid or put on
// hold, so it already leaves out what is sold), Committed is 0. Items
// that do not manage stock have no level.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#retrieve-a-product
func (s *StockService) Levels(ctx context.Context, f inventory.LevelFilter) iter.Seq2[*inventory.Level, error] {
	return func(yield func(*inventory.Level, error) bool) {
		if len(f.LocationIDs) > 0 && !slices.Contains(f.LocationIDs, LocationID) {
			return
		}
		if len(f.ItemIDs) == 0 {
			for it, err := range (&ItemsService{a: s.a}).List(ctx) {
				if err != nil {
					yield(nil, err)
					return
				}
				var p productWire
				if json.Unmarshal(it.Raw, &p) != nil {
					continue
				}
				if q, ok := p.quantity(); ok && p.managed() && !yield(&inventory.Level{ItemID: it.ID, LocationID: LocationID, Available: q, OnHand: q}, nil) {
					return
				}
			}
			return
		}
		for _, id := range f.ItemIDs {
			ref, err := parseItemID(id, "stock.levels")
			if err != nil {
				yield(nil, err)
				return
			}
			p, err := s.get(ctx, ref, "stock.levels")
			if err != nil {
				yield(nil, err)
				return
			}
			if q, ok := p.quantity(); ok && p.managed() && !yield(&inventory.Level{ItemID: id, LocationID: LocationID, Available: q, OnHand: q}, nil) {
				return
			}
		}
	}
}

// get reads a product or variation.
func (s *StockService) get(ctx context.Context, ref itemRef, op string) (*productWire, error) {
	var p productWire
	if err := s.a.c.JSON(ctx, http.MethodGet, ref.path(), nil, &p, connector.WithOperation(op)); err != nil {
		return nil, err
	}
	return &p, nil
}

// put sets a product's or variation's fields and returns it as saved.
// A PUT is safe to repeat: it sets, so the connector retries it.
func (s *StockService) put(ctx context.Context, ref itemRef, body map[string]any, op string) (*productWire, error) {
	var p productWire
	if err := s.a.c.JSON(ctx, http.MethodPut, ref.path(), body, &p, connector.WithOperation(op)); err != nil {
		return nil, err
	}
	return &p, nil
}

// Adjust applies each change in turn: it reads the item, adds the delta,
// and sets the result, recording the key, delta and result in the item's
// journal (meta_data) in the same write. Changes to one item through this
// client are serialised, so none of them is lost to another; a repeat of
// a key finds it in the journal and reports the first time's quantity
// without writing. After each write the item is read again: if another
// connector's write, computed from the quantity before this one, has
// replaced it (the journal lacks the key), the change is applied again,
// up to three times, then ErrConflict. See the package documentation for
// what remains.
//
// WooCommerce has no relative stock change over REST: PUT sets
// stock_quantity, and the undocumented inventory_delta adds to the
// quantity the request loaded, in PHP, no safer than this. The atomic
// SQL increment (wc_update_product_stock) runs only on checkout and order
// status changes.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-a-product
func (s *StockService) Adjust(ctx context.Context, changes []inventory.Change, opts ...connector.CallOption) ([]inventory.Adjusted, error) {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey() // the call's own retries apply once
	}
	refs := make([]itemRef, len(changes))
	for i, c := range changes {
		ref, err := parseItemID(c.ItemID, "stock.adjust")
		if err != nil {
			return nil, err
		}
		if c.LocationID != "" && c.LocationID != LocationID {
			return nil, connector.InvalidInput(vendorName, "stock.adjust", "a WooCommerce shop has one location, "+LocationID+", not "+strconv.Quote(c.LocationID))
		}
		refs[i] = ref
	}
	out := make([]inventory.Adjusted, 0, len(changes))
	for i, c := range changes {
		after, err := s.adjustOne(ctx, refs[i], c.Delta, key+"#"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		out = append(out, inventory.Adjusted{ItemID: c.ItemID, LocationID: LocationID, Delta: c.Delta, After: after})
	}
	return out, nil
}

// adjustOne applies one delta under entryKey and returns the quantity
// after it.
func (s *StockService) adjustOne(ctx context.Context, ref itemRef, delta int, entryKey string) (int, error) {
	unlock := s.a.lock(ref.String())
	defer unlock()
	for range maxRedo {
		p, err := s.get(ctx, ref, "stock.adjust")
		if err != nil {
			return 0, unknownItem(err)
		}
		j := readJournal(p)
		if e, ok := j.find(entryKey); ok {
			return e.After, nil
		}
		q, ok := p.quantity()
		if !p.managed() || !ok {
			return 0, connector.InvalidInput(vendorName, "stock.adjust", "item "+ref.String()+" does not manage stock (manage_stock is not true)")
		}
		after := q + delta
		now := time.Now()
		j = append(j, journalEntry{Key: entryKey, Delta: delta, After: after, At: now.Unix()}).prune(now)
		enc, _ := json.Marshal(j)
		body := map[string]any{"stock_quantity": after, "meta_data": []metaWire{{Key: journalKey, Value: mustString(string(enc))}}}
		if _, err := s.put(ctx, ref, body, "stock.adjust"); err != nil {
			return 0, unknownItem(err)
		}
		// Read again: a write that another client computed from the
		// quantity before ours may have replaced it.
		p, err = s.get(ctx, ref, "stock.adjust")
		if err != nil {
			return 0, err
		}
		if _, ok := readJournal(p).find(entryKey); ok {
			return after, nil
		}
	}
	return 0, &connector.APIError{Vendor: vendorName, Op: "stock.adjust", Kind: connector.ErrConflict,
		Message: "item " + ref.String() + " was overwritten by another writer " + strconv.Itoa(maxRedo) + " times; the change is not applied"}
}

// Set sets stock_quantity. With Expected, the connector reads the
// quantity first and refuses a stale expectation with ErrConflict: the
// comparison is the connector's, serialised with this client's other
// changes to the item, not WooCommerce's (which has no conditional
// update), so a write from elsewhere between the read and the set is not
// seen.
// https://woocommerce.github.io/woocommerce-rest-api-docs/#update-a-product
func (s *StockService) Set(ctx context.Context, quantities []inventory.Quantity, opts ...connector.CallOption) error {
	for _, q := range quantities {
		ref, err := parseItemID(q.ItemID, "stock.set")
		if err != nil {
			return err
		}
		if q.LocationID != "" && q.LocationID != LocationID {
			return connector.InvalidInput(vendorName, "stock.set", "a WooCommerce shop has one location, "+LocationID+", not "+strconv.Quote(q.LocationID))
		}
		if err := s.setOne(ctx, ref, q); err != nil {
			return err
		}
	}
	return nil
}

func (s *StockService) setOne(ctx context.Context, ref itemRef, q inventory.Quantity) error {
	unlock := s.a.lock(ref.String())
	defer unlock()
	if q.Expected != nil {
		p, err := s.get(ctx, ref, "stock.set")
		if err != nil {
			return unknownItem(err)
		}
		if cur, _ := p.quantity(); cur != *q.Expected {
			return &connector.APIError{Vendor: vendorName, Op: "stock.set", Kind: connector.ErrConflict,
				Message: "item " + ref.String() + " has " + strconv.Itoa(cur) + ", not the expected " + strconv.Itoa(*q.Expected)}
		}
	}
	_, err := s.put(ctx, ref, map[string]any{"stock_quantity": q.Quantity}, "stock.set")
	return unknownItem(err)
}

// unknownItem makes a change to an item that does not exist a validation
// error, as the inventory contract has it, keeping WooCommerce's code and
// message.
func unknownItem(err error) error {
	var apiErr *connector.APIError
	if errors.As(err, &apiErr) && errors.Is(err, connector.ErrNotFound) {
		e := *apiErr
		e.Kind = connector.ErrValidation
		return &e
	}
	return err
}

// mustString is s as a JSON string.
func mustString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}
