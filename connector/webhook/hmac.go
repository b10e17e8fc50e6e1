package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Webhook verification errors. Handlers answer all of them with 401 and
// nothing else: the sender learns nothing about why.
var (
	ErrSignatureInvalid = errors.New("webhook: signature invalid")
	ErrTimestampStale   = errors.New("webhook: timestamp outside tolerance")
	ErrDuplicateEvent   = errors.New("webhook: event already delivered")
)

// SignatureEncoding is how a vendor writes an HMAC in its header.
type SignatureEncoding int

const (
	Hex    SignatureEncoding = iota // lower-case hex, as Stripe sends
	Base64                          // standard base64, as Shopify, Xero and HubSpot v3 send
)

// SignHMAC returns HMAC-SHA256 of payload under secret, encoded as enc. It
// is what a vendor's sandbox uses to sign the webhooks it sends.
func SignHMAC(secret, payload []byte, enc SignatureEncoding) string {
	m := hmac.New(sha256.New, secret)
	m.Write(payload)
	sum := m.Sum(nil)
	if enc == Base64 {
		return base64.StdEncoding.EncodeToString(sum)
	}
	return hex.EncodeToString(sum)
}

// VerifyHMAC checks that signature is HMAC-SHA256 of payload, the exact raw
// body, under any of secrets: during a rotation both the old and the new
// secret are valid. The comparison is constant-time. Empty secrets are
// skipped, so a missing configuration can never verify anything.
func VerifyHMAC(payload []byte, signature string, enc SignatureEncoding, secrets ...[]byte) error {
	got, err := decodeSignature(strings.TrimSpace(signature), enc)
	if err != nil || len(got) != sha256.Size {
		return ErrSignatureInvalid
	}
	ok := 0
	for _, secret := range secrets {
		if len(secret) == 0 {
			continue
		}
		m := hmac.New(sha256.New, secret)
		m.Write(payload)
		// Check every secret, matched or not, so timing does not tell
		// which one matched.
		ok |= boolInt(hmac.Equal(got, m.Sum(nil)))
	}
	if ok == 0 {
		return ErrSignatureInvalid
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func decodeSignature(s string, enc SignatureEncoding) ([]byte, error) {
	if enc == Base64 {
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			return b, nil
		}
		return base64.RawStdEncoding.DecodeString(s)
	}
	return hex.DecodeString(strings.ToLower(s))
}

// CheckTimestamp rejects a signed timestamp further than tolerance from now,
// in the past (a replay of a captured request) or in the future (a forged
// or badly skewed one).
func CheckTimestamp(signed, now time.Time, tolerance time.Duration) error {
	d := now.Sub(signed)
	if d > tolerance || d < -tolerance {
		return ErrTimestampStale
	}
	return nil
}

// SignatureHeader is a parsed "k=v,k=v" signature header such as Stripe's
// "t=1492774577,v1=5257a8...,v1=6ffbb5...". A key may repeat.
type SignatureHeader map[string][]string

// ParseSignatureHeader splits a comma-separated list of key=value pairs.
// Items without "=" and empty keys are ignored; it never fails, and a
// header that says nothing useful gives an empty map. At most 32 items are
// read, so a huge header costs little.
func ParseSignatureHeader(h string) SignatureHeader {
	const maxItems = 32
	out := SignatureHeader{}
	items := strings.SplitN(h, ",", maxItems+1)
	for i, item := range items {
		if i == maxItems {
			break
		}
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		out[k] = append(out[k], strings.TrimSpace(v))
	}
	return out
}

// Get returns the first value for key, or "".
func (h SignatureHeader) Get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
