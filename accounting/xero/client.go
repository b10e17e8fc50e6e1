package xero

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// APIVersion is the Accounting API version; Xero carries it in the path,
// not in a header.
const APIVersion = "2.0"

// Defaults for Xero's hosts.
const (
	DefaultBaseURL     = "https://api.xero.com/api.xro/" + APIVersion
	DefaultIdentityURL = "https://api.xero.com"
)

// Config holds what is particular to one Xero organisation.
type Config struct {
	// BaseURL is the Accounting API root; it defaults to DefaultBaseURL. A
	// xerotest sandbox's URL() in tests.
	BaseURL string
	// Auth is connector.OAuth2(src), with a connector/oauth Source that
	// saves Xero's rotated refresh tokens. Required.
	Auth connector.Auth
	// TenantID is the organisation, from Connections. Required.
	TenantID string
}

// Client is one Xero organisation.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Customers         *CustomersService
	Invoices          *InvoicesService
	Payments          *PaymentsService
	Items             *ItemsService
}

var (
	_ connector.Connector  = (*Client)(nil)
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
		Limit:             minuteLimit,
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
// identityURL (DefaultIdentityURL when empty, or a sandbox's
// IdentityURL()).
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

// pageSize is how many records a list page asks for (Xero allows up to 1,000).
const pageSize = 100

// listPath is the path of a list's page; a list of changes since a time is
// ordered oldest change first.
func listPath(resource string, page int, since time.Time) string {
	p := resource + "?page=" + strconv.Itoa(page) + "&pageSize=" + strconv.Itoa(pageSize)
	if !since.IsZero() {
		p += "&order=" + url.QueryEscape("UpdatedDateUTC ASC")
	}
	return p
}

// getJSON GETs path, with If-Modified-Since when since is set.
func getJSON(ctx context.Context, c *connector.Client, path, op string, since time.Time, out any) error {
	opts := []connector.CallOption{connector.WithOperation(op)}
	if !since.IsZero() {
		opts = append(opts, connector.WithRequestHeader("If-Modified-Since", since.UTC().Format("2006-01-02T15:04:05.000Z")))
	}
	return c.JSON(ctx, http.MethodGet, path, nil, out, opts...)
}

// pages walks Xero's page/pageSize pagination: a page shorter than pageSize
// is the last.
func pages[T any](ctx context.Context, fetch func(ctx context.Context, page int) ([]T, error)) iter.Seq2[T, error] {
	return connector.All(ctx, func(ctx context.Context, cursor string) (connector.Page[T], error) {
		page := 1
		if cursor != "" {
			page, _ = strconv.Atoi(cursor)
		}
		items, err := fetch(ctx, page)
		if err != nil {
			return connector.Page[T]{}, err
		}
		p := connector.Page[T]{Items: items}
		if len(items) == pageSize {
			p.Next = strconv.Itoa(page + 1)
		}
		return p, nil
	})
}
