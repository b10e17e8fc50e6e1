package quickbookstest

import (
	"github.com/govalues/decimal"
)

// perUSD are the sandbox's fixed rates: units of a currency one US dollar
// buys. A rate between two currencies is taken through them.
var perUSD = map[string]string{"USD": "1", "GBP": "0.79", "EUR": "0.92", "NZD": "1.70", "AUD": "1.53", "CAD": "1.37",
	"JPY": "150", "CHF": "0.88", "SGD": "1.34", "ZAR": "18.2", "INR": "83.5", "SEK": "10.5", "DKK": "6.9", "NOK": "10.7"}

// currencyNames are the names QuickBooks gives its currencies
// (CurrencyRef's name attribute).
var currencyNames = map[string]string{"USD": "United States Dollar", "GBP": "British Pound Sterling", "EUR": "Euro",
	"NZD": "New Zealand Dollar", "AUD": "Australian Dollar", "CAD": "Canadian Dollar", "JPY": "Japanese Yen",
	"CHF": "Swiss Franc", "SGD": "Singapore Dollar", "ZAR": "South African Rand", "INR": "Indian Rupee",
	"SEK": "Swedish Krona", "DKK": "Danish Krone", "NOK": "Norwegian Krone"}

func currencyName(code string) string {
	if n, ok := currencyNames[code]; ok {
		return n
	}
	return code
}

// ExchangeRate is what the sandbox's company takes one unit of currency
// to be worth in its home currency (1 for the home currency itself), to 6
// decimal places: as QuickBooks records ExchangeRate, home units for one
// foreign unit.
func (s *Server) ExchangeRate(currency string) decimal.Decimal {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rate(currency)
}

func (s *Server) rate(currency string) decimal.Decimal {
	if currency == s.home {
		return decimal.One
	}
	if r, ok := s.rates[currency]; ok {
		return r
	}
	home, ok1 := perUSD[s.home]
	foreign, ok2 := perUSD[currency]
	if !ok1 || !ok2 {
		return decimal.One
	}
	r, err := decimal.MustParse(home).Quo(decimal.MustParse(foreign))
	if err != nil {
		return decimal.One
	}
	return r.Round(6).Trim(0)
}
