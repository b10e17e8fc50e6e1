package quickbooks

import (
	"context"

	"github.com/patchbay-go/patchbay/accounting"
	"github.com/patchbay-go/patchbay/connector"
)

// PaymentsService records payments received, as accounting.Payments.
// https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/payment
type PaymentsService struct{ a *api }

// Record applies a payment to an invoice: it reads the invoice for its
// customer, then creates a Payment with one line linked to the invoice.
// The requestid (from the caller's key) makes a repeat return the first
// payment.
//
// QuickBooks API: GET /v3/company/{realmId}/invoice/{id}, then POST
// /v3/company/{realmId}/payment?requestid=....
func (s *PaymentsService) Record(ctx context.Context, p accounting.Payment, opts ...connector.CallOption) (*accounting.Payment, error) {
	const op = "payments.record"
	if p.InvoiceID == "" {
		return nil, connector.InvalidInput("quickbooks", op, "a payment needs the invoice it pays")
	}
	inv, err := (&InvoicesService{a: s.a}).Get(ctx, p.InvoiceID)
	if err != nil {
		return nil, err
	}
	w := paymentWire{TxnDate: formatDate(p.Date), CustomerRef: refTo(inv.CustomerID), CurrencyRef: refTo(p.Amount.Curr().Code()),
		DepositToAccountRef: refTo(p.AccountCode), PaymentRefNum: p.Reference, TotalAmt: number(p.Amount.Decimal()),
		Line: []lineWire{{Amount: number(p.Amount.Decimal()), LinkedTxn: []linkedTxnWire{{TxnID: p.InvoiceID, TxnType: "Invoice"}}}}}
	out, err := s.a.write(ctx, "payment", nil, w, op, opts)
	if err != nil {
		return nil, err
	}
	if len(out.Payment) == 0 {
		return nil, invalid(op, "the answer holds no payment")
	}
	got, err := decodePayment(out.Payment, s.a.currency)
	if err != nil {
		return nil, invalid(op, "the payment could not be decoded")
	}
	return got, nil
}
