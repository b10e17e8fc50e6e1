package webhook

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"sync"
	"time"
)

// Asymmetric signatures: a vendor that signs its webhooks with a private
// key (RSA-SHA256, PKCS #1 v1.5) publishes the public keys, usually as a
// JSON Web Key Set (RFC 7517) at an endpoint of its API, and names the key
// of each delivery by its key id.

// minRSABits is the smallest modulus VerifyRSA accepts.
const minRSABits = 2048

// VerifyRSA checks that signature (standard or raw base64) is an RSA
// PKCS #1 v1.5 signature of SHA-256(payload) by pub. It returns
// ErrSignatureInvalid for any failure, a nil or short key included.
func VerifyRSA(payload []byte, signature string, pub *rsa.PublicKey) error {
	if pub == nil || pub.N == nil || pub.N.BitLen() < minRSABits {
		return ErrSignatureInvalid
	}
	sig, err := decodeSignature(strings.TrimSpace(signature), Base64)
	if err != nil || len(sig) != pub.Size() {
		return ErrSignatureInvalid
	}
	sum := sha256.Sum256(payload)
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return ErrSignatureInvalid
	}
	return nil
}

// SignRSA returns the base64 RSA PKCS #1 v1.5 SHA-256 signature of payload
// by priv: what a sandbox signs its webhooks with.
func SignRSA(payload []byte, priv *rsa.PrivateKey) (string, error) {
	sum := sha256.Sum256(payload)
	sig, err := rsa.SignPKCS1v15(rand.Reader, priv, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// ParseRSAPublicKeyPEM reads a PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY"
// (PKCS #1) block.
func ParseRSAPublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("webhook: not a PEM block")
	}
	switch block.Type {
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if pub, ok := k.(*rsa.PublicKey); ok {
			return pub, nil
		}
	}
	return nil, errors.New("webhook: not an RSA public key")
}

// ParseRSAPrivateKeyPEM reads a PEM "PRIVATE KEY" (PKCS #8) or "RSA
// PRIVATE KEY" (PKCS #1) block.
func ParseRSAPrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil {
		return nil, errors.New("webhook: not a PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		return x509.ParsePKCS1PrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if priv, ok := k.(*rsa.PrivateKey); ok {
			return priv, nil
		}
	}
	return nil, errors.New("webhook: not an RSA private key")
}

// EncodeRSAPublicKeyPEM writes pub as a PEM "PUBLIC KEY" block.
func EncodeRSAPublicKeyPEM(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub) // never fails for an RSA key
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// EncodeRSAPrivateKeyPEM writes priv as a PEM "PRIVATE KEY" (PKCS #8)
// block.
func EncodeRSAPrivateKeyPEM(priv *rsa.PrivateKey) string {
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// RSAKeyID is a stable id for pub: the base64url SHA-256 of its PKIX
// encoding, cut to 22 characters. For sandboxes that publish their key
// under an id of their own making.
func RSAKeyID(pub *rsa.PublicKey) string {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:])[:22]
}

type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// maxJWKSKeys bounds what ParseJWKS keeps of one document.
const maxJWKSKeys = 64

// ParseJWKS reads the RSA signing keys of a JSON Web Key Set, by key id.
// Keys of other types, of "use" other than "sig", or shorter than 2048
// bits are skipped; a document with no usable key is an error.
func ParseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, errors.New("webhook: JWKS is not JSON")
	}
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		if len(out) == maxJWKSKeys {
			break
		}
		if k.Kty != "RSA" || (k.Use != "" && k.Use != "sig") {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.N, "="))
		e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.E, "="))
		if err1 != nil || err2 != nil || len(e) == 0 || len(e) > 4 {
			continue
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
		if pub.N.BitLen() < minRSABits || pub.E < 3 || pub.E%2 == 0 {
			continue
		}
		out[k.Kid] = pub
	}
	if len(out) == 0 {
		return nil, errors.New("webhook: JWKS has no usable RSA signing key")
	}
	return out, nil
}

// EncodeJWKS writes keys as a JSON Web Key Set of RSA signing keys, for
// sandboxes that serve their vendor's key endpoint.
func EncodeJWKS(keys map[string]*rsa.PublicKey) []byte {
	set := struct {
		Keys []jwk `json:"keys"`
	}{Keys: []jwk{}}
	for kid, pub := range keys {
		set.Keys = append(set.Keys, jwk{Kty: "RSA", Kid: kid, Use: "sig", Alg: "RS256",
			N: base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes())})
	}
	b, _ := json.Marshal(set)
	return b
}

// RSAKeyCache holds a vendor's public keys by key id, fetched from its key
// endpoint on first use and again when a delivery names a key id it does
// not hold (the vendor rotated), at most once per MinRefresh so that
// deliveries with made-up key ids cannot make it hammer the endpoint.
// Concurrent misses share one fetch. Safe for concurrent use.
type RSAKeyCache struct {
	fetch      func(ctx context.Context) (map[string]*rsa.PublicKey, error)
	minRefresh time.Duration
	now        func() time.Time

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	fetched time.Time
	running chan struct{} // closed when the fetch under way ends
}

// NewRSAKeyCache returns a cache over fetch (typically a GET of the key
// endpoint through ParseJWKS). minRefresh 0 is one minute.
func NewRSAKeyCache(fetch func(ctx context.Context) (map[string]*rsa.PublicKey, error), minRefresh time.Duration) *RSAKeyCache {
	if minRefresh <= 0 {
		minRefresh = time.Minute
	}
	return &RSAKeyCache{fetch: fetch, minRefresh: minRefresh, now: time.Now}
}

// Key returns the key with id kid. An unknown kid is ErrSignatureInvalid
// once the endpoint was asked (or was asked less than MinRefresh ago); a
// failure to fetch keys is returned as it is, so that a handler can
// answer 5xx and have the delivery retried.
func (c *RSAKeyCache) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	for {
		c.mu.Lock()
		if k, ok := c.keys[kid]; ok && kid != "" {
			c.mu.Unlock()
			return k, nil
		}
		if c.running != nil {
			wait := c.running
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		if kid == "" || (!c.fetched.IsZero() && c.now().Sub(c.fetched) < c.minRefresh) {
			c.mu.Unlock()
			return nil, ErrSignatureInvalid
		}
		done := make(chan struct{})
		c.running = done
		c.mu.Unlock()

		keys, err := c.fetch(ctx)
		c.mu.Lock()
		c.running = nil
		if err == nil {
			c.keys, c.fetched = keys, c.now()
		}
		k, ok := c.keys[kid]
		c.mu.Unlock()
		close(done)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			return nil, ErrSignatureInvalid
		}
		return k, nil
	}
}
