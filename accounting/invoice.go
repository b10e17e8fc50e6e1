package accounting

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

// InvoiceStatus is where an invoice is in its life.
type InvoiceStatus string

const (
	InvoiceDraft InvoiceStatus = "draft" // not yet issued
	InvoiceOpen  InvoiceStatus = "open"  // issued, awaiting payment (Xero: AUTHORISED)
	InvoicePaid  InvoiceStatus = "paid"
	InvoiceVoid  InvoiceStatus = "void"
)

// Invoice is a sales invoice: what a customer owes for an order.
type Invoice struct {
	ID         string
	Number     string // the vendor's invoice number, e.g. INV-0042
	CustomerID string
	// Customer, when CustomerID is empty, is who to bill: the vendor package
	// finds or makes the customer, in the invoice's own call where the
	// vendor allows (Xero, by name), else by an upsert on email first.
	Customer  *Customer
	Currency  string // ISO 4217
	IssueDate time.Time
	DueDate   time.Time
	Status    InvoiceStatus
	Lines     []Line
	// Reference carries the caller's own id for the invoice, such as the
	// order id: FindByReference finds the invoice by it.
	Reference string

	// Totals, as the vendor computed them. Subtotal + Tax = Total exactly.
	Subtotal  money.Amount
	Tax       money.Amount
	Total     money.Amount
	AmountDue money.Amount

	UpdatedAt time.Time
	// Warnings are what the vendor flagged on the record without refusing
	// it (Xero's ValidationErrors on a record read back).
	Warnings []string
	Raw      json.RawMessage
}

// Line is one invoice line. Amounts exclude tax.
type Line struct {
	Description string
	Quantity    decimal.Decimal
	UnitPrice   money.Amount
	ItemCode    string // the vendor's item, if any
	AccountCode string // the revenue account, e.g. "200" in Xero's demo chart
	TaxCode     string // the vendor's tax type or rate id, e.g. "OUTPUT2"

	// Amount and Tax are the vendor's computed line net and tax, on reads.
	Amount money.Amount
	Tax    money.Amount
}

// Invoices reads and writes sales invoices.
type Invoices interface {
	Get(ctx context.Context, id string) (*Invoice, error)
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Invoice, error]
	// FindByReference returns the invoice whose Reference is ref, or
	// connector.ErrNotFound.
	FindByReference(ctx context.Context, ref string) (*Invoice, error)
	// Create issues an invoice (status open unless inv.Status is draft).
	// The same idempotency key twice gives one invoice and the same result.
	Create(ctx context.Context, inv Invoice, opts ...connector.CallOption) (*Invoice, error)
	// Void cancels an issued, unpaid invoice.
	Void(ctx context.Context, id string, opts ...connector.CallOption) (*Invoice, error)
}

// Sender is implemented by vendors that can email an invoice to its
// customer.
type Sender interface {
	Send(ctx context.Context, id string, opts ...connector.CallOption) error
}

// Payment is money received against an invoice.
type Payment struct {
	ID          string
	InvoiceID   string
	Amount      money.Amount
	Date        time.Time
	Reference   string
	AccountCode string // the bank account it went into, as the vendor codes it

	Raw json.RawMessage
}

// Payments records payments.
type Payments interface {
	// Record applies a payment to an invoice. The same idempotency key
	// twice records one payment.
	Record(ctx context.Context, p Payment, opts ...connector.CallOption) (*Payment, error)
}
