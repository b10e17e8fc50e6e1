package xero_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// When Xero tells one client the tenant's minute is spent, another
// client sharing the tenant's budget (another process) waits for the
// minute rather than be refused: a call that cannot wait that long is
// not sent.
func TestSpentMinuteHoldsTheOtherClient(t *testing.T) {
	srv := xerotest.NewServer()
	t.Cleanup(srv.Close)
	budget := connector.NewMemoryBudget()
	newClient := func() *xero.Client {
		c, err := xero.New(xero.Config{BaseURL: srv.URL(), Auth: srv.Auth(), TenantID: srv.TenantID()},
			connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry),
			connector.WithSharedBudget(budget, srv.TenantID()))
		require.NoError(t, err)
		return c
	}
	a, b := newClient(), newClient()
	ctx := context.Background()
	_, err := a.Customers.FindByEmail(ctx, "nobody@example.com")
	require.ErrorIs(t, err, connector.ErrNotFound)

	srv.Throttle(1) // 429, X-MinLimit-Remaining: 0
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = a.Customers.FindByEmail(short, "nobody@example.com")
	require.True(t, errors.Is(err, connector.ErrRateLimited), "err = %v", err)

	before := srv.Requests()
	short2, cancel2 := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel2()
	_, err = b.Customers.FindByEmail(short2, "nobody@example.com")
	require.True(t, errors.Is(err, connector.ErrRateLimited), "the other client after the minute was spent: err = %v", err)
	require.Equal(t, before, srv.Requests(), "the other client's call was sent into a spent minute")
}
