package hubspottest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/hubspot"
)

// Event is a webhook event as HubSpot sends it.
type Event struct {
	EventID          int64  `json:"eventId"`
	SubscriptionID   int64  `json:"subscriptionId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAt       int64  `json:"occurredAt"`
	SubscriptionType string `json:"subscriptionType"`
	AttemptNumber    int    `json:"attemptNumber"`
	ObjectID         int64  `json:"objectId"`
	PropertyName     string `json:"propertyName,omitempty"`
	PropertyValue    string `json:"propertyValue,omitempty"`
	ChangeSource     string `json:"changeSource"`
	ChangeFlag       string `json:"changeFlag,omitempty"`
}

const (
	sandboxPortalID = 62515
	sandboxAppID    = 54321
)

// record queues the event a record change produces, as a subscribed app
// would get it. Call with s.mu held.
func (s *Server) record(kind string, o *object, prop, value string) {
	s.eventSeq++
	id, _ := strconv.ParseInt(o.id, 10, 64)
	e := Event{EventID: s.eventSeq, SubscriptionID: 12345, PortalID: sandboxPortalID, AppID: sandboxAppID,
		OccurredAt: s.Now().UnixMilli(), SubscriptionType: kind, ObjectID: id, ChangeSource: "CRM",
		PropertyName: prop, PropertyValue: value}
	if kind == "contact.creation" {
		e.ChangeFlag = "NEW"
	}
	s.events = append(s.events, e)
}

// PendingEvents returns the events queued since the last flush, and keeps
// them queued.
func (s *Server) PendingEvents() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Batch is a delivery's body as HubSpot sends it: a JSON array of events.
// Post it with SendWebhook.
func Batch(events ...Event) []byte {
	if events == nil {
		events = []Event{}
	}
	body, _ := json.Marshal(events) // plain fields: cannot fail
	return body
}

// FlushWebhooks delivers the queued events to url in one batch through
// SendWebhook and, if the receiver answered 2xx, clears them; otherwise
// they stay queued for the next flush, as HubSpot retries. With nothing
// queued it sends nothing and returns 204.
func (s *Server) FlushWebhooks(ctx context.Context, url string) (int, error) {
	s.mu.Lock()
	events := append([]Event(nil), s.events...)
	s.mu.Unlock()
	if len(events) == 0 {
		return http.StatusNoContent, nil
	}
	status, err := s.SendWebhook(ctx, url, Batch(events...))
	if err == nil && status/100 == 2 {
		s.mu.Lock()
		s.events = s.events[len(events):]
		s.mu.Unlock()
	}
	return status, err
}

// SendWebhook POSTs body to url as HubSpot does, signed with
// WebhookSecret() by hubspot.SignWebhook (the v3 headers, over url as
// given, and the v1 ones), and returns the receiver's status. url must be
// on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		hubspot.SignWebhook(r, body, s.webhookSecret, time.Now())
		r.Header.Set("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio) - WebhooksExecutorDaemon-executor")
	})
}
