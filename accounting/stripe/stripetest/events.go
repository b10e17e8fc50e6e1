package stripetest

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting/stripe"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// APIVersion is the version events are rendered at: the one the connector
// pins.
const APIVersion = stripe.APIVersion

type event struct {
	id, typ string
	created time.Time
	object  map[string]any
}

func (e event) render() map[string]any {
	return map[string]any{"id": e.id, "object": "event", "type": e.typ, "created": e.created.Unix(), "livemode": false,
		"api_version": APIVersion, "pending_webhooks": 0, "request": map[string]any{"id": nil, "idempotency_key": nil},
		"data": map[string]any{"object": e.object}}
}

// record keeps an event with a snapshot of the object; call with s.mu held.
func (s *Server) record(typ string, object map[string]any) {
	s.events = append(s.events, event{id: "evt_" + connectortest.RandomHex(12), typ: typ, created: s.Now(), object: object})
}

// listEvents is GET /v1/events, newest first, by type (a trailing * is a
// wildcard) and created[gte].
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	f := formOf(r)
	typ := f.Get("type")
	var gte int64
	if v := f.Get("created[gte]"); v != "" {
		var err error
		if gte, err = strconv.ParseInt(v, 10, 64); err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "created[gte]", "Invalid integer: "+v)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []map[string]any
	for _, e := range slices.Backward(s.events) {
		if e.created.Unix() < gte {
			continue
		}
		if prefix, wild := strings.CutSuffix(typ, "*"); typ != "" && !(wild && strings.HasPrefix(e.typ, prefix) || e.typ == typ) {
			continue
		}
		items = append(items, e.render())
	}
	writeList(w, r, "/v1/events", items)
}

// Events returns the event types recorded, oldest first.
func (s *Server) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.events))
	for i, e := range s.events {
		out[i] = e.typ
	}
	return out
}

// EventBodies returns the recorded events of type typ, oldest first, each
// as the body Stripe would deliver to a webhook endpoint.
func (s *Server) EventBodies(typ string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var bodies [][]byte
	for _, e := range s.events {
		if e.typ == typ {
			b, err := json.Marshal(e.render())
			if err != nil {
				panic(err) // maps of strings, numbers and bools always encode
			}
			bodies = append(bodies, b)
		}
	}
	return bodies
}

// SendWebhook posts body to url as Stripe delivers an event, signed with
// Stripe-Signature under WebhookSecret at the current time, and returns
// the receiver's status. url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		stripe.SignWebhook(r, body, s.webhookSecret, time.Now())
		r.Header.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	})
}

// SendRecordedEvents delivers the recorded events of type typ to url,
// oldest first, one SendWebhook each, and returns the receiver's status
// for each.
func (s *Server) SendRecordedEvents(ctx context.Context, url, typ string) ([]int, error) {
	var statuses []int
	for _, b := range s.EventBodies(typ) {
		status, err := s.SendWebhook(ctx, url, b)
		if err != nil {
			return statuses, err
		}
		statuses = append(statuses, status)
	}
	return statuses, nil
}
