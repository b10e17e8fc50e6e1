package pipedrive

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// envelope is every Pipedrive answer: {"success":true,"data":...,
// "additional_data":{"next_cursor":"..."}} (v2); v1 lists page with
// additional_data.pagination.
type envelope[T any] struct {
	Success        bool `json:"success"`
	Data           T    `json:"data"`
	AdditionalData struct {
		NextCursor *string `json:"next_cursor"`
		Pagination *struct {
			NextStart             int  `json:"next_start"`
			MoreItemsInCollection bool `json:"more_items_in_collection"`
		} `json:"pagination"`
	} `json:"additional_data"`
}

func (e envelope[T]) next() string {
	if e.AdditionalData.NextCursor != nil {
		return *e.AdditionalData.NextCursor
	}
	return ""
}

// labeled is an email, phone or IM entry of a person.
type labeled struct {
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
	Label   string `json:"label,omitempty"`
}

// addressWire is Pipedrive's address with its components.
type addressWire struct {
	Value           string `json:"value,omitempty"`
	Country         string `json:"country,omitempty"`
	AdminAreaLevel1 string `json:"admin_area_level_1,omitempty"`
	Locality        string `json:"locality,omitempty"`
	Route           string `json:"route,omitempty"`
	StreetNumber    string `json:"street_number,omitempty"`
	PostalCode      string `json:"postal_code,omitempty"`
}

type personWire struct {
	ID            int64                      `json:"id"`
	Name          string                     `json:"name"`
	FirstName     string                     `json:"first_name"`
	LastName      string                     `json:"last_name"`
	OrgID         *int64                     `json:"org_id"`
	AddTime       string                     `json:"add_time"`
	UpdateTime    string                     `json:"update_time"`
	Emails        []labeled                  `json:"emails"`
	Phones        []labeled                  `json:"phones"`
	PostalAddress *addressWire               `json:"postal_address"`
	CustomFields  map[string]json.RawMessage `json:"custom_fields"`
}

// personBody is a create or update. OrgID is raw so that null unlinks.
type personBody struct {
	Name          string          `json:"name,omitempty"`
	OrgID         json.RawMessage `json:"org_id,omitempty"`
	Emails        []labeled       `json:"emails,omitempty"`
	Phones        []labeled       `json:"phones,omitempty"`
	PostalAddress *addressWire    `json:"postal_address,omitempty"`
	CustomFields  map[string]any  `json:"custom_fields,omitempty"`
}

type orgWire struct {
	ID           int64                      `json:"id"`
	Name         string                     `json:"name"`
	Website      *string                    `json:"website"`
	AddTime      string                     `json:"add_time"`
	UpdateTime   string                     `json:"update_time"`
	CustomFields map[string]json.RawMessage `json:"custom_fields"`
}

type orgBody struct {
	Name         string         `json:"name,omitempty"`
	Website      *string        `json:"website,omitempty"`
	CustomFields map[string]any `json:"custom_fields,omitempty"`
}

type dealWire struct {
	ID                int64                      `json:"id"`
	Title             string                     `json:"title"`
	PersonID          *int64                     `json:"person_id"`
	OrgID             *int64                     `json:"org_id"`
	PipelineID        *int64                     `json:"pipeline_id"`
	StageID           *int64                     `json:"stage_id"`
	Value             json.Number                `json:"value"`
	Currency          string                     `json:"currency"`
	Status            string                     `json:"status"`
	ExpectedCloseDate *string                    `json:"expected_close_date"`
	AddTime           string                     `json:"add_time"`
	UpdateTime        string                     `json:"update_time"`
	CustomFields      map[string]json.RawMessage `json:"custom_fields"`
}

type dealBody struct {
	Title             string          `json:"title,omitempty"`
	PersonID          json.RawMessage `json:"person_id,omitempty"`
	OrgID             json.RawMessage `json:"org_id,omitempty"`
	PipelineID        *int64          `json:"pipeline_id,omitempty"`
	StageID           *int64          `json:"stage_id,omitempty"`
	Value             json.Number     `json:"value,omitempty"`
	Currency          string          `json:"currency,omitempty"`
	Status            string          `json:"status,omitempty"`
	ExpectedCloseDate string          `json:"expected_close_date,omitempty"`
	CustomFields      map[string]any  `json:"custom_fields,omitempty"`
}

// searchResult is one hit of /persons/search, /organizations/search or
// /deals/search.
type searchResult struct {
	Items []struct {
		Item struct {
			ID     int64    `json:"id"`
			Emails []string `json:"emails"`
		} `json:"item"`
	} `json:"items"`
}

type noteWire struct {
	ID       int64  `json:"id"`
	Content  string `json:"content"`
	AddTime  string `json:"add_time"`
	PersonID *int64 `json:"person_id"`
	OrgID    *int64 `json:"org_id"`
	DealID   *int64 `json:"deal_id"`
}

type noteBody struct {
	Content  string `json:"content"`
	PersonID *int64 `json:"person_id,omitempty"`
	OrgID    *int64 `json:"org_id,omitempty"`
	DealID   *int64 `json:"deal_id,omitempty"`
	AddTime  string `json:"add_time,omitempty"`
}

// parseTime reads Pipedrive's times: RFC 3339 in v2, "2006-01-02
// 15:04:05" (UTC) in v1.
func parseTime(s string) time.Time {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateTime, s); err == nil {
		return t
	}
	return time.Time{}
}

// formatV2Time is a v2 query's time: RFC 3339, UTC, seconds.
func formatV2Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// id parses a domain id into Pipedrive's integer ids. A non-numeric id
// cannot exist: ErrNotFound, as Pipedrive would say.
func id(vendorOp, s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, &connector.APIError{Vendor: "pipedrive", Op: vendorOp, Kind: connector.ErrNotFound, Message: fmt.Sprintf("no record with id %q", s)}
	}
	return n, nil
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

func rawInt(n int64) json.RawMessage { return json.RawMessage(idText(n)) }

// nullRaw unlinks a reference in an update.
var nullRaw = json.RawMessage("null")

func primary(ls []labeled) string {
	for _, l := range ls {
		if l.Primary {
			return l.Value
		}
	}
	if len(ls) > 0 {
		return ls[0].Value
	}
	return ""
}

func toContact(p personWire, raw json.RawMessage) *crm.Contact {
	c := &crm.Contact{
		ID: idText(p.ID), Email: primary(p.Emails), Phone: primary(p.Phones),
		FirstName: p.FirstName, LastName: p.LastName,
		CreatedAt: parseTime(p.AddTime), UpdatedAt: parseTime(p.UpdateTime), Raw: raw,
	}
	if c.FirstName == "" && c.LastName == "" && p.Name != "" {
		c.FirstName, c.LastName = splitName(p.Name)
	}
	if a := p.PostalAddress; a != nil && (a.Route != "" || a.Locality != "" || a.PostalCode != "" || a.Country != "" || a.Value != "") {
		street := a.Route
		if a.StreetNumber != "" {
			street = strings.TrimSpace(a.StreetNumber + " " + a.Route)
		}
		c.Address = &crm.Address{Street: street, City: a.Locality, Region: a.AdminAreaLevel1, PostalCode: a.PostalCode, Country: a.Country}
	}
	return c
}

// splitName is Pipedrive's own split of a person's name: the first word
// and the rest.
func splitName(name string) (string, string) {
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}

func joinName(first, last string) string { return strings.TrimSpace(first + " " + last) }

func addressBody(a *crm.Address) *addressWire {
	if a == nil {
		return nil
	}
	var parts []string
	for _, p := range []string{a.Street, a.City, a.Region, a.PostalCode, a.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return &addressWire{Value: strings.Join(parts, ", "), Route: a.Street, Locality: a.City, AdminAreaLevel1: a.Region, PostalCode: a.PostalCode, Country: a.Country}
}

func toCompany(o orgWire, raw json.RawMessage) *crm.Company {
	c := &crm.Company{ID: idText(o.ID), Name: o.Name, CreatedAt: parseTime(o.AddTime), UpdatedAt: parseTime(o.UpdateTime), Raw: raw}
	if o.Website != nil {
		c.Domain = domainOf(*o.Website)
	}
	return c
}

// domainOf is the host of a website as Pipedrive keeps it ("https://www.
// example.com/" or "example.com"), lower case, without "www.".
func domainOf(website string) string {
	w := strings.TrimSpace(strings.ToLower(website))
	if w == "" {
		return ""
	}
	if !strings.Contains(w, "://") {
		w = "https://" + w
	}
	u, err := url.Parse(w)
	if err != nil || u.Hostname() == "" {
		return strings.TrimSpace(strings.ToLower(website))
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// The deal stages of the crm contract that are Pipedrive statuses.
const (
	stageWon  = "closedwon"
	stageLost = "closedlost"
)

// toDeal maps a deal. A value that is not a decimal stays out of Amount,
// with the record in Raw; it is never read through a float.
func toDeal(d dealWire, raw json.RawMessage, defaultCurrency string) *crm.Deal {
	out := &crm.Deal{ID: idText(d.ID), Name: d.Title, CreatedAt: parseTime(d.AddTime), UpdatedAt: parseTime(d.UpdateTime), Raw: raw}
	cur := d.Currency
	if cur == "" {
		cur = defaultCurrency
	}
	if v := d.Value.String(); v != "" {
		if a, err := money.ParseAmount(cur, v); err == nil {
			out.Amount = &a
		}
	}
	switch d.Status {
	case "won":
		out.Stage = stageWon
	case "lost":
		out.Stage = stageLost
	default:
		if d.StageID != nil {
			out.Stage = idText(*d.StageID)
		}
	}
	if d.PipelineID != nil {
		out.Pipeline = idText(*d.PipelineID)
	}
	if d.ExpectedCloseDate != nil {
		if t, err := time.Parse(time.DateOnly, *d.ExpectedCloseDate); err == nil {
			out.CloseDate = t
		}
	}
	return out
}
