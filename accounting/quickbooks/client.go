package quickbooks

import (
	"errors"
	"net/url"
	"strings"

	"golang.org/x/time/rate"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// APIVersion is the minor version of the Accounting API v3 the package is
// written against: sent as the minorversion query parameter on every
// request. 75 is the default of Intuit's own SDKs.
// https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/minor-versions
const APIVersion = "75"

// Intuit's hosts: production, and the development (sandbox company) host.
const (
	DefaultBaseURL = "https://quickbooks.api.intuit.com"
	SandboxBaseURL = "https://sandbox-quickbooks.api.intuit.com"
)

// Intuit's OAuth2 endpoints, for the connector/oauth Source.
// https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0
const (
	AuthURL  = "https://appcenter.intuit.com/connect/oauth2"
	TokenURL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
)

// Config holds what is particular to one QuickBooks Online company.
type Config struct {
	// BaseURL is the API host; it defaults to DefaultBaseURL (SandboxBaseURL
	// for Intuit's development companies, a quickbookstest sandbox's URL()
	// in tests).
	BaseURL string
	// Auth is connector.OAuth2(src), with a connector/oauth Source that
	// saves Intuit's rotated refresh token before it is used. Required.
	Auth connector.Auth
	// RealmID is the company id Intuit returns with the authorization code
	// (realmId). It is in every path. Required.
	RealmID string
	// HomeCurrency is the company's currency (ISO 4217), for records that
	// carry no CurrencyRef. Default USD.
	HomeCurrency string
}

// Client is one QuickBooks Online company.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet (add minorversion yourself)
	Customers         *CustomersService
	Invoices          *InvoicesService
	Payments          *PaymentsService
	Items             *ItemsService

	api  *api
	pace *pacer
}

var (
	_ connector.Connector  = (*Client)(nil)
	_ accounting.Customers = (*CustomersService)(nil)
	_ accounting.Invoices  = (*InvoicesService)(nil)
	_ accounting.Sender    = (*InvoicesService)(nil)
	_ accounting.Payments  = (*PaymentsService)(nil)
)

// Intuit's throttling limits, per app and company (realm).
// https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features#limits-and-throttles
const (
	maxInFlight     = 10  // concurrent requests per realm
	requestsPerMin  = 500 // requests per minute per realm
	defaultCurrency = "USD"
)

// New builds a client for one company. opts are the connector's; a
// connector.WithRateLimit among them (at a finite rate: rate.Inf cannot be
// told from none) replaces the default pace of 500 requests a minute.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("quickbooks: Config.Auth is required")
	}
	if strings.TrimSpace(cfg.RealmID) == "" {
		return nil, errors.New("quickbooks: Config.RealmID is required (the realmId of the connected company)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.HomeCurrency == "" {
		cfg.HomeCurrency = defaultCurrency
	}
	pace := newPacer()
	c, err := connector.New(connector.Vendor{
		Name:             "quickbooks",
		BaseURL:          cfg.BaseURL,
		Auth:             cfg.Auth,
		MaxConcurrent:    maxInFlight,
		DecodeError:      decodeError,
		RateFeedback:     pace.feedback,
		RequestIDHeaders: []string{"intuit_tid"},
		Limit:            sharedLimit,
	}, opts...)
	if err != nil {
		return nil, err
	}
	if c.RateLimiter().Limit() == rate.Inf {
		pace.start(c.RateLimiter())
	}
	a := &api{c: c, realm: cfg.RealmID, currency: cfg.HomeCurrency}
	return &Client{Client: c, api: a, pace: pace, Customers: &CustomersService{a: a}, Invoices: &InvoicesService{a: a},
		Payments: &PaymentsService{a: a}, Items: &ItemsService{a: a}}, nil
}

// RealmID is the company the client works on.
func (c *Client) RealmID() string { return c.api.realm }

// api is what every service shares: the transport, the realm and the
// company's currency.
type api struct {
	c        *connector.Client
	realm    string
	currency string
}

// path is /v3/company/{realmId}/{resource} with q and the pinned
// minorversion.
func (a *api) path(resource string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	q.Set("minorversion", APIVersion)
	return "/v3/company/" + url.PathEscape(a.realm) + "/" + resource + "?" + q.Encode()
}
