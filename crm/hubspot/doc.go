// Package hubspot is the HubSpot CRM connector: contacts, companies, deals
// and notes through the CRM v3 objects API, and the links between them
// through the v4 associations API, as crm.Contacts, crm.Companies,
// crm.Deals, crm.Notes and crm.Associations; and HubSpot's app webhooks.
// https://developers.hubspot.com/docs/api-reference/latest/crm/objects/contacts/guide
//
// # Auth
//
// Config.Auth is a private app's access token (connector.Bearer) or an
// OAuth app's tokens (connector.OAuth2 over a connector/oauth Source, which
// refreshes them). Every call goes through the connector stack: retries
// that never duplicate a write, pacing, typed errors, redaction.
//
// # Idempotency
//
// HubSpot takes no idempotency key. connector.WithIdempotencyKey is mapped
// onto what it keeps unique:
//
//   - Contacts: the email. A keyed create whose email is taken (a retry of
//     a create whose answer was lost lands there) returns the existing
//     contact; Upsert is batch/upsert by email, idempotent by nature.
//   - Companies and deals: a custom property with unique values
//     (Config.IdempotencyProperty, created on first use) holds the key. A
//     keyed create is a batch/upsert by that property; a keyed deal with
//     associations is created with the key and its links in one call, and
//     a 409 for the key reads the deal back and makes sure of its links.
//   - Notes: the key is the note body's last line ("Ref: <key>"). A keyed
//     Add first looks for it on the notes of n.About[0] (skipped under
//     connector.WithNewKey), and again after an answer that was lost. Two
//     processes adding the same keyed note at the same moment can both
//     miss it and make two notes: HubSpot gives nothing to close that race.
//
// The connector repeats a POST only for vendors that read an idempotency
// header, so the package itself sends the keyed writes of contacts,
// companies and deals once more when their answer is a 5xx or is lost:
// HubSpot's unique values make the second one find the first. A keyless
// create is sent once: a lost answer is connector.ErrOutcomeUnknown.
//
// # Rate limits
//
// Every answer carries X-HubSpot-RateLimit-Max, -Remaining and
// -Interval-Milliseconds (a rolling 10-second window) and the daily
// X-HubSpot-RateLimit-Daily and -Daily-Remaining. The client slows down as
// the window's budget runs low, before HubSpot says 429. A 429 body names
// its policy: TEN_SECONDLY_ROLLING is retried; DAILY is not (nothing
// succeeds before the day resets) and is connector.ErrRateLimited with a
// RetryAfter estimated at the next midnight UTC.
// https://developers.hubspot.com/docs/api/usage-details
//
// # Pagination
//
// Lists follow paging.next.after, 100 records a page (associations 500).
// A List with UpdatedSince goes through the search API, sorted by the
// last-modified date, oldest change first; search returns at most 10,000
// results per query, so a longer sync runs in windows that each start at
// the last modification time seen, none lost and none twice.
//
// # Webhooks
//
// HubSpot posts batches of up to 100 events to an app's target URL, signed
// with the app's client secret: X-HubSpot-Signature-v3 is the base64
// HMAC-SHA256 of method, URL, body and X-HubSpot-Request-Timestamp, which
// must be within 5 minutes; older apps' v1 and v2 signatures
// (X-HubSpot-Signature) are checked when v3 is absent. NewWebhookHandler
// verifies a delivery, hands on each event once, by eventId, and answers
// 500 when handling fails, so that HubSpot's retries (up to 10, over 24
// hours) bring the event again.
// https://developers.hubspot.com/docs/api/webhooks,
// https://developers.hubspot.com/docs/api/webhooks/validating-requests
//
// # API version
//
// HubSpot sends no version header and takes none: the version is in the
// path. The package uses the /crm/v3/objects and /crm/v3/properties paths
// and /crm/v4 for associations, rather than the date-versioned
// /crm/objects/2026-03/... ones: they are what HubSpot's published specs
// describe in full, and HubSpot keeps them working alongside.
//
// Its sandbox is hubspottest; crmtest.Run holds it to the crm contract.
package hubspot
