package salesforce

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// ContactsService is crm.Contacts over the Contact sObject. The External
// ID field holds each contact's lowercased email, which makes Upsert one
// atomic call and a keyed Create exactly-once.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
type ContactsService struct{ o *org }

// Get reads a contact, with its account's name as Company, by SOQL.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
func (s *ContactsService) Get(ctx context.Context, id string) (*crm.Contact, error) {
	if !validID(id) {
		return nil, notFound("contacts.get", id)
	}
	return s.one(ctx, "contacts.get", byID(id), "contact "+id)
}

func (s *ContactsService) one(ctx context.Context, op, where, what string) (*crm.Contact, error) {
	return oldest(ctx, s.o, op, "Contact", contactFields, where, what, infallible(toContact))
}

// FindByEmail returns the oldest contact with that email: SOQL compares
// text without regard to case.
func (s *ContactsService) FindByEmail(ctx context.Context, email string) (*crm.Contact, error) {
	if email == "" {
		return nil, missing("contacts.find", "contact without an email")
	}
	return s.one(ctx, "contacts.find", " WHERE Email = "+soqlString(email), "contact "+email)
}

// List yields contacts, oldest first, or with UpdatedSince those changed
// since, oldest change first (SystemModstamp).
func (s *ContactsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Contact, error] {
	soql := selectFrom(contactFields, "Contact") + sinceClause(nil, opts.UpdatedSince)
	return func(yield func(*crm.Contact, error) bool) {
		for x, err := range s.o.query(ctx, "contacts.list", soql) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(toContact(x.r, x.raw), nil) {
				return
			}
		}
	}
}

// keyValue is what the External ID field holds for a contact.
func keyValue(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Create posts a contact with its lowercased email in the External ID
// field: a second contact with the email is DUPLICATE_VALUE,
// connector.ErrConflict; under an idempotency key it is the existing
// contact instead (a retried create lands there), so a keyed create is
// sent again after a lost answer.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
func (s *ContactsService) Create(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	const op = "contacts.create"
	o := connector.ResolveCallOptions(opts...)
	body := contactBody(c)
	body["LastName"] = lastNameFor(c)
	if c.Email != "" {
		body[s.o.ext] = keyValue(c.Email)
	}
	if err := s.o.linkCompany(ctx, op, c.Company, body, opts); err != nil {
		return nil, err
	}
	res, err := s.o.save(ctx, http.MethodPost, sobjectPath("Contact"), op, body, "Contact", opts)
	if errors.Is(err, connector.ErrConflict) && o.IdempotencyKey != "" && c.Email != "" {
		return s.one(ctx, op, " WHERE "+s.o.ext+" = "+soqlString(keyValue(c.Email)), "contact "+c.Email)
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, res.ID)
}

// Update patches the fields given (204), then reads the whole contact.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_update_fields.htm
func (s *ContactsService) Update(ctx context.Context, id string, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	const op = "contacts.update"
	if !validID(id) {
		return nil, notFound(op, id)
	}
	body := contactBody(c)
	if c.Email != "" {
		body[s.o.ext] = keyValue(c.Email)
	}
	if err := s.o.linkCompany(ctx, op, c.Company, body, opts); err != nil {
		return nil, err
	}
	if _, err := s.o.save(ctx, http.MethodPatch, sobjectPath("Contact", id), op, body, "Contact", opts); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Delete deletes a contact (to the recycle bin; Deleted lists it).
func (s *ContactsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.o.remove(ctx, "Contact", id, "contacts.delete", opts)
}

// Upsert is one PATCH by the External ID field holding the lowercased
// email. Salesforce requires a LastName on a new contact: an upsert
// without one is sent without it, and again with the email's local part
// if Salesforce says it is creating the contact.
func (s *ContactsService) Upsert(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	const op = "contacts.upsert"
	if c.Email == "" {
		return nil, connector.InvalidInput("salesforce", op, "a contact upsert needs an email")
	}
	body := contactBody(c)
	if err := s.o.linkCompany(ctx, op, c.Company, body, opts); err != nil {
		return nil, err
	}
	res, err := s.o.upsert(ctx, "Contact", keyValue(c.Email), op, body, opts)
	var e *connector.APIError
	if errors.As(err, &e) && e.Code == "REQUIRED_FIELD_MISSING" && c.LastName == "" {
		body["LastName"] = lastNameFor(c)
		res, err = s.o.upsert(ctx, "Contact", keyValue(c.Email), op, body, opts)
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, res.ID)
}

// DeletedRecord is one record of getDeleted.
type DeletedRecord struct {
	ID          string
	DeletedDate time.Time
}

// Deleted lists the contacts deleted between start and end (at most the
// last 15 days; Salesforce rounds to the minute), for a sync that mirrors
// deletes: the updated-since list does not show them.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
func (s *ContactsService) Deleted(ctx context.Context, start, end time.Time) ([]DeletedRecord, error) {
	return s.o.deleted(ctx, "Contact", start, end)
}
