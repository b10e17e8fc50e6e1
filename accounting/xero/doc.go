// Package xero is the Xero accounting connector: contacts as customers,
// sales invoices (ACCREC), payments and items through Xero's Accounting
// API, as the accounting interfaces.
//
// # Auth
//
// Xero is OAuth2 only, and rotates the refresh token on every refresh:
// give Config.Auth connector.OAuth2(src) over a connector/oauth Source
// (Endpoint.AuthStyle oauth2.AuthStyleInHeader), so that a rotated token
// is saved before it is used. Each organisation is a tenant: list the ones
// a token reaches with Connections, and make one client per tenant. The
// client sends the tenant as xero-tenant-id on every call.
//
// # Idempotency
//
// Xero takes an Idempotency-Key header on writes and answers a repeat of
// the key with the first answer. Every write carries one: the caller's
// (connector.WithIdempotencyKey), or a fresh one per call, so that the
// client's own retries are safe. Customers.Upsert looks the contact up by
// email first, and creates it under a key derived from the email.
//
// # Rate limits
//
// Per tenant, 60 calls a minute, 5,000 a day and 5 in flight; per app,
// 10,000 a minute. The client keeps to 5 calls in flight and reads
// X-MinLimit-Remaining, X-AppMinLimit-Remaining and X-DayLimit-Remaining:
// it slows to one call a second near the end of a minute's budget and
// pauses once the day's is spent. A 429 names the limit in
// X-Rate-Limit-Problem and carries Retry-After; one for the day's limit is
// not retried.
//
// # Pagination
//
// Lists use page and pageSize (100 here); a short page is the last. With
// ListOptions.UpdatedSince a list sends If-Modified-Since and
// order=UpdatedDateUTC ASC, so records come oldest change first. Pages
// are offsets: a record on an earlier page that changes during a walk
// moves to the end (it comes again) and the records after it move back
// one place, so one of them can fall onto a page already read and be
// missed by that walk.
//
// # Webhooks
//
// Xero signs a delivery with x-xero-signature: the base64 HMAC-SHA256 of
// the raw body under the app's webhook key. It signs no timestamp and
// gives events no id: an Event's ID is made of the tenant, category,
// resource, type and time of the change. The intent-to-receive handshake
// (a delivery with no events) is answered 200 with no body when signed
// with the key, 401 otherwise. Xero retries a delivery that is not
// answered 200 within 5 seconds for up to 24 hours, then disables the
// webhook.
//
// # Version
//
// Xero sends no version header: the version, 2.0, is in the path of
// DefaultBaseURL.
//
// Reference:
//   - https://developer.xero.com/documentation/api/accounting/overview
//   - https://developer.xero.com/documentation/guides/oauth2/tenants
//   - https://developer.xero.com/documentation/guides/oauth2/limits
//   - https://developer.xero.com/documentation/guides/webhooks/overview
//   - https://developer.xero.com/documentation/guides/webhooks/configuring-your-server
//
// Its sandbox is xerotest; accountingtest.Run holds it to the accounting
// contract.
package xero
