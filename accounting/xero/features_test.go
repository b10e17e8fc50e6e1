package xero_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/internal/spec"
)

// Tenants come from /Connections, checked against Xero's identity spec.
func TestConnections(t *testing.T) {
	srv, _, src := sandbox(t, nil)
	tenants, err := xero.Connections(context.Background(), connector.OAuth2(src), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(tenants) != 1 || tenants[0].TenantID != srv.TenantID() || tenants[0].TenantType != "ORGANISATION" {
		t.Fatalf("tenants = %+v", tenants)
	}
}

func TestConformanceConnections(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "xero/xero-identity.yaml", spec.Exception{Operation: "getConnections",
		Contains: `string doesn't match the format "date-time"`, Why: "Xero sends createdDateUtc/updatedDateUtc without a zone"})
	srv, _, src := sandbox(t, nil)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	if _, err := xero.Connections(context.Background(), connector.OAuth2(src), srv.URL,
		connector.WithHTTPClient(&http.Client{Transport: doc.Transport(t, tr)})); err != nil {
		t.Fatal(err)
	}
}

// Every call carries the tenant; the sandbox refuses calls without it.
func TestTenantHeaderRequired(t *testing.T) {
	srv, _, src := sandbox(t, nil)
	other, err := xero.New(xero.Config{BaseURL: srv.APIURL(), TenantID: "00000000-0000-4000-8000-000000000000", Auth: connector.OAuth2(src)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Customers.FindByEmail(context.Background(), "x@example.com"); !errors.Is(err, connector.ErrForbidden) {
		t.Fatalf("wrong tenant: err = %v, want ErrForbidden", err)
	}
}

// Xero allows 5 calls in flight per tenant: 30 parallel calls never go
// over, so none is refused.
func TestConcurrencyCap(t *testing.T) {
	srv, client, _ := sandbox(t, nil)
	ctx := context.Background()
	c, err := client.Customers.Create(ctx, accounting.Customer{Name: "Parallel", Email: "p@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.Requests()
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := client.Customers.Get(ctx, c.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := srv.Requests() - before; got != 30 {
		t.Fatalf("%d requests for 30 calls: some were refused for concurrency and retried", got)
	}
}

// Items: upsert by code twice is one item; lines can name it.
func TestItems(t *testing.T) {
	_, client, _ := sandbox(t, nil)
	ctx := context.Background()
	it := xero.Item{Code: "WIDGET-1", Name: "Widget", UnitPrice: decimal.MustParse("19.99"), AccountCode: xerotest.SalesAccount, TaxType: xerotest.TaxType}
	first, err := client.Items.Upsert(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	it.UnitPrice = decimal.MustParse("21.50")
	second, err := client.Items.Upsert(ctx, it)
	if err != nil || second.ID != first.ID || second.UnitPrice.String() != "21.50" {
		t.Fatalf("second upsert = %+v, %v", second, err)
	}
	all, err := client.Items.List(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("items = %v, %v; want one", all, err)
	}
	got, err := client.Items.Get(ctx, "WIDGET-1")
	if err != nil || got.Name != "Widget" {
		t.Fatalf("Get by code = %v, %v", got, err)
	}
}

// Send emails an approved invoice.
func TestSendInvoice(t *testing.T) {
	_, client, _ := sandbox(t, nil)
	ctx := context.Background()
	c, err := client.Customers.Create(ctx, accounting.Customer{Name: "Send Me", Email: "send@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	price, _ := decimal.Parse("10.00")
	inv, err := client.Invoices.Create(ctx, accounting.Invoice{CustomerID: c.ID, Currency: xerotest.Currency, Reference: "SEND-1",
		DueDate: time.Now().Add(720 * time.Hour), Lines: []accounting.Line{{Description: "x", Quantity: decimal.One,
			UnitPrice: mustAmount(t, price), AccountCode: xerotest.SalesAccount, TaxCode: xerotest.TaxType}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Invoices.Send(ctx, inv.ID); err != nil {
		t.Fatal(err)
	}
	var raw struct{ SentToContact bool }
	got, _ := client.Invoices.Get(ctx, inv.ID)
	if err := json.Unmarshal(got.Raw, &raw); err != nil || !raw.SentToContact {
		t.Fatalf("SentToContact = %v after Send", raw.SentToContact)
	}
}

// With summarizeErrors=false Xero answers 200 and puts each element's
// errors on the element: they come back as ErrValidation, not as success.
func TestElementErrorsInside200(t *testing.T) {
	body := `{"Invoices":[{"InvoiceID":"00000000-0000-0000-0000-000000000000","HasErrors":true,"StatusAttributeString":"ERROR",
	  "ValidationErrors":[{"Message":"Account code '999' is not a valid code for this document."},{"Message":"Due Date is required."}]}]}`
	srv := connectortest.NewServer(t, connectortest.Fault{Body: body})
	client, err := xero.New(xero.Config{BaseURL: srv.URL, TenantID: "t", Auth: connector.Bearer("token-xyz-123")},
		connector.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Invoices.Create(context.Background(), accounting.Invoice{CustomerID: "c"})
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) ||
		apiErr.Message != "Account code '999' is not a valid code for this document.; Due Date is required." {
		t.Fatalf("err = %v, want ErrValidation with both messages", err)
	}
	if got := srv.Requests()[0].Header.Get("Idempotency-Key"); got == "" {
		t.Fatal("the write carried no Idempotency-Key")
	}
}

// Webhooks: the intent-to-receive handshake, typed events, dedup, and
// release on failure.
func TestWebhooks(t *testing.T) {
	const key = "xero-webhook-key-0000"
	var mu sync.Mutex
	var got []xero.Event
	fail := true
	h, err := xero.NewWebhookHandler(key, nil, func(ctx context.Context, events []xero.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			fail = false
			return errors.New("queue down")
		}
		got = append(got, events...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	ctx := context.Background()
	valid, invalid, err := xerotest.IntentToReceive(ctx, receiver.URL, key)
	if err != nil || valid != 200 || invalid != 401 {
		t.Fatalf("intent to receive: %d / %d, %v; want 200 / 401", valid, invalid, err)
	}
	ev := []xero.Event{{ResourceURL: "https://api.xero.com/api.xro/2.0/Invoices/abc", ResourceID: "abc", EventType: "CREATE",
		EventCategory: "INVOICE", TenantID: "tenant-1", TenantType: "ORGANISATION", EventDateUTC: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}}
	for i, want := range []int{500, 200, 200} {
		if status, err := xerotest.SendWebhook(ctx, receiver.URL, key, ev); err != nil || status != want {
			t.Fatalf("delivery %d: %d, %v; want %d", i+1, status, err, want)
		}
	}
	if len(got) != 1 || got[0].EventCategory != "INVOICE" || got[0].ResourceID != "abc" || len(got[0].Raw) == 0 {
		t.Fatalf("events = %+v, want the one invoice event once", got)
	}
}

// The sandbox's signed deliveries match Xero's webhook schema, and the
// handler takes them.
func TestConformanceWebhookPayload(t *testing.T) {
	schema := spec.LoadOpenAPI(t, "xero/xero-webhooks.yaml").Schema(t, "WebhookEvent")
	const key = "xero-webhook-key-0001"
	var handled int
	h, err := xero.NewWebhookHandler(key, nil, func(ctx context.Context, events []xero.Event) error { handled += len(events); return nil })
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := schema.Validate(body); err != nil {
			t.Errorf("delivery does not match Xero's webhook schema: %v", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	defer receiver.Close()
	ev := []xero.Event{{ResourceURL: "https://api.xero.com/api.xro/2.0/Invoices/0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f",
		ResourceID: "0f3b2c58-7a6e-4e8f-9c1d-2b3a4c5d6e7f", EventType: "CREATE", EventCategory: "INVOICE",
		TenantID: "fe79f7dd-b6d4-4a92-ba7b-538af6289c58", TenantType: "ORGANISATION", EventDateUTC: time.Now().UTC()}}
	if status, err := xerotest.SendWebhook(context.Background(), receiver.URL, key, ev); err != nil || status != 200 || handled != 1 {
		t.Fatalf("delivery: %d, %v, %d handled", status, err, handled)
	}
	if err := schema.Validate([]byte(`{"events":[{"eventType":"DELETE"}]}`)); err == nil {
		t.Fatal("the schema check accepts a payload without its required fields")
	}
}

// Xero rotates refresh tokens on every refresh: a client whose access token
// has expired refreshes once, saves the rotated pair, and carries on.
func TestRotatingRefreshThroughClient(t *testing.T) {
	srv := xerotest.NewServer()
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	seed := srv.Provider.IssueToken(-time.Minute)
	store := oauth.NewMemoryStore(seed)
	src, err := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: store, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	client, err := xero.New(xero.Config{BaseURL: srv.APIURL(), TenantID: srv.TenantID(), Auth: connector.OAuth2(src)},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Customers.Create(context.Background(), accounting.Customer{Name: "Rotated", Email: "r@example.com"}); err != nil {
		t.Fatal(err)
	}
	saved, version, _ := store.Load(context.Background())
	if saved.RefreshToken == seed.RefreshToken || version != 2 || srv.Provider.TokenRequests("refresh_token") != 1 {
		t.Fatalf("after one call: version %d, rotated=%v, refreshes=%d", version, saved.RefreshToken != seed.RefreshToken,
			srv.Provider.TokenRequests("refresh_token"))
	}
}
