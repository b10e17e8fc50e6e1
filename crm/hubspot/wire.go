package hubspot

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
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

// associationPage is a page of a v4 associations list.
type associationPage struct {
	Results []struct {
		ToObjectID json.Number `json:"toObjectId"` // a string in the spec, a number on the wire
	} `json:"results"`
	Paging *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// refs turns the page into refs to records of type to.
func (p *associationPage) refs(to crm.ObjectType) connector.Page[crm.Ref] {
	out := connector.Page[crm.Ref]{Items: make([]crm.Ref, 0, len(p.Results))}
	for _, r := range p.Results {
		out.Items = append(out.Items, crm.Ref{Type: to, ID: strings.Trim(r.ToObjectID.String(), `"`)})
	}
	if p.Paging != nil && p.Paging.Next != nil {
		out.Next = p.Paging.Next.After
	}
	return out
}

// upsertInput is one record of a batch upsert.
type upsertInput struct {
	ID         string            `json:"id"`
	IDProperty string            `json:"idProperty"`
	Properties map[string]string `json:"properties"`
}

// searchRequest is HubSpot's PublicObjectSearchRequest. after, limit,
// properties and sorts are always sent: the published schema marks them
// required (HubSpot accepts requests without them, but sending them costs
// nothing and keeps every request valid against the spec).
type searchRequest struct {
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []string      `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

type filterGroup struct {
	Filters []filter `json:"filters"`
}

type filter struct {
	PropertyName string `json:"propertyName"`
	Operator     string `json:"operator"`
	Value        string `json:"value"`
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

func (s *ContactsService) toContact(o *object) *crm.Contact {
	c := &crm.Contact{
		ID: o.ID, Email: o.prop("email"), FirstName: o.prop("firstname"), LastName: o.prop("lastname"),
		Phone: o.prop("phone"), Company: o.prop("company"),
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Raw: o.raw,
		Properties: customProperties(o, s.custom),
	}
	if a := (crm.Address{Street: o.prop("address"), City: o.prop("city"), Region: o.prop("state"),
		PostalCode: o.prop("zip"), Country: o.prop("country")}); a != (crm.Address{}) {
		c.Address = &a
	}
	return c
}

// customProperties copies the named custom properties the record has.
func customProperties(o *object, names []string) map[string]string {
	var out map[string]string
	for _, name := range names {
		if v, ok := o.Properties[name]; ok {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}

func companyProperties(c crm.Company) map[string]string {
	p := make(map[string]string, 2+len(c.Properties))
	if c.Name != "" {
		p["name"] = c.Name
	}
	if c.Domain != "" {
		p["domain"] = c.Domain
	}
	for k, v := range c.Properties {
		p[k] = v
	}
	return p
}

func (s *CompaniesService) toCompany(o *object) *crm.Company {
	return &crm.Company{ID: o.ID, Name: o.prop("name"), Domain: o.prop("domain"),
		Properties: customProperties(o, s.custom), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Raw: o.raw}
}

// dealProperties maps a crm.Deal to HubSpot properties. The amount goes as
// its exact decimal text with its currency code, never through a float.
func dealProperties(d crm.Deal) map[string]string {
	p := make(map[string]string, 6+len(d.Properties))
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("dealname", d.Name)
	set("dealstage", d.Stage)
	set("pipeline", d.Pipeline)
	if d.Amount != nil {
		p["amount"] = d.Amount.Decimal().String()
		p["deal_currency_code"] = d.Amount.Curr().Code()
	}
	if !d.CloseDate.IsZero() {
		p["closedate"] = d.CloseDate.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	for k, v := range d.Properties {
		p[k] = v
	}
	return p
}

// toDeal maps a HubSpot deal. An amount that is not a decimal number stays
// out of Amount and is kept as the "amount" entry of Properties (and in
// Raw): nothing the vendor sent is lost or guessed at.
func (s *DealsService) toDeal(o *object) *crm.Deal {
	d := &crm.Deal{ID: o.ID, Name: o.prop("dealname"), Stage: o.prop("dealstage"), Pipeline: o.prop("pipeline"),
		Properties: customProperties(o, s.custom), CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt, Raw: o.raw}
	if a := o.prop("amount"); a != "" {
		cur := o.prop("deal_currency_code")
		if cur == "" {
			cur = s.currency
		}
		if amt, err := money.ParseAmount(cur, a); err == nil {
			d.Amount = &amt
		} else {
			if d.Properties == nil {
				d.Properties = map[string]string{}
			}
			d.Properties["amount"] = a
		}
	}
	if c := o.prop("closedate"); c != "" {
		d.CloseDate = parseDateTime(c)
	}
	return d
}

// parseDateTime reads a HubSpot datetime property: ISO 8601, or epoch
// milliseconds in older records. Zero if neither.
func parseDateTime(v string) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}

func (s *NotesService) toNote(o *object, about []crm.Ref) *crm.Note {
	n := &crm.Note{ID: o.ID, Body: o.prop("hs_note_body"), About: about}
	if before, _, ok := strings.Cut(n.Body, keyMarker); ok {
		n.Body = before
	}
	if ts := o.prop("hs_timestamp"); ts != "" {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			n.Timestamp = t
		} else if ms, err := strconv.ParseInt(ts, 10, 64); err == nil {
			n.Timestamp = time.UnixMilli(ms).UTC()
		}
	}
	return n
}
