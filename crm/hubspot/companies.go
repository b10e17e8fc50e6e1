package hubspot

import (
	"context"
	"errors"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// CompaniesService is HubSpot's companies, as crm.Companies.
// https://developers.hubspot.com/docs/api-reference/latest/crm/objects/companies/guide
type CompaniesService struct {
	objects
	keys   *keyProperty
	custom []string
}

var standardCompanyProperties = []string{"name", "domain", "createdate", "hs_lastmodifieddate"}

// Get returns one company by its HubSpot id.
//
// HubSpot API: GET /crm/v3/objects/companies/{companyId}.
func (s *CompaniesService) Get(ctx context.Context, id string) (*crm.Company, error) {
	o, err := s.get(ctx, id, "", "get")
	if err != nil {
		return nil, err
	}
	return s.toCompany(o), nil
}

// FindByDomain returns the oldest company with that domain. HubSpot does
// not keep domains unique.
//
// HubSpot API: POST /crm/v3/objects/companies/search.
func (s *CompaniesService) FindByDomain(ctx context.Context, domain string) (*crm.Company, error) {
	if domain == "" {
		return nil, connector.InvalidInput("hubspot", "companies.findByDomain", "domain is empty")
	}
	found, err := s.findBy(ctx, "domain", domain, 1)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, &connector.APIError{Vendor: "hubspot", Op: "companies.findByDomain", Kind: connector.ErrNotFound,
			Message: "no company has domain " + domain}
	}
	return s.toCompany(&found[0]), nil
}

// List yields companies, or those changed since opts.UpdatedSince.
//
// HubSpot API: GET /crm/v3/objects/companies, POST /crm/v3/objects/companies/search.
func (s *CompaniesService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Company, error] {
	if !opts.UpdatedSince.IsZero() {
		return mapSeq(s.listSince(ctx, opts.UpdatedSince), s.toCompany)
	}
	return mapSeq(s.list(ctx), s.toCompany)
}

// Create adds a company. With an idempotency key it upserts by the
// idempotency property (see Config.IdempotencyProperty), so the same key
// twice gives one company.
//
// HubSpot API: POST /crm/v3/objects/companies, or .../batch/upsert when keyed.
func (s *CompaniesService) Create(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	var (
		o   *object
		err error
	)
	if key := connector.ResolveCallOptions(opts...).IdempotencyKey; key != "" {
		o, err = s.createKeyed(ctx, s.keys, "companyinformation", key, companyProperties(c))
	} else {
		o, err = s.create(ctx, companyProperties(c), false)
	}
	if err != nil {
		return nil, err
	}
	return s.toCompany(o), nil
}

// Update sets the fields given in c.
//
// HubSpot API: PATCH /crm/v3/objects/companies/{companyId}.
func (s *CompaniesService) Update(ctx context.Context, id string, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	o, err := s.update(ctx, id, companyProperties(c), opts)
	if err != nil {
		return nil, err
	}
	return s.toCompany(o), nil
}

// Delete archives a company.
//
// HubSpot API: DELETE /crm/v3/objects/companies/{companyId}.
func (s *CompaniesService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.remove(ctx, id, opts)
}

// Upsert updates the oldest company with c.Domain, or creates one (keyed
// by the domain, so two upserts racing for a new domain make one company).
func (s *CompaniesService) Upsert(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	if c.Domain == "" {
		return nil, connector.InvalidInput("hubspot", "companies.upsert", "upsert needs a domain")
	}
	existing, err := s.FindByDomain(ctx, c.Domain)
	switch {
	case err == nil:
		return s.Update(ctx, existing.ID, c, opts...)
	case errors.Is(err, connector.ErrNotFound):
		return s.Create(ctx, c, connector.WithIdempotencyKey(connector.DeriveKey("hubspot-company-domain", c.Domain)))
	}
	return nil, err
}
