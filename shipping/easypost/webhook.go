package easypost

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
)

// SignatureHeader is the header EasyPost signs deliveries in.
//
// EasyPost's support pages also describe X-Hmac-Signature-V2, sent with
// X-Timestamp (RFC 2822) and X-Path and checked against a tolerance
// (https://support.easypost.com/hc/en-us/articles/39826034964237-Webhook-HMAC-Validation),
// but none of EasyPost's client libraries verifies it (easypost-go,
// easypost-node and easypost-python as of 2026 check X-Hmac-Signature
// only), and no published source gives its exact signed bytes. It is not
// verified here until one does: X-Hmac-Signature is.
const SignatureHeader = "X-Hmac-Signature"

// signaturePrefix precedes the hex HMAC in SignatureHeader.
const signaturePrefix = "hmac-sha256-hex="

// Redelivery is how long EasyPost is taken to keep retrying a delivery not
// answered 2xx. EasyPost says it retries
// (https://docs.easypost.com/guides/webhooks-guide) but publishes no
// schedule: a day is assumed, and the default seen store of
// NewWebhookHandler remembers event ids for three.
const Redelivery = 24 * time.Hour

// dedupWindow is how long the default seen store remembers an event id.
const dedupWindow = 72 * time.Hour

// Payload is what one EasyPost event carries.
// https://docs.easypost.com/docs/events
type Payload struct {
	// Mode is "test" or "production".
	Mode string
	// Object is the result's object type ("Tracker", "Batch", "Refund").
	Object string
	// Tracking is set for tracker.created and tracker.updated: the
	// parcel's status and history.
	Tracking *shipping.TrackingStatus
	// PreviousAttributes is what changed, with the values it had before.
	PreviousAttributes json.RawMessage
	// Result is the event's object as EasyPost sent it.
	Result json.RawMessage
}

// Event is one verified EasyPost webhook event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves EasyPost's webhooks: it checks each delivery's
// X-Hmac-Signature against cfg.Secrets (VerifyWebhook; several during a
// rotation), answers 401 without a valid one, and calls handle once per
// new event. Register the webhook with a webhook_secret
// (https://docs.easypost.com/docs/webhooks#create-a-webhook).
//
// Deliveries are de-duplicated by event id (evt_...): unless cfg.Seen is
// set, for 72 hours. EasyPost signs no time, so a captured delivery
// replayed after that is not refused by its signature: keep cfg.Seen
// durable if that matters, and treat events as hints to read back. A
// failed handle answers 500 and is released, so EasyPost's retry is
// processed.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	if cfg.Seen == nil {
		cfg.Seen = webhook.NewMemorySeen(100_000, dedupWindow)
	}
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: vendorName, Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// signature is the X-Hmac-Signature value for body under secret: as
// EasyPost's client libraries compute it, the secret normalised to NFKD and
// encoded as UTF-8 is the HMAC-SHA256 key over the exact body, written as
// "hmac-sha256-hex=" and lower-case hex (EasyPost/easypost-python,
// easypost/util.py, validate_webhook).
func signature(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(norm.NFKD.String(secret)))
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// VerifyWebhook checks r's X-Hmac-Signature against every cfg.Secrets
// entry, in constant time: any one matching passes, empty secrets never
// do. The comparison is of the whole header value, exactly as EasyPost's
// client libraries compare it. It returns webhook.ErrSignatureInvalid
// otherwise.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	got := []byte(strings.TrimSpace(r.Header.Get(SignatureHeader)))
	if len(got) == 0 {
		return webhook.ErrSignatureInvalid
	}
	ok := 0
	for _, s := range cfg.Secrets {
		if s == "" {
			continue
		}
		// Every secret is compared, matched or not, so timing does not
		// tell which one matched.
		if hmac.Equal(got, []byte(signature(body, s))) {
			ok = 1
		}
	}
	if ok == 0 {
		return webhook.ErrSignatureInvalid
	}
	return nil
}

// SignWebhook sets on r what EasyPost sends with a delivery signed with
// secret: X-Hmac-Signature over body, and Content-Type. now is not used:
// EasyPost signs no time. For sandboxes and tests.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set(SignatureHeader, signature(body, secret))
	r.Header.Set("Content-Type", "application/json")
}

// ParseWebhook reads a delivery: EasyPost posts one Event per request
// ({"object": "Event", "id": "evt_...", "description": "tracker.updated",
// "result": {...}}), so it returns one Event, its ID the event id, which a
// retry repeats. tracker.created and tracker.updated are
// webhook.TrackingUpdated with the tracker decoded; every other
// description is webhook.KindOther. A body that is no EasyPost event is an
// error of kind connector.ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var env struct {
		ID                 string          `json:"id"`
		Object             string          `json:"object"`
		Description        string          `json:"description"`
		Mode               string          `json:"mode"`
		CreatedAt          string          `json:"created_at"`
		UpdatedAt          string          `json:"updated_at"`
		PreviousAttributes json.RawMessage `json:"previous_attributes"`
		Result             json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.ID == "" || env.Description == "" || env.Object != "Event" {
		return nil, fmt.Errorf("easypost: webhook body: %w", connector.ErrInvalidResponse)
	}
	e := Event{ID: env.ID, Type: env.Description, Kind: webhook.KindOther, Raw: body,
		Payload: Payload{Mode: env.Mode, PreviousAttributes: env.PreviousAttributes, Result: env.Result}}
	var obj struct {
		Object string `json:"object"`
	}
	if len(env.Result) > 0 && json.Unmarshal(env.Result, &obj) == nil {
		e.Payload.Object = obj.Object
	}
	for _, ts := range []string{env.UpdatedAt, env.CreatedAt} {
		if t, err := time.Parse(time.RFC3339Nano, ts); err == nil {
			e.OccurredAt = t
			break
		}
	}
	switch env.Description {
	case "tracker.created", "tracker.updated":
		ts, err := decodeTracker(env.Result)
		if err != nil {
			return nil, fmt.Errorf("easypost: %s result: %w", env.Description, connector.ErrInvalidResponse)
		}
		e.Kind, e.Payload.Tracking = webhook.TrackingUpdated, ts
	}
	return []Event{e}, nil
}
