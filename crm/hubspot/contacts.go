package hubspot

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// ContactsService is HubSpot's contacts, as crm.Contacts.
type ContactsService struct {
	c         *connector.Client
	props     string // the properties every read asks for, comma-separated
	custom    []string
	searchCap int
}

const contactsPath = "/crm/v3/objects/contacts"

// standardContactProperties are the HubSpot properties crm.Contact maps.
var standardContactProperties = []string{"email", "firstname", "lastname", "phone", "company",
	"address", "city", "state", "zip", "country", "createdate", "lastmodifieddate"}

func contactReadProperties(custom []string) string {
	return strings.Join(append(append([]string(nil), standardContactProperties...), custom...), ",")
}

// Get returns one contact by its HubSpot id.
//
// HubSpot API: GET /crm/v3/objects/contacts/{contactId}
// (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide).
func (s *ContactsService) Get(ctx context.Context, id string) (*crm.Contact, error) {
	return s.read(ctx, url.PathEscape(id), "", "contacts.get")
}

// FindByEmail returns the contact with that email, whatever its case.
//
// HubSpot API: GET /crm/v3/objects/contacts/{email}?idProperty=email.
func (s *ContactsService) FindByEmail(ctx context.Context, email string) (*crm.Contact, error) {
	if email == "" {
		return nil, connector.InvalidInput("hubspot", "contacts.findByEmail", "email is empty")
	}
	return s.read(ctx, url.PathEscape(email), "&idProperty=email", "contacts.findByEmail")
}

func (s *ContactsService) read(ctx context.Context, key, extra, op string) (*crm.Contact, error) {
	var o object
	path := contactsPath + "/" + key + "?properties=" + url.QueryEscape(s.props) + extra
	if err := s.c.JSON(ctx, http.MethodGet, path, nil, &o, connector.WithOperation(op)); err != nil {
		return nil, err
	}
	return s.toContact(&o), nil
}

// List yields every contact, 100 a page, in id order; with UpdatedSince it
// yields those changed since then, oldest change first, through the
// search API (see listUpdatedSince).
//
// HubSpot API: GET /crm/v3/objects/contacts, POST /crm/v3/objects/contacts/search.
func (s *ContactsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Contact, error] {
	if !opts.UpdatedSince.IsZero() {
		return s.listUpdatedSince(ctx, opts.UpdatedSince)
	}
	fetch := func(ctx context.Context, after string) (connector.Page[*crm.Contact], error) {
		path := contactsPath + "?limit=100&properties=" + url.QueryEscape(s.props)
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		var p page
		if err := s.c.JSON(ctx, http.MethodGet, path, nil, &p, connector.WithOperation("contacts.list")); err != nil {
			return connector.Page[*crm.Contact]{}, err
		}
		return connector.Page[*crm.Contact]{Items: s.toContacts(p.Results), Next: p.next()}, nil
	}
	return connector.All(ctx, fetch)
}

// Create adds a contact. HubSpot keeps emails unique, which makes a keyed
// create safe to repeat: if the email is taken and the call carries an
// idempotency key, the existing contact is the result (a retry of a create
// whose answer was lost lands here). Without a key a taken email is
// connector.ErrConflict.
//
// HubSpot API: POST /crm/v3/objects/contacts.
func (s *ContactsService) Create(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	o := connector.ResolveCallOptions(opts...)
	callOpts := []connector.CallOption{connector.WithOperation("contacts.create")}
	if o.IdempotencyKey != "" && c.Email != "" {
		// The email makes the create idempotent, so it may be retried.
		callOpts = append(callOpts, connector.WithIdempotencyKey(o.IdempotencyKey))
	}
	var out object
	err := s.c.JSON(ctx, http.MethodPost, contactsPath, createInput{Properties: contactProperties(c), Associations: []struct{}{}}, &out, callOpts...)
	if errors.Is(err, connector.ErrConflict) && o.IdempotencyKey != "" && c.Email != "" {
		return s.FindByEmail(ctx, c.Email)
	}
	if err != nil {
		return nil, err
	}
	return s.toContact(&out), nil
}

// Update sets the fields given in c; empty fields are left as they are.
//
// HubSpot API: PATCH /crm/v3/objects/contacts/{contactId}.
func (s *ContactsService) Update(ctx context.Context, id string, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	var out object
	err := s.c.JSON(ctx, http.MethodPatch, contactsPath+"/"+url.PathEscape(id), objectInput{Properties: contactProperties(c)}, &out,
		append(opts, connector.WithOperation("contacts.update"))...)
	if err != nil {
		return nil, err
	}
	return s.toContact(&out), nil
}

// Delete archives a contact (HubSpot keeps it restorable for 90 days).
//
// HubSpot API: DELETE /crm/v3/objects/contacts/{contactId}.
func (s *ContactsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.c.JSON(ctx, http.MethodDelete, contactsPath+"/"+url.PathEscape(id), nil, nil,
		append(opts, connector.WithOperation("contacts.delete"))...)
}

// Upsert creates or updates the contact with c.Email, in one call.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/upsert with idProperty
// email (https://developers.hubspot.com/docs/api-reference/legacy/crm/objects/contacts/batch/upsert-contacts).
func (s *ContactsService) Upsert(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	out, err := s.UpsertMany(ctx, []crm.Contact{c}, opts...)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// maxBatch is HubSpot's limit of inputs per batch call.
const maxBatch = 100

// UpsertMany upserts contacts by email, 100 a call. Upserting by email is
// idempotent by nature, so every call may be retried. The results come in
// the order of contacts.
//
// HubSpot API: POST /crm/v3/objects/contacts/batch/upsert.
func (s *ContactsService) UpsertMany(ctx context.Context, contacts []crm.Contact, opts ...connector.CallOption) ([]*crm.Contact, error) {
	type input struct {
		ID         string            `json:"id"`
		IDProperty string            `json:"idProperty"`
		Properties map[string]string `json:"properties"`
	}
	out := make([]*crm.Contact, 0, len(contacts))
	for start := 0; start < len(contacts); start += maxBatch {
		chunk := contacts[start:min(start+maxBatch, len(contacts))]
		body := struct {
			Inputs []input `json:"inputs"`
		}{Inputs: make([]input, 0, len(chunk))}
		for _, c := range chunk {
			if c.Email == "" {
				return nil, connector.InvalidInput("hubspot", "contacts.upsert", "upsert needs an email")
			}
			props := contactProperties(c)
			delete(props, "email") // the id says it
			body.Inputs = append(body.Inputs, input{ID: c.Email, IDProperty: "email", Properties: props})
		}
		var resp page
		// HubSpot takes no idempotency key; upserting by email needs none.
		// The key only tells the connector that a retry is safe.
		err := s.c.JSON(ctx, http.MethodPost, contactsPath+"/batch/upsert", body, &resp,
			connector.WithOperation("contacts.upsert"), connector.WithIdempotencyKey("upsert-by-email"))
		if err != nil {
			return nil, err
		}
		byEmail := make(map[string]*crm.Contact, len(resp.Results))
		for i := range resp.Results {
			c := s.toContact(&resp.Results[i])
			byEmail[strings.ToLower(c.Email)] = c
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

// contactProperties maps a crm.Contact to HubSpot properties, leaving out
// empty fields.
func contactProperties(c crm.Contact) map[string]string {
	p := make(map[string]string, 10+len(c.Properties))
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("email", c.Email)
	set("firstname", c.FirstName)
	set("lastname", c.LastName)
	set("phone", c.Phone)
	set("company", c.Company)
	if a := c.Address; a != nil {
		set("address", a.Street)
		set("city", a.City)
		set("state", a.Region)
		set("zip", a.PostalCode)
		set("country", a.Country)
	}
	for k, v := range c.Properties {
		p[k] = v // custom values, an empty one clearing the field
	}
	return p
}

func (s *ContactsService) toContacts(objs []object) []*crm.Contact {
	out := make([]*crm.Contact, len(objs))
	for i := range objs {
		out[i] = s.toContact(&objs[i])
	}
	return out
}

func (s *ContactsService) toContact(o *object) *crm.Contact {
	c := &crm.Contact{
		ID: o.ID, Email: o.prop("email"), FirstName: o.prop("firstname"), LastName: o.prop("lastname"),
		Phone: o.prop("phone"), Company: o.prop("company"),
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Raw: o.raw,
	}
	if a := (crm.Address{Street: o.prop("address"), City: o.prop("city"), Region: o.prop("state"),
		PostalCode: o.prop("zip"), Country: o.prop("country")}); a != (crm.Address{}) {
		c.Address = &a
	}
	for _, name := range s.custom {
		if v := o.Properties[name]; v != nil {
			if c.Properties == nil {
				c.Properties = map[string]string{}
			}
			c.Properties[name] = *v
		}
	}
	return c
}
