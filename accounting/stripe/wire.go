package stripe

import (
	"encoding/json"
	"iter"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// list is a Stripe list object: a page of data and whether more follow.
// https://docs.stripe.com/api/pagination
type list[T any] struct {
	Data    []T  `json:"data"`
	HasMore bool `json:"has_more"`
}

// searchResult is a search page; next_page is the cursor for the next.
// https://docs.stripe.com/api/pagination/search
type searchResult[T any] struct {
	Data     []T     `json:"data"`
	HasMore  bool    `json:"has_more"`
	NextPage *string `json:"next_page"`
}

type addressWire struct {
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	City       *string `json:"city"`
	State      *string `json:"state"`
	PostalCode *string `json:"postal_code"`
	Country    *string `json:"country"`
}

type customerWire struct {
	ID       string            `json:"id"`
	Object   string            `json:"object"`
	Name     *string           `json:"name"`
	Email    *string           `json:"email"`
	Phone    *string           `json:"phone"`
	Address  *addressWire      `json:"address"`
	Currency *string           `json:"currency"`
	Created  int64             `json:"created"`
	Metadata map[string]string `json:"metadata"`
	Deleted  bool              `json:"deleted"`
}

type taxWire struct {
	Amount         int64 `json:"amount"`
	TaxRateDetails *struct {
		TaxRate string `json:"tax_rate"`
	} `json:"tax_rate_details"`
}

type lineWire struct {
	ID          string  `json:"id"`
	Amount      int64   `json:"amount"`
	Currency    string  `json:"currency"`
	Description *string `json:"description"`
	Quantity    *int64  `json:"quantity"`
	QuantityDec *string `json:"quantity_decimal"`
	Pricing     *struct {
		UnitAmountDecimal *string `json:"unit_amount_decimal"`
	} `json:"pricing"`
	Taxes []taxWire `json:"taxes"`
}

type invoiceWire struct {
	ID                string            `json:"id"`
	Object            string            `json:"object"`
	Number            *string           `json:"number"`
	Customer          *string           `json:"customer"`
	Currency          string            `json:"currency"`
	Status            *string           `json:"status"`
	Created           int64             `json:"created"`
	DueDate           *int64            `json:"due_date"`
	Subtotal          int64             `json:"subtotal"`
	Total             int64             `json:"total"`
	TotalTaxes        []taxWire         `json:"total_taxes"`
	AmountDue         int64             `json:"amount_due"`
	AmountRemaining   int64             `json:"amount_remaining"`
	Metadata          map[string]string `json:"metadata"`
	Lines             *list[lineWire]   `json:"lines"`
	StatusTransitions *struct {
		FinalizedAt *int64 `json:"finalized_at"`
		PaidAt      *int64 `json:"paid_at"`
		VoidedAt    *int64 `json:"voided_at"`
	} `json:"status_transitions"`
	Payments *list[struct {
		ID string `json:"id"`
	}] `json:"payments"`
}

// event is a Stripe event; data.object is the object as it was then.
type event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Created int64  `json:"created"`
	Data    struct {
		Object json.RawMessage `json:"object"`
	} `json:"data"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// form is a request body in Stripe's encoding: application/x-www-form-
// urlencoded with nested objects and arrays written as bracketed keys,
// "metadata[order]=1001", "lines[0][tax_rates][0]=txr_1".
type form struct{ v url.Values }

func newForm() *form { return &form{v: url.Values{}} }

// set adds key=value unless value is empty. Keys are written already
// bracketed by the caller, with key() for the parts.
func (f *form) set(key, value string) *form {
	if value != "" {
		f.v.Set(key, value)
	}
	return f
}

// key joins a path into Stripe's bracket syntax: key("lines", 0,
// "description") is "lines[0][description]".
func key(first string, rest ...any) string {
	var b strings.Builder
	b.WriteString(first)
	for _, p := range rest {
		b.WriteByte('[')
		switch x := p.(type) {
		case int:
			b.WriteString(strconv.Itoa(x))
		case string:
			b.WriteString(x)
		}
		b.WriteByte(']')
	}
	return b.String()
}

// encode writes the body with keys sorted, so that the same call always
// sends the same bytes (Stripe compares a retried request's parameters
// with the first under its idempotency key).
func (f *form) encode() string {
	keys := make([]string, 0, len(f.v))
	for k := range f.v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range f.v[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// Stripe counts amounts in each currency's smallest unit, and says which
// currencies have none or three decimals; all others have two, including
// some ISO 4217 gives no decimals to (ISK, UGX aside).
// https://docs.stripe.com/currencies#zero-decimal
var (
	zeroDecimal = map[string]bool{"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true,
		"MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true}
	threeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}
)

// exponent is how many decimals Stripe's integer amounts carry in cur.
func exponent(cur string) int {
	cur = strings.ToUpper(cur)
	switch {
	case zeroDecimal[cur]:
		return 0
	case threeDecimal[cur]:
		return 3
	}
	return 2
}

// toMinor converts an amount to Stripe's integer minor units, exactly: an
// amount finer than the currency's unit is refused, never rounded.
func toMinor(a money.Amount) (int64, error) {
	exp := exponent(a.Curr().Code())
	scaled, err := a.Decimal().Mul(decimal.MustNew(pow10(exp), 0))
	if err != nil {
		return 0, err
	}
	whole, _, ok := scaled.Int64(0)
	if !ok || !scaled.IsInt() {
		return 0, connector.InvalidInput("stripe", "amount", a.String()+" has more decimals than "+a.Curr().Code()+" allows")
	}
	return whole, nil
}

// fromMinor converts Stripe's integer minor units to an exact amount.
func fromMinor(minor int64, cur string) (money.Amount, error) {
	c, err := money.ParseCurr(cur)
	if err != nil {
		return money.Amount{}, err
	}
	d, err := decimal.New(minor, exponent(cur))
	if err != nil {
		return money.Amount{}, err
	}
	return money.NewAmountFromDecimal(c, d)
}

// decimalMinor is a unit_amount_decimal: minor units that may have a
// fraction ("1999.5" cents), as Stripe allows for unit prices.
func decimalMinor(a money.Amount) (string, error) {
	exp := exponent(a.Curr().Code())
	scaled, err := a.Decimal().Mul(decimal.MustNew(pow10(exp), 0))
	if err != nil {
		return "", err
	}
	return scaled.Trim(0).String(), nil
}

// amountFromDecimalMinor reads a unit_amount_decimal back into an amount.
func amountFromDecimalMinor(s, cur string) (money.Amount, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return money.Amount{}, err
	}
	c, err := money.ParseCurr(cur)
	if err != nil {
		return money.Amount{}, err
	}
	d, err = d.Quo(decimal.MustNew(pow10(exponent(cur)), 0))
	if err != nil {
		return money.Amount{}, err
	}
	return money.NewAmountFromDecimal(c, d.Trim(c.Scale()))
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// toCustomer decodes a customer; a deleted one is nil.
func toCustomer(raw json.RawMessage, op string) (*accounting.Customer, error) {
	var w customerWire
	if err := json.Unmarshal(raw, &w); err != nil || w.ID == "" {
		return nil, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "the customer could not be decoded"}
	}
	if w.Deleted {
		return nil, nil
	}
	c := &accounting.Customer{ID: w.ID, Name: str(w.Name), Email: str(w.Email), Phone: str(w.Phone), TaxNumber: w.Metadata["tax_number"],
		Currency: strings.ToUpper(str(w.Currency)), UpdatedAt: unix(w.Created), Raw: raw}
	if a := w.Address; a != nil && (str(a.Line1) != "" || str(a.City) != "" || str(a.Country) != "") {
		addr := accounting.Address{City: str(a.City), Region: str(a.State), PostalCode: str(a.PostalCode), Country: str(a.Country)}
		for _, l := range []*string{a.Line1, a.Line2} {
			if str(l) != "" {
				addr.Lines = append(addr.Lines, str(l))
			}
		}
		c.Addresses = []accounting.Address{addr}
	}
	return c, nil
}

// decodeEach maps raw objects through decode, skipping nils (deleted).
func decodeEach[T any](src iter.Seq2[json.RawMessage, error], op string, decode func(json.RawMessage, string) (*T, error)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for raw, err := range src {
			if err != nil {
				yield(nil, err)
				return
			}
			v, err := decode(raw, op)
			if err != nil {
				yield(nil, err)
				return
			}
			if v != nil && !yield(v, nil) {
				return
			}
		}
	}
}

// decodeChanges maps changed objects through decode, skipping nils
// (deleted), and stamps each with the time of its change.
func decodeChanges[T any](src iter.Seq2[change, error], op string, decode func(json.RawMessage, string) (*T, error), stamp func(*T, time.Time)) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		for ch, err := range src {
			if err != nil {
				yield(nil, err)
				return
			}
			v, err := decode(ch.object, op)
			if err != nil {
				yield(nil, err)
				return
			}
			if v == nil {
				continue
			}
			stamp(v, ch.at)
			if !yield(v, nil) {
				return
			}
		}
	}
}

var invoiceStatuses = map[string]accounting.InvoiceStatus{"draft": accounting.InvoiceDraft, "open": accounting.InvoiceOpen,
	"paid": accounting.InvoicePaid, "void": accounting.InvoiceVoid, "uncollectible": accounting.InvoiceOpen}

// toInvoice decodes and maps an invoice with the lines it carries.
func toInvoice(raw json.RawMessage, op string) (*accounting.Invoice, error) {
	w, err := decodeInvoice(raw, op)
	if err != nil {
		return nil, err
	}
	return mapInvoice(w, raw, op)
}

func decodeInvoice(raw json.RawMessage, op string) (*invoiceWire, error) {
	var w invoiceWire
	if err := json.Unmarshal(raw, &w); err != nil || w.ID == "" {
		return nil, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "the invoice could not be decoded"}
	}
	return &w, nil
}

// mapInvoice maps a decoded invoice onto the accounting model.
func mapInvoice(w *invoiceWire, raw json.RawMessage, op string) (*accounting.Invoice, error) {
	bad := func(what string) error {
		return &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "invoice " + w.ID + ": " + what}
	}
	cur := strings.ToUpper(w.Currency)
	amt := func(minor int64) (money.Amount, error) { return fromMinor(minor, cur) }
	inv := &accounting.Invoice{ID: w.ID, Number: str(w.Number), CustomerID: str(w.Customer), Currency: cur,
		IssueDate: unix(w.Created), Status: invoiceStatuses[str(w.Status)], Reference: w.Metadata[referenceKey], UpdatedAt: unix(w.Created), Raw: raw}
	if w.DueDate != nil {
		inv.DueDate = unix(*w.DueDate)
	}
	if t := w.StatusTransitions; t != nil {
		for _, at := range []*int64{t.FinalizedAt, t.PaidAt, t.VoidedAt} {
			if at != nil && unix(*at).After(inv.UpdatedAt) {
				inv.UpdatedAt = unix(*at)
			}
		}
	}
	var err error
	if inv.Subtotal, err = amt(w.Subtotal); err != nil {
		return nil, bad("unknown currency " + w.Currency)
	}
	inv.Total, _ = amt(w.Total)
	inv.AmountDue, _ = amt(w.AmountRemaining)
	inv.Tax, _ = amt(sumTaxes(w.TotalTaxes))
	var lines []lineWire
	if w.Lines != nil {
		lines = w.Lines.Data
	}
	for _, lw := range lines {
		l := accounting.Line{Description: str(lw.Description), Quantity: decimal.One}
		if lw.Quantity != nil {
			l.Quantity = decimal.MustNew(*lw.Quantity, 0)
		}
		if lw.QuantityDec != nil {
			if q, err := decimal.Parse(*lw.QuantityDec); err == nil {
				l.Quantity = q
			}
		}
		if l.Amount, err = amt(lw.Amount); err != nil {
			return nil, bad("a line has an unknown currency")
		}
		l.Tax, _ = amt(sumTaxes(lw.Taxes))
		if lw.Pricing != nil && lw.Pricing.UnitAmountDecimal != nil {
			if l.UnitPrice, err = amountFromDecimalMinor(*lw.Pricing.UnitAmountDecimal, cur); err != nil {
				return nil, bad("a line's unit_amount_decimal is not a decimal")
			}
		}
		if len(lw.Taxes) > 0 && lw.Taxes[0].TaxRateDetails != nil {
			l.TaxCode = lw.Taxes[0].TaxRateDetails.TaxRate
		}
		inv.Lines = append(inv.Lines, l)
	}
	return inv, nil
}

func sumTaxes(taxes []taxWire) int64 {
	var sum int64
	for _, t := range taxes {
		sum += t.Amount
	}
	return sum
}

func toPayment(raw json.RawMessage, p accounting.Payment, op string) (*accounting.Payment, error) {
	var w invoiceWire
	if err := json.Unmarshal(raw, &w); err != nil || w.ID == "" {
		return nil, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "the paid invoice could not be decoded"}
	}
	out := p
	out.ID = w.ID + "/paid"
	if w.Payments != nil && len(w.Payments.Data) > 0 {
		out.ID = w.Payments.Data[0].ID
	}
	out.Raw = raw
	return &out, nil
}
