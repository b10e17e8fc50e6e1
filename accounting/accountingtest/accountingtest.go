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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	t.Run("UpdatedSinceOldestFirst", func(t *testing.T) { testUpdatedSinceOrder(t, newHarness(t)) })
	t.Run("TypedErrors", func(t *testing.T) { testErrors(t, newHarness(t)) })
	t.Run("RateLimited", func(t *testing.T) { testRateLimited(t, newHarness(t)) })
}

func mustCustomer(t *testing.T, h Harness, email string) *accounting.Customer {
	t.Helper()
	c, err := h.Customers.Create(context.Background(), accounting.Customer{Name: "Customer " + email, Email: email})
	require.NoError(t, err)
	return c
}

func amount(t *testing.T, h Harness, s string) money.Amount {
	t.Helper()
	a, err := money.ParseAmount(h.Currency, s)
	require.NoError(t, err)
	return a
}

func invoice(t *testing.T, h Harness, customerID, ref string, lines ...[2]string) accounting.Invoice {
	t.Helper()
	inv := accounting.Invoice{CustomerID: customerID, Currency: h.Currency, Reference: ref,
		IssueDate: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), DueDate: time.Date(2026, 12, 23, 0, 0, 0, 0, time.UTC)}
	for i, l := range lines {
		qty, err := decimal.Parse(l[0])
		require.NoError(t, err)
		inv.Lines = append(inv.Lines, accounting.Line{Description: fmt.Sprintf("Line %d", i+1), Quantity: qty,
			UnitPrice: amount(t, h, l[1]), AccountCode: h.AccountCode, TaxCode: h.TaxCode})
	}
	return inv
}

func testCustomers(t *testing.T, h Harness) {
	ctx := context.Background()
	c, err := h.Customers.Create(ctx, accounting.Customer{Name: "Ada Lovelace", Email: "ada@example.com", Phone: "020 7946 0000",
		Addresses: []accounting.Address{{Lines: []string{"12 St James's Square"}, City: "London", PostalCode: "SW1Y 4JH", Country: "GB"}}})
	require.NoError(t, err)
	got, err := h.Customers.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "Ada Lovelace", got.Name)
	assert.Equal(t, "ada@example.com", got.Email)
	assert.NotEmpty(t, got.Raw, "Raw")
	if assert.Len(t, got.Addresses, 1) {
		assert.Equal(t, "London", got.Addresses[0].City)
	}
	found, err := h.Customers.FindByEmail(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, c.ID, found.ID, "FindByEmail")
	u1, err := h.Customers.Upsert(ctx, accounting.Customer{Name: "Grace Hopper", Email: "grace@example.com"})
	require.NoError(t, err)
	u2, err := h.Customers.Upsert(ctx, accounting.Customer{Name: "Grace Hopper", Email: "grace@example.com", Phone: "555 0100"})
	require.NoError(t, err)
	assert.Equal(t, u1.ID, u2.ID, "the second upsert made another customer")
	assert.Equal(t, "555 0100", u2.Phone, "the second upsert did not update")
	_, err = h.Customers.FindByEmail(ctx, "nobody@example.com")
	assert.ErrorIs(t, err, connector.ErrNotFound, "FindByEmail unknown")
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
	require.NoError(t, err)
	second, err := h.Invoices.Create(ctx, in, connector.WithIdempotencyKey(key))
	require.NoError(t, err, "second create with the key")
	assert.Equal(t, first.ID, second.ID, "second create with the key")
	assert.Equal(t, first.Number, second.Number, "second create with the key")
	found, err := h.Invoices.FindByReference(ctx, "ORDER-1001")
	require.NoError(t, err)
	assert.Equal(t, first.ID, found.ID, "FindByReference")
	assert.Equal(t, 1, countInvoices(t, h, accounting.ListOptions{}), "invoices")
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
	require.NoError(t, err)
	voided, err := h.Invoices.Void(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoiceVoid, voided.Status, "Void")
	got, err := h.Invoices.Get(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoiceVoid, got.Status, "Get after Void")
}

func testPayment(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "pay@example.com")
	inv, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-PAY", [2]string{"2", "50.00"}))
	require.NoError(t, err)
	key := connector.DeriveKey("order", "PAY", "payment")
	p := accounting.Payment{InvoiceID: inv.ID, Amount: inv.Total, Date: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC),
		Reference: "card 4242", AccountCode: h.BankAccountCode}
	first, err := h.Payments.Record(ctx, p, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	second, err := h.Payments.Record(ctx, p, connector.WithIdempotencyKey(key))
	require.NoError(t, err, "second record with the key")
	assert.Equal(t, first.ID, second.ID, "second record with the key")
	got, err := h.Invoices.Get(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoicePaid, got.Status, "after payment")
	assert.True(t, got.AmountDue.IsZero(), "after payment %v is due, want nothing", got.AmountDue)
}

func testPagination(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "many@example.com")
	const n = 130
	for i := range n {
		_, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, fmt.Sprintf("ORDER-P%03d", i), [2]string{"1", "1.00"}))
		require.NoError(t, err)
	}
	seen := map[string]bool{}
	for inv, err := range h.Invoices.List(ctx, accounting.ListOptions{}) {
		require.NoError(t, err)
		require.False(t, seen[inv.ID], "invoice %s listed twice", inv.ID)
		seen[inv.ID] = true
	}
	assert.Len(t, seen, n, "invoices listed")
}

func testUpdatedSince(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "since@example.com")
	_, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-OLD", [2]string{"1", "1.00"}))
	require.NoError(t, err)
	h.Advance(time.Hour)
	mark := h.Now()
	h.Advance(time.Minute)
	fresh, err := h.Invoices.Create(ctx, invoice(t, h, c.ID, "ORDER-NEW", [2]string{"1", "2.00"}))
	require.NoError(t, err)
	var ids []string
	for inv, err := range h.Invoices.List(ctx, accounting.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		ids = append(ids, inv.ID)
	}
	assert.Equal(t, []string{fresh.ID}, ids, "changed since the mark")
}

// A sync resumes from the UpdatedAt of the last record it processed, so a
// list with UpdatedSince yields the oldest change first: UpdatedAt never
// decreases, and a record changed after others comes after them, wherever
// it was made.
func testUpdatedSinceOrder(t *testing.T, h Harness) {
	ctx := context.Background()
	h.Advance(time.Hour)
	mark := h.Now()

	// Customers a, b, c made in that order; then a changes.
	var customers []*accounting.Customer
	for _, who := range []string{"first", "second", "third"} {
		h.Advance(time.Minute)
		customers = append(customers, mustCustomer(t, h, who+".order@example.com"))
	}
	h.Advance(time.Minute)
	_, err := h.Customers.Upsert(ctx, accounting.Customer{Name: customers[0].Name, Email: customers[0].Email, Phone: "555 0199"})
	require.NoError(t, err)
	var listed []string
	var at []time.Time
	for c, err := range h.Customers.List(ctx, accounting.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		listed, at = append(listed, c.ID), append(at, c.UpdatedAt)
	}
	assert.Equal(t, []string{customers[1].ID, customers[2].ID, customers[0].ID}, listed,
		"customers changed since the mark, oldest change first (the first one changed last)")
	assertOldestFirst(t, "customers", mark, at)

	// Invoices x and y made in that order, for a customer made before
	// the mark; then x is voided.
	h.Advance(time.Minute)
	mark = h.Now()
	var invoices []*accounting.Invoice
	for _, ref := range []string{"ORDER-SYNC-1", "ORDER-SYNC-2"} {
		h.Advance(time.Minute)
		inv, err := h.Invoices.Create(ctx, invoice(t, h, customers[1].ID, ref, [2]string{"1", "5.00"}))
		require.NoError(t, err)
		invoices = append(invoices, inv)
	}
	h.Advance(time.Minute)
	_, err = h.Invoices.Void(ctx, invoices[0].ID)
	require.NoError(t, err)
	listed, at = nil, nil
	for inv, err := range h.Invoices.List(ctx, accounting.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		listed, at = append(listed, inv.ID), append(at, inv.UpdatedAt)
	}
	assert.Equal(t, []string{invoices[1].ID, invoices[0].ID}, listed,
		"invoices changed since the mark, oldest change first (the voided one last)")
	assertOldestFirst(t, "invoices", mark, at)
}

// assertOldestFirst checks that a list's UpdatedAt never decreases and
// none is before the mark.
func assertOldestFirst(t *testing.T, what string, mark time.Time, at []time.Time) {
	t.Helper()
	for i, u := range at {
		assert.False(t, u.Before(mark), "%s: record %d updated at %v, before the mark %v", what, i, u, mark)
		if i > 0 {
			assert.False(t, u.Before(at[i-1]), "%s: record %d updated at %v, before record %d (%v): not oldest change first",
				what, i, u, i-1, at[i-1])
		}
	}
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	_, err := h.Invoices.Get(ctx, "7e4c1e3a-0000-4000-8000-000000000000")
	assert.ErrorIs(t, err, connector.ErrNotFound, "Get unknown")
	_, err = h.Invoices.FindByReference(ctx, "NO-SUCH-ORDER")
	assert.ErrorIs(t, err, connector.ErrNotFound, "FindByReference unknown")
	c := mustCustomer(t, h, "errors@example.com")
	_, err = h.Invoices.Create(ctx, accounting.Invoice{CustomerID: c.ID, Currency: h.Currency, Reference: "EMPTY"})
	require.ErrorIs(t, err, connector.ErrValidation, "invoice without lines")
	var apiErr *connector.APIError
	require.True(t, errors.As(err, &apiErr), "invoice without lines: %v is no *connector.APIError", err)
	assert.NotEmpty(t, apiErr.Message, "invoice without lines: want the vendor's message")
}

func testRateLimited(t *testing.T, h Harness) {
	ctx := context.Background()
	c := mustCustomer(t, h, "busy@example.com")
	h.Throttle(1)
	_, err := h.Customers.Get(ctx, c.ID)
	require.NoError(t, err, "one 429 must be retried")
	h.Throttle(1000)
	_, err = h.Customers.Get(ctx, c.ID)
	assert.ErrorIs(t, err, connector.ErrRateLimited)
}

func countInvoices(t *testing.T, h Harness, opts accounting.ListOptions) int {
	t.Helper()
	n := 0
	for _, err := range h.Invoices.List(context.Background(), opts) {
		require.NoError(t, err)
		n++
	}
	return n
}
