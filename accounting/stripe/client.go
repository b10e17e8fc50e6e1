package stripe

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
)

// APIVersion is the Stripe-Version every request sends. Pinning it means a
// change to the account's default version in the Dashboard cannot change
// what the connector reads; it is the version of the spec stripe-mock
// v0.203.0 serves, which the tests run against. Invoices are modelled on
// it: lines priced through pricing.unit_amount_decimal and taxes under
// taxes/total_taxes, as since the 2025-03-31 (basil) release.
const APIVersion = "2026-08-26.dahlia"

// DefaultBaseURL is Stripe's API host.
const DefaultBaseURL = "https://api.stripe.com"

// Config holds what is particular to one Stripe account.
type Config struct {
	// Key is a secret key (sk_...) or restricted key (rk_...).
	Key string
	// BaseURL defaults to DefaultBaseURL; a stripetest sandbox's URL or a
	// stripe-mock in tests.
	BaseURL string
}

// Client is a Stripe account, as the accounting interfaces.
type Client struct {
	*connector.Client
	Customers *CustomersService
	Invoices  *InvoicesService
	Payments  *PaymentsService
}

// New builds a client. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Key == "" {
		return nil, errors.New("stripe: Config.Key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:              "stripe",
		BaseURL:           cfg.BaseURL,
		Auth:              connector.Bearer(cfg.Key),
		Header:            http.Header{"Stripe-Version": {APIVersion}},
		IdempotencyHeader: "Idempotency-Key",
		KeyEveryWrite:     true,
		DecodeError:       decodeError,
		DecideRetry:       decideRetry,
		RequestIDHeaders:  []string{"Request-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	a := &api{c: c}
	return &Client{Client: c, Customers: &CustomersService{a}, Invoices: &InvoicesService{a}, Payments: &PaymentsService{a}}, nil
}

// api sends Stripe's requests: forms in, JSON out.
type api struct{ c *connector.Client }

// call sends f (nil for none) to path and decodes the JSON answer into
// out. GETs carry f as their query string; other methods as a form body.
func (a *api) call(ctx context.Context, method, path string, f *form, out any, op string, opts ...connector.CallOption) error {
	var body io.Reader
	if f != nil {
		if method == http.MethodGet {
			if q := f.encode(); q != "" {
				path += "?" + q
			}
		} else {
			body = strings.NewReader(f.encode())
		}
	}
	return a.c.Send(ctx, method, path, "application/x-www-form-urlencoded", body, out, append(opts, connector.WithOperation(op))...)
}

// subKey derives the key of one of several calls that make up a keyed
// operation (an invoice is created, given lines, finalised), so that a
// retried operation replays each call.
func subKey(opts []connector.CallOption, part string) connector.CallOption {
	key := connector.ResolveCallOptions(opts...).IdempotencyKey
	if key == "" {
		return nil
	}
	return connector.WithIdempotencyKey(connector.DeriveKey(key, part))
}
