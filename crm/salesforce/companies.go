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

// CompaniesService is crm.Companies over the Account sObject; Domain is
// its Website.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm
type CompaniesService struct{ o *org }

// Get reads an account.
func (s *CompaniesService) Get(ctx context.Context, id string) (*crm.Company, error) {
	if !validID(id) {
		return nil, notFound("companies.get", id)
	}
	return s.one(ctx, "companies.get", byID(id), "account "+id)
}

func (s *CompaniesService) one(ctx context.Context, op, where, what string) (*crm.Company, error) {
	return oldest(ctx, s.o, op, "Account", accountFields, where, what, infallible(toCompany))
}

// FindByDomain returns the oldest account whose Website is the domain, as
// users type it (with or without https:// and www.).
func (s *CompaniesService) FindByDomain(ctx context.Context, domain string) (*crm.Company, error) {
	d := domainOf(domain)
	if d == "" {
		return nil, missing("companies.find", "account without a domain")
	}
	var vals []string
	for _, p := range []string{"", "www.", "http://", "https://", "http://www.", "https://www."} {
		vals = append(vals, soqlString(p+d), soqlString(p+d+"/"))
	}
	return s.one(ctx, "companies.find", " WHERE Website IN ("+strings.Join(vals, ", ")+")", "account "+d)
}

// List yields accounts, oldest first, or changed since, oldest change first.
func (s *CompaniesService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Company, error] {
	soql := selectFrom(accountFields, "Account") + sinceClause(nil, opts.UpdatedSince)
	return func(yield func(*crm.Company, error) bool) {
		for x, err := range s.o.query(ctx, "companies.list", soql) {
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(toCompany(x.r, x.raw), nil) {
				return
			}
		}
	}
}

// Create posts an account; with an idempotency key it is an upsert by the
// key in the External ID field: one account per key.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm
func (s *CompaniesService) Create(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	const op = "companies.create"
	o := connector.ResolveCallOptions(opts...)
	var (
		res saveResult
		err error
	)
	if o.IdempotencyKey != "" {
		res, err = s.o.upsert(ctx, "Account", o.IdempotencyKey, op, companyBody(c), opts)
	} else {
		res, err = s.o.save(ctx, http.MethodPost, sobjectPath("Account"), op, companyBody(c), "Account", opts)
	}
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, res.ID)
}

// Update patches the fields given, then reads the account.
func (s *CompaniesService) Update(ctx context.Context, id string, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	const op = "companies.update"
	if !validID(id) {
		return nil, notFound(op, id)
	}
	if _, err := s.o.save(ctx, http.MethodPatch, sobjectPath("Account", id), op, companyBody(c), "Account", opts); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Delete deletes an account.
func (s *CompaniesService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.o.remove(ctx, "Account", id, "companies.delete", opts)
}

// Upsert updates the oldest account with c.Domain, or creates one by an
// upsert on "domain:<domain>" in the External ID field, so that two
// upserts racing to create it make one account.
func (s *CompaniesService) Upsert(ctx context.Context, c crm.Company, opts ...connector.CallOption) (*crm.Company, error) {
	const op = "companies.upsert"
	d := domainOf(c.Domain)
	if d == "" {
		return nil, connector.InvalidInput("salesforce", op, "a company upsert needs a domain")
	}
	found, err := s.FindByDomain(ctx, d)
	switch {
	case err == nil:
		return s.Update(ctx, found.ID, c, opts...)
	case !errors.Is(err, connector.ErrNotFound):
		return nil, err
	}
	res, err := s.o.upsert(ctx, "Account", "domain:"+d, op, companyBody(c), opts)
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, res.ID)
}

// Deleted lists the accounts deleted between start and end.
func (s *CompaniesService) Deleted(ctx context.Context, start, end time.Time) ([]DeletedRecord, error) {
	return s.o.deleted(ctx, "Account", start, end)
}
