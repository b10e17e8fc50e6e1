package hubspot

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Tolerance is how far a v3 signature's timestamp may be from now unless
// webhook.Config.Tolerance says otherwise: HubSpot's documented 5 minutes.
const Tolerance = 5 * time.Minute

// Redelivery is how long HubSpot retries a delivery that failed: up to 10
// times, spread over the next 24 hours.
// https://developers.hubspot.com/docs/api/webhooks
const Redelivery = 24 * time.Hour

// Payload is what one HubSpot event carries besides its eventId,
// subscriptionType and occurredAt (Event's ID, Type and OccurredAt).
// https://developers.hubspot.com/docs/api/webhooks
type Payload struct {
	SubscriptionID int64 `json:"subscriptionId"`
	PortalID       int64 `json:"portalId"` // the HubSpot account
	AppID          int64 `json:"appId"`
	// AttemptNumber counts HubSpot's attempts at this event, from 0.
	AttemptNumber int `json:"attemptNumber"`
	// ObjectID is the id of the record the event is about.
	ObjectID int64 `json:"objectId"`
	// PropertyName and PropertyValue say what a *.propertyChange set.
	PropertyName  string `json:"propertyName,omitempty"`
	PropertyValue string `json:"propertyValue,omitempty"`
	ChangeSource  string `json:"changeSource,omitempty"` // "CRM", "API", "IMPORT", ...
	ChangeFlag    string `json:"changeFlag,omitempty"`   // "NEW" on a creation
}

// Event is one verified HubSpot event. HubSpot sends them in batches of up
// to 100; each is its own Event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves an app's webhook target URL: it verifies each
// delivery (VerifyWebhook, with the app's client secrets in cfg.Secrets
// and, behind a proxy, the target URL as registered in cfg.PublicURL),
// drops events already handled by their eventId, and calls handle once
// per new event of the batch. A failed handle answers 500 and releases
// that event, so that HubSpot's retry brings it again.
// https://developers.hubspot.com/docs/api/webhooks
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "hubspot", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// VerifyWebhook checks a HubSpot request signature against each of
// cfg.Secrets (the app's client secrets).
//
// v3 (X-HubSpot-Signature-v3, X-HubSpot-Request-Timestamp in ms): base64
// HMAC-SHA256 under the client secret of method + URI + body + timestamp,
// with the timestamp within cfg.Tolerance (default Tolerance) of cfg.Now.
// The URI is cfg.PublicURL, or the request's own URL rebuilt from Host and
// X-Forwarded-Proto, with HubSpot's listed percent-escapes decoded (see
// decodeURI). When v3 is absent, X-HubSpot-Signature-Version says which
// of the older ones X-HubSpot-Signature is: v2, hex SHA-256 of secret +
// method + URI + body; v1, hex SHA-256 of secret + body.
//
// It returns webhook.ErrSignatureInvalid or webhook.ErrTimestampStale.
// https://developers.hubspot.com/docs/api/webhooks/validating-requests
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	keys := cfg.Keys()
	if len(keys) == 0 {
		return webhook.ErrSignatureInvalid
	}
	uri := cfg.PublicURL
	if uri == "" {
		uri = requestURL(r)
	}
	if sig := r.Header.Get("X-HubSpot-Signature-v3"); sig != "" {
		ts := r.Header.Get("X-HubSpot-Request-Timestamp")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return webhook.ErrSignatureInvalid
		}
		if err := webhook.CheckTimestamp(time.UnixMilli(ms), cfg.TimeNow(), cfg.ToleranceOr(Tolerance)); err != nil {
			return err
		}
		return webhook.VerifyHMAC(v3Payload(r.Method, uri, body, ts), sig, webhook.Base64, keys...)
	}
	var signed []byte // what follows the secret
	switch r.Header.Get("X-HubSpot-Signature-Version") {
	case "v1":
		signed = body
	case "v2":
		signed = append([]byte(r.Method+uri), body...)
	default:
		return webhook.ErrSignatureInvalid
	}
	got, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(r.Header.Get("X-HubSpot-Signature"))))
	if err != nil || len(got) != sha256.Size {
		return webhook.ErrSignatureInvalid
	}
	ok := 0
	for _, key := range keys {
		// Every secret is checked, matched or not, so timing does not tell
		// which one matched.
		want := sha256.Sum256(append(append([]byte(nil), key...), signed...))
		ok |= subtle.ConstantTimeCompare(got, want[:])
	}
	if ok == 0 {
		return webhook.ErrSignatureInvalid
	}
	return nil
}

// SignWebhook sets on r the headers HubSpot sends with body at now, signed
// with the client secret: the v3 signature of r.Method and r.URL (the full
// URL, as the sender posts it) with its timestamp, the v1 signature, and
// Content-Type. For sandboxes and tests.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-HubSpot-Request-Timestamp", ts)
	r.Header.Set("X-HubSpot-Signature-v3", webhook.SignHMAC([]byte(secret), v3Payload(r.Method, r.URL.String(), body, ts), webhook.Base64))
	v1 := sha256.Sum256(append([]byte(secret), body...))
	r.Header.Set("X-HubSpot-Signature-Version", "v1")
	r.Header.Set("X-HubSpot-Signature", hex.EncodeToString(v1[:]))
}

// v3Payload is what a v3 signature signs.
func v3Payload(method, uri string, body []byte, ts string) []byte {
	p := make([]byte, 0, len(method)+len(uri)+len(body)+len(ts))
	p = append(append(append(p, method...), decodeURI(uri)...), body...)
	return append(p, ts...)
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

// webhookEvent is one event of a delivery, as HubSpot sends it.
type webhookEvent struct {
	EventID          int64  `json:"eventId"`
	SubscriptionType string `json:"subscriptionType"` // "contact.creation", "contact.propertyChange", "contact.deletion", ...
	OccurredAt       int64  `json:"occurredAt"`       // epoch milliseconds
	Payload
}

// ParseWebhook reads a delivery: a JSON array of events, each an Event
// whose ID is its eventId, Type its subscriptionType and OccurredAt its
// occurredAt. A body that is no event array is an error of kind
// connector.ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, fmt.Errorf("hubspot: webhook body is not an event array: %w", connector.ErrInvalidResponse)
	}
	events := make([]Event, 0, len(raws))
	for _, raw := range raws {
		var w webhookEvent
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, fmt.Errorf("hubspot: webhook event: %w", connector.ErrInvalidResponse)
		}
		e := Event{ID: strconv.FormatInt(w.EventID, 10), Kind: kindOf(w.SubscriptionType), Type: w.SubscriptionType,
			Payload: w.Payload, Raw: raw}
		if w.OccurredAt != 0 {
			e.OccurredAt = time.UnixMilli(w.OccurredAt).UTC()
		}
		events = append(events, e)
	}
	return events, nil
}

// kinds maps HubSpot's subscription types onto the vendor-neutral kinds;
// the others (merges, restores, association changes, privacy deletions,
// other objects) are webhook.KindOther.
var kinds = map[string]webhook.Kind{
	"contact.creation":       webhook.ContactCreated,
	"contact.propertyChange": webhook.ContactUpdated,
	"contact.deletion":       webhook.ContactDeleted,
	"company.creation":       webhook.CompanyCreated,
	"company.propertyChange": webhook.CompanyUpdated,
	"company.deletion":       webhook.CompanyDeleted,
	"deal.creation":          webhook.DealCreated,
	"deal.propertyChange":    webhook.DealUpdated,
	"deal.deletion":          webhook.DealDeleted,
}

func kindOf(subscriptionType string) webhook.Kind {
	if k, ok := kinds[subscriptionType]; ok {
		return k
	}
	return webhook.KindOther
}
