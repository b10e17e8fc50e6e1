// Package shipping is the vendor-neutral contract for shipping: addresses
// and parcels, rate quotes, label purchase that never buys twice, voids,
// and tracking. Every shipping vendor package implements its small
// interfaces and passes shippingtest.Run against its sandbox.
package shipping
