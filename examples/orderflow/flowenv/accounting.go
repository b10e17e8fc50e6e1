package flowenv

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/oauth2"

	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

var stripeEnv = vendorEnv{system: "accounting", name: "stripe", title: "Stripe",
	urlVar: "PATCHBAY_STRIPE_URL", credVar: "PATCHBAY_STRIPE_KEY", credWhat: "Stripe needs a secret key (sk_test_... or rk_test_...)",
	configure: func(_ context.Context, s *flow.Systems, c setup) error {
		st, err := stripe.New(stripe.Config{BaseURL: c.base, Auth: connector.Bearer(c.cred),
			Live: strings.HasPrefix(c.cred, "sk_live_") || strings.HasPrefix(c.cred, "rk_live_")}, c.opts...)
		if err != nil {
			return &ConfigError{"PATCHBAY_STRIPE_KEY", err.Error()}
		}
		s.Customers, s.Invoices, s.AccountCode, s.TaxCode = st.Customers, st.Invoices, "", Lookup("PATCHBAY_STRIPE_TAX_RATE")
		return nil
	}}

var xeroEnv = vendorEnv{system: "accounting", name: "xero", title: "Xero",
	urlVar: "PATCHBAY_XERO_URL", credVar: "PATCHBAY_XERO_CLIENT_ID", credWhat: "the Xero app's client id",
	credentials: "PATCHBAY_XERO_CLIENT_ID, PATCHBAY_XERO_CLIENT_SECRET and PATCHBAY_XERO_REFRESH_TOKEN",
	configure:   configureXero}

// xeroTokenURL is Xero's token endpoint.
// https://developer.xero.com/documentation/guides/oauth2/auth-flow
const xeroTokenURL = "https://identity.xero.com/connect/token"

func configureXero(ctx context.Context, s *flow.Systems, c setup) error {
	id, secret, refresh := c.cred, Lookup("PATCHBAY_XERO_CLIENT_SECRET"), Lookup("PATCHBAY_XERO_REFRESH_TOKEN")
	for _, v := range [][3]string{{secret, "PATCHBAY_XERO_CLIENT_SECRET", "the Xero app's client secret"},
		{refresh, "PATCHBAY_XERO_REFRESH_TOKEN", "a refresh token from connecting the organisation (scope offline_access)"}} {
		if err := need(v[0], v[1], v[2]); err != nil {
			return err
		}
	}
	store, err := rotatingStore(ctx, c, "xero", id, refresh)
	if err != nil {
		return &ConfigError{"PATCHBAY_XERO_REFRESH_TOKEN", err.Error()}
	}
	// Every URL the client calls can be moved: the token endpoint, and the
	// host of /Connections (by default the API's own host, as at Xero).
	tokenURL := orDefault(Lookup("PATCHBAY_XERO_TOKEN_URL"), xeroTokenURL)
	if err := checkURL("PATCHBAY_XERO_TOKEN_URL", tokenURL); err != nil {
		return err
	}
	identity := Lookup("PATCHBAY_XERO_IDENTITY_URL")
	if identity == "" && c.base != "" {
		u, _ := url.Parse(c.base)
		identity = u.Scheme + "://" + u.Host
	}
	if identity != "" {
		if err := checkURL("PATCHBAY_XERO_IDENTITY_URL", identity); err != nil {
			return err
		}
	}
	cfg := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: oauth2.Endpoint{
		TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
	src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: store, HTTPClient: c.hc})
	if err != nil {
		return &ConfigError{"PATCHBAY_XERO_CLIENT_ID", err.Error()}
	}
	tenant := Lookup("PATCHBAY_XERO_TENANT_ID")
	if tenant == "" {
		tenants, err := xero.Connections(ctx, connector.OAuth2(src), identity, c.opts...)
		if err != nil || len(tenants) == 0 {
			return &ConfigError{"PATCHBAY_XERO_TENANT_ID", fmt.Sprintf("not set, and no connected organisation was found (%v)", err)}
		}
		tenant = tenants[0].TenantID
	}
	xr, err := xero.New(xero.Config{BaseURL: c.base, TenantID: tenant, Auth: connector.OAuth2(src)}, c.opts...)
	if err != nil {
		return &ConfigError{"PATCHBAY_XERO_TENANT_ID", err.Error()}
	}
	s.Customers, s.Invoices = xr.Customers, xr.Invoices
	if v := Lookup("PATCHBAY_XERO_ACCOUNT_CODE"); v != "" {
		s.AccountCode = v
	}
	if v := Lookup("PATCHBAY_XERO_TAX_TYPE"); v != "" {
		s.TaxCode = v
	}
	return nil
}

var quickbooksEnv = vendorEnv{system: "accounting", name: "quickbooks", title: "QuickBooks",
	urlVar: "PATCHBAY_QUICKBOOKS_URL", credVar: "PATCHBAY_QUICKBOOKS_CLIENT_ID", credWhat: "the Intuit app's client id",
	credentials: "PATCHBAY_QUICKBOOKS_CLIENT_ID, PATCHBAY_QUICKBOOKS_CLIENT_SECRET and PATCHBAY_QUICKBOOKS_REFRESH_TOKEN",
	configure:   configureQuickBooks}

func configureQuickBooks(ctx context.Context, s *flow.Systems, c setup) error {
	id, secret, refresh, realm := c.cred, Lookup("PATCHBAY_QUICKBOOKS_CLIENT_SECRET"), Lookup("PATCHBAY_QUICKBOOKS_REFRESH_TOKEN"), Lookup("PATCHBAY_QUICKBOOKS_REALM_ID")
	for _, v := range [][3]string{{secret, "PATCHBAY_QUICKBOOKS_CLIENT_SECRET", "the Intuit app's client secret"},
		{refresh, "PATCHBAY_QUICKBOOKS_REFRESH_TOKEN", "a refresh token from connecting the company (scope com.intuit.quickbooks.accounting)"},
		{realm, "PATCHBAY_QUICKBOOKS_REALM_ID", "the company id (realmId) Intuit returned with the authorization code"}} {
		if err := need(v[0], v[1], v[2]); err != nil {
			return err
		}
	}
	// Intuit rotates refresh tokens, and a spent one locks the app out:
	// the new one is saved before it is used.
	store, err := rotatingStore(ctx, c, "quickbooks", id, refresh)
	if err != nil {
		return &ConfigError{"PATCHBAY_QUICKBOOKS_REFRESH_TOKEN", err.Error()}
	}
	tokenURL := orDefault(Lookup("PATCHBAY_QUICKBOOKS_TOKEN_URL"), quickbooks.TokenURL)
	if err := checkURL("PATCHBAY_QUICKBOOKS_TOKEN_URL", tokenURL); err != nil {
		return err
	}
	cfg := &oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInHeader}}
	src, err := oauth.NewSource(oauth.Config{OAuth2: cfg, Store: store, HTTPClient: c.hc})
	if err != nil {
		return &ConfigError{"PATCHBAY_QUICKBOOKS_CLIENT_ID", err.Error()}
	}
	qb, err := quickbooks.New(quickbooks.Config{BaseURL: c.base, Auth: connector.OAuth2(src), RealmID: realm,
		HomeCurrency: Lookup("PATCHBAY_QUICKBOOKS_HOME_CURRENCY")}, c.opts...)
	if err != nil {
		return &ConfigError{"PATCHBAY_QUICKBOOKS_REALM_ID", err.Error()}
	}
	s.Customers, s.Invoices = qb.Customers, qb.Invoices
	s.AccountCode, s.TaxCode = Lookup("PATCHBAY_QUICKBOOKS_ACCOUNT_ID"), Lookup("PATCHBAY_QUICKBOOKS_TAX_CODE")
	return nil
}

// rotatingStore keeps the refresh tokens of a vendor that rotates them
// (Xero, QuickBooks) under a name made of the app and the token given:
// without it the next run would present a spent token. It is the store
// Vendors.Tokens gives, or else a file in the temporary directory. The
// token given seeds the store the first time (a compare-and-swap from
// empty, so two processes starting at once seed it once).
func rotatingStore(ctx context.Context, c setup, vendor, clientID, refresh string) (oauth.TokenStore, error) {
	name := "patchbay-" + vendor + "-token-" + connector.DeriveKey(clientID, refresh)[3:15]
	var store oauth.TokenStore
	if c.tokens != nil {
		store = c.tokens(name)
	} else {
		store = oauth.NewFileStore(filepath.Join(os.TempDir(), name+".json"))
	}
	if _, _, err := store.Load(ctx); errors.Is(err, oauth.ErrNoToken) {
		if _, err := store.Save(ctx, &oauth2.Token{RefreshToken: refresh}, 0); err != nil && !errors.Is(err, oauth.ErrVersionConflict) {
			return nil, fmt.Errorf("could not keep it: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("could not read the token kept: %w", err)
	}
	return store, nil
}
