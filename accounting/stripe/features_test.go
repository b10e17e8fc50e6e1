package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// A quantity with a fraction goes as quantity_decimal and comes back exact;
// JPY has no minor unit and KWD three, and both round-trip.
func TestFractionalQuantityAndCurrencies(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cur, unit, qty, amount string }{{"USD", "9.90", "1.5", "14.85"}, {"JPY", "1500", "2", "3000"}, {"KWD", "1.234", "3", "3.702"}} {
		inv, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: tc.cur, Reference: "Q-" + tc.cur,
			Lines: []accounting.Line{{Description: "cable", Quantity: decimal.MustParse(tc.qty), UnitPrice: money.MustParseAmount(tc.cur, tc.unit), TaxCode: srv.TaxRate()}}})
		if err != nil {
			t.Fatalf("%s: %v", tc.cur, err)
		}
		l := inv.Lines[0]
		if l.Quantity.String() != tc.qty || l.Amount.Decimal().String() != tc.amount || l.UnitPrice.Decimal().String() != tc.unit {
			t.Fatalf("%s line: quantity %v, amount %v, unit %v; want %s, %s, %s", tc.cur, l.Quantity, l.Amount, l.UnitPrice, tc.qty, tc.amount, tc.unit)
		}
	}
}

// A key reused with other parameters is Stripe's idempotency_error:
// ErrConflict, not a second customer.
func TestIdempotencyKeyReuseIsConflict(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	k := connector.WithIdempotencyKey("same-key")
	if _, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"}, k); err != nil {
		t.Fatal(err)
	}
	_, err := c.Customers.Create(ctx, accounting.Customer{Name: "Grace", Email: "grace@example.com"}, k)
	if !errors.Is(err, connector.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	if srv.CustomerCount() != 1 {
		t.Fatalf("%d customers", srv.CustomerCount())
	}
}

// A lost answer to a keyed write is retried under the same key, and
// Stripe's replay gives the first result: one invoice.
func TestRetriedWriteIsReplayed(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(1, http.StatusInternalServerError)
	inv, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: "R1",
		Lines: []accounting.Line{{Description: "mug", Quantity: decimal.One, UnitPrice: money.MustParseAmount("USD", "12.50")}}},
		connector.WithIdempotencyKey("order-R1-invoice"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: "R1",
		Lines: []accounting.Line{{Description: "mug", Quantity: decimal.One, UnitPrice: money.MustParseAmount("USD", "12.50")}}},
		connector.WithIdempotencyKey("order-R1-invoice"))
	if err != nil || again.ID != inv.ID || again.Number != inv.Number {
		t.Fatalf("again = %+v, %v; want %s", again, err, inv.ID)
	}
	if srv.InvoiceCount() != 1 {
		t.Fatalf("%d invoices, want 1", srv.InvoiceCount())
	}
}

// The secret key never reaches an error or a log line.
func TestSecretKeyStaysOut(t *testing.T) {
	const sentinel = "sk_test_SENTINEL_51HxQz"
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		// A hostile or careless server echoing the credential back.
		w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + sentinel + ` (` + r.Header.Get("Authorization") + `)"}}`))
	}))
	defer srv.Close()
	c, err := stripe.New(stripe.Config{Key: sentinel, BaseURL: srv.URL}, connector.WithLogger(logger), connector.WithRetryPolicy(fastRetry))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Customers.Get(context.Background(), "cus_1")
	if err == nil {
		t.Fatal("no error")
	}
	mu.Lock()
	defer mu.Unlock()
	for what, s := range map[string]string{"error": err.Error(), "logs": logs.String()} {
		if strings.Contains(s, "SENTINEL") {
			t.Errorf("the key leaked into the %s: %s", what, s)
		}
	}
	connector.SharedTransport().CloseIdleConnections()
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Webhooks from the sandbox, through the handler: signed, verified, each
// event handled once even when delivered twice.
func TestWebhooks(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	const secret = "whsec_test_secret"
	var mu sync.Mutex
	var got []string
	h, err := stripe.NewWebhookHandler([]string{"whsec_new", secret}, nil, func(_ context.Context, e *stripe.Event) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, e.Type)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	hook := httptest.NewServer(h)
	defer hook.Close()
	cust, _ := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	inv, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: "W1",
		Lines: []accounting.Line{{Description: "mug", Quantity: decimal.One, UnitPrice: money.MustParseAmount("USD", "12.50")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Payments.Record(ctx, accounting.Payment{InvoiceID: inv.ID, Amount: inv.AmountDue}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second delivery is a redelivery
		statuses, err := srv.SendWebhook(ctx, hook.URL, secret, "invoice.paid")
		if err != nil || len(statuses) != 1 || statuses[0] != http.StatusOK {
			t.Fatalf("delivery: %v %v", statuses, err)
		}
	}
	statuses, err := srv.SendWebhook(ctx, hook.URL, "whsec_wrong", "invoice.finalized")
	if err != nil || len(statuses) != 1 || statuses[0] != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %v %v, want 401", statuses, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, ",") != "invoice.paid" {
		t.Fatalf("handled %v, want one invoice.paid", got)
	}
}

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1"}}}`)
	now := time.Unix(1_800_000_000, 0)
	good := stripe.Sign(body, now, "whsec_a")
	other := stripe.Sign(body, now, "whsec_b")
	both := good + ",v1=" + strings.Split(other, "v1=")[1]
	cases := []struct {
		name, header string
		at           time.Time
		secrets      []string
		want         error
	}{
		{"valid", good, now, []string{"whsec_a"}, nil},
		{"several v1, one matches", both, now, []string{"whsec_b"}, nil},
		{"rolled secret", good, now, []string{"whsec_new", "whsec_a"}, nil},
		{"wrong secret", good, now, []string{"whsec_x"}, connector.ErrSignatureInvalid},
		{"too old", good, now.Add(301 * time.Second), []string{"whsec_a"}, connector.ErrTimestampStale},
		{"from the future", good, now.Add(-301 * time.Second), []string{"whsec_a"}, connector.ErrTimestampStale},
		{"no t", "v1=" + strings.Split(good, "v1=")[1], now, []string{"whsec_a"}, connector.ErrSignatureInvalid},
		{"v0 only", strings.Replace(good, "v1=", "v0=", 1), now, []string{"whsec_a"}, connector.ErrSignatureInvalid},
		{"empty", "", now, []string{"whsec_a"}, connector.ErrSignatureInvalid},
	}
	for _, c := range cases {
		if err := stripe.VerifySignature(body, c.header, c.at, stripe.Tolerance, c.secrets...); !errors.Is(err, c.want) && !(c.want == nil && err == nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// A body changed after signing fails.
	if err := stripe.VerifySignature(append(body, ' '), good, now, stripe.Tolerance, "whsec_a"); !errors.Is(err, connector.ErrSignatureInvalid) {
		t.Errorf("tampered body: %v", err)
	}
}

// Search follows next_page across pages: 230 matches, 3 pages of 100.
func TestSearchPages(t *testing.T) {
	_, c := sandbox(t, nil)
	ctx := context.Background()
	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 230 {
		ref := "BATCH-7"
		if i%10 == 0 {
			ref = "OTHER"
		}
		if _, err := c.Invoices.Create(ctx, accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: ref, Status: accounting.InvoiceDraft,
			Lines: []accounting.Line{{Description: "mug", Quantity: decimal.One, UnitPrice: money.MustParseAmount("USD", "1.00")}}}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for inv, err := range c.Invoices.Search(ctx, "metadata['reference']:'BATCH-7'") {
		if err != nil {
			t.Fatal(err)
		}
		if seen[inv.ID] || inv.Reference != "BATCH-7" {
			t.Fatalf("invoice %s (%s) repeated or not matching", inv.ID, inv.Reference)
		}
		seen[inv.ID] = true
	}
	if len(seen) != 207 {
		t.Fatalf("%d results, want 207", len(seen))
	}
}

// Stripe-Should-Retry decides over the status: "true" retries a 409 the
// standard rules would not; "false" stops a 500 they would retry.
func TestStripeShouldRetry(t *testing.T) {
	customer := `{"id":"cus_1","object":"customer","name":"Ada","email":"ada@example.com","created":1800000000}`
	lock := `{"error":{"type":"invalid_request_error","code":"lock_timeout","message":"This object cannot be accessed right now because another API request or Stripe process is currently accessing it."}}`
	for _, tc := range []struct {
		name   string
		script []connectortest.Fault
		hits   int
		ok     bool
	}{
		{"true retries a 409", []connectortest.Fault{{Status: 409, Body: lock, Header: http.Header{"Stripe-Should-Retry": {"true"}}}, {Body: customer}}, 2, true},
		{"false stops a 500", []connectortest.Fault{{Status: 500, Body: `{"error":{"type":"api_error","message":"boom"}}`, Header: http.Header{"Stripe-Should-Retry": {"false"}}}, {Body: customer}}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := connectortest.NewServer(t, tc.script...)
			c, err := stripe.New(stripe.Config{Key: "sk_test_x", BaseURL: srv.URL}, connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(fastRetry))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Customers.Create(context.Background(), accounting.Customer{Name: "Ada"}, connector.WithIdempotencyKey("k"))
			if (err == nil) != tc.ok || srv.Hits() != tc.hits {
				t.Fatalf("err %v after %d requests; want ok=%v after %d", err, srv.Hits(), tc.ok, tc.hits)
			}
		})
	}
}

// An invoice carries its first 10 lines; the rest come from its lines list.
func TestInvoiceWithManyLines(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Ada", Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	in := accounting.Invoice{CustomerID: cust.ID, Currency: "USD", Reference: "MANY"}
	for i := range 23 {
		in.Lines = append(in.Lines, accounting.Line{Description: fmt.Sprintf("part %d", i), Quantity: decimal.One,
			UnitPrice: money.MustParseAmount("USD", "1.00"), TaxCode: srv.TaxRate()})
	}
	inv, err := c.Invoices.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Invoices.Get(ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Lines) != 23 || len(got.Lines) != 23 || got.Lines[22].Description != "part 22" || got.Subtotal.Decimal().String() != "23.00" {
		t.Fatalf("created with %d lines, read %d (last %q), subtotal %v", len(inv.Lines), len(got.Lines), got.Lines[len(got.Lines)-1].Description, got.Subtotal)
	}
}
