package quickbookstest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"
)

type line struct {
	Description            string
	Amount, Qty, UnitPrice decimal.Decimal
	Item, Account, TaxCode string
}

type invoice struct {
	ID               string
	SyncToken        int
	DocNumber        string
	TxnDate, DueDate string
	CustomerID       string
	BillEmail        string
	Currency         string
	Rate             decimal.Decimal // ExchangeRate: home units for one unit of Currency
	Lines            []line
	Voided           bool
	EmailSent        bool
	Paid             decimal.Decimal
	Created, Updated time.Time
}

type lineIn struct {
	Description         string      `json:"Description"`
	Amount              json.Number `json:"Amount"`
	DetailType          string      `json:"DetailType"`
	SalesItemLineDetail *struct {
		ItemRef        *refIn      `json:"ItemRef"`
		UnitPrice      json.Number `json:"UnitPrice"`
		Qty            json.Number `json:"Qty"`
		ItemAccountRef *refIn      `json:"ItemAccountRef"`
		TaxCodeRef     *refIn      `json:"TaxCodeRef"`
	} `json:"SalesItemLineDetail"`
	LinkedTxn []struct {
		TxnID   string `json:"TxnId"`
		TxnType string `json:"TxnType"`
	} `json:"LinkedTxn"`
}

type invoiceIn struct {
	ID           string                    `json:"Id"`
	SyncToken    string                    `json:"SyncToken"`
	DocNumber    string                    `json:"DocNumber"`
	TxnDate      string                    `json:"TxnDate"`
	DueDate      string                    `json:"DueDate"`
	CustomerRef  *refIn                    `json:"CustomerRef"`
	CurrencyRef  *refIn                    `json:"CurrencyRef"`
	ExchangeRate json.Number               `json:"ExchangeRate"`
	BillEmail    *struct{ Address string } `json:"BillEmail"`
	Line         []lineIn                  `json:"Line"`
}

func dec(n json.Number) (decimal.Decimal, bool) {
	if n == "" {
		return decimal.Zero, true
	}
	d, err := decimal.Parse(string(n))
	return d, err == nil
}

func num(d decimal.Decimal) json.Number { return json.Number(d.String()) }

// totals are the invoice's subtotal, its tax lines and their sum.
func (inv *invoice) totals() (subtotal, tax decimal.Decimal, taxLines []map[string]any) {
	subtotal, tax = decimal.Zero, decimal.Zero
	net := map[string]decimal.Decimal{}
	var order []string
	for _, l := range inv.Lines {
		subtotal, _ = subtotal.Add(l.Amount)
		if _, ok := net[l.TaxCode]; !ok {
			order = append(order, l.TaxCode)
		}
		net[l.TaxCode], _ = net[l.TaxCode].Add(l.Amount)
	}
	for _, code := range order {
		tc := taxCodes[code]
		if tc.rateID == "" {
			continue
		}
		pct := decimal.MustParse(tc.percent)
		t, _ := net[code].Mul(pct)
		t, _ = t.Quo(decimal.Hundred)
		t = t.Round(2)
		tax, _ = tax.Add(t)
		taxLines = append(taxLines, map[string]any{"Amount": num(t), "DetailType": "TaxLineDetail", "TaxLineDetail": map[string]any{
			"TaxRateRef": ref(tc.rateID, ""), "PercentBased": true, "TaxPercent": num(pct), "NetAmountTaxable": num(net[code])}})
	}
	return subtotal, tax, taxLines
}

func (s *Server) renderInvoice(inv *invoice) map[string]any {
	subtotal, tax, taxLines := inv.totals()
	total, _ := subtotal.Add(tax)
	balance, _ := total.Sub(inv.Paid)
	lines := make([]map[string]any, 0, len(inv.Lines)+1)
	zero := decimal.Zero
	for i, l := range inv.Lines {
		amount := l.Amount
		if inv.Voided {
			amount = zero
		}
		d := map[string]any{"ItemRef": ref(l.Item, itemName(s, l.Item)), "UnitPrice": num(l.UnitPrice), "Qty": num(l.Qty),
			"TaxCodeRef": ref(l.TaxCode, "")}
		if l.Account != "" {
			d["ItemAccountRef"] = ref(l.Account, accounts[l.Account])
		}
		m := map[string]any{"Id": strconv.Itoa(i + 1), "LineNum": i + 1, "Amount": num(amount), "DetailType": "SalesItemLineDetail",
			"SalesItemLineDetail": d}
		if l.Description != "" {
			m["Description"] = l.Description
		}
		lines = append(lines, m)
	}
	lines = append(lines, map[string]any{"Amount": num(subtotal), "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": map[string]any{}})
	if inv.Voided {
		total, balance, tax, taxLines = zero, zero, zero, nil
	}
	detail := map[string]any{"TotalTax": num(tax)}
	if len(taxLines) > 0 {
		detail["TaxLine"] = taxLines
	}
	m := map[string]any{"Id": inv.ID, "SyncToken": strconv.Itoa(inv.SyncToken), "domain": "QBO", "sparse": false,
		"DocNumber": inv.DocNumber, "TxnDate": inv.TxnDate, "CurrencyRef": ref(inv.Currency, currencyName(inv.Currency)),
		"Line": lines, "TxnTaxDetail": detail, "CustomerRef": ref(inv.CustomerID, s.customerName(inv.CustomerID)),
		"GlobalTaxCalculation": "TaxExcluded", "TotalAmt": num(total), "Balance": num(balance), "HomeBalance": num(s.toHomeAt(inv.Rate, balance)),
		"PrintStatus": "NeedToPrint", "EmailStatus": "NotSet", "AllowOnlineCreditCardPayment": false, "AllowOnlineACHPayment": false,
		"MetaData": metaData(inv.Created, inv.Updated)}
	if s.MultiCurrency() {
		m["ExchangeRate"] = num(inv.Rate)
		m["HomeTotalAmt"] = num(s.toHomeAt(inv.Rate, total))
	}
	if inv.DueDate != "" {
		m["DueDate"] = inv.DueDate
	}
	if inv.BillEmail != "" {
		m["BillEmail"] = map[string]string{"Address": inv.BillEmail}
	}
	if inv.EmailSent {
		m["EmailStatus"] = "EmailSent"
	}
	if inv.Voided {
		m["PrivateNote"] = "Voided"
	}
	return m
}

func itemName(s *Server, id string) string {
	for _, it := range s.items {
		if it.ID == id {
			return it.Name
		}
	}
	return ""
}

func (s *Server) customerName(id string) string {
	if c := s.findCustomer(id); c != nil {
		return c.DisplayName
	}
	return ""
}

func (s *Server) findInvoice(id string) *invoice {
	for _, inv := range s.invoices {
		if inv.ID == id {
			return inv
		}
	}
	return nil
}

// getInvoice is GET /v3/company/{realmId}/invoice/{id}.
func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvoice(r.PathValue("id"))
	if inv == nil {
		notFound(w, s)
		return
	}
	s.writeEntity(w, "Invoice", s.renderInvoice(inv))
}

// postInvoice is POST /v3/company/{realmId}/invoice: a create, or with
// operation=void a void of {Id, SyncToken}, or with operation=delete its
// deletion (change data capture then reports it with status Deleted).
func (s *Server) postInvoice(w http.ResponseWriter, r *http.Request) {
	var in invoiceIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		validation(w, s, "2010", "Request has invalid or unsupported property", "The request body could not be parsed", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.Now()
	if op := r.URL.Query().Get("operation"); op != "" {
		if op != "void" && op != "delete" {
			validation(w, s, "2010", "Request has invalid or unsupported property", "operation "+op+" is not supported here", "operation")
			return
		}
		inv := s.findInvoice(in.ID)
		if inv == nil {
			notFound(w, s)
			return
		}
		if in.SyncToken != strconv.Itoa(inv.SyncToken) {
			staleObject(w, s)
			return
		}
		if op == "delete" {
			s.invoices = slices.DeleteFunc(s.invoices, func(x *invoice) bool { return x == inv })
			s.deleted = append(s.deleted, tombstone{entity: "Invoice", id: inv.ID, deleted: now})
			s.writeEntity(w, "Invoice", map[string]any{"Id": inv.ID, "status": "Deleted", "domain": "QBO"})
			return
		}
		inv.Voided, inv.SyncToken, inv.Updated = true, inv.SyncToken+1, now
		s.writeEntity(w, "Invoice", s.renderInvoice(inv))
		return
	}
	if in.ID != "" {
		validation(w, s, "2010", "Request has invalid or unsupported property", "The sandbox does not update invoices", "Id")
		return
	}
	if in.CustomerRef == nil || in.CustomerRef.Value == "" {
		validation(w, s, "2020", "Required param missing, need to supply the required value for the API", "Required parameter CustomerRef is missing in the request", "CustomerRef")
		return
	}
	cust := s.findCustomer(in.CustomerRef.Value)
	if cust == nil {
		validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : Names element id "+in.CustomerRef.Value+" not found", "CustomerRef")
		return
	}
	// Without CurrencyRef a transaction is in the home currency; its
	// currency must be its customer's.
	// https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
	currency := s.home
	if in.CurrencyRef != nil && in.CurrencyRef.Value != "" {
		currency = strings.ToUpper(in.CurrencyRef.Value)
	}
	if s.currencies[currency] == "" {
		badCurrency(w, s, currency)
		return
	}
	if currency != cust.Currency {
		currencyMismatch(w, s)
		return
	}
	rate := s.rate(currency)
	if in.ExchangeRate != "" && currency != s.home {
		r, ok := dec(in.ExchangeRate)
		if !ok || r.Sign() <= 0 {
			validation(w, s, "2010", "Request has invalid or unsupported property", "ExchangeRate must be a positive decimal", "ExchangeRate")
			return
		}
		rate = r
	}
	if len(in.Line) == 0 {
		validation(w, s, "2020", "Required param missing, need to supply the required value for the API", "Required parameter Line is missing in the request", "Line")
		return
	}
	inv := &invoice{DocNumber: in.DocNumber, TxnDate: in.TxnDate, DueDate: in.DueDate, CustomerID: in.CustomerRef.Value,
		Currency: currency, Rate: rate, Created: now, Updated: now}
	if in.BillEmail != nil {
		inv.BillEmail = in.BillEmail.Address
	}
	if inv.TxnDate == "" {
		inv.TxnDate = now.In(zone).Format("2006-01-02")
	}
	for _, l := range in.Line {
		if l.DetailType != "SalesItemLineDetail" || l.SalesItemLineDetail == nil {
			validation(w, s, "2010", "Request has invalid or unsupported property", "The sandbox takes SalesItemLineDetail lines only", "Line.DetailType")
			return
		}
		d := l.SalesItemLineDetail
		amount, ok1 := dec(l.Amount)
		qty, ok2 := dec(d.Qty)
		price, ok3 := dec(d.UnitPrice)
		if !ok1 || !ok2 || !ok3 {
			validation(w, s, "2010", "Request has invalid or unsupported property", "An amount is not a decimal", "Line")
			return
		}
		want, _ := qty.Mul(price)
		if want.Round(2).Cmp(amount) != 0 {
			validation(w, s, "6070", "Amount calculation incorrect in the request",
				"Amount is not equal to UnitPrice * Qty. Supplied value:"+amount.String(), "Line.Amount")
			return
		}
		ln := line{Description: l.Description, Amount: amount, Qty: qty, UnitPrice: price, Item: ServicesItem, TaxCode: "NON"}
		if d.ItemRef != nil && d.ItemRef.Value != "" {
			ln.Item = d.ItemRef.Value
		}
		if itemName(s, ln.Item) == "" {
			validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : Item "+ln.Item+" not found", "ItemRef")
			return
		}
		if d.ItemAccountRef != nil && d.ItemAccountRef.Value != "" {
			if _, ok := accounts[d.ItemAccountRef.Value]; !ok {
				validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : Account "+d.ItemAccountRef.Value+" not found", "ItemAccountRef")
				return
			}
			ln.Account = d.ItemAccountRef.Value
		}
		if d.TaxCodeRef != nil && d.TaxCodeRef.Value != "" {
			if _, ok := taxCodes[d.TaxCodeRef.Value]; !ok {
				validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : TaxCode "+d.TaxCodeRef.Value+" not found", "TaxCodeRef")
				return
			}
			ln.TaxCode = d.TaxCodeRef.Value
		}
		inv.Lines = append(inv.Lines, ln)
	}
	if inv.DocNumber == "" {
		inv.DocNumber = strconv.Itoa(s.nextDoc)
		s.nextDoc++
	}
	for _, other := range s.invoices {
		if other.DocNumber == inv.DocNumber {
			validation(w, s, "6140", "Duplicate Document Number Error",
				"Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber="+inv.DocNumber, "DocNumber")
			return
		}
	}
	inv.ID = s.newID()
	s.invoices = append(s.invoices, inv)
	s.writeEntity(w, "Invoice", s.renderInvoice(inv))
}

// sendInvoice is POST /v3/company/{realmId}/invoice/{id}/send.
func (s *Server) sendInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.findInvoice(r.PathValue("id"))
	if inv == nil {
		notFound(w, s)
		return
	}
	if inv.BillEmail == "" {
		if c := s.findCustomer(inv.CustomerID); c != nil {
			inv.BillEmail = c.Email
		}
	}
	if inv.BillEmail == "" {
		validation(w, s, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: Please provide a valid email address", "BillEmail")
		return
	}
	inv.EmailSent, inv.SyncToken, inv.Updated = true, inv.SyncToken+1, s.Now()
	s.writeEntity(w, "Invoice", s.renderInvoice(inv))
}

type payment struct {
	ID, CustomerID, InvoiceID, TxnDate, RefNum, Account string
	Currency                                            string
	Rate                                                decimal.Decimal
	Amount                                              decimal.Decimal
	Created, Updated                                    time.Time
}

type paymentIn struct {
	TxnDate             string      `json:"TxnDate"`
	CustomerRef         *refIn      `json:"CustomerRef"`
	CurrencyRef         *refIn      `json:"CurrencyRef"`
	DepositToAccountRef *refIn      `json:"DepositToAccountRef"`
	PaymentRefNum       string      `json:"PaymentRefNum"`
	TotalAmt            json.Number `json:"TotalAmt"`
	Line                []lineIn    `json:"Line"`
}

func (s *Server) renderPayment(p *payment) map[string]any {
	m := map[string]any{"Id": p.ID, "SyncToken": "0", "domain": "QBO", "sparse": false, "TxnDate": p.TxnDate,
		"CurrencyRef": ref(p.Currency, currencyName(p.Currency)), "CustomerRef": ref(p.CustomerID, s.customerName(p.CustomerID)),
		"TotalAmt": num(p.Amount), "UnappliedAmt": num(decimal.Zero), "ProcessPayment": false,
		"Line":     []map[string]any{{"Amount": num(p.Amount), "LinkedTxn": []map[string]string{{"TxnId": p.InvoiceID, "TxnType": "Invoice"}}}},
		"MetaData": metaData(p.Created, p.Updated)}
	if s.MultiCurrency() {
		m["ExchangeRate"] = num(p.Rate)
	}
	if p.Account != "" {
		m["DepositToAccountRef"] = ref(p.Account, accounts[p.Account])
	}
	if p.RefNum != "" {
		m["PaymentRefNum"] = p.RefNum
	}
	return m
}

// postPayment is POST /v3/company/{realmId}/payment: a payment applied to
// one invoice.
func (s *Server) postPayment(w http.ResponseWriter, r *http.Request) {
	var in paymentIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		validation(w, s, "2010", "Request has invalid or unsupported property", "The request body could not be parsed", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	total, ok := dec(in.TotalAmt)
	if !ok || in.TotalAmt == "" || total.Sign() <= 0 {
		validation(w, s, "2020", "Required param missing, need to supply the required value for the API", "Required parameter TotalAmt is missing in the request", "TotalAmt")
		return
	}
	if in.CustomerRef == nil || s.findCustomer(in.CustomerRef.Value) == nil {
		validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : the customer was not found", "CustomerRef")
		return
	}
	if len(in.Line) != 1 || len(in.Line[0].LinkedTxn) != 1 || in.Line[0].LinkedTxn[0].TxnType != "Invoice" {
		validation(w, s, "2010", "Request has invalid or unsupported property", "The sandbox applies a payment to one invoice", "Line")
		return
	}
	inv := s.findInvoice(in.Line[0].LinkedTxn[0].TxnID)
	if inv == nil || inv.Voided || inv.CustomerID != in.CustomerRef.Value {
		validation(w, s, "620", "TxnId Cannot Be Linked", "Cannot validate linked transactions", "LinkedTxn")
		return
	}
	if in.CurrencyRef != nil && in.CurrencyRef.Value != "" && strings.ToUpper(in.CurrencyRef.Value) != inv.Currency {
		currencyMismatch(w, s)
		return
	}
	subtotal, tax, _ := inv.totals()
	due, _ := subtotal.Add(tax)
	due, _ = due.Sub(inv.Paid)
	if total.Cmp(due) > 0 {
		validation(w, s, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: the payment is more than the invoice's balance", "TotalAmt")
		return
	}
	account := ""
	if in.DepositToAccountRef != nil && in.DepositToAccountRef.Value != "" {
		if _, ok := accounts[in.DepositToAccountRef.Value]; !ok {
			validation(w, s, "2500", "Invalid Reference Id", "Invalid Reference Id : Account not found", "DepositToAccountRef")
			return
		}
		account = in.DepositToAccountRef.Value
	}
	now := s.Now()
	p := &payment{ID: s.newID(), CustomerID: inv.CustomerID, InvoiceID: inv.ID, TxnDate: in.TxnDate, RefNum: in.PaymentRefNum, Account: account,
		Amount: total, Currency: inv.Currency, Rate: inv.Rate, Created: now, Updated: now}
	if p.TxnDate == "" {
		p.TxnDate = now.In(zone).Format("2006-01-02")
	}
	s.payments = append(s.payments, p)
	inv.Paid, _ = inv.Paid.Add(total)
	inv.SyncToken++
	inv.Updated = now
	s.writeEntity(w, "Payment", s.renderPayment(p))
}

type item struct {
	ID, Name, Type, IncomeAccount string
	UnitPrice                     decimal.Decimal
	SyncToken                     int
	Created, Updated              time.Time
}

func (it *item) render() map[string]any {
	return map[string]any{"Id": it.ID, "SyncToken": strconv.Itoa(it.SyncToken), "domain": "QBO", "sparse": false, "Name": it.Name,
		"FullyQualifiedName": it.Name, "Active": true, "Taxable": true, "UnitPrice": num(it.UnitPrice), "Type": it.Type,
		"IncomeAccountRef": ref(it.IncomeAccount, accounts[it.IncomeAccount]), "TrackQtyOnHand": false,
		"MetaData": metaData(it.Created, it.Updated)}
}

// getItem is GET /v3/company/{realmId}/item/{id}.
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, it := range s.items {
		if it.ID == r.PathValue("id") {
			s.writeEntity(w, "Item", it.render())
			return
		}
	}
	notFound(w, s)
}

// currencyMismatch is QuickBooks' answer to a transaction in another
// currency than its customer's.
func currencyMismatch(w http.ResponseWriter, s *Server) {
	validation(w, s, "6000", "A business validation error has occurred while processing your request",
		"Business Validation Error: The currency of the transaction is invalid for customer / vendor / account.", "CurrencyRef")
}

// toHomeAt is an amount at a rate, in the home currency, to the cent.
func (s *Server) toHomeAt(rate, d decimal.Decimal) decimal.Decimal {
	if rate.IsZero() {
		return d
	}
	h, err := d.Mul(rate)
	if err != nil {
		return d
	}
	return h.Round(2)
}
