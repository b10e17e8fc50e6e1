package xero_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Invoice an order exactly once: the key comes from the order id, so a
// re-run after a crash returns the first invoice. Then Xero's webhook
// about it, verified.
func Example() {
	sandbox := xerotest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	// In production: Auth is connector.OAuth2 over a connector/oauth Source
	// (oauth.NewFileStore, or your database, holding the token from the
	// authorization-code flow), and the BaseURL is left empty.
	tenants, err := xero.Connections(ctx, sandbox.Auth(), sandbox.IdentityURL())
	if err != nil {
		panic(err)
	}
	client, err := xero.New(xero.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth(), TenantID: tenants[0].TenantID})
	if err != nil {
		panic(err)
	}
	customer, err := client.Customers.Upsert(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"})
	if err != nil {
		panic(err)
	}
	price := money.MustParseAmount("NZD", "19.99")
	var inv *accounting.Invoice
	for range 2 {
		inv, err = client.Invoices.Create(ctx, accounting.Invoice{
			CustomerID: customer.ID, Currency: "NZD", Reference: "ORDER-1001", DueDate: time.Now().AddDate(0, 0, 30),
			Lines: []accounting.Line{{Description: "Widget", Quantity: decimal.MustParse("2"), UnitPrice: price,
				AccountCode: xerotest.SalesAccount, TaxCode: xerotest.TaxType}},
		}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "invoice")))
		if err != nil {
			panic(err)
		}
		fmt.Println(inv.Number, inv.Subtotal, "+", inv.Tax, "=", inv.Total)
	}
	fmt.Println(sandbox.InvoiceCount(), "invoice")

	// Xero posts a webhook when the invoice is created.
	handler, err := xero.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e xero.Event) error {
			fmt.Println(e.Kind, e.Type, e.Payload.ResourceID == inv.ID)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	status, err := sandbox.SendWebhook(ctx, receiver.URL, xerotest.WebhookBody(sandbox.WebhookEvent("INVOICE", "CREATE", inv.ID)))
	fmt.Println(status, err)
	// Output:
	// INV-0001 NZD 39.98 + NZD 6.00 = NZD 45.98
	// INV-0001 NZD 39.98 + NZD 6.00 = NZD 45.98
	// 1 invoice
	// invoice.created INVOICE.CREATE true
	// 200 <nil>
}
