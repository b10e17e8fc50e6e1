package shippo

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/shipping"
)

// Redelivery is how long Shippo keeps redelivering a delivery not answered
// 2xx: five retries, ten seconds apart, so at most six posts within a
// minute (https://docs.goshippo.com/docs/tracking/webhooks/).
const Redelivery = time.Minute

// dedupWindow is how long the default seen store of NewWebhookHandler
// remembers an event: far longer than Redelivery, since an event's ID names
// the change itself (a parcel's state at a time, a label's status), which
// is worth handling once however late it comes again.
const dedupWindow = 72 * time.Hour

// minSecretLen is the shortest webhook token NewWebhookHandler accepts:
// the token is all that authenticates a delivery.
const minSecretLen = 16

// Payload is what one Shippo event carries, typed by its event type.
// https://docs.goshippo.com/docs/tracking/webhooks/
type Payload struct {
	// Test is true for events of test mode (a shippo_test_ token).
	Test bool
	// Tracking is set for track_updated: the parcel's status and history.
	Tracking *shipping.TrackingStatus
	// Label is set for transaction_created and transaction_updated: the
	// label's id, status, tracking number and URLs (its price is on the
	// rate; fetch it if needed).
	Label *shipping.Label
}

// Event is one authenticated Shippo webhook event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves Shippo's webhooks: it checks the token query
// parameter of each delivery against cfg.Secrets (VerifyWebhook), answers
// 401 without it, and calls handle once per new event.
//
// Shippo does not sign webhooks: register the URL with a secret token of
// 16 characters or more (https://your.app/hooks/shippo?token=...)
// and put that token in cfg.Secrets (several during a rotation). Anyone
// who learns the URL can post anything to it, so treat events as hints:
// read the transaction or the track back from the API before acting on
// money.
//
// Deliveries are de-duplicated (a tracking event by number, state and time;
// a transaction event by id and status): unless cfg.Seen is set, for 72
// hours, which covers Shippo's retries. A failed handle answers 500 and
// is released, so Shippo's retry is processed.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	for _, s := range cfg.Secrets {
		if s != "" && len(s) < minSecretLen {
			return nil, fmt.Errorf("shippo: every webhook token must be a secret of %d characters or more", minSecretLen)
		}
	}
	if cfg.Seen == nil {
		cfg.Seen = webhook.NewMemorySeen(100_000, dedupWindow)
	}
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "shippo", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// VerifyWebhook checks the token query parameter of r against every
// cfg.Secrets entry in constant time; any one matching passes, empty
// secrets never do. It returns webhook.ErrSignatureInvalid otherwise. The
// body is not covered: Shippo does not sign it.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	got := []byte(r.URL.Query().Get("token"))
	ok := 0
	for _, key := range cfg.Keys() {
		// Every secret is compared, matched or not, so timing does not
		// tell which one matched.
		ok |= subtle.ConstantTimeCompare(got, key)
	}
	if ok == 0 {
		return webhook.ErrSignatureInvalid
	}
	return nil
}

// SignWebhook sets on r what Shippo sends with a delivery to the URL
// registered with secret: the token query parameter (other parameters are
// kept), and Content-Type. body and now are not used: Shippo signs
// neither. For sandboxes and tests.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	q := r.URL.Query()
	q.Set("token", secret)
	r.URL.RawQuery = q.Encode()
	r.Header.Set("Content-Type", "application/json")
}

// ParseWebhook reads a delivery: Shippo sends one event per request,
// {"event": "...", "test": ..., "data": {...}}, so it returns one Event.
// Shippo sends no event id; the ID is what identifies the change: a
// tracking event's number, state and status time, a transaction event's id
// and status, and for other types a digest of the body (a retry sends the
// same bytes). A body that is no Shippo event is an error of kind
// connector.ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var env struct {
		Event string          `json:"event"`
		Test  bool            `json:"test"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Event == "" {
		return nil, fmt.Errorf("shippo: webhook body: %w", connector.ErrInvalidResponse)
	}
	e := Event{Type: env.Event, Kind: webhook.KindOther, Payload: Payload{Test: env.Test}, Raw: body}
	switch env.Event {
	case "track_updated":
		ts, err := decodeTrack(env.Data)
		if err != nil {
			return nil, fmt.Errorf("shippo: track_updated data: %w", connector.ErrInvalidResponse)
		}
		e.Kind, e.OccurredAt, e.Payload.Tracking = webhook.TrackingUpdated, ts.At, ts
		e.ID = fmt.Sprintf("%s:%s:%s:%s", e.Type, ts.TrackingNumber, ts.State, ts.At.Format(time.RFC3339Nano))
	case "transaction_created", "transaction_updated":
		var t transactionWire
		if err := json.Unmarshal(env.Data, &t); err != nil {
			return nil, fmt.Errorf("shippo: %s data: %w", env.Event, connector.ErrInvalidResponse)
		}
		e.Payload.Label = &shipping.Label{ID: t.ObjectID, RateID: t.rateID(), TrackingNumber: t.TrackingNumber,
			TrackingURL: t.TrackingURL, LabelURL: t.LabelURL, Status: labelStatuses[t.Status], Raw: env.Data}
		e.Kind = webhook.LabelCreated
		if env.Event == "transaction_updated" {
			e.Kind = webhook.LabelUpdated
		}
		e.OccurredAt = objectUpdated(env.Data)
		e.ID = fmt.Sprintf("%s:%s:%s", e.Type, e.Payload.Label.ID, e.Payload.Label.Status)
	default:
		sum := sha256.Sum256(body)
		e.ID = e.Type + ":" + hex.EncodeToString(sum[:16])
	}
	return []Event{e}, nil
}

// objectUpdated reads a Shippo object's object_updated time, zero if it
// has none that parses.
func objectUpdated(data json.RawMessage) time.Time {
	var o struct {
		ObjectUpdated string `json:"object_updated"`
	}
	if json.Unmarshal(data, &o) != nil {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, o.ObjectUpdated)
	if err != nil {
		return time.Time{}
	}
	return t
}
