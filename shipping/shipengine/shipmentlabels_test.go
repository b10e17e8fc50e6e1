package shipengine_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/shipping"
	"github.com/patchbay-go/patchbay/shipping/shipengine"
	"github.com/patchbay-go/patchbay/shipping/shipengine/shipenginetest"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

var priority = shipengine.Shipment{CarrierID: "se-100001", ServiceCode: "usps_priority_mail",
	From: shippingtest.From, To: shippingtest.To, Parcels: []shipping.Parcel{shippingtest.Box}}

// testBuyForShipment: a label bought from a shipment under a key is bought
// once, when the same key comes twice, when the answer is lost after the
// charge, and when the caller wrongly says a used key is new.
// lookupCalls is what the lookup of a key costs: 1 on ShipEngine, 2 on
// ShipStation API v2 (the shipment, then its labels).
func testBuyForShipment(t *testing.T, srv *shipenginetest.Server, client *shipengine.Client, lookupCalls int) {
	ctx := context.Background()

	t.Run("TwiceOneKeyOneLabel", func(t *testing.T) {
		first, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2001-label"))
		require.NoError(t, err)
		assert.Equal(t, shipping.LabelCreated, first.Status)
		assert.NotEmpty(t, first.TrackingNumber)
		before, calls := srv.Purchases(), srv.Requests()
		again, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2001-label"))
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, before, srv.Purchases(), "charges")
		assert.Equal(t, lookupCalls, srv.Requests()-calls, "found by the lookup, no purchase attempted")
	})

	t.Run("LostAnswerAfterCharge", func(t *testing.T) {
		before := srv.Purchases()
		srv.LoseNextPurchaseAnswer()
		l, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2002-label"))
		require.NoError(t, err, "BuyForShipment after a lost answer")
		assert.Equal(t, before+1, srv.Purchases(), "charges")
		again, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2002-label"))
		require.NoError(t, err)
		assert.Equal(t, l.ID, again.ID)
		assert.Equal(t, before+1, srv.Purchases(), "charges")

		// WithNewKey skips the first lookup, not the one after a lost answer.
		srv.LoseNextPurchaseAnswer()
		_, err = client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2003-label"), connector.WithNewKey())
		require.NoError(t, err)
		assert.Equal(t, before+2, srv.Purchases(), "charges")
	})

	t.Run("UsedKeyCalledNew", func(t *testing.T) {
		first, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2004-label"))
		require.NoError(t, err)
		before := srv.Purchases()
		// The platform refuses the duplicate external_shipment_id; the
		// label bought under it is the answer.
		again, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2004-label"), connector.WithNewKey())
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, before, srv.Purchases(), "charges")
	})

	t.Run("LongKey", func(t *testing.T) {
		key := "order-2005-label-" + strings.Repeat("x", 60) // over external_shipment_id's 50
		first, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey(key))
		require.NoError(t, err)
		before := srv.Purchases()
		again, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey(key))
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		assert.Equal(t, before, srv.Purchases(), "charges")
		other, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey(key[:len(key)-1]+"y"))
		require.NoError(t, err)
		assert.NotEqual(t, first.ID, other.ID, "keys differing past 50 characters are different keys")
	})

	t.Run("NoKeyLostAnswerIsUnknown", func(t *testing.T) {
		before := srv.Purchases()
		srv.LoseNextPurchaseAnswer()
		_, err := client.Labels.BuyForShipment(ctx, priority)
		assert.ErrorIs(t, err, connector.ErrOutcomeUnknown)
		assert.Equal(t, before+1, srv.Purchases(), "charges")
	})

	t.Run("Refused", func(t *testing.T) {
		before, calls := srv.Purchases(), srv.Requests()
		bad := priority
		bad.CarrierID = "ups"
		_, err := client.Labels.BuyForShipment(ctx, bad, connector.WithIdempotencyKey("order-2006-label"))
		assert.ErrorIs(t, err, connector.ErrValidation)
		bad = priority
		bad.Parcels = nil
		_, err = client.Labels.BuyForShipment(ctx, bad)
		var pe *shipping.ParcelError
		assert.ErrorAs(t, err, &pe)
		assert.Equal(t, calls, srv.Requests(), "refused with no call")

		srv.FailLabels(true)
		_, err = client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2007-label"))
		srv.FailLabels(false)
		assert.ErrorIs(t, err, connector.ErrValidation)
		assert.Equal(t, before, srv.Purchases(), "charges")
		l, err := client.Labels.BuyForShipment(ctx, priority, connector.WithIdempotencyKey("order-2007-label"))
		require.NoError(t, err, "a refused purchase leaves the key free")
		assert.Equal(t, shipping.LabelCreated, l.Status)
	})
}

func TestBuyForShipment(t *testing.T) {
	srv, client := sandbox(t, nil)
	testBuyForShipment(t, srv, client, 1)
}

// Every request and answer of BuyForShipment validated against
// ShipEngine's spec.
func TestConformanceBuyForShipment(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "shipengine/openapi.yaml", seExceptions...)
	srv, client := sandbox(t, func(next http.RoundTripper) http.RoundTripper { return doc.Transport(t, next) })
	testBuyForShipment(t, srv, client, 1)
}

// The same against ShipStation API v2's spec, where the lookup goes
// through the shipment (no /v2/labels/external_shipment_id there).
func TestConformanceBuyForShipmentShipStation(t *testing.T) {
	doc := spec.LoadOpenAPI(t, "shipstation/openapi-v2.yaml", seExceptions...)
	srv := shipenginetest.NewServer()
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client, err := shipengine.New(shipengine.Config{BaseURL: srv.URL(), Auth: srv.Auth(), Platform: shipengine.ShipStation},
		connector.WithHTTPClient(&http.Client{Transport: doc.Transport(t, tr)}), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)
	testBuyForShipment(t, srv, client, 2)
}
