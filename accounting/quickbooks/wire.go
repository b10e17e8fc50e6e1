package quickbooks

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
)

// The JSON form of Intuit's XSD (namespace http://schema.intuit.com/finance/v3):
// element and attribute names as the schema spells them. Amounts are JSON
// numbers (xs:decimal); they are read and written as exact decimal text
// through json.Number, never as float64.

// response is IntuitResponse: one entity, a QueryResponse, a CDCResponse
// or a Fault, and the server's time.
type response struct {
	Customer      json.RawMessage `json:"Customer"`
	Invoice       json.RawMessage `json:"Invoice"`
	Payment       json.RawMessage `json:"Payment"`
	Item          json.RawMessage `json:"Item"`
	QueryResponse *queryResponse  `json:"QueryResponse"`
	CDCResponse   []cdcResponse   `json:"CDCResponse"`
	Fault         *faultWire      `json:"Fault"`
	Time          string          `json:"time"`
}

type queryResponse struct {
	Customer      []json.RawMessage `json:"Customer"`
	Invoice       []json.RawMessage `json:"Invoice"`
	Payment       []json.RawMessage `json:"Payment"`
	Item          []json.RawMessage `json:"Item"`
	StartPosition int               `json:"startPosition"`
	MaxResults    int               `json:"maxResults"`
	TotalCount    int               `json:"totalCount"`
}

type cdcResponse struct {
	QueryResponse []queryResponse `json:"QueryResponse"`
}

// entities returns the records of one entity in a query answer.
func (q *queryResponse) entities(entity string) []json.RawMessage {
	switch entity {
	case "Customer":
		return q.Customer
	case "Invoice":
		return q.Invoice
	case "Payment":
		return q.Payment
	case "Item":
		return q.Item
	}
	return nil
}

// ref is ReferenceType: the id as the element's value, its name an
// attribute.
type ref struct {
	Value string `json:"value"`
	Name  string `json:"name,omitempty"`
}

func refTo(id string) *ref {
	if id == "" {
		return nil
	}
	return &ref{Value: id}
}

func (r *ref) id() string {
	if r == nil {
		return ""
	}
	return r.Value
}

// metaData is ModificationMetaData.
type metaData struct {
	CreateTime      qbTime `json:"CreateTime,omitzero"`
	LastUpdatedTime qbTime `json:"LastUpdatedTime,omitzero"`
}

// qbTime is xs:dateTime as QuickBooks writes it: RFC 3339 to the second,
// in the company's zone ("2026-11-23T02:15:39-08:00").
type qbTime struct{ time.Time }

func (t qbTime) IsZero() bool { return t.Time.IsZero() }

func (t qbTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.Time.Format(time.RFC3339) + `"`), nil
}

func (t *qbTime) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil // null or not a string: zero rather than fail the record
	}
	t.Time = parseTime(s)
	return nil
}

// parseTime reads xs:dateTime (with or without fraction and zone); zero
// for anything else.
func parseTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// dateLayout is xs:date.
const dateLayout = "2006-01-02"

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

func parseDate(s string) time.Time {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Customers.

type emailWire struct {
	Address string `json:"Address,omitempty"`
}

type phoneWire struct {
	FreeFormNumber string `json:"FreeFormNumber,omitempty"`
}

type addressWire struct {
	Line1                  string `json:"Line1,omitempty"`
	Line2                  string `json:"Line2,omitempty"`
	Line3                  string `json:"Line3,omitempty"`
	Line4                  string `json:"Line4,omitempty"`
	Line5                  string `json:"Line5,omitempty"`
	City                   string `json:"City,omitempty"`
	CountrySubDivisionCode string `json:"CountrySubDivisionCode,omitempty"`
	PostalCode             string `json:"PostalCode,omitempty"`
	Country                string `json:"Country,omitempty"`
}

type customerWire struct {
	ID                   string       `json:"Id,omitempty"`
	SyncToken            string       `json:"SyncToken,omitempty"`
	Sparse               bool         `json:"sparse,omitempty"`
	Status               string       `json:"status,omitempty"` // "Deleted" in a CDC answer
	DisplayName          string       `json:"DisplayName,omitempty"`
	PrimaryEmailAddr     *emailWire   `json:"PrimaryEmailAddr,omitempty"`
	PrimaryPhone         *phoneWire   `json:"PrimaryPhone,omitempty"`
	BillAddr             *addressWire `json:"BillAddr,omitempty"`
	PrimaryTaxIdentifier string       `json:"PrimaryTaxIdentifier,omitempty"`
	CurrencyRef          *ref         `json:"CurrencyRef,omitempty"`
	Active               *bool        `json:"Active,omitempty"`
	MetaData             *metaData    `json:"MetaData,omitempty"`
}

func toCustomerWire(c accounting.Customer) customerWire {
	w := customerWire{DisplayName: c.Name, PrimaryTaxIdentifier: c.TaxNumber, CurrencyRef: refTo(c.Currency)}
	if c.Email != "" {
		w.PrimaryEmailAddr = &emailWire{Address: c.Email}
	}
	if c.Phone != "" {
		w.PrimaryPhone = &phoneWire{FreeFormNumber: c.Phone}
	}
	if len(c.Addresses) > 0 {
		a := c.Addresses[0]
		aw := &addressWire{City: a.City, CountrySubDivisionCode: a.Region, PostalCode: a.PostalCode, Country: a.Country}
		lines := []*string{&aw.Line1, &aw.Line2, &aw.Line3, &aw.Line4, &aw.Line5}
		for i, l := range a.Lines {
			if i < len(lines) {
				*lines[i] = l
			}
		}
		w.BillAddr = aw
	}
	return w
}

func decodeCustomer(raw json.RawMessage) (*accounting.Customer, *customerWire, error) {
	var w customerWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, err
	}
	c := &accounting.Customer{ID: w.ID, Name: w.DisplayName, TaxNumber: w.PrimaryTaxIdentifier, Currency: w.CurrencyRef.id(), Raw: raw}
	if w.PrimaryEmailAddr != nil {
		c.Email = w.PrimaryEmailAddr.Address
	}
	if w.PrimaryPhone != nil {
		c.Phone = w.PrimaryPhone.FreeFormNumber
	}
	if w.MetaData != nil {
		c.UpdatedAt = w.MetaData.LastUpdatedTime.Time
	}
	if a := w.BillAddr; a != nil {
		addr := accounting.Address{City: a.City, Region: a.CountrySubDivisionCode, PostalCode: a.PostalCode, Country: a.Country}
		for _, l := range []string{a.Line1, a.Line2, a.Line3, a.Line4, a.Line5} {
			if l != "" {
				addr.Lines = append(addr.Lines, l)
			}
		}
		if len(addr.Lines) > 0 || addr.City != "" || addr.PostalCode != "" || addr.Country != "" {
			c.Addresses = append(c.Addresses, addr)
		}
	}
	return c, &w, nil
}

// Invoices.

type invoiceWire struct {
	ID                   string          `json:"Id,omitempty"`
	SyncToken            string          `json:"SyncToken,omitempty"`
	Sparse               bool            `json:"sparse,omitempty"`
	Status               string          `json:"status,omitempty"` // "Deleted" in a CDC answer
	DocNumber            string          `json:"DocNumber,omitempty"`
	TxnDate              string          `json:"TxnDate,omitempty"`
	DueDate              string          `json:"DueDate,omitempty"`
	CurrencyRef          *ref            `json:"CurrencyRef,omitempty"`
	PrivateNote          string          `json:"PrivateNote,omitempty"`
	TxnStatus            string          `json:"TxnStatus,omitempty"`
	Line                 []lineWire      `json:"Line,omitempty"`
	TxnTaxDetail         *txnTaxDetail   `json:"TxnTaxDetail,omitempty"`
	CustomerRef          *ref            `json:"CustomerRef,omitempty"`
	GlobalTaxCalculation string          `json:"GlobalTaxCalculation,omitempty"`
	TotalAmt             json.Number     `json:"TotalAmt,omitempty"`
	EmailStatus          string          `json:"EmailStatus,omitempty"`
	BillEmail            *emailWire      `json:"BillEmail,omitempty"`
	Balance              json.Number     `json:"Balance,omitempty"`
	MetaData             *metaData       `json:"MetaData,omitempty"`
	LinkedTxn            []linkedTxnWire `json:"LinkedTxn,omitempty"`
}

// lineWire is Line: a sales item line, the subtotal line QuickBooks adds,
// a tax line, or a payment's line applied to an invoice.
type lineWire struct {
	ID                  string               `json:"Id,omitempty"`
	LineNum             int                  `json:"LineNum,omitempty"`
	Description         string               `json:"Description,omitempty"`
	Amount              json.Number          `json:"Amount,omitempty"`
	LinkedTxn           []linkedTxnWire      `json:"LinkedTxn,omitempty"`
	DetailType          string               `json:"DetailType,omitempty"`
	TaxLineDetail       *taxLineDetail       `json:"TaxLineDetail,omitempty"`
	SalesItemLineDetail *salesItemLineDetail `json:"SalesItemLineDetail,omitempty"`
	SubTotalLineDetail  *struct{}            `json:"SubTotalLineDetail,omitempty"`
}

type salesItemLineDetail struct {
	ItemRef        *ref        `json:"ItemRef,omitempty"`
	UnitPrice      json.Number `json:"UnitPrice,omitempty"`
	Qty            json.Number `json:"Qty,omitempty"`
	ItemAccountRef *ref        `json:"ItemAccountRef,omitempty"`
	TaxCodeRef     *ref        `json:"TaxCodeRef,omitempty"`
}

type txnTaxDetail struct {
	TxnTaxCodeRef *ref        `json:"TxnTaxCodeRef,omitempty"`
	TotalTax      json.Number `json:"TotalTax,omitempty"`
	TaxLine       []lineWire  `json:"TaxLine,omitempty"`
}

type taxLineDetail struct {
	TaxRateRef       *ref        `json:"TaxRateRef,omitempty"`
	PercentBased     bool        `json:"PercentBased,omitempty"`
	TaxPercent       json.Number `json:"TaxPercent,omitempty"`
	NetAmountTaxable json.Number `json:"NetAmountTaxable,omitempty"`
}

type linkedTxnWire struct {
	TxnID   string `json:"TxnId"`
	TxnType string `json:"TxnType"`
}

// Line detail types (LineDetailTypeEnum).
const (
	salesItemLine = "SalesItemLineDetail"
	subTotalLine  = "SubTotalLineDetail"
	taxLine       = "TaxLineDetail"
)

// voidedNote is how QuickBooks marks a voided transaction: it zeroes the
// amounts and sets the private note to "Voided".
const voidedNote = "Voided"

// toInvoiceWire is a new invoice. Reference goes to DocNumber, the
// invoice number: QuickBooks' one filterable reference on an invoice.
func toInvoiceWire(inv accounting.Invoice, customerID string) (invoiceWire, error) {
	w := invoiceWire{DocNumber: inv.Reference, TxnDate: formatDate(inv.IssueDate), DueDate: formatDate(inv.DueDate),
		CustomerRef: refTo(customerID), CurrencyRef: refTo(inv.Currency)}
	if inv.Customer != nil && inv.Customer.Email != "" {
		w.BillEmail = &emailWire{Address: inv.Customer.Email}
	}
	for _, l := range inv.Lines {
		amount, err := l.UnitPrice.Mul(l.Quantity)
		if err != nil {
			return w, err
		}
		w.Line = append(w.Line, lineWire{Description: l.Description, Amount: number(amount.Decimal()), DetailType: salesItemLine,
			SalesItemLineDetail: &salesItemLineDetail{ItemRef: refTo(l.ItemCode), UnitPrice: number(l.UnitPrice.Decimal()),
				Qty: number(l.Quantity), ItemAccountRef: refTo(l.AccountCode), TaxCodeRef: refTo(l.TaxCode)}})
	}
	return w, nil
}

func number(d decimal.Decimal) json.Number { return json.Number(d.String()) }

// amountOf reads a JSON number as an exact amount; an empty one is zero.
func amountOf(curr money.Currency, n json.Number) (money.Amount, error) {
	if n == "" {
		return money.NewAmount(curr.Code(), 0, 0)
	}
	d, err := decimal.Parse(string(n))
	if err != nil {
		return money.Amount{}, err
	}
	return money.NewAmountFromDecimal(curr, d)
}

func decodeInvoice(raw json.RawMessage, home string) (*accounting.Invoice, *invoiceWire, error) {
	var w invoiceWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, nil, err
	}
	code := w.CurrencyRef.id()
	if code == "" {
		code = home
	}
	curr, err := money.ParseCurr(code)
	if err != nil {
		return nil, nil, err
	}
	inv := &accounting.Invoice{ID: w.ID, Number: w.DocNumber, Reference: w.DocNumber, CustomerID: w.CustomerRef.id(),
		Currency: curr.Code(), IssueDate: parseDate(w.TxnDate), DueDate: parseDate(w.DueDate), Raw: raw}
	if w.MetaData != nil {
		inv.UpdatedAt = w.MetaData.LastUpdatedTime.Time
	}
	if inv.Total, err = amountOf(curr, w.TotalAmt); err != nil {
		return nil, nil, err
	}
	if inv.AmountDue, err = amountOf(curr, w.Balance); err != nil {
		return nil, nil, err
	}
	var totalTax json.Number
	if w.TxnTaxDetail != nil {
		totalTax = w.TxnTaxDetail.TotalTax
	}
	if inv.Tax, err = amountOf(curr, totalTax); err != nil {
		return nil, nil, err
	}
	if inv.Subtotal, err = amountOf(curr, ""); err != nil {
		return nil, nil, err
	}
	for _, l := range w.Line {
		if l.DetailType != salesItemLine || l.SalesItemLineDetail == nil {
			continue
		}
		d := l.SalesItemLineDetail
		line := accounting.Line{Description: l.Description, ItemCode: d.ItemRef.id(), AccountCode: d.ItemAccountRef.id(), TaxCode: d.TaxCodeRef.id()}
		if line.Amount, err = amountOf(curr, l.Amount); err != nil {
			return nil, nil, err
		}
		if line.UnitPrice, err = amountOf(curr, d.UnitPrice); err != nil {
			return nil, nil, err
		}
		if d.Qty != "" {
			if line.Quantity, err = decimal.Parse(string(d.Qty)); err != nil {
				return nil, nil, err
			}
		}
		if inv.Subtotal, err = inv.Subtotal.Add(line.Amount); err != nil {
			return nil, nil, err
		}
		inv.Lines = append(inv.Lines, line)
	}
	if err := shareTax(inv); err != nil {
		return nil, nil, err
	}
	switch {
	case w.TxnStatus == voidedNote || (strings.HasPrefix(w.PrivateNote, voidedNote) && inv.Total.IsZero()):
		inv.Status = accounting.InvoiceVoid
	case inv.AmountDue.IsZero() && inv.Total.IsPos():
		inv.Status = accounting.InvoicePaid
	default:
		inv.Status = accounting.InvoiceOpen
	}
	return inv, &w, nil
}

// shareTax sets each line's Tax. QuickBooks reports tax per rate
// (TxnTaxDetail.TaxLine), not per line: the invoice's tax is shared out
// over its taxed lines (a tax code other than NON) in proportion to their
// amounts, in cents, the remainder to the largest shares first, so that the
// lines' taxes add up to the invoice's exactly.
func shareTax(inv *accounting.Invoice) error {
	scale := inv.Tax.Curr().Scale()
	taxUnits, ok := units(inv.Tax.Decimal(), scale)
	if !ok || taxUnits == 0 || len(inv.Lines) == 0 {
		for i := range inv.Lines {
			inv.Lines[i].Tax, _ = money.NewAmount(inv.Currency, 0, scale)
		}
		return nil
	}
	taxed := make([]int, 0, len(inv.Lines))
	for i, l := range inv.Lines {
		if l.TaxCode != "" && !strings.EqualFold(l.TaxCode, "NON") {
			taxed = append(taxed, i)
		}
	}
	if len(taxed) == 0 {
		for i := range inv.Lines {
			taxed = append(taxed, i)
		}
	}
	weights := make([]int64, len(taxed))
	var sum int64
	for j, i := range taxed {
		w, _ := units(inv.Lines[i].Amount.Decimal().Abs(), scale)
		weights[j] = w
		sum += w
	}
	shares := make([]int64, len(taxed))
	rems := make([]int64, len(taxed))
	var given int64
	for j := range taxed {
		if sum == 0 {
			break
		}
		shares[j] = taxUnits * weights[j] / sum
		rems[j] = taxUnits * weights[j] % sum
		given += shares[j]
	}
	if sum == 0 {
		shares[0], given = taxUnits, taxUnits
	}
	for left := taxUnits - given; left != 0; {
		best := 0
		for j := range rems {
			if rems[j] > rems[best] {
				best = j
			}
		}
		step := int64(1)
		if left < 0 {
			step = -1
		}
		shares[best] += step
		rems[best] = -1
		left -= step
	}
	for i := range inv.Lines {
		inv.Lines[i].Tax, _ = money.NewAmount(inv.Currency, 0, scale)
	}
	for j, i := range taxed {
		a, err := money.NewAmount(inv.Currency, shares[j], scale)
		if err != nil {
			return err
		}
		inv.Lines[i].Tax = a
	}
	return nil
}

// units is d in minor units at scale (cents for scale 2), when it fits.
func units(d decimal.Decimal, scale int) (int64, bool) {
	whole, frac, ok := d.Round(scale).Int64(scale)
	if !ok {
		return 0, false
	}
	mul := int64(1)
	for range scale {
		mul *= 10
	}
	if whole > (1<<62)/mul || whole < -(1<<62)/mul {
		return 0, false
	}
	return whole*mul + frac, true
}

// Payments.

type paymentWire struct {
	ID                  string      `json:"Id,omitempty"`
	SyncToken           string      `json:"SyncToken,omitempty"`
	TxnDate             string      `json:"TxnDate,omitempty"`
	CurrencyRef         *ref        `json:"CurrencyRef,omitempty"`
	Line                []lineWire  `json:"Line,omitempty"`
	CustomerRef         *ref        `json:"CustomerRef,omitempty"`
	DepositToAccountRef *ref        `json:"DepositToAccountRef,omitempty"`
	PaymentRefNum       string      `json:"PaymentRefNum,omitempty"`
	TotalAmt            json.Number `json:"TotalAmt,omitempty"`
	MetaData            *metaData   `json:"MetaData,omitempty"`
}

func decodePayment(raw json.RawMessage, home string) (*accounting.Payment, error) {
	var w paymentWire
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, err
	}
	code := w.CurrencyRef.id()
	if code == "" {
		code = home
	}
	curr, err := money.ParseCurr(code)
	if err != nil {
		return nil, err
	}
	p := &accounting.Payment{ID: w.ID, Date: parseDate(w.TxnDate), Reference: w.PaymentRefNum, AccountCode: w.DepositToAccountRef.id(), Raw: raw}
	if p.Amount, err = amountOf(curr, w.TotalAmt); err != nil {
		return nil, err
	}
	for _, l := range w.Line {
		for _, t := range l.LinkedTxn {
			if t.TxnType == "Invoice" && p.InvoiceID == "" {
				p.InvoiceID = t.TxnID
			}
		}
	}
	return p, nil
}
