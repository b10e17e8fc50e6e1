package flowenv

import (
	"context"
	"fmt"
	"net/http"

	"github.com/patchbay-go/patchbay/connector"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

var shopifyEnv = vendorEnv{system: "inventory", name: "shopify", title: "Shopify",
	urlVar: "PATCHBAY_SHOPIFY_URL", credVar: "PATCHBAY_SHOPIFY_TOKEN", alsoSetBy: "PATCHBAY_SHOPIFY_SHOP",
	credWhat: "Shopify needs an Admin API access token (shpat_...)",
	configure: func(ctx context.Context, s *flow.Systems, c setup) error {
		sh, err := shopifyClient(c)
		if err != nil {
			return err
		}
		loc, err := firstLocation(ctx, sh)
		if err != nil {
			return &ConfigError{"PATCHBAY_SHOPIFY_TOKEN", "could not list the shop's locations: " + err.Error()}
		}
		s.Items, s.Stock, s.LocationID, s.Inventory = sh.Items, sh.Stock, loc, "shopify"
		if s.Shops == nil {
			s.Shops = map[string]inventory.Fulfilments{}
		}
		s.Shops["shopify"] = sh.Fulfilments
		return nil
	}}

func shopifyClient(c setup) (*shopify.Client, error) {
	shop := orDefault(c.base, Lookup("PATCHBAY_SHOPIFY_SHOP"))
	if err := need(shop, "PATCHBAY_SHOPIFY_SHOP", "name the shop, example.myshopify.com (or a server with PATCHBAY_SHOPIFY_URL)"); err != nil {
		return nil, err
	}
	sh, err := shopify.New(shopify.Config{BaseURL: shop, Auth: shopify.AccessToken(c.cred)}, c.opts...)
	if err != nil {
		return nil, &ConfigError{"PATCHBAY_SHOPIFY_SHOP", err.Error()}
	}
	return sh, nil
}

// Shop returns a client of the shop the PATCHBAY_SHOPIFY_* variables name,
// or nil when they name none: the source of the website's orders, for a
// poll that finds those whose webhook never came.
func Shop(hc *http.Client, opts []connector.Option) (*shopify.Client, error) {
	base, cred, set := vendorVars(shopifyEnv.urlVar, shopifyEnv.credVar)
	if !set && Lookup(shopifyEnv.alsoSetBy) == "" {
		return nil, nil
	}
	if err := need(cred, shopifyEnv.credVar, shopifyEnv.credWhat); err != nil {
		return nil, err
	}
	if hc != nil {
		opts = append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)
	}
	return shopifyClient(setup{base: base, cred: cred, hc: hc, opts: opts})
}

func firstLocation(ctx context.Context, sh *shopify.Client) (string, error) {
	if v := Lookup("PATCHBAY_SHOPIFY_LOCATION_ID"); v != "" {
		return v, nil
	}
	for loc, err := range sh.Locations.List(ctx) {
		if err != nil {
			return "", err
		}
		if loc.Active {
			return loc.ID, nil
		}
	}
	return "", fmt.Errorf("the shop has no active location")
}
