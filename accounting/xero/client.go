// Package xero is the Xero accounting connector: contacts as customers,
// sales invoices (ACCREC) and payments through the Accounting API
// (https://developer.xero.com/documentation/api/accounting/overview),
// as the accounting interfaces.
//
// Xero is OAuth2 only and rotates refresh tokens on every refresh: give the
// client connector.OAuth2(src) with a connector/oauth Source, so a rotated
// token is saved before it is used. Each organisation is a tenant: list
// them with Connections, and make one client per tenant; the client sends
// xero-tenant-id on every call and keeps to Xero's 5 calls in flight per
// tenant. Every write carries an Idempotency-Key (the caller's, or a fresh
// one per call so that its retries are safe).
//
// Its sandbox is xerotest; accountingtest.Run holds it to the contract.
package xero

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// Defaults for Xero's hosts.
const (
	DefaultBaseURL     = "https://api.xero.com/api.xro/2.0"
	DefaultIdentityURL = "https://api.xero.com"
)

// Config holds what is particular to one Xero organisation.
type Config struct {
	// Auth is connector.OAuth2(source), with a connector/oauth Source.
	Auth connector.Auth
	// TenantID is the organisation, from Connections. Required.
	TenantID string
	// BaseURL defaults to DefaultBaseURL; a xerotest sandbox's APIURL() in tests.
	BaseURL string
}

// Client is one Xero organisation.
type Client struct {
	*connector.Client
	Customers *CustomersService
	Invoices  *InvoicesService
	Payments  *PaymentsService
	Items     *ItemsService
}

var (
	_ accounting.Customers = (*CustomersService)(nil)
	_ accounting.Invoices  = (*InvoicesService)(nil)
	_ accounting.Sender    = (*InvoicesService)(nil)
	_ accounting.Payments  = (*PaymentsService)(nil)
)

// maxInFlight is Xero's limit of concurrent calls per tenant.
const maxInFlight = 5

// New builds a client for one tenant. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("xero: Config.Auth is required")
	}
	if cfg.TenantID == "" {
		return nil, errors.New("xero: Config.TenantID is required (see Connections)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:              "xero",
		BaseURL:           cfg.BaseURL,
		Auth:              cfg.Auth,
		Header:            http.Header{"Xero-Tenant-Id": {cfg.TenantID}},
		IdempotencyHeader: "Idempotency-Key",
		KeyEveryWrite:     true,
		MaxConcurrent:     maxInFlight,
		DecodeError:       decodeError,
		DecideRetry:       decideRetry,
		RateFeedback:      paceFromHeaders,
		RequestIDHeaders:  []string{"Xero-Correlation-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{Client: c, Customers: &CustomersService{c: c}, Invoices: &InvoicesService{c: c}, Payments: &PaymentsService{c: c},
		Items: &ItemsService{c: c}}, nil
}

// Tenant is an organisation the user connected.
type Tenant struct {
	ID         string `json:"id"` // the connection's id
	TenantID   string `json:"tenantId"`
	TenantType string `json:"tenantType"` // ORGANISATION, PRACTICE
	TenantName string `json:"tenantName"`
}

// Connections lists the tenants the token may reach: GET /Connections on
// identityURL (DefaultIdentityURL, or a sandbox's URL).
//
// https://developer.xero.com/documentation/guides/oauth2/tenants
func Connections(ctx context.Context, auth connector.Auth, identityURL string, opts ...connector.Option) ([]Tenant, error) {
	if identityURL == "" {
		identityURL = DefaultIdentityURL
	}
	c, err := connector.New(connector.Vendor{Name: "xero", BaseURL: identityURL, Auth: auth, DecodeError: decodeError}, opts...)
	if err != nil {
		return nil, err
	}
	var tenants []Tenant
	if err := c.JSON(ctx, http.MethodGet, "/Connections", nil, &tenants, connector.WithOperation("connections.list")); err != nil {
		return nil, err
	}
	return tenants, nil
}

// quote makes a value safe inside a where filter's double quotes.
func quote(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}
