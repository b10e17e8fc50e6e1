package shopify_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/inventory/inventorytest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = connector.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: time.Second}

func sandbox(t *testing.T, wrap func(http.RoundTripper) http.RoundTripper, opts ...shopifytest.Option) (*shopifytest.Server, *shopify.Client) {
	t.Helper()
	srv := shopifytest.NewServer(opts...)
	t.Cleanup(srv.Close)
	client, err := shopify.New(shopify.Config{BaseURL: srv.URL(), Auth: srv.Auth()},
		connector.WithHTTPClient(connectortest.TestClient(t, wrap)), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	return srv, client
}

func harness(t *testing.T) inventorytest.Harness {
	srv, client := sandbox(t, nil)
	return inventorytest.Harness{Items: client.Items, Locations: client.Locations, Stock: client.Stock,
		AddItem: func(sku string, qty int) { srv.AddProduct("Product "+sku, sku, qty) }, Throttle: srv.Throttle}
}

// The inventory contract, on the sandbox.
func TestContract(t *testing.T) { inventorytest.Run(t, harness) }

// shopifyExceptions are gaps between the saved Admin schemas (2025-01,
// unstable 2024-12) and the pinned version 2026-01.
var shopifyExceptions = []spec.GraphQLException{{
	Contains: "idempotent",
	Why: "@idempotent(key:) on inventoryAdjustQuantities and inventorySetQuantities arrived in 2026-01 " +
		"(https://shopify.dev/changelog/compare-and-swap-for-inventory-mutations-with-change-from-quantity); " +
		"fulfillmentCreate carries it too, with a lookup by tracking number behind it (see doc.go)",
}}

// The contract again: every document and its variables validated against
// the Admin schema, and the sandbox validating what it receives too.
func TestConformanceContract(t *testing.T) {
	schema := spec.LoadGraphQL(t, "shopify/admin_schema_unstable_2024-12-18.graphql")
	inventorytest.Run(t, func(t *testing.T) inventorytest.Harness {
		srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper {
			return schema.Transport(t, next, shopifyExceptions...)
		}, shopifytest.WithSchema(schema.Schema()))
		return inventorytest.Harness{Items: client.Items, Locations: client.Locations, Stock: client.Stock,
			AddItem: func(sku string, qty int) { srv.AddProduct("Product "+sku, sku, qty) }, Throttle: srv.Throttle}
	})
}
