package stripe

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// PaymentsService records payments received outside Stripe (a bank
// transfer, cash) against invoices, as accounting.Payments.
// https://docs.stripe.com/api/invoices/pay
type PaymentsService struct{ a *api }

// Record marks the invoice paid out of band. Stripe records such a payment
// for the whole amount remaining only, so another amount is refused. The
// idempotency key makes a repeat return the same payment.
//
// Stripe API: GET /v1/invoices/{id}, POST /v1/invoices/{id}/pay with
// paid_out_of_band=true.
func (s *PaymentsService) Record(ctx context.Context, p accounting.Payment, opts ...connector.CallOption) (*accounting.Payment, error) {
	const op = "payments.record"
	inv, err := (&InvoicesService{s.a}).Get(ctx, p.InvoiceID)
	if err != nil {
		return nil, err
	}
	path := "/v1/invoices/" + url.PathEscape(p.InvoiceID)
	if inv.Status != accounting.InvoicePaid {
		if eq, err := p.Amount.Equal(inv.AmountDue); err != nil || !eq {
			return nil, connector.InvalidInput("stripe", op, "Stripe records out-of-band payments of the whole amount due ("+inv.AmountDue.String()+"), not "+p.Amount.String())
		}
		f := newForm().set("paid_out_of_band", "true").set(key("expand", 0), "payments")
		var paid json.RawMessage
		if err := s.a.call(ctx, http.MethodPost, path+"/pay", f, &paid, op, opts...); err != nil {
			return nil, err
		}
		return toPayment(paid, p, op)
	}
	// Already paid (a repeat whose first answer was lost): the same payment.
	var paid json.RawMessage
	if err := s.a.call(ctx, http.MethodGet, path, newForm().set(key("expand", 0), "payments"), &paid, op); err != nil {
		return nil, err
	}
	return toPayment(paid, p, op)
}
