package easypost

import (
	"errors"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// DefaultBaseURL is EasyPost's API host.
const DefaultBaseURL = "https://api.easypost.com"

// APIVersion is the EasyPost API version the connector speaks: it is the
// first segment of every path (/v2/shipments).
const APIVersion = "v2"

// Config holds what is particular to an EasyPost account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; an easyposttest sandbox's URL()
	// in tests. Paths under it start with /v2.
	BaseURL string
	// Auth is the account's credential: APIKey with a test (EZTK...) or
	// production (EZAK...) API key. Required.
	Auth connector.Auth
}

// APIKey is an EasyPost API key as Config.Auth takes it: the user name of
// HTTP Basic auth, with an empty password
// (https://docs.easypost.com/docs/authentication).
func APIKey(key string) connector.Auth { return connector.Basic(key, "") }

// Client is an EasyPost account.
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
	_ shipping.LabelFinder = (*LabelsService)(nil)
	_ shipping.Tracking    = (*TrackingService)(nil)
)

// vendorName names EasyPost in errors and logs.
const vendorName = "easypost"

// New builds a client. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("easypost: Config.Auth is required (easypost.APIKey with the API key)")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:             vendorName,
		BaseURL:          strings.TrimSuffix(cfg.BaseURL, "/"),
		Auth:             cfg.Auth,
		DecodeError:      decodeError,
		RequestIDHeaders: []string{"X-Ep-Request-Uuid"},
	}, opts...)
	if err != nil {
		return nil, err
	}
	quoted := &shipping.Quoted[quote]{}
	return &Client{Client: c, Rates: &RatesService{c: c, quoted: quoted}, Labels: &LabelsService{c: c, quoted: quoted},
		Tracking: &TrackingService{c: c}}, nil
}

// path is an API path under the pinned version.
func path(p string) string { return "/" + APIVersion + p }
