package salesforcetest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/crm/salesforce"
)

// OrganizationID is the sandbox org's id, 18 characters: the prefix of
// its session ids and what its outbound messages carry.
const OrganizationID = "00DSb0000000001MAA"

// WebhookSecret is what webhook.Config.Secrets takes for the sandbox's
// outbound messages: the org id (an identifier, not a secret; see
// salesforce.VerifyWebhook).
func (s *Server) WebhookSecret() string { return OrganizationID }

// Notification is one record of an outbound message: Object is the
// sObject type ("Contact"), Fields its fields by API name, with Id.
type Notification struct {
	ID     string // the notification id; a fresh one when empty
	Object string
	Fields map[string]string
}

// OutboundMessage builds the SOAP body of an outbound message from the
// org orgID, as Salesforce sends it: OrganizationId, ActionId, no
// SessionId, the SOAP API URLs, and a Notification per record.
// https://developer.salesforce.com/docs/platform/api/guide/sforce-api-om-outboundmessaging-wsdl.html
func OutboundMessage(orgID, instanceURL string, notifications ...Notification) []byte {
	var b bytes.Buffer
	esc := func(s string) string { var e strings.Builder; _ = xml.EscapeText(&e, []byte(s)); return e.String() }
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	b.WriteString(`<soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">`)
	fmt.Fprintf(&b, `<OrganizationId>%s</OrganizationId><ActionId>04kSb0000000001AAA</ActionId><SessionId xsi:nil="true"/>`, esc(orgID))
	fmt.Fprintf(&b, `<EnterpriseUrl>%s/services/Soap/c/62.0/%s</EnterpriseUrl>`, esc(instanceURL), esc(orgID))
	fmt.Fprintf(&b, `<PartnerUrl>%s/services/Soap/u/62.0/%s</PartnerUrl>`, esc(instanceURL), esc(orgID))
	for _, n := range notifications {
		id := n.ID
		if id == "" {
			id = "04lSb" + strings.ToUpper(connectortest.RandomHex(5))[:10] + "AAA"
		}
		fmt.Fprintf(&b, `<Notification><Id>%s</Id><sObject xsi:type="sf:%s" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">`, esc(id), esc(n.Object))
		names := make([]string, 0, len(n.Fields))
		for k := range n.Fields {
			names = append(names, k)
		}
		slices.Sort(names)
		if i := slices.Index(names, "Id"); i > 0 { // the WSDL puts Id first
			names = append([]string{"Id"}, slices.Delete(names, i, i+1)...)
		}
		for _, k := range names {
			fmt.Fprintf(&b, `<sf:%s>%s</sf:%s>`, k, esc(n.Fields[k]), k)
		}
		b.WriteString(`</sObject></Notification>`)
	}
	b.WriteString(`</notifications></soapenv:Body></soapenv:Envelope>`)
	return b.Bytes()
}

// ContactChanged is the outbound message a Workflow rule on Contact
// sends when the contact id changed: its name, email and phone, and
// dates. It panics if the org has no such contact.
func (s *Server) ContactChanged(id string) []byte {
	s.mu.Lock()
	r, ok := s.objects["Contact"].records[id]
	if !ok || !r.live() {
		s.mu.Unlock()
		panic("salesforcetest: no contact " + id)
	}
	fields := map[string]string{"Id": r.id, "CreatedDate": r.created.UTC().Format("2006-01-02T15:04:05.000Z"),
		"LastModifiedDate": r.modstamp.UTC().Format("2006-01-02T15:04:05.000Z")}
	for _, k := range []string{"FirstName", "LastName", "Email", "Phone"} {
		if v, ok := r.values[k].(string); ok {
			fields[k] = v
		}
	}
	s.mu.Unlock()
	return OutboundMessage(OrganizationID, s.URL(), Notification{Object: "Contact", Fields: fields})
}

// SendWebhook POSTs the outbound message body to url as Salesforce does,
// from this org (salesforce.SignWebhook with WebhookSecret(): the SOAP
// headers and the org id in the body), and returns the receiver's status.
// url must be on this machine.
func (s *Server) SendWebhook(ctx context.Context, url string, body []byte) (int, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, nil)
	if err != nil {
		return 0, err
	}
	salesforce.SignWebhook(r, body, s.WebhookSecret(), time.Now())
	signed, err := io.ReadAll(r.Body)
	if err != nil {
		return 0, err
	}
	return connectortest.PostWebhook(ctx, url, signed, r.Header)
}
