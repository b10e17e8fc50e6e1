package stripetest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type line struct {
	id, description, taxRate string
	quantity                 decimal.Decimal
	unitDecimal              decimal.Decimal // minor units, may have a fraction
	amount, tax              int64
}

type invoice struct {
	id, customer, currency, status, number string
	metadata                               map[string]string
	lines                                  []line
	created, due                           time.Time
	finalized, paid, voided                time.Time
	paymentID                              string
}

// quantityInt is the integer quantity Stripe shows beside quantity_decimal
// (rounded down; 0 for less than one).
func quantityInt(q decimal.Decimal) int64 {
	n, _, _ := q.Floor(0).Int64(0)
	return n
}

func (inv *invoice) totals() (subtotal, tax int64) {
	for _, l := range inv.lines {
		subtotal += l.amount
		tax += l.tax
	}
	return subtotal, tax
}

func (s *Server) renderLine(inv *invoice, l line) map[string]any {
	out := map[string]any{"id": l.id, "object": "line_item", "invoice": inv.id, "amount": l.amount, "subtotal": l.amount,
		"currency": inv.currency, "description": nullable(l.description), "quantity": quantityInt(l.quantity), "quantity_decimal": l.quantity.String(), "livemode": false,
		"metadata": map[string]string{}, "discountable": true, "discounts": []any{},
		"pricing": map[string]any{"type": "price_details", "unit_amount_decimal": l.unitDecimal.String(), "price_details": nil},
		"taxes":   []any{}}
	if l.taxRate != "" {
		out["taxes"] = []any{map[string]any{"amount": l.tax, "tax_behavior": "exclusive", "taxability_reason": "standard_rated",
			"taxable_amount": l.amount, "type": "tax_rate_details", "tax_rate_details": map[string]any{"tax_rate": l.taxRate}}}
	}
	return out
}

func (s *Server) renderInvoice(inv *invoice) map[string]any {
	subtotal, tax := inv.totals()
	total := subtotal + tax
	paid := int64(0)
	if inv.status == "paid" {
		paid = total
	}
	remaining := total - paid
	if inv.status == "void" {
		remaining = 0
	}
	var lines []any
	for i, l := range inv.lines {
		if i == 10 {
			break
		}
		lines = append(lines, s.renderLine(inv, l))
	}
	if lines == nil {
		lines = []any{}
	}
	var totalTaxes []any
	byRate := map[string]int64{}
	for _, l := range inv.lines {
		if l.taxRate != "" {
			byRate[l.taxRate] += l.tax
		}
	}
	for rate, amount := range byRate {
		totalTaxes = append(totalTaxes, map[string]any{"amount": amount, "tax_behavior": "exclusive", "taxability_reason": "standard_rated",
			"taxable_amount": subtotal, "type": "tax_rate_details", "tax_rate_details": map[string]any{"tax_rate": rate}})
	}
	if totalTaxes == nil {
		totalTaxes = []any{}
	}
	at := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.Unix()
	}
	payments := []any{}
	if inv.paymentID != "" {
		payments = append(payments, map[string]any{"id": inv.paymentID, "object": "invoice_payment", "invoice": inv.id,
			"amount_paid": total, "status": "paid", "is_default": true})
	}
	return map[string]any{"id": inv.id, "object": "invoice", "customer": inv.customer, "currency": inv.currency, "status": inv.status,
		"number": nullable(inv.number), "created": inv.created.Unix(), "due_date": at(inv.due), "collection_method": "send_invoice",
		"auto_advance": false, "livemode": false, "metadata": orEmpty(inv.metadata),
		"subtotal": subtotal, "subtotal_excluding_tax": subtotal, "total": total, "total_excluding_tax": subtotal, "total_taxes": totalTaxes,
		"amount_due": total, "amount_paid": paid, "amount_remaining": remaining,
		"lines":              map[string]any{"object": "list", "url": "/v1/invoices/" + inv.id + "/lines", "has_more": len(inv.lines) > 10, "data": lines, "total_count": len(inv.lines)},
		"status_transitions": map[string]any{"finalized_at": at(inv.finalized), "paid_at": at(inv.paid), "voided_at": at(inv.voided), "marked_uncollectible_at": nil},
		"payments":           map[string]any{"object": "list", "url": "/v1/invoice_payments?invoice=" + inv.id, "has_more": false, "data": payments},
		"hosted_invoice_url": nil, "invoice_pdf": nil}
}

func (s *Server) createInvoice(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	cust := f.Get("customer")
	if cust == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing", "customer", "Missing required param: customer.")
		return
	}
	if s.customers[cust] == nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "customer", "No such customer: '"+cust+"'")
		return
	}
	inv := &invoice{id: s.id("in"), customer: cust, currency: strings.ToLower(f.Get("currency")), status: "draft",
		created: s.Now(), metadata: map[string]string{}}
	if inv.currency == "" {
		inv.currency = "usd"
	}
	if f.Get("collection_method") == "send_invoice" {
		switch {
		case f.Get("due_date") != "":
			sec, err := strconv.ParseInt(f.Get("due_date"), 10, 64)
			if err != nil || time.Unix(sec, 0).Before(s.Now()) {
				writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "due_date", "Invoice due dates must be in the future.")
				return
			}
			inv.due = time.Unix(sec, 0).UTC()
		case f.Get("days_until_due") != "":
			days, err := strconv.Atoi(f.Get("days_until_due"))
			if err != nil || days < 0 {
				writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "days_until_due", "Invalid days_until_due.")
				return
			}
			inv.due = inv.created.AddDate(0, 0, days)
		default:
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing", "days_until_due",
				"Missing required param: days_until_due or due_date (collection_method is send_invoice).")
			return
		}
	}
	for k, v := range f {
		if name, ok := strings.CutPrefix(k, "metadata["); ok && strings.HasSuffix(name, "]") {
			inv.metadata[strings.TrimSuffix(name, "]")] = v[0]
		}
	}
	s.invoices[inv.id] = inv
	s.order = append(s.order, inv.id)
	s.record("invoice.created", s.renderInvoice(inv))
	writeJSON(w, http.StatusOK, s.renderInvoice(inv))
}

// lookup finds the invoice in the path, or answers 404.
func (s *Server) lookup(w http.ResponseWriter, r *http.Request) *invoice {
	inv := s.invoices[r.PathValue("id")]
	if inv == nil {
		notFound(w, "invoice", r.PathValue("id"))
	}
	return inv
}

func (s *Server) getInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv := s.lookup(w, r); inv != nil {
		writeJSON(w, http.StatusOK, s.renderInvoice(inv))
	}
}

func (s *Server) listInvoices(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []map[string]any
	for _, id := range slices.Backward(s.order) {
		items = append(items, s.renderInvoice(s.invoices[id]))
	}
	writeList(w, r, "/v1/invoices", items)
}

func (s *Server) listLines(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.lookup(w, r)
	if inv == nil {
		return
	}
	var items []map[string]any
	for _, l := range inv.lines {
		items = append(items, s.renderLine(inv, l))
	}
	writeList(w, r, "/v1/invoices/"+inv.id+"/lines", items)
}

// addLines is POST /v1/invoices/{id}/add_lines: lines[i][...] with
// price_data (currency, product_data[name], unit_amount_decimal), quantity
// and tax_rates; tax is each line's amount × rate, rounded to the minor
// unit, half away from zero.
func (s *Server) addLines(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.lookup(w, r)
	if inv == nil {
		return
	}
	if inv.status != "draft" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invoice_not_editable", "", "You can only add lines to a draft invoice.")
		return
	}
	var added []line
	for i := 0; ; i++ {
		p := func(parts ...string) string {
			return f.Get("lines[" + strconv.Itoa(i) + "]" + "[" + strings.Join(parts, "][") + "]")
		}
		if p("price_data", "currency") == "" && p("description") == "" && p("amount") == "" {
			break
		}
		bad := func(param, msg string) {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid", fmt.Sprintf("lines[%d][%s]", i, param), msg)
		}
		if p("price_data", "currency") != inv.currency {
			bad("price_data][currency", "The price's currency must match the invoice's ("+inv.currency+").")
			return
		}
		if p("price_data", "product_data", "name") == "" && p("price_data", "product") == "" {
			bad("price_data][product_data", "Missing required param: lines[].price_data.product_data.name.")
			return
		}
		unit, err := decimal.Parse(p("price_data", "unit_amount_decimal"))
		if err != nil {
			bad("price_data][unit_amount_decimal", "Invalid decimal: "+p("price_data", "unit_amount_decimal"))
			return
		}
		qty := decimal.One
		if q := p("quantity"); q != "" {
			n, err := strconv.ParseInt(q, 10, 64)
			if err != nil || n < 0 {
				bad("quantity", "Invalid integer: "+q)
				return
			}
			qty = decimal.MustNew(n, 0)
		} else if q := p("quantity_decimal"); q != "" {
			if qty, err = decimal.Parse(q); err != nil || qty.IsNeg() {
				bad("quantity_decimal", "Invalid decimal: "+q)
				return
			}
		}
		amountDec, _ := unit.Mul(qty)
		amount, _, _ := amountDec.Round(0).Int64(0)
		l := line{id: "il_" + connectortest.RandomHex(12), description: p("description"), quantity: qty, unitDecimal: unit, amount: amount}
		if rate := p("tax_rates", "0"); rate != "" {
			if rate != s.taxID {
				bad("tax_rates][0", "No such tax rate: '"+rate+"'")
				return
			}
			taxDec, _ := decimal.MustNew(amount, 0).Mul(decimal.MustParse(TaxRatePercent))
			taxDec, _ = taxDec.Quo(decimal.MustNew(100, 0))
			l.taxRate = rate
			l.tax, _, _ = taxDec.Round(0).Int64(0)
		}
		added = append(added, l)
	}
	if len(added) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_missing", "lines", "Missing required param: lines.")
		return
	}
	inv.lines = append(inv.lines, added...)
	s.record("invoice.updated", s.renderInvoice(inv))
	writeJSON(w, http.StatusOK, s.renderInvoice(inv))
}

// change runs apply on the path's invoice if its status is want, then
// records event and answers with the invoice; otherwise it answers
// Stripe's error with code and why.
func (s *Server) change(w http.ResponseWriter, r *http.Request, want, code, why, event string, apply func(*invoice)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.lookup(w, r)
	if inv == nil {
		return
	}
	if inv.status != want {
		writeError(w, http.StatusBadRequest, "invalid_request_error", code, "", why+" This one is "+inv.status+".")
		return
	}
	apply(inv)
	s.record(event, s.renderInvoice(inv))
	writeJSON(w, http.StatusOK, s.renderInvoice(inv))
}

func (s *Server) finalize(w http.ResponseWriter, r *http.Request) {
	s.change(w, r, "draft", "invoice_already_finalized", "You can only finalize a draft invoice.", "invoice.finalized", func(inv *invoice) {
		s.finalized++
		inv.status, inv.finalized = "open", s.Now()
		inv.number = fmt.Sprintf("%s-%04d", strings.ToUpper(s.taxID[4:12]), s.finalized)
	})
}

func (s *Server) void(w http.ResponseWriter, r *http.Request) {
	s.change(w, r, "open", "invoice_not_open", "You can only void open invoices.", "invoice.voided", func(inv *invoice) {
		inv.status, inv.voided = "void", s.Now()
	})
}

func (s *Server) deleteInvoice(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.lookup(w, r)
	if inv == nil {
		return
	}
	if inv.status != "draft" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invoice_not_editable", "", "You can only delete draft invoices.")
		return
	}
	delete(s.invoices, inv.id)
	s.order = slices.DeleteFunc(s.order, func(id string) bool { return id == inv.id })
	s.record("invoice.deleted", map[string]any{"id": inv.id, "object": "invoice", "deleted": true})
	writeJSON(w, http.StatusOK, map[string]any{"id": inv.id, "object": "invoice", "deleted": true})
}

// pay is POST /v1/invoices/{id}/pay; the sandbox takes payments out of
// band only (paid_out_of_band=true), as there are no cards here.
func (s *Server) pay(w http.ResponseWriter, r *http.Request) {
	if formOf(r).Get("paid_out_of_band") != "true" {
		writeError(w, http.StatusPaymentRequired, "card_error", "card_declined", "", "The sandbox has no payment methods; pay out of band.")
		return
	}
	s.change(w, r, "open", "invoice_not_open", "Only open invoices can be paid.", "invoice.paid", func(inv *invoice) {
		inv.status, inv.paid = "paid", s.Now()
		inv.paymentID = "inpay_" + connectortest.RandomHex(12)
	})
}

// searchInvoices is GET /v1/invoices/search for the one query the
// connector makes, metadata['key']:'value' (quotes escaped with \), paged
// by next_page. Unlike Stripe's, this index is current at once.
func (s *Server) searchInvoices(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	q := f.Get("query")
	rest, ok := strings.CutPrefix(q, "metadata['")
	k, v, ok2 := strings.Cut(rest, "']:'")
	if !ok || !ok2 || !strings.HasSuffix(v, "'") {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid", "query",
			"The sandbox searches metadata['key']:'value' only; got "+q)
		return
	}
	want := strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(strings.TrimSuffix(v, "'"))
	limit, _ := strconv.Atoi(f.Get("limit"))
	if limit < 1 || limit > 100 {
		limit = 10
	}
	offset := 0
	if p := f.Get("page"); p != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(p, "page_"))
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid", "page", "Invalid page: "+p)
			return
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []map[string]any
	for _, id := range slices.Backward(s.order) {
		if inv := s.invoices[id]; inv.metadata[k] == want {
			hits = append(hits, s.renderInvoice(inv))
		}
	}
	offset = min(offset, len(hits))
	end := min(offset+limit, len(hits))
	out := map[string]any{"object": "search_result", "url": "/v1/invoices/search", "has_more": end < len(hits), "next_page": nil,
		"data": append([]map[string]any{}, hits[offset:end]...)}
	if end < len(hits) {
		out["next_page"] = "page_" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, out)
}
