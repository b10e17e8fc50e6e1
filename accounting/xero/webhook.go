package xero

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Payload is one Xero webhook event: which record changed, not how; fetch
// it with the client (ResourceID, or ResourceURL) to see.
// https://developer.xero.com/documentation/guides/webhooks/overview
type Payload struct {
	ResourceURL   string `json:"resourceUrl"`
	ResourceID    string `json:"resourceId"`
	EventCategory string `json:"eventCategory"` // INVOICE, CONTACT, CREDITNOTE, SUBSCRIPTION
	EventType     string `json:"eventType"`     // CREATE, UPDATE
	TenantID      string `json:"tenantId"`
	TenantType    string `json:"tenantType"` // ORGANISATION, APPLICATION
}

// Event is one verified Xero webhook event. Its Type is
// "<eventCategory>.<eventType>" ("INVOICE.CREATE"), its OccurredAt Xero's
// eventDateUtc.
type Event = webhook.Event[Payload]

// signatureHeader is where Xero sends a delivery's signature.
const signatureHeader = "x-xero-signature"

// redelivery is how long Xero retries a delivery that was not answered
// 200: "with decreasing frequency for up to 24 hours", then it disables
// the webhook.
// https://developer.xero.com/documentation/guides/webhooks/configuring-your-server
const redelivery = 24 * time.Hour

// NewWebhookHandler serves Xero's webhooks: cfg.Secrets holds the app's
// webhook key (two during a rotation). It answers the intent-to-receive
// handshake as Xero requires (200 with no body for a delivery signed with
// the key, 401 with no body otherwise), drops events already handled, and
// calls handle once for each new event. If handle fails, the answer is 500
// and Xero's retry hands the event on again.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "xero", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: redelivery}, cfg, handle)
}

// VerifyWebhook checks x-xero-signature: the base64 HMAC-SHA256 of the raw
// body under the webhook key, any of cfg.Secrets. Xero signs no timestamp:
// replays are caught by event id.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	return webhook.VerifyHMAC(body, r.Header.Get(signatureHeader), webhook.Base64, cfg.Keys()...)
}

// ParseWebhook splits a verified delivery into its events; the
// intent-to-receive handshake has none. Xero gives events no id: an
// Event's ID is the tenant, category, resource, type and time of the
// change. A body that is no delivery is an ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var d deliveryWire
	if err := json.Unmarshal(body, &d); err != nil {
		return nil, fmt.Errorf("xero: webhook body: %w", connector.ErrInvalidResponse)
	}
	events := make([]Event, 0, len(d.Events))
	for _, raw := range d.Events {
		var w eventWire
		if err := json.Unmarshal(raw, &w); err != nil {
			return nil, fmt.Errorf("xero: webhook event: %w", connector.ErrInvalidResponse)
		}
		at, ok := parseEventTime(w.EventDateUTC)
		when := w.EventDateUTC
		if ok {
			when = at.Format(time.RFC3339Nano)
		}
		p := w.Payload
		events = append(events, Event{
			ID:         p.TenantID + ":" + p.EventCategory + ":" + p.ResourceID + ":" + p.EventType + ":" + when,
			Kind:       kindOf(p.EventCategory, p.EventType),
			Type:       p.EventCategory + "." + p.EventType,
			OccurredAt: at,
			Payload:    p,
			Raw:        raw,
		})
	}
	return events, nil
}

// kindOf maps Xero's category and type to a vendor-neutral kind.
func kindOf(category, eventType string) webhook.Kind {
	switch strings.ToUpper(category) + "." + strings.ToUpper(eventType) {
	case "INVOICE.CREATE":
		return webhook.InvoiceCreated
	case "INVOICE.UPDATE":
		return webhook.InvoiceUpdated
	case "CONTACT.CREATE":
		return webhook.CustomerCreated
	case "CONTACT.UPDATE":
		return webhook.CustomerUpdated
	}
	return webhook.KindOther
}

// SignWebhook sets on r the x-xero-signature Xero would send with body,
// signed with secret (the webhook key). Xero signs no time: now is unused.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set(signatureHeader, webhook.SignHMAC([]byte(secret), body, webhook.Base64))
}
