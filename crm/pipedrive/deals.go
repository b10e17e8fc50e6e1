package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strconv"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DealsService is crm.Deals over Pipedrive's deals (API v2). Stage is the
// stage id, or "closedwon"/"closedlost" for a deal won or lost (Pipedrive's
// status); Pipeline is the pipeline id ("default": the account's first).
// https://developers.pipedrive.com/docs/api/v2/Deals
type DealsService struct {
	c        *connector.Client
	fields   *fieldSet
	currency string
}

func (s *DealsService) decode(ctx context.Context, raw json.RawMessage) (*crm.Deal, error) {
	var d dealWire
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("pipedrive: deal: %w: %v", connector.ErrInvalidResponse, err)
	}
	out := toDeal(d, raw, s.currency)
	out.Properties = s.fields.fromWire(ctx, d.CustomFields)
	return out, nil
}

// Get returns the deal with the id.
// https://developers.pipedrive.com/docs/api/v2/Deals#getDeal
func (s *DealsService) Get(ctx context.Context, id string) (*crm.Deal, error) {
	n, err := idOf("deals.get", id)
	if err != nil {
		return nil, err
	}
	raw, err := get(ctx, s.c, v2+"/deals/"+idText(n), "deals.get")
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw)
}

// List yields deals by cursor, oldest change first with UpdatedSince.
// https://developers.pipedrive.com/docs/api/v2/Deals#getDeals
func (s *DealsService) List(ctx context.Context, opts crm.ListOptions) iter.Seq2[*crm.Deal, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[*crm.Deal], error) {
		var env envelope[[]json.RawMessage]
		if err := s.c.JSON(ctx, "GET", v2+"/deals?"+listQuery(cursor, opts).Encode(), nil, &env, connector.WithOperation("deals.list")); err != nil {
			return connector.Page[*crm.Deal]{}, err
		}
		page := connector.Page[*crm.Deal]{Next: env.next()}
		for _, raw := range env.Data {
			d, err := s.decode(ctx, raw)
			if err != nil {
				return page, err
			}
			page.Items = append(page.Items, d)
		}
		return page, nil
	})
}

func (s *DealsService) body(ctx context.Context, op string, d crm.Deal, keyCode, key string) (*dealBody, error) {
	b := &dealBody{Title: d.Name}
	if d.Amount != nil {
		b.Value = json.Number(d.Amount.Decimal().String())
		b.Currency = d.Amount.Curr().Code()
	}
	switch d.Stage {
	case "":
	case stageWon:
		b.Status = "won"
	case stageLost:
		b.Status = "lost"
	default:
		n, err := strconv.ParseInt(d.Stage, 10, 64)
		if err != nil || n <= 0 {
			return nil, connector.InvalidInput("pipedrive", op, fmt.Sprintf("stage %q is neither a stage id nor closedwon/closedlost", d.Stage))
		}
		b.StageID = &n
	}
	if d.Pipeline != "" && d.Pipeline != "default" {
		n, err := strconv.ParseInt(d.Pipeline, 10, 64)
		if err != nil || n <= 0 {
			return nil, connector.InvalidInput("pipedrive", op, fmt.Sprintf("pipeline %q is not a pipeline id", d.Pipeline))
		}
		b.PipelineID = &n
	}
	if !d.CloseDate.IsZero() {
		b.ExpectedCloseDate = d.CloseDate.Format("2006-01-02")
	}
	for _, ref := range d.Associations {
		n, err := idOf(op, ref.ID)
		if err != nil {
			return nil, err
		}
		switch {
		case ref.Type == crm.ContactObject && b.PersonID == nil:
			b.PersonID = rawInt(n)
		case ref.Type == crm.CompanyObject && b.OrgID == nil:
			b.OrgID = rawInt(n)
		default:
			return nil, connector.InvalidInput("pipedrive", op, fmt.Sprintf("a Pipedrive deal links to one person and one organization, not to %s %s", ref.Type, ref.ID))
		}
	}
	cf, err := s.fields.withKey(ctx, op, d.Properties, keyCode, key)
	if err != nil {
		return nil, err
	}
	b.CustomFields = cf
	return b, nil
}

// Create adds a deal, linked in the same call to the person and the
// organization in d.Associations. With an idempotency key, the key goes
// into the key field (Config.KeyField) and a deal already holding it is
// the result, its links made sure of: looked for before (unless
// connector.WithNewKey) and after an answer that was lost.
// https://developers.pipedrive.com/docs/api/v2/Deals#addDeal
func (s *DealsService) Create(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	if d.Name == "" {
		return nil, connector.InvalidInput("pipedrive", "deals.create", "a deal needs a name (title)")
	}
	o := connector.ResolveCallOptions(opts...)
	code, err := s.fields.keyCodeFor(ctx, o)
	if err != nil {
		return nil, err
	}
	b, err := s.body(ctx, "deals.create", d, code, o.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	create := func(ctx context.Context) (json.RawMessage, error) {
		return write(ctx, s.c, "POST", v2+"/deals", "deals.create", b, opts)
	}
	if code == "" {
		raw, err := create(ctx)
		if err != nil {
			return nil, err
		}
		return s.decode(ctx, raw)
	}
	raw, err := keyedCreate(ctx, o, func(ctx context.Context) (json.RawMessage, error) {
		return findByKey(ctx, s.c, "deals", code, o.IdempotencyKey)
	}, create)
	if err != nil {
		return nil, err
	}
	out, err := s.decode(ctx, raw)
	if err != nil {
		return nil, err
	}
	var w dealWire
	_ = json.Unmarshal(raw, &w)
	fix := dealBody{}
	if b.PersonID != nil && (w.PersonID == nil || string(rawInt(*w.PersonID)) != string(b.PersonID)) {
		fix.PersonID = b.PersonID
	}
	if b.OrgID != nil && (w.OrgID == nil || string(rawInt(*w.OrgID)) != string(b.OrgID)) {
		fix.OrgID = b.OrgID
	}
	if fix.PersonID != nil || fix.OrgID != nil {
		raw, err := write(ctx, s.c, "PATCH", v2+"/deals/"+out.ID, "deals.update", fix, nil)
		if err != nil {
			return nil, err
		}
		return s.decode(ctx, raw)
	}
	return out, nil
}

// Update changes the fields given.
// https://developers.pipedrive.com/docs/api/v2/Deals#updateDeal
func (s *DealsService) Update(ctx context.Context, id string, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	n, err := idOf("deals.update", id)
	if err != nil {
		return nil, err
	}
	b, err := s.body(ctx, "deals.update", d, "", "")
	if err != nil {
		return nil, err
	}
	raw, err := write(ctx, s.c, "PATCH", v2+"/deals/"+idText(n), "deals.update", b, opts)
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, raw)
}

// Delete removes a deal.
// https://developers.pipedrive.com/docs/api/v2/Deals#deleteDeal
func (s *DealsService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	n, err := idOf("deals.delete", id)
	if err != nil {
		return err
	}
	_, err = write(ctx, s.c, "DELETE", v2+"/deals/"+idText(n), "deals.delete", nil, opts)
	return err
}

// Upsert updates the deal holding the call's idempotency key, or creates
// it with the key. The key is required.
func (s *DealsService) Upsert(ctx context.Context, d crm.Deal, opts ...connector.CallOption) (*crm.Deal, error) {
	o := connector.ResolveCallOptions(opts...)
	if o.IdempotencyKey == "" {
		return nil, connector.InvalidInput("pipedrive", "deals.upsert", "Upsert of a deal needs connector.WithIdempotencyKey")
	}
	code, err := s.fields.keyCode(ctx, true)
	if err != nil {
		return nil, err
	}
	raw, err := findByKey(ctx, s.c, "deals", code, o.IdempotencyKey)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return s.Create(ctx, d, append(opts, connector.WithNewKey())...)
	}
	var w dealWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, fmt.Errorf("pipedrive: deal: %w: %v", connector.ErrInvalidResponse, err)
	}
	return s.Update(ctx, idText(w.ID), d, opts...)
}
