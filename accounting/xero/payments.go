package xero

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// PaymentsService records payments, as accounting.Payments.
// https://developer.xero.com/documentation/api/accounting/payments
type PaymentsService struct{ c *connector.Client }

// Record applies a payment to an invoice. The Idempotency-Key makes a
// repeat return the first payment.
//
// Xero API: PUT /Payments, with Idempotency-Key.
func (s *PaymentsService) Record(ctx context.Context, p accounting.Payment, opts ...connector.CallOption) (*accounting.Payment, error) {
	w := paymentWire{Invoice: &invoiceRef{InvoiceID: p.InvoiceID}, Account: &accountRef{Code: p.AccountCode},
		Date: msTime{p.Date}, Amount: json.Number(p.Amount.Decimal().String()), Reference: p.Reference}
	var env struct {
		Payments []json.RawMessage `json:"Payments"`
	}
	err := s.c.JSON(ctx, http.MethodPut, "/Payments", map[string][]paymentWire{"Payments": {w}}, &env,
		append(opts, connector.WithOperation("payments.record"))...)
	if err != nil {
		return nil, err
	}
	if len(env.Payments) == 0 {
		return nil, invalid("payments.record", "the answer holds no payment")
	}
	var got paymentWire
	if err := json.Unmarshal(env.Payments[0], &got); err != nil {
		return nil, invalid("payments.record", "the payment could not be decoded")
	}
	if err := elementError("payments.record", got.validation); err != nil {
		return nil, err
	}
	currency := p.Amount.Curr().Code()
	if got.Invoice != nil && got.Invoice.CurrencyCode != "" {
		currency = got.Invoice.CurrencyCode
	}
	amount, err := parseMoney(currency, got.Amount)
	if err != nil {
		return nil, invalid("payments.record", "the payment amount is not a decimal")
	}
	out := &accounting.Payment{ID: got.PaymentID, InvoiceID: p.InvoiceID, Amount: amount, Date: got.Date.Time,
		Reference: got.Reference, AccountCode: p.AccountCode, Raw: env.Payments[0]}
	if got.Invoice != nil {
		out.InvoiceID = got.Invoice.InvoiceID
	}
	return out, nil
}
