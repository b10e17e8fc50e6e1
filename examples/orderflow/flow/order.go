package flow

import (
	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// Order is an order as a website sends it.
type Order struct {
	ID           string           `json:"id"`
	Customer     Customer         `json:"customer"`
	Lines        []Line           `json:"lines"`
	Currency     string           `json:"currency"`
	ServiceLevel string           `json:"service_level"` // "standard" (cheapest within 5 days) or "express" (fastest)
	ShipTo       shipping.Address `json:"ship_to"`
	// Source names the platform the order was placed on ("shopify"), and
	// SourceID is its id there. Empty for an order from elsewhere (a
	// file): then no platform is told it shipped, and no platform took its
	// stock at checkout.
	Source   string `json:"source,omitempty"`
	SourceID string `json:"source_id,omitempty"`
}

// FromPlatform is the flow's order for one placed on a platform (a
// vendor-neutral inventory.Order, from a webhook or a list): its ID is
// the platform's name and its id, so the same order always has the same
// keys, whichever way it came.
func FromPlatform(source string, po *inventory.Order) Order {
	o := Order{ID: source + "-" + po.ID, Source: source, SourceID: po.ID, Currency: po.Currency, ServiceLevel: "standard",
		ShipTo: po.ShipTo, Customer: Customer{Email: po.Customer.Email, FirstName: po.Customer.FirstName,
			LastName: po.Customer.LastName, Phone: po.Customer.Phone}}
	if po.Express {
		o.ServiceLevel = "express"
	}
	if o.ShipTo.Email == "" {
		o.ShipTo.Email = o.Customer.Email
	}
	for _, l := range po.Lines {
		o.Lines = append(o.Lines, Line{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPrice: l.UnitPrice})
	}
	return o
}

// Customer is who placed the order.
type Customer struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Phone     string `json:"phone,omitempty"`
}

// Name is the customer's full name.
func (c Customer) Name() string {
	if c.LastName == "" {
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// Line is one product on the order.
type Line struct {
	SKU       string          `json:"sku"`
	Title     string          `json:"title"`
	Quantity  int             `json:"quantity"`
	UnitPrice decimal.Decimal `json:"unit_price"`
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
