package stripetest

import (
	"bytes"
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

// APIVersion is the version events are rendered at.
const APIVersion = "2026-08-26.dahlia"

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

// SendWebhook posts the recorded events of type typ to url as Stripe does,
// signed with Stripe-Signature under secret, and returns the receiver's
// status for each. url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url, secret string, typ string) ([]int, error) {
	s.mu.Lock()
	var bodies [][]byte
	for _, e := range s.events {
		if e.typ == typ {
			b, err := json.Marshal(e.render())
			if err != nil {
				s.mu.Unlock()
				return nil, err
			}
			bodies = append(bodies, b)
		}
	}
	s.mu.Unlock()
	var statuses []int
	for _, b := range bodies {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
		if err != nil {
			return statuses, err
		}
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		req.Header.Set("Stripe-Signature", stripe.Sign(b, time.Now(), secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return statuses, err
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	return statuses, nil
}
