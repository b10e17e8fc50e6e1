// Package flow is the main job Patchbay exists for: an order placed on
// a website flows on its own through the CRM, inventory, accounting and
// shipping, exactly once.
//
// Each step is one short function over the vendor-neutral interfaces, and
// its idempotency key is derived from the order id and the step's name. A
// re-run after any crash therefore repeats nothing: every vendor returns
// what it did the first time, and the step reports "already done". A step
// that fails for good undoes what earlier steps did (restock, void the
// invoice) and the order is reported as failed, with the reason.
//
// examples/orderflow runs it on the vendor sandboxes; the Temporal example
// runs the same steps as activities.
package flow
