package salesforce

import (
	"context"
	"iter"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DealsService is crm.Deals over the Opportunity sObject: Amount exact,
// in CurrencyIsoCode (multi-currency orgs) or Config.Currency; Stage
// through Config.Stages to StageName; no Pipeline (Salesforce's sales
// processes hang on record types, which the package leaves alone).
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
type DealsService struct{ o *org }

// Get reads an opportunity.
func (s *DealsService) Get(ctx context.Context, id string) (*crm.Deal, error) {
	if !validID(id) {
		return nil, notFound("deals.get", id)
	}
	return oldest(ctx, s.o, "deals.get", "Opportunity", s.o.opportunityFields(), byID(id), "opportunity "+id, s.o.toDeal)
}

// List yields opportunities, oldest first, or changed since, oldest
// change first.
func (s *DealsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Deal, error] {
	soql := selectFrom(s.o.opportunityFields(), "Opportunity") + sinceClause(nil, opts.UpdatedSince)
	return func(yield func(*crm.Deal, error) bool) {
		for x, err := range s.o.query(ctx, "deals.list", soql) {
			if err != nil {
				yield(nil, err)
				return
			}
			d, err := s.o.toDeal(x.r, x.raw)
			if !yield(d, err) || err != nil {
				return
			}
		}
	}
}

// Create adds an opportunity: with an idempotency key, an upsert by the key
// in the External ID field (one opportunity per key, and sent again after
// a lost answer); without, a POST. A company in d.Associations is its
// AccountId; contacts are linked by OpportunityContactRole after it.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
func (s *DealsService) Create(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	const op = "deals.create"
	o := connector.ResolveCallOptions(opts...)
	body, err := s.o.dealBody(op, d, true)
	if err != nil {
		return nil, err
	}
	var res saveResult
	if o.IdempotencyKey != "" {
		res, err = s.o.upsert(ctx, "Opportunity", o.IdempotencyKey, op, body, opts)
	} else {
		res, err = s.o.save(ctx, http.MethodPost, sobjectPath("Opportunity"), op, body, "Opportunity", opts)
	}
	if err != nil {
		return nil, err
	}
	for _, ref := range d.Associations {
		if ref.Type == crm.ContactObject {
			if err := s.o.linkDealContact(ctx, op, res.ID, ref.ID, opts); err != nil {
				return nil, err
			}
		}
	}
	return s.Get(ctx, res.ID)
}

// Update patches the fields given, then reads the opportunity.
func (s *DealsService) Update(ctx context.Context, id string, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	const op = "deals.update"
	if !validID(id) {
		return nil, notFound(op, id)
	}
	body, err := s.o.dealBody(op, d, false)
	if err != nil {
		return nil, err
	}
	if _, err := s.o.save(ctx, http.MethodPatch, sobjectPath("Opportunity", id), op, body, "Opportunity", opts); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// Delete deletes an opportunity.
func (s *DealsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.o.remove(ctx, "Opportunity", id, "deals.delete", opts)
}

// Upsert creates or updates the opportunity whose External ID field holds
// the call's idempotency key: one PATCH.
func (s *DealsService) Upsert(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	const op = "deals.upsert"
	o := connector.ResolveCallOptions(opts...)
	if o.IdempotencyKey == "" {
		return nil, connector.InvalidInput("salesforce", op, "a deal upsert needs an idempotency key: opportunities have no natural key")
	}
	body, err := s.o.dealBody(op, d, true)
	if err != nil {
		return nil, err
	}
	if d.CloseDate.IsZero() {
		delete(body, "CloseDate") // an update keeps its date; a create without one is refused
	}
	res, err := s.o.upsert(ctx, "Opportunity", o.IdempotencyKey, op, body, opts)
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, res.ID)
}

// Deleted lists the opportunities deleted between start and end.
func (s *DealsService) Deleted(ctx context.Context, start, end time.Time) ([]DeletedRecord, error) {
	return s.o.deleted(ctx, "Opportunity", start, end)
}
