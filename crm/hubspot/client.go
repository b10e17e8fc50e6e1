// Package hubspot is the HubSpot CRM connector: contacts through the CRM
// v3 objects API (https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide),
// with HubSpot's error bodies, rate limits and search cap handled.
//
// Auth is a private-app access token (connector.Bearer) or OAuth2
// (connector.OAuth2 with a connector/oauth Source). Every call goes through
// the connector stack: retries that never duplicate a write, pacing from
// HubSpot's X-HubSpot-RateLimit-* headers, typed errors, redaction.
//
// The v3 paths (/crm/v3/objects/...) are used rather than the date-versioned
// /crm/objects/2026-03/... ones: they are what HubSpot's published spec
// describes in full, and HubSpot keeps them working alongside.
//
// Its sandbox is hubspottest; crmtest.Run holds it to the crm contract.
package hubspot

import (
	"errors"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// Config holds what is particular to a HubSpot account.
type Config struct {
	// Auth is connector.Bearer(privateAppToken) or connector.OAuth2(source).
	Auth connector.Auth
	// BaseURL defaults to DefaultBaseURL; point it at a hubspottest sandbox
	// in tests.
	BaseURL string
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

var _ crm.Contacts = (*ContactsService)(nil)

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
