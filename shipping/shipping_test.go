package shipping_test

import (
	"errors"
	"testing"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

func TestAddressValidate(t *testing.T) {
	good := map[string]shipping.Address{
		"US": {Name: "A", Street1: "1 Main St", City: "Austin", Region: "TX", PostalCode: "78701-1234", Country: "US"},
		"CA": {Name: "A", Street1: "1 Rue", City: "Ottawa", Region: "ON", PostalCode: "K1A 0B1", Country: "CA"},
		"GB": {Name: "A", Street1: "10 Downing St", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		"DE": {Name: "A", Street1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", Country: "DE"},
		"IE": {Name: "A", Street1: "1 Grafton St", City: "Dublin", Country: "IE"},
	}
	for name, a := range good {
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]struct {
		a     shipping.Address
		field string
	}{
		"no street":       {shipping.Address{Name: "A", City: "X", Country: "FR"}, "street1"},
		"not ISO":         {shipping.Address{Name: "A", Street1: "1", City: "X", Country: "UK"}, "country"},
		"lower case":      {shipping.Address{Name: "A", Street1: "1", City: "X", Country: "us"}, "country"},
		"US no state":     {shipping.Address{Name: "A", Street1: "1", City: "X", PostalCode: "78701", Country: "US"}, "region"},
		"US bad ZIP":      {shipping.Address{Name: "A", Street1: "1", City: "X", Region: "TX", PostalCode: "7870", Country: "US"}, "postal code"},
		"CA bad postal":   {shipping.Address{Name: "A", Street1: "1", City: "X", Region: "ON", PostalCode: "12345", Country: "CA"}, "postal code"},
		"GB bad postcode": {shipping.Address{Name: "A", Street1: "1", City: "X", PostalCode: "12345", Country: "GB"}, "postal code"},
		"DE bad PLZ":      {shipping.Address{Name: "A", Street1: "1", City: "X", PostalCode: "1011", Country: "DE"}, "postal code"},
	}
	for name, tt := range bad {
		err := tt.a.Validate()
		var ae *shipping.AddressError
		if !errors.Is(err, connector.ErrValidation) || !errors.As(err, &ae) || ae.Field != tt.field {
			t.Errorf("%s: err = %v, want an AddressError on %s", name, err, tt.field)
		}
	}
}

func TestParcelConversionIsExact(t *testing.T) {
	p := shipping.Parcel{Length: decimal.MustParse("10"), Width: decimal.MustParse("8"), Height: decimal.MustParse("4.5"),
		DistanceUnit: shipping.Inch, Weight: decimal.MustParse("2.5"), MassUnit: shipping.Pound}
	m, err := p.In(shipping.Centimeter, shipping.Gram)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string][2]decimal.Decimal{
		"length": {m.Length, decimal.MustParse("25.4")}, "width": {m.Width, decimal.MustParse("20.32")},
		"height": {m.Height, decimal.MustParse("11.43")}, "weight": {m.Weight, decimal.MustParse("1133.980925")},
	} {
		if c[0].Cmp(c[1]) != 0 {
			t.Errorf("%s = %v, want exactly %v", name, c[0], c[1])
		}
	}
	back, err := m.In(shipping.Inch, shipping.Pound)
	if err != nil || back.Length.Cmp(p.Length) != 0 || back.Weight.Cmp(p.Weight) != 0 {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
	if _, err := (shipping.Parcel{Length: decimal.One, Width: decimal.One, Height: decimal.One, Weight: decimal.Zero,
		DistanceUnit: shipping.Inch, MassUnit: shipping.Ounce}).In(shipping.Centimeter, shipping.Gram); !errors.Is(err, connector.ErrValidation) {
		t.Fatalf("zero weight: err = %v, want ErrValidation", err)
	}
}

func TestRateSelection(t *testing.T) {
	usd := func(s string) money.Amount { return money.MustParseAmount("USD", s) }
	rates := []shipping.Rate{
		{ID: "ground", Amount: usd("7.50"), EstimatedDays: 5},
		{ID: "priority", Amount: usd("9.10"), EstimatedDays: 2},
		{ID: "express", Amount: usd("31.00"), EstimatedDays: 1},
		{ID: "economy", Amount: usd("7.50"), EstimatedDays: 7},
		{ID: "mystery", Amount: usd("5.00")},
	}
	for name, c := range map[string]struct {
		got  func() (shipping.Rate, bool)
		want string
	}{
		"cheapest":          {func() (shipping.Rate, bool) { return shipping.Cheapest(rates) }, "mystery"},
		"fastest":           {func() (shipping.Rate, bool) { return shipping.Fastest(rates) }, "express"},
		"cheapest within 5": {func() (shipping.Rate, bool) { return shipping.CheapestWithin(rates, 5) }, "ground"},
		"cheapest within 2": {func() (shipping.Rate, bool) { return shipping.CheapestWithin(rates, 2) }, "priority"},
	} {
		r, ok := c.got()
		if !ok || r.ID != c.want {
			t.Errorf("%s = %s, want %s", name, r.ID, c.want)
		}
	}
	if _, ok := shipping.CheapestWithin(rates, 0); ok {
		t.Error("nothing arrives in 0 days")
	}
}
