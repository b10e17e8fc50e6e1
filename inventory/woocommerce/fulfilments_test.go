package woocommerce_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/woocommerce"
	"github.com/patchbay-go/patchbay/inventory/woocommerce/woocommercetest"
)

var mugOrder = woocommercetest.NewOrder{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace", Currency: "USD",
	Address: woocommercetest.Address{Street: "215 Clayton St", City: "San Francisco", Region: "CA", PostalCode: "94117", Country: "US"},
	Lines:   []woocommercetest.OrderLine{{SKU: "MUG", Title: "Mug", Quantity: 2, Price: "12.99"}}}

// Fulfil completes the order with one note, a customer note (emailed)
// when the shipment says Notify, a private one otherwise; Cancel deletes
// the note and sets the order back to processing.
func TestFulfilNoteAndStatus(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	for _, notify := range []bool{true, false} {
		id, _, err := srv.PlaceOrder(mugOrder)
		require.NoError(t, err)
		oid := strconv.FormatInt(id, 10)
		s := inventory.Shipment{Carrier: "UPS", TrackingNumber: "1Z999AA10123456784", TrackingURL: "https://www.ups.com/track?tracknum=1Z999AA10123456784", Notify: notify}
		f, err := client.Fulfilments.Fulfil(ctx, oid, s, connector.WithIdempotencyKey("fulfil-"+oid))
		require.NoError(t, err)
		assert.Equal(t, notify, f.Notified)
		assert.Equal(t, "completed", srv.Status(id))
		texts, customer := srv.Notes(id)
		require.Equal(t, []string{woocommerce.TrackingNote(s)}, texts)
		assert.Equal(t, map[bool]int{true: 1, false: 0}[notify], customer, "customer notes")

		require.NoError(t, client.Fulfilments.Cancel(ctx, oid, f.ID))
		assert.Equal(t, "processing", srv.Status(id))
		texts, _ = srv.Notes(id)
		assert.Empty(t, texts)
	}
}

// A run that wrote the note and stopped before recording the fulfilment
// (a crash): the repeat under the key finds the note by its text and
// writes no second one.
func TestFulfilFindsNoteOfACrashedRun(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	oid := strconv.FormatInt(id, 10)
	s := inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000777", Notify: true}
	req, err := client.NewRequest(ctx, http.MethodPost, "/orders/"+oid+"/notes",
		bytes.NewReader([]byte(`{"note":"`+woocommerce.TrackingNote(s)+`","customer_note":true}`)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(ctx, req)
	require.NoError(t, err)
	resp.Body.Close()

	f, err := client.Fulfilments.Fulfil(ctx, oid, s, connector.WithIdempotencyKey("crashed-run"))
	require.NoError(t, err)
	assert.Equal(t, []string{s.TrackingNumber}, srv.Shipped(id), "one note")
	assert.Equal(t, "completed", srv.Status(id))
	again, err := client.Fulfilments.Fulfil(ctx, oid, s, connector.WithIdempotencyKey("crashed-run"))
	require.NoError(t, err)
	assert.Equal(t, f.ID, again.ID)
}

// WithNewKey skips the look-ups: a note and the order's update, two
// requests.
func TestFulfilNewKeyTwoRequests(t *testing.T) {
	srv, client := sandbox(t, nil)
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	before := srv.Requests()
	_, err = client.Fulfilments.Fulfil(context.Background(), strconv.FormatInt(id, 10), inventory.Shipment{Carrier: "DHL Express", TrackingNumber: "1234567890"},
		connector.WithIdempotencyKey("new-key"), connector.WithNewKey())
	require.NoError(t, err)
	assert.Equal(t, 2, srv.Requests()-before)
}

// Fulfil refuses a shipment without carrier or tracking number, and a
// Cancel of a note the order does not have is no error (cancelled already).
func TestFulfilRefusals(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	oid := strconv.FormatInt(id, 10)
	_, err = client.Fulfilments.Fulfil(ctx, oid, inventory.Shipment{Carrier: "UPS"})
	assert.ErrorIs(t, err, connector.ErrValidation)
	_, err = client.Fulfilments.Fulfil(ctx, "not-an-id", inventory.Shipment{Carrier: "UPS", TrackingNumber: "1"})
	assert.ErrorIs(t, err, connector.ErrNotFound)
	assert.NoError(t, client.Fulfilments.Cancel(ctx, oid, "999999"))
	assert.Equal(t, "processing", srv.Status(id))
	assert.ErrorIs(t, client.Fulfilments.Cancel(ctx, oid, "x"), connector.ErrValidation)
}

// Checkout takes stock of the products that manage it, as WooCommerce
// does; the order lists its lines by SKU with exact unit prices.
func TestPlaceOrderTakesStock(t *testing.T) {
	srv, client := sandbox(t, nil)
	pid := srv.AddProduct("Mug", "MUG", 5)
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Stock(pid))
	o, err := client.Orders.Get(context.Background(), strconv.FormatInt(id, 10))
	require.NoError(t, err)
	assert.Equal(t, "MUG", o.Lines[0].SKU)
	assert.Equal(t, "12.99", o.Lines[0].UnitPrice.String())
	assert.Equal(t, "Flat rate", o.Shipping)
	assert.False(t, o.Express)
}

// A note whose answer is lost, under a key the caller says is new (no
// look-up before): Fulfil looks for the note before writing it again.
func TestFulfilNoteAnswerLostNewKey(t *testing.T) {
	srv, client := sandbox(t, nil)
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	srv.LoseNextAnswer()
	s := inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000888"}
	_, err = client.Fulfilments.Fulfil(context.Background(), strconv.FormatInt(id, 10), s, connector.WithIdempotencyKey("lost-new"), connector.WithNewKey())
	require.NoError(t, err)
	assert.Equal(t, []string{s.TrackingNumber}, srv.Shipped(id))
}

// A repeat under a key finds the fulfilment's record in the order and
// writes nothing, one read; after a Cancel the key stays spent: the
// repeat reports the first fulfilment and adds no note (a new fulfilment
// takes a new key).
func TestFulfilRepeatReadsTheRecord(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _, err := srv.PlaceOrder(mugOrder)
	require.NoError(t, err)
	oid := strconv.FormatInt(id, 10)
	s := inventory.Shipment{Carrier: "USPS", TrackingNumber: "9400100000000000000999"}
	key := connector.WithIdempotencyKey(connector.DeriveKey("order", oid, "fulfil"))
	f, err := client.Fulfilments.Fulfil(ctx, oid, s, key)
	require.NoError(t, err)
	before := srv.Requests()
	again, err := client.Fulfilments.Fulfil(ctx, oid, s, key)
	require.NoError(t, err)
	assert.Equal(t, f, again)
	assert.Equal(t, 1, srv.Requests()-before, "one read, no write")

	require.NoError(t, client.Fulfilments.Cancel(ctx, oid, f.ID))
	after, err := client.Fulfilments.Fulfil(ctx, oid, s, key)
	require.NoError(t, err)
	assert.Equal(t, f.ID, after.ID)
	assert.Empty(t, srv.Shipped(id), "the spent key wrote no note")
	assert.Equal(t, "processing", srv.Status(id))
}
