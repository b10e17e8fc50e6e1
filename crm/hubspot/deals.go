package hubspot

import (
	"context"
	"errors"
	"iter"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DealsService is HubSpot's deals, as crm.Deals.
// https://developers.hubspot.com/docs/api-reference/latest/crm/objects/deals/guide
type DealsService struct {
	objects
	keys     *keyProperty
	currency string // the portal's company currency, for deals without deal_currency_code
	custom   []string
}

var standardDealProperties = []string{"dealname", "amount", "deal_currency_code", "dealstage", "pipeline", "closedate",
	"createdate", "hs_lastmodifieddate"}

// Get returns one deal by its HubSpot id.
//
// HubSpot API: GET /crm/v3/objects/deals/{dealId}.
func (s *DealsService) Get(ctx context.Context, id string) (*crm.Deal, error) {
	o, err := s.get(ctx, id, "", "get")
	if err != nil {
		return nil, err
	}
	return s.toDeal(o), nil
}

// List yields deals, or those changed since opts.UpdatedSince.
//
// HubSpot API: GET /crm/v3/objects/deals, POST /crm/v3/objects/deals/search.
func (s *DealsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Deal, error] {
	if !opts.UpdatedSince.IsZero() {
		return mapSeq(s.listSince(ctx, opts.UpdatedSince), s.toDeal)
	}
	return mapSeq(s.list(ctx), s.toDeal)
}

// dealAssociationTypes are HubSpot's defined association type ids from a
// deal to each record type.
var dealAssociationTypes = map[crm.ObjectType]int{crm.ContactObject: 3, crm.CompanyObject: 341}

// Create adds a deal, linked to d.Associations in the same call. With an
// idempotency key the deal carries it in the idempotency property
// (Config.IdempotencyProperty), which HubSpot keeps unique: the same key
// twice gives one deal, whichever process sends it. A keyed deal without
// associations is upserted by that property; one with associations is
// created with them, and a 409 for the key means it exists: it is read
// back, and its links made sure of (a PUT each, harmless if there).
//
// HubSpot API: POST /crm/v3/objects/deals, or .../batch/upsert when keyed
// without associations.
func (s *DealsService) Create(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	assocs, err := inline("deals.create", d.Associations, dealAssociationTypes)
	if err != nil {
		return nil, err
	}
	props := dealProperties(d)
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	var o *object
	switch {
	case key == "":
		o, err = s.createWith(ctx, props, assocs, false)
	case len(assocs) == 0:
		o, err = s.createKeyed(ctx, s.keys, "dealinformation", key, props)
	default:
		o, err = s.createKeyedWith(ctx, key, props, d.Associations, assocs)
	}
	if err != nil {
		return nil, err
	}
	return s.toDeal(o), nil
}

// createKeyedWith creates the deal with its key and associations, or, if
// the key is taken (an earlier attempt made it), reads that deal and makes
// sure of its links.
func (s *DealsService) createKeyedWith(ctx context.Context, key string, props map[string]string, refs []crm.Ref, assocs []inlineAssociation) (*object, error) {
	if err := s.keys.ensure(ctx, s.kind, "dealinformation"); err != nil {
		return nil, err
	}
	keyed := make(map[string]string, len(props)+1)
	for k, v := range props {
		keyed[k] = v
	}
	keyed[s.keys.name] = key
	o, err := s.createWith(ctx, keyed, assocs, true)
	if !errors.Is(err, connector.ErrConflict) {
		return o, err
	}
	if o, err = s.get(ctx, key, s.keys.name, "get"); err != nil {
		return nil, err
	}
	links := &AssociationsService{c: s.c}
	for _, ref := range refs {
		if err := links.Associate(ctx, crm.Ref{Type: crm.DealObject, ID: o.ID}, ref); err != nil {
			return nil, err
		}
	}
	return o.fillFrom(props), nil
}

// Update sets the fields given in d.
//
// HubSpot API: PATCH /crm/v3/objects/deals/{dealId}.
func (s *DealsService) Update(ctx context.Context, id string, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	o, err := s.update(ctx, id, dealProperties(d), opts)
	if err != nil {
		return nil, err
	}
	return s.toDeal(o), nil
}

// Delete archives a deal.
//
// HubSpot API: DELETE /crm/v3/objects/deals/{dealId}.
func (s *DealsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.remove(ctx, id, opts)
}

// Upsert creates or updates the deal identified by the call's idempotency
// key (required), through the unique idempotency property.
//
// HubSpot API: POST /crm/v3/objects/deals/batch/upsert.
func (s *DealsService) Upsert(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	if connector.ResolveCallOptions(opts...).IdempotencyKey == "" {
		return nil, connector.InvalidInput("hubspot", "deals.upsert", "a deal upsert needs an idempotency key to match on")
	}
	return s.Create(ctx, d, opts...)
}
