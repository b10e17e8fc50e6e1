package flowtest

import (
	"github.com/patchbay-go/patchbay/connector"
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
		e.Shippo = shippotest.NewServer()
		e.track("Shippo", vendor, e.Shippo)
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
		e.ShipEngine = shipenginetest.NewServer()
		e.track(title, vendor, e.ShipEngine)
		c, err := shipengine.New(shipengine.Config{BaseURL: e.ShipEngine.URL(), Auth: e.ShipEngine.Auth(), Platform: platform}, opts...)
		if err != nil {
			return err
		}
		sys.Rates, sys.Labels = c.Rates, c.Labels
	case "easypost":
		e.EasyPost = easyposttest.NewServer()
		e.track("EasyPost", vendor, e.EasyPost)
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
