package pipedrive

import (
	"errors"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// DefaultBaseURL is Pipedrive's API host. API v2 lives under /api/v2 and
// v1 under /v1, as the official specs' servers say.
const DefaultBaseURL = "https://api.pipedrive.com"

// APIVersion is the API version the package pins in its paths: v2 for
// persons, organizations, deals and their fields; v1 for notes, which v2
// does not have yet.
const APIVersion = "v2"

const (
	v2 = "/api/v2"
	v1 = "/v1"
)

// DefaultKeyField is the name of the custom field (one on organizations,
// one on deals) that holds callers' idempotency keys.
const DefaultKeyField = "Patchbay idempotency key"

// Config holds what is particular to a Pipedrive account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; a pipedrivetest sandbox's URL()
	// in tests, a company domain (https://acme.pipedrive.com; for an OAuth
	// app, APIDomain of its token), or a proxy.
	BaseURL string
	// Auth is APIToken(token) for a personal API token, or
	// connector.OAuth2(source) over a connector/oauth Source for an OAuth
	// app (its oauth2.Config's Endpoint is OAuthEndpoint; the Source
	// refreshes an expired access token, and once more on a 401).
	// Required.
	Auth connector.Auth
	// Currency is used for deals that carry none. Default "USD".
	Currency string
	// KeyField names the custom field that holds idempotency keys on
	// organizations and deals (neither has a natural key). It is created,
	// as a text field, on first use. Default DefaultKeyField.
	KeyField string
}

// APIToken is a personal API token, sent in the x-api-token header as
// Pipedrive documents (the spec's api_key scheme), never in the URL. Its
// value is registered with the client's redactor on every request. (The
// connector also masks an api_token query parameter in every log line and
// error, for requests built by hand with the token in the URL.)
// https://pipedrive.readme.io/docs/how-to-find-the-api-token
func APIToken(token string) connector.Auth { return connector.APIKey("x-api-token", token) }

// OAuthEndpoint is Pipedrive's OAuth 2.0 server, for the oauth2.Config of
// a connector/oauth Source. The app's client_id and client_secret travel as
// HTTP Basic credentials (the spec's basic_authentication scheme on
// /oauth/token), hence AuthStyleInHeader. Access tokens expire (expires_in,
// about an hour); the Source refreshes them with the refresh token.
// https://pipedrive.readme.io/docs/marketplace-oauth-authorization
var OAuthEndpoint = oauth2.Endpoint{
	AuthURL:   "https://oauth.pipedrive.com/oauth/authorize",
	TokenURL:  "https://oauth.pipedrive.com/oauth/token",
	AuthStyle: oauth2.AuthStyleInHeader,
}

// APIDomain is the api_domain of a token Pipedrive's token endpoint gave
// ("https://acme.pipedrive.com": "the base URL path, including the
// company_domain, where the requests can be sent to"), for Config.BaseURL;
// ok is false when the token has none, or names a host that is not an
// https *.pipedrive.com one (the bearer token must not go elsewhere).
// Pipedrive sends it on every token answer, refreshes included, because a
// company's domain can change: read it when building the client (and
// again from oauth.Config.OnRefresh, to rebuild the client if it moved).
// https://developers.pipedrive.com/changelog/post/new-parameter-in-oauth-oauthtoken-responses
func APIDomain(tok *oauth2.Token) (baseURL string, ok bool) {
	if tok == nil {
		return "", false
	}
	s, _ := tok.Extra("api_domain").(string)
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" || (u.Path != "" && u.Path != "/") ||
		u.RawQuery != "" || u.Fragment != "" || !strings.HasSuffix(u.Hostname(), ".pipedrive.com") {
		return "", false
	}
	return "https://" + u.Hostname(), true
}

// Client is a Pipedrive company account. Its embedded connector.Client
// reaches any endpoint the services do not cover yet.
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
		return nil, errors.New("pipedrive: Config.Auth is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Currency == "" {
		cfg.Currency = "USD"
	}
	if cfg.KeyField == "" {
		cfg.KeyField = DefaultKeyField
	}
	c, err := connector.New(connector.Vendor{
		Name:             "pipedrive",
		BaseURL:          cfg.BaseURL,
		Auth:             cfg.Auth,
		DecodeError:      decodeError,
		DecideRetry:      decideRetry,
		RateFeedback:     (&pacer{}).feedback,
		RequestIDHeaders: []string{"X-Correlation-Id", "X-Request-Id"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	personFields := newFieldSet(c, "personFields", cfg.KeyField)
	orgFields := newFieldSet(c, "organizationFields", cfg.KeyField)
	dealFields := newFieldSet(c, "dealFields", cfg.KeyField)
	client := &Client{Client: c}
	client.Companies = &CompaniesService{c: c, fields: orgFields}
	client.Contacts = &ContactsService{c: c, fields: personFields, orgs: client.Companies}
	client.Deals = &DealsService{c: c, fields: dealFields, currency: cfg.Currency}
	client.Associations = &AssociationsService{c: c}
	client.Notes = &NotesService{c: c}
	return client, nil
}
