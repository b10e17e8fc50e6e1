// Package flowenv builds the order flow's vendor clients for real accounts
// (or any server that speaks the vendor's API) from PATCHBAY_* environment
// variables, through the same connector code the sandboxes are used with.
// It imports no test package and starts no sandbox: the example program
// and the Temporal worker start sandboxes only for the systems it left
// empty.
package flowenv

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm/hubspot"
	"github.com/patchbay-go/patchbay/crm/pipedrive"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/shipping/easypost"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shippo"
)

// ConfigError names the environment variable that is wrong and says how
// to fix it.
type ConfigError struct{ Variable, Problem string }

func (e *ConfigError) Error() string { return e.Variable + ": " + e.Problem }

// Lookup reads a variable; tests replace it. It is os.Getenv.
var Lookup = os.Getenv

// Vendors names the vendor of each system; an empty name is the default
// (HubSpot, Shopify, Xero, Shippo).
type Vendors struct {
	CRM, Inventory, Accounting, Shipping string
}

// WithDefaults fills the empty names.
func (v Vendors) WithDefaults() Vendors {
	if v.CRM == "" {
		v.CRM = "hubspot"
	}
	if v.Inventory == "" {
		v.Inventory = "shopify"
	}
	if v.Accounting == "" {
		v.Accounting = "xero"
	}
	if v.Shipping == "" {
		v.Shipping = "shippo"
	}
	return v
}

// Configure sets in s the systems of every vendor whose PATCHBAY_*
// variables are set, with clients on the server they name, and returns the
// vendors it set; the other systems of s are left as they are. Only the
// variables of the vendors v names are read; another vendor's, for a
// system v gives to someone else, is a *ConfigError rather than ignored.
// hc (nil for the shared pool) and opts go to every client. A bad or
// missing value is a *ConfigError naming the variable.
//
//	PATCHBAY_HUBSPOT_URL, PATCHBAY_HUBSPOT_TOKEN
//	PATCHBAY_PIPEDRIVE_URL, PATCHBAY_PIPEDRIVE_API_TOKEN
//	PATCHBAY_SHOPIFY_URL or PATCHBAY_SHOPIFY_SHOP, PATCHBAY_SHOPIFY_TOKEN, PATCHBAY_SHOPIFY_LOCATION_ID
//	PATCHBAY_XERO_URL, PATCHBAY_XERO_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN, _TENANT_ID, _ACCOUNT_CODE, _TAX_TYPE,
//	  _TOKEN_URL (the token endpoint), _IDENTITY_URL (the host of /Connections; default PATCHBAY_XERO_URL's host)
//	PATCHBAY_STRIPE_URL, PATCHBAY_STRIPE_KEY, PATCHBAY_STRIPE_TAX_RATE
//	PATCHBAY_SHIPPO_URL, PATCHBAY_SHIPPO_TOKEN
//	PATCHBAY_SHIPENGINE_URL, PATCHBAY_SHIPENGINE_API_KEY, PATCHBAY_SHIPENGINE_CARRIER_IDS (comma-separated)
//	PATCHBAY_EASYPOST_URL, PATCHBAY_EASYPOST_API_KEY
//	PATCHBAY_SMTP_URL
func Configure(ctx context.Context, s *flow.Systems, v Vendors, hc *http.Client, opts []connector.Option) ([]string, error) {
	v = v.WithDefaults()
	accounting := v.Accounting
	if hc != nil {
		opts = append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)
	}
	var moved []string

	if base, token, set := vendorVars("PATCHBAY_HUBSPOT_URL", "PATCHBAY_HUBSPOT_TOKEN"); set {
		if err := need(token, "PATCHBAY_HUBSPOT_TOKEN", "HubSpot needs a private app's access token (pat-...)"); err != nil {
			return nil, err
		}
		if err := checkURL("PATCHBAY_HUBSPOT_URL", base); err != nil {
			return nil, err
		}
		hs, err := hubspot.New(hubspot.Config{BaseURL: base, Auth: connector.Bearer(token)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_HUBSPOT_TOKEN", err.Error()}
		}
		s.Contacts, s.Deals, s.Notes = hs.Contacts, hs.Deals, hs.Notes
		moved = append(moved, "HubSpot")
	}
	if base, token, set := vendorVars("PATCHBAY_PIPEDRIVE_URL", "PATCHBAY_PIPEDRIVE_API_TOKEN"); set {
		if err := need(token, "PATCHBAY_PIPEDRIVE_API_TOKEN", "Pipedrive needs a personal API token"); err != nil {
			return nil, err
		}
		if base != "" {
			if err := checkURL("PATCHBAY_PIPEDRIVE_URL", base); err != nil {
				return nil, err
			}
		}
		pd, err := pipedrive.New(pipedrive.Config{BaseURL: base, Auth: pipedrive.APIToken(token)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_PIPEDRIVE_API_TOKEN", err.Error()}
		}
		s.Contacts, s.Deals, s.Notes = pd.Contacts, pd.Deals, pd.Notes
		moved = append(moved, "Pipedrive")
	}

	if base, token, set := vendorVars("PATCHBAY_SHOPIFY_URL", "PATCHBAY_SHOPIFY_TOKEN"); set || Lookup("PATCHBAY_SHOPIFY_SHOP") != "" {
		shop := Lookup("PATCHBAY_SHOPIFY_SHOP")
		if base != "" {
			if err := checkURL("PATCHBAY_SHOPIFY_URL", base); err != nil {
				return nil, err
			}
			shop = base
		}
		if err := need(shop, "PATCHBAY_SHOPIFY_SHOP", "name the shop, example.myshopify.com (or a server with PATCHBAY_SHOPIFY_URL)"); err != nil {
			return nil, err
		}
		if err := need(token, "PATCHBAY_SHOPIFY_TOKEN", "Shopify needs an Admin API access token (shpat_...)"); err != nil {
			return nil, err
		}
		sh, err := shopify.New(shopify.Config{BaseURL: shop, Auth: shopify.AccessToken(token)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_SHOPIFY_SHOP", err.Error()}
		}
		loc, err := firstLocation(ctx, sh)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_SHOPIFY_TOKEN", "could not list the shop's locations: " + err.Error()}
		}
		s.Items, s.Stock, s.LocationID = sh.Items, sh.Stock, loc
		moved = append(moved, "Shopify")
	}

	// Another vendor's variables, for a system given to someone else,
	// would be silently ignored: say so instead.
	for _, o := range []struct{ system, flag, chosen, vendor, urlVar, credVar string }{
		{"CRM", "-crm", v.CRM, "hubspot", "PATCHBAY_HUBSPOT_URL", "PATCHBAY_HUBSPOT_TOKEN"},
		{"CRM", "-crm", v.CRM, "pipedrive", "PATCHBAY_PIPEDRIVE_URL", "PATCHBAY_PIPEDRIVE_API_TOKEN"},
		{"accounting", "-accounting", accounting, "stripe", "PATCHBAY_STRIPE_URL", "PATCHBAY_STRIPE_KEY"},
		{"accounting", "-accounting", accounting, "xero", "PATCHBAY_XERO_URL", "PATCHBAY_XERO_CLIENT_ID"},
		{"shipping", "-shipping", v.Shipping, "shippo", "PATCHBAY_SHIPPO_URL", "PATCHBAY_SHIPPO_TOKEN"},
		{"shipping", "-shipping", v.Shipping, "shipengine", "PATCHBAY_SHIPENGINE_URL", "PATCHBAY_SHIPENGINE_API_KEY"},
		{"shipping", "-shipping", v.Shipping, "easypost", "PATCHBAY_EASYPOST_URL", "PATCHBAY_EASYPOST_API_KEY"},
	} {
		if _, _, set := vendorVars(o.urlVar, o.credVar); set && o.chosen != o.vendor {
			return nil, &ConfigError{o.credVar, fmt.Sprintf("set, but the %s system is %s: choose %s (%s %s) or unset it",
				o.system, o.chosen, o.vendor, o.flag, o.vendor)}
		}
	}

	if base, key, set := vendorVars("PATCHBAY_STRIPE_URL", "PATCHBAY_STRIPE_KEY"); set && accounting == "stripe" {
		if err := need(key, "PATCHBAY_STRIPE_KEY", "Stripe needs a secret key (sk_test_... or rk_test_...)"); err != nil {
			return nil, err
		}
		if base != "" {
			if err := checkURL("PATCHBAY_STRIPE_URL", base); err != nil {
				return nil, err
			}
		}
		st, err := stripe.New(stripe.Config{BaseURL: base, Auth: connector.Bearer(key)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_STRIPE_KEY", err.Error()}
		}
		s.Customers, s.Invoices, s.AccountCode, s.TaxCode = st.Customers, st.Invoices, "", Lookup("PATCHBAY_STRIPE_TAX_RATE")
		moved = append(moved, "Stripe")
	}

	if base, id, set := vendorVars("PATCHBAY_XERO_URL", "PATCHBAY_XERO_CLIENT_ID"); set && accounting == "xero" {
		secret, refresh := Lookup("PATCHBAY_XERO_CLIENT_SECRET"), Lookup("PATCHBAY_XERO_REFRESH_TOKEN")
		for _, v := range [][3]string{{id, "PATCHBAY_XERO_CLIENT_ID", "the Xero app's client id"},
			{secret, "PATCHBAY_XERO_CLIENT_SECRET", "the Xero app's client secret"},
			{refresh, "PATCHBAY_XERO_REFRESH_TOKEN", "a refresh token from connecting the organisation (scope offline_access)"}} {
			if err := need(v[0], v[1], v[2]); err != nil {
				return nil, err
			}
		}
		if base != "" {
			if err := checkURL("PATCHBAY_XERO_URL", base); err != nil {
				return nil, err
			}
		}
		// Xero rotates refresh tokens: the new one is kept in a file (named
		// after the app and the token given), or the next run would present
		// a spent token.
		store := oauth.NewFileStore(filepath.Join(os.TempDir(), "patchbay-xero-token-"+connector.DeriveKey(id, refresh)[3:15]+".json"))
		if tok, _, err := store.Load(ctx); err != nil || tok == nil {
			if _, err := store.Save(ctx, &oauth2.Token{RefreshToken: refresh}, 0); err != nil {
				return nil, &ConfigError{"PATCHBAY_XERO_REFRESH_TOKEN", "could not keep it: " + err.Error()}
			}
		}
		// Every URL the client calls can be moved: the token endpoint, and
		// the host of /Connections (by default the API's own host, as at
		// Xero).
		tokenURL := orDefault(Lookup("PATCHBAY_XERO_TOKEN_URL"), xeroTokenURL)
		if err := checkURL("PATCHBAY_XERO_TOKEN_URL", tokenURL); err != nil {
			return nil, err
		}
		identity := Lookup("PATCHBAY_XERO_IDENTITY_URL")
		if identity == "" && base != "" {
			u, _ := url.Parse(base)
			identity = u.Scheme + "://" + u.Host
		}
		if identity != "" {
			if err := checkURL("PATCHBAY_XERO_IDENTITY_URL", identity); err != nil {
				return nil, err
			}
		}
		cfg := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: oauth2.Endpoint{
			TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
		src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: store, HTTPClient: hc})
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_XERO_CLIENT_ID", err.Error()}
		}
		tenant := Lookup("PATCHBAY_XERO_TENANT_ID")
		if tenant == "" {
			tenants, err := xero.Connections(ctx, connector.OAuth2(src), identity, opts...)
			if err != nil || len(tenants) == 0 {
				return nil, &ConfigError{"PATCHBAY_XERO_TENANT_ID", fmt.Sprintf("not set, and no connected organisation was found (%v)", err)}
			}
			tenant = tenants[0].TenantID
		}
		xr, err := xero.New(xero.Config{BaseURL: base, TenantID: tenant, Auth: connector.OAuth2(src)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_XERO_TENANT_ID", err.Error()}
		}
		s.Customers, s.Invoices = xr.Customers, xr.Invoices
		if v := Lookup("PATCHBAY_XERO_ACCOUNT_CODE"); v != "" {
			s.AccountCode = v
		}
		if v := Lookup("PATCHBAY_XERO_TAX_TYPE"); v != "" {
			s.TaxCode = v
		}
		moved = append(moved, "Xero")
	}

	if base, token, set := vendorVars("PATCHBAY_SHIPPO_URL", "PATCHBAY_SHIPPO_TOKEN"); set {
		if err := need(token, "PATCHBAY_SHIPPO_TOKEN", "Shippo needs an API token (shippo_test_... or shippo_live_...)"); err != nil {
			return nil, err
		}
		if base != "" {
			if err := checkURL("PATCHBAY_SHIPPO_URL", base); err != nil {
				return nil, err
			}
		}
		sp, err := shippo.New(shippo.Config{BaseURL: base, Auth: shippo.APIToken(token)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_SHIPPO_TOKEN", err.Error()}
		}
		s.Rates, s.Labels = sp.Rates, sp.Labels
		moved = append(moved, "Shippo")
	}

	if base, key, set := vendorVars("PATCHBAY_SHIPENGINE_URL", "PATCHBAY_SHIPENGINE_API_KEY"); set {
		if err := need(key, "PATCHBAY_SHIPENGINE_API_KEY", "ShipEngine needs an API key (TEST_... or a production key)"); err != nil {
			return nil, err
		}
		if base != "" {
			if err := checkURL("PATCHBAY_SHIPENGINE_URL", base); err != nil {
				return nil, err
			}
		}
		var carriers []string
		for _, id := range strings.Split(Lookup("PATCHBAY_SHIPENGINE_CARRIER_IDS"), ",") {
			if id = strings.TrimSpace(id); id != "" {
				carriers = append(carriers, id)
			}
		}
		se, err := shipengine.New(shipengine.Config{BaseURL: base, Auth: shipengine.APIKey(key), CarrierIDs: carriers}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_SHIPENGINE_API_KEY", err.Error()}
		}
		s.Rates, s.Labels = se.Rates, se.Labels
		moved = append(moved, "ShipEngine")
	}

	if base, key, set := vendorVars("PATCHBAY_EASYPOST_URL", "PATCHBAY_EASYPOST_API_KEY"); set {
		if err := need(key, "PATCHBAY_EASYPOST_API_KEY", "EasyPost needs an API key (EZTK... for test mode)"); err != nil {
			return nil, err
		}
		if base != "" {
			if err := checkURL("PATCHBAY_EASYPOST_URL", base); err != nil {
				return nil, err
			}
		}
		ep, err := easypost.New(easypost.Config{BaseURL: base, Auth: easypost.APIKey(key)}, opts...)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_EASYPOST_API_KEY", err.Error()}
		}
		s.Rates, s.Labels = ep.Rates, ep.Labels
		moved = append(moved, "EasyPost")
	}

	if raw := Lookup("PATCHBAY_SMTP_URL"); raw != "" {
		m, err := flow.NewSMTPMailer(raw)
		if err != nil {
			return nil, &ConfigError{"PATCHBAY_SMTP_URL", strings.TrimPrefix(err.Error(), "orderflow: ")}
		}
		s.Mail = m
		moved = append(moved, "SMTP")
	}
	return moved, nil
}

// xeroTokenURL is Xero's token endpoint.
// https://developer.xero.com/documentation/guides/oauth2/auth-flow
const xeroTokenURL = "https://identity.xero.com/connect/token"

func orDefault(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}

// vendorVars reads a vendor's URL and credential variables; set says
// whether either is given.
func vendorVars(urlVar, credVar string) (base, cred string, set bool) {
	base, cred = strings.TrimSpace(Lookup(urlVar)), strings.TrimSpace(Lookup(credVar))
	return base, cred, base != "" || cred != ""
}

func need(value, variable, what string) error {
	if strings.TrimSpace(value) == "" {
		return &ConfigError{variable, "missing: " + what}
	}
	return nil
}

func checkURL(variable, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ConfigError{variable, fmt.Sprintf("%q is not an http(s) URL with a host", raw)}
	}
	return nil
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

// CredentialVariable names the variable that holds a vendor's credential
// ("hubspot": PATCHBAY_HUBSPOT_TOKEN), for a message that says what to fix
// when the vendor refuses it.
func CredentialVariable(vendor string) string {
	switch vendor {
	case "hubspot":
		return "PATCHBAY_HUBSPOT_TOKEN"
	case "shopify":
		return "PATCHBAY_SHOPIFY_TOKEN"
	case "xero":
		return "PATCHBAY_XERO_CLIENT_ID, PATCHBAY_XERO_CLIENT_SECRET and PATCHBAY_XERO_REFRESH_TOKEN"
	case "stripe":
		return "PATCHBAY_STRIPE_KEY"
	case "shippo":
		return "PATCHBAY_SHIPPO_TOKEN"
	case "pipedrive":
		return "PATCHBAY_PIPEDRIVE_API_TOKEN"
	case "shipengine":
		return "PATCHBAY_SHIPENGINE_API_KEY"
	case "easypost":
		return "PATCHBAY_EASYPOST_API_KEY"
	}
	return "the PATCHBAY_* variables of " + vendor
}
