package quickbooks

import (
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// InvoicesService is QuickBooks invoices, as accounting.Invoices and
// accounting.Sender.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
type InvoicesService struct{ a *api }

// maxDocNumber is DocNumber's limit: Reference travels in it.
const maxDocNumber = 21

func (s *InvoicesService) decode(raw json.RawMessage) (*accounting.Invoice, error) {
	inv, _, err := decodeInvoice(raw, s.a.currency)
	return inv, err
}

// Get returns one invoice.
//
// QuickBooks API: GET /v3/company/{realmId}/invoice/{invoiceId}.
func (s *InvoicesService) Get(ctx context.Context, id string) (*accounting.Invoice, error) {
	inv, _, err := s.get(ctx, id, "invoices.get")
	return inv, err
}

func (s *InvoicesService) get(ctx context.Context, id, op string) (*accounting.Invoice, *invoiceWire, error) {
	out, err := s.a.get(ctx, "invoice/"+url.PathEscape(id), nil, op)
	if err != nil {
		return nil, nil, err
	}
	if len(out.Invoice) == 0 {
		return nil, nil, notFound(op, "invoice "+id)
	}
	inv, w, err := decodeInvoice(out.Invoice, s.a.currency)
	if err != nil {
		return nil, nil, invalid(op, "the invoice could not be decoded")
	}
	return inv, w, nil
}

// FindByReference returns the invoice whose DocNumber is ref, preferring
// one that is not void.
//
// QuickBooks API: GET /v3/company/{realmId}/query?query=select * from Invoice where DocNumber = '...'.
func (s *InvoicesService) FindByReference(ctx context.Context, ref string) (*accounting.Invoice, error) {
	const op = "invoices.findByReference"
	if ref == "" {
		return nil, connector.InvalidInput("quickbooks", op, "reference is empty")
	}
	raws, err := s.a.query(ctx, "Invoice", "select * from Invoice where DocNumber = "+quote(ref)+" MAXRESULTS 10", op)
	if err != nil {
		return nil, err
	}
	var found *accounting.Invoice
	for _, raw := range raws {
		inv, err := s.decode(raw)
		if err != nil {
			return nil, invalid(op, "an invoice could not be decoded")
		}
		if found == nil || (found.Status == accounting.InvoiceVoid && inv.Status != accounting.InvoiceVoid) {
			found = inv
		}
	}
	if found == nil {
		return nil, notFound(op, "no invoice has reference "+ref)
	}
	return found, nil
}

// List yields invoices, 100 a page; with UpdatedSince, those changed since
// (change data capture), oldest change first.
//
// QuickBooks API: GET /v3/company/{realmId}/query (select * from Invoice
// STARTPOSITION n MAXRESULTS 100), or GET /v3/company/{realmId}/cdc?entities=Invoice.
func (s *InvoicesService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Invoice, error] {
	if !opts.UpdatedSince.IsZero() {
		return updatedSince(ctx, s.a, "Invoice", opts.UpdatedSince, "invoices.list", s.decode)
	}
	return queryAll(ctx, s.a, "Invoice", "", "invoices.list", s.decode)
}

// Create issues an invoice. QuickBooks has no drafts: an invoice is open
// from the start. Reference becomes the DocNumber (at most 21
// characters), which FindByReference looks up. Each line is a
// SalesItemLineDetail: ItemCode its ItemRef (the company's default item
// when empty), AccountCode its ItemAccountRef, TaxCode its TaxCodeRef.
//
// With no CustomerID, inv.Customer is found by email or created first
// (Customers.Upsert), under a key derived from the invoice's, in the
// invoice's currency: an email whose customer deals in another currency
// gets a second customer, "Name (CUR)", in this one. Inv.Currency is the
// invoice's CurrencyRef (the company's home currency when empty); in a
// company without multicurrency only the home currency is accepted.
//
// QuickBooks API: POST /v3/company/{realmId}/invoice?requestid=....
func (s *InvoicesService) Create(ctx context.Context, inv accounting.Invoice, opts ...connector.CallOption) (*accounting.Invoice, error) {
	const op = "invoices.create"
	if inv.Status == accounting.InvoiceDraft {
		return nil, connector.InvalidInput("quickbooks", op, "QuickBooks Online has no draft invoices")
	}
	if len(inv.Reference) > maxDocNumber {
		return nil, connector.InvalidInput("quickbooks", op, "the reference is longer than DocNumber's 21 characters")
	}
	customerID := inv.CustomerID
	if customerID == "" {
		if inv.Customer == nil || strings.TrimSpace(inv.Customer.Name) == "" || inv.Customer.Email == "" {
			return nil, connector.InvalidInput("quickbooks", op, "an invoice needs a CustomerID, or a Customer with a name and an email")
		}
		var copts []connector.CallOption
		if key := connector.ResolveCallOptions(opts...).IdempotencyKey; key != "" {
			copts = append(copts, connector.WithIdempotencyKey(connector.DeriveKey(key, "customer")))
		}
		cust := *inv.Customer
		if cust.Currency == "" {
			// The customer deals in the invoice's currency: QuickBooks
			// refuses an invoice in another currency than its customer's.
			cust.Currency = inv.Currency
		}
		c, err := (&CustomersService{a: s.a}).Upsert(ctx, cust, copts...)
		if err != nil {
			return nil, err
		}
		customerID = c.ID
	}
	w, err := toInvoiceWire(inv, customerID)
	if err != nil {
		return nil, connector.InvalidInput("quickbooks", op, "a line amount: "+err.Error())
	}
	return s.write(ctx, "invoice", nil, w, op, opts)
}

// Void voids an invoice: QuickBooks keeps it, with its amounts zeroed and
// "Voided" in its private note. It carries the SyncToken read just
// before; a change in between is ErrConflict (Stale Object Error).
//
// QuickBooks API: POST /v3/company/{realmId}/invoice?operation=void.
func (s *InvoicesService) Void(ctx context.Context, id string, opts ...connector.CallOption) (*accounting.Invoice, error) {
	_, w, err := s.get(ctx, id, "invoices.void")
	if err != nil {
		return nil, err
	}
	return s.write(ctx, "invoice", url.Values{"operation": {"void"}}, invoiceWire{ID: w.ID, SyncToken: w.SyncToken}, "invoices.void", opts)
}

// Delete deletes an invoice (QuickBooks keeps no trace of it but change
// data capture's: Client.Changes yields it with Deleted set). It carries
// the SyncToken read just before; a change in between is ErrConflict.
//
// QuickBooks API: POST /v3/company/{realmId}/invoice?operation=delete.
func (s *InvoicesService) Delete(ctx context.Context, id string, opts ...connector.CallOption) error {
	const op = "invoices.delete"
	_, w, err := s.get(ctx, id, op)
	if err != nil {
		return err
	}
	out, err := s.a.write(ctx, "invoice", url.Values{"operation": {"delete"}}, invoiceWire{ID: w.ID, SyncToken: w.SyncToken}, op, opts)
	if err != nil {
		return err
	}
	var gone struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(out.Invoice, &gone) != nil || !strings.EqualFold(gone.Status, "Deleted") {
		return invalid(op, "the answer does not say the invoice was deleted")
	}
	return nil
}

// Send emails the invoice to its BillEmail.
//
// QuickBooks API: POST /v3/company/{realmId}/invoice/{invoiceId}/send.
func (s *InvoicesService) Send(ctx context.Context, id string, opts ...connector.CallOption) error {
	_, err := s.write(ctx, "invoice/"+url.PathEscape(id)+"/send", nil, nil, "invoices.send", opts)
	return err
}

func (s *InvoicesService) write(ctx context.Context, resource string, q url.Values, body any, op string, opts []connector.CallOption) (*accounting.Invoice, error) {
	out, err := s.a.write(ctx, resource, q, body, op, opts)
	if err != nil {
		return nil, err
	}
	if len(out.Invoice) == 0 {
		return nil, invalid(op, "the answer holds no invoice")
	}
	inv, err := s.decode(out.Invoice)
	if err != nil {
		return nil, invalid(op, "the invoice could not be decoded")
	}
	return inv, nil
}
