package xero

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// CustomersService is Xero contacts, as accounting.Customers.
// https://developer.xero.com/documentation/api/accounting/contacts
type CustomersService struct{ c *connector.Client }

// Get returns one contact.
//
// Xero API: GET /Contacts/{ContactID}.
func (s *CustomersService) Get(ctx context.Context, id string) (*accounting.Customer, error) {
	list, err := s.fetch(ctx, "/Contacts/"+url.PathEscape(id), "customers.get", time.Time{})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("customers.get", "contact "+id)
	}
	return list[0], nil
}

// FindByEmail returns the contact with that email address.
//
// Xero API: GET /Contacts?where=EmailAddress=="...".
func (s *CustomersService) FindByEmail(ctx context.Context, email string) (*accounting.Customer, error) {
	if email == "" {
		return nil, connector.InvalidInput("xero", "customers.findByEmail", "email is empty")
	}
	list, err := s.fetch(ctx, "/Contacts?where="+url.QueryEscape("EmailAddress=="+quote(email)), "customers.findByEmail", time.Time{})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("customers.findByEmail", "no contact has email "+email)
	}
	return list[0], nil
}

// List yields contacts, 100 a page; with UpdatedSince, those changed since
// (If-Modified-Since), oldest change first.
//
// Xero API: GET /Contacts?page=N&pageSize=100[&order=UpdatedDateUTC ASC].
func (s *CustomersService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Customer, error] {
	return pages(ctx, func(ctx context.Context, page int) ([]*accounting.Customer, error) {
		return s.fetch(ctx, listPath("/Contacts", page, opts.UpdatedSince), "customers.list", opts.UpdatedSince)
	})
}

// Create adds a contact; Name is required and unique in Xero.
//
// Xero API: PUT /Contacts, with Idempotency-Key.
func (s *CustomersService) Create(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	return s.write(ctx, http.MethodPut, "/Contacts", toContactWire(c), "customers.create", opts)
}

// Upsert updates the contact with c.Email, or creates it.
//
// Xero API: GET /Contacts?where=..., then POST /Contacts/{ContactID} or PUT /Contacts.
func (s *CustomersService) Upsert(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	existing, err := s.FindByEmail(ctx, c.Email)
	switch {
	case err == nil:
		return s.write(ctx, http.MethodPost, "/Contacts/"+url.PathEscape(existing.ID), toContactWire(c), "customers.update", opts)
	case errors.Is(err, connector.ErrNotFound):
		if connector.ResolveCallOptions(opts...).IdempotencyKey == "" {
			opts = append(opts, connector.WithIdempotencyKey(connector.DeriveKey("xero-contact-email", c.Email)))
		}
		return s.Create(ctx, c, opts...)
	}
	return nil, err
}

func (s *CustomersService) write(ctx context.Context, method, path string, w contactWire, op string, opts []connector.CallOption) (*accounting.Customer, error) {
	var env contactsEnvelope
	body := map[string][]contactWire{"Contacts": {w}}
	if err := s.c.JSON(ctx, method, path, body, &env, append(opts, connector.WithOperation(op))...); err != nil {
		return nil, err
	}
	list, err := decodeContacts(env, op, false)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, invalid(op, "the answer holds no contact")
	}
	return list[0], nil
}

func (s *CustomersService) fetch(ctx context.Context, path, op string, since time.Time) ([]*accounting.Customer, error) {
	var env contactsEnvelope
	if err := getJSON(ctx, s.c, path, op, since, &env); err != nil {
		return nil, err
	}
	return decodeContacts(env, op, true)
}
