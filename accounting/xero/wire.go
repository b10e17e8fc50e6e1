package xero

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// msTime is a Xero date or timestamp. Xero sends MS-JSON ("/Date(1573755038314+0000)/")
// and accepts "2006-01-02" for dates; it is written in that form.
type msTime struct{ time.Time }

func (t msTime) IsZero() bool { return t.Time.IsZero() }

func (t msTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.Time.UTC().Format("2006-01-02") + `"`), nil
}

func (t *msTime) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil // null or a non-string: leave zero rather than fail the record
	}
	t.Time = parseMSDate(s)
	return nil
}

// parseMSDate reads "/Date(ms)/", "/Date(ms+0000)/" or an ISO date; zero
// for anything else.
func parseMSDate(s string) time.Time {
	if rest, ok := strings.CutPrefix(s, "/Date("); ok {
		rest = strings.TrimSuffix(rest, ")/")
		// The milliseconds are UTC; a "+hhmm" after them only says in which
		// zone the value was entered.
		if i := strings.IndexAny(rest[min(1, len(rest)):], "+-"); i >= 0 {
			rest = rest[:i+1]
		}
		ms, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return time.Time{}
		}
		return time.UnixMilli(ms).UTC()
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

type contactWire struct {
	ContactID       string        `json:"ContactID,omitempty"`
	Name            string        `json:"Name,omitempty"`
	FirstName       string        `json:"FirstName,omitempty"`
	LastName        string        `json:"LastName,omitempty"`
	EmailAddress    string        `json:"EmailAddress,omitempty"`
	TaxNumber       string        `json:"TaxNumber,omitempty"`
	DefaultCurrency string        `json:"DefaultCurrency,omitempty"`
	Phones          []phoneWire   `json:"Phones,omitempty"`
	Addresses       []addressWire `json:"Addresses,omitempty"`
	UpdatedDateUTC  msTime        `json:"UpdatedDateUTC,omitzero"`
	validation
}

type phoneWire struct {
	PhoneType   string `json:"PhoneType"`
	PhoneNumber string `json:"PhoneNumber,omitempty"`
}

type addressWire struct {
	AddressType  string `json:"AddressType"`
	AddressLine1 string `json:"AddressLine1,omitempty"`
	AddressLine2 string `json:"AddressLine2,omitempty"`
	AddressLine3 string `json:"AddressLine3,omitempty"`
	AddressLine4 string `json:"AddressLine4,omitempty"`
	City         string `json:"City,omitempty"`
	Region       string `json:"Region,omitempty"`
	PostalCode   string `json:"PostalCode,omitempty"`
	Country      string `json:"Country,omitempty"`
}

type invoiceWire struct {
	InvoiceID       string      `json:"InvoiceID,omitempty"`
	Type            string      `json:"Type,omitempty"`
	InvoiceNumber   string      `json:"InvoiceNumber,omitempty"`
	Reference       string      `json:"Reference,omitempty"`
	Contact         *contactRef `json:"Contact,omitempty"`
	Date            msTime      `json:"Date,omitzero"`
	DueDate         msTime      `json:"DueDate,omitzero"`
	Status          string      `json:"Status,omitempty"`
	LineAmountTypes string      `json:"LineAmountTypes,omitempty"`
	CurrencyCode    string      `json:"CurrencyCode,omitempty"`
	LineItems       []lineWire  `json:"LineItems,omitempty"`
	SubTotal        json.Number `json:"SubTotal,omitempty"`
	TotalTax        json.Number `json:"TotalTax,omitempty"`
	Total           json.Number `json:"Total,omitempty"`
	AmountDue       json.Number `json:"AmountDue,omitempty"`
	UpdatedDateUTC  msTime      `json:"UpdatedDateUTC,omitzero"`
	validation
}

type contactRef struct {
	ContactID    string `json:"ContactID,omitempty"`
	Name         string `json:"Name,omitempty"`
	EmailAddress string `json:"EmailAddress,omitempty"`
}

// lineWire is a line item. Amounts are JSON numbers that Xero marks
// x-is-money: they are read and written as exact decimal text, never as
// float64.
type lineWire struct {
	Description string      `json:"Description,omitempty"`
	Quantity    json.Number `json:"Quantity"`
	UnitAmount  json.Number `json:"UnitAmount"`
	ItemCode    string      `json:"ItemCode,omitempty"`
	AccountCode string      `json:"AccountCode,omitempty"`
	TaxType     string      `json:"TaxType,omitempty"`
	TaxAmount   json.Number `json:"TaxAmount,omitempty"`
	LineAmount  json.Number `json:"LineAmount,omitempty"`
}

type paymentWire struct {
	PaymentID string      `json:"PaymentID,omitempty"`
	Invoice   *invoiceRef `json:"Invoice,omitempty"`
	Account   *accountRef `json:"Account,omitempty"`
	Date      msTime      `json:"Date,omitzero"`
	Amount    json.Number `json:"Amount"`
	Reference string      `json:"Reference,omitempty"`
	validation
}

type invoiceRef struct {
	InvoiceID    string `json:"InvoiceID"`
	CurrencyCode string `json:"CurrencyCode,omitempty"`
}

type accountRef struct {
	Code string `json:"Code"`
}

// validation is what Xero puts on an element it refused: with
// summarizeErrors=false, inside a 200.
type validation struct {
	HasErrors        bool `json:"HasErrors,omitempty"`
	ValidationErrors []struct {
		Message string `json:"Message"`
	} `json:"ValidationErrors,omitempty"`
}

func (v validation) messages() []string {
	out := make([]string, 0, len(v.ValidationErrors))
	for _, e := range v.ValidationErrors {
		out = append(out, e.Message)
	}
	return out
}
