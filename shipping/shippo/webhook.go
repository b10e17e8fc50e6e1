package shippo

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/shipping"
)

// Event is a Shippo webhook event, typed by kind.
// https://docs.goshippo.com/docs/tracking/webhooks/
type Event struct {
	Type string // "track_updated", "transaction_created", "transaction_updated", ...
	Test bool
	// Tracking is set for track_updated.
	Tracking *shipping.TrackingStatus
	// Label is set for transaction_created and transaction_updated: the
	// label's id, status, tracking number and URLs (its price is on the
	// rate; fetch it if needed).
	Label *shipping.Label
	Raw   json.RawMessage
}

// ParseEvent decodes a webhook body.
func ParseEvent(body []byte) (*Event, error) {
	var env struct {
		Event string          `json:"event"`
		Test  bool            `json:"test"`
		Data  json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Event == "" {
		return nil, fmt.Errorf("shippo: webhook body: %w", connector.ErrInvalidResponse)
	}
	e := &Event{Type: env.Event, Test: env.Test, Raw: body}
	switch env.Event {
	case "track_updated":
		ts, err := decodeTrack(env.Data)
		if err != nil {
			return nil, fmt.Errorf("shippo: track_updated data: %w", connector.ErrInvalidResponse)
		}
		e.Tracking = ts
	case "transaction_created", "transaction_updated":
		var t transactionWire
		if err := json.Unmarshal(env.Data, &t); err != nil {
			return nil, fmt.Errorf("shippo: %s data: %w", env.Event, connector.ErrInvalidResponse)
		}
		e.Label = &shipping.Label{ID: t.ObjectID, RateID: t.rateID(), TrackingNumber: t.TrackingNumber,
			TrackingURL: t.TrackingURL, LabelURL: t.LabelURL, Status: labelStatuses[t.Status], Raw: env.Data}
	}
	return e, nil
}

// NewWebhookHandler serves Shippo's webhooks.
//
// Shippo does not sign webhooks. The documented way to authenticate them is
// a secret in the URL you register (https://your.app/hooks/shippo?token=...):
// the handler compares the token query parameter with token in constant
// time and answers 401 otherwise. Treat events as hints and read the
// record from the API before acting on money.
//
// Deliveries are de-duplicated (a tracking event by number, state and time;
// a transaction event by id and status) and a failed one is released, so
// Shippo's retry is processed.
func NewWebhookHandler(token string, seen connector.SeenStore, handle func(ctx context.Context, e *Event) error) (http.Handler, error) {
	if len(token) < 16 {
		return nil, errors.New("shippo: the webhook token must be a secret of 16 characters or more")
	}
	if seen == nil {
		seen = connector.NewMemorySeen(100_000, 72*time.Hour)
	}
	return &connector.WebhookHandler{
		Verify: func(r *http.Request, body []byte) (string, error) {
			if subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(token)) != 1 {
				return "", connector.ErrSignatureInvalid
			}
			e, err := ParseEvent(body)
			if err != nil {
				return "", nil // Handle reports it
			}
			return eventID(e), nil
		},
		Seen: seen,
		Handle: func(ctx context.Context, _ *http.Request, body []byte) error {
			e, err := ParseEvent(body)
			if err != nil {
				return err
			}
			return handle(ctx, e)
		},
	}, nil
}

func eventID(e *Event) string {
	switch {
	case e.Tracking != nil:
		return fmt.Sprintf("shippo:%s:%s:%s:%s", e.Type, e.Tracking.TrackingNumber, e.Tracking.State, e.Tracking.At.Format(time.RFC3339Nano))
	case e.Label != nil:
		return fmt.Sprintf("shippo:%s:%s:%s", e.Type, e.Label.ID, e.Label.Status)
	}
	return ""
}
