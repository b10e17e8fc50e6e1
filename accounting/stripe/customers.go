package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// CustomersService is Stripe's customers, as accounting.Customers.
// https://docs.stripe.com/api/customers
type CustomersService struct{ a *api }

// Get returns one customer; a deleted one is connector.ErrNotFound.
//
// Stripe API: GET /v1/customers/{id}.
func (s *CustomersService) Get(ctx context.Context, id string) (*accounting.Customer, error) {
	var raw json.RawMessage
	if err := s.a.call(ctx, http.MethodGet, "/v1/customers/"+url.PathEscape(id), nil, &raw, "customers.get"); err != nil {
		return nil, err
	}
	c, err := toCustomer(raw, "customers.get")
	if err == nil && c == nil {
		return nil, &connector.APIError{Vendor: "stripe", Op: "customers.get", StatusCode: http.StatusOK, Kind: connector.ErrNotFound, Message: "the customer was deleted"}
	}
	return c, err
}

// FindByEmail returns the oldest customer with the email. Stripe matches
// emails exactly, case included, so the address is tried as given and then
// in lower case.
//
// Stripe API: GET /v1/customers?email=.
func (s *CustomersService) FindByEmail(ctx context.Context, email string) (*accounting.Customer, error) {
	for _, e := range uniq(email, strings.ToLower(email)) {
		var found *accounting.Customer
		for raw, err := range listAll(ctx, s.a, "/v1/customers", func() *form { return newForm().set("email", e) }, "customers.findByEmail") {
			if err != nil {
				return nil, err
			}
			c, err := toCustomer(raw, "customers.findByEmail")
			if err != nil {
				return nil, err
			}
			if c != nil {
				found = c // newest first: the last one listed is the oldest
			}
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, &connector.APIError{Vendor: "stripe", Op: "customers.findByEmail", Kind: connector.ErrNotFound, Message: "no customer has email " + email}
}

// List yields customers, newest first. With UpdatedSince it yields those
// created or changed since then, from the account's events (kept 30
// days): each once, as its latest event shows it, with UpdatedAt the time
// of that event, oldest change first. That reads the events twice and
// holds two ids per customer changed since then (see changedSince).
//
// Stripe API: GET /v1/customers, or GET /v1/events?type=customer.*.
func (s *CustomersService) List(ctx context.Context, opts accounting.ListOptions) iter.Seq2[*accounting.Customer, error] {
	const op = "customers.list"
	if !opts.UpdatedSince.IsZero() {
		return decodeChanges(changedSince(ctx, s.a, "customer", opts.UpdatedSince, op), op, toCustomer,
			func(c *accounting.Customer, at time.Time) { c.UpdatedAt = at })
	}
	return decodeEach(listAll(ctx, s.a, "/v1/customers", newForm, op), op, toCustomer)
}

// Create adds a customer. The call's idempotency key (or a fresh one) goes
// as Idempotency-Key: a repeat within 24 hours returns the first customer.
//
// Stripe API: POST /v1/customers.
func (s *CustomersService) Create(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	if strings.TrimSpace(c.Name) == "" && strings.TrimSpace(c.Email) == "" {
		return nil, connector.InvalidInput("stripe", "customers.create", "a customer needs a name or an email")
	}
	return s.write(ctx, "/v1/customers", c, "customers.create", opts)
}

// Upsert updates the customer with c.Email, or creates it (keyed by the
// email when the call has no key, so concurrent upserts make one).
//
// Stripe API: GET /v1/customers?email=, then POST /v1/customers[/{id}].
func (s *CustomersService) Upsert(ctx context.Context, c accounting.Customer, opts ...connector.CallOption) (*accounting.Customer, error) {
	existing, err := s.FindByEmail(ctx, c.Email)
	// Stripe binds a key to one request's parameters, and the update is a
	// request other than the create: each gets a key of its own, derived
	// from the caller's, or a re-run that finds the customer its first run
	// created would present the create's key to the update and be refused
	// (idempotency_error).
	// https://docs.stripe.com/api/idempotent_requests
	callerKey := connector.ResolveCallOptions(opts...).IdempotencyKey
	switch {
	case err == nil:
		if callerKey != "" {
			opts = append(opts, connector.WithIdempotencyKey(connector.DeriveKey(callerKey, "update", existing.ID)))
		}
		return s.write(ctx, "/v1/customers/"+url.PathEscape(existing.ID), c, "customers.update", opts)
	case errors.Is(err, connector.ErrNotFound):
		key := connector.DeriveKey("stripe-customer-email", c.Email)
		if callerKey != "" {
			key = connector.DeriveKey(callerKey, "create")
		}
		return s.Create(ctx, c, append(opts, connector.WithIdempotencyKey(key))...)
	}
	return nil, err
}

func (s *CustomersService) write(ctx context.Context, path string, c accounting.Customer, op string, opts []connector.CallOption) (*accounting.Customer, error) {
	f := newForm().set("name", c.Name).set("email", c.Email).set("phone", c.Phone)
	if len(c.Addresses) > 0 {
		a := c.Addresses[0]
		for i, l := range a.Lines {
			if i < 2 {
				f.set(key("address", "line"+itoa(int64(i+1))), l)
			}
		}
		f.set(key("address", "city"), a.City).set(key("address", "state"), a.Region).
			set(key("address", "postal_code"), a.PostalCode).set(key("address", "country"), a.Country)
	}
	if c.TaxNumber != "" {
		f.set(key("metadata", "tax_number"), c.TaxNumber)
	}
	var raw json.RawMessage
	if err := s.a.call(ctx, http.MethodPost, path, f, &raw, op, opts...); err != nil {
		return nil, err
	}
	out, err := toCustomer(raw, op)
	if err == nil && out == nil {
		err = &connector.APIError{Vendor: "stripe", Op: op, Kind: connector.ErrInvalidResponse, Message: "the answer is a deleted customer"}
	}
	return out, err
}

func uniq(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" && (len(out) == 0 || out[len(out)-1] != v) {
			out = append(out, v)
		}
	}
	return out
}
