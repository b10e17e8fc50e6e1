package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// AssociationsService is crm.Associations over Pipedrive's links, which
// are fields of the records: a person's org_id (one organization), a
// deal's person_id and org_id. Linking a contact to a second company
// replaces the first; associations go both ways by nature.
type AssociationsService struct {
	c *connector.Client
}

// link is where a pair's link lives: the record patched and its field.
func link(from, to crm.Ref) (entity, recID, field, targetEntity, targetID string, err error) {
	switch {
	case from.Type == crm.ContactObject && to.Type == crm.CompanyObject:
		return "persons", from.ID, "org_id", "organizations", to.ID, nil
	case from.Type == crm.CompanyObject && to.Type == crm.ContactObject:
		return "persons", to.ID, "org_id", "organizations", from.ID, nil
	case from.Type == crm.DealObject && to.Type == crm.ContactObject:
		return "deals", from.ID, "person_id", "persons", to.ID, nil
	case from.Type == crm.ContactObject && to.Type == crm.DealObject:
		return "deals", to.ID, "person_id", "persons", from.ID, nil
	case from.Type == crm.DealObject && to.Type == crm.CompanyObject:
		return "deals", from.ID, "org_id", "organizations", to.ID, nil
	case from.Type == crm.CompanyObject && to.Type == crm.DealObject:
		return "deals", to.ID, "org_id", "organizations", from.ID, nil
	}
	return "", "", "", "", "", connector.InvalidInput("pipedrive", "associations", fmt.Sprintf("Pipedrive links no %s to a %s", from.Type, to.Type))
}

// Associate sets the link field, after checking that the record linked to
// exists (Pipedrive would otherwise store a dangling id or answer 400).
// https://developers.pipedrive.com/docs/api/v2/Persons#updatePerson
func (s *AssociationsService) Associate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	entity, rec, field, target, targetID, err := link(from, to)
	if err != nil {
		return err
	}
	tn, err := idOf("associations.associate", targetID)
	if err != nil {
		return err
	}
	rn, err := idOf("associations.associate", rec)
	if err != nil {
		return err
	}
	if _, err := get(ctx, s.c, v2+"/"+target+"/"+idText(tn), target+".get"); err != nil {
		return err
	}
	_, err = write(ctx, s.c, "PATCH", v2+"/"+entity+"/"+idText(rn), entity+".update", map[string]json.RawMessage{field: rawInt(tn)}, opts)
	return err
}

// Dissociate clears the link field if it points at the other record.
func (s *AssociationsService) Dissociate(ctx context.Context, from, to crm.Ref, opts ...connector.CallOption) error {
	entity, rec, field, _, targetID, err := link(from, to)
	if err != nil {
		return err
	}
	rn, err := idOf("associations.dissociate", rec)
	if err != nil {
		return err
	}
	raw, err := get(ctx, s.c, v2+"/"+entity+"/"+idText(rn), entity+".get")
	if err != nil {
		return err
	}
	var links map[string]json.RawMessage
	if err := json.Unmarshal(raw, &links); err != nil {
		return fmt.Errorf("pipedrive: %s: %w: %v", entity, connector.ErrInvalidResponse, err)
	}
	if rawText(links[field]) != targetID {
		return nil
	}
	_, err = write(ctx, s.c, "PATCH", v2+"/"+entity+"/"+idText(rn), entity+".update", map[string]json.RawMessage{field: nullRaw}, opts)
	return err
}

// Associated lists the records of type to linked to from: read from the
// record's own link field, or listed by the filter on the other side
// (GET /api/v2/persons?org_id=, /api/v2/deals?person_id=).
func (s *AssociationsService) Associated(ctx context.Context, from crm.Ref, to crm.ObjectType) iter.Seq2[crm.Ref, error] {
	entity, rec, field, _, _, err := link(from, crm.Ref{Type: to})
	if err != nil {
		return func(yield func(crm.Ref, error) bool) { yield(crm.Ref{}, err) }
	}
	if rec == from.ID { // the link is on from itself: one at most
		return func(yield func(crm.Ref, error) bool) {
			n, err := idOf("associations.list", from.ID)
			if err != nil {
				yield(crm.Ref{}, err)
				return
			}
			raw, err := get(ctx, s.c, v2+"/"+entity+"/"+idText(n), entity+".get")
			if err != nil {
				yield(crm.Ref{}, err)
				return
			}
			var links map[string]json.RawMessage
			if err := json.Unmarshal(raw, &links); err != nil {
				yield(crm.Ref{}, fmt.Errorf("pipedrive: %s: %w: %v", entity, connector.ErrInvalidResponse, err))
				return
			}
			if v := rawText(links[field]); v != "" && v != "0" {
				yield(crm.Ref{Type: to, ID: v}, nil)
			}
		}
	}
	n, err := idOf("associations.list", from.ID)
	if err != nil {
		return func(yield func(crm.Ref, error) bool) { yield(crm.Ref{}, err) }
	}
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[crm.Ref], error) {
		q := url.Values{"limit": {"100"}, field: {idText(n)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var env envelope[[]struct {
			ID int64 `json:"id"`
		}]
		if err := s.c.JSON(ctx, "GET", v2+"/"+entity+"?"+q.Encode(), nil, &env, connector.WithOperation(entity+".list")); err != nil {
			return connector.Page[crm.Ref]{}, err
		}
		page := connector.Page[crm.Ref]{Next: env.next()}
		for _, r := range env.Data {
			page.Items = append(page.Items, crm.Ref{Type: to, ID: idText(r.ID)})
		}
		return page, nil
	})
}
