package salesforce

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// APIVersion is the REST API version every path is pinned to
// (/services/data/v62.0/..., Winter '25).
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
const APIVersion = "v62.0"

// DefaultLoginURL is where the OAuth2 web-server flow starts for a
// production org; a sandbox org logs in at https://test.salesforce.com.
// It is not an API base URL: every org answers on its own instance URL,
// which the token answer names (see InstanceURL).
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
const DefaultLoginURL = "https://login.salesforce.com"

// DefaultExternalIDField is the custom field, on Contact, Account,
// Opportunity, Task and OpportunityContactRole, that makes the package's
// keyed writes exactly-once (see the package documentation).
const DefaultExternalIDField = "Patchbay_Key__c"

// Config holds what is particular to one Salesforce org.
type Config struct {
	// BaseURL is the org's instance URL, the token answer's instance_url
	// (InstanceURL reads it), such as https://acme.my.salesforce.com; a
	// salesforcetest sandbox's URL() in tests. Required: Salesforce has no
	// one API host.
	BaseURL string
	// Auth is connector.OAuth2 over a connector/oauth Source (web-server
	// flow and refresh token; see Endpoint), or connector.Bearer(sessionID)
	// for a session obtained elsewhere. Required.
	Auth connector.Auth
	// ExternalIDField is the External ID field that holds idempotency keys
	// and contacts' lowercased emails. Default DefaultExternalIDField.
	ExternalIDField string
	// Currency is the corporate currency of a single-currency org (ISO
	// 4217): deal amounts are read in it, and an amount in any other
	// currency is refused before sending. Empty means a multi-currency
	// org: CurrencyIsoCode is sent and read on every opportunity.
	Currency string
	// Stages maps the domain's deal stages to Opportunity StageName
	// picklist values (and back on reads). Default: "closedwon" → "Closed
	// Won", "closedlost" → "Closed Lost"; other stages are sent as given.
	Stages map[string]string
}

// Client is one Salesforce org. Its embedded connector.Client reaches any
// endpoint the services do not cover yet (paths under APIPath()).
type Client struct {
	*connector.Client
	Contacts     *ContactsService
	Companies    *CompaniesService
	Deals        *DealsService
	Notes        *NotesService
	Associations *AssociationsService
	// Sales records a whole sale in one Composite API call.
	Sales *SalesService
}

var (
	_ connector.Connector = (*Client)(nil)
	_ crm.Contacts        = (*ContactsService)(nil)
	_ crm.Companies       = (*CompaniesService)(nil)
	_ crm.Deals           = (*DealsService)(nil)
	_ crm.Notes           = (*NotesService)(nil)
	_ crm.Associations    = (*AssociationsService)(nil)
	_ crm.SaleRecorder    = (*SalesService)(nil)
	_ crm.SaleRecorder    = (*Client)(nil)
)

// APIPath is the root of the pinned REST API, relative to the instance URL.
func APIPath() string { return "/services/data/" + APIVersion }

// New builds a client for one org. opts are the connector's: an HTTP
// client, a logger, a retry policy, and so on.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("salesforce: Config.Auth is required")
	}
	if cfg.BaseURL == "" {
		return nil, errors.New("salesforce: Config.BaseURL is required: the org's instance URL (the token answer's instance_url)")
	}
	if cfg.ExternalIDField == "" {
		cfg.ExternalIDField = DefaultExternalIDField
	}
	if !validFieldName(cfg.ExternalIDField) {
		return nil, fmt.Errorf("salesforce: Config.ExternalIDField %q is not a field name", cfg.ExternalIDField)
	}
	stages := map[string]string{"closedwon": "Closed Won", "closedlost": "Closed Lost"}
	if cfg.Stages != nil {
		stages = cfg.Stages
	}
	c, err := connector.New(connector.Vendor{
		Name:        "salesforce",
		BaseURL:     strings.TrimSuffix(cfg.BaseURL, "/"),
		Auth:        cfg.Auth,
		DecodeError: decodeError,
		DecideRetry: decideRetry,
		// Sforce-Limit-Info: api-usage=n/m on every answer.
		RateFeedback:     paceFromHeaders,
		RequestIDHeaders: []string{"X-Request-Id", "Sforce-Call-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	o := &org{c: c, ext: cfg.ExternalIDField, currency: strings.ToUpper(cfg.Currency), stages: stages}
	client := &Client{
		Client:       c,
		Contacts:     &ContactsService{o: o},
		Companies:    &CompaniesService{o: o},
		Deals:        &DealsService{o: o},
		Notes:        &NotesService{o: o},
		Associations: &AssociationsService{o: o},
		Sales:        &SalesService{o: o},
	}
	return client, nil
}

// org is what every service shares: the transport and the org's settings.
type org struct {
	c        *connector.Client
	ext      string            // the External ID field
	currency string            // "" for a multi-currency org
	stages   map[string]string // domain stage → StageName
}

// Endpoint is the OAuth2 endpoint of a login host (DefaultLoginURL,
// https://test.salesforce.com, or an org's My Domain), for a
// connector/oauth Source. Salesforce takes the client credentials in the
// form body.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_endpoints.htm
func Endpoint(loginURL string) oauth2.Endpoint {
	loginURL = strings.TrimSuffix(loginURL, "/")
	return oauth2.Endpoint{AuthURL: loginURL + "/services/oauth2/authorize", TokenURL: loginURL + "/services/oauth2/token",
		AuthStyle: oauth2.AuthStyleInParams}
}

// InstanceURL is the org's API base URL, from a token answer's
// instance_url (an authorization-code exchange or a refresh): the
// Config.BaseURL of a client for that token. Store it with the account:
// stores that keep only the token's standard fields lose it.
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
func InstanceURL(tok *oauth2.Token) (string, error) {
	if tok == nil {
		return "", errors.New("salesforce: no token")
	}
	s, _ := tok.Extra("instance_url").(string)
	u, err := url.Parse(s)
	if s == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("salesforce: the token answer has no usable instance_url")
	}
	return strings.TrimSuffix(s, "/"), nil
}

// validFieldName accepts API names (letters, digits, underscores).
func validFieldName(s string) bool {
	if s == "" || len(s) > 80 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
