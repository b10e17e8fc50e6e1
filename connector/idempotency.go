package connector

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// KeyLength is the length of every key DeriveKey and NewKey return: short
// enough for every vendor we target (QuickBooks' requestid allows 50
// characters, Xero's Idempotency-Key 128, Stripe's 255) and 128 bits of hash,
// so distinct inputs do not collide in practice.
const KeyLength = 35

// DeriveKey returns a deterministic idempotency key for business parts, such
// as an order id and a step name:
//
//	key := connector.DeriveKey("order", order.ID, "invoice")
//
// The same parts always give the same key, so re-running an order after a
// crash repeats nothing; different parts give different keys, including
// parts that only differ in where one ends ("ab","c" versus "a","bc").
func DeriveKey(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	return "pb-" + hex.EncodeToString(sum[:16])
}

// NewKey returns a random key, for protecting the retries of one call.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "pb-" + hex.EncodeToString(b[:])
}
