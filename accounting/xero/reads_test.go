package xero_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/internal/spec"
)

const flaggedInvoice = `{"InvoiceID":"8a8c1c1f-3f1e-4c43-9b4b-6c1a2f7e2f10","InvoiceNumber":"INV-9","Type":"ACCREC","Status":"AUTHORISED",` +
	`"CurrencyCode":"NZD","Reference":"ORDER-9","Total":10.00,"SubTotal":10.00,"TotalTax":0,"AmountDue":10.00,` +
	`"Contact":{"ContactID":"0c0a2f1e-3f1e-4c43-9b4b-6c1a2f7e2f11"},"LineItems":[],` +
	`"HasErrors":false,"ValidationErrors":[{"Message":"Account code '200' has been archived"}]}`

// A record Xero flagged but keeps (ValidationErrors with HasErrors false)
// is read: Get, FindByReference, a list page and a Void answer carry its
// messages as warnings instead of failing. Only a write's rejected element
// (HasErrors true) is an error.
func TestFlaggedRecordsAreRead(t *testing.T) {
	var mu sync.Mutex
	rejectWrite := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reject := rejectWrite
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet:
			fmt.Fprintf(w, `{"Status":"OK","Invoices":[%s]}`, flaggedInvoice)
		case reject:
			fmt.Fprint(w, `{"Status":"OK","Invoices":[{"InvoiceID":"00000000-0000-0000-0000-000000000000","HasErrors":true,`+
				`"ValidationErrors":[{"Message":"Invoice not of valid status for modification"}]}]}`)
		default:
			fmt.Fprintf(w, `{"Status":"OK","Invoices":[%s]}`, strings.Replace(flaggedInvoice, "AUTHORISED", "VOIDED", 1))
		}
	}))
	defer srv.Close()
	client, err := xero.New(xero.Config{BaseURL: srv.URL, Auth: connector.Bearer("xero-token-0001"), TenantID: "t-1"},
		connector.WithHTTPClient(srv.Client()), connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()
	want := []string{"Account code '200' has been archived"}

	inv, err := client.Invoices.Get(ctx, "8a8c1c1f-3f1e-4c43-9b4b-6c1a2f7e2f10")
	require.NoError(t, err)
	assert.Equal(t, want, inv.Warnings)
	inv, err = client.Invoices.FindByReference(ctx, "ORDER-9")
	require.NoError(t, err)
	assert.Equal(t, want, inv.Warnings)
	n := 0
	for inv, err := range client.Invoices.List(ctx, accounting.ListOptions{}) {
		require.NoError(t, err)
		assert.Equal(t, want, inv.Warnings)
		n++
	}
	assert.Equal(t, 1, n)
	voided, err := client.Invoices.Void(ctx, "8a8c1c1f-3f1e-4c43-9b4b-6c1a2f7e2f10")
	require.NoError(t, err)
	assert.Equal(t, accounting.InvoiceVoid, voided.Status)

	mu.Lock()
	rejectWrite = true
	mu.Unlock()
	_, err = client.Invoices.Void(ctx, "8a8c1c1f-3f1e-4c43-9b4b-6c1a2f7e2f10")
	assert.ErrorIs(t, err, connector.ErrValidation)
}

// Items.Get takes an ItemID or a code. The official spec allows only a
// UUID in GET /Items/{ItemID}, so a code goes through the where filter of
// GET /Items: both requests validate against the spec.
func TestItemByIDOrCode(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "xero/xero_accounting.yaml", xeroExceptions...)
	srv := xerotest.NewServer()
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client, err := xero.New(xero.Config{BaseURL: srv.URL(), Auth: srv.Auth(), TenantID: srv.TenantID()},
		connector.WithHTTPClient(&http.Client{Transport: doc.Transport(t, tr)}))
	require.NoError(t, err)
	ctx := context.Background()
	made, err := client.Items.Upsert(ctx, xero.Item{Code: "WIDGET-2", Name: "Widget", UnitPrice: decimal.MustParse("5.00"),
		AccountCode: xerotest.SalesAccount, TaxType: xerotest.TaxType})
	require.NoError(t, err)

	byID, err := client.Items.Get(ctx, made.ID)
	require.NoError(t, err)
	byCode, err := client.Items.Get(ctx, "WIDGET-2")
	require.NoError(t, err)
	assert.Equal(t, made.ID, byID.ID)
	assert.Equal(t, made.ID, byCode.ID)
	_, err = client.Items.Get(ctx, "NO-SUCH-CODE")
	assert.ErrorIs(t, err, connector.ErrNotFound)
}
