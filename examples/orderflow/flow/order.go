package flow

import (
	"github.com/govalues/decimal"

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
