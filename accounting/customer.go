package accounting

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Customer is someone invoices are made out to.
type Customer struct {
	ID        string
	Name      string // required by most vendors; the person's or company's name
	Email     string
	Phone     string
	Addresses []Address
	TaxNumber string // VAT/GST/ABN number, as the vendor keeps it
	Currency  string // ISO 4217 default currency; empty for the organisation's own

	UpdatedAt time.Time
	// Warnings are what the vendor flagged on the record without refusing
	// it (Xero's ValidationErrors on a record read back).
	Warnings []string
	Raw      json.RawMessage
}

// Address is a postal address; Country as the vendor keeps it (Xero: text).
type Address struct {
	Lines      []string
	City       string
	Region     string
	PostalCode string
	Country    string
}

// ListOptions narrows a list.
type ListOptions struct {
	// UpdatedSince lists only records changed at or after this time.
	UpdatedSince time.Time
}

// Customers reads and writes customers.
type Customers interface {
	Get(ctx context.Context, id string) (*Customer, error)
	// FindByEmail returns the customer with that email, or
	// connector.ErrNotFound.
	FindByEmail(ctx context.Context, email string) (*Customer, error)
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Customer, error]
	// Create adds a customer; the same idempotency key twice gives one.
	Create(ctx context.Context, c Customer, opts ...connector.CallOption) (*Customer, error)
	// Upsert updates the customer with c.Email, or creates it.
	Upsert(ctx context.Context, c Customer, opts ...connector.CallOption) (*Customer, error)
}
