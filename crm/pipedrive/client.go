package pipedrive

import (
	"errors"

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
	// in tests, a company domain (https://acme.pipedrive.com), or a proxy.
	BaseURL string
	// Auth is APIToken(token) for a personal API token, or
	// connector.OAuth2(source) over a connector/oauth Source for an OAuth
	// app (Pipedrive's token endpoint is
	// https://oauth.pipedrive.com/oauth/token; the Source refreshes).
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
		RateFeedback:     paceFromHeaders,
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
