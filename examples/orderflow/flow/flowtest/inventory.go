package flowtest

import (
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// startShop starts the Shopify sandbox, stocked with the Catalogue, and
// sets the flow's inventory on it.
func (e *Env) startShop(sys *flow.Systems, opts []connector.Option) error {
	token := "shpat_" + connectortest.RandomHex(16)
	e.Shopify = shopifytest.NewServer(shopifytest.WithAccessToken(token))
	e.track("Shopify", "shopify", e.Shopify)
	e.share("PATCHBAY_SHOPIFY_URL", e.Shopify.URL(), "PATCHBAY_SHOPIFY_TOKEN", token, "PATCHBAY_SHOPIFY_LOCATION_ID", e.Shopify.LocationID(),
		"PATCHBAY_SHOPIFY_WEBHOOK_SECRET", e.Shopify.WebhookSecret())
	for _, p := range Catalogue {
		e.Shopify.AddProduct(p.Title, p.SKU, p.Stock)
	}
	sh, err := shopify.New(shopify.Config{BaseURL: e.Shopify.URL(), Auth: e.Shopify.Auth()}, opts...)
	if err != nil {
		return err
	}
	sys.Items, sys.Stock, sys.LocationID, sys.Inventory = sh.Items, sh.Stock, e.Shopify.LocationID(), "shopify"
	if sys.Shops == nil {
		sys.Shops = map[string]inventory.Fulfilments{}
	}
	sys.Shops["shopify"] = sh.Fulfilments
	e.shop = sh
	return nil
}

// Shop is a client of the sandbox shop, or nil when the shop is real.
func (e *Env) Shop() *shopify.Client { return e.shop }

// ShopifyOrder is o as the sandbox shop places it (shopifytest.PlaceOrder),
// so that its orders/create webhook maps back to o.
func ShopifyOrder(o flow.Order) shopifytest.NewOrder {
	n := shopifytest.NewOrder{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName,
		Currency: o.Currency, Express: o.ServiceLevel == "express",
		Address: shopifytest.OrderAddress{Street: o.ShipTo.Street1, City: o.ShipTo.City, Region: o.ShipTo.Region,
			PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, shopifytest.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.String()})
	}
	return n
}
