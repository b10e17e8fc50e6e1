package quickbookstest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/accounting/quickbooks"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

func writeJSON(w http.ResponseWriter, v any) {
	connectortest.WriteJSON(w, http.StatusOK, "application/json;charset=UTF-8", v)
}

// SendWebhook posts body to url as Intuit does, signed with the verifier
// token (WebhookSecret), and returns the receiver's status. url must be on
// this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	return connectortest.SendWebhook(ctx, url, body, func(r *http.Request) {
		quickbooks.SignWebhook(r, body, s.verifier, s.Now())
		r.Header.Set("Content-Type", "application/json")
	})
}

// WebhookEvent is an event about a record of this company, as Intuit
// would send it now: entity Invoice, Customer, Payment, ...; operation
// Create, Update, Delete, Merge, Void or Emailed.
func (s *Server) WebhookEvent(entity, operation, id string) quickbooks.Event {
	lower := map[string]string{"Create": "created", "Update": "updated", "Delete": "deleted", "Merge": "merged", "Void": "voided",
		"Emailed": "emailed"}[operation]
	return quickbooks.Event{ID: connectortest.UUID(), Type: "qbo." + strings.ToLower(entity) + "." + lower + ".v1", OccurredAt: s.Now(),
		Payload: quickbooks.Payload{RealmID: s.realm, Entity: entity, EntityID: id, Operation: operation,
			Source: "intuit.sandbox-" + s.realm, SpecVersion: "1.0"}}
}

// CloudEventsBody is a delivery in the CloudEvents format Intuit sends
// since 2026: a JSON array of events.
func CloudEventsBody(events ...quickbooks.Event) []byte {
	out := make([]map[string]any, len(events))
	for i, e := range events {
		out[i] = map[string]any{"specversion": "1.0", "id": e.ID, "source": e.Payload.Source, "type": e.Type,
			"datacontenttype": "application/json", "time": e.OccurredAt.UTC().Format(time.RFC3339Nano),
			"intuitentityid": e.Payload.EntityID, "intuitaccountid": e.Payload.RealmID, "data": map[string]any{}}
	}
	body, _ := json.Marshal(out)
	return body
}

// NotificationsBody is a delivery in the eventNotifications format Intuit
// sent before CloudEvents, grouped by realm.
func NotificationsBody(events ...quickbooks.Event) []byte {
	type change struct {
		Name        string `json:"name"`
		ID          string `json:"id"`
		Operation   string `json:"operation"`
		LastUpdated string `json:"lastUpdated"`
		DeletedID   string `json:"deletedId,omitempty"`
	}
	var realms []string
	byRealm := map[string][]change{}
	for _, e := range events {
		p := e.Payload
		if _, ok := byRealm[p.RealmID]; !ok {
			realms = append(realms, p.RealmID)
		}
		byRealm[p.RealmID] = append(byRealm[p.RealmID], change{Name: p.Entity, ID: p.EntityID, Operation: p.Operation,
			LastUpdated: e.OccurredAt.UTC().Format("2006-01-02T15:04:05.000Z"), DeletedID: p.DeletedID})
	}
	notes := make([]map[string]any, 0, len(realms))
	for _, realm := range realms {
		notes = append(notes, map[string]any{"realmId": realm, "dataChangeEvent": map[string]any{"entities": byRealm[realm]}})
	}
	body, _ := json.Marshal(map[string]any{"eventNotifications": notes})
	return body
}
