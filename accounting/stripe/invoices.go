package stripe

import (
	"context"
	"encoding/json"
	"iter"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// InvoicesService is Stripe's invoices, as accounting.Invoices.
// https://docs.stripe.com/api/invoices
type InvoicesService struct{ a *api }

// referenceKey is the metadata key that holds accounting.Invoice.Reference.
const referenceKey = "reference"

// Get returns one invoice with all its lines.
//
// Stripe API: GET /v1/invoices/{id} (and /v1/invoices/{id}/lines past the
// first page of lines).
func (s *InvoicesService) Get(ctx context.Context, id string) (*accounting.Invoice, error) {
	var raw json.RawMessage
	if err := s.a.call(ctx, http.MethodGet, "/v1/invoices/"+url.PathEscape(id), nil, &raw, "invoices.get"); err != nil {
		return nil, err
	}
	return s.complete(ctx, raw, "invoices.get")
}

// List yields invoices, newest first. With UpdatedSince it yields those
// created or changed since then, from the account's events (kept 30
// days): each once, as its latest event shows it, with UpdatedAt the time
// of that event, oldest change first. That reads the events twice and
// holds two ids per invoice changed since then (see changedSince).
//
// Stripe API: GET /v1/invoices, or GET /v1/events?type=invoice.*.
func (s *InvoicesService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Invoice, error] {
	const op = "invoices.list"
	if !opts.UpdatedSince.IsZero() {
		return decodeChanges(changedSince(ctx, s.a, "invoice", opts.UpdatedSince, op), op, toInvoice,
			func(inv *accounting.Invoice, at time.Time) { inv.UpdatedAt = at })
	}
	return decodeEach(listAll(ctx, s.a, "/v1/invoices", newForm, op), op, toInvoice)
}

// FindByReference finds the invoice whose metadata carries ref. Stripe's
// search can lag writes by up to a minute.
//
// Stripe API: GET /v1/invoices/search?query=metadata['reference']:'ref'.
func (s *InvoicesService) FindByReference(ctx context.Context, ref string) (*accounting.Invoice, error) {
	q := "metadata['" + referenceKey + "']:'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(ref) + "'"
	for raw, err := range searchAll(ctx, s.a, "/v1/invoices/search", q, "invoices.findByReference") {
		if err != nil {
			return nil, err
		}
		return s.complete(ctx, raw, "invoices.findByReference")
	}
	return nil, &connector.APIError{Vendor: "stripe", Op: "invoices.findByReference", Kind: connector.ErrNotFound, Message: "no invoice has reference " + ref}
}

// Search yields the invoices a Stripe search query matches
// (https://docs.stripe.com/search#search-query-language), following the
// search's page cursor. Search can lag writes by up to a minute.
//
// Stripe API: GET /v1/invoices/search.
func (s *InvoicesService) Search(ctx context.Context, query string) iter.Seq2[*accounting.Invoice, error] {
	return decodeEach(searchAll(ctx, s.a, "/v1/invoices/search", query, "invoices.search"), "invoices.search", toInvoice)
}

// Create issues an invoice in three calls, each under a key derived from
// the call's (a repeat replays each, and gives the same invoice):
//  1. POST /v1/invoices: a draft for the customer, collected by sending it
//     (collection_method=send_invoice), due on inv.DueDate or in 30 days;
//  2. POST /v1/invoices/{id}/add_lines: every line, priced in minor units
//     (unit_amount_decimal), tax rate per line from Line.TaxCode;
//  3. POST /v1/invoices/{id}/finalize: open, numbered (not for drafts).
//
// With no CustomerID, inv.Customer is upserted by email first.
func (s *InvoicesService) Create(ctx context.Context, inv accounting.Invoice, opts ...connector.CallOption) (*accounting.Invoice, error) {
	const op = "invoices.create"
	if len(inv.Lines) == 0 {
		return nil, connector.InvalidInput("stripe", op, "an invoice needs at least one line")
	}
	cur, err := money.ParseCurr(inv.Currency)
	if err != nil {
		return nil, connector.InvalidInput("stripe", op, "unknown currency "+inv.Currency)
	}
	customer := inv.CustomerID
	if customer == "" {
		if inv.Customer == nil {
			return nil, connector.InvalidInput("stripe", op, "an invoice needs a CustomerID or a Customer")
		}
		c, err := (&CustomersService{s.a}).Upsert(ctx, *inv.Customer, subKey(opts, "customer"))
		if err != nil {
			return nil, err
		}
		customer = c.ID
	}
	draft := newForm().set("customer", customer).set("currency", strings.ToLower(cur.Code())).
		set("collection_method", "send_invoice").set("auto_advance", "false").
		set("pending_invoice_items_behavior", "exclude").set(key("metadata", referenceKey), inv.Reference)
	// The terms go as days after issue where the invoice says both: a
	// keyed create repeated later (a re-run after a crash) then sends the
	// same parameters, which Stripe requires of a key, where an absolute
	// due date computed from the clock would differ.
	switch days := int(math.Round(inv.DueDate.Sub(inv.IssueDate).Hours() / 24)); {
	case !inv.IssueDate.IsZero() && !inv.DueDate.IsZero() && days >= 1:
		draft.set("days_until_due", strconv.Itoa(days))
	case !inv.DueDate.IsZero() && inv.DueDate.After(time.Now()):
		draft.set("due_date", strconv.FormatInt(inv.DueDate.Unix(), 10))
	default:
		draft.set("days_until_due", "30")
	}
	var created invoiceWire
	if err := s.a.call(ctx, http.MethodPost, "/v1/invoices", draft, &created, op, subKey(opts, "draft")); err != nil {
		return nil, err
	}
	lines := newForm()
	for i, l := range inv.Lines {
		if l.UnitPrice.Curr() != cur {
			return nil, connector.InvalidInput("stripe", op, "line "+strconv.Itoa(i+1)+" is priced in "+l.UnitPrice.Curr().Code()+", not "+cur.Code())
		}
		unit, err := decimalMinor(l.UnitPrice)
		if err != nil {
			return nil, connector.InvalidInput("stripe", op, "line "+strconv.Itoa(i+1)+": "+err.Error())
		}
		name := l.Description
		if name == "" {
			name = l.ItemCode
		}
		lines.set(key("lines", i, "description"), l.Description).
			set(key("lines", i, "price_data", "currency"), strings.ToLower(cur.Code())).
			set(key("lines", i, "price_data", "product_data", "name"), name).
			set(key("lines", i, "price_data", "unit_amount_decimal"), unit).
			set(key("lines", i, "price_data", "tax_behavior"), "exclusive").
			set(key("lines", i, "tax_rates", 0), l.TaxCode)
		if q, _, ok := l.Quantity.Int64(0); ok && l.Quantity.IsInt() {
			lines.set(key("lines", i, "quantity"), strconv.FormatInt(q, 10))
		} else {
			lines.set(key("lines", i, "quantity_decimal"), l.Quantity.String())
		}
	}
	var raw json.RawMessage
	path := "/v1/invoices/" + url.PathEscape(created.ID)
	if err := s.a.call(ctx, http.MethodPost, path+"/add_lines", lines, &raw, op, subKey(opts, "lines")); err != nil {
		return nil, err
	}
	if inv.Status != accounting.InvoiceDraft {
		if err := s.a.call(ctx, http.MethodPost, path+"/finalize", newForm().set("auto_advance", "false"), &raw, op, subKey(opts, "finalize")); err != nil {
			return nil, err
		}
	}
	return s.complete(ctx, raw, op)
}

// Void cancels an open invoice; a draft is deleted instead, as Stripe
// allows only that for drafts.
//
// Stripe API: POST /v1/invoices/{id}/void, or DELETE /v1/invoices/{id}.
func (s *InvoicesService) Void(ctx context.Context, id string, opts ...connector.CallOption) (*accounting.Invoice, error) {
	current, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	switch current.Status {
	case accounting.InvoiceVoid:
		return current, nil
	case accounting.InvoiceDraft:
		if err := s.a.call(ctx, http.MethodDelete, "/v1/invoices/"+url.PathEscape(id), nil, nil, "invoices.void", opts...); err != nil {
			return nil, err
		}
		current.Status = accounting.InvoiceVoid
		return current, nil
	}
	var raw json.RawMessage
	if err := s.a.call(ctx, http.MethodPost, "/v1/invoices/"+url.PathEscape(id)+"/void", newForm(), &raw, "invoices.void", opts...); err != nil {
		return nil, err
	}
	return s.complete(ctx, raw, "invoices.void")
}

// complete decodes an invoice and fetches the lines past its first page.
func (s *InvoicesService) complete(ctx context.Context, raw json.RawMessage, op string) (*accounting.Invoice, error) {
	w, err := decodeInvoice(raw, op)
	if err != nil {
		return nil, err
	}
	if w.Lines != nil && w.Lines.HasMore {
		var lines []lineWire
		for rawLine, err := range listAll(ctx, s.a, "/v1/invoices/"+url.PathEscape(w.ID)+"/lines", newForm, op) {
			if err != nil {
				return nil, err
			}
			var l lineWire
			if err := json.Unmarshal(rawLine, &l); err != nil {
				return nil, &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "a line could not be decoded"}
			}
			lines = append(lines, l)
		}
		w.Lines.Data = lines
	}
	return mapInvoice(w, raw, op)
}
