package inventorytest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/shipping"
)

// OrdersHarness is one fresh sandbox of a platform that takes orders, a
// client on it, and ways to place orders and look inside.
type OrdersHarness struct {
	Orders      inventory.Orders
	Fulfilments inventory.Fulfilments
	// PlaceOrder places o on the sandbox as a customer would, and returns
	// the order's id and the body of the order-created webhook the
	// platform sends for it (already verified: FromWebhook reads it).
	PlaceOrder func(o NewOrder) (id string, webhookBody []byte)
	// Shipped returns the tracking numbers of the order's fulfilments as
	// the sandbox holds them, cancelled ones left out.
	Shipped func(orderID string) []string
	// LoseNextAnswer makes the sandbox commit the next write and lose its
	// answer, as a connection cut after the commit does.
	LoseNextAnswer func()
	// Advance moves the sandbox's clock on: what is placed after it
	// changed later.
	Advance func(time.Duration)
}

// NewOrder is an order a customer places on a sandbox.
type NewOrder struct {
	Customer inventory.Customer
	Currency string
	Express  bool // the shop's express shipping choice, else its standard one
	ShipTo   shipping.Address
	Lines    []inventory.OrderLine
}

// RunOrders runs the orders contract: get, list updated since, decode
// the order-created webhook, fulfil with tracking exactly once, undo.
// newHarness is called once per subtest.
func RunOrders(t *testing.T, newHarness func(t *testing.T) OrdersHarness) {
	t.Run("GetAndWebhookAgree", func(t *testing.T) { testGetAndWebhook(t, newHarness(t)) })
	t.Run("ListUpdatedSinceOldestFirst", func(t *testing.T) { testListSince(t, newHarness(t)) })
	t.Run("ListPages", func(t *testing.T) { testListPages(t, newHarness(t)) })
	t.Run("FulfilOnceUnderKey", func(t *testing.T) { testFulfilOnce(t, newHarness(t)) })
	t.Run("FulfilAnswerLost", func(t *testing.T) { testFulfilLost(t, newHarness(t)) })
	t.Run("CancelUndoes", func(t *testing.T) { testCancel(t, newHarness(t)) })
	t.Run("TypedErrors", func(t *testing.T) { testOrderErrors(t, newHarness(t)) })
}

func money(s string) decimal.Decimal { return decimal.MustParse(s) }

// sampleOrder is a two-line US order; n makes its email and SKUs its own.
func sampleOrder(n int, express bool) NewOrder {
	return NewOrder{
		Customer: inventory.Customer{Email: fmt.Sprintf("ada%d@example.com", n), FirstName: "Ada", LastName: "Lovelace", Phone: "+14155550100"},
		Currency: "USD",
		Express:  express,
		ShipTo: shipping.Address{Name: "Ada Lovelace", Street1: "215 Clayton St", City: "San Francisco", Region: "CA",
			PostalCode: "94117", Country: "US"},
		Lines: []inventory.OrderLine{
			{SKU: fmt.Sprintf("MUG-%d", n), Title: "Mug", Quantity: 2, UnitPrice: money("12.99")},
			{SKU: fmt.Sprintf("TEA-%d", n), Title: "Tea", Quantity: 1, UnitPrice: money("0.10")},
		},
	}
}

// checkOrder compares what a client read with what was placed.
func checkOrder(t *testing.T, want NewOrder, id string, got *inventory.Order) {
	t.Helper()
	require.NotNil(t, got)
	assert.Equal(t, id, got.ID)
	assert.NotEmpty(t, got.Number)
	assert.Equal(t, want.Customer.Email, got.Customer.Email)
	assert.Equal(t, want.Customer.Name(), got.Customer.Name())
	assert.Equal(t, want.Currency, got.Currency)
	assert.Equal(t, want.Express, got.Express, "shipping choice %q", got.Shipping)
	assert.NotEmpty(t, got.Shipping)
	assert.Equal(t, want.ShipTo.Street1, got.ShipTo.Street1)
	assert.Equal(t, want.ShipTo.City, got.ShipTo.City)
	assert.Equal(t, want.ShipTo.Region, got.ShipTo.Region)
	assert.Equal(t, want.ShipTo.PostalCode, got.ShipTo.PostalCode)
	assert.Equal(t, want.ShipTo.Country, got.ShipTo.Country)
	require.Len(t, got.Lines, len(want.Lines))
	for i, l := range want.Lines {
		assert.Equal(t, l.SKU, got.Lines[i].SKU)
		assert.Equal(t, l.Quantity, got.Lines[i].Quantity)
		assert.True(t, l.UnitPrice.Equal(got.Lines[i].UnitPrice), "line %d unit price %v, placed %v", i, got.Lines[i].UnitPrice, l.UnitPrice)
	}
	assert.False(t, got.UpdatedAt.IsZero())
	assert.NotEmpty(t, got.Raw)
}

func testGetAndWebhook(t *testing.T, h OrdersHarness) {
	ctx := context.Background()
	for i, express := range []bool{false, true} {
		o := sampleOrder(i, express)
		id, body := h.PlaceOrder(o)
		got, err := h.Orders.Get(ctx, id)
		require.NoError(t, err)
		checkOrder(t, o, id, got)
		hooked, err := h.Orders.FromWebhook(ctx, body)
		require.NoError(t, err)
		checkOrder(t, o, id, hooked)
	}
}

func listIDs(t *testing.T, h OrdersHarness, since time.Time) []string {
	t.Helper()
	var ids []string
	for o, err := range h.Orders.List(context.Background(), since) {
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	return ids
}

func testListSince(t *testing.T, h OrdersHarness) {
	var ids []string
	for i := range 3 {
		id, _ := h.PlaceOrder(sampleOrder(i, false))
		ids = append(ids, id)
		h.Advance(time.Minute)
	}
	assert.Equal(t, ids, listIDs(t, h, time.Time{}), "oldest change first")
	second, err := h.Orders.Get(context.Background(), ids[1])
	require.NoError(t, err)
	assert.Equal(t, ids[1:], listIDs(t, h, second.UpdatedAt), "changed at or after the second's change")
}

func testListPages(t *testing.T, h OrdersHarness) {
	const n = 105 // more than one page of the largest page any platform serves but Square's
	want := map[string]bool{}
	for i := range n {
		id, _ := h.PlaceOrder(sampleOrder(i, false))
		want[id] = true
	}
	seen := map[string]bool{}
	for _, id := range listIDs(t, h, time.Time{}) {
		require.False(t, seen[id], "order %s listed twice", id)
		seen[id] = true
	}
	assert.Equal(t, want, seen)
}

func shipment(n string) inventory.Shipment {
	return inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000" + n, Notify: true}
}

func testFulfilOnce(t *testing.T, h OrdersHarness) {
	ctx := context.Background()
	id, _ := h.PlaceOrder(sampleOrder(1, false))
	key := connector.DeriveKey("order", id, "fulfil")
	first, err := h.Fulfilments.Fulfil(ctx, id, shipment("1"), connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	assert.NotEmpty(t, first.ID)
	assert.Equal(t, id, first.OrderID)
	assert.Equal(t, shipment("1").TrackingNumber, first.TrackingNumber)
	again, err := h.Fulfilments.Fulfil(ctx, id, shipment("1"), connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "the same key twice is one fulfilment")
	assert.Equal(t, []string{shipment("1").TrackingNumber}, h.Shipped(id))
}

func testFulfilLost(t *testing.T, h OrdersHarness) {
	ctx := context.Background()
	id, _ := h.PlaceOrder(sampleOrder(1, false))
	key := connector.DeriveKey("order", id, "fulfil")
	h.LoseNextAnswer()
	f, err := h.Fulfilments.Fulfil(ctx, id, shipment("2"), connector.WithIdempotencyKey(key))
	if err != nil {
		// The client may say so; run again under the key, as a flow does.
		require.ErrorIs(t, err, connector.ErrOutcomeUnknown)
		f, err = h.Fulfilments.Fulfil(ctx, id, shipment("2"), connector.WithIdempotencyKey(key))
		require.NoError(t, err)
	}
	assert.Equal(t, shipment("2").TrackingNumber, f.TrackingNumber)
	assert.Equal(t, []string{shipment("2").TrackingNumber}, h.Shipped(id), "one fulfilment after a lost answer")
}

func testCancel(t *testing.T, h OrdersHarness) {
	ctx := context.Background()
	id, _ := h.PlaceOrder(sampleOrder(1, false))
	f, err := h.Fulfilments.Fulfil(ctx, id, shipment("3"), connector.WithIdempotencyKey(connector.DeriveKey("order", id, "fulfil")))
	require.NoError(t, err)
	require.NoError(t, h.Fulfilments.Cancel(ctx, id, f.ID))
	assert.Empty(t, h.Shipped(id), "cancelled")
	require.NoError(t, h.Fulfilments.Cancel(ctx, id, f.ID), "cancelling twice is no error")
	_, err = h.Fulfilments.Fulfil(ctx, id, shipment("4"), connector.WithIdempotencyKey(connector.DeriveKey("order", id, "fulfil", "again")))
	require.NoError(t, err, "a cancelled order can be fulfilled again")
	assert.Equal(t, []string{shipment("4").TrackingNumber}, h.Shipped(id))
}

func testOrderErrors(t *testing.T, h OrdersHarness) {
	ctx := context.Background()
	h.PlaceOrder(sampleOrder(1, false))
	_, err := h.Orders.Get(ctx, "987654321")
	require.ErrorIs(t, err, connector.ErrNotFound, "unknown order")
	_, err = h.Fulfilments.Fulfil(ctx, "987654321", shipment("5"), connector.WithIdempotencyKey("unknown-order"))
	require.ErrorIs(t, err, connector.ErrNotFound, "fulfilling an unknown order")
	for _, body := range []string{``, `not json`, `{}`, `[]`} {
		_, err = h.Orders.FromWebhook(ctx, []byte(body))
		require.ErrorIs(t, err, connector.ErrInvalidResponse, "webhook body %q", body)
	}
}
