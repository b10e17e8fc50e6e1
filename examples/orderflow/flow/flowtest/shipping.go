package flowtest

import (
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/easypost/easyposttest"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippo"
	"github.com/patchbay-go/patchbay/shipping/shippo/shippotest"
)

// startCarrier starts the shipping sandbox of vendor and sets the flow's
// shipping on it.
func (e *Env) startCarrier(sys *flow.Systems, vendor string, opts []connector.Option) error {
	switch vendor {
	case "shippo":
		token := "shippo_test_" + connectortest.RandomHex(16)
		e.Shippo = shippotest.NewServer(shippotest.WithToken(token))
		e.track("Shippo", vendor, e.Shippo)
		e.share("PATCHBAY_SHIPPO_URL", e.Shippo.URL(), "PATCHBAY_SHIPPO_TOKEN", token)
		c, err := shippo.New(shippo.Config{BaseURL: e.Shippo.URL(), Auth: e.Shippo.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Rates, sys.Labels = c.Rates, c.Labels
	case "shipengine", "shipstation":
		// One sandbox serves the platform's two faces: ShipEngine under
		// /v1, ShipStation API v2 under /v2.
		platform, title := shipengine.ShipEngine, "ShipEngine"
		if vendor == "shipstation" {
			platform, title = shipengine.ShipStation, "ShipStation"
		}
		key := "TEST_" + connectortest.RandomHex(16)
		e.ShipEngine = shipenginetest.NewServer(shipenginetest.WithAPIKey(key))
		e.track(title, vendor, e.ShipEngine)
		prefix := "PATCHBAY_" + strings.ToUpper(vendor)
		e.share(prefix+"_URL", e.ShipEngine.URL(), prefix+"_API_KEY", key)
		c, err := shipengine.New(shipengine.Config{BaseURL: e.ShipEngine.URL(), Auth: e.ShipEngine.Auth(), Platform: platform}, opts...)
		if err != nil {
			return err
		}
		sys.Rates, sys.Labels = c.Rates, c.Labels
	case "easypost":
		key := "EZTK" + connectortest.RandomHex(16)
		e.EasyPost = easyposttest.NewServer(easyposttest.WithAPIKey(key))
		e.track("EasyPost", vendor, e.EasyPost)
		e.share("PATCHBAY_EASYPOST_URL", e.EasyPost.URL(), "PATCHBAY_EASYPOST_API_KEY", key)
		c, err := easypost.New(easypost.Config{BaseURL: e.EasyPost.URL(), Auth: e.EasyPost.Auth()}, opts...)
		if err != nil {
			return err
		}
		sys.Rates, sys.Labels = c.Rates, c.Labels
	default:
		return unknownVendor("shipping", vendor)
	}
	return nil
}

// Carrier is what the flow's tests ask of the shipping sandbox, whichever
// it is.
type Carrier interface {
	Purchases() int
	FailLabels(on bool)
}

// Carrier returns the shipping sandbox running, or nil for a real carrier.
func (e *Env) Carrier() Carrier {
	switch {
	case e.ShipEngine != nil:
		return e.ShipEngine
	case e.EasyPost != nil:
		return e.EasyPost
	case e.Shippo != nil:
		return e.Shippo
	}
	return nil
}
