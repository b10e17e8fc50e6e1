package hubspot

import (
	"context"
	"errors"
	"iter"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// ContactsService is HubSpot's contacts, as crm.Contacts.
// https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide
type ContactsService struct {
	objects
	custom []string
}

// standardContactProperties are the HubSpot properties crm.Contact maps.
var standardContactProperties = []string{"email", "firstname", "lastname", "phone", "company",
	"address", "city", "state", "zip", "country", "createdate", "lastmodifieddate"}

// Get returns one contact by its HubSpot id.
//
// HubSpot API: GET /crm/v3/objects/contacts/{contactId}.
func (s *ContactsService) Get(ctx context.Context, id string) (*crm.Contact, error) {
	o, err := s.get(ctx, id, "", "get")
	if err != nil {
		return nil, err
	}
	return s.toContact(o), nil
}

// FindByEmail returns the contact with that email, whatever its case.
//
// HubSpot API: GET /crm/v3/objects/contacts/{email}?idProperty=email.
func (s *ContactsService) FindByEmail(ctx context.Context, email string) (*crm.Contact, error) {
	if email == "" {
		return nil, connector.InvalidInput("hubspot", "contacts.findByEmail", "email is empty")
	}
	o, err := s.get(ctx, email, "email", "findByEmail")
	if err != nil {
		return nil, err
	}
	return s.toContact(o), nil
}

// List yields every contact, 100 a page, in id order; with UpdatedSince,
// those changed since then, oldest change first, through the search API
// and its 10,000-result windows.
//
// HubSpot API: GET /crm/v3/objects/contacts, POST /crm/v3/objects/contacts/search.
func (s *ContactsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Contact, error] {
	if !opts.UpdatedSince.IsZero() {
		return mapSeq(s.listSince(ctx, opts.UpdatedSince), s.toContact)
	}
	return mapSeq(s.list(ctx), s.toContact)
}

// Create adds a contact. HubSpot keeps emails unique, which makes a keyed
// create safe to repeat: if the email is taken and the call carries an
// idempotency key, the existing contact is the result (a retry of a create
// whose answer was lost lands here). Without a key a taken email is
// connector.ErrConflict.
//
// HubSpot API: POST /crm/v3/objects/contacts.
func (s *ContactsService) Create(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	keyed := connector.ResolveCallOptions(opts...).IdempotencyKey != "" && c.Email != ""
	o, err := s.create(ctx, contactProperties(c), keyed)
	if errors.Is(err, connector.ErrConflict) && keyed {
		return s.FindByEmail(ctx, c.Email)
	}
	if err != nil {
		return nil, err
	}
	return s.toContact(o), nil
}

// Update sets the fields given in c; empty fields are left as they are.
//
// HubSpot API: PATCH /crm/v3/objects/contacts/{contactId}.
func (s *ContactsService) Update(ctx context.Context, id string, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	o, err := s.update(ctx, id, contactProperties(c), opts)
	if err != nil {
		return nil, err
	}
	return s.toContact(o), nil
}

// Delete archives a contact (HubSpot keeps it restorable for 90 days).
//
// HubSpot API: DELETE /crm/v3/objects/contacts/{contactId}.
func (s *ContactsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.remove(ctx, id, opts)
}

// Upsert creates or updates the contact with c.Email, in one call.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/upsert with idProperty email.
func (s *ContactsService) Upsert(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	out, err := s.UpsertMany(ctx, []crm.Contact{c}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// maxBatch is HubSpot's limit of inputs per batch call.
const maxBatch = 100

// UpsertMany upserts contacts by email, 100 a call, and returns them in the
// order given. Upserting by email is idempotent by nature: every call may
// be retried, and repeating it changes nothing.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/upsert.
func (s *ContactsService) UpsertMany(ctx context.Context, contacts []crm.Contact, _ ...connector.CallOption) ([]*crm.Contact, error) {
	out := make([]*crm.Contact, 0, len(contacts))
	for start := 0; start < len(contacts); start += maxBatch {
		chunk := contacts[start:min(start+maxBatch, len(contacts))]
		inputs := make([]upsertInput, 0, len(chunk))
		for _, c := range chunk {
			if c.Email == "" {
				return nil, connector.InvalidInput("hubspot", "contacts.upsert", "upsert needs an email")
			}
			props := contactProperties(c)
			delete(props, "email") // the id says it
			inputs = append(inputs, upsertInput{ID: c.Email, IDProperty: "email", Properties: props})
		}
		results, err := s.upsert(ctx, inputs)
		if err != nil {
			return nil, err
		}
		sent := make(map[string]map[string]string, len(inputs))
		for _, in := range inputs {
			sent[strings.ToLower(in.ID)] = in.Properties
		}
		byEmail := make(map[string]*crm.Contact, len(results))
		for i := range results {
			email := strings.ToLower(results[i].prop("email"))
			c := s.toContact(results[i].fillFrom(sent[email])) // the batch answer's order is not the input's
			byEmail[email] = c
		}
		for _, c := range chunk {
			got := byEmail[strings.ToLower(c.Email)]
			if got == nil {
				return nil, &connector.APIError{Vendor: "hubspot", Op: "contacts.upsert", Kind: connector.ErrInvalidResponse,
					Message: "the batch answer lacks a contact that was sent"}
			}
			out = append(out, got)
		}
	}
	return out, nil
}
