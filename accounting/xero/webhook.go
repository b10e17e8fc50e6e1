package xero

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/patchbay-go/patchbay/connector"
)

// Event is one Xero webhook event: which record changed; fetch it with the
// client to see how.
// https://developer.xero.com/documentation/guides/webhooks/overview
type Event struct {
	ResourceURL   string    `json:"resourceUrl"`
	ResourceID    string    `json:"resourceId"`
	EventDateUTC  time.Time `json:"eventDateUtc"`
	EventType     string    `json:"eventType"`     // CREATE, UPDATE
	EventCategory string    `json:"eventCategory"` // INVOICE, CONTACT, ...
	TenantID      string    `json:"tenantId"`
	TenantType    string    `json:"tenantType"`

	Raw json.RawMessage `json:"-"`
}

// Delivery is the body Xero posts.
type Delivery struct {
	Events             []Event `json:"events"`
	FirstEventSequence int64   `json:"firstEventSequence"`
	LastEventSequence  int64   `json:"lastEventSequence"`
	Entropy            string  `json:"entropy"`
}

// VerifySignature checks x-xero-signature: base64 HMAC-SHA256 of the raw
// body under the app's webhook key.
func VerifySignature(body []byte, signature, webhookKey string) error {
	return connector.VerifyHMAC(body, signature, connector.Base64, []byte(webhookKey))
}

// Sign returns the x-xero-signature of body, as Xero computes it.
func Sign(body []byte, webhookKey string) string {
	return connector.SignHMAC([]byte(webhookKey), body, connector.Base64)
}

// ParseDelivery decodes a delivery body.
func ParseDelivery(body []byte) (*Delivery, error) {
	var raw struct {
		Delivery
		Events []json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("xero: webhook body: %w", connector.ErrInvalidResponse)
	}
	d := raw.Delivery
	d.Events = make([]Event, 0, len(raw.Events))
	for _, r := range raw.Events {
		var e Event
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, fmt.Errorf("xero: webhook event: %w", connector.ErrInvalidResponse)
		}
		e.Raw = r
		d.Events = append(d.Events, e)
	}
	return &d, nil
}

// NewWebhookHandler serves Xero's webhooks. It answers the intent-to-receive
// handshake as Xero requires (200 with an empty body for a valid
// signature, 401 for an invalid one), drops events already handled (Xero
// events have no id: resource, type and time identify one), and hands the
// rest to handle. If handle fails, the events are released and Xero's
// retry is processed.
func NewWebhookHandler(webhookKey string, seen connector.SeenStore, handle func(ctx context.Context, events []Event) error) (http.Handler, error) {
	if webhookKey == "" {
		return nil, errors.New("xero: the webhook key is required")
	}
	if seen == nil {
		seen = connector.NewMemorySeen(100_000, 72*time.Hour)
	}
	return &connector.WebhookHandler{
		Verify: func(r *http.Request, body []byte) (string, error) {
			return "", VerifySignature(body, r.Header.Get("x-xero-signature"), webhookKey)
		},
		Handle: func(ctx context.Context, _ *http.Request, body []byte) error {
			d, err := ParseDelivery(body)
			if err != nil {
				return err
			}
			var fresh []Event
			var claimed []string
			for _, e := range d.Events {
				id := "xero:" + e.TenantID + ":" + e.EventCategory + ":" + e.ResourceID + ":" + e.EventType + ":" + e.EventDateUTC.Format(time.RFC3339Nano)
				first, err := seen.Claim(ctx, id)
				if err != nil {
					return err
				}
				if first {
					fresh, claimed = append(fresh, e), append(claimed, id)
				}
			}
			if len(fresh) == 0 {
				return nil // the handshake, or a redelivery
			}
			if err := handle(ctx, fresh); err != nil {
				for _, id := range claimed {
					_ = seen.Release(context.WithoutCancel(ctx), id)
				}
				return err
			}
			return nil
		},
	}, nil
}
