package salesforce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// record is one sObject as the REST API sends it: "attributes" and the
// fields by API name, kept raw.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_get_field_values.htm
type record map[string]json.RawMessage

// str is a text field, "" when absent or null.
func (r record) str(name string) string {
	var s string
	if raw, ok := r[name]; ok && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// related is a field of a parent record queried through a relationship
// ("Account.Name" comes as "Account": {"attributes":..., "Name": ...}).
func (r record) related(rel, name string) string {
	raw, ok := r[rel]
	if !ok {
		return ""
	}
	var parent record
	if json.Unmarshal(raw, &parent) != nil {
		return ""
	}
	return parent.str(name)
}

// Salesforce's datetime and date formats in JSON.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_valid_date_formats.htm
const (
	dateTimeLayout = "2006-01-02T15:04:05.000-0700"
	dateLayout     = "2006-01-02"
)

func (r record) time(name string) time.Time {
	s := r.str(name)
	for _, layout := range []string{dateTimeLayout, time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func (r record) date(name string) time.Time {
	t, err := time.Parse(dateLayout, r.str(name))
	if err != nil {
		return time.Time{}
	}
	return t
}

// soqlDateTime is a datetime literal in a SOQL WHERE clause: unquoted,
// UTC, to the second (Salesforce keeps SystemModstamp to the second).
// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
func soqlDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// soqlString quotes a value for SOQL: backslash escapes for quotes and
// backslashes, and the other escapes SOQL knows.
// https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
func soqlString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\\', '\'', '"':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// validID reports whether s can be a record id: 15 or 18 letters and
// digits. An id that cannot be one is not sent into SOQL.
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm#i1435616
func validID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// notFound is the answer for an id no record can have, given without a call.
func notFound(op, id string) error {
	return &connector.APIError{Vendor: "salesforce", Op: op, Kind: connector.ErrNotFound, Code: "MALFORMED_ID",
		Message: fmt.Sprintf("no record can have the id %.40q", id)}
}

// sobjectPath is /services/data/vXX.X/sobjects/{Object}[/{rest...}], each
// part path-escaped.
func sobjectPath(object string, rest ...string) string {
	p := APIPath() + "/sobjects/" + object
	for _, r := range rest {
		p += "/" + url.PathEscape(r)
	}
	return p
}

// parseAmount reads a currency field exactly: the JSON number's text, never
// a float64.
func parseAmount(raw json.RawMessage, currency string) (*money.Amount, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return nil, nil
	}
	if strings.ContainsAny(s, "eE") {
		return nil, fmt.Errorf("salesforce: amount %.40q in exponent notation: %w", s, connector.ErrInvalidResponse)
	}
	d, err := decimal.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("salesforce: amount %.40q: %w", s, connector.ErrInvalidResponse)
	}
	cur, err := money.ParseCurr(currency)
	if err != nil {
		return nil, fmt.Errorf("salesforce: currency %.10q: %w", currency, connector.ErrInvalidResponse)
	}
	a, err := money.NewAmountFromDecimal(cur, d)
	if err != nil {
		return nil, fmt.Errorf("salesforce: amount %.40q: %w", s, connector.ErrInvalidResponse)
	}
	return &a, nil
}

// amountNumber writes an amount as a JSON number with its exact digits.
func amountNumber(a money.Amount) json.Number { return json.Number(a.Decimal().String()) }

// contactFields are the Contact fields the package reads.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_contact.htm
var contactFields = []string{"Id", "Email", "FirstName", "LastName", "Phone", "MailingStreet", "MailingCity", "MailingState",
	"MailingPostalCode", "MailingCountry", "AccountId", "Account.Name", "CreatedDate", "SystemModstamp"}

func toContact(r record, raw json.RawMessage) *crm.Contact {
	c := &crm.Contact{ID: r.str("Id"), Email: r.str("Email"), FirstName: r.str("FirstName"), LastName: r.str("LastName"),
		Phone: r.str("Phone"), Company: r.related("Account", "Name"),
		CreatedAt: r.time("CreatedDate"), UpdatedAt: r.time("SystemModstamp"), Raw: raw}
	a := crm.Address{Street: r.str("MailingStreet"), City: r.str("MailingCity"), Region: r.str("MailingState"),
		PostalCode: r.str("MailingPostalCode"), Country: r.str("MailingCountry")}
	if a != (crm.Address{}) {
		c.Address = &a
	}
	return c
}

// contactBody is the fields of c that are given, for a create or update.
func contactBody(c crm.Contact) map[string]any {
	b := map[string]any{}
	set := func(name, v string) {
		if v != "" {
			b[name] = v
		}
	}
	set("Email", c.Email)
	set("FirstName", c.FirstName)
	set("LastName", c.LastName)
	set("Phone", c.Phone)
	if a := c.Address; a != nil {
		set("MailingStreet", a.Street)
		set("MailingCity", a.City)
		set("MailingState", a.Region)
		set("MailingPostalCode", a.PostalCode)
		set("MailingCountry", a.Country)
	}
	for k, v := range c.Properties {
		if v == "" {
			b[k] = nil // cleared
		} else {
			b[k] = v
		}
	}
	return b
}

// lastNameFor is the LastName a new contact gets when none is given:
// Salesforce requires one. The email's local part stands in.
func lastNameFor(c crm.Contact) string {
	if c.LastName != "" {
		return c.LastName
	}
	local, _, _ := strings.Cut(c.Email, "@")
	if local == "" {
		return "(unknown)"
	}
	return local
}

// accountFields are the Account fields the package reads.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_account.htm
var accountFields = []string{"Id", "Name", "Website", "CreatedDate", "SystemModstamp"}

func toCompany(r record, raw json.RawMessage) *crm.Company {
	return &crm.Company{ID: r.str("Id"), Name: r.str("Name"), Domain: domainOf(r.str("Website")),
		CreatedAt: r.time("CreatedDate"), UpdatedAt: r.time("SystemModstamp"), Raw: raw}
}

// domainOf reads a domain out of an Account's Website, which users type
// as they like ("https://www.example.com/").
func domainOf(website string) string {
	s := strings.TrimSpace(strings.ToLower(website))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(s, "www.")
	s, _, _ = strings.Cut(s, "/")
	return s
}

func companyBody(c crm.Company) map[string]any {
	b := map[string]any{}
	if c.Name != "" {
		b["Name"] = c.Name
	}
	if c.Domain != "" {
		b["Website"] = c.Domain
	}
	for k, v := range c.Properties {
		if v == "" {
			b[k] = nil
		} else {
			b[k] = v
		}
	}
	return b
}

// opportunityFields are the Opportunity fields the package reads;
// CurrencyIsoCode exists only in multi-currency orgs.
// https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_opportunity.htm
func (o *org) opportunityFields() []string {
	f := []string{"Id", "Name", "Amount", "StageName", "CloseDate", "AccountId", "CreatedDate", "SystemModstamp"}
	if o.currency == "" {
		f = append(f, "CurrencyIsoCode")
	}
	return f
}

func (o *org) toDeal(r record, raw json.RawMessage) (*crm.Deal, error) {
	d := &crm.Deal{ID: r.str("Id"), Name: r.str("Name"), Stage: o.domainStage(r.str("StageName")), CloseDate: r.date("CloseDate"),
		CreatedAt: r.time("CreatedDate"), UpdatedAt: r.time("SystemModstamp"), Raw: raw}
	cur := o.currency
	if cur == "" {
		cur = r.str("CurrencyIsoCode")
	}
	if amt, ok := r["Amount"]; ok && string(amt) != "null" {
		if cur == "" {
			return nil, fmt.Errorf("salesforce: opportunity %s has an amount and no CurrencyIsoCode: set Config.Currency for a single-currency org: %w",
				d.ID, connector.ErrInvalidResponse)
		}
		a, err := parseAmount(amt, cur)
		if err != nil {
			return nil, err
		}
		d.Amount = a
	}
	return d, nil
}

// dealBody is the fields of d that are given. An amount in a currency a
// single-currency org does not keep is refused: Salesforce would store the
// number in the org currency, a different amount.
func (o *org) dealBody(op string, d crm.Deal, creating bool) (map[string]any, error) {
	b := map[string]any{}
	if d.Name != "" {
		b["Name"] = d.Name
	}
	if d.Amount != nil {
		code := d.Amount.Curr().Code()
		if o.currency != "" && code != o.currency {
			return nil, connector.InvalidInput("salesforce", op, fmt.Sprintf("the org keeps amounts in %s only (Config.Currency); %s %s would be stored as %s",
				o.currency, d.Amount.Decimal(), code, o.currency))
		}
		b["Amount"] = amountNumber(*d.Amount)
		if o.currency == "" {
			b["CurrencyIsoCode"] = code
		}
	}
	if d.Stage != "" {
		b["StageName"] = o.stageName(d.Stage)
	}
	switch {
	case !d.CloseDate.IsZero():
		b["CloseDate"] = d.CloseDate.UTC().Format(dateLayout)
	case creating:
		// Required by Salesforce; a deal recorded now closes today.
		b["CloseDate"] = time.Now().UTC().Format(dateLayout)
	}
	for _, ref := range d.Associations {
		if ref.Type == crm.CompanyObject {
			b["AccountId"] = ref.ID
		}
	}
	for k, v := range d.Properties {
		if v == "" {
			b[k] = nil
		} else {
			b[k] = v
		}
	}
	return b, nil
}

func (o *org) stageName(stage string) string {
	if s, ok := o.stages[stage]; ok {
		return s
	}
	return stage
}

func (o *org) domainStage(name string) string {
	for k, v := range o.stages {
		if v == name {
			return k
		}
	}
	return name
}

// saveResult is the answer to a create or an upsert: 201 (or 200 for an
// upsert that updated) with {"id","success","errors","created"}.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
type saveResult struct {
	ID      string         `json:"id"`
	Success bool           `json:"success"`
	Errors  []apiErrorWire `json:"errors"`
	Created bool           `json:"created"`
}
