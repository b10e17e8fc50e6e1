package xerotest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/govalues/decimal"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type invoice struct {
	id, number, contactID, reference, currency, status string
	date, due                                          time.Time
	lines                                              []line
	subtotal, tax, total, paid                         decimal.Decimal
	sent                                               bool
	updated                                            time.Time
}

type line struct {
	id, desc, itemCode, accountCode, taxType string
	qty, unit, amount, tax                   decimal.Decimal
}

// number writes a decimal as a JSON number, exactly as it is.
func number(d decimal.Decimal) json.Number { return json.Number(d.String()) }

func (inv *invoice) outstanding() decimal.Decimal {
	d, _ := inv.total.Sub(inv.paid)
	return d
}

func (s *Server) render(inv *invoice) map[string]any {
	c := s.findContact(inv.contactID)
	lines := make([]map[string]any, len(inv.lines))
	for i, l := range inv.lines {
		lines[i] = map[string]any{"LineItemID": l.id, "Description": l.desc, "Quantity": number(l.qty), "UnitAmount": number(l.unit),
			"AccountCode": l.accountCode, "TaxType": l.taxType, "TaxAmount": number(l.tax), "LineAmount": number(l.amount), "Tracking": []any{}}
		if l.itemCode != "" {
			lines[i]["ItemCode"] = l.itemCode
		}
	}
	out := map[string]any{"Type": "ACCREC", "InvoiceID": inv.id, "InvoiceNumber": inv.number, "Reference": inv.reference,
		"Contact": map[string]any{"ContactID": inv.contactID, "Name": c.name}, "Date": msDate(inv.date),
		"DateString": inv.date.Format("2006-01-02T15:04:05"), "DueDate": msDate(inv.due), "DueDateString": inv.due.Format("2006-01-02T15:04:05"),
		"Status": inv.status, "LineAmountTypes": "Exclusive", "LineItems": lines, "SubTotal": number(inv.subtotal),
		"TotalTax": number(inv.tax), "Total": number(inv.total), "AmountDue": number(inv.outstanding()), "AmountPaid": number(inv.paid),
		"AmountCredited": json.Number("0.00"), "CurrencyCode": inv.currency, "CurrencyRate": json.Number("1.000000"),
		"SentToContact": inv.sent, "HasAttachments": false, "IsDiscounted": false, "UpdatedDateUTC": msDate(inv.updated)}
	return out
}

type invoiceIn struct {
	InvoiceID string `json:"InvoiceID"`
	Type      string `json:"Type"`
	Contact   struct {
		ContactID    string `json:"ContactID"`
		Name         string `json:"Name"`
		EmailAddress string `json:"EmailAddress"`
	} `json:"Contact"`
	LineItems []struct {
		Description string      `json:"Description"`
		Quantity    json.Number `json:"Quantity"`
		UnitAmount  json.Number `json:"UnitAmount"`
		ItemCode    string      `json:"ItemCode"`
		AccountCode string      `json:"AccountCode"`
		TaxType     string      `json:"TaxType"`
	} `json:"LineItems"`
	Date            string `json:"Date"`
	DueDate         string `json:"DueDate"`
	Reference       string `json:"Reference"`
	Status          string `json:"Status"`
	CurrencyCode    string `json:"CurrencyCode"`
	LineAmountTypes string `json:"LineAmountTypes"`
}

func (s *Server) findInvoice(id string) *invoice {
	for _, inv := range s.invoices {
		if inv.id == id || inv.number == id {
			return inv
		}
	}
	return nil
}

// putInvoices creates invoices (PUT), or updates an invoice's status
// (POST with an InvoiceID: voiding, deleting a draft, authorising).
func (s *Server) putInvoices(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Invoices []invoiceIn `json:"Invoices"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(&in); err != nil || len(in.Invoices) == 0 {
		writeValidation(w, []map[string]any{{"ValidationErrors": validationErrors("The request body must hold Invoices")}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if id := r.PathValue("id"); id != "" {
		in.Invoices[0].InvoiceID = id
	}
	out := make([]map[string]any, 0, len(in.Invoices))
	for _, ii := range in.Invoices {
		if ii.InvoiceID != "" {
			inv := s.findInvoice(ii.InvoiceID)
			if inv == nil {
				writeNotFound(w)
				return
			}
			if msg := s.changeStatus(inv, ii.Status); msg != "" {
				writeValidation(w, []map[string]any{{"InvoiceID": inv.id, "ValidationErrors": validationErrors(msg)}})
				return
			}
			out = append(out, s.render(inv))
			continue
		}
		inv, errs := s.newInvoice(ii)
		if len(errs) > 0 {
			writeValidation(w, []map[string]any{{"Type": ii.Type, "Reference": ii.Reference, "ValidationErrors": validationErrors(errs...)}})
			return
		}
		s.invoices = append(s.invoices, inv)
		out = append(out, s.render(inv))
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "ProviderName": "patchbay",
		"DateTimeUTC": msDate(s.Now()), "Invoices": out})
}

// newInvoice validates and prices an invoice: each line's amount is
// quantity × unit price rounded to the cent, its tax that amount × the tax
// rate rounded to the cent, and the totals are the sums (line amounts
// exclusive of tax).
func (s *Server) newInvoice(ii invoiceIn) (*invoice, []string) {
	var errs []string
	if ii.Type != "ACCREC" {
		errs = append(errs, "Invoice Type must be ACCREC for a sales invoice.")
	}
	// The contact by id, or by name: Xero uses the contact with that name,
	// or creates one with the name (and email) given.
	contactID := ii.Contact.ContactID
	var byName *contact
	switch {
	case contactID != "":
		if s.findContact(contactID) == nil {
			errs = append(errs, "A Contact must be specified for this type of transaction")
		}
	case strings.TrimSpace(ii.Contact.Name) != "":
		if byName = s.contactByName(ii.Contact.Name); byName != nil {
			contactID = byName.id
		} else if ii.Contact.EmailAddress != "" && !strings.Contains(ii.Contact.EmailAddress, "@") {
			errs = append(errs, "Email address must be valid.")
		}
	default:
		errs = append(errs, "A Contact must be specified for this type of transaction")
	}
	if len(ii.LineItems) == 0 {
		errs = append(errs, "Invoices must have at least one line item.")
	}
	if ii.LineAmountTypes != "" && ii.LineAmountTypes != "Exclusive" {
		errs = append(errs, "The sandbox supports LineAmountTypes Exclusive only.")
	}
	status := ii.Status
	if status == "" {
		status = "DRAFT"
	}
	if status != "DRAFT" && status != "SUBMITTED" && status != "AUTHORISED" {
		errs = append(errs, "Invoice not of valid status for creation")
	}
	cur := ii.CurrencyCode
	if cur == "" {
		cur = Currency
	}
	now := s.Now()
	date, ok := parseDate(ii.Date)
	if !ok {
		date = now.Truncate(24 * time.Hour)
	}
	due, ok := parseDate(ii.DueDate)
	if !ok && status == "AUTHORISED" {
		errs = append(errs, "Due Date is required.")
	}
	inv := &invoice{id: connectortest.UUID(), contactID: contactID, reference: ii.Reference, currency: cur,
		status: status, date: date, due: due, updated: now}
	zero := decimal.MustParse("0.00")
	inv.subtotal, inv.tax, inv.total, inv.paid = zero, zero, zero, zero
	for i, li := range ii.LineItems {
		qty, err1 := decimal.Parse(string(li.Quantity))
		unit, err2 := decimal.Parse(string(li.UnitAmount))
		if err1 != nil || err2 != nil {
			errs = append(errs, fmt.Sprintf("Line %d: Quantity and UnitAmount must be numbers", i+1))
			continue
		}
		if li.AccountCode != SalesAccount {
			errs = append(errs, fmt.Sprintf("Account code '%s' is not a valid code for this document.", li.AccountCode))
			continue
		}
		taxType := li.TaxType
		if taxType == "" {
			taxType = TaxType
		}
		rateText, known := taxRates[taxType]
		if !known {
			errs = append(errs, fmt.Sprintf("The TaxType code '%s' does not exist or cannot be used for this type of transaction.", taxType))
			continue
		}
		amount, _ := qty.Mul(unit)
		amount = amount.Round(2)
		rate := decimal.MustParse(rateText)
		tax, _ := amount.Mul(rate)
		tax = tax.Round(2)
		inv.lines = append(inv.lines, line{id: connectortest.UUID(), desc: li.Description, itemCode: li.ItemCode, accountCode: li.AccountCode,
			taxType: taxType, qty: qty, unit: unit, amount: amount, tax: tax})
		inv.subtotal, _ = inv.subtotal.Add(amount)
		inv.tax, _ = inv.tax.Add(tax)
	}
	inv.total, _ = inv.subtotal.Add(inv.tax)
	if len(errs) > 0 {
		return nil, errs
	}
	if inv.contactID == "" {
		c := &contact{id: connectortest.UUID(), name: strings.TrimSpace(ii.Contact.Name), email: ii.Contact.EmailAddress, updated: now}
		s.contacts = append(s.contacts, c)
		inv.contactID = c.id
	}
	if status != "DRAFT" {
		s.invoiceNo++
		inv.number = fmt.Sprintf("INV-%04d", s.invoiceNo)
	}
	return inv, nil
}

// changeStatus moves an invoice as Xero allows, or says why not.
func (s *Server) changeStatus(inv *invoice, status string) string {
	switch {
	case status == "" || status == inv.status:
		return ""
	case status == "VOIDED" && (inv.status == "AUTHORISED" || inv.status == "SUBMITTED"):
		if !inv.paid.IsZero() {
			return "Invoice has payments applied and cannot be voided. Remove the payments first."
		}
	case status == "DELETED" && (inv.status == "DRAFT" || inv.status == "SUBMITTED"):
	case status == "AUTHORISED" && (inv.status == "DRAFT" || inv.status == "SUBMITTED"):
		if inv.number == "" {
			s.invoiceNo++
			inv.number = fmt.Sprintf("INV-%04d", s.invoiceNo)
		}
	default:
		return fmt.Sprintf("Invoice status cannot be changed from %s to %s.", inv.status, status)
	}
	inv.status = status
	inv.updated = s.Now()
	return ""
}

func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvoice(r.PathValue("id"))
	if inv == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Invoices": []any{s.render(inv)}})
}

func (s *Server) listInvoices(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	since, hasSince := modifiedSince(r)
	field, value, hasWhere := whereEquals(r)
	var matches []*invoice
	for _, inv := range s.invoices {
		if hasSince && inv.updated.Before(since) {
			continue
		}
		if hasWhere && !(field == "Reference" && inv.reference == value || field == "InvoiceNumber" && inv.number == value) {
			continue
		}
		if statuses := r.URL.Query().Get("Statuses"); statuses != "" && !strings.Contains(","+statuses+",", ","+inv.status+",") {
			continue
		}
		matches = append(matches, inv)
	}
	if !sortByUpdated(w, r, matches, func(x *invoice) time.Time { return x.updated }) {
		return
	}
	offset, size := page(r)
	out := []map[string]any{}
	for i := offset; i < len(matches) && i < offset+size; i++ {
		out = append(out, s.render(matches[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "Invoices": out})
}

// emailInvoice is POST /Invoices/{id}/Email: 204, and the invoice is
// marked sent.
func (s *Server) emailInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvoice(r.PathValue("id"))
	if inv == nil {
		writeNotFound(w)
		return
	}
	if inv.status != "AUTHORISED" && inv.status != "PAID" {
		writeValidation(w, []map[string]any{{"InvoiceID": inv.id, "ValidationErrors": validationErrors("Only approved invoices can be emailed.")}})
		return
	}
	if c := s.findContact(inv.contactID); c == nil || c.email == "" {
		writeValidation(w, []map[string]any{{"InvoiceID": inv.id, "ValidationErrors": validationErrors("The contact has no email address.")}})
		return
	}
	inv.sent = true
	w.WriteHeader(http.StatusNoContent)
}
