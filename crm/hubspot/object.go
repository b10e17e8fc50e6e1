package hubspot

import (
	"encoding/json"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
	"time"
)

// object is HubSpot's SimplePublicObject: any CRM record on the wire.
// Property values are strings, or null for a property asked for but unset;
// null decodes as "", which is how every mapping treats an unset field
// (and saves an allocation per property against *string).
type object struct {
	ID         string            `json:"id"`
	Properties map[string]string `json:"properties"`
	CreatedAt  time.Time         `json:"createdAt"`
	UpdatedAt  time.Time         `json:"updatedAt"`
	Archived   bool              `json:"archived"`

	raw json.RawMessage
}

// UnmarshalJSON keeps the record's raw bytes for Raw.
func (o *object) UnmarshalJSON(b []byte) error {
	type plain object
	if err := json.Unmarshal(b, (*plain)(o)); err != nil {
		return err
	}
	o.raw = append(json.RawMessage(nil), b...)
	return nil
}

func (o *object) prop(name string) string { return o.Properties[name] }

// fillFrom adds the properties a successful write sent that its answer
// left out. HubSpot answers writes with a default set of properties (a
// deal's answer has no deal_currency_code, for one), but what was written
// is known to be stored.
func (o *object) fillFrom(sent map[string]string) *object {
	for k, v := range sent {
		if _, ok := o.Properties[k]; !ok {
			if o.Properties == nil {
				o.Properties = map[string]string{}
			}
			o.Properties[k] = v
		}
	}
	return o
}

// page is a list or search answer.
type page struct {
	Results []object `json:"results"`
	Total   *int     `json:"total"` // search only
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

func (p *page) pointers() []*object {
	out := make([]*object, len(p.Results))
	for i := range p.Results {
		out[i] = &p.Results[i]
	}
	return out
}

func (p *page) next() string {
	if p.Paging == nil || p.Paging.Next == nil {
		return ""
	}
	return p.Paging.Next.After
}

// objectInput is the body of an update.
type objectInput struct {
	Properties map[string]string `json:"properties"`
}

// createInput always sends associations: HubSpot's create schema requires
// the field, even empty.
type createInput struct {
	Properties   map[string]string   `json:"properties"`
	Associations []inlineAssociation `json:"associations"`
}

// inlineAssociation links a record being created to an existing one.
type inlineAssociation struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []associationSpec `json:"types"`
}

type associationSpec struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// inline builds the associations of a create from a record type to refs,
// with HubSpot's defined type ids (types maps each target's type).
func inline(op string, refs []crm.Ref, types map[crm.ObjectType]int) ([]inlineAssociation, error) {
	out := []inlineAssociation{}
	for _, ref := range refs {
		typeID, ok := types[ref.Type]
		if !ok || ref.ID == "" {
			return nil, connector.InvalidInput("hubspot", op, "cannot associate with "+string(ref.Type)+" "+ref.ID)
		}
		a := inlineAssociation{Types: []associationSpec{{Category: "HUBSPOT_DEFINED", TypeID: typeID}}}
		a.To.ID = ref.ID
		out = append(out, a)
	}
	return out, nil
}
