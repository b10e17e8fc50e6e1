package xero

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// InvoicesService is Xero sales invoices (ACCREC), as accounting.Invoices
// and accounting.Sender.
// https://developer.xero.com/documentation/api/accounting/invoices
type InvoicesService struct{ c *connector.Client }

// Get returns one invoice.
//
// Xero API: GET /Invoices/{InvoiceID}.
func (s *InvoicesService) Get(ctx context.Context, id string) (*accounting.Invoice, error) {
	list, err := s.fetch(ctx, "/Invoices/"+url.PathEscape(id), "invoices.get", time.Time{})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("invoices.get", "invoice "+id)
	}
	return list[0], nil
}

// FindByReference returns the sales invoice whose Reference is ref.
//
// Xero API: GET /Invoices?where=Type=="ACCREC"... (Reference=="...").
func (s *InvoicesService) FindByReference(ctx context.Context, ref string) (*accounting.Invoice, error) {
	if ref == "" {
		return nil, connector.InvalidInput("xero", "invoices.findByReference", "reference is empty")
	}
	list, err := s.fetch(ctx, "/Invoices?where="+url.QueryEscape("Reference=="+quote(ref)), "invoices.findByReference", time.Time{})
	if err != nil {
		return nil, err
	}
	for _, inv := range list {
		if inv.Status != accounting.InvoiceVoid {
			return inv, nil
		}
	}
	if len(list) > 0 {
		return list[0], nil
	}
	return nil, notFound("invoices.findByReference", "no invoice has reference "+ref)
}

// List yields invoices, 100 a page; with UpdatedSince, those changed since
// (If-Modified-Since), oldest change first.
//
// Xero API: GET /Invoices?page=N&pageSize=100[&order=UpdatedDateUTC ASC].
func (s *InvoicesService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Invoice, error] {
	return pages(ctx, func(ctx context.Context, page int) ([]*accounting.Invoice, error) {
		return s.fetch(ctx, listPath("/Invoices", page, opts.UpdatedSince), "invoices.list", opts.UpdatedSince)
	})
}

// Create issues a sales invoice, AUTHORISED unless inv.Status is draft.
// Its Idempotency-Key makes a repeat return the first invoice: Xero replays
// the first answer for the same key.
//
// With no CustomerID, inv.Customer is sent by name: Xero bills the contact
// with that name (names are unique in Xero) or creates it, in the same
// call.
//
// Xero API: PUT /Invoices, with Idempotency-Key.
func (s *InvoicesService) Create(ctx context.Context, inv accounting.Invoice, opts ...connector.CallOption) (*accounting.Invoice, error) {
	if inv.CustomerID == "" && inv.Customer != nil && strings.TrimSpace(inv.Customer.Name) == "" {
		return nil, connector.InvalidInput("xero", "invoices.create", "a customer billed by name needs a name")
	}
	return s.write(ctx, http.MethodPut, "/Invoices", toInvoiceWire(inv), "invoices.create", opts)
}

// Void cancels an AUTHORISED invoice with no payments (a draft is deleted
// instead).
//
// Xero API: POST /Invoices/{InvoiceID} with Status VOIDED.
func (s *InvoicesService) Void(ctx context.Context, id string, opts ...connector.CallOption) (*accounting.Invoice, error) {
	current, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	status := "VOIDED"
	if current.Status == accounting.InvoiceDraft {
		status = "DELETED"
	}
	return s.write(ctx, http.MethodPost, "/Invoices/"+url.PathEscape(id), invoiceWire{InvoiceID: id, Status: status}, "invoices.void", opts)
}

// Send emails the invoice to the contact.
//
// Xero API: POST /Invoices/{InvoiceID}/Email.
func (s *InvoicesService) Send(ctx context.Context, id string, opts ...connector.CallOption) error {
	return s.c.JSON(ctx, http.MethodPost, "/Invoices/"+url.PathEscape(id)+"/Email", map[string]any{}, nil,
		append(opts, connector.WithOperation("invoices.send"))...)
}

func (s *InvoicesService) write(ctx context.Context, method, path string, w invoiceWire, op string, opts []connector.CallOption) (*accounting.Invoice, error) {
	var env invoicesEnvelope
	body := map[string][]invoiceWire{"Invoices": {w}}
	if err := s.c.JSON(ctx, method, path, body, &env, append(opts, connector.WithOperation(op))...); err != nil {
		return nil, err
	}
	list, err := decodeInvoices(env, op, false)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, invalid(op, "the answer holds no invoice")
	}
	return list[0], nil
}

func (s *InvoicesService) fetch(ctx context.Context, path, op string, since time.Time) ([]*accounting.Invoice, error) {
	var env invoicesEnvelope
	if err := getJSON(ctx, s.c, path, op, since, &env); err != nil {
		return nil, err
	}
	return decodeInvoices(env, op, true)
}
