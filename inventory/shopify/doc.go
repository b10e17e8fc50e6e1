// Package shopify is the Shopify inventory connector, on the GraphQL Admin
// API (REST Admin is legacy since 2024-10): variants by SKU, locations,
// inventory levels with named quantities, and adjustments and sets, as the
// inventory interfaces; Shopify's webhooks, orders/create among them,
// with the orders they carry; and the shop's orders (Client.Orders), for a
// poll that catches the webhooks that never came.
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
// inventoryAdjustQuantities and inventorySetQuantities carry the
// @idempotent(key:) directive: the same key twice applies the change once,
// and the repeat answers what the first left. The key is the caller's
// (connector.WithIdempotencyKey) or a fresh one per call, so that the
// client's own retries are safe. Queries change nothing and are retried
// freely.
//
// # Rate limits
//
// Shopify meters GraphQL by query cost in a leaky bucket (2,000 points,
// refilled at 100 a second on standard plans, 1,000 on Plus) and reports
// it in every answer's extensions.cost, not in headers. The client keeps
// its own view of the bucket from it, and waits before a query the bucket
// cannot afford, so a bulk job is not throttled. A THROTTLED answer (HTTP
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
// "updated_at:>='...'" from OrderListOptions.UpdatedSince, and yields the
// same Order DecodeOrder reads from a webhook (ID is legacyResourceId, the
// webhook's "id"), so one mapping serves both and an inbox keyed by the id
// drops the order that came both ways. Pages hold 8 orders, under
// Shopify's 1,000-point cap on one query's cost; an order's lines past the
// first 50 are read with the order query. Without the read_all_orders
// scope Shopify shows only the last 60 days' orders.
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
//   - https://shopify.dev/docs/apps/build/webhooks/subscribe/https
//   - https://shopify.dev/changelog/compare-and-swap-for-inventory-mutations-with-change-from-quantity
//
// Its sandbox is shopifytest; inventorytest.Run holds it to the inventory
// contract.
package shopify
