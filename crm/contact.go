package crm

import (
	"context"
	"encoding/json"
	"iter"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Contact is a person in a CRM. Email is the natural key: every vendor
// here keeps it unique, and Upsert matches on it.
//
// Text fields left empty are "not given": Create does not send them and
// Update leaves them as they are. To clear a field, set it in Properties
// under the vendor's name with an empty value.
type Contact struct {
	ID        string // the vendor's id; empty before Create
	Email     string
	FirstName string
	LastName  string
	Phone     string
	Company   string   // the company name as typed on the contact
	Address   *Address // nil when the vendor has none

	// Properties holds custom fields by the vendor's internal name. On
	// reads it has the custom properties the client was asked to fetch.
	Properties map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time

	// Raw is the vendor's record as it sent it, so that nothing is lost.
	Raw json.RawMessage
}

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code where
// the vendor gives one, else the vendor's text.
type Address struct {
	Street     string
	City       string
	Region     string // state, province, county
	PostalCode string
	Country    string
}

// ListOptions narrows a list.
type ListOptions struct {
	// UpdatedSince lists only records changed at or after this time, oldest
	// change first: the basis of an incremental sync. Zero lists everything.
	UpdatedSince time.Time
}

// Contacts reads and writes contacts. Lists are lazy iterators; writes take
// connector.WithIdempotencyKey, and the same key twice gives one record.
type Contacts interface {
	// Get returns the contact with the vendor id, or connector.ErrNotFound.
	Get(ctx context.Context, id string) (*Contact, error)
	// FindByEmail returns the contact with that email (any case), or
	// connector.ErrNotFound.
	FindByEmail(ctx context.Context, email string) (*Contact, error)
	// List yields contacts, pages fetched as the loop goes.
	List(ctx context.Context, opts ListOptions) iter.Seq2[*Contact, error]
	// Create adds a contact. An email already in use is connector.ErrConflict,
	// unless the call carries an idempotency key: then the existing record
	// is the result, as a retried create must give.
	Create(ctx context.Context, c Contact, opts ...connector.CallOption) (*Contact, error)
	// Update changes the fields given in c and returns the whole record.
	Update(ctx context.Context, id string, c Contact, opts ...connector.CallOption) (*Contact, error)
	// Delete removes (archives) a contact.
	Delete(ctx context.Context, id string, opts ...connector.CallOption) error
	// Upsert creates the contact with c.Email, or updates it if it exists.
	// Doing it twice gives one record.
	Upsert(ctx context.Context, c Contact, opts ...connector.CallOption) (*Contact, error)
}
