package shopify_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// Two clients of one shop, each with calls in flight and neither seeing
// the other's, stand for two processes: drawing on one shared budget they
// spend the shop's bucket together without a THROTTLED answer. Each
// alone, the shop throttles them (the client's view comes only from its
// own answers).
func TestTwoClientsShareTheShop(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	srv.SetPlan(50, 200) // 5 adjustments of 10 points, 20 a second more
	item := srv.AddProduct("Mug", "MUG-SHARED", 1000)
	budget := connector.NewMemoryBudget()
	clients := make([]*shopify.Client, 2)
	for i := range clients {
		var err error
		clients[i], err = shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
			connector.WithHTTPClient(connectortest.TestClient(t, nil)), connector.WithRetryPolicy(fastRetry),
			connector.WithSharedBudget(budget, "shared-shop"))
		require.NoError(t, err)
	}
	change := []inventory.Change{{ItemID: item, LocationID: srv.LocationID(), Delta: -1, Reason: "correction"}}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				if _, err := clients[i%2].Stock.Adjust(context.Background(), change); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1000-80, srv.Available(item, srv.LocationID()))
	assert.Zero(t, srv.Throttled(), "THROTTLED answers: the two clients overspent the bucket they share")
}
