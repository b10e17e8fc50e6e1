package pipedrive

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm"
)

// Redelivery is how long Pipedrive keeps retrying a delivery that failed
// (no 2xx within 10 seconds): three retries, the last some minutes after
// the first attempt. An hour is kept as a margin.
// https://pipedrive.readme.io/docs/guide-for-webhooks-v2
const Redelivery = time.Hour

// Payload is one Pipedrive webhook v2 delivery: meta says what happened,
// data is the record after it (nil on a delete), previous what changed.
// Contact, Company and Deal are data typed for persons, organizations and
// deals; their Properties are keyed by the custom fields' hashes (the
// delivery does not carry the fields' names).
// https://pipedrive.readme.io/docs/guide-for-webhooks-v2
type Payload struct {
	Action   string // "create", "change", "delete"
	Entity   string // "person", "organization", "deal", "note", ...
	EntityID string
	// Attempt counts Pipedrive's attempts at this delivery, from 1.
	Attempt      int
	ChangeSource string // "app", "api", ...
	Data         json.RawMessage
	Previous     json.RawMessage

	Contact *crm.Contact
	Company *crm.Company
	Deal    *crm.Deal
}

// Event is one verified Pipedrive webhook event.
type Event = webhook.Event[Payload]

// NewWebhookHandler serves a Pipedrive webhook's subscription URL:
// Pipedrive does not sign deliveries; a webhook registered with
// http_auth_user and http_auth_password sends them as HTTP Basic
// credentials, which VerifyWebhook checks against cfg.Secrets
// ("user:password" each). Each event is handled once by its meta id; a
// failed handle answers 500 so that Pipedrive retries.
// https://developers.pipedrive.com/docs/api/v1/Webhooks#addWebhook
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	return webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "pipedrive", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
}

// credential is a secret as the decoded Basic credential: "user:password";
// a secret without a colon is a password with no user name.
func credential(secret string) string {
	if strings.Contains(secret, ":") {
		return secret
	}
	return ":" + secret
}

// VerifyWebhook checks the delivery's HTTP Basic credentials against
// cfg.Secrets, in constant time. Pipedrive signs neither body nor time:
// the credential is all there is, so serve the URL over HTTPS only.
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return fmt.Errorf("pipedrive: no Basic credentials: %w", webhook.ErrSignatureInvalid)
	}
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil {
		return fmt.Errorf("pipedrive: malformed Basic credentials: %w", webhook.ErrSignatureInvalid)
	}
	gotSum := sha256.Sum256(got)
	match := 0
	for _, k := range cfg.Keys() {
		want := sha256.Sum256([]byte(credential(string(k))))
		match |= subtle.ConstantTimeCompare(gotSum[:], want[:])
	}
	if match != 1 {
		return fmt.Errorf("pipedrive: wrong Basic credentials: %w", webhook.ErrSignatureInvalid)
	}
	return nil
}

// SignWebhook sets the Basic credentials Pipedrive sends for a webhook
// registered with secret ("user:password"); body and now are not used.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	user, pass, _ := strings.Cut(credential(secret), ":")
	r.SetBasicAuth(user, pass)
	r.Header.Set("User-Agent", "Pipedrive Webhooks")
}

// wireEvent is a webhook v2 body.
type wireEvent struct {
	Meta *struct {
		ID           json.RawMessage `json:"id"`
		Action       string          `json:"action"`
		Entity       string          `json:"entity"`
		EntityID     json.RawMessage `json:"entity_id"`
		Timestamp    json.RawMessage `json:"timestamp"`
		Attempt      int             `json:"attempt"`
		ChangeSource string          `json:"change_source"`
		Version      string          `json:"version"`
	} `json:"meta"`
	Data     json.RawMessage `json:"data"`
	Previous json.RawMessage `json:"previous"`
}

var kinds = map[string]map[string]webhook.Kind{
	"person":       {"create": webhook.ContactCreated, "change": webhook.ContactUpdated, "delete": webhook.ContactDeleted},
	"organization": {"create": webhook.CompanyCreated, "change": webhook.CompanyUpdated, "delete": webhook.CompanyDeleted},
	"deal":         {"create": webhook.DealCreated, "change": webhook.DealUpdated, "delete": webhook.DealDeleted},
}

// ParseWebhook reads one webhook v2 delivery as one event. Its ID is meta
// id (the same on every retry of the delivery; attempt counts them); a
// delivery without one is identified by entity, id, action and time.
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var w wireEvent
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("pipedrive: webhook body: %w: %v", connector.ErrInvalidResponse, err)
	}
	if w.Meta == nil || w.Meta.Action == "" || w.Meta.Entity == "" {
		return nil, fmt.Errorf("pipedrive: webhook body has no meta action and entity: %w", connector.ErrInvalidResponse)
	}
	m := w.Meta
	p := Payload{Action: m.Action, Entity: m.Entity, EntityID: rawText(m.EntityID), Attempt: m.Attempt, ChangeSource: m.ChangeSource,
		Data: nullable(w.Data), Previous: nullable(w.Previous)}
	occurred := eventTime(m.Timestamp)
	eventID := rawText(m.ID)
	if eventID == "" {
		eventID = m.Entity + ":" + p.EntityID + ":" + m.Action + ":" + strconv.FormatInt(occurred.UnixMicro(), 10)
	}
	if p.Data != nil {
		switch m.Entity {
		case "person":
			var pw personWire
			if json.Unmarshal(p.Data, &pw) == nil {
				p.Contact = toContact(pw, p.Data)
				p.Contact.Properties = rawProps(pw.CustomFields)
			}
		case "organization":
			var ow orgWire
			if json.Unmarshal(p.Data, &ow) == nil {
				p.Company = toCompany(ow, p.Data)
				p.Company.Properties = rawProps(ow.CustomFields)
			}
		case "deal":
			var dw dealWire
			if json.Unmarshal(p.Data, &dw) == nil {
				p.Deal = toDeal(dw, p.Data, "")
				p.Deal.Properties = rawProps(dw.CustomFields)
			}
		}
	}
	kind := kinds[m.Entity][m.Action]
	if kind == "" {
		kind = webhook.KindOther
	}
	return []Event{{ID: eventID, Kind: kind, Type: m.Action + "." + m.Entity, OccurredAt: occurred, Payload: p, Raw: json.RawMessage(body)}}, nil
}

func nullable(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// eventTime reads meta.timestamp: RFC 3339 text, or Unix seconds.
func eventTime(raw json.RawMessage) time.Time {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return parseTime(s)
	}
	var n int64
	if json.Unmarshal(raw, &n) == nil && n > 0 {
		return time.Unix(n, 0).UTC()
	}
	return time.Time{}
}

func rawProps(cf map[string]json.RawMessage) map[string]string {
	if len(cf) == 0 {
		return nil
	}
	out := make(map[string]string, len(cf))
	for k, v := range cf {
		if s := rawText(v); s != "" {
			out[k] = s
		} else if string(v) != "null" {
			out[k] = string(v)
		}
	}
	return out
}
