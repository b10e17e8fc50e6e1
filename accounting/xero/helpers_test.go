package xero_test

import (
	"testing"

	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting/xero/xerotest"
)

func mustAmount(t *testing.T, d decimal.Decimal) money.Amount {
	t.Helper()
	a, err := money.NewAmountFromDecimal(money.MustParseCurr(xerotest.Currency), d)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
