package shopify_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/inventorytest"
	"github.com/patchbay-go/patchbay/inventory/shopify"
	"github.com/patchbay-go/patchbay/inventory/shopify/shopifytest"
)

// sandboxOrder is the contract's order as the sandbox takes it.
func sandboxOrder(o inventorytest.NewOrder) shopifytest.NewOrder {
	n := shopifytest.NewOrder{Email: o.Customer.Email, FirstName: o.Customer.FirstName, LastName: o.Customer.LastName,
		Currency: o.Currency, Express: o.Express, Address: shopifytest.OrderAddress{Street: o.ShipTo.Street1, City: o.ShipTo.City,
			Region: o.ShipTo.Region, PostalCode: o.ShipTo.PostalCode, Country: o.ShipTo.Country}}
	for _, l := range o.Lines {
		n.Lines = append(n.Lines, shopifytest.OrderLine{SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, Price: l.UnitPrice.String()})
	}
	return n
}

func ordersHarness(t *testing.T, srv *shopifytest.Server, client *shopify.Client) inventorytest.OrdersHarness {
	return inventorytest.OrdersHarness{Orders: client.Orders, Fulfilments: client.Fulfilments,
		PlaceOrder: func(o inventorytest.NewOrder) (string, []byte) {
			id, body, err := srv.OrderWebhook(sandboxOrder(o))
			require.NoError(t, err)
			return strconv.FormatInt(id, 10), body
		},
		Shipped: srv.Shipped, LoseNextAnswer: srv.LoseNextAnswer, Advance: srv.Advance}
}

// The orders contract, on the sandbox.
func TestOrdersContract(t *testing.T) {
	inventorytest.RunOrders(t, func(t *testing.T) inventorytest.OrdersHarness {
		srv, client := sandbox(t, nil)
		return ordersHarness(t, srv, client)
	})
}

// The orders contract again, every document and its variables validated
// against the Admin schema by the client's transport and by the sandbox.
func TestConformanceOrdersContract(t *testing.T) {
	schema := spec.LoadGraphQL(t, "shopify/admin_schema_unstable_2024-12-18.graphql")
	inventorytest.RunOrders(t, func(t *testing.T) inventorytest.OrdersHarness {
		srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper {
			return schema.Transport(t, next, shopifyExceptions...)
		}, shopifytest.WithSchema(schema.Schema()))
		return ordersHarness(t, srv, client)
	})
}

func placeOne(t *testing.T, srv *shopifytest.Server) string {
	t.Helper()
	id, _, err := srv.OrderWebhook(order)
	require.NoError(t, err)
	return strconv.FormatInt(id, 10)
}

var usps = inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000001", TrackingURL: "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400100000000000000001", Notify: true}

// A lost answer is retried by the client within the call, under the same
// @idempotent key, and Shopify answers it with the fulfillment it made:
// one call, one fulfillment, with or without the caller's key.
func TestFulfilLostAnswerRetriedUnderKey(t *testing.T) {
	for _, opts := range [][]connector.CallOption{{connector.WithIdempotencyKey("order-1-fulfil")}, nil} {
		srv, client := sandbox(t, nil)
		id := placeOne(t, srv)
		srv.LoseNextAnswer()
		f, err := client.Fulfilments.Fulfil(context.Background(), id, usps, opts...)
		require.NoError(t, err, "keyed %v", opts != nil)
		assert.Equal(t, usps.TrackingNumber, f.TrackingNumber)
		assert.Equal(t, "USPS", f.Carrier)
		assert.True(t, f.Notified)
		assert.Equal(t, id, f.OrderID)
		assert.Equal(t, []string{usps.TrackingNumber}, srv.Shipped(id))
	}
}

// A second Fulfil, under another key, finds the fulfillment with its
// tracking number instead of asking Shopify again (whose fulfillment
// orders are closed by then); another tracking number for an order
// shipped whole is a conflict.
func TestFulfilFindsWhatShipped(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := placeOne(t, srv)
	first, err := client.Fulfilments.Fulfil(ctx, id, usps, connector.WithIdempotencyKey("a"))
	require.NoError(t, err)
	again, err := client.Fulfilments.Fulfil(ctx, id, usps, connector.WithIdempotencyKey("b"), connector.WithNewKey())
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID)
	assert.Equal(t, []string{usps.TrackingNumber}, srv.Shipped(id))

	other := usps
	other.TrackingNumber = "9400100000000000000002"
	_, err = client.Fulfilments.Fulfil(ctx, id, other, connector.WithIdempotencyKey("c"))
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Equal(t, []string{usps.TrackingNumber}, srv.Shipped(id))
}

// Shipment.Notify is notifyCustomer: Shopify sends its shipping
// confirmation, and Notified says so.
func TestFulfilNotifies(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	quiet := usps
	quiet.Notify = false
	f, err := client.Fulfilments.Fulfil(ctx, placeOne(t, srv), quiet)
	require.NoError(t, err)
	assert.False(t, f.Notified)
	assert.Zero(t, srv.Notifications())
	f, err = client.Fulfilments.Fulfil(ctx, placeOne(t, srv), usps)
	require.NoError(t, err)
	assert.True(t, f.Notified)
	assert.Equal(t, 1, srv.Notifications())
}

// A fulfilment changes the order: List since its last change yields it
// again, last.
func TestFulfilMovesUpdatedAt(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	ids := placeOrders(t, srv, 3)
	before, err := client.Orders.Get(ctx, ids[0])
	require.NoError(t, err)
	srv.Advance(time.Hour)
	f, err := client.Fulfilments.Fulfil(ctx, ids[0], usps)
	require.NoError(t, err)
	after, err := client.Orders.Get(ctx, ids[0])
	require.NoError(t, err)
	assert.True(t, after.UpdatedAt.After(before.UpdatedAt), "updatedAt %v, was %v", after.UpdatedAt, before.UpdatedAt)
	assert.Equal(t, []string{ids[1], ids[2], ids[0]}, orderIDs(listOrders(t, client, before.UpdatedAt)))

	srv.Advance(time.Hour)
	require.NoError(t, client.Fulfilments.Cancel(ctx, ids[0], f.ID))
	cancelled, err := client.Orders.Get(ctx, ids[0])
	require.NoError(t, err)
	assert.True(t, cancelled.UpdatedAt.After(after.UpdatedAt))
}

// A cancel whose answer is lost is sent again (cancelling twice undoes
// nothing more), and Shopify's refusal of the second is no error.
func TestCancelLostAnswer(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := placeOne(t, srv)
	f, err := client.Fulfilments.Fulfil(ctx, id, usps)
	require.NoError(t, err)
	srv.LoseNextAnswer()
	require.NoError(t, client.Fulfilments.Cancel(ctx, id, f.ID))
	assert.Empty(t, srv.Shipped(id))
	require.NoError(t, client.Fulfilments.Cancel(ctx, id, "gid://shopify/Fulfillment/"+f.ID), "a global id names it too")
}

// Typed errors: an unknown fulfillment, ids that are not Shopify's, a
// shipment without tracking number.
func TestFulfilmentErrors(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := placeOne(t, srv)
	require.ErrorIs(t, client.Fulfilments.Cancel(ctx, id, "987654321"), connector.ErrNotFound)
	require.ErrorIs(t, client.Fulfilments.Cancel(ctx, id, "F-1"), connector.ErrValidation)
	_, err := client.Fulfilments.Fulfil(ctx, "shopify-"+id, usps)
	require.ErrorIs(t, err, connector.ErrValidation)
	_, err = client.Orders.Get(ctx, "#1001")
	require.ErrorIs(t, err, connector.ErrValidation)
	_, err = client.Fulfilments.Fulfil(ctx, id, inventory.Shipment{Carrier: "USPS"})
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Empty(t, srv.Shipped(id))
}
