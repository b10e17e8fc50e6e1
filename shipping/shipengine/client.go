package shipengine

import (
	"errors"
	"net/http"
	"strings"
	"sync"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// DefaultBaseURL is ShipEngine's API root; paths carry the version (/v1).
const DefaultBaseURL = "https://api.shipengine.com"

// ShipStationBaseURL is the root of ShipStation API v2, the same platform
// under another host: see Config.Platform.
const ShipStationBaseURL = "https://api.shipstation.com"

// APIVersion is the path prefix of ShipEngine's API. ShipEngine versions
// its API in the path only; no version header exists.
const APIVersion = "v1"

// Platform selects which of the platform's two faces a client speaks to.
type Platform int

const (
	// ShipEngine: https://api.shipengine.com/v1.
	ShipEngine Platform = iota
	// ShipStation is ShipStation API v2 (https://api.shipstation.com/v2):
	// the same platform, same bodies, errors and webhooks, under /v2. See
	// the package documentation for where the two differ.
	ShipStation
)

// Config is one ShipEngine (or ShipStation API v2) account.
type Config struct {
	// BaseURL defaults to DefaultBaseURL (ShipStationBaseURL for the
	// ShipStation platform); a sandbox's URL() or a proxy.
	BaseURL string
	// Auth is the account's API key: APIKey(key). Required.
	Auth connector.Auth
	// Platform is ShipEngine (the default) or ShipStation.
	Platform Platform
	// CarrierIDs are the carrier accounts Quote rates ("se-123456").
	// Empty: every carrier connected to the account (GET /v1/carriers,
	// once per client).
	CarrierIDs []string
}

// APIKey is the API-Key header ShipEngine (and ShipStation API v2)
// authenticates with. https://www.shipengine.com/docs/auth/
func APIKey(key string) connector.Auth { return connector.APIKey("API-Key", key) }

// Client is a ShipEngine client. Safe for concurrent use.
type Client struct {
	*connector.Client // Do: any endpoint the services do not cover yet
	Rates             *RatesService
	Labels            *LabelsService
	Tracking          *TrackingService

	prefix string // "/v1" or "/v2"
}

var (
	_ connector.Connector  = (*Client)(nil)
	_ shipping.Rates       = (*RatesService)(nil)
	_ shipping.Labels      = (*LabelsService)(nil)
	_ shipping.LabelFinder = (*LabelsService)(nil)
	_ shipping.Tracking    = (*TrackingService)(nil)
)

// New returns a client for cfg.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Auth == nil {
		return nil, errors.New("shipengine: Config.Auth is required (shipengine.APIKey)")
	}
	base, prefix := cfg.BaseURL, "/v1"
	if cfg.Platform == ShipStation {
		prefix = "/v2"
		if base == "" {
			base = ShipStationBaseURL
		}
	}
	if base == "" {
		base = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:             "shipengine",
		BaseURL:          base,
		Auth:             cfg.Auth,
		DecodeError:      decodeError,
		RateFeedback:     rateFeedback,
		RequestIDHeaders: []string{"X-Shipengine-Requestid", "X-Request-Id"},
		Limit:            sharedLimit,
	}, opts...)
	if err != nil {
		return nil, err
	}
	cl := &Client{Client: c, prefix: prefix}
	quoted := &shipping.Quoted[shipping.Rate]{}
	carriers := &carrierIDs{ids: append([]string(nil), cfg.CarrierIDs...)}
	cl.Rates = &RatesService{c: c, prefix: prefix, quoted: quoted, carriers: carriers}
	cl.Labels = &LabelsService{c: c, prefix: prefix, quoted: quoted}
	cl.Tracking = &TrackingService{c: c, prefix: prefix}
	return cl, nil
}

// carrierIDs are the carrier accounts to rate, listed once when not given.
type carrierIDs struct {
	mu  sync.Mutex
	ids []string
}

func invalid(op, msg string) error {
	return &connector.APIError{Vendor: "shipengine", Op: op, Kind: connector.ErrInvalidResponse, Message: msg}
}

func notFound(op, msg string) error {
	return &connector.APIError{Vendor: "shipengine", Op: op, Kind: connector.ErrNotFound, Message: msg}
}

// isID reports whether s can be a platform id (se-123): ShipEngine's ids
// match ^se(-[a-z0-9]+)+$ and have at most 25 characters.
func isID(s string) bool {
	if len(s) < 4 || len(s) > 25 || !strings.HasPrefix(s, "se-") {
		return false
	}
	for _, part := range strings.Split(s[3:], "-") {
		if part == "" {
			return false
		}
		for _, r := range part {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}

var _ = http.MethodGet
