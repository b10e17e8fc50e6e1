package xerotest

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/govalues/decimal"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type payment struct {
	id, invoiceID, reference string
	amount                   decimal.Decimal
	date, updated            time.Time
}

// putPayments applies payments to invoices: the amount cannot exceed what
// is due, and an invoice paid in full becomes PAID.
func (s *Server) putPayments(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Payments []struct {
			Invoice struct {
				InvoiceID string `json:"InvoiceID"`
			} `json:"Invoice"`
			Account struct {
				Code string `json:"Code"`
			} `json:"Account"`
			Date      string      `json:"Date"`
			Amount    json.Number `json:"Amount"`
			Reference string      `json:"Reference"`
		} `json:"Payments"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || len(in.Payments) == 0 {
		writeValidation(w, []map[string]any{{"ValidationErrors": validationErrors("The request body must hold Payments")}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(in.Payments))
	for _, pi := range in.Payments {
		inv := s.findInvoice(pi.Invoice.InvoiceID)
		amount, err := decimal.Parse(string(pi.Amount))
		var errs []string
		switch {
		case inv == nil:
			errs = append(errs, "Invoice could not be found")
		case inv.status != "AUTHORISED":
			errs = append(errs, "Payment can only be made against Authorised documents.")
		case err != nil || !amount.IsPos():
			errs = append(errs, "Payment amount must be a positive number.")
		case pi.Account.Code != BankAccount:
			errs = append(errs, "Account code '"+pi.Account.Code+"' is not a valid bank account.")
		case amount.Cmp(inv.outstanding()) > 0:
			errs = append(errs, "Payment amount exceeds the amount outstanding on this document")
		}
		if len(errs) > 0 {
			writeValidation(w, []map[string]any{{"Reference": pi.Reference, "ValidationErrors": validationErrors(errs...)}})
			return
		}
		date, ok := parseDate(pi.Date)
		if !ok {
			date = s.Now().Truncate(24 * time.Hour)
		}
		p := &payment{id: connectortest.UUID(), invoiceID: inv.id, reference: pi.Reference, amount: amount, date: date, updated: s.Now()}
		s.payments = append(s.payments, p)
		inv.paid, _ = inv.paid.Add(amount)
		if inv.outstanding().IsZero() {
			inv.status = "PAID"
		}
		inv.updated = s.Now()
		out = append(out, map[string]any{"PaymentID": p.id, "Date": msDate(p.date), "Amount": number(p.amount),
			"Reference": p.reference, "Status": "AUTHORISED", "PaymentType": "ACCRECPAYMENT", "IsReconciled": false,
			"CurrencyRate": json.Number("1.000000"), "UpdatedDateUTC": msDate(p.updated), "HasAccount": true,
			"Account": map[string]any{"AccountID": connectortest.UUID(), "Code": BankAccount},
			"Invoice": map[string]any{"InvoiceID": inv.id, "InvoiceNumber": inv.number, "Type": "ACCREC", "CurrencyCode": inv.currency}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"Id": connectortest.UUID(), "Status": "OK", "ProviderName": "patchbay",
		"DateTimeUTC": msDate(s.Now()), "Payments": out})
}
