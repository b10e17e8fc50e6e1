package quickbooks

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// FuzzDecodeError: any error body fills the error without panicking,
// leaves it one sentinel kind, and keeps its text valid.
func FuzzDecodeError(f *testing.F) {
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			return
		}
		e := &connector.APIError{Vendor: "quickbooks", StatusCode: status, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: status, Header: http.Header{}}, body, e)
		if e.Kind == nil {
			t.Fatal("no kind")
		}
		if !utf8.ValidString(e.Message) || !utf8.ValidString(e.Code) {
			t.Fatalf("invalid text %q %q", e.Message, e.Code)
		}
	})
}

// FuzzParseWebhook: any body gives events or ErrInvalidResponse; every
// event has an id, a kind and a type.
func FuzzParseWebhook(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		for _, e := range events {
			if e.ID == "" || e.Kind == "" || e.Type == "" || len(e.Raw) == 0 {
				t.Fatalf("incomplete event %+v", e)
			}
		}
	})
}

// FuzzVerifyWebhook: no signature from the input verifies; a signature
// made with the token verifies its body only.
func FuzzVerifyWebhook(f *testing.F) {
	const key = "fuzz-verifier-token-0123456789"
	f.Fuzz(func(t *testing.T, body []byte, signature string) {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set(signatureHeader, signature)
		if VerifyWebhook(r, body, webhook.Config{Secrets: []string{key}}) == nil {
			t.Fatalf("signature %q from the input verified", signature)
		}
		SignWebhook(r, body, key, time.Time{})
		if err := VerifyWebhook(r, body, webhook.Config{Secrets: []string{"", "other", key}}); err != nil {
			t.Fatalf("signed body refused: %v", err)
		}
		if VerifyWebhook(r, append(body, '!'), webhook.Config{Secrets: []string{key}}) == nil {
			t.Fatal("a changed body verified")
		}
	})
}

// FuzzDecodeInvoice: any invoice JSON decodes or fails, never panics; a
// decoded one has line taxes that add up to its tax exactly.
func FuzzDecodeInvoice(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw []byte) {
		inv, _, err := decodeInvoice(raw, "GBP")
		if err != nil {
			return
		}
		sum := inv.Tax
		sum, _ = sum.Sub(inv.Tax)
		for _, l := range inv.Lines {
			if sum, err = sum.Add(l.Tax); err != nil {
				return // amounts past the decimal's range
			}
		}
		if eq, _ := sum.Equal(inv.Tax); !eq && len(inv.Lines) > 0 && inv.Tax.Decimal().Scale() <= 2 {
			t.Fatalf("line taxes %v do not add up to %v", sum, inv.Tax)
		}
	})
}

// Amounts come exactly as sent: no float on the way.
func TestDecodeInvoiceExact(t *testing.T) {
	raw := []byte(`{"Id":"1","DocNumber":"A1","CurrencyRef":{"value":"GBP"},"TotalAmt":120.12,"Balance":0.10,` +
		`"TxnTaxDetail":{"TotalTax":20.02},"Line":[{"Amount":33.33,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":3,"UnitPrice":11.11,"TaxCodeRef":{"value":"2"}}},` +
		`{"Amount":66.77,"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"Qty":1,"UnitPrice":66.77,"TaxCodeRef":{"value":"2"}}},` +
		`{"Amount":100.10,"DetailType":"SubTotalLineDetail","SubTotalLineDetail":{}}]}`)
	inv, _, err := decodeInvoice(raw, "USD")
	require.NoError(t, err)
	assert.Equal(t, "GBP 100.10", inv.Subtotal.String())
	assert.Equal(t, "GBP 120.12", inv.Total.String())
	assert.Equal(t, "GBP 6.67", inv.Lines[0].Tax.String())
	assert.Equal(t, "GBP 13.35", inv.Lines[1].Tax.String())
	assert.Equal(t, accounting.InvoiceOpen, inv.Status)
}

// The Fault's code picks the kind where the status cannot.
func TestDecodeErrorKinds(t *testing.T) {
	for code, kind := range map[string]error{"610": connector.ErrNotFound, "5010": connector.ErrConflict, "6240": connector.ErrConflict,
		"2020": connector.ErrValidation, "003001": connector.ErrRateLimited} {
		e := &connector.APIError{StatusCode: 400, Kind: connector.ErrValidation}
		decodeError(&http.Response{StatusCode: 400}, []byte(`{"Fault":{"Error":[{"Message":"m","Detail":"d","code":"`+code+`"}],"type":"ValidationFault"}}`), e)
		assert.Equal(t, kind, e.Kind, code)
		assert.Equal(t, "m: d", e.Message)
	}
}
