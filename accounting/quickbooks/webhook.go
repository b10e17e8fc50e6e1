package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
)

// Payload is one QuickBooks webhook event: which record changed and how,
// not the record itself; fetch it with the client (EntityID). Both formats
// Intuit delivers fill it: the CloudEvents format (an array of events,
// mandatory since 2026) and the eventNotifications format before it.
// https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks
// https://blogs.intuit.com/2025/11/12/upcoming-change-to-webhooks-payload-structure/
type Payload struct {
	RealmID   string // realmId, or the CloudEvent's intuitaccountid
	Entity    string // Invoice, Customer, Payment, ... (Intuit's entity name)
	EntityID  string // id, or intuitentityid
	Operation string // Create, Update, Delete, Merge, Void, Emailed
	// DeletedID is the record merged into EntityID (Merge, legacy format).
	DeletedID string
	// CloudEvent fields; empty for the eventNotifications format.
	Source      string // source
	SpecVersion string // specversion, "1.0"
}

// Event is one verified QuickBooks webhook event. Its Type is the
// CloudEvent's type ("qbo.invoice.created.v1"), or "<name>.<operation>"
// ("Invoice.Create") in the eventNotifications format; its ID the
// CloudEvent's id, or the realm, entity, id, operation and lastUpdated of
// an eventNotifications change, which has no id.
type Event = webhook.Event[Payload]

// signatureHeader is where Intuit signs a delivery.
const signatureHeader = "intuit-signature"

// redelivery is how long Intuit retries an unanswered delivery: after
// 10s, 20s, 30s, 5m, 20m, 2h, 4h, 6h and then every 6 hours, with no end
// stated; the handler remembers ids for 1.5 times this.
// https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/best-practices
const redelivery = 72 * time.Hour

// NewWebhookHandler serves QuickBooks webhooks: cfg.Secrets holds the
// app's verifier token (two during a rotation). It drops events already
// handled and calls handle once for each new one; a failed handle is
// answered 500 and Intuit retries the delivery.
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "quickbooks", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: redelivery}, cfg, handle)
}

// VerifyWebhook checks intuit-signature: the base64 HMAC-SHA256 of the raw
// body under the verifier token, any of cfg.Secrets. Intuit signs no
// timestamp: replays are caught by event id.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	return webhook.VerifyHMAC(body, r.Header.Get(signatureHeader), webhook.Base64, cfg.Keys()...)
}

// SignWebhook sets on r the intuit-signature Intuit would send with body,
// signed with secret (the verifier token). Intuit signs no time: now is
// unused.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	r.Header.Set(signatureHeader, webhook.SignHMAC([]byte(secret), body, webhook.Base64))
}

// cloudEventWire is one event of the CloudEvents format.
type cloudEventWire struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Time            string          `json:"time"`
	IntuitEntityID  string          `json:"intuitentityid"`
	IntuitAccountID string          `json:"intuitaccountid"`
	Data            json.RawMessage `json:"data"`
}

// notificationsWire is the eventNotifications format.
type notificationsWire struct {
	EventNotifications []struct {
		RealmID         string `json:"realmId"`
		DataChangeEvent struct {
			Entities []json.RawMessage `json:"entities"`
		} `json:"dataChangeEvent"`
	} `json:"eventNotifications"`
}

type entityChangeWire struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Operation   string `json:"operation"`
	LastUpdated string `json:"lastUpdated"`
	DeletedID   string `json:"deletedId"`
}

// ParseWebhook splits a verified delivery into its events, in either
// format: a JSON array is CloudEvents, an object eventNotifications. A
// body that is neither, or an event without its id, is an
// ErrInvalidResponse.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return parseCloudEvents(trimmed)
	}
	return parseNotifications(trimmed)
}

func parseCloudEvents(body []byte) ([]Event, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, fmt.Errorf("quickbooks: webhook body: %w", connector.ErrInvalidResponse)
	}
	events := make([]Event, 0, len(raws))
	for _, raw := range raws {
		var w cloudEventWire
		if err := json.Unmarshal(raw, &w); err != nil || w.ID == "" || w.Type == "" {
			return nil, fmt.Errorf("quickbooks: webhook event: %w", connector.ErrInvalidResponse)
		}
		entity, operation := splitCloudType(w.Type)
		events = append(events, Event{
			ID:         w.ID,
			Kind:       kindFor(entity, operation),
			Type:       w.Type,
			OccurredAt: parseTime(w.Time),
			Payload: Payload{RealmID: w.IntuitAccountID, Entity: entity, EntityID: w.IntuitEntityID, Operation: operation,
				Source: w.Source, SpecVersion: w.SpecVersion},
			Raw: raw,
		})
	}
	return events, nil
}

func parseNotifications(body []byte) ([]Event, error) {
	var d notificationsWire
	if err := json.Unmarshal(body, &d); err != nil || d.EventNotifications == nil {
		return nil, fmt.Errorf("quickbooks: webhook body: %w", connector.ErrInvalidResponse)
	}
	var events []Event
	for _, n := range d.EventNotifications {
		for _, raw := range n.DataChangeEvent.Entities {
			var w entityChangeWire
			if err := json.Unmarshal(raw, &w); err != nil || w.Name == "" || w.ID == "" || w.Operation == "" {
				return nil, fmt.Errorf("quickbooks: webhook event: %w", connector.ErrInvalidResponse)
			}
			at := parseTime(w.LastUpdated)
			when := w.LastUpdated
			if !at.IsZero() {
				when = at.Format(time.RFC3339Nano)
			}
			events = append(events, Event{
				ID:         n.RealmID + ":" + w.Name + ":" + w.ID + ":" + w.Operation + ":" + when,
				Kind:       kindFor(w.Name, w.Operation),
				Type:       w.Name + "." + w.Operation,
				OccurredAt: at,
				Payload:    Payload{RealmID: n.RealmID, Entity: w.Name, EntityID: w.ID, Operation: w.Operation, DeletedID: w.DeletedID},
				Raw:        raw,
			})
		}
	}
	return events, nil
}

// entityNames are Intuit's spellings of the entities webhooks report, by
// their lower-case form in a CloudEvent type.
var entityNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{"Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency", "Customer", "Department",
		"Deposit", "Employee", "Estimate", "Invoice", "Item", "JournalCode", "JournalEntry", "Payment", "PaymentMethod", "Preferences",
		"Purchase", "PurchaseOrder", "RefundReceipt", "SalesReceipt", "TaxAgency", "Term", "TimeActivity", "Transfer", "Vendor", "VendorCredit"} {
		m[strings.ToLower(n)] = n
	}
	return m
}()

// cloudOperations are the CloudEvent actions, as the eventNotifications
// operations spell them.
var cloudOperations = map[string]string{"created": "Create", "updated": "Update", "deleted": "Delete", "merged": "Merge",
	"voided": "Void", "emailed": "Emailed"}

// splitCloudType reads "qbo.<entity>.<action>.v<n>".
func splitCloudType(t string) (entity, operation string) {
	parts := strings.Split(t, ".")
	if len(parts) < 3 {
		return "", ""
	}
	entity, operation = parts[1], parts[2]
	if n, ok := entityNames[strings.ToLower(entity)]; ok {
		entity = n
	}
	if op, ok := cloudOperations[strings.ToLower(operation)]; ok {
		operation = op
	}
	return entity, operation
}

// kindFor maps an entity and operation to a vendor-neutral kind.
func kindFor(entity, operation string) webhook.Kind {
	switch strings.ToLower(entity) + "." + strings.ToLower(operation) {
	case "invoice.create":
		return webhook.InvoiceCreated
	case "invoice.update", "invoice.emailed":
		return webhook.InvoiceUpdated
	case "invoice.void":
		return webhook.InvoiceVoided
	case "customer.create":
		return webhook.CustomerCreated
	case "customer.update", "customer.merge":
		return webhook.CustomerUpdated
	case "customer.delete":
		return webhook.CustomerDeleted
	case "payment.create":
		return webhook.PaymentCreated
	}
	return webhook.KindOther
}
