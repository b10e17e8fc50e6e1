package quickbooks

import (
	"cmp"
	"context"
	"encoding/json"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// CustomersService is QuickBooks customers, as accounting.Customers.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer
type CustomersService struct{ a *api }

func decodeCustomerOnly(raw json.RawMessage) (*accounting.Customer, error) {
	c, _, err := decodeCustomer(raw)
	return c, err
}

// Get returns one customer.
//
// QuickBooks API: GET /v3/company/{realmId}/customer/{customerId}.
func (s *CustomersService) Get(ctx context.Context, id string) (*accounting.Customer, error) {
	c, _, err := s.get(ctx, id, "customers.get")
	return c, err
}

func (s *CustomersService) get(ctx context.Context, id, op string) (*accounting.Customer, *customerWire, error) {
	out, err := s.a.get(ctx, "customer/"+url.PathEscape(id), nil, op)
	if err != nil {
		return nil, nil, err
	}
	if len(out.Customer) == 0 {
		return nil, nil, notFound(op, "customer "+id)
	}
	c, w, err := decodeCustomer(out.Customer)
	if err != nil {
		return nil, nil, invalid(op, "the customer could not be decoded")
	}
	return c, w, nil
}

// FindByEmail returns the customer whose PrimaryEmailAddr is email.
//
// QuickBooks API: GET /v3/company/{realmId}/query?query=select * from Customer where PrimaryEmailAddr = '...'.
func (s *CustomersService) FindByEmail(ctx context.Context, email string) (*accounting.Customer, error) {
	c, _, err := s.findByEmail(ctx, email)
	return c, err
}

func (s *CustomersService) findByEmail(ctx context.Context, email string) (*accounting.Customer, *customerWire, error) {
	const op = "customers.findByEmail"
	if email == "" {
		return nil, nil, connector.InvalidInput("quickbooks", op, "email is empty")
	}
	raws, err := s.a.query(ctx, "Customer", "select * from Customer where PrimaryEmailAddr = "+quote(email)+" MAXRESULTS 1", op)
	if err != nil {
		return nil, nil, err
	}
	if len(raws) == 0 {
		return nil, nil, notFound(op, "no customer has email "+email)
	}
	c, w, err := decodeCustomer(raws[0])
	if err != nil {
		return nil, nil, invalid(op, "the customer could not be decoded")
	}
	return c, w, nil
}

// List yields customers, 100 a page; with UpdatedSince, those changed
// since (change data capture), oldest change first.
//
// QuickBooks API: GET /v3/company/{realmId}/query (select * from Customer
// STARTPOSITION n MAXRESULTS 100), or GET /v3/company/{realmId}/cdc?entities=Customer.
func (s *CustomersService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Customer, error] {
	if !opts.UpdatedSince.IsZero() {
		return updatedSince(ctx, s.a, "Customer", opts.UpdatedSince, "customers.list", decodeCustomerOnly)
	}
	return queryAll(ctx, s.a, "Customer", "", "customers.list", decodeCustomerOnly)
}

// Create adds a customer; DisplayName (c.Name) is required and unique in
// the company.
//
// QuickBooks API: POST /v3/company/{realmId}/customer?requestid=....
func (s *CustomersService) Create(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	return s.write(ctx, toCustomerWire(c), "customers.create", opts)
}

// Upsert updates the customer with c.Email (a sparse update carrying its
// SyncToken), or creates it under a key derived from the email. A change
// to the customer between the lookup and the update is ErrConflict (Stale
// Object Error, 5010).
//
// A QuickBooks customer deals in one currency, fixed when it is created,
// and a transaction must be in its customer's currency. With c.Currency
// set, Upsert updates the customer of that email in that currency (the
// home currency stands for a customer without CurrencyRef); when the
// email has customers only in other currencies, it creates one more, in
// c.Currency, named "c.Name (CUR)" (DisplayName is unique), as QuickBooks
// users do. The currency of an existing customer is never sent: QuickBooks
// refuses to change it.
// https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
//
// QuickBooks API: query, then POST /v3/company/{realmId}/customer.
func (s *CustomersService) Upsert(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	const op = "customers.upsert"
	if c.Email == "" {
		return nil, connector.InvalidInput("quickbooks", op, "email is empty")
	}
	raws, err := s.a.query(ctx, "Customer", "select * from Customer where PrimaryEmailAddr = "+quote(c.Email)+" MAXRESULTS "+
		strconv.Itoa(maxSameEmail), op)
	if err != nil {
		return nil, err
	}
	var existing *customerWire
	for _, raw := range raws {
		_, w, err := decodeCustomer(raw)
		if err != nil {
			return nil, invalid(op, "the customer could not be decoded")
		}
		cur := cmp.Or(w.CurrencyRef.id(), s.a.currency)
		if c.Currency == "" || strings.EqualFold(cur, c.Currency) {
			existing = w
			break
		}
	}
	if existing != nil {
		w := toCustomerWire(c)
		w.ID, w.SyncToken, w.Sparse, w.CurrencyRef = existing.ID, existing.SyncToken, true, nil
		if existing.DisplayName != "" && strings.HasPrefix(existing.DisplayName, c.Name+" (") {
			w.DisplayName = "" // keep the currency's suffix
		}
		return s.write(ctx, w, "customers.update", opts)
	}
	keyParts := []string{"quickbooks-customer-email", c.Email}
	if len(raws) > 0 {
		// The email's customers are all in other currencies: one more.
		c.Name += " (" + strings.ToUpper(c.Currency) + ")"
		keyParts = append(keyParts, strings.ToUpper(c.Currency))
	}
	if connector.ResolveCallOptions(opts...).IdempotencyKey == "" {
		opts = append(opts, connector.WithIdempotencyKey(connector.DeriveKey(keyParts...)))
	}
	return s.Create(ctx, c, opts...)
}

// maxSameEmail is how many customers of one email Upsert looks through
// for the one in its currency.
const maxSameEmail = 20

func (s *CustomersService) write(ctx context.Context, w customerWire, op string, opts []connector.CallOption) (*accounting.Customer, error) {
	out, err := s.a.write(ctx, "customer", nil, w, op, opts)
	if err != nil {
		return nil, err
	}
	if len(out.Customer) == 0 {
		return nil, invalid(op, "the answer holds no customer")
	}
	c, _, err := decodeCustomer(out.Customer)
	if err != nil {
		return nil, invalid(op, "the customer could not be decoded")
	}
	return c, nil
}
