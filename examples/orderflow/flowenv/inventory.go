package flowenv

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/patchbay-go/patchbay/connector"

	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/square"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
)

var shopifyEnv = vendorEnv{system: "inventory", name: "shopify", title: "Shopify",
	urlVar: "PATCHBAY_SHOPIFY_URL", credVar: "PATCHBAY_SHOPIFY_TOKEN", alsoSetBy: "PATCHBAY_SHOPIFY_SHOP",
	credWhat: "Shopify needs an Admin API access token (shpat_...)",
	configure: func(ctx context.Context, s *flow.Systems, c setup) error {
		sh, err := shopifyClient(c)
		if err != nil {
			return err
		}
		loc := ""
		if c.stock { // only the shop that holds the stock needs a location
			loc, err = firstLocation(ctx, sh)
		}
		if err != nil {
			return &ConfigError{"PATCHBAY_SHOPIFY_TOKEN", "could not list the shop's locations: " + err.Error()}
		}
		setPlatform(s, c, "shopify", sh.Items, sh.Stock, loc, sh.Fulfilments)
		return nil
	}}

// setPlatform sets a platform's systems: its stock where it holds it
// (c.stock), and its fulfilments, for the orders placed on it.
func setPlatform(s *flow.Systems, c setup, name string, items inventory.Items, stock inventory.Stock, loc string, ful inventory.Fulfilments) {
	if c.stock {
		s.Items, s.Stock, s.LocationID, s.Inventory = items, stock, loc, name
	}
	if s.Shops == nil {
		s.Shops = map[string]inventory.Fulfilments{}
	}
	s.Shops[name] = ful
}

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

var squareEnv = vendorEnv{system: "inventory", name: "square", title: "Square",
	urlVar: "PATCHBAY_SQUARE_URL", credVar: "PATCHBAY_SQUARE_TOKEN",
	credWhat: "Square needs the seller's access token (a personal access token, EAAA...)",
	configure: func(ctx context.Context, s *flow.Systems, c setup) error {
		sq, err := squareClient(c)
		if err != nil {
			return err
		}
		loc := Lookup("PATCHBAY_SQUARE_LOCATION_ID")
		if loc == "" && c.stock {
			if loc, err = activeLocation(ctx, sq.Locations); err != nil {
				return &ConfigError{"PATCHBAY_SQUARE_TOKEN", "could not list the seller's locations: " + err.Error()}
			}
		}
		setPlatform(s, c, "square", sq.Items, sq.Stock, loc, sq.Fulfilments)
		return nil
	}}

func squareClient(c setup) (*square.Client, error) {
	cfg := square.Config{BaseURL: c.base, Auth: square.AccessToken(c.cred)}
	if loc := Lookup("PATCHBAY_SQUARE_LOCATION_ID"); loc != "" {
		// The orders searched are that location's, as its stock is.
		cfg.LocationIDs = []string{loc}
	}
	sq, err := square.New(cfg, c.opts...)
	if err != nil {
		return nil, &ConfigError{"PATCHBAY_SQUARE_URL", err.Error()}
	}
	return sq, nil
}

// WooCommerce has one stock number per product, at its one synthetic
// location (woocommerce.LocationID).
var woocommerceEnv = vendorEnv{system: "inventory", name: "woocommerce", title: "WooCommerce",
	urlVar: "PATCHBAY_WOOCOMMERCE_URL", credVar: "PATCHBAY_WOOCOMMERCE_KEY",
	credWhat:    "WooCommerce needs a REST API key (ck_...), with PATCHBAY_WOOCOMMERCE_SECRET (cs_...)",
	credentials: "PATCHBAY_WOOCOMMERCE_KEY and PATCHBAY_WOOCOMMERCE_SECRET",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		wc, err := woocommerceClient(c)
		if err != nil {
			return err
		}
		setPlatform(s, c, "woocommerce", wc.Items, wc.Stock, woocommerce.LocationID, wc.Fulfilments)
		return nil
	}}

func woocommerceClient(c setup) (*woocommerce.Client, error) {
	if err := need(c.base, "PATCHBAY_WOOCOMMERCE_URL", "the shop's site URL, https://shop.example.com (every shop has its own)"); err != nil {
		return nil, err
	}
	secret := strings.TrimSpace(Lookup("PATCHBAY_WOOCOMMERCE_SECRET"))
	if err := need(secret, "PATCHBAY_WOOCOMMERCE_SECRET", "the REST API key's consumer secret (cs_...)"); err != nil {
		return nil, err
	}
	wc, err := woocommerce.New(woocommerce.Config{BaseURL: c.base, Auth: woocommerce.ConsumerKey(c.cred, secret)}, c.opts...)
	if err != nil {
		return nil, &ConfigError{"PATCHBAY_WOOCOMMERCE_URL", err.Error()}
	}
	return wc, nil
}

// SourceOrders returns the orders of the platform source ("shopify",
// "square", "woocommerce") on the account its PATCHBAY_* variables name,
// or nil when they name none: the poll that finds the orders whose
// webhook never came, and Square's webhooks, which carry only an id.
func SourceOrders(source string, hc *http.Client, opts []connector.Option) (inventory.Orders, error) {
	if source == "shopify" {
		sh, err := Shop(hc, opts)
		if sh == nil || err != nil {
			return nil, err
		}
		return sh.Orders, nil
	}
	var ve vendorEnv
	switch source {
	case "square":
		ve = squareEnv
	case "woocommerce":
		ve = woocommerceEnv
	default:
		return nil, fmt.Errorf("no order source %q", source)
	}
	base, cred, set := vendorVars(ve.urlVar, ve.credVar)
	if !set {
		return nil, nil
	}
	if err := need(cred, ve.credVar, ve.credWhat); err != nil {
		return nil, err
	}
	if base != "" {
		if err := checkURL(ve.urlVar, base); err != nil {
			return nil, err
		}
	}
	if hc != nil {
		opts = append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)
	}
	c := setup{base: base, cred: cred, hc: hc, opts: opts}
	if source == "square" {
		sq, err := squareClient(c)
		if err != nil {
			return nil, err
		}
		return sq.Orders, nil
	}
	wc, err := woocommerceClient(c)
	if err != nil {
		return nil, err
	}
	return wc.Orders, nil
}

// activeLocation is the first location of a Square seller that is
// active.
func activeLocation(ctx context.Context, locs inventory.Locations) (string, error) {
	for loc, err := range locs.List(ctx) {
		if err != nil {
			return "", err
		}
		if loc.Active {
			return loc.ID, nil
		}
	}
	return "", fmt.Errorf("the seller has no active location")
}
