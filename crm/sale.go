package crm

import (
	"context"

	"github.com/patchbay-go/patchbay/connector"
)

// Sale is an order recorded on the CRM: the customer as a contact, matched
// by email (created or updated), the order as a deal linked to it, and
// optionally a note on the contact.
type Sale struct {
	Contact Contact
	Deal    Deal
	Note    *Note // nil for none; its About is the contact, whatever is set
}

// RecordedSale is what a recorded sale left on the CRM.
type RecordedSale struct {
	Contact *Contact
	Deal    *Deal
	Note    *Note // nil when the sale had none
}

// SaleRecorder is implemented by CRMs that record a whole sale in one round
// trip, all of it or none of it (Salesforce's Composite API with allOrNone).
// Where a CRM has none, the same work is Contacts.Upsert then Deals.Create.
//
// The call's idempotency key identifies the deal, as for Deals.Create: the
// same key twice gives one contact, one deal and one note.
type SaleRecorder interface {
	RecordSale(ctx context.Context, s Sale, opts ...connector.CallOption) (*RecordedSale, error)
}
