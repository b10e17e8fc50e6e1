package square

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// StockService reads and changes inventory counts.
// https://developer.squareup.com/docs/inventory-api/what-it-does
type StockService struct{ c *connector.Client }

// Square's inventory states that make up a Level: IN_STOCK can be sold,
// RESERVED_FOR_SALE is held for open orders.
// https://developer.squareup.com/reference/square/enums/InventoryState
const (
	stateInStock  = "IN_STOCK"
	stateReserved = "RESERVED_FOR_SALE"
	stateSold     = "SOLD"
	stateWaste    = "WASTE"
	stateNone     = "NONE"
)

// countsChunk bounds the variations named in one BatchRetrieveInventoryCounts.
const countsChunk = 100

// Levels yields the levels of the filtered variations (every tracked one
// if none is named) at the filtered locations (every one if none):
// Available is IN_STOCK, Committed RESERVED_FOR_SALE, OnHand both. Square
// answers one count per state, newest first, in pages of up to 1,000 by
// cursor; the counts of one chunk of variations are gathered before their
// levels are yielded. When both items and locations are named, a pair
// Square has no count for yet is a level of zero.
// https://developer.squareup.com/reference/square/inventory-api/batch-retrieve-inventory-counts
func (s *StockService) Levels(ctx context.Context, f inventory.LevelFilter) iter.Seq2[*inventory.Level, error] {
	return func(yield func(*inventory.Level, error) bool) {
		chunks := [][]string{nil}
		if len(f.ItemIDs) > 0 {
			chunks = nil
			for ids := range slicesChunk(f.ItemIDs, countsChunk) {
				chunks = append(chunks, ids)
			}
		}
		for _, ids := range chunks {
			levels, err := s.levels(ctx, ids, f.LocationIDs)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, lv := range levels {
				if !yield(lv, nil) {
					return
				}
			}
		}
	}
}

func slicesChunk(s []string, n int) iter.Seq[[]string] {
	return func(yield func([]string) bool) {
		for i := 0; i < len(s); i += n {
			if !yield(s[i:min(i+n, len(s))]) {
				return
			}
		}
	}
}

// levels reads every count of ids (nil: all) at locations and groups them
// into levels, in the order Square first names each pair.
func (s *StockService) levels(ctx context.Context, ids, locations []string) ([]*inventory.Level, error) {
	byPair := map[[2]string]*inventory.Level{}
	var out []*inventory.Level
	level := func(item, loc string) *inventory.Level {
		k := [2]string{item, loc}
		if lv := byPair[k]; lv != nil {
			return lv
		}
		lv := &inventory.Level{ItemID: item, LocationID: loc}
		byPair[k] = lv
		out = append(out, lv)
		return lv
	}
	pages := connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[inventoryCount], error) {
		req := map[string]any{"states": []string{stateInStock, stateReserved}, "limit": 1000}
		if len(ids) > 0 {
			req["catalog_object_ids"] = ids
		}
		if len(locations) > 0 {
			req["location_ids"] = locations
		}
		if cursor != "" {
			req["cursor"] = cursor
		}
		var resp struct {
			Counts []inventoryCount `json:"counts"`
			Cursor string           `json:"cursor"`
		}
		err := s.c.JSON(ctx, http.MethodPost, "/v2/inventory/counts/batch-retrieve", req, &resp,
			connector.WithOperation("inventory.levels"), connector.WithReplayable())
		return connector.Page[inventoryCount]{Items: resp.Counts, Next: resp.Cursor}, err
	})
	for c, err := range pages {
		if err != nil {
			return nil, err
		}
		n, err := c.quantity()
		if err != nil {
			return nil, err
		}
		lv := level(c.CatalogObjectID, c.LocationID)
		switch c.State {
		case stateInStock:
			lv.Available = n
		case stateReserved:
			lv.Committed = n
		}
		lv.OnHand = lv.Available + lv.Committed
	}
	for _, id := range ids {
		for _, loc := range locations {
			level(id, loc)
		}
	}
	return out, nil
}

// Adjust applies changes in one BatchChangeInventory of ADJUSTMENT
// changes, which Square adds server-side, so concurrent adjustments sum
// exactly. Taking stock moves it IN_STOCK -> SOLD (-> WASTE for the
// reasons "damaged", "waste", "lost", "theft", "shrinkage"); adding moves
// it NONE -> IN_STOCK (SOLD -> IN_STOCK for "returned", "restock").
//
// Square requires an idempotency_key on every BatchChangeInventory: the
// caller's (connector.WithIdempotencyKey), or a new one that covers this
// call's own retries. The same key again answers what the first request
// did, so After repeats the first call's quantities. Square compares the
// request under a reused key, and "changed" may include occurred_at, the
// time of the change this call sends: a re-run of a keyed Adjust then gets
// IDEMPOTENCY_KEY_REUSED, ErrConflict: never a second change.
//
// After is derived from the counts Square answers (the IN_STOCK count of
// each variation and location once the whole batch applied), less the
// later changes of the batch to the same pair.
// https://developer.squareup.com/reference/square/inventory-api/batch-change-inventory
// https://developer.squareup.com/docs/inventory-api/how-it-works
func (s *StockService) Adjust(ctx context.Context, changes []inventory.Change, opts ...connector.CallOption) ([]inventory.Adjusted, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	var wire []map[string]any
	for i, c := range changes {
		if c.Delta == 0 || c.ItemID == "" || c.LocationID == "" {
			return nil, connector.InvalidInput("square", "inventory.adjust", fmt.Sprintf("change %d: an item, a location and a non-zero delta are needed", i))
		}
		from, to := states(c.Delta, c.Reason)
		adj := map[string]any{"catalog_object_id": c.ItemID, "location_id": c.LocationID, "from_state": from, "to_state": to,
			"quantity": strconv.Itoa(abs(c.Delta)), "occurred_at": now}
		if c.Reference != "" {
			adj["reference_id"] = c.Reference
		}
		wire = append(wire, map[string]any{"type": "ADJUSTMENT", "adjustment": adj})
	}
	counts, err := s.batchChange(ctx, "inventory.adjust", wire, opts)
	if err != nil {
		return nil, err
	}
	after := map[[2]string]int{}
	for _, c := range counts {
		if c.State != stateInStock {
			continue
		}
		n, err := c.quantity()
		if err != nil {
			return nil, err
		}
		after[[2]string{c.CatalogObjectID, c.LocationID}] = n
	}
	out := make([]inventory.Adjusted, len(changes))
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		k := [2]string{c.ItemID, c.LocationID}
		n, ok := after[k]
		if !ok {
			return nil, &connector.APIError{Vendor: "square", Op: "inventory.adjust", Kind: connector.ErrInvalidResponse,
				Message: "the changes were applied, but Square reported no IN_STOCK count of " + c.ItemID + " at " + c.LocationID}
		}
		out[i] = inventory.Adjusted{ItemID: c.ItemID, LocationID: c.LocationID, Delta: c.Delta, After: n}
		after[k] = n - c.Delta // what the pair held before this change
	}
	return out, nil
}

// states are the from and to states of an adjustment by delta and reason.
// https://developer.squareup.com/docs/inventory-api/how-it-works#inventory-states
func states(delta int, reason string) (from, to string) {
	r := strings.ToLower(strings.TrimSpace(reason))
	if delta < 0 {
		switch r {
		case "damaged", "waste", "lost", "theft", "shrinkage":
			return stateInStock, stateWaste
		}
		return stateInStock, stateSold
	}
	switch r {
	case "returned", "restock":
		return stateSold, stateInStock
	}
	return stateNone, stateInStock
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Set sets IN_STOCK quantities with PHYSICAL_COUNT changes. Square has no
// compare-and-set on inventory: a physical count replaces the count,
// whatever happened since (BatchChangeInventory takes no expected
// quantity or version; ignore_unchanged_counts only skips a count equal to
// the last one). With Expected, Set therefore checks then sets: it reads
// the counts, returns ErrConflict if one differs, and only then writes.
// A change that lands between the read and the write (a sale at the
// counter) is overwritten: the window is one round trip, not closed.
// A count already at Quantity passes the check, so that a re-run under
// the same key succeeds as the first run did. Prefer Adjust for anything
// but counting stock on the shelf.
// https://developer.squareup.com/docs/inventory-api/how-it-works#physical-counts
func (s *StockService) Set(ctx context.Context, quantities []inventory.Quantity, opts ...connector.CallOption) error {
	if len(quantities) == 0 {
		return nil
	}
	var want []inventory.Quantity
	for i, q := range quantities {
		if q.ItemID == "" || q.LocationID == "" || q.Quantity < 0 {
			return connector.InvalidInput("square", "inventory.set", fmt.Sprintf("quantity %d: an item, a location and a quantity of 0 or more are needed", i))
		}
		if q.Expected != nil {
			want = append(want, q)
		}
	}
	for _, q := range want {
		got, err := s.available(ctx, q.ItemID, q.LocationID)
		if err != nil {
			return err
		}
		// A count already at the quantity wanted is no conflict: it is
		// this Set's own re-run under its key (which Square answers as the
		// first time), or a set to the same quantity, which changes nothing.
		if got != *q.Expected && got != q.Quantity {
			return &connector.APIError{Vendor: "square", Op: "inventory.set", Kind: connector.ErrConflict,
				Message: fmt.Sprintf("%s at %s holds %d, not the expected %d: nothing was set", q.ItemID, q.LocationID, got, *q.Expected)}
		}
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	var wire []map[string]any
	for _, q := range quantities {
		wire = append(wire, map[string]any{"type": "PHYSICAL_COUNT", "physical_count": map[string]any{
			"catalog_object_id": q.ItemID, "location_id": q.LocationID, "state": stateInStock,
			"quantity": strconv.Itoa(q.Quantity), "occurred_at": now}})
	}
	_, err := s.batchChange(ctx, "inventory.set", wire, opts)
	return err
}

// available reads one IN_STOCK count; none yet is 0.
func (s *StockService) available(ctx context.Context, itemID, locationID string) (int, error) {
	levels, err := s.levels(ctx, []string{itemID}, []string{locationID})
	if err != nil {
		return 0, err
	}
	return levels[0].Available, nil
}

// batchChange sends one BatchChangeInventory under the caller's key or a
// new one, and returns the counts Square answers.
func (s *StockService) batchChange(ctx context.Context, op string, changes []map[string]any, opts []connector.CallOption) ([]inventoryCount, error) {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		key = connector.NewKey()
	}
	var resp struct {
		Counts []inventoryCount `json:"counts"`
	}
	req := map[string]any{"idempotency_key": key, "changes": changes}
	// The key in the body makes the request safe for the connector to
	// repeat after a lost answer.
	err := s.c.JSON(ctx, http.MethodPost, "/v2/inventory/changes/batch-create", req, &resp,
		connector.WithOperation(op), connector.WithIdempotencyKey(key))
	return resp.Counts, err
}
