package stripe

import (
	"net/http"
	"testing"

	"github.com/govalues/money"

	"github.com/patchbay-go/patchbay/connector"
)

// Each currency's exponent, as Stripe counts it: JPY 0, USD 2, KWD 3.
func TestMinorUnits(t *testing.T) {
	cases := []struct {
		cur, amount string
		minor       int64
	}{
		{"JPY", "1500", 1500}, {"USD", "19.99", 1999}, {"USD", "0.1", 10}, {"KWD", "1.234", 1234}, {"EUR", "-3.50", -350},
		{"ISK", "100", 10000}, // two decimals at Stripe, though ISO gives none
	}
	for _, c := range cases {
		a := money.MustParseAmount(c.cur, c.amount)
		got, err := toMinor(a)
		if err != nil || got != c.minor {
			t.Errorf("toMinor(%s %s) = %d, %v; want %d", c.cur, c.amount, got, err, c.minor)
		}
		back, err := fromMinor(c.minor, c.cur)
		if eq, _ := back.Equal(a); err != nil || !eq {
			t.Errorf("fromMinor(%d, %s) = %v, %v; want %v", c.minor, c.cur, back, err, a)
		}
	}
	for _, bad := range []money.Amount{money.MustParseAmount("JPY", "1.5"), money.MustParseAmount("USD", "0.001")} {
		if _, err := toMinor(bad); err == nil {
			t.Errorf("toMinor(%v) rounded instead of refusing", bad)
		}
	}
	// A unit price may carry a fraction of a cent.
	if s, err := decimalMinor(money.MustParseAmount("USD", "0.125")); err != nil || s != "12.5" {
		t.Errorf("decimalMinor = %q, %v; want 12.5", s, err)
	}
	if a, err := amountFromDecimalMinor("12.5", "USD"); err != nil || a.String() != "USD 0.125" {
		t.Errorf("amountFromDecimalMinor = %v, %v", a, err)
	}
}

func TestFormBrackets(t *testing.T) {
	f := newForm().set(key("lines", 0, "price_data", "unit_amount_decimal"), "1999").set(key("metadata", "reference"), "A&B 1").
		set("customer", "cus_1").set("empty", "")
	want := "customer=cus_1&lines%5B0%5D%5Bprice_data%5D%5Bunit_amount_decimal%5D=1999&metadata%5Breference%5D=A%26B+1"
	if got := f.encode(); got != want {
		t.Fatalf("encode = %s\nwant %s", got, want)
	}
}

func TestErrorMapping(t *testing.T) {
	// def is the kind the client sets from the status before the decoder
	// runs.
	cases := []struct {
		status    int
		body      string
		def, kind error
		code      string
	}{
		{400, `{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}}`, connector.ErrValidation, connector.ErrConflict, "idempotency_error"},
		{404, `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"id","message":"No such invoice: 'in_1'"}}`, connector.ErrNotFound, connector.ErrNotFound, "resource_missing"},
		{400, `{"error":{"type":"invalid_request_error","code":"parameter_missing","param":"customer","message":"Missing required param: customer."}}`, connector.ErrValidation, connector.ErrValidation, "parameter_missing"},
		{402, `{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}`, connector.ErrValidation, connector.ErrValidation, "card_declined"},
		{429, `{"error":{"type":"invalid_request_error","code":"rate_limit","message":"Request rate limit exceeded."}}`, connector.ErrRateLimited, connector.ErrRateLimited, "rate_limit"},
		{500, `{"error":{"type":"api_error","message":"An unknown error occurred"}}`, connector.ErrUnavailable, connector.ErrUnavailable, "api_error"},
	}
	for _, c := range cases {
		e := &connector.APIError{StatusCode: c.status, Kind: c.def}
		decodeError(&http.Response{StatusCode: c.status}, []byte(c.body), e)
		if e.Kind != c.kind || e.Code != c.code || e.Message == "" {
			t.Errorf("%d %s: kind %v code %q message %q; want %v %q", c.status, c.body, e.Kind, e.Code, e.Message, c.kind, c.code)
		}
	}
	for header, want := range map[string]connector.RetryDecision{"true": connector.RetryYes, "false": connector.RetryNo, "": connector.RetryDefault} {
		resp := &http.Response{Header: http.Header{}}
		if header != "" {
			resp.Header.Set("Stripe-Should-Retry", header)
		}
		if got := decideRetry(resp); got != want {
			t.Errorf("Stripe-Should-Retry %q: %v, want %v", header, got, want)
		}
	}
}
