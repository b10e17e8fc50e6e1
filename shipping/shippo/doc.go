// Package shippo is the Shippo shipping connector: rates (shipments), label
// purchase (transactions), voids (refunds) and tracking through Shippo's
// REST API, as the shipping interfaces (shipping.Rates, shipping.Labels,
// shipping.LabelFinder, shipping.Tracking). Reference:
// https://docs.goshippo.com/shippoapi/public-api/.
//
// Auth: a live or test API token (shippo_live_..., shippo_test_...) in
// Shippo's own scheme, "Authorization: ShippoToken <token>":
// Config.Auth = APIToken(token)
// (https://docs.goshippo.com/docs/guides_general/authentication).
//
// Version: every request sends Shippo-API-Version: APIVersion, so that the
// account's default version cannot change what the connector reads
// (https://docs.goshippo.com/docs/api_concepts/api_upgrade_guides/upgrade_guide).
//
// Idempotency: Shippo has none, no header and no key. Buy makes purchases
// idempotent itself: the caller's key (connector.WithIdempotencyKey) goes
// into the transaction's metadata, and before buying, and again after any
// answer that was lost (connector.ErrOutcomeUnknown), the rate's
// transactions are listed and one carrying the key is returned instead of
// buying again; connector.WithNewKey skips the first lookup. The race that
// remains: two processes buying under one key at the same instant can both
// find nothing and both buy; run one purchase per order at a time. Creating
// a shipment (a quote) charges nothing and is retried freely. See
// LabelsService.Buy.
//
// Rate limits: per endpoint and verb, per minute, about ten times lower in
// test mode (creating shipments and transactions: 500 a minute live, 50 in
// test; listing far fewer). Shippo answers 429 and documents no rate-limit
// headers, so there is no RateFeedback: the connector retries a 429 with
// back off, honouring Retry-After when one is sent
// (https://docs.goshippo.com/docs/api_concepts/ratelimits/). Processes
// sharing an account's budget (connector.WithSharedBudget) draw on one per
// endpoint and verb at the documented figures (Config.Live picks live or
// test mode's).
//
// Pagination: lists are pages of up to 100 (page, results=100) with a next
// URL, null on the last page; the connector follows next
// (https://docs.goshippo.com/shippoapi/public-api/transactions/listtransactions).
//
// Webhooks: Shippo does not sign them. The documented way to authenticate
// a delivery is a secret token in the URL you register
// (https://your.app/hooks/shippo?token=...): VerifyWebhook compares the
// token query parameter with every webhook.Config.Secrets entry in
// constant time. Anyone who learns the URL can post anything to it, so treat
// events as hints: read the transaction or track back from the API before
// acting on money. One event per delivery (track_updated,
// transaction_created, transaction_updated, ...); Shippo retries a
// delivery not answered 2xx five times, ten seconds apart
// (https://docs.goshippo.com/docs/tracking/webhooks/).
//
// Its sandbox is shippotest; shippingtest.Run holds it to the contract.
package shippo
