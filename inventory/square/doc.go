// Package square connects Square (Connect API v2) as an inventory system
// and as the website that takes orders (Square Online, the point of sale,
// the Orders API): inventory.Items, inventory.Locations, inventory.Stock,
// inventory.Orders and inventory.Fulfilments.
//
// # Auth
//
// A seller's access token, sent as a Bearer token: AccessToken(token) for
// a personal access token, OAuth(ts) for an application the seller
// authorized through Square's OAuth (a connector/oauth Source).
// https://developer.squareup.com/docs/build-basics/access-tokens
//
// # Version
//
// Square-Version: APIVersion (2025-08-20) on every request, the version
// of the official spec the package is checked against.
// https://developer.squareup.com/docs/build-basics/versioning-overview
//
// # Items and stock
//
// An inventory.Item is a catalog item variation: its ID the variation's
// id, which inventory counts and order lines name. Levels read
// BatchRetrieveInventoryCounts (IN_STOCK is Available,
// RESERVED_FOR_SALE Committed). Adjust sends ADJUSTMENT changes in one
// BatchChangeInventory, which Square applies server-side, so concurrent
// deltas sum exactly. Set sends PHYSICAL_COUNT changes: Square has no
// compare-and-set on inventory, so Set with Expected checks the count
// first and writes after, a race of one round trip (see Set).
//
// # Idempotency
//
// Square takes an idempotency_key in the body of every write: the
// caller's key (connector.WithIdempotencyKey) or a new one for the
// call's own retries. BatchChangeInventory answers a repeated key with the
// first answer; UpdateOrder with the order as it is now; the key with
// another request is IDEMPOTENCY_KEY_REUSED (ErrConflict).
// https://developer.squareup.com/docs/build-basics/common-api-patterns/idempotency
//
// # Orders and fulfilments
//
// Orders are read with RetrieveOrder and SearchOrders (updated_at filter,
// UPDATED_AT ascending, cursor), their lines' SKUs from the catalog
// (cached), their customer from the Customers API or, failing that, the
// shipment's recipient; prices are exact, Money's smallest unit scaled by
// the currency's decimals. Fulfil completes the order's SHIPMENT
// fulfillment with the carrier and tracking number through UpdateOrder
// (the order's version, the caller's key); Cancel cancels it. Square
// sends the customer no shipping confirmation for an update through the
// API: Fulfilment.Notified is false.
// https://developer.squareup.com/docs/orders-api/fulfillments
//
// # Pagination and rate limits
//
// Cursors throughout (ListCatalog 100 a page, counts up to 1,000,
// SearchOrders 100 asked). Square publishes no quota and sends no
// rate-limit headers: a 429 RATE_LIMITED is backed off by the retry
// policy, and pauses the client briefly.
// https://developer.squareup.com/docs/build-basics/common-api-patterns/pagination
//
// # Webhooks
//
// x-square-hmacsha256-signature is the base64 HMAC-SHA256, under the
// subscription's signature key, of the notification URL followed by the
// body. Redeliveries (for up to 72 hours) carry the same event_id, which
// the handler de-duplicates by; Square signs no time, so replays are
// caught by event_id, and optionally by created_at with
// webhook.Config.Tolerance. order.created carries only the order's id:
// Orders.FromWebhook reads the order.
// https://developer.squareup.com/docs/webhooks/step3validate
//
// The sandbox is squaretest.
package square
