// Package inventory is the vendor-neutral contract for stock: items (by
// SKU), locations, levels, and adjustments that are exact under
// concurrency and idempotent under a key. Every inventory vendor package
// implements its small interfaces and passes inventorytest.Run against its
// sandbox.
package inventory
