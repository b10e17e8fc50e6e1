package xero_test

import (
	"context"
	"fmt"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/oauth"
)

// Invoice an order exactly once: the key comes from the order id, so a
// re-run after a crash returns the first invoice.
func Example() {
	srv := xerotest.NewServer()
	defer srv.Close()
	// In production: oauth.NewFileStore (or your database) holding the
	// token from the authorization-code flow, and Xero's endpoints.
	src, _ := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: oauth.NewMemoryStore(srv.Connect())})
	ctx := context.Background()
	tenants, _ := xero.Connections(ctx, connector.OAuth2(src), srv.URL)
	client, err := xero.New(xero.Config{BaseURL: srv.APIURL(), TenantID: tenants[0].TenantID, Auth: connector.OAuth2(src)})
	if err != nil {
		panic(err)
	}
	customer, _ := client.Customers.Upsert(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"})
	price := money.MustParseAmount("NZD", "19.99")
	for range 2 {
		inv, err := client.Invoices.Create(ctx, accounting.Invoice{
			CustomerID: customer.ID, Currency: "NZD", Reference: "ORDER-1001", DueDate: time.Now().AddDate(0, 0, 30),
			Lines: []accounting.Line{{Description: "Widget", Quantity: decimal.MustParse("2"), UnitPrice: price,
				AccountCode: xerotest.SalesAccount, TaxCode: xerotest.TaxType}},
		}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "invoice")))
		if err != nil {
			panic(err)
		}
		fmt.Println(inv.Number, inv.Subtotal, "+", inv.Tax, "=", inv.Total)
	}
	fmt.Println(srv.InvoiceCount(), "invoice")
	// Output:
	// INV-0001 NZD 39.98 + NZD 6.00 = NZD 45.98
	// INV-0001 NZD 39.98 + NZD 6.00 = NZD 45.98
	// 1 invoice
}
