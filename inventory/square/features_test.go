package square_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/inventory"
	"github.com/patchbay-go/patchbay/inventory/square/squaretest"
)

// A lost answer to BatchChangeInventory, keyed by the caller or not, is
// retried under the same idempotency_key: one change, and the answer
// Square gave the first time.
func TestAdjustAnswerLost(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := srv.AddItem("Mug", "MUG-1", 10)
	change := []inventory.Change{{ItemID: id, LocationID: srv.LocationID(), Delta: -3}}
	srv.LoseNextAnswer()
	left, err := client.Stock.Adjust(ctx, change, connector.WithIdempotencyKey("order-1-stock"))
	require.NoError(t, err)
	assert.Equal(t, 7, left[0].After)
	srv.LoseNextAnswer()
	left, err = client.Stock.Adjust(ctx, change)
	require.NoError(t, err, "an unkeyed Adjust carries a key of its own")
	assert.Equal(t, 4, left[0].After)
	assert.Equal(t, 2, srv.Changes())
	assert.Equal(t, 4, srv.Available(id, srv.LocationID()))
}

// The same key with other changes is Square's IDEMPOTENCY_KEY_REUSED:
// ErrConflict, and nothing applied.
func TestAdjustKeyReused(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := srv.AddItem("Mug", "MUG-1", 10)
	_, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, LocationID: srv.LocationID(), Delta: -1}}, connector.WithIdempotencyKey("k1"))
	require.NoError(t, err)
	_, err = client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, LocationID: srv.LocationID(), Delta: -5}}, connector.WithIdempotencyKey("k1"))
	require.ErrorIs(t, err, connector.ErrConflict)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "IDEMPOTENCY_KEY_REUSED", apiErr.Code)
	assert.Equal(t, 9, srv.Available(id, srv.LocationID()))
}

// Two changes to one pair in one batch each report their own After;
// taking and adding move the states Square documents; Set without
// Expected sets.
func TestAdjustBatch(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := srv.AddItem("Mug", "MUG-1", 10)
	loc := srv.LocationID()
	left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, LocationID: loc, Delta: -4}, {ItemID: id, LocationID: loc, Delta: 6, Reason: "received"},
		{ItemID: id, LocationID: loc, Delta: -1, Reason: "damaged"}})
	require.NoError(t, err)
	assert.Equal(t, []int{6, 12, 11}, []int{left[0].After, left[1].After, left[2].After})
	require.NoError(t, client.Stock.Set(ctx, []inventory.Quantity{{ItemID: id, LocationID: loc, Quantity: 3}}))
	assert.Equal(t, 3, srv.Available(id, loc))
	_, err = client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, LocationID: loc, Delta: 0}})
	require.ErrorIs(t, err, connector.ErrValidation)
}

// Levels of everything, past a page of counts.
func TestLevelsAll(t *testing.T) {
	srv, client := sandbox(t, nil)
	for i := range 130 {
		srv.AddItem("Thing", "T-"+string(rune('A'+i%26))+string(rune('a'+i/26)), i)
	}
	n, sum := 0, 0
	for lv, err := range client.Stock.Levels(context.Background(), inventory.LevelFilter{}) {
		require.NoError(t, err)
		n++
		sum += lv.Available
		assert.Equal(t, lv.Available, lv.OnHand)
	}
	assert.Equal(t, 130, n)
	assert.Equal(t, 129*130/2, sum)
}

// touchOnPut changes the order on the sandbox just before the first
// UpdateOrder reaches it, as the seller would in the dashboard.
func touchOnPut(srv **squaretest.Server, orderID *string, times *atomic.Int32) func(http.RoundTripper) http.RoundTripper {
	return func(next http.RoundTripper) http.RoundTripper {
		return roundTrip(func(r *http.Request) (*http.Response, error) {
			if r.Method == http.MethodPut && times.Add(-1) >= 0 {
				(*srv).TouchOrder(*orderID)
			}
			return next.RoundTrip(r)
		})
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// An order changed between Fulfil's read and its update is
// VERSION_MISMATCH: Fulfil reads it again and succeeds; changed every
// time, it gives up with ErrConflict.
func TestFulfilVersionMismatch(t *testing.T) {
	var srv *squaretest.Server
	var orderID string
	var times atomic.Int32
	srv, client := sandbox(t, touchOnPut(&srv, &orderID, &times))
	ctx := context.Background()
	orderID, _ = srv.PlaceOrder(toSquare(t, sampleOrder()))
	times.Store(1)
	f, err := client.Fulfilments.Fulfil(ctx, orderID, shipment("1"), connector.WithIdempotencyKey("f1"))
	require.NoError(t, err)
	assert.Equal(t, "USPS", f.Carrier)
	assert.Equal(t, []string{"COMPLETED"}, srv.Fulfillments(orderID))

	orderID, _ = srv.PlaceOrder(toSquare(t, sampleOrder()))
	times.Store(10)
	_, err = client.Fulfilments.Fulfil(ctx, orderID, shipment("2"), connector.WithIdempotencyKey("f2"))
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Empty(t, srv.Shipped(orderID))
}

func shipment(n string) inventory.Shipment {
	return inventory.Shipment{Carrier: "USPS", TrackingNumber: "94001" + n, Notify: true}
}

// An order shipped already with another tracking number is ErrConflict;
// an order Square completed cannot have its fulfillment canceled; an
// unknown fulfillment is ErrNotFound.
func TestFulfilRefusals(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _ := srv.PlaceOrder(toSquare(t, sampleOrder()))
	f, err := client.Fulfilments.Fulfil(ctx, id, shipment("1"))
	require.NoError(t, err)
	assert.False(t, f.Notified)
	assert.Contains(t, string(f.Raw), `"state":"COMPLETED"`, "Raw is the fulfillment as Square sent it")
	assert.Contains(t, string(f.Raw), `"uid":"`+f.ID+`"`)
	_, err = client.Fulfilments.Fulfil(ctx, id, shipment("2"))
	require.ErrorIs(t, err, connector.ErrConflict)
	require.ErrorIs(t, client.Fulfilments.Cancel(ctx, id, "NO-SUCH-UID"), connector.ErrNotFound)
	require.True(t, srv.CompleteOrder(id))
	require.ErrorIs(t, client.Fulfilments.Cancel(ctx, id, f.ID), connector.ErrValidation)
	assert.Equal(t, []string{"94001" + "1"}, srv.Shipped(id))
}

// Only one fulfillment can be added through the Orders API: after a
// cancel and a second shipment, a third is refused.
func TestFulfilOneAdded(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _ := srv.PlaceOrder(toSquare(t, sampleOrder()))
	f, err := client.Fulfilments.Fulfil(ctx, id, shipment("1"))
	require.NoError(t, err)
	require.NoError(t, client.Fulfilments.Cancel(ctx, id, f.ID))
	g, err := client.Fulfilments.Fulfil(ctx, id, shipment("2"))
	require.NoError(t, err)
	require.NoError(t, client.Fulfilments.Cancel(ctx, id, g.ID))
	_, err = client.Fulfilments.Fulfil(ctx, id, shipment("3"))
	require.ErrorIs(t, err, connector.ErrValidation)
	assert.Equal(t, []string{"CANCELED", "CANCELED"}, srv.Fulfillments(id))
}

// An order a flow cannot ship (a line with no SKU) is yielded as an
// error naming it, and the list goes on; prices are exact in the
// currency's decimals (JPY has none).
func TestOrdersListUnshippable(t *testing.T) {
	srv, client := sandbox(t, nil)
	good := toSquare(t, sampleOrder())
	srv.PlaceOrder(good)
	srv.Advance(time.Second)
	bad := good
	bad.Lines = []squaretest.OrderLine{{SKU: "", Name: "Gift card", Quantity: 1, Price: 5000}}
	badID, _ := srv.PlaceOrder(bad)
	srv.Advance(time.Second)
	yen := good
	yen.Currency = "JPY"
	yen.Lines = []squaretest.OrderLine{{SKU: "TEA-JP", Name: "Tea", Quantity: 3, Price: 1299}}
	yenID, _ := srv.PlaceOrder(yen)

	var got []*inventory.Order
	var errs []error
	for o, err := range client.Orders.List(context.Background(), time.Time{}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, o)
	}
	require.Len(t, got, 2)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], connector.ErrInvalidResponse)
	assert.ErrorContains(t, errs[0], badID)
	assert.Equal(t, yenID, got[1].ID)
	assert.Equal(t, "1299", got[1].Lines[0].UnitPrice.String())
	assert.Equal(t, "JPY", got[1].Currency)
	assert.Equal(t, "12.99", got[0].Lines[0].UnitPrice.String())
}

// A stock taken at checkout: PlaceOrder moves the tracked variation's
// count down, as Square Online does.
func TestPlaceOrderTakesStock(t *testing.T) {
	srv, _ := sandbox(t, nil)
	id := srv.AddItem("Mug", "MUG-1", 10)
	srv.PlaceOrder(toSquare(t, sampleOrder()))
	assert.Equal(t, 8, srv.Available(id, srv.LocationID()))
}

// A lost answer to UpdateOrder is retried by the client under the same
// idempotency_key (Square answers a repeated key with the order as it is):
// the first call itself succeeds, with one shipment; so does Cancel's.
func TestFulfilAnswerLostRetried(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _ := srv.PlaceOrder(toSquare(t, sampleOrder()))
	srv.LoseNextAnswer()
	f, err := client.Fulfilments.Fulfil(ctx, id, shipment("1"))
	require.NoError(t, err, "not ErrOutcomeUnknown: the update is keyed")
	assert.Equal(t, []string{"COMPLETED"}, srv.Fulfillments(id))
	srv.LoseNextAnswer()
	require.NoError(t, client.Fulfilments.Cancel(ctx, id, f.ID))
	assert.Equal(t, []string{"CANCELED"}, srv.Fulfillments(id))
}

// One key for two different updates of an order is Square's
// IDEMPOTENCY_KEY_REUSED: ErrConflict, and the order unchanged.
func TestUpdateKeyReused(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id, _ := srv.PlaceOrder(toSquare(t, sampleOrder()))
	f, err := client.Fulfilments.Fulfil(ctx, id, shipment("1"), connector.WithIdempotencyKey("k"))
	require.NoError(t, err)
	err = client.Fulfilments.Cancel(ctx, id, f.ID, connector.WithIdempotencyKey("k"))
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Equal(t, []string{"COMPLETED"}, srv.Fulfillments(id))
}

// Square's 429 (RATE_LIMITED, no Retry-After) pauses the whole client
// before the retry; throttled past the retries, it is ErrRateLimited.
func TestThrottledPaces(t *testing.T) {
	srv, client := sandbox(t, nil)
	srv.AddItem("Mug", "MUG-1", 1)
	srv.Throttle(1)
	start := time.Now()
	_, err := client.Items.GetBySKU(context.Background(), "MUG-1")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 400*time.Millisecond, "the retry came before the pause")
	srv.Throttle(5)
	_, err = client.Items.GetBySKU(context.Background(), "MUG-1")
	require.ErrorIs(t, err, connector.ErrRateLimited)
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "RATE_LIMITED", apiErr.Code)
}

// A keyed Set with Expected run twice succeeds twice: the re-run finds
// the count at the quantity it set, and Square replays the key. A stale
// expectation changes nothing.
func TestSetTwiceUnderKey(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := srv.AddItem("Mug", "MUG-1", 5)
	five := 5
	q := []inventory.Quantity{{ItemID: id, LocationID: srv.LocationID(), Quantity: 9, Expected: &five}}
	for range 2 {
		require.NoError(t, client.Stock.Set(ctx, q, connector.WithIdempotencyKey("count-1")))
	}
	assert.Equal(t, 9, srv.Available(id, srv.LocationID()))
	assert.Equal(t, 1, srv.Changes())
	q[0].Quantity = 2
	require.ErrorIs(t, client.Stock.Set(ctx, q), connector.ErrConflict)
	assert.Equal(t, 9, srv.Available(id, srv.LocationID()))
}

// A 5xx before Square did anything is retried: a search (replayable), a
// keyed write; the list completes and the change applies once.
func TestServerErrorsRetried(t *testing.T) {
	srv, client := sandbox(t, nil)
	ctx := context.Background()
	id := srv.AddItem("Mug", "MUG-1", 10)
	for range 3 {
		srv.PlaceOrder(toSquare(t, sampleOrder()))
	}
	srv.FailNext(1, http.StatusServiceUnavailable)
	n := 0
	for _, err := range client.Orders.List(ctx, time.Time{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 3, n)
	srv.FailNext(1, http.StatusInternalServerError)
	left, err := client.Stock.Adjust(ctx, []inventory.Change{{ItemID: id, LocationID: srv.LocationID(), Delta: -1}})
	require.NoError(t, err)
	assert.Equal(t, 3, left[0].After, "10, less 2 × 3 mugs ordered, less 1")
	assert.Equal(t, 4, srv.Changes(), "3 orders and one adjustment")
}

// A guest checkout has no customer profile: the customer is read from the
// shipment's recipient (its display name split at the last space).
func TestGuestCheckout(t *testing.T) {
	srv, client := sandbox(t, nil)
	o := toSquare(t, sampleOrder())
	o.Guest = true
	o.Customer.GivenName = "Ada King"
	id, _ := srv.PlaceOrder(o)
	got, err := client.Orders.Get(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, inventory.Customer{Email: "ada@example.com", FirstName: "Ada King", LastName: "Lovelace", Phone: "+14155550100"}, got.Customer)
	assert.Equal(t, "Ada King Lovelace", got.ShipTo.Name)
}
