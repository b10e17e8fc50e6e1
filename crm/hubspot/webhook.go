package hubspot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Event is one webhook event. HubSpot sends them in batches of up to 100
// and redelivers a batch whose delivery failed.
//
// https://developers.hubspot.com/docs/api/webhooks
type Event struct {
	EventID          int64  `json:"eventId"`
	SubscriptionID   int64  `json:"subscriptionId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAtMillis int64  `json:"occurredAt"`
	SubscriptionType string `json:"subscriptionType"` // "contact.creation", "contact.propertyChange", "contact.deletion", ...
	AttemptNumber    int    `json:"attemptNumber"`
	ObjectID         int64  `json:"objectId"`
	PropertyName     string `json:"propertyName,omitempty"`
	PropertyValue    string `json:"propertyValue,omitempty"`
	ChangeSource     string `json:"changeSource,omitempty"`
	ChangeFlag       string `json:"changeFlag,omitempty"`

	Raw json.RawMessage `json:"-"`
}

// OccurredAt is when the change happened.
func (e Event) OccurredAt() time.Time { return time.UnixMilli(e.OccurredAtMillis).UTC() }

// WebhookConfig configures NewWebhookHandler.
type WebhookConfig struct {
	// ClientSecret is the app's client secret, which HubSpot signs with.
	ClientSecret string
	// PublicURL is the URL HubSpot calls, exactly as configured in the app
	// (scheme, host, path, query). The v2 and v3 signatures cover it; behind
	// a proxy the request's own URL differs. Empty: rebuilt from the
	// request (Host, X-Forwarded-Proto).
	PublicURL string
	// Seen de-duplicates events by eventId; nil keeps a bounded in-memory
	// store (100,000 ids for 72 hours).
	Seen connector.SeenStore
	// Tolerance bounds the age of a v3 timestamp; default 5 minutes, as
	// HubSpot documents.
	Tolerance time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// NewWebhookHandler verifies HubSpot's deliveries (X-HubSpot-Signature-v3,
// or the v1/v2 X-HubSpot-Signature when v3 is absent), drops events it has
// already handled, and hands the rest to handle. If handle fails, the
// events are released and the delivery answered 500, so that HubSpot's
// redelivery is processed.
func NewWebhookHandler(cfg WebhookConfig, handle func(ctx context.Context, events []Event) error) (http.Handler, error) {
	if cfg.ClientSecret == "" {
		return nil, errors.New("hubspot: WebhookConfig.ClientSecret is required")
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = 5 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Seen == nil {
		cfg.Seen = connector.NewMemorySeen(100_000, 72*time.Hour)
	}
	return &connector.WebhookHandler{
		Verify: func(r *http.Request, body []byte) (string, error) {
			return "", VerifySignature(r, body, cfg.ClientSecret, cfg.PublicURL, cfg.Tolerance, cfg.Now())
		},
		Handle: func(ctx context.Context, r *http.Request, body []byte) error {
			events, err := ParseEvents(body)
			if err != nil {
				return err
			}
			fresh, claimed, err := claimEvents(ctx, cfg.Seen, events)
			if err != nil {
				return err
			}
			if len(fresh) == 0 {
				return nil
			}
			if err := handle(ctx, fresh); err != nil {
				for _, id := range claimed {
					_ = cfg.Seen.Release(context.WithoutCancel(ctx), id)
				}
				return err
			}
			return nil
		},
	}, nil
}

func claimEvents(ctx context.Context, seen connector.SeenStore, events []Event) (fresh []Event, claimed []string, err error) {
	for _, e := range events {
		id := "hubspot:" + strconv.FormatInt(e.EventID, 10)
		first, err := seen.Claim(ctx, id)
		if err != nil {
			for _, c := range claimed {
				_ = seen.Release(context.WithoutCancel(ctx), c)
			}
			return nil, nil, err
		}
		if first {
			fresh, claimed = append(fresh, e), append(claimed, id)
		}
	}
	return fresh, claimed, nil
}

// ParseEvents decodes a delivery: a JSON array of events.
func ParseEvents(body []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, fmt.Errorf("hubspot: webhook body is not an event array: %w", connector.ErrInvalidResponse)
	}
	events := make([]Event, 0, len(raws))
	for _, raw := range raws {
		var e Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("hubspot: webhook event: %w", connector.ErrInvalidResponse)
		}
		e.Raw = raw
		events = append(events, e)
	}
	return events, nil
}

// VerifySignature checks a HubSpot request signature.
//
// v3 (X-HubSpot-Signature-v3, X-HubSpot-Request-Timestamp in ms): base64
// HMAC-SHA256 under the client secret of method + URI + body + timestamp,
// with the timestamp within tolerance. The URI has HubSpot's listed
// percent-escapes decoded (see decodeURI).
// v2 (X-HubSpot-Signature-Version: v2): hex SHA-256 of secret + method +
// URI + body. v1: hex SHA-256 of secret + body.
//
// https://developers.hubspot.com/docs/api/webhooks/validating-requests
func VerifySignature(r *http.Request, body []byte, secret, publicURL string, tolerance time.Duration, now time.Time) error {
	uri := publicURL
	if uri == "" {
		uri = requestURL(r)
	}
	if sig := r.Header.Get("X-HubSpot-Signature-v3"); sig != "" {
		ts := r.Header.Get("X-HubSpot-Request-Timestamp")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return connector.ErrSignatureInvalid
		}
		if err := connector.CheckTimestamp(time.UnixMilli(ms), now, tolerance); err != nil {
			return err
		}
		payload := []byte(r.Method + decodeURI(uri) + string(body) + ts)
		return connector.VerifyHMAC(payload, sig, connector.Base64, []byte(secret))
	}
	sig := r.Header.Get("X-HubSpot-Signature")
	var source string
	switch r.Header.Get("X-HubSpot-Signature-Version") {
	case "v1":
		source = secret + string(body)
	case "v2":
		source = secret + r.Method + uri + string(body)
	default:
		return connector.ErrSignatureInvalid
	}
	want := sha256.Sum256([]byte(source))
	got, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(sig)))
	if err != nil || subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return connector.ErrSignatureInvalid
	}
	return nil
}

// SignV3 returns the v3 signature of a request, as HubSpot computes it; the
// sandbox signs its webhooks with it.
func SignV3(secret, method, uri string, body []byte, timestampMillis int64) string {
	payload := method + decodeURI(uri) + string(body) + strconv.FormatInt(timestampMillis, 10)
	return connector.SignHMAC([]byte(secret), []byte(payload), connector.Base64)
}

// SignV1 returns the v1 signature (hex SHA-256 of secret + body).
func SignV1(secret string, body []byte) string {
	sum := sha256.Sum256([]byte(secret + string(body)))
	return hex.EncodeToString(sum[:])
}

// uriDecodes are the percent-escapes HubSpot's v3 instructions decode in
// the request URI before signing.
var uriDecodes = strings.NewReplacer(
	"%3A", ":", "%2F", "/", "%3F", "?", "%40", "@", "%21", "!", "%24", "$",
	"%27", "'", "%28", "(", "%29", ")", "%2A", "*", "%2C", ",", "%3B", ";",
)

func decodeURI(uri string) string { return uriDecodes.Replace(uri) }

// requestURL rebuilds the URL the sender used, for a server not told its
// public URL.
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}
