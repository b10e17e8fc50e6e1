// Package stripe implements the accounting interfaces on Stripe Invoicing:
// customers, invoices with tax-rated lines, out-of-band payments, invoice
// search, and signed webhooks. Reference: https://docs.stripe.com/api.
//
// It speaks Stripe's wire format: form-encoded bodies with bracketed keys
// (lines[0][price_data][unit_amount_decimal]=...), sent with sorted keys so
// that a retried request sends the same bytes, and amounts in each
// currency's minor unit (https://docs.stripe.com/currencies#zero-decimal).
// Stripe keeps no account codes: accounting.Line.AccountCode is ignored,
// and Line.TaxCode is a tax rate id (txr_...).
//
// Auth: the secret key (sk_...) or a restricted key (rk_...) as a bearer
// token, Config.Auth = connector.Bearer(key)
// (https://docs.stripe.com/api/authentication).
//
// Version: every request sends Stripe-Version: APIVersion, so that the
// account's default version in the Dashboard cannot change what the
// connector reads (https://docs.stripe.com/api/versioning).
//
// Idempotency: every POST carries an Idempotency-Key: the call's
// connector.WithIdempotencyKey, or a fresh key per call so that its own
// retries are safe. Stripe answers a repeat within 24 hours with the first
// answer; a key reused with other parameters is its idempotency_error,
// connector.ErrConflict. An invoice takes three calls (draft, lines,
// finalize), each under a key derived from the caller's, so a repeated
// Create replays all three. Stripe-Should-Retry overrides the status code's
// retry rule. https://docs.stripe.com/api/idempotent_requests
//
// Rate limits: 100 requests a second in live mode and 25 in a sandbox or
// test mode, 25 a second per endpoint, 20 for search; Stripe sends no
// rate-limit headers, only 429 (code rate_limit), which the connector
// retries with back off (https://docs.stripe.com/rate-limits).
//
// Pagination: lists of 100 through starting_after (the last id) while
// has_more; search through its next_page cursor, and search can lag writes
// by up to a minute (https://docs.stripe.com/api/pagination). List with
// UpdatedSince reads the account's events (kept 30 days), since Stripe
// objects carry no updated time: it yields each object changed since then
// once, oldest change first, which takes two passes over the events (they
// are listed newest first, one per change) and two ids held per object
// changed.
//
// Webhooks: Stripe-Signature "t=<unix>,v1=<hex>[,v1=...]", HMAC-SHA256 of
// "<t>.<body>" under the endpoint secret (whsec_...), any v1 under any
// configured secret, t within 300 s; one event per delivery, redelivered
// for up to three days. https://docs.stripe.com/webhooks
package stripe
