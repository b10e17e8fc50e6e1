package stripe

import (
	"strconv"
	"strings"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

// Stripe counts amounts in each currency's smallest unit, and says which
// currencies have none or three decimals; all others have two, including
// some ISO 4217 gives no decimals to (ISK, UGX aside).
// https://docs.stripe.com/currencies#zero-decimal
var (
	zeroDecimal = map[string]bool{"BIF": true, "CLP": true, "DJF": true, "GNF": true, "JPY": true, "KMF": true, "KRW": true,
		"MGA": true, "PYG": true, "RWF": true, "UGX": true, "VND": true, "VUV": true, "XAF": true, "XOF": true, "XPF": true}
	threeDecimal = map[string]bool{"BHD": true, "JOD": true, "KWD": true, "OMR": true, "TND": true}
)

// exponent is how many decimals Stripe's integer amounts carry in cur.
func exponent(cur string) int {
	cur = strings.ToUpper(cur)
	switch {
	case zeroDecimal[cur]:
		return 0
	case threeDecimal[cur]:
		return 3
	}
	return 2
}

// toMinor converts an amount to Stripe's integer minor units, exactly: an
// amount finer than the currency's unit is refused, never rounded.
func toMinor(a money.Amount) (int64, error) {
	exp := exponent(a.Curr().Code())
	scaled, err := a.Decimal().Mul(decimal.MustNew(pow10(exp), 0))
	if err != nil {
		return 0, err
	}
	whole, _, ok := scaled.Int64(0)
	if !ok || !scaled.IsInt() {
		return 0, connector.InvalidInput("stripe", "amount", a.String()+" has more decimals than "+a.Curr().Code()+" allows")
	}
	return whole, nil
}

// fromMinor converts Stripe's integer minor units to an exact amount.
func fromMinor(minor int64, cur string) (money.Amount, error) {
	c, err := money.ParseCurr(cur)
	if err != nil {
		return money.Amount{}, err
	}
	d, err := decimal.New(minor, exponent(cur))
	if err != nil {
		return money.Amount{}, err
	}
	return money.NewAmountFromDecimal(c, d)
}

// decimalMinor is a unit_amount_decimal: minor units that may have a
// fraction ("1999.5" cents), as Stripe allows for unit prices.
func decimalMinor(a money.Amount) (string, error) {
	exp := exponent(a.Curr().Code())
	scaled, err := a.Decimal().Mul(decimal.MustNew(pow10(exp), 0))
	if err != nil {
		return "", err
	}
	return scaled.Trim(0).String(), nil
}

// amountFromDecimalMinor reads a unit_amount_decimal back into an amount.
func amountFromDecimalMinor(s, cur string) (money.Amount, error) {
	d, err := decimal.Parse(s)
	if err != nil {
		return money.Amount{}, err
	}
	c, err := money.ParseCurr(cur)
	if err != nil {
		return money.Amount{}, err
	}
	d, err = d.Quo(decimal.MustNew(pow10(exponent(cur)), 0))
	if err != nil {
		return money.Amount{}, err
	}
	return money.NewAmountFromDecimal(c, d.Trim(c.Scale()))
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
