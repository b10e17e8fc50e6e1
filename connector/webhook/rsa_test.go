package webhook_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patchbay-go/patchbay/connector/webhook"
)

func TestRSASignVerifyAndTamper(t *testing.T) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`2026-11-23T10:00:00.000Z.{"a":1}`)
	sig, err := webhook.SignRSA(payload, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := webhook.VerifyRSA(payload, sig, &k.PublicKey); err != nil {
		t.Fatalf("valid signature refused: %v", err)
	}
	for name, p := range map[string][]byte{"changed": []byte(`2026-11-23T10:00:00.000Z.{"a":2}`), "empty": nil} {
		if !errors.Is(webhook.VerifyRSA(p, sig, &k.PublicKey), webhook.ErrSignatureInvalid) {
			t.Errorf("%s payload verified", name)
		}
	}
	for _, bad := range []string{"", "!!", sig[:len(sig)-4]} {
		if webhook.VerifyRSA(payload, bad, &k.PublicKey) == nil {
			t.Errorf("signature %q verified", bad)
		}
	}
	if webhook.VerifyRSA(payload, sig, nil) == nil {
		t.Error("nil key verified")
	}
	pub, err := webhook.ParseRSAPublicKeyPEM(webhook.EncodeRSAPublicKeyPEM(&k.PublicKey))
	if err != nil || pub.N.Cmp(k.N) != 0 {
		t.Fatalf("PEM round trip: %v", err)
	}
	priv, err := webhook.ParseRSAPrivateKeyPEM(webhook.EncodeRSAPrivateKeyPEM(k))
	if err != nil || priv.D.Cmp(k.D) != 0 {
		t.Fatalf("private PEM round trip: %v", err)
	}
	keys, err := webhook.ParseJWKS(webhook.EncodeJWKS(map[string]*rsa.PublicKey{"kid-1": &k.PublicKey}))
	if err != nil || keys["kid-1"] == nil || keys["kid-1"].N.Cmp(k.N) != 0 || keys["kid-1"].E != k.E {
		t.Fatalf("JWKS round trip: %v", err)
	}
	if _, err := webhook.ParseJWKS([]byte(`{"keys":[{"kty":"EC","kid":"x"}]}`)); err == nil {
		t.Error("a JWKS without an RSA key parsed")
	}
}

// The cache fetches once for known ids, again for an unknown id (a
// rotation), and not again for made-up ids within MinRefresh.
func TestRSAKeyCache(t *testing.T) {
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	var fetches atomic.Int32
	keys := map[string]*rsa.PublicKey{"a": &k.PublicKey}
	c := webhook.NewRSAKeyCache(func(context.Context) (map[string]*rsa.PublicKey, error) {
		fetches.Add(1)
		return keys, nil
	}, time.Hour)
	ctx := context.Background()
	for range 3 {
		if got, err := c.Key(ctx, "a"); err != nil || got != &k.PublicKey {
			t.Fatalf("Key(a) = %v, %v", got, err)
		}
	}
	if _, err := c.Key(ctx, "made-up"); !errors.Is(err, webhook.ErrSignatureInvalid) {
		t.Fatalf("unknown kid: %v", err)
	}
	if _, err := c.Key(ctx, "made-up-2"); !errors.Is(err, webhook.ErrSignatureInvalid) {
		t.Fatalf("unknown kid: %v", err)
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	failing := webhook.NewRSAKeyCache(func(context.Context) (map[string]*rsa.PublicKey, error) { return nil, errors.New("down") }, 0)
	if _, err := failing.Key(ctx, "a"); err == nil || errors.Is(err, webhook.ErrSignatureInvalid) {
		t.Fatalf("a failed fetch: %v", err)
	}
}
