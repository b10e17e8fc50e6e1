// Package shippo is the Shippo shipping connector: rates (shipments), label
// purchase (transactions), voids (refunds) and tracking through Shippo's
// REST API (https://docs.goshippo.com/shippoapi/public-api/), as the
// shipping interfaces.
//
// Shippo has no idempotency header, so Buy makes purchases idempotent
// itself: the caller's key goes into the transaction's metadata, and
// before buying, and after any answer that was lost, the rate's
// transactions are listed and one carrying the key is returned instead of
// buying again. See Buy.
//
// Its sandbox is shippotest; shippingtest.Run holds it to the contract.
package shippo

import (
	"errors"
	"net/http"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// DefaultBaseURL is Shippo's API host.
const DefaultBaseURL = "https://api.goshippo.com"

// APIVersion is the Shippo API version the connector speaks: the one of the
// published spec it is checked against.
const APIVersion = "2018-02-08"

// Config holds what is particular to a Shippo account.
type Config struct {
	// Token is a live or test API token (shippo_live_..., shippo_test_...).
	Token string
	// BaseURL defaults to DefaultBaseURL; a shippotest sandbox's URL in tests.
	BaseURL string
}

// Client is a Shippo account.
type Client struct {
	*connector.Client
	Rates    *RatesService
	Labels   *LabelsService
	Tracking *TrackingService
}

var (
	_ shipping.Rates       = (*RatesService)(nil)
	_ shipping.Labels      = (*LabelsService)(nil)
	_ shipping.Tracking    = (*TrackingService)(nil)
	_ shipping.LabelFinder = (*LabelsService)(nil)
)

// New builds a client. opts are the connector's.
func New(cfg Config, opts ...connector.Option) (*Client, error) {
	if cfg.Token == "" {
		return nil, errors.New("shippo: Config.Token is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	c, err := connector.New(connector.Vendor{
		Name:        "shippo",
		BaseURL:     cfg.BaseURL,
		Auth:        connector.TokenScheme("ShippoToken", cfg.Token),
		Header:      http.Header{"Shippo-API-Version": {APIVersion}},
		DecodeError: decodeError,
	}, opts...)
	if err != nil {
		return nil, err
	}
	quoted := &quotedRates{}
	return &Client{Client: c, Rates: &RatesService{c: c, quoted: quoted}, Labels: &LabelsService{c: c, quoted: quoted}, Tracking: &TrackingService{c: c}}, nil
}
