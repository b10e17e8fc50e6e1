package xero

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
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

// Contacts.

type contactsEnvelope struct {
	Contacts []json.RawMessage `json:"Contacts"`
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

func decodeContacts(env contactsEnvelope, op string, reading bool) ([]*accounting.Customer, error) {
	out := make([]*accounting.Customer, 0, len(env.Contacts))
	for _, raw := range env.Contacts {
		var w contactWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, invalid(op, "a contact could not be decoded")
		}
		if err := elementError(op, w.validation, reading); err != nil {
			return nil, err
		}
		c := &accounting.Customer{ID: w.ContactID, Name: w.Name, Email: w.EmailAddress, TaxNumber: w.TaxNumber,
			Currency: w.DefaultCurrency, UpdatedAt: w.UpdatedDateUTC.Time, Warnings: w.messages(), Raw: raw}
		for _, p := range w.Phones {
			if p.PhoneNumber != "" && c.Phone == "" {
				c.Phone = p.PhoneNumber
			}
		}
		for _, a := range w.Addresses {
			addr := accounting.Address{City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
			for _, l := range []string{a.AddressLine1, a.AddressLine2, a.AddressLine3, a.AddressLine4} {
				if l != "" {
					addr.Lines = append(addr.Lines, l)
				}
			}
			if len(addr.Lines) > 0 || addr.City != "" || addr.PostalCode != "" {
				c.Addresses = append(c.Addresses, addr)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func toContactWire(c accounting.Customer) contactWire {
	w := contactWire{ContactID: c.ID, Name: c.Name, EmailAddress: c.Email, TaxNumber: c.TaxNumber, DefaultCurrency: c.Currency}
	if c.Phone != "" {
		w.Phones = []phoneWire{{PhoneType: "DEFAULT", PhoneNumber: c.Phone}}
	}
	for _, a := range c.Addresses {
		aw := addressWire{AddressType: "STREET", City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country}
		lines := []*string{&aw.AddressLine1, &aw.AddressLine2, &aw.AddressLine3, &aw.AddressLine4}
		for i, l := range a.Lines {
			if i < len(lines) {
				*lines[i] = l
			}
		}
		w.Addresses = append(w.Addresses, aw)
	}
	return w
}

// Invoices.

type invoicesEnvelope struct {
	Invoices []json.RawMessage `json:"Invoices"`
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

// toInvoiceWire is a new sales invoice: AUTHORISED unless inv.Status is
// draft, billed to inv.CustomerID or, without one, to inv.Customer by name.
func toInvoiceWire(inv accounting.Invoice) invoiceWire {
	contact := &contactRef{ContactID: inv.CustomerID}
	if inv.CustomerID == "" && inv.Customer != nil {
		contact = &contactRef{Name: inv.Customer.Name, EmailAddress: inv.Customer.Email}
	}
	w := invoiceWire{Type: "ACCREC", Reference: inv.Reference, Contact: contact,
		Date: msTime{inv.IssueDate}, DueDate: msTime{inv.DueDate}, Status: "AUTHORISED", LineAmountTypes: "Exclusive",
		CurrencyCode: inv.Currency}
	if inv.Status == accounting.InvoiceDraft {
		w.Status = "DRAFT"
	}
	for _, l := range inv.Lines {
		w.LineItems = append(w.LineItems, lineWire{Description: l.Description, Quantity: json.Number(l.Quantity.String()),
			UnitAmount: json.Number(l.UnitPrice.Decimal().String()), ItemCode: l.ItemCode, AccountCode: l.AccountCode, TaxType: l.TaxCode})
	}
	return w
}

var statuses = map[string]accounting.InvoiceStatus{
	"DRAFT": accounting.InvoiceDraft, "SUBMITTED": accounting.InvoiceDraft, "AUTHORISED": accounting.InvoiceOpen,
	"PAID": accounting.InvoicePaid, "VOIDED": accounting.InvoiceVoid, "DELETED": accounting.InvoiceVoid,
}

// decodeInvoices maps Xero invoices. Money goes from the JSON number's text
// straight to an exact decimal in the invoice's currency.
func decodeInvoices(env invoicesEnvelope, op string, reading bool) ([]*accounting.Invoice, error) {
	out := make([]*accounting.Invoice, 0, len(env.Invoices))
	for _, raw := range env.Invoices {
		var w invoiceWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, invalid(op, "an invoice could not be decoded")
		}
		if err := elementError(op, w.validation, reading); err != nil {
			return nil, err
		}
		inv := &accounting.Invoice{ID: w.InvoiceID, Number: w.InvoiceNumber, Currency: w.CurrencyCode, Reference: w.Reference,
			IssueDate: w.Date.Time, DueDate: w.DueDate.Time, Status: statuses[w.Status], UpdatedAt: w.UpdatedDateUTC.Time,
			Warnings: w.messages(), Raw: raw}
		if w.Contact != nil {
			inv.CustomerID = w.Contact.ContactID
		}
		var err error
		amt := func(n json.Number) money.Amount {
			if err != nil {
				return money.Amount{}
			}
			var a money.Amount
			a, err = parseMoney(w.CurrencyCode, n)
			return a
		}
		inv.Subtotal, inv.Tax, inv.Total, inv.AmountDue = amt(w.SubTotal), amt(w.TotalTax), amt(w.Total), amt(w.AmountDue)
		for _, l := range w.LineItems {
			line := accounting.Line{Description: l.Description, ItemCode: l.ItemCode, AccountCode: l.AccountCode, TaxCode: l.TaxType,
				UnitPrice: amt(l.UnitAmount), Amount: amt(l.LineAmount), Tax: amt(l.TaxAmount)}
			if q, qerr := decimal.Parse(string(l.Quantity)); qerr == nil {
				line.Quantity = q
			} else if err == nil {
				err = qerr
			}
			inv.Lines = append(inv.Lines, line)
		}
		if err != nil {
			return nil, invalid(op, "invoice "+w.InvoiceID+" has an amount that is not a decimal: "+err.Error())
		}
		out = append(out, inv)
	}
	return out, nil
}

// parseMoney reads an x-is-money number; an absent one is zero.
func parseMoney(currency string, n json.Number) (money.Amount, error) {
	if n == "" {
		n = "0"
	}
	return money.ParseAmount(currency, string(n))
}

// Payments.

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

func toPaymentWire(p accounting.Payment) paymentWire {
	return paymentWire{Invoice: &invoiceRef{InvoiceID: p.InvoiceID}, Account: &accountRef{Code: p.AccountCode},
		Date: msTime{p.Date}, Amount: json.Number(p.Amount.Decimal().String()), Reference: p.Reference}
}

// decodePayment maps the payment Xero recorded for p.
func decodePayment(raw json.RawMessage, p accounting.Payment, op string) (*accounting.Payment, error) {
	var got paymentWire
	if err := json.Unmarshal(raw, &got); err != nil {
		return nil, invalid(op, "the payment could not be decoded")
	}
	if err := elementError(op, got.validation, false); err != nil {
		return nil, err
	}
	currency := p.Amount.Curr().Code()
	if got.Invoice != nil && got.Invoice.CurrencyCode != "" {
		currency = got.Invoice.CurrencyCode
	}
	amount, err := parseMoney(currency, got.Amount)
	if err != nil {
		return nil, invalid(op, "the payment amount is not a decimal")
	}
	out := &accounting.Payment{ID: got.PaymentID, InvoiceID: p.InvoiceID, Amount: amount, Date: got.Date.Time,
		Reference: got.Reference, AccountCode: p.AccountCode, Raw: raw}
	if got.Invoice != nil {
		out.InvoiceID = got.Invoice.InvoiceID
	}
	return out, nil
}

// Items.

type itemsEnvelope struct {
	Items []json.RawMessage `json:"Items"`
}

type itemWire struct {
	ItemID         string            `json:"ItemID,omitempty"`
	Code           string            `json:"Code"`
	Name           string            `json:"Name,omitempty"`
	Description    string            `json:"Description,omitempty"`
	UpdatedDateUTC msTime            `json:"UpdatedDateUTC,omitzero"`
	SalesDetails   *salesDetailsWire `json:"SalesDetails,omitempty"`
	validation
}

type salesDetailsWire struct {
	UnitPrice   json.Number `json:"UnitPrice,omitempty"`
	AccountCode string      `json:"AccountCode,omitempty"`
	TaxType     string      `json:"TaxType,omitempty"`
}

func toItemWire(it Item) itemWire {
	return itemWire{Code: it.Code, Name: it.Name, Description: it.Description,
		SalesDetails: &salesDetailsWire{UnitPrice: json.Number(it.UnitPrice.String()), AccountCode: it.AccountCode, TaxType: it.TaxType}}
}

func decodeItems(raws []json.RawMessage, op string, reading bool) ([]*Item, error) {
	out := make([]*Item, 0, len(raws))
	for _, raw := range raws {
		var w itemWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, invalid(op, "an item could not be decoded")
		}
		if err := elementError(op, w.validation, reading); err != nil {
			return nil, err
		}
		it := &Item{ID: w.ItemID, Code: w.Code, Name: w.Name, Description: w.Description, UpdatedAt: w.UpdatedDateUTC.Time,
			Warnings: w.messages(), Raw: raw}
		if sd := w.SalesDetails; sd != nil {
			it.AccountCode, it.TaxType = sd.AccountCode, sd.TaxType
			if sd.UnitPrice != "" {
				p, err := decimal.Parse(string(sd.UnitPrice))
				if err != nil {
					return nil, invalid(op, "item "+w.Code+" has a price that is not a decimal")
				}
				it.UnitPrice = p
			}
		}
		out = append(out, it)
	}
	return out, nil
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
	if len(v.ValidationErrors) == 0 {
		return nil
	}
	out := make([]string, 0, len(v.ValidationErrors))
	for _, e := range v.ValidationErrors {
		out = append(out, e.Message)
	}
	return out
}

// Webhooks.

// deliveryWire is the body Xero posts to a webhook: no events at all for
// the intent-to-receive handshake.
type deliveryWire struct {
	Events             []json.RawMessage `json:"events"`
	FirstEventSequence int64             `json:"firstEventSequence"`
	LastEventSequence  int64             `json:"lastEventSequence"`
	Entropy            string            `json:"entropy"`
}

// eventWire is one event of a delivery.
type eventWire struct {
	Payload
	// EventDateUTC is UTC, written without a zone ("2024-06-21T01:15:39.902").
	EventDateUTC string `json:"eventDateUtc"`
}

// parseEventTime reads eventDateUtc: Xero's UTC time without a zone, or an
// RFC 3339 time. ok is false for anything else.
func parseEventTime(s string) (t time.Time, ok bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
