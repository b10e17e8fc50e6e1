package shipengine

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
)

// The headers ShipEngine signs a delivery with.
// https://www.shipengine.com/docs/webhooks/ (Webhook validation)
const (
	SignatureHeader = "X-Shipengine-Rsa-Sha256-Signature"
	KeyIDHeader     = "X-Shipengine-Rsa-Sha256-Key-Id"
	TimestampHeader = "X-Shipengine-Timestamp"
)

// Tolerance is how far a delivery's signed timestamp may be from now: the
// five minutes ShipEngine's validation guide suggests, either way (its
// clocks may run ahead of yours).
const Tolerance = 5 * time.Minute

// Redelivery is how long ShipEngine may send one event again. ShipEngine
// documents no retry schedule; a delivery whose timestamp is older than
// Tolerance is refused anyway, so de-duplication needs to span little
// more than that. A day is kept.
const Redelivery = 24 * time.Hour

// Payload is what one ShipEngine event carries.
type Payload struct {
	// ResourceURL is the resource the event is about, to read back.
	ResourceURL string
	// Tracking is set for API_TRACK: the parcel's status and history.
	Tracking *shipping.TrackingStatus
}

// Event is one verified ShipEngine webhook event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves ShipEngine's webhooks: it verifies each
// delivery's RSA-SHA256 signature and timestamp (VerifyWebhook), answers
// 401 without them, and calls handle once per new event.
//
// ShipEngine signs with a private key of its own; there is no shared
// secret. cfg.Secrets holds the public keys that verify: each entry is a
// JSON Web Key Set as ShipEngine publishes it at https://api.shipengine.com/jwks
// (its keys matched by key id) or a PEM public key. Pinned keys must be
// updated when ShipEngine rotates; (*Client).NewWebhookHandler instead
// fetches the keys from the platform and caches them by key id.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	pinned, err := pinnedKeys(cfg.Secrets)
	if err != nil {
		return nil, err
	}
	verify := func(r *http.Request, body []byte, cfg webhook.Config) error {
		return verify(r, body, cfg, func(context.Context, string) ([]*rsa.PublicKey, error) {
			return pinned.lookup(r.Header.Get(KeyIDHeader)), nil
		})
	}
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "shipengine", Verify: verify, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// NewWebhookHandler is the package's NewWebhookHandler with the public
// keys fetched from the platform's key endpoint (GET /jwks on the
// client's base URL) through c, cached by key id, and fetched again when a
// delivery names a key id not seen yet (at most once a minute). Keys in
// cfg.Secrets are accepted too; with none, Secrets is set to the key
// endpoint's URL, which says where the keys come from. A delivery that
// arrives while the endpoint cannot be reached is refused with 401, and
// ShipEngine's redelivery gets through once it can.
func (c *Client) NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	pinned, err := pinnedKeys(cfg.Secrets)
	if err != nil {
		return nil, err
	}
	u, err := c.URL("/jwks")
	if err != nil {
		return nil, err
	}
	cache := webhook.NewRSAKeyCache(func(ctx context.Context) (map[string]*rsa.PublicKey, error) {
		var raw json.RawMessage
		if err := c.JSON(ctx, http.MethodGet, u.String(), nil, &raw, connector.WithOperation("webhooks.keys")); err != nil {
			return nil, err
		}
		return webhook.ParseJWKS(raw)
	}, time.Minute)
	if len(cfg.Keys()) == 0 {
		cfg.Secrets = []string{u.String()}
	}
	verifier := func(r *http.Request, body []byte, cfg webhook.Config) error {
		return verify(r, body, cfg, func(ctx context.Context, kid string) ([]*rsa.PublicKey, error) {
			if keys := pinned.lookup(kid); len(keys) > 0 {
				return keys, nil
			}
			k, err := cache.Key(ctx, kid)
			if err != nil {
				return nil, err
			}
			return []*rsa.PublicKey{k}, nil
		})
	}
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "shipengine", Verify: verifier, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// keySet is the pinned keys of a Config: by key id (from a JWKS), and
// without one (PEM).
type keySet struct {
	byID  map[string]*rsa.PublicKey
	anyID []*rsa.PublicKey
}

func (k keySet) lookup(kid string) []*rsa.PublicKey {
	if pub, ok := k.byID[kid]; ok && kid != "" {
		return append([]*rsa.PublicKey{pub}, k.anyID...)
	}
	return k.anyID
}

// pinnedKeys reads cfg.Secrets: JWKS documents and PEM public keys; URLs
// (the key endpoint, as (*Client).NewWebhookHandler sets) and empty
// entries add nothing. Any other entry is an error, which does not repeat
// it.
func pinnedKeys(secrets []string) (keySet, error) {
	ks := keySet{byID: map[string]*rsa.PublicKey{}}
	for i, s := range secrets {
		s = strings.TrimSpace(s)
		switch {
		case s == "", strings.HasPrefix(s, "https://"), strings.HasPrefix(s, "http://"):
		case strings.HasPrefix(s, "{"):
			keys, err := webhook.ParseJWKS([]byte(s))
			if err != nil {
				return keySet{}, fmt.Errorf("shipengine: webhook.Config.Secrets[%d]: %w", i, err)
			}
			for kid, k := range keys {
				ks.byID[kid] = k
			}
		default:
			k, err := webhook.ParseRSAPublicKeyPEM(s)
			if err != nil || k.N.BitLen() < 2048 {
				return keySet{}, fmt.Errorf("shipengine: webhook.Config.Secrets[%d] is neither a JWKS nor a PEM RSA public key of 2048 bits or more", i)
			}
			ks.anyID = append(ks.anyID, k)
		}
	}
	return ks, nil
}

// VerifyWebhook checks a delivery against the public keys in cfg.Secrets
// (JWKS documents or PEM keys, see NewWebhookHandler): the three headers
// present, the timestamp within cfg.Tolerance (default Tolerance) of now,
// and the signature, base64 RSA PKCS #1 v1.5 over SHA-256 of
// "<timestamp>.<raw body>", made by the key the key id names (or by a PEM
// key). It returns webhook.ErrSignatureInvalid or webhook.ErrTimestampStale.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	ks, err := pinnedKeys(cfg.Secrets)
	if err != nil {
		return webhook.ErrSignatureInvalid
	}
	return verify(r, body, cfg, func(_ context.Context, kid string) ([]*rsa.PublicKey, error) { return ks.lookup(kid), nil })
}

func verify(r *http.Request, body []byte, cfg webhook.Config, keys func(ctx context.Context, kid string) ([]*rsa.PublicKey, error)) error {
	sig, kid, ts := r.Header.Get(SignatureHeader), r.Header.Get(KeyIDHeader), r.Header.Get(TimestampHeader)
	if sig == "" || kid == "" || ts == "" || len(kid) > 200 {
		return webhook.ErrSignatureInvalid
	}
	at, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return webhook.ErrSignatureInvalid
	}
	if err := webhook.CheckTimestamp(at, cfg.TimeNow(), cfg.ToleranceOr(Tolerance)); err != nil {
		return err
	}
	candidates, err := keys(r.Context(), kid)
	if err != nil {
		return fmt.Errorf("%w: no key for the delivery: %v", webhook.ErrSignatureInvalid, err)
	}
	signed := make([]byte, 0, len(ts)+1+len(body))
	signed = append(append(append(signed, ts...), '.'), body...)
	for _, k := range candidates {
		if webhook.VerifyRSA(signed, sig, k) == nil {
			return nil
		}
	}
	return webhook.ErrSignatureInvalid
}

// SignWebhook sets on r the headers ShipEngine signs a delivery with:
// secret is the signer's PEM RSA private key (the sandbox's), the key id
// is webhook.RSAKeyID of its public key (what the sandbox's /jwks
// publishes), and the timestamp is now in RFC 3339 with milliseconds. A
// secret that is no RSA private key signs nothing. For sandboxes and
// tests.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set("Content-Type", "application/json")
	priv, err := webhook.ParseRSAPrivateKeyPEM(secret)
	if err != nil {
		return
	}
	ts := now.UTC().Format("2006-01-02T15:04:05.000Z")
	signed := append([]byte(ts+"."), body...)
	sig, err := webhook.SignRSA(signed, priv)
	if err != nil {
		return
	}
	r.Header.Set(SignatureHeader, sig)
	r.Header.Set(KeyIDHeader, webhook.RSAKeyID(&priv.PublicKey))
	r.Header.Set(TimestampHeader, ts)
}

// ParseWebhook reads a delivery: ShipEngine sends one event per request,
// {"resource_url": "...", "resource_type": "API_TRACK", "data": {...}}.
// It sends no event id; the ID is what identifies the change: for
// API_TRACK the tracking number, status and newest event time, for other
// types a digest of the body (a retry sends the same bytes). A body that
// is no ShipEngine event is an error of kind connector.ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var env struct {
		ResourceURL  string          `json:"resource_url"`
		ResourceType string          `json:"resource_type"`
		Data         json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.ResourceType == "" {
		return nil, fmt.Errorf("shipengine: webhook body: %w", connector.ErrInvalidResponse)
	}
	e := Event{Type: env.ResourceType, Kind: webhook.KindOther, Payload: Payload{ResourceURL: env.ResourceURL}, Raw: body}
	switch env.ResourceType {
	case "API_TRACK":
		if len(env.Data) == 0 || env.Data[0] != '{' {
			return nil, fmt.Errorf("shipengine: API_TRACK data: %w", connector.ErrInvalidResponse)
		}
		ts, err := decodeTrack(env.Data)
		if err != nil {
			return nil, fmt.Errorf("shipengine: API_TRACK data: %w", connector.ErrInvalidResponse)
		}
		e.Kind, e.OccurredAt, e.Payload.Tracking = webhook.TrackingUpdated, ts.At, ts
		e.ID = fmt.Sprintf("%s:%s:%s:%s", e.Type, ts.TrackingNumber, ts.State, ts.At.Format(time.RFC3339Nano))
	default:
		sum := sha256.Sum256(body)
		e.ID = e.Type + ":" + hex.EncodeToString(sum[:16])
	}
	return []Event{e}, nil
}
