package xero_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	srv, _ := sandbox(t, nil)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	tenants, err := xero.Connections(context.Background(), srv.Auth(), srv.IdentityURL(), connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	require.Len(t, tenants, 1)
	assert.Equal(t, srv.TenantID(), tenants[0].TenantID)
	assert.Equal(t, "ORGANISATION", tenants[0].TenantType)
}

func TestConformanceConnections(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "xero/xero-identity.yaml", spec.Exception{Operation: "getConnections",
		Contains: `string doesn't match the format "date-time"`, Why: "Xero sends createdDateUtc/updatedDateUtc without a zone"})
	srv, _ := sandbox(t, nil)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	if _, err := xero.Connections(context.Background(), srv.Auth(), srv.IdentityURL(),
		connector.WithHTTPClient(&http.Client{Transport: doc.Transport(t, tr)})); err != nil {
		t.Fatal(err)
	}
}

// Every call carries the tenant; the sandbox refuses calls without it.
func TestTenantHeaderRequired(t *testing.T) {
	srv, _ := sandbox(t, nil)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	other, err := xero.New(xero.Config{BaseURL: srv.URL(), Auth: srv.Auth(), TenantID: "00000000-0000-4000-8000-000000000000"},
		connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)
	_, err = other.Customers.FindByEmail(context.Background(), "x@example.com")
	assert.ErrorIs(t, err, connector.ErrForbidden, "wrong tenant")
}

// Xero allows 5 calls in flight per tenant: 30 parallel calls never go
// over, so none is refused.
func TestConcurrencyCap(t *testing.T) {
	srv, client := sandbox(t, nil)
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
	_, client := sandbox(t, nil)
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
	_, client := sandbox(t, nil)
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
	client, err := xero.New(xero.Config{BaseURL: srv.URL, Auth: connector.Bearer("token-xyz-123"), TenantID: "t"},
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
	client, err := xero.New(xero.Config{BaseURL: srv.URL(), Auth: connector.OAuth2(src), TenantID: srv.TenantID()},
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
