// Package stripe implements the accounting interfaces on Stripe Invoicing:
// customers, invoices with tax-rated lines, out-of-band payments, and
// signed webhooks.
//
// It speaks Stripe's wire format: form-encoded bodies with bracketed keys
// (lines[0][price_data][unit_amount_decimal]=...), amounts in each
// currency's minor unit, Stripe-Version pinned to APIVersion, an
// Idempotency-Key on every POST, Stripe-Should-Retry honoured, and list
// pages through starting_after/has_more (search through its page cursor).
//
// Stripe keeps no account codes: accounting.Line.AccountCode is ignored,
// and Line.TaxCode is a tax rate id (txr_...).
package stripe
