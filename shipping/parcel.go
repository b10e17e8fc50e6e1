package shipping

import (
	"fmt"

	"github.com/govalues/decimal"
)

// DistanceUnit and MassUnit are the units carriers take.
type (
	DistanceUnit string
	MassUnit     string
)

const (
	Centimeter DistanceUnit = "cm"
	Inch       DistanceUnit = "in"
	Millimeter DistanceUnit = "mm"
	Meter      DistanceUnit = "m"
	Foot       DistanceUnit = "ft"
	Yard       DistanceUnit = "yd"

	Gram     MassUnit = "g"
	Kilogram MassUnit = "kg"
	Ounce    MassUnit = "oz"
	Pound    MassUnit = "lb"
)

// Exact conversion factors to centimetres and grams: the inch is 2.54 cm
// and the pound 453.59237 g by definition, so conversions are exact.
var (
	toCentimeters = map[DistanceUnit]decimal.Decimal{
		Centimeter: decimal.MustParse("1"), Inch: decimal.MustParse("2.54"), Millimeter: decimal.MustParse("0.1"),
		Meter: decimal.MustParse("100"), Foot: decimal.MustParse("30.48"), Yard: decimal.MustParse("91.44"),
	}
	toGrams = map[MassUnit]decimal.Decimal{
		Gram: decimal.MustParse("1"), Kilogram: decimal.MustParse("1000"),
		Ounce: decimal.MustParse("28.349523125"), Pound: decimal.MustParse("453.59237"),
	}
)

// Parcel is a box: its outside dimensions and its weight.
type Parcel struct {
	Length, Width, Height decimal.Decimal
	DistanceUnit          DistanceUnit
	Weight                decimal.Decimal
	MassUnit              MassUnit
}

// Validate checks that every measure is positive and every unit known.
func (p Parcel) Validate() error {
	if _, ok := toCentimeters[p.DistanceUnit]; !ok {
		return &ParcelError{Reason: fmt.Sprintf("unknown distance unit %q", p.DistanceUnit)}
	}
	if _, ok := toGrams[p.MassUnit]; !ok {
		return &ParcelError{Reason: fmt.Sprintf("unknown mass unit %q", p.MassUnit)}
	}
	for _, d := range []decimal.Decimal{p.Length, p.Width, p.Height, p.Weight} {
		if !d.IsPos() {
			return &ParcelError{Reason: "dimensions and weight must be positive"}
		}
	}
	return nil
}

// In returns the parcel measured in other units. Conversions into metric
// units are exact; the other way (10 cm in inches is 3.937007874...) the
// result is rounded to 19 significant digits, far below any carrier's
// precision.
func (p Parcel) In(du DistanceUnit, mu MassUnit) (Parcel, error) {
	if err := p.Validate(); err != nil {
		return Parcel{}, err
	}
	fromD, okD := toCentimeters[du]
	fromM, okM := toGrams[mu]
	if !okD || !okM {
		return Parcel{}, &ParcelError{Reason: fmt.Sprintf("unknown target units %q, %q", du, mu)}
	}
	conv := func(v, to, from decimal.Decimal) (decimal.Decimal, error) {
		x, err := v.Mul(to)
		if err != nil {
			return decimal.Decimal{}, err
		}
		x, err = x.Quo(from)
		if err != nil {
			return decimal.Decimal{}, err
		}
		return x.Trim(0), nil
	}
	out := Parcel{DistanceUnit: du, MassUnit: mu}
	var err error
	dist := toCentimeters[p.DistanceUnit]
	for _, f := range []struct {
		in  decimal.Decimal
		out *decimal.Decimal
	}{{p.Length, &out.Length}, {p.Width, &out.Width}, {p.Height, &out.Height}} {
		if *f.out, err = conv(f.in, dist, fromD); err != nil {
			return Parcel{}, &ParcelError{Reason: err.Error()}
		}
	}
	if out.Weight, err = conv(p.Weight, toGrams[p.MassUnit], fromM); err != nil {
		return Parcel{}, &ParcelError{Reason: err.Error()}
	}
	return out, nil
}

// ParcelError says what is wrong with a parcel; it unwraps to
// connector.ErrValidation.
type ParcelError struct{ Reason string }

func (e *ParcelError) Error() string { return "shipping: parcel: " + e.Reason }
func (e *ParcelError) Unwrap() error { return errValidation }
