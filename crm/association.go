package crm

import (
	"context"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
)

// ObjectType names a kind of CRM record.
type ObjectType string

const (
	ContactObject ObjectType = "contact"
	CompanyObject ObjectType = "company"
	DealObject    ObjectType = "deal"
	NoteObject    ObjectType = "note"
)

// Ref points at one record.
type Ref struct {
	Type ObjectType
	ID   string
}

// Associations links records: a contact to its company, a deal to its
// contact and company.
type Associations interface {
	// Associate links from and to with the vendor's default association.
	// Linking twice is the same as once.
	Associate(ctx context.Context, from, to Ref, opts ...connector.CallOption) error
	// Associated lists the records of type to linked to from.
	Associated(ctx context.Context, from Ref, to ObjectType) iter.Seq2[Ref, error]
	// Dissociate removes the link, if there is one.
	Dissociate(ctx context.Context, from, to Ref, opts ...connector.CallOption) error
}
