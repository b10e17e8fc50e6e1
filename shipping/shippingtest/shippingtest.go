// Package shippingtest is the contract every shipping vendor package passes
// against its sandbox.
package shippingtest

import (
	"context"
	"errors"
	"testing"

	"github.com/govalues/decimal"

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
}

func quote(t *testing.T, h Harness) []shipping.Rate {
	t.Helper()
	rates, err := h.Rates.Quote(context.Background(), From, To, []shipping.Parcel{Box})
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) == 0 {
		t.Fatal("no rates")
	}
	return rates
}

func testAddressErrors(t *testing.T, h Harness) {
	bad := To
	bad.PostalCode = "941"
	_, err := h.Rates.Quote(context.Background(), From, bad, []shipping.Parcel{Box})
	var ae *shipping.AddressError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &ae) || ae.Field != "postal code" {
		t.Fatalf("bad ZIP: err = %v, want an AddressError on the postal code", err)
	}
	bad = To
	bad.Country = "XX"
	if _, err := h.Rates.Quote(context.Background(), From, bad, []shipping.Parcel{Box}); !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("unknown country: err = %v, want ErrValidation", err)
	}
}

func testQuote(t *testing.T, h Harness) {
	rates := quote(t, h)
	for _, r := range rates {
		if r.ID == "" || r.Carrier == "" || r.Service == "" || !r.Amount.IsPos() || len(r.Raw) == 0 {
			t.Fatalf("incomplete rate %+v", r)
		}
	}
	if _, ok := shipping.Cheapest(rates); !ok {
		t.Fatal("no cheapest rate")
	}
}

func testBuyTwice(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	key := connector.DeriveKey("order", "1001", "label")
	first, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key))
	if err != nil {
		t.Fatal(err)
	}
	second, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(key))
	if err != nil || second.ID != first.ID {
		t.Fatalf("second buy with the key = %v, %v; want label %s", second, err, first.ID)
	}
	if first.TrackingNumber == "" || first.LabelURL == "" || first.Status != shipping.LabelCreated {
		t.Fatalf("label = %+v: want a tracking number, a label URL, created", first)
	}
	if eq, _ := first.Amount.Equal(rate.Amount); !eq {
		t.Fatalf("label cost %v, the rate said %v", first.Amount, rate.Amount)
	}
	if n := h.Purchases(); n != 1 {
		t.Fatalf("%d charges, want 1", n)
	}
	if _, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey(connector.DeriveKey("order", "other", "label"))); !errors.Is(err, connector.ErrConflict) {
		t.Fatalf("the same rate under another key: err = %v, want ErrConflict", err)
	}
}

func testVoid(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	label, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("void-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	voided, err := h.Labels.Void(ctx, label.ID)
	if err != nil || (voided.Status != shipping.LabelVoidRequested && voided.Status != shipping.LabelVoided) {
		t.Fatalf("Void = %+v, %v", voided, err)
	}
	if _, err := h.Labels.Void(ctx, label.ID); !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("voiding twice: err = %v, want ErrValidation", err)
	}
}

func testTracking(t *testing.T, h Harness) {
	ctx := context.Background()
	rate, _ := shipping.Cheapest(quote(t, h))
	label, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("track-test-key"))
	if err != nil {
		t.Fatal(err)
	}
	want := []shipping.TrackingState{shipping.PreTransit, shipping.InTransit, shipping.Delivered}
	for i, state := range want {
		st, err := h.Tracking.Track(ctx, label.Carrier, label.TrackingNumber)
		if err != nil {
			t.Fatal(err)
		}
		if st.State != state || len(st.History) != i+1 || st.At.IsZero() {
			t.Fatalf("step %d: state %s with %d events, want %s with %d", i, st.State, len(st.History), state, i+1)
		}
		if i < len(want)-1 && !h.AdvanceTracking(label.Carrier, label.TrackingNumber) {
			t.Fatal("could not advance tracking")
		}
	}
}

func testErrors(t *testing.T, h Harness) {
	ctx := context.Background()
	if _, err := h.Labels.Buy(ctx, "no-such-rate", connector.WithIdempotencyKey("k-missing")); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("unknown rate: err = %v, want ErrNotFound", err)
	}
	if _, err := h.Tracking.Track(ctx, "usps", "0000000000"); !errors.Is(err, connector.ErrNotFound) {
		t.Fatalf("unknown tracking number: err = %v, want ErrNotFound", err)
	}
	rate, _ := shipping.Cheapest(quote(t, h))
	h.FailLabels(true)
	_, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("refused"))
	var apiErr *connector.APIError
	if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &apiErr) || apiErr.Message == "" {
		t.Fatalf("refused purchase: err = %v, want ErrValidation with the carrier's messages", err)
	}
	h.FailLabels(false)
	if _, err := h.Labels.Buy(ctx, rate.ID, connector.WithIdempotencyKey("refused")); err != nil {
		t.Fatalf("the same key after a refused purchase must buy: %v", err)
	}
}

func testRateLimited(t *testing.T, h Harness) {
	h.Throttle(1)
	quote(t, h)
	h.Throttle(1000)
	if _, err := h.Rates.Quote(context.Background(), From, To, []shipping.Parcel{Box}); !errors.Is(err, connector.ErrRateLimited) {
		t.Fatalf("err = %v, want ErrRateLimited", err)
	}
}
