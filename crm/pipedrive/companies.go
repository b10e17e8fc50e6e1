package pipedrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// CompaniesService is crm.Companies over Pipedrive's organizations (API
// v2). Company.Domain is the organization's website.
// https://developers.pipedrive.com/docs/api/v2/Organizations
type CompaniesService struct {
	c      *connector.Client
	fields *fieldSet
}

func isNotFound(err error) bool { return errors.Is(err, connector.ErrNotFound) }

func (s *CompaniesService) decode(ctx context.Context, raw json.RawMessage) (*crm.Company, error) {
	var o orgWire
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("pipedrive: organization: %w: %v", connector.ErrInvalidResponse, err)
	}
	c := toCompany(o, raw)
	c.Properties = s.fields.fromWire(ctx, o.CustomFields)
	return c, nil
}

// Get returns the organization with the id.
// https://developers.pipedrive.com/docs/api/v2/Organizations#getOrganization
func (s *CompaniesService) Get(ctx context.Context, id string) (*crm.Company, error) {
	n, err := idOf("organizations.get", id)
	if err != nil {
		return nil, err
	}
	raw, err := get(ctx, s.c, v2+"/organizations/"+idText(n), "organizations.get")
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw)
}

// FindByDomain returns the oldest organization whose website has the
// domain. Pipedrive's search does not cover websites, so this walks the
// organizations list (one list call per 100 organizations).
func (s *CompaniesService) FindByDomain(ctx context.Context, domain string) (*crm.Company, error) {
	want := domainOf(domain)
	for c, err := range s.List(ctx, crm.ListOptions{}) {
		if err != nil {
			return nil, err
		}
		if want != "" && c.Domain == want {
			return c, nil
		}
	}
	return nil, &connector.APIError{Vendor: "pipedrive", Op: "organizations.find", Kind: connector.ErrNotFound, Message: "no organization with that website"}
}

// List yields organizations by cursor, oldest change first with
// UpdatedSince.
// https://developers.pipedrive.com/docs/api/v2/Organizations#getOrganizations
func (s *CompaniesService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Company, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[*crm.Company], error) {
		var env envelope[[]json.RawMessage]
		if err := s.c.JSON(ctx, "GET", v2+"/organizations?"+listQuery(cursor, opts).Encode(), nil, &env, connector.WithOperation("organizations.list")); err != nil {
			return connector.Page[*crm.Company]{}, err
		}
		page := connector.Page[*crm.Company]{Next: env.next()}
		for _, raw := range env.Data {
			c, err := s.decode(ctx, raw)
			if err != nil {
				return page, err
			}
			page.Items = append(page.Items, c)
		}
		return page, nil
	})
}

func (s *CompaniesService) body(ctx context.Context, op string, c crm.Company, keyCode, key string) (*orgBody, error) {
	b := &orgBody{Name: c.Name}
	if c.Domain != "" {
		d := c.Domain
		b.Website = &d
	}
	cf, err := s.fields.withKey(ctx, op, c.Properties, keyCode, key)
	if err != nil {
		return nil, err
	}
	b.CustomFields = cf
	return b, nil
}

// Create adds an organization. With an idempotency key, the key goes into
// the key field (Config.KeyField) and an organization already holding it
// is the result: looked for before (unless connector.WithNewKey) and
// after an answer that was lost.
// https://developers.pipedrive.com/docs/api/v2/Organizations#addOrganization
func (s *CompaniesService) Create(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	if c.Name == "" {
		return nil, connector.InvalidInput("pipedrive", "organizations.create", "an organization needs a name")
	}
	o := connector.ResolveCallOptions(opts...)
	code, err := s.fields.keyCodeFor(ctx, o)
	if err != nil {
		return nil, err
	}
	b, err := s.body(ctx, "organizations.create", c, code, o.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	create := func(ctx context.Context) (json.RawMessage, error) {
		return write(ctx, s.c, "POST", v2+"/organizations", "organizations.create", b, opts)
	}
	var raw json.RawMessage
	if code == "" {
		raw, err = create(ctx)
	} else {
		raw, err = keyedCreate(ctx, o, func(ctx context.Context) (json.RawMessage, error) {
			return findByKey(ctx, s.c, "organizations", code, o.IdempotencyKey)
		}, create)
	}
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw)
}

// Update changes the fields given.
// https://developers.pipedrive.com/docs/api/v2/Organizations#updateOrganization
func (s *CompaniesService) Update(ctx context.Context, id string, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	n, err := idOf("organizations.update", id)
	if err != nil {
		return nil, err
	}
	b, err := s.body(ctx, "organizations.update", c, "", "")
	if err != nil {
		return nil, err
	}
	raw, err := write(ctx, s.c, "PATCH", v2+"/organizations/"+idText(n), "organizations.update", b, opts)
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw)
}

// Delete removes an organization.
// https://developers.pipedrive.com/docs/api/v2/Organizations#deleteOrganization
func (s *CompaniesService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	n, err := idOf("organizations.delete", id)
	if err != nil {
		return err
	}
	_, err = write(ctx, s.c, "DELETE", v2+"/organizations/"+idText(n), "organizations.delete", nil, opts)
	return err
}

// Upsert updates the organization with c.Domain, or creates it (keyed by
// the domain, so that a retry finds it).
func (s *CompaniesService) Upsert(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	if c.Domain == "" {
		return nil, connector.InvalidInput("pipedrive", "organizations.upsert", "Upsert needs a domain")
	}
	found, err := s.FindByDomain(ctx, c.Domain)
	if isNotFound(err) {
		return s.Create(ctx, c, append(opts, connector.WithIdempotencyKey(connector.DeriveKey("pipedrive-upsert", domainOf(c.Domain))))...)
	}
	if err != nil {
		return nil, err
	}
	return s.Update(ctx, found.ID, c, opts...)
}

// idByName is the id of the oldest organization named name (any case),
// made if there is none: how a contact's company text becomes Pipedrive's
// org_id link.
// https://developers.pipedrive.com/docs/api/v2/Organizations#searchOrganization
func (s *CompaniesService) idByName(ctx context.Context, name string) (int64, error) {
	if len(strings.TrimSpace(name)) >= 2 {
		ids, err := search(ctx, s.c, "organizations", name, "name")
		if err != nil {
			return 0, err
		}
		for _, n := range ids {
			c, err := s.Get(ctx, idText(n))
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return 0, err
			}
			if strings.EqualFold(c.Name, name) {
				return n, nil
			}
		}
	}
	c, err := s.Create(ctx, crm.Company{Name: name}, connector.WithIdempotencyKey(connector.DeriveKey("pipedrive-org-name", strings.ToLower(name))))
	if err != nil {
		return 0, err
	}
	return id("organizations.create", c.ID)
}
