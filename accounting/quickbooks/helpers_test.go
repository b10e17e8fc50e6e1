package quickbooks_test

import (
	"github.com/govalues/decimal"
	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/accounting/quickbooks/quickbookstest"
)

func mustDec(s string) decimal.Decimal { return decimal.MustParse(s) }

func mustAmount(s string) money.Amount { return money.MustParseAmount(quickbookstest.Currency, s) }
