package hubspottest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

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

// record queues the event a contact change produces, as a subscribed app
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

// FlushWebhooks delivers the queued events to url in one signed batch (as
// SendWebhook) and, if the receiver answered 2xx, clears them; otherwise
// they stay queued for the next flush, as HubSpot retries.
func (s *Server) FlushWebhooks(ctx context.Context, url, clientSecret string) (int, error) {
	s.mu.Lock()
	events := append([]Event(nil), s.events...)
	s.mu.Unlock()
	if len(events) == 0 {
		return http.StatusNoContent, nil
	}
	status, err := SendWebhook(ctx, url, clientSecret, events)
	if err == nil && status/100 == 2 {
		s.mu.Lock()
		s.events = s.events[len(events):]
		s.mu.Unlock()
	}
	return status, err
}

// SendWebhook POSTs events to url as HubSpot does: a JSON array, signed
// with the app's client secret in the v3 headers and the v1 ones. It
// returns the receiver's status. url must be on this machine.
func SendWebhook(ctx context.Context, url, clientSecret string, events []Event) (int, error) {
	body, err := json.Marshal(events)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	ts := time.Now().UnixMilli()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio) - WebhooksExecutorDaemon-executor")
	req.Header.Set("X-HubSpot-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-HubSpot-Signature-v3", hubspot.SignV3(clientSecret, http.MethodPost, url, body, ts))
	req.Header.Set("X-HubSpot-Signature-Version", "v1")
	req.Header.Set("X-HubSpot-Signature", hubspot.SignV1(clientSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
