package quickbooks_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Invoice an order exactly once: the key comes from the order id, so a
// re-run after a crash returns the first invoice (QuickBooks replays the
// requestid's first answer). Then Intuit's webhook about it, verified.
func Example() {
	sandbox := quickbookstest.NewServer()
	defer sandbox.Close()
	ctx := context.Background()
	// In production: Auth is connector.OAuth2 over a connector/oauth Source
	// that saves Intuit's rotated refresh tokens, RealmID the company's
	// realmId, and BaseURL is left empty.
	client, err := quickbooks.New(quickbooks.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth(), RealmID: sandbox.RealmID(),
		HomeCurrency: quickbookstest.Currency})
	if err != nil {
		panic(err)
	}
	customer, err := client.Customers.Upsert(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com"})
	if err != nil {
		panic(err)
	}
	var inv *accounting.Invoice
	for range 2 {
		inv, err = client.Invoices.Create(ctx, accounting.Invoice{
			CustomerID: customer.ID, Currency: "GBP", Reference: "ORDER-1001",
			Lines: []accounting.Line{{Description: "Widget", Quantity: decimal.MustParse("2"), UnitPrice: money.MustParseAmount("GBP", "19.99"),
				AccountCode: quickbookstest.SalesAccount, TaxCode: quickbookstest.TaxCode}},
		}, connector.WithIdempotencyKey(connector.DeriveKey("order", "1001", "invoice")))
		if err != nil {
			panic(err)
		}
		fmt.Println(inv.Number, inv.Subtotal, "+", inv.Tax, "=", inv.Total)
	}
	fmt.Println(sandbox.InvoiceCount(), "invoice")

	handler, err := quickbooks.NewWebhookHandler(webhook.Config{Secrets: []string{sandbox.WebhookSecret()}},
		func(ctx context.Context, e quickbooks.Event) error {
			fmt.Println(e.Kind, e.Type, e.Payload.EntityID == inv.ID)
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	status, err := sandbox.SendWebhook(ctx, receiver.URL, quickbookstest.CloudEventsBody(sandbox.WebhookEvent("Invoice", "Create", inv.ID)))
	fmt.Println(status, err)
	// Output:
	// ORDER-1001 GBP 39.98 + GBP 8.00 = GBP 47.98
	// ORDER-1001 GBP 39.98 + GBP 8.00 = GBP 47.98
	// 1 invoice
	// invoice.created qbo.invoice.created.v1 true
	// 200 <nil>
}
