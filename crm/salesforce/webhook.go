package salesforce

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/crm"
)

// Redelivery is how long Salesforce keeps redelivering an outbound
// message that was not acknowledged: up to 24 hours, with backoff.
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
const Redelivery = 24 * time.Hour

// Payload is one Notification of a Salesforce Outbound Message: the
// record a Workflow rule or Flow sent, with the fields chosen when the
// outbound message was set up, and what the message says about its
// sender. Contact is set when the record is a Contact.
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
type Payload struct {
	OrganizationID string // the sending org, 18 characters
	ActionID       string // the outbound message (workflow action) that sent it
	NotificationID string // the notification's id: the same on every redelivery
	Object         string // the sObject type, from xsi:type: "Contact", "Account", ...
	RecordID       string // the record's Id
	// Fields holds the record's fields as sent, by API name; a field
	// sent as xsi:nil is present with an empty value.
	Fields map[string]string
	// EnterpriseURL and PartnerURL are the SOAP API endpoints of the org
	// for calls back to Salesforce.
	EnterpriseURL string
	PartnerURL    string
	// SessionID is set when the outbound message has "Send Session ID"
	// on: a live API session of the org. It is a credential: never log it.
	SessionID string `json:"-"`

	Contact *crm.Contact
}

// Event is one Notification of a Salesforce Outbound Message.
type Event = webhook.Event[Payload]

// Ack is the answer Salesforce waits for: a notificationsResponse with
// Ack true acknowledges every notification of the message at once.
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
const Ack = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
	`<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>` +
	`</soapenv:Body></soapenv:Envelope>`

// fault is the SOAP 1.1 fault sent with a 500: Salesforce redelivers.
const fault = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` +
	`<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>try again</faultstring></soapenv:Fault>` +
	`</soapenv:Body></soapenv:Envelope>`

// NewWebhookHandler serves an Outbound Message endpoint. cfg.Secrets are
// the ids of the orgs the endpoint serves (15 or 18 characters): see
// VerifyWebhook for what that does and does not prove. Each Notification
// is one Event, handled once by its notification Id, which Salesforce
// keeps across redeliveries. The answer is the SOAP Ack (text/xml) when
// every notification was handled or had been already; a failed handle
// answers a SOAP fault with 500, so that Salesforce redelivers the
// message and the notifications not yet handled are handled then. A
// refused or unreadable message gets webhook.NewHandler's 401 or 400.
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
func NewWebhookHandler(cfg webhook.Config, handle func(ctx context.Context, e Event) error) (http.Handler, error) {
	for _, s := range cfg.Secrets {
		if s != "" && !orgIDPattern.MatchString(s) {
			return nil, fmt.Errorf("salesforce: webhook.Config.Secrets holds org ids (15 or 18 letters and digits); one is not")
		}
	}
	h, err := webhook.NewHandler(webhook.Scheme[Payload]{Vendor: "salesforce", Verify: VerifyWebhook, Parse: ParseWebhook, Redelivery: Redelivery}, cfg, handle)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aw := &ackWriter{ResponseWriter: w}
		h.ServeHTTP(aw, r)
		if aw.status == 0 { // nothing written: the core's answer is a 200
			aw.WriteHeader(http.StatusOK)
		}
	}), nil
}

// ackWriter turns webhook.NewHandler's empty 200 into the SOAP Ack and
// its 5xx into a SOAP fault; other answers (401, 400, 405, 413) pass.
type ackWriter struct {
	http.ResponseWriter
	status  int
	swallow bool
}

func (w *ackWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	var body string
	switch {
	case code == http.StatusOK:
		body = Ack
	case code >= 500:
		body, code = fault, http.StatusInternalServerError
	default:
		w.ResponseWriter.WriteHeader(code)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/xml; charset=utf-8")
	h.Del("Content-Length")
	w.ResponseWriter.WriteHeader(code)
	_, _ = io.WriteString(w.ResponseWriter, body)
	w.swallow = true
}

func (w *ackWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

var orgIDPattern = regexp.MustCompile(`^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$`)

// VerifyWebhook checks that the message's OrganizationId is one of
// cfg.Secrets, compared on the 15-character, case-sensitive form of the
// id (an 18-character id is the 15 plus a checksum).
//
// Salesforce does not sign outbound messages, and an org id is an
// identifier, not a secret: anyone who knows it can forge a message this
// check accepts. Salesforce's guidance for a listener is to also check
// the client certificate Salesforce presents (mutual TLS, with the org's
// certificate chosen on the outbound message), to accept only Salesforce's
// IP ranges, and, with "Send Session ID" on, to verify the SessionId by
// calling the API with it. All three are outside this function: the
// first two belong to the TLS server or proxy in front of the handler;
// the third needs an API client and the org's instance URL, and must
// never call the EnterpriseUrl or PartnerUrl the message names (a forger
// chooses those), so it is left to the handle function, which has a
// Client configured for the org.
// https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_om_outboundmessaging_understanding.htm
func VerifyWebhook(r *http.Request, body []byte, cfg webhook.Config) error {
	var env struct {
		Body struct {
			Notifications *struct {
				OrganizationID string `xml:"OrganizationId"`
			} `xml:"notifications"`
		} `xml:"Body"`
	}
	if err := xml.Unmarshal(body, &env); err != nil || env.Body.Notifications == nil {
		return fmt.Errorf("salesforce: not an outbound message: %w", webhook.ErrSignatureInvalid)
	}
	got := strings.TrimSpace(env.Body.Notifications.OrganizationID)
	if !orgIDPattern.MatchString(got) {
		return fmt.Errorf("salesforce: outbound message has no valid OrganizationId: %w", webhook.ErrSignatureInvalid)
	}
	match := 0
	for _, k := range cfg.Keys() {
		if !orgIDPattern.Match(k) {
			continue
		}
		match |= subtle.ConstantTimeCompare([]byte(got[:15]), k[:15])
	}
	if match != 1 {
		return fmt.Errorf("salesforce: outbound message from an org not served here: %w", webhook.ErrSignatureInvalid)
	}
	return nil
}

var orgIDElement = regexp.MustCompile(`(<(?:[A-Za-z_][\w.-]*:)?OrganizationId>)[^<]*(</(?:[A-Za-z_][\w.-]*:)?OrganizationId>)`)

// SignWebhook makes r a delivery as Salesforce sends it from the org
// whose id is secret: the SOAP headers, and body with its OrganizationId
// set to secret, as r's body. now is not used: Salesforce sends no time.
func SignWebhook(r *http.Request, body []byte, secret string, now time.Time) {
	signed := orgIDElement.ReplaceAll(body, []byte("${1}"+xmlEscape(secret)+"${2}"))
	r.Body = io.NopCloser(bytes.NewReader(signed))
	r.ContentLength = int64(len(signed))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(signed)), nil }
	r.Header.Set("Content-Type", "text/xml; charset=utf-8")
	r.Header.Set("SOAPAction", `""`)
	r.Header.Set("User-Agent", "Jakarta Commons-HttpClient/3.1")
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "$", "$$")
}

// wireEnvelope is an outbound message: a SOAP 1.1 envelope around one
// notifications element. Names are matched without their namespaces.
type wireEnvelope struct {
	Body struct {
		Notifications *struct {
			OrganizationID string `xml:"OrganizationId"`
			ActionID       string `xml:"ActionId"`
			SessionID      string `xml:"SessionId"`
			EnterpriseURL  string `xml:"EnterpriseUrl"`
			PartnerURL     string `xml:"PartnerUrl"`
			Notification   []struct {
				ID      string `xml:"Id"`
				SObject *struct {
					Type   string      `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
					Fields []wireField `xml:",any"`
				} `xml:"sObject"`
			} `xml:"Notification"`
		} `xml:"notifications"`
	} `xml:"Body"`
}

type wireField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// ParseWebhook reads an outbound message as one Event per Notification
// (up to 100 in a message). An Event is a notification, not the message,
// because a notification is what Salesforce identifies and tracks
// redeliveries by (its Id), and what the handle function acts on: one
// record. Kind is created when the fields sent include CreatedDate and
// LastModifiedDate and they are equal, updated otherwise (a Workflow
// rule fires on both; the message does not say which); KindOther for
// records other than Contact, Account and Opportunity. Raw is the
// notification as JSON (without the SessionId).
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
func ParseWebhook(r *http.Request, body []byte) ([]Event, error) {
	var env wireEnvelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("salesforce: outbound message: %w: %v", connector.ErrInvalidResponse, err)
	}
	n := env.Body.Notifications
	if n == nil || len(n.Notification) == 0 {
		return nil, fmt.Errorf("salesforce: outbound message has no notification: %w", connector.ErrInvalidResponse)
	}
	events := make([]Event, 0, len(n.Notification))
	for _, wn := range n.Notification {
		id := strings.TrimSpace(wn.ID)
		if id == "" || wn.SObject == nil {
			return nil, fmt.Errorf("salesforce: outbound message has a notification without Id or sObject: %w", connector.ErrInvalidResponse)
		}
		p := Payload{OrganizationID: strings.TrimSpace(n.OrganizationID), ActionID: strings.TrimSpace(n.ActionID), NotificationID: id,
			EnterpriseURL: strings.TrimSpace(n.EnterpriseURL), PartnerURL: strings.TrimSpace(n.PartnerURL), SessionID: strings.TrimSpace(n.SessionID),
			Fields: map[string]string{}}
		p.Object = wn.SObject.Type
		if _, local, ok := strings.Cut(p.Object, ":"); ok {
			p.Object = local
		}
		for _, f := range wn.SObject.Fields {
			p.Fields[f.XMLName.Local] = f.Value
		}
		p.RecordID = p.Fields["Id"]
		if p.Object == "" {
			p.Object = "sObject"
		}
		raw, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("salesforce: outbound message: %w: %v", connector.ErrInvalidResponse, err)
		}
		rec := record{}
		for k, v := range p.Fields {
			rec[k], _ = json.Marshal(v)
		}
		if p.Object == "Contact" {
			p.Contact = toContact(rec, raw)
		}
		created := p.Fields["CreatedDate"] != "" && p.Fields["CreatedDate"] == p.Fields["LastModifiedDate"]
		occurred := rec.time("LastModifiedDate")
		if occurred.IsZero() {
			occurred = rec.time("SystemModstamp")
		}
		events = append(events, Event{ID: id, Kind: kindOf(p.Object, created), Type: "outbound." + p.Object, OccurredAt: occurred, Payload: p, Raw: raw})
	}
	return events, nil
}

func kindOf(object string, created bool) webhook.Kind {
	kinds := map[string][2]webhook.Kind{
		"Contact":     {webhook.ContactUpdated, webhook.ContactCreated},
		"Account":     {webhook.CompanyUpdated, webhook.CompanyCreated},
		"Opportunity": {webhook.DealUpdated, webhook.DealCreated},
	}
	k, ok := kinds[object]
	if !ok {
		return webhook.KindOther
	}
	if created {
		return k[1]
	}
	return k[0]
}
