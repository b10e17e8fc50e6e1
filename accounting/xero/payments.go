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
	var env struct {
		Payments []json.RawMessage `json:"Payments"`
	}
	err := s.c.JSON(ctx, http.MethodPut, "/Payments", map[string][]paymentWire{"Payments": {toPaymentWire(p)}}, &env,
		append(opts, connector.WithOperation("payments.record"))...)
	if err != nil {
		return nil, err
	}
	if len(env.Payments) == 0 {
		return nil, invalid("payments.record", "the answer holds no payment")
	}
	return decodePayment(env.Payments[0], p, "payments.record")
}
