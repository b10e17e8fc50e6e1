package shopify_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/shopify"
)

// A sentinel access token never reaches an error or a log line, even when
// Shopify's answers echo it back: in an HTTP error, in a GraphQL error of
// a 200 answer, in a mutation's userErrors (a stock change's, a
// fulfilment's), in a gateway's page.
func TestSecretNeverLeaks(t *testing.T) {
	const sentinel = "shpat_SENTINEL5e0c2b7a91d4f00d"
	srv := connectortest.NewServer(t,
		connectortest.Fault{Status: 401, Body: `{"errors":"[API] Invalid API key or access token (` + sentinel + `)"}`},
		connectortest.Fault{Status: 200, Body: `{"errors":[{"message":"token ` + sentinel + ` lacks read_inventory","extensions":{"code":"ACCESS_DENIED"}}]}`},
		connectortest.Fault{Status: 200, Body: `{"data":{"inventoryAdjustQuantities":{"inventoryAdjustmentGroup":null,` +
			`"userErrors":[{"field":["input"],"message":"no access for ` + sentinel + `","code":"INVALID"}]}}}`},
		connectortest.Fault{Status: 503, Header: http.Header{"Content-Type": {"text/html"}}, Body: "<h1>Shopify is down</h1> token " + sentinel},
		connectortest.Fault{Status: 200, Body: `{"data":{"order":{"id":"gid://shopify/Order/1","fulfillments":[],"fulfillmentOrders":{"nodes":[` +
			`{"id":"gid://shopify/FulfillmentOrder/1","status":"OPEN","assignedLocation":{"location":{"id":"gid://shopify/Location/1"}}}]}}}}`},
		connectortest.Fault{Status: 200, Body: `{"data":{"fulfillmentCreate":{"fulfillment":null,` +
			`"userErrors":[{"field":["fulfillment"],"message":"no access for ` + sentinel + `"}]}}}`},
	)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, err := shopify.New(shopify.Config{BaseURL: srv.URL, Auth: shopify.AccessToken(sentinel)},
		connector.WithHTTPClient(srv.Client()), connector.WithLogger(logger),
		connector.WithRetryPolicy(connector.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	ctx := context.Background()

	_, err = client.Items.GetBySKU(ctx, "MUG-1")
	assert.ErrorIs(t, err, connector.ErrUnauthorized)
	assert.ErrorContains(t, err, "Invalid API key", "Shopify's message is kept")
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Items.GetBySKU(ctx, "MUG-1")
	assert.ErrorIs(t, err, connector.ErrForbidden)
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Stock.Adjust(ctx, []inventory.Change{{ItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/1", Delta: 1}})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)
	// A 503 on a query is ErrOutcomeUnknown for now, not ErrUnavailable:
	// the connector counts a call as keyed only when the key goes in a
	// header (TestRetriesKeyedCalls). Here only the text matters.
	_, err = client.Items.GetBySKU(ctx, "MUG-1")
	connectortest.CheckNoSecret(t, err, sentinel)
	_, err = client.Fulfilments.Fulfil(ctx, "1", inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000001"})
	assert.ErrorIs(t, err, connector.ErrValidation)
	connectortest.CheckNoSecret(t, err, sentinel)

	require.Equal(t, 6, srv.Hits())
	for _, r := range srv.Requests() {
		require.Equal(t, sentinel, r.Header.Get("X-Shopify-Access-Token"), "the credential was not sent: the test proves nothing")
	}
	require.NotEmpty(t, logs.String(), "nothing was logged: the test proves nothing")
	assert.NotContains(t, logs.String(), sentinel, "a log line carries the credential")
}
