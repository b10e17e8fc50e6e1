package flowenv

import (
	"context"
	"strings"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shippo"
)

var shippoEnv = vendorEnv{system: "shipping", name: "shippo", title: "Shippo",
	urlVar: "PATCHBAY_SHIPPO_URL", credVar: "PATCHBAY_SHIPPO_TOKEN", credWhat: "Shippo needs an API token (shippo_test_... or shippo_live_...)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		sp, err := shippo.New(shippo.Config{BaseURL: c.base, Auth: shippo.APIToken(c.cred), Live: strings.HasPrefix(c.cred, "shippo_live_")}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_SHIPPO_TOKEN", err.Error()}
		}
		s.Rates, s.Labels = sp.Rates, sp.Labels
		return nil
	}}

var shipengineEnv = vendorEnv{system: "shipping", name: "shipengine", title: "ShipEngine",
	urlVar: "PATCHBAY_SHIPENGINE_URL", credVar: "PATCHBAY_SHIPENGINE_API_KEY", credWhat: "ShipEngine needs an API key (TEST_... or a production key)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		return configureShipEngine(s, c, shipengine.ShipEngine, "PATCHBAY_SHIPENGINE")
	}}

// ShipStation API v2 is the ShipEngine platform under another host.
var shipstationEnv = vendorEnv{system: "shipping", name: "shipstation", title: "ShipStation",
	urlVar: "PATCHBAY_SHIPSTATION_URL", credVar: "PATCHBAY_SHIPSTATION_API_KEY", credWhat: "ShipStation API v2 needs an API key (Settings, API Settings)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		return configureShipEngine(s, c, shipengine.ShipStation, "PATCHBAY_SHIPSTATION")
	}}

func configureShipEngine(s *flow.Systems, c setup, platform shipengine.Platform, prefix string) error {
	var carriers []string
	for _, id := range strings.Split(Lookup(prefix+"_CARRIER_IDS"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			carriers = append(carriers, id)
		}
	}
	se, err := shipengine.New(shipengine.Config{BaseURL: c.base, Auth: shipengine.APIKey(c.cred), CarrierIDs: carriers, Platform: platform}, c.opts...)
	if err != nil {
		return &ConfigError{prefix + "_API_KEY", err.Error()}
	}
	s.Rates, s.Labels = se.Rates, se.Labels
	return nil
}

var easypostEnv = vendorEnv{system: "shipping", name: "easypost", title: "EasyPost",
	urlVar: "PATCHBAY_EASYPOST_URL", credVar: "PATCHBAY_EASYPOST_API_KEY", credWhat: "EasyPost needs an API key (EZTK... for test mode)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		ep, err := easypost.New(easypost.Config{BaseURL: c.base, Auth: easypost.APIKey(c.cred)}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_EASYPOST_API_KEY", err.Error()}
		}
		s.Rates, s.Labels = ep.Rates, ep.Labels
		return nil
	}}
