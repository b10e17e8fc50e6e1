// Package easypost is the EasyPost connector: shipments that quote rates,
// label purchase, refunds (voids) and trackers, on the shipping domain's
// interfaces (shipping.Rates, shipping.Labels, shipping.LabelFinder,
// shipping.Tracking), and EasyPost's signed webhooks.
//
// # Auth
//
// The API key is the user name of HTTP Basic auth with an empty password
// (APIKey, which is connector.Basic(key, "")); test keys (EZTK...) reach
// test mode, production keys (EZAK...) production
// (https://docs.easypost.com/docs/authentication).
//
// # Idempotency
//
// EasyPost has no idempotency header. A keyed Buy carries the caller's key
// in the reference of the shipment it buys, and a shipment can be bought
// once:
//  1. unless connector.WithNewKey says the key is new, the account's
//     purchased shipments created since the quote are listed (newest first,
//     before_id pages); one whose reference holds the key is the result, one
//     holding another key for the same rate is connector.ErrConflict;
//  2. otherwise the label is bought in one call: a shipment with the quoted
//     shipment's addresses and parcel, the rate's carrier account and
//     service, and the key in its reference (EasyPost's one-call buy);
//  3. if that answer is lost after the charge (connector.ErrOutcomeUnknown),
//     step 1 runs again and finds the shipment by its reference: one label,
//     one charge. If it finds none, the call stays ErrOutcomeUnknown (a
//     purchase still on its way would not show yet), and the next call
//     under the key looks again before it buys.
//
// A keyed label is therefore a shipment of its own, its ID the shipment's
// (shp_...), its RateID the rate the caller quoted. What remains: two
// processes buying under one key at the same instant can both pass step 1;
// run one purchase per order at a time. A Buy without a key buys the quoted
// shipment itself (POST /v2/shipments/{id}/buy) and reports a lost answer
// as connector.ErrOutcomeUnknown, never retried blindly.
//
// # Rate limits
//
// EasyPost answers 429 (code RATE_LIMITED) under load and sends no
// rate-limit headers, so there is no RateFeedback: the connector's
// retries back off
// (https://docs.easypost.com/guides/rate-limiting-guide).
//
// # Pagination
//
// Lists are newest first, paged with page_size and before_id (the last id
// of a page) while has_more is true
// (https://docs.easypost.com/docs/pagination). after_id bounds a walk from
// below: Labels.List keeps it on every page request and also stops at that
// shipment itself (EasyPost's own client libraries never send the two
// together, so the connector does not count on the server to keep both).
//
// # Webhooks
//
// EasyPost signs each delivery with its webhook's secret in
// X-Hmac-Signature: "hmac-sha256-hex=" and the lower-case hex HMAC-SHA256
// of the exact body, keyed with the secret normalised to Unicode NFKD and
// encoded as UTF-8. That is what EasyPost's official client libraries
// verify (validate_webhook in EasyPost/easypost-python, easypost/util.py;
// https://docs.easypost.com/guides/webhooks-guide). No time is signed:
// replays are dropped by event id (evt_...), which a redelivery repeats.
//
// # Version
//
// The API version is in the path: APIVersion, /v2.
package easypost
