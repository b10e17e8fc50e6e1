package stripe_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/govalues/money"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	c, err := stripe.New(stripe.Config{BaseURL: srv.URL, Auth: connector.Bearer(sentinel)}, connector.WithLogger(logger), connector.WithRetryPolicy(fastRetry))
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
			c, err := stripe.New(stripe.Config{BaseURL: srv.URL, Auth: connector.Bearer("sk_test_x")}, connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(fastRetry))
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

// UpdatedSince reads events twice: newest first for each object's latest
// event, then oldest first from the oldest, yielding each object once at
// its latest event, with UpdatedAt the time of that event (Stripe objects
// have none of their own). Events about other objects that customer.*
// also matches (subscriptions) and deleted objects are skipped.
func TestUpdatedSinceFromEvents(t *testing.T) {
	ev := func(id, typ string, at int, object string) string {
		return `{"id":"` + id + `","object":"event","type":"` + typ + `","created":` + strconv.Itoa(1_800_000_000+at) + `,"data":{"object":` + object + `}}`
	}
	events := []string{ // newest first, as Stripe lists them
		ev("evt_5", "customer.subscription.created", 500, `{"id":"sub_1","object":"subscription","customer":"cus_1"}`),
		ev("evt_4", "customer.updated", 400, `{"id":"cus_1","object":"customer","name":"Ada L","created":1700000000}`),
		ev("evt_3", "customer.deleted", 300, `{"id":"cus_2","object":"customer","name":"Gone","created":1700000000}`),
		ev("evt_2", "customer.created", 200, `{"id":"cus_3","object":"customer","name":"Grace","created":1800000200}`),
		ev("evt_1", "customer.created", 100, `{"id":"cus_1","object":"customer","name":"Ada","created":1700000000}`),
		ev("evt_0", "customer.created", 0, `{"id":"cus_2","object":"customer","name":"Gone","created":1700000000}`),
	}
	page := func(items []string) string {
		return `{"object":"list","url":"/v1/events","has_more":false,"data":[` + strings.Join(items, ",") + `]}`
	}
	srv := connectortest.NewServer(t, connectortest.Fault{Body: page(events)}, connectortest.Fault{Body: page(events[:5])})
	c, err := stripe.New(stripe.Config{BaseURL: srv.URL, Auth: connector.Bearer("sk_test_x")}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	var got []string
	for cust, err := range c.Customers.List(context.Background(), accounting.ListOptions{UpdatedSince: time.Unix(1_799_999_000, 0)}) {
		require.NoError(t, err)
		got = append(got, cust.ID+" "+cust.Name+" "+strconv.FormatInt(cust.UpdatedAt.Unix()-1_800_000_000, 10))
	}
	assert.Equal(t, []string{"cus_3 Grace 200", "cus_1 Ada L 400"}, got)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, "/v1/events", r.Path)
		assert.Contains(t, r.Query, "type=customer.%2A")
		assert.Contains(t, r.Query, "created%5Bgte%5D=1799999000")
	}
	assert.NotContains(t, reqs[0].Query, "ending_before")
	assert.Contains(t, reqs[1].Query, "ending_before=evt_0")
}

// Past a page of events both ways, on the sandbox: 130 customers made,
// then the first changed, list as made with the first last.
func TestUpdatedSincePages(t *testing.T) {
	srv, c := sandbox(t, nil)
	ctx := context.Background()
	srv.Advance(time.Hour)
	mark := srv.Now()
	var want []string
	for i := range 130 {
		cust, err := c.Customers.Create(ctx, accounting.Customer{Name: "Customer " + strconv.Itoa(i), Email: "c" + strconv.Itoa(i) + "@example.com"})
		require.NoError(t, err)
		want = append(want, cust.ID)
	}
	srv.Advance(time.Minute)
	_, err := c.Customers.Upsert(ctx, accounting.Customer{Name: "Customer 0", Email: "c0@example.com", Phone: "555 0100"})
	require.NoError(t, err)
	want = append(want[1:], want[0])
	before := srv.Requests()
	var got []string
	var last time.Time
	for cust, err := range c.Customers.List(ctx, accounting.ListOptions{UpdatedSince: mark}) {
		require.NoError(t, err)
		require.False(t, cust.UpdatedAt.Before(last), "%s updated at %v, before %v", cust.ID, cust.UpdatedAt, last)
		last = cust.UpdatedAt
		got = append(got, cust.ID)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 4, srv.Requests()-before, "2 pages newest first, 2 oldest first")
}
