package flowenv

import (
	"context"
	"fmt"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

var shopifyEnv = vendorEnv{system: "inventory", name: "shopify", title: "Shopify",
	urlVar: "PATCHBAY_SHOPIFY_URL", credVar: "PATCHBAY_SHOPIFY_TOKEN", alsoSetBy: "PATCHBAY_SHOPIFY_SHOP",
	credWhat: "Shopify needs an Admin API access token (shpat_...)",
	configure: func(ctx context.Context, s *flow.Systems, c setup) error {
		shop := orDefault(c.base, Lookup("PATCHBAY_SHOPIFY_SHOP"))
		if err := need(shop, "PATCHBAY_SHOPIFY_SHOP", "name the shop, example.myshopify.com (or a server with PATCHBAY_SHOPIFY_URL)"); err != nil {
			return err
		}
		sh, err := shopify.New(shopify.Config{BaseURL: shop, Auth: shopify.AccessToken(c.cred)}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_SHOPIFY_SHOP", err.Error()}
		}
		loc, err := firstLocation(ctx, sh)
		if err != nil {
			return &ConfigError{"PATCHBAY_SHOPIFY_TOKEN", "could not list the shop's locations: " + err.Error()}
		}
		s.Items, s.Stock, s.LocationID = sh.Items, sh.Stock, loc
		return nil
	}}

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
