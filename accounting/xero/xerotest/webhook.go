package xerotest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/patchbay-go/patchbay/accounting/xero"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// SendWebhook posts body to url as Xero does, signed with the sandbox's
// webhook key (WebhookSecret), and returns the receiver's status. url must
// be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return s.send(ctx, url, body, s.webhookKey)
}

func (s *Server) send(ctx context.Context, url string, body []byte, key string) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		xero.SignWebhook(r, body, key, s.Now())
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
	})
}

// IntentToReceive runs Xero's handshake against url: a delivery with no
// events signed with the webhook key, then one signed with another key.
// A receiver passes when it answers 200 and 401.
func (s *Server) IntentToReceive(ctx context.Context, url string) (valid, invalid int, err error) {
	body := WebhookBody()
	if valid, err = s.SendWebhook(ctx, url, body); err != nil {
		return 0, 0, err
	}
	invalid, err = s.send(ctx, url, body, s.webhookKey+"-not-the-key")
	return valid, invalid, err
}

// WebhookEvent is an event about a record of this sandbox's organisation,
// as Xero would send it now: category INVOICE or CONTACT, type CREATE or
// UPDATE, resourceID the record's id.
func (s *Server) WebhookEvent(category, eventType, resourceID string) xero.Event {
	resource := map[string]string{"INVOICE": "Invoices", "CONTACT": "Contacts", "CREDITNOTE": "CreditNotes"}[category]
	return xero.Event{OccurredAt: s.Now(), Payload: xero.Payload{
		ResourceURL: s.URL() + "/" + resource + "/" + url.PathEscape(resourceID), ResourceID: resourceID,
		EventCategory: category, EventType: eventType, TenantID: s.tenantID, TenantType: "ORGANISATION"}}
}

// WebhookBody is the body Xero posts for events: their Payload and
// OccurredAt, numbered from 1. No events is the intent-to-receive
// handshake's body.
func WebhookBody(events ...xero.Event) []byte {
	type eventOut struct {
		xero.Payload
		EventDateUTC string `json:"eventDateUtc"`
	}
	out := make([]eventOut, len(events))
	for i, e := range events {
		out[i] = eventOut{Payload: e.Payload, EventDateUTC: e.OccurredAt.UTC().Format(eventTime)}
	}
	first, last := 0, 0
	if len(events) > 0 {
		first, last = 1, len(events)
	}
	body, _ := json.Marshal(map[string]any{"events": out, "firstEventSequence": first, "lastEventSequence": last,
		"entropy": connectortest.RandomHex(10)})
	return body
}

// eventTime is how the sandbox writes eventDateUtc: UTC, to the
// millisecond, with the Z that Xero's webhook schema (format date-time)
// asks for. The examples in Xero's documentation leave the zone out;
// xero.ParseWebhook reads both.
const eventTime = "2006-01-02T15:04:05.000Z07:00"
