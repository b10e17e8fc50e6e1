// Package woocommerce is the WooCommerce connector, on the REST API v3
// (/wp-json/wc/v3): products and variations by SKU, their stock, and
// keyed adjustments, as the inventory interfaces; the shop's orders, and
// their fulfilment with a tracking number (inventory.Orders and
// inventory.Fulfilments); WooCommerce's webhooks, order.created among
// them, with the orders they carry.
//
// # Auth
//
// Every shop has its own site URL, Config.BaseURL ("https://shop.example.com");
// the client adds /wp-json/wc/v3. A REST API key is ConsumerKey(key,
// secret), sent as HTTP Basic over HTTPS; the key, the secret and the
// encoded pair are kept out of errors and logs. Plain http is refused but
// on a loopback host: over HTTP WooCommerce wants OAuth 1.0a signatures,
// which this connector does not make. The query-string form
// (consumer_key and consumer_secret in the URL, for servers that strip the
// Authorization header) is not supported: a secret in a URL reaches
// access logs.
//
// # Items and the one location
//
// An Item is a simple product, a variable product that keeps its
// variations' stock itself, or a variation; grouped and external products
// hold no stock. Its ID is the product id ("123") or the parent's and the
// variation's ("123/456"), so that every stock call goes to the right
// path (/products/123 or /products/123/variations/456). GetBySKU uses
// GET /products?sku=, which searches variations too. Tracked is
// manage_stock (a variation whose manage_stock is "parent" is not
// tracked: its parent is).
//
// WooCommerce core keeps one stock number per product or variation, with
// no notion of where it is: Locations lists one synthetic location,
// LocationID ("store"), which every Level and Change names. Available and
// OnHand are both stock_quantity (WooCommerce takes stock when an order
// is paid or put on hold, so it already leaves out what is sold);
// Committed is 0.
//
// # Stock: what Adjust guarantees
//
// WooCommerce's REST API only sets stock: PUT /products/{id} (or the
// variation's path) with stock_quantity. It has no relative change and no
// conditional update. PUT's undocumented inventory_delta adds to the
// quantity the request loaded, in PHP, then saves it as a set: no safer
// than doing it here. The atomic SQL increment, wc_update_product_stock
// with 'increase' or 'decrease', runs only on checkout and on order status
// changes (wc_reduce_stock_levels, wc_increase_stock_levels), never from
// a product endpoint. WooCommerce has no idempotency keys either.
//
// So Adjust reads the item, adds the delta, and sets the result, with the
// change recorded in the same write: the item's meta_data entry
// "_patchbay_stock_journal" keeps the adjustments of the last 24 hours
// (key, delta, quantity after, when), and at least the last 50, up to
// 1,000 (about 60 kB, which every read of the item then carries). What
// that gives:
//
//   - Within one Client, changes to an item are serialised: concurrent
//     Adjust and Set calls on one item never lose each other's change,
//     and each reports its own place in the sequence.
//   - A key is applied once: a repeat (a retry after an error or a lost
//     answer, a re-run after a crash, a second process with the same key
//     after the first finished) finds it in the journal and reports the
//     first time's quantity without writing, as long as the key is still
//     in the journal: for 24 hours, or on an item adjusted more than
//     1,000 times a day through the connector, while it is among the
//     last 1,000. A change
//     without a key gets a fresh one, so that the call's own retries are
//     safe.
//   - After each write the item is read again. If another connector's
//     write, computed from the quantity before this one, replaced it (the
//     journal has no entry for the key), the change is applied again, up
//     to three times, then it is ErrConflict.
//
// What remains, and no client of WooCommerce's REST API can close:
// another process, the shop's admin or a checkout that writes the item
// between this read and this write is overwritten (a checkout's decrement
// lost); a process that overwrites this write after this client's second
// read loses this change unseen, and the same key sent by two processes
// at the same moment can be applied by both. Run stock changes for a shop
// through one process (one Client), or accept that stock is corrected by
// a count. Set with Expected is compare-and-set in the connector (read,
// compare, write, serialised in the Client), not at WooCommerce.
//
// # Orders
//
// Orders.Get reads /orders/{id}; Orders.List reads the orders changed at
// or after a time, oldest change first: orderby=modified (accepted by
// WooCommerce's code, WC_REST_CRUD_Controller, though its reference lists
// only date, id, include, title and slug), order=asc, modified_after
// with dates_are_gmt (WooCommerce 5.8). modified_after is strictly
// after, to the second, so the connector asks from a second earlier and
// drops what is older. A
// line's UnitPrice is subtotal / quantity: subtotal is a decimal string
// before discounts, while the line's price is a float WooCommerce
// computes after them. The customer is the billing contact; ShipTo is the
// shipping address (zero when the order has none), its phone the billing
// one when WooCommerce (before 5.6) has no shipping phone. Shipping is
// the first shipping line's method_title.
//
// # Fulfilments
//
// WooCommerce core has no shipment object. Fulfil sets the order to
// completed and adds an order note with the carrier and tracking number
// (TrackingNote), a customer note when Shipment.Notify is set, which
// WooCommerce emails to the customer; Fulfilment.ID is the note's id.
// Setting the order to completed also sends WooCommerce's "Completed
// order" email, if the shop has it on, whatever Notify says. Exactly once
// under a key, with no idempotency at WooCommerce: the fulfilment is
// recorded in the order's meta_data ("_patchbay_fulfilment_" and a hash
// of the key) in the write that completes the order; a repeat finds the
// record and writes nothing; a run that wrote the note and stopped before
// the record finds the note by its text; a note whose answer was lost is
// looked for before it is written again. Two processes fulfilling one
// order under one key at the same moment can both write a note.
// Cancel deletes the note (DELETE ...?force=true: notes cannot be
// trashed) and sets the order back to processing, unless another
// fulfilment of it stands; the emails the customer already received
// cannot be taken back, but the note leaves the customer's order page.
//
// # Errors and rate limits
//
// Errors are WordPress's {"code", "message", "data": {"status"}}: codes
// ending in _invalid_id (woocommerce_rest_product_invalid_id,
// woocommerce_rest_shop_order_invalid_id, ...) and rest_no_route are
// ErrNotFound, whatever the status (an update of a missing id is 400);
// woocommerce_rest_authentication_error is ErrUnauthorized;
// rest_invalid_param and rest_missing_callback_param are ErrValidation;
// other codes take their status's kind. WooCommerce's REST API has no
// rate limit of its own (the Store API, for storefronts, has one; this
// connector does not use it) and sends no rate headers: a 429 comes from
// the host, and is waited out as its Retry-After asks.
//
// # Pagination
//
// Collections are read 100 a page (per_page's maximum) with page, until
// X-WP-TotalPages. Pages are numbered, not cursors: an order changed while
// a list is read moves to its end and the pages after it shift, so one
// order can be missed by that list; orders changed within one second come
// in the database's order. An order read twice in one list is yielded
// once.
//
// # Webhooks
//
// One event per delivery: the topic in X-WC-Webhook-Topic (also
// X-WC-Webhook-Resource and -Event, -Source, -ID), the resource as the
// REST API shows it as the body. X-WC-Webhook-Signature is the base64
// HMAC-SHA256 of the raw body under the webhook's secret; no timestamp is
// signed. X-WC-Webhook-Delivery-ID is made afresh for every send from the
// webhook id and the current second, so it cannot de-duplicate: an
// Event's ID is the topic, the resource id and its date_modified_gmt
// ("order.created:727:2017-03-22T19:28:08"). A replay of a captured
// delivery verifies, and is dropped by that ID while the handler's seen
// store remembers it (36 hours by default). WooCommerce does not retry a
// failed delivery (it counts failures, and disables the webhook after
// more than five in a row), so a handler that fails loses the event: poll
// Orders.List. The ping WooCommerce posts when a webhook is created
// ("webhook_id=N", a form body, unsigned) is answered 200 without an
// event.
//
// # Version
//
// The namespace is pinned to wc/v3 (APIVersion): WooCommerce 3.5 or
// later; modified_after needs 5.8.
//
// Reference:
//   - https://woocommerce.github.io/woocommerce-rest-api-docs/ (source: github.com/woocommerce/woocommerce-rest-api-docs, source/includes/wp-api-v3)
//   - https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https
//   - https://woocommerce.github.io/woocommerce-rest-api-docs/#pagination
//   - https://woocommerce.github.io/woocommerce-rest-api-docs/#errors
//   - https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks
//   - https://github.com/woocommerce/woocommerce/tree/trunk/plugins/woocommerce/includes/rest-api/Controllers/Version3
//   - https://github.com/woocommerce/woocommerce/blob/trunk/plugins/woocommerce/includes/class-wc-webhook.php
//
// Its sandbox is woocommercetest; inventorytest.Run (as a set-only
// vendor) and inventorytest.RunOrders hold it to the contracts.
package woocommerce
