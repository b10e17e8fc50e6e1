package webhook

import (
	"encoding/json"
	"time"
)

// Event is one verified webhook event: the vendor-neutral Kind, the
// vendor's own Type, and the vendor's typed Payload and raw JSON.
type Event[P any] struct {
	// ID identifies the event for de-duplication: the vendor's event id,
	// or what identifies the change when the vendor sends none. Never
	// empty.
	ID string
	// Kind is what happened, in the same words for every vendor; KindOther
	// when none fits.
	Kind Kind
	// Type is the vendor's own name ("contact.propertyChange",
	// "orders/create", "invoice.paid", "track_updated").
	Type string
	// OccurredAt is when the change happened, if the vendor says.
	OccurredAt time.Time
	// Payload is the vendor's typed payload.
	Payload P
	// Raw is the event as the vendor sent it.
	Raw json.RawMessage
}

// Kind is a vendor-neutral event kind: "<object>.<what happened>".
type Kind string

// The kinds vendor packages map their events to.
const (
	KindOther Kind = "other"

	OrderCreated Kind = "order.created"
	OrderUpdated Kind = "order.updated"
	StockUpdated Kind = "stock.updated"

	ContactCreated Kind = "contact.created"
	ContactUpdated Kind = "contact.updated"
	ContactDeleted Kind = "contact.deleted"
	CompanyCreated Kind = "company.created"
	CompanyUpdated Kind = "company.updated"
	CompanyDeleted Kind = "company.deleted"
	DealCreated    Kind = "deal.created"
	DealUpdated    Kind = "deal.updated"
	DealDeleted    Kind = "deal.deleted"

	CustomerCreated Kind = "customer.created"
	CustomerUpdated Kind = "customer.updated"
	CustomerDeleted Kind = "customer.deleted"
	InvoiceCreated  Kind = "invoice.created"
	InvoiceUpdated  Kind = "invoice.updated"
	InvoicePaid     Kind = "invoice.paid"
	InvoiceVoided   Kind = "invoice.voided"
	PaymentCreated  Kind = "payment.created"

	LabelCreated    Kind = "label.created"
	LabelUpdated    Kind = "label.updated"
	TrackingUpdated Kind = "tracking.updated"
)
