package quickbooks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/connector"
)

func changes(t *testing.T, client *quickbooks.Client, entity string, since time.Time) map[string]quickbooks.Change {
	t.Helper()
	out := map[string]quickbooks.Change{}
	for ch, err := range client.Changes(context.Background(), entity, since) {
		require.NoError(t, err)
		out[ch.ID] = ch
	}
	return out
}

// A deleted invoice comes out of change data capture as a record with
// status Deleted (Change.Deleted), and no longer from List; a voided one
// is a change like any other (QuickBooks keeps it, zeroed). Deleting
// needs the latest SyncToken.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/changedatacapture
func TestDeletedInvoiceThroughCDC(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	c := newCustomer(t, client, "cdc@example.com")
	since := srv.Now()
	srv.Advance(time.Second)
	gone, err := client.Invoices.Create(ctx, oneLine(c.ID, "ORDER-DEL"))
	require.NoError(t, err)
	voided, err := client.Invoices.Create(ctx, oneLine(c.ID, "ORDER-VOID"))
	require.NoError(t, err)
	srv.Advance(time.Second)
	require.NoError(t, client.Invoices.Delete(ctx, gone.ID))
	_, err = client.Invoices.Void(ctx, voided.ID)
	require.NoError(t, err)

	got := changes(t, client, "Invoice", since)
	require.Contains(t, got, gone.ID)
	assert.True(t, got[gone.ID].Deleted, "the deleted invoice is not marked deleted")
	assert.Equal(t, "Invoice", got[gone.ID].Entity)
	assert.False(t, got[gone.ID].UpdatedAt.Before(srv.Now().Add(-time.Second)), "the deletion's time: %s", got[gone.ID].UpdatedAt)
	require.Contains(t, got, voided.ID)
	assert.False(t, got[voided.ID].Deleted)

	_, err = client.Invoices.Get(ctx, gone.ID)
	require.ErrorIs(t, err, connector.ErrNotFound)
	for inv, err := range client.Invoices.List(ctx, accounting.ListOptions{UpdatedSince: since}) {
		require.NoError(t, err)
		assert.NotEqual(t, gone.ID, inv.ID, "List yields a deleted invoice")
	}
	// Nothing was deleted before since+2s; the deletion is not older than itself.
	assert.NotContains(t, changes(t, client, "Invoice", srv.Now().Add(time.Second)), gone.ID)

	// A delete over a stale SyncToken is refused.
	other, err := client.Invoices.Create(ctx, oneLine(c.ID, "ORDER-DEL2"))
	require.NoError(t, err)
	_, racing := sandboxOn(t, srv, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Method == http.MethodPost {
			srv.Touch(other.ID)
		}
		return http.DefaultTransport.RoundTrip(r)
	}))
	require.ErrorIs(t, racing.Invoices.Delete(ctx, other.ID), connector.ErrConflict)
	assert.Empty(t, changes(t, client, "Customer", srv.Now().Add(time.Second)))
}
