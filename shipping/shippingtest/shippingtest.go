// Package shippingtest is the contract every shipping vendor package passes
// against its sandbox.
package shippingtest

import (
	"context"
	"testing"
	"time"

	"github.com/govalues/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// Harness is one fresh sandbox and a client on it.
type Harness struct {
	Rates    shipping.Rates
	Labels   shipping.Labels
	Tracking shipping.Tracking
	// AdvanceTracking moves a parcel to its next state (pre-transit, in
	// transit, delivered); false if there is none.
	AdvanceTracking func(carrier, trackingNumber string) bool
	// FailLabels makes the carrier refuse purchases while on.
	FailLabels func(on bool)
	// Throttle answers the next n requests with 429.
	Throttle func(n int)
	// Purchases counts labels bought (charges).
	Purchases func() int
}

// Carrier is what the suite asks of a carrier's sandbox.
type Carrier interface {
	AdvanceTracking(carrier, trackingNumber string) bool
	FailLabels(on bool)
	Throttle(n int)
	Purchases() int
}

// HarnessOn is the Harness of services on the sandbox srv.
func HarnessOn(rates shipping.Rates, labels shipping.Labels, tracking shipping.Tracking, srv Carrier) Harness {
	return Harness{Rates: rates, Labels: labels, Tracking: tracking,
		AdvanceTracking: srv.AdvanceTracking, FailLabels: srv.FailLabels, Throttle: srv.Throttle, Purchases: srv.Purchases}
}

// Quote quotes From to To for Box through rates, and fails t if no rate
// comes back.
func Quote(t *testing.T, rates shipping.Rates) []shipping.Rate {
	t.Helper()
	got, err := rates.Quote(context.Background(), From, To, []shipping.Parcel{Box})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no rate")
	}
	return got
}

// From and To are valid US addresses; Box a valid parcel.
var (
	From = shipping.Address{Name: "Patchbay Warehouse", Street1: "215 Clayton St", City: "San Francisco", Region: "CA",
		PostalCode: "94117", Country: "US", Phone: "+1 555 341 9393", Email: "ops@example.com"}
	To = shipping.Address{Name: "Ada Lovelace", Street1: "965 Mission St", City: "San Francisco", Region: "CA",
		PostalCode: "94103", Country: "US", Email: "ada@example.com"}
	Box = shipping.Parcel{Length: decimal.MustParse("10"), Width: decimal.MustParse("8"), Height: decimal.MustParse("4"),
		DistanceUnit: shipping.Inch, Weight: decimal.MustParse("2.2"), MassUnit: shipping.Pound}
)

// Run runs the contract; newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	t.Run("AddressValidationErrors", func(t *testing.T) { testAddressErrors(t, newHarness(t)) })
	t.Run("Quote", func(t *testing.T) { testQuote(t, newHarness(t)) })
	t.Run("BuyTwiceOneKeyOneLabel", func(t *testing.T) { testBuyTwice(t, newHarness(t)) })
	t.Run("Void", func(t *testing.T) { testVoid(t, newHarness(t)) })
	t.Run("TrackingUpdates", func(t *testing.T) { testTracking(t, newHarness(t)) })
	t.Run("TypedErrors", func(t *testing.T) { testErrors(t, newHarness(t)) })
	t.Run("RateLimited", func(t *testing.T) { testRateLimited(t, newHarness(t)) })
	t.Run("FindByKeySince", func(t *testing.T) { testFindByKeySince(t, newHarness(t)) })
}

func quote(t *testing.T, h Harness) []shipping.Rate {
	t.Helper()
	rates, err := h.Rates.Quote(context.Background(), From, To, []shipping.Parcel{Box})
	require.NoError(t, err)
	require.NotEmpty(t, rates, "no rates")
	return rates
}

func testAddressErrors(t *testing.T, h Harness) {
	bad := To
	bad.PostalCode = "941"
	_, err := h.Rates.Quote(context.Background(), From, bad, []shipping.Parcel{Box})
	require.ErrorIs(t, err, connector.ErrValidation, "bad ZIP")
	var ae *shipping.AddressError
	require.ErrorAs(t, err, &ae, "bad ZIP: want an AddressError")
	assert.Equal(t, "postal code", ae.Field, "bad ZIP: the AddressError's field")

	bad = To
	bad.Country = "XX"
	_, err = h.Rates.Quote(context.Background(), From, bad, []shipping.Parcel{Box})
	assert.ErrorIs(t, err, connector.ErrValidation, "unknown country")
}

func testQuote(t *testing.T, h Harness) {
	rates := quote(t, h)
	for _, r := range rates {
		if r.ID == "" || r.Carrier == "" || r.Service == "" || !r.Amount.IsPos() || len(r.Raw) == 0 {
			t.Fatalf("incomplete rate %+v", r)
		}
	}
	_, ok := shipping.Cheapest(rates)
	assert.True(t, ok, "no cheapest rate")
}

func testBuyTwice(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	key := connector.DeriveKey("order", "1001", "label")
	first, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	second, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key))
	require.NoError(t, err, "second buy with the key")
	assert.Equal(t, first.ID, second.ID, "second buy with the key: another label")
	assert.NotEmpty(t, first.TrackingNumber, "label without a tracking number")
	assert.NotEmpty(t, first.LabelURL, "label without a label URL")
	assert.Equal(t, shipping.LabelCreated, first.Status)
	eq, _ := first.Amount.Equal(rate.Amount)
	assert.True(t, eq, "label cost %v, the rate said %v", first.Amount, rate.Amount)
	assert.Equal(t, 1, h.Purchases(), "charges")

	_, err = h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(connector.DeriveKey("order", "other", "label")))
	assert.ErrorIs(t, err, connector.ErrConflict, "the same rate under another key")
}

// testFindByKeySince checks, for vendors that find labels by key, that the
// search reads back to since less shipping.FindSlack and no further: a
// label bought within the slack is found, one bought before it is not
// (the walk stopped, so its cost follows the labels since, not the
// account's history), and the zero time reads everything.
func testFindByKeySince(t *testing.T, h Harness) {
	finder, ok := h.Labels.(shipping.LabelFinder)
	if !ok {
		return // nothing to check: the vendor finds no label by key
	}
	ctx := context.Background()
	key := connector.DeriveKey("order", "find-since", "label")
	rate, _ := shipping.Cheapest(quote(t, h))
	bought := time.Now()
	want, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key))
	require.NoError(t, err)
	for range 3 { // newer labels under other keys, walked past
		r, _ := shipping.Cheapest(quote(t, h))
		_, err := h.Labels.Buy(ctx, r.ID, connector.WithIdempotencyKey(connector.DeriveKey("order", r.ID, "label")))
		require.NoError(t, err)
	}
	for name, since := range map[string]time.Time{"zero": {}, "within the slack": bought.Add(shipping.FindSlack / 2)} {
		got, err := finder.FindByKey(ctx, key, since)
		require.NoError(t, err, name)
		assert.Equal(t, want.ID, got.ID, name)
	}
	_, err = finder.FindByKey(ctx, key, bought.Add(2*shipping.FindSlack))
	assert.ErrorIs(t, err, connector.ErrNotFound, "a label bought before since, less the slack, is out of the search")
	_, err = finder.FindByKey(ctx, "never-used", time.Time{})
	assert.ErrorIs(t, err, connector.ErrNotFound, "a key never used")
}

func testVoid(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	label, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("void-test-key"))
	require.NoError(t, err)
	voided, err := h.Labels.Void(ctx, label.ID)
	require.NoError(t, err)
	assert.Contains(t, []shipping.LabelStatus{shipping.LabelVoidRequested, shipping.LabelVoided}, voided.Status, "status after Void")
	_, err = h.Labels.Void(ctx, label.ID)
	assert.ErrorIs(t, err, connector.ErrValidation, "voiding twice")
}

func testTracking(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	label, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("track-test-key"))
	require.NoError(t, err)
	want := []shipping.TrackingState{shipping.PreTransit, shipping.InTransit, shipping.Delivered}
	for i, state := range want {
		st, err := h.Tracking.Track(ctx, label.Carrier, label.TrackingNumber)
		require.NoError(t, err)
		require.Equal(t, state, st.State, "step %d", i)
		require.Len(t, st.History, i+1, "step %d", i)
		require.False(t, st.At.IsZero(), "step %d: no time", i)
		if i < len(want)-1 {
			require.True(t, h.AdvanceTracking(label.Carrier, label.TrackingNumber), "could not advance tracking")
		}
	}
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	_, err := h.Labels.Buy(ctx, "no-such-rate", connector.WithIdempotencyKey("k-missing"))
	assert.ErrorIs(t, err, connector.ErrNotFound, "unknown rate")
	_, err = h.Tracking.Track(ctx, "usps", "0000000000")
	assert.ErrorIs(t, err, connector.ErrNotFound, "unknown tracking number")

	rate, _ := shipping.Cheapest(quote(t, h))
	h.FailLabels(true)
	_, err = h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("refused"))
	require.ErrorIs(t, err, connector.ErrValidation, "refused purchase")
	var apiErr *connector.APIError
	require.ErrorAs(t, err, &apiErr, "refused purchase")
	assert.NotEmpty(t, apiErr.Message, "refused purchase: want the carrier's messages")
	h.FailLabels(false)
	_, err = h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("refused"))
	assert.NoError(t, err, "the same key after a refused purchase must buy")
}

func testRateLimited(t *testing.T, h Harness) {
	h.Throttle(1)
	quote(t, h)
	h.Throttle(1000)
	_, err := h.Rates.Quote(context.Background(), From, To, []shipping.Parcel{Box})
	assert.ErrorIs(t, err, connector.ErrRateLimited)
}
