package flowtest

import (
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/accounting/stripe/stripetest"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/examples/orderflow/flow"
)

// startAccounting starts the accounting sandbox of vendor and sets the
// flow's accounting on it.
func (e *Env) startAccounting(sys *flow.Systems, vendor string, opts []connector.Option) error {
	switch vendor {
	case "xero":
		e.Xero = xerotest.NewServer()
		e.track("Xero", vendor, e.Xero)
		e.count(e.Xero.Provider.URL, "xero-identity")
		cfg := e.Xero.OAuthConfig()
		e.share("PATCHBAY_XERO_URL", e.Xero.URL(), "PATCHBAY_XERO_TOKEN_URL", cfg.Endpoint.TokenURL,
			"PATCHBAY_XERO_CLIENT_ID", cfg.ClientID, "PATCHBAY_XERO_CLIENT_SECRET", cfg.ClientSecret,
			"PATCHBAY_XERO_REFRESH_TOKEN", e.Xero.Connect().RefreshToken, "PATCHBAY_XERO_TENANT_ID", e.Xero.TenantID(),
			"PATCHBAY_XERO_ACCOUNT_CODE", xerotest.SalesAccount, "PATCHBAY_XERO_TAX_TYPE", xerotest.TaxType)
		c, err := xero.New(xero.Config{BaseURL: e.Xero.URL(), Auth: e.Xero.Auth(), TenantID: e.Xero.TenantID()}, opts...)
		if err != nil {
			return err
		}
		sys.Customers, sys.Invoices, sys.AccountCode, sys.TaxCode = c.Customers, c.Invoices, xerotest.SalesAccount, xerotest.TaxType
	case "stripe":
		return e.startStripe(sys, opts)
	case "quickbooks":
		// A multi-currency company (the sample orders are in NZD), with no
		// per-minute cap so that long runs are not paced to Intuit's 500
		// a minute; 10 in flight, as Intuit allows.
		e.QuickBooks = quickbookstest.NewServer(quickbookstest.WithMultiCurrency("GBP", "NZD", "USD", "EUR", "AUD"),
			quickbookstest.WithRateLimit(0, 10))
		e.track("QuickBooks", vendor, e.QuickBooks)
		e.count(e.QuickBooks.Provider.URL, "quickbooks-identity")
		cfg := e.QuickBooks.OAuthConfig()
		e.share("PATCHBAY_QUICKBOOKS_URL", e.QuickBooks.URL(), "PATCHBAY_QUICKBOOKS_TOKEN_URL", cfg.Endpoint.TokenURL,
			"PATCHBAY_QUICKBOOKS_CLIENT_ID", cfg.ClientID, "PATCHBAY_QUICKBOOKS_CLIENT_SECRET", cfg.ClientSecret,
			"PATCHBAY_QUICKBOOKS_REFRESH_TOKEN", e.QuickBooks.Connect().RefreshToken, "PATCHBAY_QUICKBOOKS_REALM_ID", e.QuickBooks.RealmID(),
			"PATCHBAY_QUICKBOOKS_HOME_CURRENCY", e.QuickBooks.HomeCurrency(), "PATCHBAY_QUICKBOOKS_ACCOUNT_ID", quickbookstest.SalesAccount,
			"PATCHBAY_QUICKBOOKS_TAX_CODE", quickbookstest.TaxCode)
		c, err := quickbooks.New(quickbooks.Config{BaseURL: e.QuickBooks.URL(), Auth: e.QuickBooks.Auth(), RealmID: e.QuickBooks.RealmID(),
			HomeCurrency: e.QuickBooks.HomeCurrency()}, append([]connector.Option{connector.WithRateLimit(1000, 10)}, opts...)...)
		if err != nil {
			return err
		}
		sys.Customers, sys.Invoices, sys.AccountCode, sys.TaxCode = c.Customers, c.Invoices, quickbookstest.SalesAccount, quickbookstest.TaxCode
	default:
		return unknownVendor("accounting", vendor)
	}
	return nil
}

// UseStripe moves accounting to a Stripe sandbox: invoices are then
// Stripe's, with the sandbox's tax rate. opts are connector options, as for
// Start.
func (e *Env) UseStripe(opts ...connector.Option) error {
	return e.startStripe(&e.Flow.Systems, append([]connector.Option{connector.WithHTTPClient(e.client)}, opts...))
}

func (e *Env) startStripe(sys *flow.Systems, opts []connector.Option) error {
	key := "sk_test_" + connectortest.RandomHex(16)
	e.Stripe = stripetest.NewServer(stripetest.WithKey(key))
	e.track("Stripe", "stripe", e.Stripe)
	e.share("PATCHBAY_STRIPE_URL", e.Stripe.URL(), "PATCHBAY_STRIPE_KEY", key, "PATCHBAY_STRIPE_TAX_RATE", e.Stripe.TaxRate())
	c, err := stripe.New(stripe.Config{BaseURL: e.Stripe.URL(), Auth: e.Stripe.Auth()}, opts...)
	if err != nil {
		return err
	}
	sys.Customers, sys.Invoices, sys.AccountCode, sys.TaxCode = c.Customers, c.Invoices, "", e.Stripe.TaxRate()
	return nil
}

// invoiceCount reads how many invoices the accounting sandbox holds.
func (e *Env) invoiceCount() int {
	switch {
	case e.Stripe != nil:
		return e.Stripe.InvoiceCount()
	case e.Xero != nil:
		return e.Xero.InvoiceCount()
	case e.QuickBooks != nil:
		return e.QuickBooks.InvoiceCount()
	}
	return 0
}
