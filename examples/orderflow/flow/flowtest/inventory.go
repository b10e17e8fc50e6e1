package flowtest

import (
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// startShop starts the Shopify sandbox, stocked with the Catalogue, and
// sets the flow's inventory on it.
func (e *Env) startShop(sys *flow.Systems, opts []connector.Option) error {
	token := "shpat_" + connectortest.RandomHex(16)
	e.Shopify = shopifytest.NewServer(shopifytest.WithAccessToken(token))
	e.track("Shopify", "shopify", e.Shopify)
	e.share("PATCHBAY_SHOPIFY_URL", e.Shopify.URL(), "PATCHBAY_SHOPIFY_TOKEN", token, "PATCHBAY_SHOPIFY_LOCATION_ID", e.Shopify.LocationID())
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
