package square

import (
	"errors"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
)

// DefaultBaseURL is Square's production API root.
const DefaultBaseURL = "https://connect.squareup.com"

// SandboxBaseURL is Square's own sandbox (a seller test account), not
// squaretest's.
const SandboxBaseURL = "https://connect.squareupsandbox.com"

// APIVersion is the Square API version the connector is written for, sent
// as Square-Version on every request: the default of the official spec the
// package is checked against.
// https://developer.squareup.com/docs/build-basics/versioning-overview
const APIVersion = "2025-08-20"

// Config holds what is particular to one Square seller account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL; SandboxBaseURL for Square's
	// sandbox, a squaretest sandbox's URL(), or a proxy.
	BaseURL string
	// Auth is the seller's access token, sent as a Bearer token:
	// AccessToken(token) for a personal access token of the seller's own
	// application, OAuth(ts) for an application the seller authorized
	// through Square's OAuth (a connector/oauth Source; Square's access
	// tokens last 30 days and are refreshed with the refresh token).
	// Required.
	// https://developer.squareup.com/docs/build-basics/access-tokens
	Auth connector.Auth
	// LocationIDs are the locations whose orders Orders.List searches
	// (SearchOrders takes at most 10). Empty: every location of the
	// account, read once with ListLocations.
	LocationIDs []string
}

// AccessToken is a seller's access token (a personal access token, or one
// obtained through OAuth), sent as "Authorization: Bearer <token>".
func AccessToken(token string) connector.Auth { return connector.Bearer(token) }

// OAuth sends the access token of ts (a connector/oauth Source over
// Square's OAuth) as a Bearer token, refreshing it as it expires. A
// failure of ts means nothing was sent: it is never
// connector.ErrOutcomeUnknown.
// https://developer.squareup.com/docs/oauth-api/overview
func OAuth(ts oauth2.TokenSource) connector.Auth { return connector.OAuth2(ts) }

// Client is one Square seller account.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Items             *ItemsService
	Locations         *LocationsService
	Stock             *StockService
	Orders            *OrdersService
	Fulfilments       *FulfilmentsService
}

var (
	_ connector.Connector   = (*Client)(nil)
	_ inventory.Items       = (*ItemsService)(nil)
	_ inventory.Locations   = (*LocationsService)(nil)
	_ inventory.Stock       = (*StockService)(nil)
	_ inventory.Orders      = (*OrdersService)(nil)
	_ inventory.Fulfilments = (*FulfilmentsService)(nil)
)

// New builds a client for one seller account. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("square: Config.Auth is required: AccessToken(token) or OAuth(tokenSource)")
	}
	if len(cfg.LocationIDs) > maxSearchLocations {
		return nil, errors.New("square: Config.LocationIDs: SearchOrders takes at most 10 locations")
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:    "square",
		BaseURL: base,
		Auth:    cfg.Auth,
		Header:  http.Header{"Square-Version": {APIVersion}},
		// Square reads idempotency keys from the body of each write
		// (idempotency_key), not from a header: the services put them
		// there and mark the call keyed.
		DecodeError:  decodeError,
		RateFeedback: rateFeedback,
	}, opts...)
	if err != nil {
		return nil, err
	}
	items := &ItemsService{c: c}
	orders := &OrdersService{c: c, locations: cfg.LocationIDs, skus: map[string]string{}}
	return &Client{Client: c, Items: items, Locations: &LocationsService{c: c}, Stock: &StockService{c: c},
		Orders: orders, Fulfilments: &FulfilmentsService{c: c, orders: orders}}, nil
}
