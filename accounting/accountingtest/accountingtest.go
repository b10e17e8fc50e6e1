// Package accountingtest is the contract every accounting vendor package
// passes against its sandbox.
package accountingtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// Harness is one fresh sandbox, a client on it, and the codes that are
// valid in it.
type Harness struct {
	Customers accounting.Customers
	Invoices  accounting.Invoices
	Payments  accounting.Payments

	Currency        string          // the organisation's currency
	AccountCode     string          // a revenue account
	BankAccountCode string          // a bank account payments can go to
	TaxCode         string          // a sales tax code
	TaxRate         decimal.Decimal // its rate, e.g. 0.15

	// Throttle answers the next n requests with the vendor's 429.
	Throttle func(n int)
	// Advance moves the sandbox clock; Now reads it.
	Advance func(d time.Duration)
	Now     func() time.Time
}

// Run runs the contract; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("Customers", func(t *testing.T) { testCustomers(t, newHarness(t)) })
	t.Run("TotalsAddUpExactlyWithTax", func(t *testing.T) { testTotals(t, newHarness(t)) })
	t.Run("CreateTwiceOneKeyOneInvoice", func(t *testing.T) { testIdempotentCreate(t, newHarness(t)) })
	t.Run("BillCustomerWithoutID", func(t *testing.T) { testBillByCustomer(t, newHarness(t)) })
	t.Run("Void", func(t *testing.T) { testVoid(t, newHarness(t)) })
	t.Run("PaymentSettlesInvoiceOnce", func(t *testing.T) { testPayment(t, newHarness(t)) })
	t.Run("Pagination", func(t *testing.T) { testPagination(t, newHarness(t)) })
	t.Run("UpdatedSince", func(t *testing.T) { testUpdatedSince(t, newHarness(t)) })
	t.Run("TypedErrors", func(t *testing.T) { testErrors(t, newHarness(t)) })
	t.Run("RateLimited", func(t *testing.T) { testRateLimited(t, newHarness(t)) })
}

func mustCustomer(t *testing.T, h Harness, email string) *accounting.Customer {
	t.Helper()
	c, err := h.Customers.Create(context.Background(), accounting.Customer{Name: "Customer " + email, Email: email})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func amount(t *testing.T, h Harness, s string) money.Amount {
	t.Helper()
	a, err := money.ParseAmount(h.Currency, s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func invoice(t *testing.T, h Harness, customerID, ref string, lines ...[2]string) accounting.Invoice {
	t.Helper()
	inv := accounting.Invoice{CustomerID: customerID, Currency: h.Currency, Reference: ref,
		IssueDate: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2026, 12, 23, 0, 0, 0, 0, time.UTC)}
	for i, l := range lines {
		qty, err := decimal.Parse(l[0])
		if err != nil {
			t.Fatal(err)
		}
		inv.Lines = append(inv.Lines, accounting.Line{Description: fmt.Sprintf("Line %d", i+1), Quantity: qty,
			UnitPrice: amount(t, h, l[1]), AccountCode: h.AccountCode, TaxCode: h.TaxCode})
	}
	return inv
}

func testCustomers(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "020 7946 0000",
		Addresses: []accounting.Address{{Lines: []string{"12 St James's Square"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Customers.Get(ctx, c.ID)
	if err != nil || got.Name != "Ada Lovelace" || got.Email != "ada@example.com" || len(got.Raw) == 0 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if len(got.Addresses) != 1 || got.Addresses[0].City != "London" {
		t.Fatalf("addresses = %+v", got.Addresses)
	}
	found, err := h.Customers.FindByEmail(ctx, "ada@example.com")
	if err != nil || found.ID != c.ID {
		t.Fatalf("FindByEmail = %v, %v", found, err)
	}
	u1, err := h.Customers.Upsert(ctx, accounting.Customer{Name: "Grace Hopper", Email: "grace@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	u2, err := h.Customers.Upsert(ctx, accounting.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "555 0100"})
	if err != nil || u2.ID != u1.ID || u2.Phone != "555 0100" {
		t.Fatalf("second upsert = %+v, %v; want %s updated", u2, err, u1.ID)
	}
	if _, err := h.Customers.FindByEmail(ctx, "nobody@example.com"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("FindByEmail unknown: err = %v, want ErrNotFound", err)
	}
}

func testTotals(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "totals@example.com")
	inv, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-TOTALS", [2]string{"2", "19.99"}, [2]string{"1", "0.10"}, [2]string{"3", "33.33"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Lines) != 3 {
		t.Fatalf("%d lines, want 3", len(inv.Lines))
	}
	sumNet, sumTax := amount(t, h, "0"), amount(t, h, "0")
	for i, l := range inv.Lines {
		want, err := l.UnitPrice.Mul(l.Quantity)
		if err != nil {
			t.Fatal(err)
		}
		if eq, _ := l.Amount.Equal(want); !eq {
			t.Fatalf("line %d amount %v, want %v × %v = %v exactly", i+1, l.Amount, l.Quantity, l.UnitPrice, want)
		}
		sumNet, _ = sumNet.Add(l.Amount)
		sumTax, _ = sumTax.Add(l.Tax)
	}
	wantSubtotal := amount(t, h, "140.07")
	total, _ := inv.Subtotal.Add(inv.Tax)
	checks := []struct {
		name      string
		got, want money.Amount
	}{
		{"subtotal", inv.Subtotal, wantSubtotal},
		{"subtotal = Σ line amounts", inv.Subtotal, sumNet},
		{"tax = Σ line taxes", inv.Tax, sumTax},
		{"total = subtotal + tax", inv.Total, total},
		{"amount due = total", inv.AmountDue, inv.Total},
	}
	for _, c := range checks {
		if eq, err := c.got.Equal(c.want); err != nil || !eq {
			t.Fatalf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	// Tax is the rate applied line by line, each rounded to the cent.
	exact, _ := wantSubtotal.Decimal().Mul(h.TaxRate)
	diff, _ := inv.Tax.Decimal().Sub(exact)
	if limit := decimal.MustParse("0.015"); diff.Abs().Cmp(limit) > 0 {
		t.Fatalf("tax %v is not %v × %v rounded per line", inv.Tax, wantSubtotal, h.TaxRate)
	}
	if inv.Status != accounting.InvoiceOpen || inv.Number == "" || inv.Reference != "ORDER-TOTALS" {
		t.Fatalf("invoice = %+v: want open, numbered, with its reference", inv)
	}
}

func testIdempotentCreate(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "twice@example.com")
	key := connector.DeriveKey("order", "1001", "invoice")
	in := invoice(t, h, c.ID, "ORDER-1001", [2]string{"1", "100.00"})
	first, err := h.Invoices.Create(ctx, in, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Invoices.Create(ctx, in, connector.WithIdempotencyKey(key))
	if err != nil || second.ID != first.ID || second.Number != first.Number {
		t.Fatalf("second create with the key = %v, %v; want invoice %s again", second, err, first.ID)
	}
	found, err := h.Invoices.FindByReference(ctx, "ORDER-1001")
	if err != nil || found.ID != first.ID {
		t.Fatalf("FindByReference = %v, %v", found, err)
	}
	if n := countInvoices(t, h, accounting.ListOptions{}); n != 1 {
		t.Fatalf("%d invoices, want 1", n)
	}
}

// An invoice for a customer given by name and email, not id: the vendor
// package finds or makes the customer; two invoices give one customer.
func testBillByCustomer(t *testing.T, h Harness) {
	ctx := context.Background()
	who := &accounting.Customer{Name: "Grace Hopper <grace@example.com>", Email: "grace@example.com"}
	var customerID string
	for i, ref := range []string{"ORDER-G1", "ORDER-G2"} {
		in := invoice(t, h, "", ref, [2]string{"1", "10.00"})
		in.Customer = who
		inv, err := h.Invoices.Create(ctx, in, connector.WithIdempotencyKey(connector.DeriveKey("bill-by-customer", ref)))
		if err != nil {
			t.Fatalf("invoice %d: %v", i+1, err)
		}
		if inv.CustomerID == "" || (customerID != "" && inv.CustomerID != customerID) {
			t.Fatalf("invoice %d billed customer %q, want one customer for both (%q)", i+1, inv.CustomerID, customerID)
		}
		customerID = inv.CustomerID
	}
	found, err := h.Customers.FindByEmail(ctx, "grace@example.com")
	if err != nil || found.ID != customerID {
		t.Fatalf("FindByEmail = %v, %v; want customer %s", found, err, customerID)
	}
}

func testVoid(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "void@example.com")
	inv, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-VOID", [2]string{"1", "10.00"}))
	if err != nil {
		t.Fatal(err)
	}
	voided, err := h.Invoices.Void(ctx, inv.ID)
	if err != nil || voided.Status != accounting.InvoiceVoid {
		t.Fatalf("Void = %v, %v", voided, err)
	}
	got, err := h.Invoices.Get(ctx, inv.ID)
	if err != nil || got.Status != accounting.InvoiceVoid {
		t.Fatalf("Get after Void = %v, %v", got, err)
	}
}

func testPayment(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "pay@example.com")
	inv, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-PAY", [2]string{"2", "50.00"}))
	if err != nil {
		t.Fatal(err)
	}
	key := connector.DeriveKey("order", "PAY", "payment")
	p := accounting.Payment{InvoiceID: inv.ID, Amount: inv.Total, Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Reference: "card 4242", AccountCode: h.BankAccountCode}
	first, err := h.Payments.Record(ctx, p, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Payments.Record(ctx, p, connector.WithIdempotencyKey(key))
	if err != nil || second.ID != first.ID {
		t.Fatalf("second record with the key = %v, %v; want payment %s again", second, err, first.ID)
	}
	got, err := h.Invoices.Get(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != accounting.InvoicePaid || !got.AmountDue.IsZero() {
		t.Fatalf("after payment: status %s, due %v; want paid and nothing due", got.Status, got.AmountDue)
	}
}

func testPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "many@example.com")
	const n = 130
	for i := range n {
		if _, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, fmt.Sprintf("ORDER-P%03d", i), [2]string{"1", "1.00"})); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for inv, err := range h.Invoices.List(ctx, accounting.ListOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[inv.ID] {
			t.Fatalf("invoice %s listed twice", inv.ID)
		}
		seen[inv.ID] = true
	}
	if len(seen) != n {
		t.Fatalf("listed %d invoices, want %d", len(seen), n)
	}
}

func testUpdatedSince(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "since@example.com")
	if _, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-OLD", [2]string{"1", "1.00"})); err != nil {
		t.Fatal(err)
	}
	h.Advance(time.Hour)
	mark := h.Now()
	h.Advance(time.Minute)
	fresh, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-NEW", [2]string{"1", "2.00"}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for inv, err := range h.Invoices.List(ctx, accounting.ListOptions{UpdatedSince: mark}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, inv.ID)
	}
	if len(ids) != 1 || ids[0] != fresh.ID {
		t.Fatalf("changed since the mark: %v, want [%s]", ids, fresh.ID)
	}
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	if _, err := h.Invoices.Get(ctx, "7e4c1e3a-0000-4000-8000-000000000000"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("Get unknown: err = %v, want ErrNotFound", err)
	}
	if _, err := h.Invoices.FindByReference(ctx, "NO-SUCH-ORDER"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("FindByReference unknown: err = %v, want ErrNotFound", err)
	}
	c := mustCustomer(t, h, "errors@example.com")
	_, err := h.Invoices.Create(ctx, accounting.Invoice{CustomerID: c.ID, Currency: h.Currency, Reference: "EMPTY"})
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Message == "" {
		t.Fatalf("invoice without lines: err = %v, want ErrValidation with the vendor's message", err)
	}
}

func testRateLimited(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "busy@example.com")
	h.Throttle(1)
	if _, err := h.Customers.Get(ctx, c.ID); err != nil {
		t.Fatalf("one 429 must be retried: %v", err)
	}
	h.Throttle(1000)
	if _, err := h.Customers.Get(ctx, c.ID); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
}

func countInvoices(t *testing.T, h Harness, opts accounting.ListOptions) int {
	t.Helper()
	n := 0
	for _, err := range h.Invoices.List(context.Background(), opts) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
