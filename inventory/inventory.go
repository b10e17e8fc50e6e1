package inventory

import (
	"context"
	"encoding/json"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
)

// Item is a stocked product variant, known by its SKU.
type Item struct {
	ID      string // the vendor's inventory item id
	SKU     string
	Title   string
	Tracked bool // whether the vendor counts its stock
	Raw     json.RawMessage
}

// Location is where stock is kept.
type Location struct {
	ID     string
	Name   string
	Active bool
	Raw    json.RawMessage
}

// Level is an item's stock at a location.
type Level struct {
	ItemID     string
	LocationID string
	Available  int // can be sold
	OnHand     int // physically there
	Committed  int // sold, not yet shipped
}

// Change adjusts available stock by Delta (negative to take stock).
type Change struct {
	ItemID     string
	LocationID string
	Delta      int
	// Reason is why ("correction", "received", ...); vendors have their lists.
	Reason string
	// Reference names what caused the change, such as the order
	// (a URI, e.g. "order://1001").
	Reference string
}

// Adjusted is what one change left: the available quantity right after it,
// as the vendor reported at the time. A repeat under the same idempotency
// key reports the first time's, so "did this take the last unit?" has the
// same answer on every re-run.
type Adjusted struct {
	ItemID     string
	LocationID string
	Delta      int
	After      int
}

// Quantity sets available stock to Quantity. With Expected set, the set
// happens only if the current quantity is Expected (compare-and-set);
// otherwise it is connector.ErrConflict.
type Quantity struct {
	ItemID     string
	LocationID string
	Quantity   int
	Expected   *int
	Reason     string
}

// LevelFilter narrows Levels; empty means all.
type LevelFilter struct {
	ItemIDs     []string
	LocationIDs []string
}

// Items lists the stocked items.
type Items interface {
	List(ctx context.Context) iter.Seq2[*Item, error]
	// GetBySKU returns the item with the SKU, or connector.ErrNotFound.
	GetBySKU(ctx context.Context, sku string) (*Item, error)
}

// Locations lists where stock is kept.
type Locations interface {
	List(ctx context.Context) iter.Seq2[*Location, error]
}

// Stock reads and changes levels.
type Stock interface {
	Levels(ctx context.Context, f LevelFilter) iter.Seq2[*Level, error]
	// Adjust applies changes in one call where the vendor allows. Deltas
	// add up exactly under concurrency, and the same idempotency key twice
	// applies them once. It returns what each change left, in order.
	Adjust(ctx context.Context, changes []Change, opts ...connector.CallOption) ([]Adjusted, error)
	// Set sets absolute quantities, compare-and-set where Expected is given
	// and the vendor supports it.
	Set(ctx context.Context, quantities []Quantity, opts ...connector.CallOption) error
}
