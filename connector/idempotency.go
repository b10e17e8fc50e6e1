package connector

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
)

// DeriveKey returns a deterministic 35-character idempotency key for
// parts, as in DeriveKey("order", order.ID, "invoice"): a re-run after a
// crash repeats nothing; other parts ("ab","c" or "a","bc") give other
// keys.
func DeriveKey(parts ...string) string {
	h := sha256.New()
	var n [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(p)))
		h.Write(n[:])
		h.Write([]byte(p))
	}
	sum := h.Sum(nil)
	// 35 characters: short enough for every vendor (QuickBooks' requestid
	// allows 50, Xero's Idempotency-Key 128, Stripe's 255), and 128 bits of
	// hash, so distinct parts do not collide in practice.
	return "pb-" + hex.EncodeToString(sum[:16])
}

// NewKey returns a random key, for protecting the retries of one call.
func NewKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "pb-" + hex.EncodeToString(b[:])
}
