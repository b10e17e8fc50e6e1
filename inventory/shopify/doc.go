// Package shopify is the Shopify inventory connector, on the GraphQL Admin
// API (REST Admin is legacy since 2024-10): variants by SKU, locations,
// inventory levels with named quantities, and adjustments and sets, as the
// inventory interfaces; Shopify's webhooks, orders/create among them,
// with the orders they carry; the shop's orders (Client.Orders,
// inventory.Orders): one by id, a poll that catches the webhooks that
// never came; and their fulfilments (Client.Fulfilments,
// inventory.Fulfilments): an order shipped with its tracking number, and
// taken back.
//
// # Auth
//
// Every shop has its own URL, Config.BaseURL ("https://example.myshopify.com"),
// and there is no default. A custom app's Admin API access token is
// AccessToken(token); a public app's token from Shopify's OAuth is
// OAuth(ts) over a connector/oauth Source. Both are sent alone in
// X-Shopify-Access-Token, never as a Bearer token, and only to the shop's
// host. A token source that fails sends nothing: the call's error is
// ErrUnauthorized or ErrUnavailable, never ErrOutcomeUnknown.
//
// # Idempotency
//
// inventoryAdjustQuantities, inventorySetQuantities and fulfillmentCreate
// carry the @idempotent(key:) directive: the same key twice applies the
// change once, and the repeat answers what the first left. The key is the
// caller's (connector.WithIdempotencyKey) or a fresh one per call, so that
// the client's own retries are safe. Queries change nothing and are
// retried freely; so is fulfillmentCancel, as cancelling twice undoes
// nothing more.
//
// Fulfil does not rest on the directive alone: Shopify lists it for its
// inventory and refund mutations
// (https://shopify.dev/changelog/adding-idempotency-for-inventory-adjustments-and-refund-mutations),
// and a repeat must carry the same variables. So Fulfil reads the order
// first and returns a fulfillment of it under the same tracking number
// that still stands, without a mutation; only an order with open
// fulfillment orders gets a fulfillmentCreate. The race left: two calls at
// once for one order, under different keys, both find it open; Shopify
// closes the fulfillment orders with the first, and refuses the second (a
// userError, ErrValidation).
//
// # Rate limits
//
// Shopify meters GraphQL by query cost in a leaky bucket (2,000 points,
// refilled at 100 a second on standard plans, 1,000 on Plus) and reports
// it in every answer's extensions.cost, not in headers. The client keeps
// its own view of the bucket from it (the newest report, less what it has
// in flight), and queues a query the bucket cannot afford: queued queries
// go in the order they came, each when its points are there, so a bulk
// job is not throttled. Until the first report one query goes at a time,
// since another client may have emptied the bucket. A THROTTLED answer (HTTP
// 200) is retried after the time the bucket needs to refill, five times at
// most; a wait past the context's deadline is ErrRateLimited at once.
//
// # Pagination
//
// Connections are read 100 nodes a page with first/after and
// pageInfo.endCursor.
//
// # Webhooks
//
// One event per delivery: the topic in X-Shopify-Topic, the resource as
// the body. Shopify signs with X-Shopify-Hmac-Sha256, the base64
// HMAC-SHA256 of the raw body under the app's client secret; it signs no
// timestamp. An Event's ID is X-Shopify-Webhook-Id, the same on every
// redelivery; Shopify retries a delivery not answered 2xx within 5
// seconds (8 times over 4 hours; 48 hours, as once documented, is what the
// handler allows for).
//
// # Orders
//
// Shopify does not promise to deliver every webhook and tells apps to
// reconcile with a periodic poll
// (https://shopify.dev/docs/apps/build/webhooks/best-practices#implement-reconciliation-jobs). Orders.List reads the orders query,
// sorted by UPDATED_AT, oldest change first, filtered with
// "updated_at:>='...'" from its since, and yields the same
// inventory.Order that Orders.FromWebhook reads from a webhook (DecodeOrder)
// and Orders.Get from the order query: ID is legacyResourceId, the
// webhook's "id", Number the order's name ("#1001"). One mapping serves
// all three, so an inbox keyed by the id drops the order that came both
// ways. Pages hold 8 orders, under Shopify's 1,000-point cap on one
// query's cost; an order's lines past the first 50 are read with the order
// query. Without the read_all_orders scope Shopify shows only the last 60
// days' orders.
//
// # Fulfilments
//
// Fulfilments.Fulfil fulfils the order's open fulfillment orders whole, in
// one fulfillmentCreate with the shipment's tracking company, number and
// URL, and notifyCustomer from Shipment.Notify (Shopify then sends its own
// shipping confirmation). Fulfilment.ID is the fulfillment's numeric id.
// An order whose open fulfillment orders are at several locations is
// refused: one tracking number cannot cover parcels from two places.
// Fulfilments.Cancel is fulfillmentCancel; the fulfillment orders open
// again. They need the (read_/write_)merchant_managed_fulfillment_orders
// scopes.
//
// # Version
//
// The API version is pinned to 2026-01 (APIVersion), in the path of every
// call. It is the first version in which inventoryAdjustQuantities and
// inventorySetQuantities take the @idempotent(key:) directive, which makes
// an adjustment safe to repeat on Shopify's side. Older versions have no
// server-side idempotency for these mutations. 2026-04 makes the key
// mandatory; the connector sends one on every mutation already.
//
// Reference:
//   - https://shopify.dev/docs/api/admin-graphql
//   - https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens
//   - https://shopify.dev/docs/api/usage/limits
//   - https://shopify.dev/docs/api/usage/pagination-graphql
//   - https://shopify.dev/docs/api/admin-graphql/latest/queries/orders
//   - https://shopify.dev/docs/api/usage/search-syntax
//   - https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCreate
//   - https://shopify.dev/docs/api/admin-graphql/latest/mutations/fulfillmentCancel
//   - https://shopify.dev/docs/api/usage/idempotent-requests
//   - https://shopify.dev/docs/apps/build/webhooks/subscribe/https
//   - https://shopify.dev/changelog/compare-and-swap-for-inventory-mutations-with-change-from-quantity
//
// Its sandbox is shopifytest; inventorytest.Run and inventorytest.RunOrders
// hold it to the inventory and orders contracts.
package shopify
