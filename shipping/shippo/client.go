package shippo

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// DefaultBaseURL is Shippo's API host.
const DefaultBaseURL = "https://api.goshippo.com"

// APIVersion is the Shippo API version the connector speaks, sent on every
// request as Shippo-API-Version: the one of the published spec it is
// checked against.
const APIVersion = "2018-02-08"

// Config holds what is particular to a Shippo account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; a shippotest sandbox's URL() in
	// tests.
	BaseURL string
	// Auth is the account's credential: APIToken with a live or test API
	// token (shippo_live_..., shippo_test_...). Required.
	Auth connector.Auth
	// Live says Auth is a live token: a budget shared by clients
	// (connector.WithSharedBudget) is drawn at Shippo's live limits, not
	// the test mode's, ten times lower.
	Live bool
}

// APIToken is a Shippo API token as Config.Auth takes it: sent as
// "Authorization: ShippoToken <token>", Shippo's own scheme
// (https://docs.goshippo.com/docs/guides_general/authentication).
func APIToken(token string) connector.Auth { return connector.TokenScheme("ShippoToken", token) }

// Client is a Shippo account.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Rates             *RatesService
	Labels            *LabelsService
	Tracking          *TrackingService
}

var (
	_ connector.Connector  = (*Client)(nil)
	_ shipping.Rates       = (*RatesService)(nil)
	_ shipping.Labels      = (*LabelsService)(nil)
	_ shipping.Tracking    = (*TrackingService)(nil)
	_ shipping.LabelFinder = (*LabelsService)(nil)
)

// New builds a client. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("shippo: Config.Auth is required (shippo.APIToken with the API token)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:        "shippo",
		BaseURL:     cfg.BaseURL,
		Auth:        cfg.Auth,
		Header:      http.Header{"Shippo-API-Version": {APIVersion}},
		DecodeError: decodeError,
		LimitFor:    limitFor(cfg.Live, basePath(cfg.BaseURL)),
	}, opts...)
	if err != nil {
		return nil, err
	}
	quoted := &shipping.Quoted[shipping.Rate]{}
	return &Client{Client: c, Rates: &RatesService{c: c, quoted: quoted}, Labels: &LabelsService{c: c, quoted: quoted}, Tracking: &TrackingService{c: c}}, nil
}

// basePath is the path of a base URL ("https://proxy.example/shippo": /shippo).
func basePath(base string) string {
	if u, err := url.Parse(base); err == nil {
		return u.Path
	}
	return ""
}
