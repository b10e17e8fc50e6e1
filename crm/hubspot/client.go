package hubspot

import (
	"errors"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// DefaultIdempotencyProperty is the custom property that holds callers'
// idempotency keys on companies and deals.
const DefaultIdempotencyProperty = "patchbay_idempotency_key"

// Config holds what is particular to a HubSpot account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; a hubspottest sandbox's URL() in
	// tests, or a proxy.
	BaseURL string
	// Auth is connector.Bearer(privateAppToken) or connector.OAuth2(source)
	// over a connector/oauth Source. Required.
	Auth connector.Auth
	// ContactProperties names custom contact properties to read into
	// Contact.Properties.
	ContactProperties []string
	// CompanyProperties and DealProperties do the same for companies and deals.
	CompanyProperties []string
	DealProperties    []string
	// Currency is the account's company currency (ISO 4217), for deals
	// that carry no deal_currency_code. Default "USD".
	Currency string
	// IdempotencyProperty is the custom property, with unique values, that
	// holds idempotency keys on companies and deals (neither has a natural
	// key). The client creates it on first use. Default
	// DefaultIdempotencyProperty.
	IdempotencyProperty string
	// SearchCap is how many results HubSpot's search API returns for one
	// query (10,000). Lower it only to match a sandbox made with
	// hubspottest.WithSearchCap.
	SearchCap int
}

// Client is a HubSpot account. Its embedded connector.Client reaches any
// endpoint the services do not cover yet.
type Client struct {
	*connector.Client
	Contacts     *ContactsService
	Companies    *CompaniesService
	Deals        *DealsService
	Associations *AssociationsService
	Notes        *NotesService
}

var (
	_ connector.Connector = (*Client)(nil)
	_ crm.Contacts        = (*ContactsService)(nil)
	_ crm.Companies       = (*CompaniesService)(nil)
	_ crm.Deals           = (*DealsService)(nil)
	_ crm.Associations    = (*AssociationsService)(nil)
	_ crm.Notes           = (*NotesService)(nil)
)

// New builds a client. opts are the connector's: an HTTP client, a logger,
// a retry policy, and so on.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("hubspot: Config.Auth is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.SearchCap <= 0 {
		cfg.SearchCap = 10_000
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.IdempotencyProperty == "" {
		cfg.IdempotencyProperty = DefaultIdempotencyProperty
	}
	c, err := connector.New(connector.Vendor{
		Name:             "hubspot",
		BaseURL:          cfg.BaseURL,
		Auth:             cfg.Auth,
		DecodeError:      decodeError,
		DecideRetry:      decideRetry,
		RateFeedback:     paceFromHeaders,
		Limit:            defaultLimit,
		RequestIDHeaders: []string{"X-HubSpot-Correlation-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	keys := &keyProperty{c: c, name: cfg.IdempotencyProperty}
	objs := func(kind string, standard, custom []string) objects {
		return objects{c: c, kind: kind, props: readProperties(standard, custom), searchCap: cfg.SearchCap}
	}
	return &Client{
		Client:       c,
		Contacts:     &ContactsService{objects: objs("contacts", standardContactProperties, cfg.ContactProperties), custom: cfg.ContactProperties},
		Companies:    &CompaniesService{objects: objs("companies", standardCompanyProperties, cfg.CompanyProperties), keys: keys, custom: cfg.CompanyProperties},
		Deals:        &DealsService{objects: objs("deals", standardDealProperties, cfg.DealProperties), keys: keys, currency: cfg.Currency, custom: cfg.DealProperties},
		Associations: &AssociationsService{c: c},
		Notes:        &NotesService{objects: objs("notes", []string{"hs_note_body", "hs_timestamp"}, nil)},
	}, nil
}
