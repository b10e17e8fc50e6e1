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
	"slices"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
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
	// Sources name the platforms the website's orders are placed on
	// ("shopify", "square", "woocommerce"), any number; empty is
	// Inventory's. A source that is not the inventory is only told its
	// orders shipped: its own stock is its own.
	Sources []string
	// Tokens, if set, keeps the OAuth tokens of the vendors that rotate
	// refresh tokens (Xero, QuickBooks) under name in a shared store, such
	// as sqlstore.DB.TokenStore: processes on one database then share one
	// token and refresh it one at a time. Nil keeps them in a file in the
	// temporary directory, shared by the processes of one machine.
	Tokens func(name string) oauth.TokenStore
	// Budgets, if set, is a budget shared by the processes on one
	// database (sqlstore.DB.Budgets): the clients of the vendors Share
	// names ("all": every vendor) draw on it, so that together the
	// processes stay within each account's budget.
	Budgets connector.SharedBudget
	Share   []string
}

// Options returns opts, with the shared budget when v shares vendor's.
func (v Vendors) Options(vendor string, opts []connector.Option) []connector.Option {
	if v.Budgets == nil || !(slices.Contains(v.Share, vendor) || slices.Contains(v.Share, "all")) {
		return opts
	}
	return append(slices.Clip(opts), connector.WithSharedBudget(v.Budgets, "orderflow"))
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
	if len(v.Sources) == 0 {
		v.Sources = []string{v.Inventory}
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
//	PATCHBAY_SALESFORCE_URL (the instance URL), PATCHBAY_SALESFORCE_ACCESS_TOKEN, or _CLIENT_ID, _CLIENT_SECRET,
//	  _REFRESH_TOKEN and _LOGIN_URL; _EXTERNAL_ID_FIELD, _CURRENCY (a single-currency org's)
//	PATCHBAY_SHOPIFY_URL or PATCHBAY_SHOPIFY_SHOP, PATCHBAY_SHOPIFY_TOKEN, PATCHBAY_SHOPIFY_LOCATION_ID
//	PATCHBAY_SQUARE_URL, PATCHBAY_SQUARE_TOKEN, PATCHBAY_SQUARE_LOCATION_ID (PATCHBAY_SQUARE_WEBHOOK_KEY: the service's)
//	PATCHBAY_WOOCOMMERCE_URL (the shop's site), PATCHBAY_WOOCOMMERCE_KEY, PATCHBAY_WOOCOMMERCE_SECRET
//	  (PATCHBAY_WOOCOMMERCE_WEBHOOK_SECRET: the service's)
//
// An inventory platform's variables also serve as the source (-source)
// when v.Sources names it: then only its fulfilments are set.
//
//	PATCHBAY_XERO_URL, PATCHBAY_XERO_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN, _TENANT_ID, _ACCOUNT_CODE, _TAX_TYPE,
//	  _TOKEN_URL (the token endpoint), _IDENTITY_URL (the host of /Connections; default PATCHBAY_XERO_URL's host)
//	PATCHBAY_STRIPE_URL, PATCHBAY_STRIPE_KEY, PATCHBAY_STRIPE_TAX_RATE
//	PATCHBAY_QUICKBOOKS_URL, PATCHBAY_QUICKBOOKS_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN, _REALM_ID, _TOKEN_URL,
//	  _HOME_CURRENCY, _ACCOUNT_ID (income account of invoice lines), _TAX_CODE
//	PATCHBAY_SHIPPO_URL, PATCHBAY_SHIPPO_TOKEN
//	PATCHBAY_SHIPENGINE_URL, PATCHBAY_SHIPENGINE_API_KEY, PATCHBAY_SHIPENGINE_CARRIER_IDS (comma-separated)
//	PATCHBAY_SHIPSTATION_URL, PATCHBAY_SHIPSTATION_API_KEY, PATCHBAY_SHIPSTATION_CARRIER_IDS
//	PATCHBAY_EASYPOST_URL, PATCHBAY_EASYPOST_API_KEY
//	PATCHBAY_SMTP_URL
func Configure(ctx context.Context, s *flow.Systems, v Vendors, hc *http.Client, opts []connector.Option) ([]string, error) {
	v = v.WithDefaults()
	if hc != nil {
		opts = append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)
	}
	chosen := map[string]string{"CRM": v.CRM, "inventory": v.Inventory, "accounting": v.Accounting, "shipping": v.Shipping}
	var moved []string
	for _, ve := range vendorEnvs {
		base, cred, set := vendorVars(ve.urlVar, ve.credVar)
		if ve.alsoSetBy != "" && Lookup(ve.alsoSetBy) != "" {
			set = true
		}
		if !set {
			continue
		}
		// Another vendor's variables, for a system given to someone
		// else, would be silently ignored: say so instead.
		// A platform may be the inventory, the source, or both.
		if chosen[ve.system] != ve.name && !(ve.system == "inventory" && slices.Contains(v.Sources, ve.name)) {
			also := ""
			if ve.system == "inventory" {
				also = fmt.Sprintf(", or the source of orders, -source %s,", ve.name)
			}
			return nil, &ConfigError{ve.credVar, fmt.Sprintf("set, but the %s system is %s: choose %s (%s %s%s) or unset it",
				ve.system, chosen[ve.system], ve.name, ve.flag(), ve.name, also)}
		}
		if ve.credWhat != "" { // else the vendor takes one of several credentials, and checks itself
			if err := need(cred, ve.credVar, ve.credWhat); err != nil {
				return nil, err
			}
		}
		if base != "" {
			if err := checkURL(ve.urlVar, base); err != nil {
				return nil, err
			}
		}
		if err := ve.configure(ctx, s, setup{base: base, cred: cred, hc: hc, opts: v.Options(ve.name, opts), tokens: v.Tokens, stock: chosen[ve.system] == ve.name}); err != nil {
			return nil, err
		}
		moved = append(moved, ve.title)
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

// vendorEnv is how one vendor is moved to a real account from the
// environment.
type vendorEnv struct {
	system   string // "CRM", "inventory", "accounting", "shipping"
	name     string // the flag's value: "hubspot"
	title    string // for people: "HubSpot"
	urlVar   string // moves the client to another server
	credVar  string // the credential; set alone, the vendor's own server
	credWhat string // what the credential is, for a message when it is missing; "": configure checks

	alsoSetBy string // another variable that moves the vendor (Shopify's shop name)
	// credentials names every variable of the credential, for a message
	// when the vendor refuses it; credVar when empty.
	credentials string
	configure   func(ctx context.Context, s *flow.Systems, c setup) error
}

func (ve vendorEnv) flag() string {
	if ve.system == "CRM" {
		return "-crm"
	}
	return "-" + ve.system
}

// setup is what a vendor's configure gets: its URL and credential
// variables' values (the URL checked), and the clients' options.
type setup struct {
	base, cred string
	hc         *http.Client
	opts       []connector.Option
	tokens     func(name string) oauth.TokenStore // Vendors.Tokens
	// stock says an inventory platform holds the stock (Vendors.Inventory);
	// else it is only the source of orders, told that they shipped.
	stock bool
}

// vendorEnvs is every vendor the flow can move to a real account, in the
// order they are configured.
var vendorEnvs = []vendorEnv{
	hubspotEnv, pipedriveEnv, salesforceEnv,
	shopifyEnv, squareEnv, woocommerceEnv,
	stripeEnv, xeroEnv, quickbooksEnv,
	shippoEnv, shipengineEnv, shipstationEnv, easypostEnv,
}

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

// Known reports whether vendor is one Configure can set up ("xero").
func Known(vendor string) bool {
	return slices.ContainsFunc(vendorEnvs, func(ve vendorEnv) bool { return ve.name == vendor })
}

// CredentialVariable names the variable that holds a vendor's credential
// ("hubspot": PATCHBAY_HUBSPOT_TOKEN), for a message that says what to fix
// when the vendor refuses it.
func CredentialVariable(vendor string) string {
	for _, ve := range vendorEnvs {
		if ve.name == vendor {
			return orDefault(ve.credentials, ve.credVar)
		}
	}
	return "the PATCHBAY_* variables of " + vendor
}
