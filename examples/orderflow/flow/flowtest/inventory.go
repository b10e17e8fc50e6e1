package flowtest

import (
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// startShop starts the Shopify sandbox, stocked with the Catalogue, and
// sets the flow's inventory on it.
func (e *Env) startShop(sys *flow.Systems, opts []connector.Option) error {
	e.Shopify = shopifytest.NewServer()
	e.track("Shopify", "shopify", e.Shopify)
	for _, p := range Catalogue {
		e.Shopify.AddProduct(p.Title, p.SKU, p.Stock)
	}
	sh, err := shopify.New(shopify.Config{BaseURL: e.Shopify.URL(), Auth: e.Shopify.Auth()}, opts...)
	if err != nil {
		return err
	}
	sys.Items, sys.Stock, sys.LocationID = sh.Items, sh.Stock, e.Shopify.LocationID()
	return nil
}
