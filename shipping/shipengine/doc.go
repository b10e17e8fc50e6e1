// Package shipengine is the Patchbay connector for ShipEngine
// (https://www.shipengine.com/docs/), and for ShipStation API v2, the same
// platform under https://api.shipstation.com/v2 (Config.Platform): rates,
// labels bought from a rate (Labels.Buy) or from a shipment's details
// (Labels.BuyForShipment), voids, tracking, FindByKey, and RSA-signed
// webhooks.
//
// Auth: the account's API key in the API-Key header (APIKey).
// https://www.shipengine.com/docs/auth/
//
// Version: in the path only: /v1 (ShipStation: /v2). No version header.
//
// Idempotency: the platform has no idempotency key. A purchase from a rate
// (POST /v1/labels/rates/{rate_id}) takes no external id; the one id the
// platform enforces as unique, a shipment's external_shipment_id, is set
// when a shipment is created and cannot be added later to the shipment a
// quote created. So a keyed Buy writes the key into custom_field1, which
// the purchase saves on the rate's shipment, and looks it up by the rate's
// labels (GET /v1/labels?rate_id=) before buying and again after a lost
// answer: a label bought under a key is bought once, including when the
// answer is lost after the charge. The race that remains: two processes
// buying one rate under one key at the same instant both find nothing and
// both buy; run one purchase per order at a time. A lookup lists the rate's
// labels and reads the shipment of each, so it costs two calls or more;
// connector.WithNewKey skips it on a key never used. LabelsService.Buy
// says more.
//
// A label bought from a shipment (POST /v1/labels) carries the key in
// shipment.external_shipment_id (hashed when over its 50 characters),
// which the platform keeps unique per account: BuyForShipment looks the
// key up (GET /v1/labels/external_shipment_id/{id}; on ShipStation API
// v2, through GET /v2/shipments/external_shipment_id/{id}) before buying
// and after a lost answer or a refusal, and a second purchase under the
// key is refused by the platform, so no race remains there.
//
// Errors: {"request_id", "errors": [{error_source, error_type, error_code,
// message, field_name, carrier_code}]}; Code is the first error_code,
// Message every message. rate_limit_exceeded is connector.ErrRateLimited
// whatever the status, the *_conflict codes connector.ErrConflict, and a
// void the carrier refuses (a 200 with approved false)
// connector.ErrValidation. https://www.shipengine.com/docs/errors/
//
// Rate limit: 200 requests a minute by default; over it, 429 with
// Retry-After in seconds, which pauses the client, and slows an unpaced
// client to DocumentedLimit. No quota headers are sent.
// https://www.shipengine.com/docs/rate-limits/
//
// Pagination: page (from 1) and page_size (default 25; the package asks
// for 100), with total, page, pages and links in each answer.
//
// Webhooks: RSA-SHA256 (PKCS #1 v1.5) over "<x-shipengine-timestamp>.<raw
// body>", base64 in x-shipengine-rsa-sha256-signature, the key named by
// x-shipengine-rsa-sha256-key-id, the public keys published as a JSON Web
// Key Set at /jwks. webhook.Config.Secrets holds public keys (a JWKS
// document or PEM keys) for NewWebhookHandler; (*Client).NewWebhookHandler
// fetches them from /jwks through the client and caches them by key id.
// Timestamps more than Tolerance (5 minutes) from now are refused.
// https://www.shipengine.com/docs/webhooks/
//
// ShipEngine and ShipStation API v2 agree on the paths this package uses
// (under /v1 and /v2), the bodies, errors and webhook signature, with
// these differences in ShipStation's published spec: it has no GET
// /v2/tracking (tracking goes through GET /v2/labels/{label_id}/track, so
// Track by carrier and number is ShipEngine's only), and its keys are
// published at https://api.shipstation.com/jwks.
package shipengine
