package quickbooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/govalues/decimal"
	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// multiCurrency starts a GBP company that also deals in NZD and USD.
func multiCurrency(t *testing.T, opts ...quickbookstest.Option) (*quickbookstest.Server, *quickbooks.Client) {
	t.Helper()
	return multiCurrencyVia(t, nil, opts...)
}

func multiCurrencyVia(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...quickbookstest.Option) (*quickbookstest.Server, *quickbooks.Client) {
	t.Helper()
	srv := quickbookstest.NewServer(append([]quickbookstest.Option{quickbookstest.WithMultiCurrency("GBP", "NZD", "USD")}, opts...)...)
	t.Cleanup(srv.Close)
	client, err := quickbooks.New(quickbooks.Config{BaseURL: srv.URL(), Auth: srv.Auth(), RealmID: srv.RealmID(), HomeCurrency: srv.HomeCurrency()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

// orderInvoice is an invoice as the order flow sends it: the customer by
// name and email, in the order's currency.
func orderInvoice(ref, currency, email string) accounting.Invoice {
	return accounting.Invoice{Currency: currency, Reference: ref, Customer: &accounting.Customer{Name: "Ada <" + email + ">", Email: email},
		Lines: []accounting.Line{{Description: "Widget", Quantity: mustDec("2"), UnitPrice: money.MustParseAmount(currency, "19.99"),
			AccountCode: quickbookstest.SalesAccount, TaxCode: quickbookstest.TaxCode}}}
}

type homeAmounts struct {
	CurrencyRef  struct{ Value string } `json:"CurrencyRef"`
	ExchangeRate json.Number            `json:"ExchangeRate"`
	HomeTotalAmt json.Number            `json:"HomeTotalAmt"`
	HomeBalance  json.Number            `json:"HomeBalance"`
}

// An NZD order in a GBP company: the customer is made in NZD, the invoice
// is in NZD with the company's exchange rate and its total in pounds; the
// payment is in NZD too.
func TestMultiCurrencyInvoice(t *testing.T) {
	srv, client := multiCurrency(t)
	ctx := context.Background()
	inv, err := client.Invoices.Create(ctx, orderInvoice("ORDER-NZ1", "NZD", "kiwi@example.com"),
		connector.WithIdempotencyKey(connector.DeriveKey("order", "NZ1", "invoice")))
	require.NoError(t, err)
	assert.Equal(t, "NZD", inv.Currency)
	assert.Equal(t, "NZD", inv.Total.Curr().Code())
	assert.Equal(t, "47.98", inv.Total.Decimal().String()) // 2 × 19.99 + 20% VAT
	var home homeAmounts
	require.NoError(t, json.Unmarshal(inv.Raw, &home))
	assert.Equal(t, "NZD", home.CurrencyRef.Value)
	rate := srv.ExchangeRate("NZD")
	assert.Equal(t, rate.String(), string(home.ExchangeRate))
	want, _ := inv.Total.Decimal().Mul(rate)
	assert.Equal(t, want.Round(2).String(), string(home.HomeTotalAmt))
	assert.Equal(t, want.Round(2).String(), string(home.HomeBalance))
	assert.NotEqual(t, inv.Total.Decimal().String(), string(home.HomeTotalAmt), "the rate was not applied")

	cust, err := client.Customers.Get(ctx, inv.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, "NZD", cust.Currency, "the customer was not made in the invoice's currency")

	p, err := client.Payments.Record(ctx, accounting.Payment{InvoiceID: inv.ID, Amount: inv.Total, AccountCode: quickbookstest.BankAccount})
	require.NoError(t, err)
	assert.Equal(t, "NZD", p.Amount.Curr().Code())
	got, err := client.Invoices.Get(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoicePaid, got.Status)

	// A pound payment of the NZD invoice is refused.
	inv2, err := client.Invoices.Create(ctx, orderInvoice("ORDER-NZ2", "NZD", "kiwi@example.com"))
	require.NoError(t, err)
	_, err = client.Payments.Record(ctx, accounting.Payment{InvoiceID: inv2.ID, Amount: money.MustParseAmount("GBP", "1.00")})
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.ErrorContains(t, err, "currency of the transaction is invalid")
}

// The flow upserts the customer by email and invoices in the order's
// currency: an email first seen in NZD and then in GBP gets a second
// customer, "Name (GBP)", for its pound invoices; a third order in NZD
// goes to the first customer again. QuickBooks refuses an invoice in
// another currency than its customer's.
func TestMultiCurrencySameEmailTwoCurrencies(t *testing.T) {
	_, client := multiCurrency(t)
	ctx := context.Background()
	const email = "twice@example.com"
	nzd, err := client.Invoices.Create(ctx, orderInvoice("ORDER-A", "NZD", email))
	require.NoError(t, err)
	gbp, err := client.Invoices.Create(ctx, orderInvoice("ORDER-B", "GBP", email))
	require.NoError(t, err)
	assert.NotEqual(t, nzd.CustomerID, gbp.CustomerID)
	again, err := client.Invoices.Create(ctx, orderInvoice("ORDER-C", "NZD", email))
	require.NoError(t, err)
	assert.Equal(t, nzd.CustomerID, again.CustomerID, "a third customer for the same email and currency")

	second, err := client.Customers.Get(ctx, gbp.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, "GBP", second.Currency)
	assert.Equal(t, "Ada <"+email+"> (GBP)", second.Name)
	assert.Equal(t, email, second.Email)
	// An upsert in GBP updates the pound customer and keeps its name.
	up, err := client.Customers.Upsert(ctx, accounting.Customer{Name: "Ada <" + email + ">", Email: email, Phone: "+44 20 7946 0000", Currency: "GBP"})
	require.NoError(t, err)
	assert.Equal(t, second.ID, up.ID)
	assert.Equal(t, second.Name, up.Name)

	// An invoice in USD for the NZD customer, by id: QuickBooks' refusal.
	inv := orderInvoice("ORDER-D", "USD", email)
	inv.Customer, inv.CustomerID = nil, nzd.CustomerID
	_, err = client.Invoices.Create(ctx, inv)
	require.ErrorIs(t, err, connector.ErrValidation)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Contains(t, apiErr.Code, "6000")
	assert.Contains(t, apiErr.Error(), "currency of the transaction is invalid")

	n := 0
	for c, err := range client.Customers.List(ctx, accounting.ListOptions{}) {
		require.NoError(t, err)
		if c.Email == email {
			n++
		}
	}
	assert.Equal(t, 2, n)
}

// The sandbox holds a customer's currency fixed, and a company without
// multicurrency to its home currency.
func TestSandboxCurrencyRules(t *testing.T) {
	srv, client := multiCurrency(t, quickbookstest.WithExchangeRate("USD", "0.8"))
	ctx := context.Background()
	assert.Equal(t, "0.8", srv.ExchangeRate("USD").String())
	assert.Equal(t, "1", srv.ExchangeRate("GBP").String())
	c, err := client.Customers.Create(ctx, accounting.Customer{Name: "Dollar Ltd", Email: "usd@example.com", Currency: "USD"})
	require.NoError(t, err)
	assert.Equal(t, "USD", c.Currency)
	var out json.RawMessage
	err = client.JSON(ctx, "POST", "/v3/company/"+srv.RealmID()+"/customer?minorversion=75",
		map[string]any{"Id": c.ID, "SyncToken": "0", "sparse": true, "CurrencyRef": map[string]string{"value": "NZD"}}, &out)
	require.ErrorIs(t, err, connector.ErrValidation, "the customer's currency changed")
	_, err = client.Customers.Create(ctx, accounting.Customer{Name: "Euro GmbH", Email: "eur@example.com", Currency: "EUR"})
	require.ErrorIs(t, err, connector.ErrValidation, "a currency the company does not deal in")

	single, one := sandbox(t, nil)
	assert.False(t, single.MultiCurrency())
	assert.Equal(t, quickbookstest.Currency, single.HomeCurrency())
	_, err = one.Invoices.Create(ctx, orderInvoice("ORDER-NZ", "NZD", "nz@example.com"))
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.ErrorContains(t, err, "Multicurrency is off")
	inv, err := one.Invoices.Create(ctx, orderInvoice("ORDER-GB", "GBP", "gb@example.com"))
	require.NoError(t, err)
	var home homeAmounts
	require.NoError(t, json.Unmarshal(inv.Raw, &home))
	assert.Empty(t, home.ExchangeRate, "ExchangeRate in a company without multicurrency")
	assert.Equal(t, decimal.MustParse("47.98").String(), inv.Total.Decimal().String())
}
