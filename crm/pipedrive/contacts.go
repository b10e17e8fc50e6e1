package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/mail"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// ContactsService is crm.Contacts over Pipedrive's persons (API v2).
// https://developers.pipedrive.com/docs/api/v2/Persons
type ContactsService struct {
	c      *connector.Client
	fields *fieldSet
	orgs   *CompaniesService
}

// Get returns the person with the id.
// https://developers.pipedrive.com/docs/api/v2/Persons#getPerson
func (s *ContactsService) Get(ctx context.Context, id string) (*crm.Contact, error) {
	n, err := idOf("persons.get", id)
	if err != nil {
		return nil, err
	}
	raw, err := get(ctx, s.c, v2+"/persons/"+idText(n), "persons.get")
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw, nil)
}

func idOf(op, s string) (int64, error) { return id(op, s) }

// decode maps a person, its organization's name and its custom fields.
// names caches organization names over a list.
func (s *ContactsService) decode(ctx context.Context, raw json.RawMessage, names map[int64]string) (*crm.Contact, error) {
	var p personWire
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("pipedrive: person: %w: %v", connector.ErrInvalidResponse, err)
	}
	c := toContact(p, raw)
	c.Properties = s.fields.fromWire(ctx, p.CustomFields)
	if p.OrgID != nil && *p.OrgID > 0 {
		name, ok := names[*p.OrgID]
		if !ok {
			org, err := s.orgs.Get(ctx, idText(*p.OrgID))
			if err != nil && !isNotFound(err) {
				return nil, err
			}
			if org != nil {
				name = org.Name
			}
			if names != nil {
				names[*p.OrgID] = name
			}
		}
		c.Company = name
	}
	return c, nil
}

// FindByEmail returns the oldest person with the email, in any case.
// https://developers.pipedrive.com/docs/api/v2/Persons#searchPersons
func (s *ContactsService) FindByEmail(ctx context.Context, email string) (*crm.Contact, error) {
	raw, err := s.findRaw(ctx, email)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, &connector.APIError{Vendor: "pipedrive", Op: "persons.search", Kind: connector.ErrNotFound, Message: "no person with that email"}
	}
	return s.decode(ctx, raw, nil)
}

// findRaw is the person with the email, or nil.
func (s *ContactsService) findRaw(ctx context.Context, email string) (json.RawMessage, error) {
	if len(strings.TrimSpace(email)) < 2 { // Pipedrive's search needs 2 characters
		return nil, nil
	}
	ids, err := search(ctx, s.c, "persons", email, "email")
	if err != nil {
		return nil, err
	}
	for _, n := range ids {
		raw, err := get(ctx, s.c, v2+"/persons/"+idText(n), "persons.get")
		if isNotFound(err) {
			continue // deleted since the search index saw it
		}
		if err != nil {
			return nil, err
		}
		var p personWire
		if json.Unmarshal(raw, &p) != nil {
			continue
		}
		for _, e := range p.Emails {
			if strings.EqualFold(strings.TrimSpace(e.Value), strings.TrimSpace(email)) {
				return raw, nil
			}
		}
	}
	return nil, nil
}

// List yields persons, 100 a page by cursor; with UpdatedSince, those
// changed since, sorted by update_time ascending: oldest change first.
// https://developers.pipedrive.com/docs/api/v2/Persons#getPersons
func (s *ContactsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Contact, error] {
	names := map[int64]string{}
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[*crm.Contact], error) {
		var env envelope[[]json.RawMessage]
		if err := s.c.JSON(ctx, "GET", v2+"/persons?"+listQuery(cursor, opts).Encode(), nil, &env, connector.WithOperation("persons.list")); err != nil {
			return connector.Page[*crm.Contact]{}, err
		}
		page := connector.Page[*crm.Contact]{Next: env.next(), Items: make([]*crm.Contact, 0, len(env.Data))}
		for _, raw := range env.Data {
			c, err := s.decode(ctx, raw, names)
			if err != nil {
				return page, err
			}
			page.Items = append(page.Items, c)
		}
		return page, nil
	})
}

// listQuery is a v2 list's query: 100 a page, oldest change first when
// syncing.
func listQuery(cursor string, opts crm.ListOptions) url.Values {
	q := url.Values{"limit": {"100"}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if !opts.UpdatedSince.IsZero() {
		q.Set("updated_since", formatV2Time(opts.UpdatedSince))
		q.Set("sort_by", "update_time")
		q.Set("sort_direction", "asc")
	}
	return q
}

// body builds a person's create or update body. current, on an update,
// is the record as it is, for the name Pipedrive keeps whole.
func (s *ContactsService) body(ctx context.Context, op string, c crm.Contact, current *crm.Contact) (*personBody, error) {
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return nil, connector.InvalidInput("pipedrive", op, fmt.Sprintf("invalid email address %q", c.Email))
		}
	}
	b := &personBody{PostalAddress: addressBody(c.Address)}
	first, last := c.FirstName, c.LastName
	if current != nil && (first != "" || last != "") {
		if first == "" {
			first = current.FirstName
		}
		if last == "" {
			last = current.LastName
		}
	}
	b.Name = joinName(first, last)
	if b.Name == "" && current == nil {
		b.Name = c.Email // Pipedrive requires a name
	}
	if c.Email != "" {
		b.Emails = []labeled{{Value: c.Email, Primary: true, Label: "work"}}
	}
	if c.Phone != "" {
		b.Phones = []labeled{{Value: c.Phone, Primary: true, Label: "work"}}
	}
	if c.Company != "" {
		orgID, err := s.orgs.idByName(ctx, c.Company)
		if err != nil {
			return nil, err
		}
		b.OrgID = rawInt(orgID)
	}
	cf, err := s.fields.toWire(ctx, op, c.Properties)
	if err != nil {
		return nil, err
	}
	b.CustomFields = cf
	return b, nil
}

// Create adds a person. Pipedrive lets several persons share an email, so
// the client looks the email up first: taken is connector.ErrConflict,
// unless the call carries an idempotency key, when the person found is
// the result (a retried create lands there). A lost answer is followed by
// the same lookup.
// https://developers.pipedrive.com/docs/api/v2/Persons#addPerson
func (s *ContactsService) Create(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	o := connector.ResolveCallOptions(opts...)
	b, err := s.body(ctx, "persons.create", c, nil)
	if err != nil {
		return nil, err
	}
	create := func(ctx context.Context) (json.RawMessage, error) {
		return write(ctx, s.c, "POST", v2+"/persons", "persons.create", b, opts)
	}
	find := func(ctx context.Context) (json.RawMessage, error) { return s.findRaw(ctx, c.Email) }
	var raw json.RawMessage
	switch {
	case o.IdempotencyKey != "" && c.Email != "":
		raw, err = keyedCreate(ctx, o, find, create)
	default:
		if c.Email != "" {
			found, err := find(ctx)
			if err != nil {
				return nil, err
			}
			if found != nil {
				return nil, &connector.APIError{Vendor: "pipedrive", Op: "persons.create", Kind: connector.ErrConflict,
					Message: "a person with this email exists"}
			}
		}
		raw, err = create(ctx)
	}
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw, nil)
}

// Update changes the fields given.
// https://developers.pipedrive.com/docs/api/v2/Persons#updatePerson
func (s *ContactsService) Update(ctx context.Context, id string, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	n, err := idOf("persons.update", id)
	if err != nil {
		return nil, err
	}
	var current *crm.Contact
	if c.FirstName != "" || c.LastName != "" {
		if current, err = s.Get(ctx, id); err != nil {
			return nil, err
		}
	}
	b, err := s.body(ctx, "persons.update", c, current)
	if err != nil {
		return nil, err
	}
	raw, err := write(ctx, s.c, "PATCH", v2+"/persons/"+idText(n), "persons.update", b, opts)
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw, nil)
}

// Delete removes a person (Pipedrive keeps it 30 days, then purges it).
// https://developers.pipedrive.com/docs/api/v2/Persons#deletePerson
func (s *ContactsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	n, err := idOf("persons.delete", id)
	if err != nil {
		return err
	}
	_, err = write(ctx, s.c, "DELETE", v2+"/persons/"+idText(n), "persons.delete", nil, opts)
	return err
}

// Upsert updates the person with c.Email, or creates it.
func (s *ContactsService) Upsert(ctx context.Context, c crm.Contact, opts ...connector.CallOption) (*crm.Contact, error) {
	if c.Email == "" {
		return nil, connector.InvalidInput("pipedrive", "persons.upsert", "Upsert needs an email")
	}
	found, err := s.findRaw(ctx, c.Email)
	if err != nil {
		return nil, err
	}
	if found == nil {
		return s.Create(ctx, c, append(opts, connector.WithIdempotencyKey(connector.DeriveKey("pipedrive-upsert", strings.ToLower(c.Email))))...)
	}
	var p personWire
	if err := json.Unmarshal(found, &p); err != nil {
		return nil, fmt.Errorf("pipedrive: person: %w: %v", connector.ErrInvalidResponse, err)
	}
	return s.Update(ctx, idText(p.ID), c, opts...)
}
