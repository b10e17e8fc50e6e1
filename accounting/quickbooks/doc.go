// Package quickbooks is the QuickBooks Online connector: customers,
// invoices, payments applied to invoices, and items through Intuit's
// Accounting API v3, as the accounting interfaces. Every path is under
// /v3/company/{realmId}; the JSON mirrors the element names of Intuit's
// XSD (PascalCase, amounts as JSON numbers, read and written as exact
// decimals).
//
// # Auth
//
// QuickBooks is OAuth2 only, and Intuit hands out a new refresh token on
// every refresh (the old one dies within a day): give Config.Auth
// connector.OAuth2(src) over a connector/oauth Source (Endpoint AuthURL and
// TokenURL, AuthStyle oauth2.AuthStyleInHeader), which saves a rotated
// token before it is used. Config.RealmID is the company (the realmId
// Intuit returns with the authorization code); one client per company.
//
// # Idempotency
//
// Writes carry Intuit's requestid query parameter (at most 50 characters):
// a repeat within the company gets the first answer and is not done again.
// The requestid is connector.DeriveKey of the caller's key
// (connector.WithIdempotencyKey) and the operation, 35 characters, so that
// one key used for an invoice and for its payment gives two requestids;
// without a key each write takes a fresh one, so that the client's own
// retries after a lost answer are safe. Customers.Upsert looks the
// customer up by email first, then creates it under a key derived from the
// email: two upserts racing past the lookup at once make one customer each
// only if their keys differ. Updates carry the record's SyncToken: a
// change in between is ErrConflict (Stale Object Error, 5010).
//
// # Rate limits
//
// Intuit allows 500 requests a minute and 10 in flight per company, and
// says so in no header. The client keeps to 10 in flight and paces itself
// to 500 a minute; a 429 (ThrottleExceeded, 3001) is retried after a
// backoff, and spreads the client's calls evenly over the minute that
// follows. A connector.WithRateLimit (of a finite rate: rate.Inf reads as
// "none given") replaces that pace; the 10 in flight stay.
//
// # Currencies
//
// Config.HomeCurrency is the company's. A customer deals in one currency,
// fixed when it is created (CurrencyRef; the home currency by default),
// and QuickBooks refuses a transaction in another currency than its
// customer's. The client sends CurrencyRef on customers, invoices and
// payments where the caller gives a currency. Invoices.Create with a
// Customer (no CustomerID) makes the customer in the invoice's currency;
// when the email's customers all deal in other currencies it makes one
// more, "Name (CUR)". QuickBooks applies its own ExchangeRate (home units
// for one foreign unit); HomeTotalAmt and HomeBalance are in Raw. A
// company without multicurrency takes its home currency only.
// https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
//
// # Pagination
//
// Lists go through the query endpoint, select * from Entity STARTPOSITION
// n MAXRESULTS 100; a short page is the last. With
// ListOptions.UpdatedSince they go through change data capture
// (/cdc?entities=...&changedSince=...), sorted oldest change first, deleted
// records left out (Client.Changes yields them, Deleted set: an invoice
// removed by Invoices.Delete; a voided one is an ordinary change, and
// QuickBooks never deletes customers, it makes them inactive). CDC reaches back 30 days
// and answers at most 1,000 records an entity: a full answer is followed
// by another from its newest change.
//
// # Webhooks
//
// Intuit signs a delivery with intuit-signature: the base64 HMAC-SHA256
// of the raw body under the app's verifier token. It signs no timestamp.
// ParseWebhook reads both formats Intuit delivers: the CloudEvents array
// (each event with its id, mandatory from 2026) and the older
// eventNotifications object (no event id: an Event's ID is made of the
// realm, entity, id, operation and lastUpdated). Intuit retries an
// unanswered delivery after 10s, 20s, 30s, 5m, 20m, 2h, 4h, 6h and every
// 6 hours after.
//
// # Version
//
// Every request carries minorversion=75 (APIVersion), the minor version
// of Intuit's SDKs.
//
// Reference:
//   - https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/invoice
//   - https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
//   - https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/error-codes
//   - https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/changedatacapture
//   - https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
//   - https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-multiple-currencies
//   - https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure/
//
// Its sandbox is quickbookstest; accountingtest.Run holds it to the
// accounting contract.
package quickbooks
