package flow

import (
	"encoding/json"
	"fmt"

	"github.com/patchbay-go/patchbay/inventory"
)

// Order is an order the flow runs: the website's order, in the shape
// every platform's connector gives it (inventory.Order, whose fields it
// promotes), with the flow's own id for it and the platform it came from.
type Order struct {
	// ID is the flow's id of the order, from which every step's
	// idempotency key derives: the platform's name and its id
	// ("shopify-1001", FromPlatform), so the same order always has the same
	// keys, whichever way it came; an order from a file keeps its own id.
	ID string `json:"id"`
	// Source names the platform the order was placed on ("shopify"),
	// whose id for it is Order.ID. Empty for an order from elsewhere (a
	// file): then no platform is told it shipped, and no platform took its
	// stock at checkout.
	Source          string `json:"source,omitempty"`
	inventory.Order `json:"order"`
}

// FromPlatform is the flow's order for one placed on a platform (from a
// webhook or a list), or, with source empty, for one from a file. The
// flow's copy leaves Raw out: every step's input and the service's inbox
// carry the order, and no step reads the platform's payload.
func FromPlatform(source string, po *inventory.Order) Order {
	o := Order{ID: po.ID, Source: source, Order: *po}
	if source != "" {
		o.ID = source + "-" + po.ID
	}
	o.Raw = nil
	o.Express = o.Express || inventory.IsExpress(o.Shipping)
	if o.ShipTo.Email == "" {
		o.ShipTo.Email = o.Customer.Email
	}
	return o
}

// UnmarshalJSON reads an order in its JSON form, or in the form this
// package wrote before Order embedded inventory.Order (the website's
// fields at the top, "service_level", "source_id"), so that orders in a
// service's inbox or a running workflow's history when it is upgraded
// still run.
func (o *Order) UnmarshalJSON(data []byte) error {
	type plain Order // without this method
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*o = Order(p)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil || keys["order"] != nil || keys["lines"] == nil {
		return nil // the current form, or no order of either form
	}
	var old struct {
		inventory.Order
		ID           string `json:"id"`
		ServiceLevel string `json:"service_level"`
		SourceID     string `json:"source_id"`
	}
	if err := json.Unmarshal(data, &old); err != nil {
		return err
	}
	o.Order = old.Order
	o.Order.ID = old.SourceID
	o.Express = old.ServiceLevel == "express"
	return nil
}

// ParseOrders reads an orders file: a JSON array of orders as a website
// gives them (inventory.Order's JSON form), from no platform.
func ParseOrders(data []byte) ([]Order, error) {
	var placed []inventory.Order
	if err := json.Unmarshal(data, &placed); err != nil {
		return nil, fmt.Errorf("the orders file is not a JSON array of orders: %w", err)
	}
	orders := make([]Order, 0, len(placed))
	for i := range placed {
		orders = append(orders, FromPlatform("", &placed[i]))
	}
	return orders, nil
}

// PlatformID is the order's id on the platform it was placed on; empty
// for an order from elsewhere.
func (o Order) PlatformID() string {
	if o.Source == "" {
		return ""
	}
	return o.Order.ID
}

// Status is how an order ended.
type Status string

const (
	Done   Status = "done"
	Failed Status = "failed"
)

// StepResult is what one step did.
type StepResult struct {
	Step        string
	AlreadyDone bool   // a re-run: the vendor returned what it did before
	Detail      string // what it made: contact id, invoice number, tracking number
	// State is what the flow knew after the step. Journals keep it, so a
	// re-run picks up where the last one stopped; results leave it out.
	State *State `json:",omitempty"`
}

// Result is how an order ended, and what each step did.
type Result struct {
	OrderID string
	Status  Status
	Reason  string // why it failed
	// Open says a failed order is not finished: a vendor was down or the
	// run was stopped. Running it again resumes it; nothing is undone.
	Open bool `json:",omitempty"`
	// Err is the error that left an open order open, for the caller to
	// tell a vendor that is down from one that refuses the credentials.
	Err   error `json:"-"`
	Steps []StepResult
	// Compensated lists what was undone after a failure.
	Compensated []string

	InvoiceNumber  string
	TrackingNumber string
	TrackingURL    string
}
