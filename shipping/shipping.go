package shipping

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

var errValidation = connector.ErrValidation

// Rate is a price to ship a shipment with one carrier service.
type Rate struct {
	ID            string
	Carrier       string // "USPS", "UPS", "DHL Express"
	Service       string // the service's name, "Priority Mail"
	ServiceToken  string // its stable id, "usps_priority"
	Amount        money.Amount
	EstimatedDays int // 0 when the carrier gives none
	Raw           json.RawMessage
}

// LabelStatus is where a label is in its life.
type LabelStatus string

const (
	LabelCreated       LabelStatus = "created"
	LabelQueued        LabelStatus = "queued" // bought, being produced
	LabelVoidRequested LabelStatus = "void_requested"
	LabelVoided        LabelStatus = "voided"
	LabelError         LabelStatus = "error"
)

// Label is a bought shipping label.
type Label struct {
	ID             string
	RateID         string
	Amount         money.Amount // what the label cost
	TrackingNumber string
	TrackingURL    string
	LabelURL       string // where to download it (PDF, PNG, ZPL)
	Carrier        string
	Status         LabelStatus
	Raw            json.RawMessage
}

// TrackingState is where a parcel is.
type TrackingState string

const (
	PreTransit TrackingState = "pre_transit"
	InTransit  TrackingState = "in_transit"
	Delivered  TrackingState = "delivered"
	Returned   TrackingState = "returned"
	Failure    TrackingState = "failure"
	Unknown    TrackingState = "unknown"
)

// TrackingEvent is one scan or status change.
type TrackingEvent struct {
	State    TrackingState
	Detail   string
	At       time.Time
	Location string
}

// TrackingStatus is a parcel's latest state and its history, oldest first.
type TrackingStatus struct {
	Carrier        string
	TrackingNumber string
	TrackingEvent
	History []TrackingEvent
	Raw     json.RawMessage
}

// Rates quotes shipments.
type Rates interface {
	// Quote returns the rates for sending parcels from one address to
	// another. Invalid addresses and parcels are refused before any call,
	// as *AddressError or *ParcelError.
	Quote(ctx context.Context, from, to Address, parcels []Parcel) ([]Rate, error)
}

// Labels buys and voids labels.
type Labels interface {
	// Buy purchases the label for a rate. With an idempotency key, the same
	// key twice gives one label and one charge, even when the first call's
	// answer was lost after the purchase went through.
	Buy(ctx context.Context, rateID string, opts ...connector.CallOption) (*Label, error)
	// Void asks for an unused label to be voided and its charge refunded.
	Void(ctx context.Context, labelID string, opts ...connector.CallOption) (*Label, error)
}

// LabelFinder is implemented by vendors that can find the label bought
// under an idempotency key whatever its rate. A flow that quotes again on
// a re-run gets new rate ids, so it looks here first.
type LabelFinder interface {
	// FindByKey returns the label bought under key, or an error of kind
	// connector.ErrNotFound. since is the earliest the purchase can have
	// been made (when the first attempt under the key began): the search
	// reads back to it, less FindSlack, and no further, so its cost follows
	// the labels bought since rather than the account's whole history. The
	// zero time searches the whole history.
	FindByKey(ctx context.Context, key string, since time.Time) (*Label, error)
}

// FindSlack is how far before since a FindByKey looks: room for this
// machine's clock and the vendor's to differ.
const FindSlack = time.Minute

// Tracking reads where parcels are.
type Tracking interface {
	Track(ctx context.Context, carrier, trackingNumber string) (*TrackingStatus, error)
}

// Cheapest returns the lowest-priced rate (ties: the faster one).
func Cheapest(rates []Rate) (Rate, bool) {
	return best(rates, func(a, b Rate) int {
		if c, err := a.Amount.Cmp(b.Amount); err == nil && c != 0 {
			return c
		}
		return compareDays(a, b)
	})
}

// Fastest returns the rate with the fewest estimated days (ties: the
// cheaper one). Rates without an estimate come last.
func Fastest(rates []Rate) (Rate, bool) {
	return best(rates, func(a, b Rate) int {
		if c := compareDays(a, b); c != 0 {
			return c
		}
		c, _ := a.Amount.Cmp(b.Amount)
		return c
	})
}

// CheapestWithin returns the cheapest rate estimated to arrive within days.
func CheapestWithin(rates []Rate, days int) (Rate, bool) {
	var fit []Rate
	for _, r := range rates {
		if r.EstimatedDays > 0 && r.EstimatedDays <= days {
			fit = append(fit, r)
		}
	}
	return Cheapest(fit)
}

func compareDays(a, b Rate) int {
	da, db := a.EstimatedDays, b.EstimatedDays
	if da == 0 {
		da = 1 << 30
	}
	if db == 0 {
		db = 1 << 30
	}
	return da - db
}

func best(rates []Rate, cmp func(a, b Rate) int) (Rate, bool) {
	if len(rates) == 0 {
		return Rate{}, false
	}
	return slices.MinFunc(rates, cmp), true
}
