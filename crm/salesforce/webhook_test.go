package salesforce_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/webhook"
	"github.com/patchbay-go/patchbay/connector/webhook/webhooktest"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

const org = salesforcetest.OrganizationID

func contactMessage(orgID string, notes ...salesforcetest.Notification) []byte {
	if notes == nil {
		notes = []salesforcetest.Notification{{ID: "04lSb000000AbCdEAA", Object: "Contact", Fields: map[string]string{
			"Id": "003Sb000001AbCdEAA", "Email": "ada@example.com", "FirstName": "Ada", "LastName": "Lovelace",
			"CreatedDate": "2026-11-29T07:00:00.000Z", "LastModifiedDate": "2026-11-29T08:00:00.000Z"}}}
	}
	return salesforcetest.OutboundMessage(orgID, "https://example.my.salesforce.com", notes...)
}

// suiteOrg maps a secret of the contract suite to an org id, since
// Salesforce's "secret" is the org id in the body.
func suiteOrg(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(secret))
	return "00D" + hex.EncodeToString(sum[:])[:12]
}

// TestWebhookContract runs the shared suite. Salesforce carries its
// "secret" (the org id) in the body, and the suite replaces the body after
// signing: so Sign also names the org in a test header, and the handler
// under test is fronted by a shim that writes that org id into the body
// the suite sent, as Salesforce would have. The suite's secrets are mapped
// to org ids. The handler itself is the real NewWebhookHandler.
func TestWebhookContract(t *testing.T) {
	const orgHeader = "X-Test-Org"
	webhooktest.Run(t, webhooktest.Vendor[salesforce.Payload]{
		NewHandler: func(cfg webhook.Config, handle func(context.Context, salesforce.Event) error) (http.Handler, error) {
			secrets := make([]string, len(cfg.Secrets))
			for i, s := range cfg.Secrets {
				secrets[i] = suiteOrg(s)
			}
			cfg.Secrets = secrets
			h, err := salesforce.NewWebhookHandler(cfg, handle)
			if err != nil {
				return nil, err
			}
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if o := r.Header.Get(orgHeader); o != "" && r.Body != nil {
					body, _ := io.ReadAll(r.Body)
					salesforce.SignWebhook(r, body, o, time.Now())
				}
				h.ServeHTTP(w, r)
			}), nil
		},
		Sign: func(r *http.Request, body []byte, secret string, now time.Time) {
			salesforce.SignWebhook(r, body, suiteOrg(secret), now)
			r.Header.Set(orgHeader, suiteOrg(secret))
		},
		Body: contactMessage("00D000000000000"),
	})
}

func deliver(t *testing.T, h http.Handler, body []byte, orgID string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://hooks.example.com/salesforce", nil)
	salesforce.SignWebhook(r, body, orgID, time.Now())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestWebhookAck: a handled message is answered with the
// notificationsResponse of the outbound messaging WSDL, Ack true, as
// text/xml; a failed handle gets a SOAP fault with 500 and no Ack, so
// that Salesforce redelivers; a duplicate is acknowledged again.
func TestWebhookAck(t *testing.T) {
	fail := true
	var handled []salesforce.Event
	h, err := salesforce.NewWebhookHandler(webhook.Config{Secrets: []string{org}}, func(_ context.Context, e salesforce.Event) error {
		if fail {
			return errors.New("queue down")
		}
		handled = append(handled, e)
		return nil
	})
	require.NoError(t, err)
	body := contactMessage(org)

	w := deliver(t, h, body, org)
	assert.Equal(t, http.StatusInternalServerError, w.Code)
	assert.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
	assert.NotContains(t, w.Body.String(), "Ack")
	assert.Contains(t, w.Body.String(), "<faultcode>soapenv:Server</faultcode>")

	fail = false
	for range 2 { // the redelivery, then a duplicate
		w = deliver(t, h, body, org)
		require.Equal(t, http.StatusOK, w.Code)
		assert.Equal(t, "text/xml; charset=utf-8", w.Header().Get("Content-Type"))
		var ack struct {
			XMLName xml.Name
			Body    struct {
				Response struct {
					XMLName xml.Name
					Ack     string `xml:"http://soap.sforce.com/2005/09/outbound Ack"`
				} `xml:"http://soap.sforce.com/2005/09/outbound notificationsResponse"`
			} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
		}
		require.NoError(t, xml.Unmarshal(w.Body.Bytes(), &ack), w.Body.String())
		assert.Equal(t, xml.Name{Space: "http://schemas.xmlsoap.org/soap/envelope/", Local: "Envelope"}, ack.XMLName)
		assert.Equal(t, "true", ack.Body.Response.Ack)
	}
	assert.Len(t, handled, 1)

	w = deliver(t, h, body, "00DSb0000000002")
	assert.Equal(t, http.StatusUnauthorized, w.Code, "another org")
	assert.NotContains(t, w.Body.String(), "Ack")
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications><OrganizationId>`+org+`</OrganizationId></notifications></soapenv:Body></soapenv:Envelope>`))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	assert.Equal(t, http.StatusBadRequest, w.Code, "no notification")
	assert.NotContains(t, w.Body.String(), "Ack")
}

// TestVerifyWebhookOrgID: org ids compare on their 15-character,
// case-sensitive form; secrets that are no org ids are a configuration
// error.
func TestVerifyWebhookOrgID(t *testing.T) {
	verify := func(secret, sent string) error {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		body := contactMessage(sent)
		return salesforce.VerifyWebhook(r, body, webhook.Config{Secrets: []string{secret}})
	}
	assert.NoError(t, verify(org, org))
	assert.NoError(t, verify(org[:15], org), "15-character secret, 18-character id")
	assert.NoError(t, verify(org, org[:15]), "18-character secret, 15-character id")
	assert.ErrorIs(t, verify(org, strings.ToLower(org[:15])), webhook.ErrSignatureInvalid, "case matters")
	assert.ErrorIs(t, verify(org, "00DSb0000000002MAA"), webhook.ErrSignatureInvalid)
	assert.ErrorIs(t, verify(org, ""), webhook.ErrSignatureInvalid)
	assert.ErrorIs(t, salesforce.VerifyWebhook(httptest.NewRequest(http.MethodPost, "/", nil), []byte("not xml"), webhook.Config{Secrets: []string{org}}), webhook.ErrSignatureInvalid)
	_, err := salesforce.NewWebhookHandler(webhook.Config{Secrets: []string{"whsec_abc"}}, func(context.Context, salesforce.Event) error { return nil })
	assert.Error(t, err)
}

// TestParseWebhook: one Event per Notification, by its Id; the type from
// xsi:type; fields by API name; a Contact typed; the SessionId kept out of
// Raw; unknown elements ignored.
func TestParseWebhook(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>00DSb0000000001MAA</OrganizationId>
   <ActionId>04kSb0000000001AAA</ActionId>
   <SessionId>00DSb0000000001!SESSION-SENTINEL</SessionId>
   <EnterpriseUrl>https://example.my.salesforce.com/services/Soap/c/62.0/00DSb0000000001</EnterpriseUrl>
   <PartnerUrl>https://example.my.salesforce.com/services/Soap/u/62.0/00DSb0000000001</PartnerUrl>
   <Unknown>ignored</Unknown>
   <Notification>
    <Id>04lSb0000000001AAA</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>003Sb0000000001AAA</sf:Id>
     <sf:CreatedDate>2026-11-29T07:00:00.000Z</sf:CreatedDate>
     <sf:Email>ada@example.com</sf:Email>
     <sf:FirstName>Ada</sf:FirstName>
     <sf:LastModifiedDate>2026-11-29T07:00:00.000Z</sf:LastModifiedDate>
     <sf:LastName>Lovelace &amp; Co</sf:LastName>
     <sf:Phone xsi:nil="true"/>
    </sObject>
   </Notification>
   <Notification>
    <Id>04lSb0000000002AAA</Id>
    <sObject xsi:type="sf:Opportunity" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>006Sb0000000001AAA</sf:Id>
     <sf:Amount>249.9</sf:Amount>
     <sf:LastModifiedDate>2026-11-29T08:00:00.000Z</sf:LastModifiedDate>
    </sObject>
   </Notification>
   <Notification>
    <Id>04lSb0000000003AAA</Id>
    <sObject xsi:type="sf:Case" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>500Sb0000000001AAA</sf:Id></sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`)
	events, err := salesforce.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
	require.NoError(t, err)
	require.Len(t, events, 3)
	c := events[0]
	assert.Equal(t, "04lSb0000000001AAA", c.ID)
	assert.Equal(t, webhook.ContactCreated, c.Kind)
	assert.Equal(t, "outbound.Contact", c.Type)
	assert.Equal(t, time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC), c.OccurredAt)
	p := c.Payload
	assert.Equal(t, "Contact", p.Object)
	assert.Equal(t, "003Sb0000000001AAA", p.RecordID)
	assert.Equal(t, "00DSb0000000001MAA", p.OrganizationID)
	assert.Equal(t, "04kSb0000000001AAA", p.ActionID)
	assert.Equal(t, "00DSb0000000001!SESSION-SENTINEL", p.SessionID)
	assert.Equal(t, "https://example.my.salesforce.com/services/Soap/u/62.0/00DSb0000000001", p.PartnerURL)
	assert.Equal(t, "Lovelace & Co", p.Fields["LastName"])
	v, ok := p.Fields["Phone"]
	assert.True(t, ok)
	assert.Empty(t, v)
	require.NotNil(t, p.Contact)
	assert.Equal(t, crm.Contact{ID: "003Sb0000000001AAA", Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace & Co",
		CreatedAt: time.Date(2026, 11, 29, 7, 0, 0, 0, time.UTC)}, func() crm.Contact { x := *p.Contact; x.Raw = nil; return x }())
	assert.NotContains(t, string(c.Raw), "SENTINEL", "the session id reached Raw")

	assert.Equal(t, webhook.DealUpdated, events[1].Kind)
	assert.Nil(t, events[1].Payload.Contact)
	assert.Equal(t, "249.9", events[1].Payload.Fields["Amount"])
	assert.Equal(t, webhook.KindOther, events[2].Kind)
	assert.Equal(t, "Case", events[2].Payload.Object)

	for _, bad := range []string{"", "<x/>", `<Envelope><Body><notifications><Notification><Id>1</Id></Notification></notifications></Body></Envelope>`} {
		_, err := salesforce.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), []byte(bad))
		assert.ErrorIs(t, err, connector.ErrInvalidResponse, bad)
	}
}

// TestWebhookPerNotification: each notification is handled once; when one
// fails, the message is not acknowledged, and its redelivery handles only
// the notifications not yet handled.
func TestWebhookPerNotification(t *testing.T) {
	failOn := "04lSb0000000002AAA"
	var handled []string
	h, err := salesforce.NewWebhookHandler(webhook.Config{Secrets: []string{org}}, func(_ context.Context, e salesforce.Event) error {
		if e.ID == failOn {
			return errors.New("queue down")
		}
		handled = append(handled, e.ID)
		return nil
	})
	require.NoError(t, err)
	body := contactMessage(org,
		salesforcetest.Notification{ID: "04lSb0000000001AAA", Object: "Contact", Fields: map[string]string{"Id": "003Sb0000000001AAA"}},
		salesforcetest.Notification{ID: "04lSb0000000002AAA", Object: "Contact", Fields: map[string]string{"Id": "003Sb0000000002AAA"}})
	assert.Equal(t, http.StatusInternalServerError, deliver(t, h, body, org).Code)
	failOn = ""
	assert.Equal(t, http.StatusOK, deliver(t, h, body, org).Code)
	assert.Equal(t, []string{"04lSb0000000001AAA", "04lSb0000000002AAA"}, handled)
}

// TestSandboxSendWebhook: the sandbox's outbound message for a contact
// reaches a handler over HTTP, verified by WebhookSecret.
func TestSandboxSendWebhook(t *testing.T) {
	srv, client := sandbox(t, nil, salesforce.Config{})
	ctx := context.Background()
	c, err := client.Contacts.Create(ctx, crm.Contact{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)
	got := make(chan salesforce.Event, 1)
	h, err := salesforce.NewWebhookHandler(webhook.Config{Secrets: []string{srv.WebhookSecret()}}, func(_ context.Context, e salesforce.Event) error {
		got <- e
		return nil
	})
	require.NoError(t, err)
	hs := httptest.NewServer(h)
	defer hs.Close()
	status, err := srv.SendWebhook(ctx, hs.URL, srv.ContactChanged(c.ID))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, status)
	e := <-got
	assert.Equal(t, webhook.ContactCreated, e.Kind)
	require.NotNil(t, e.Payload.Contact)
	assert.Equal(t, c.ID, e.Payload.Contact.ID)
	assert.Equal(t, "ada@example.com", e.Payload.Contact.Email)
}

// FuzzParseWebhook: any body is events or ErrInvalidResponse, never a
// panic; every event has an ID, a kind and a type.
func FuzzParseWebhook(f *testing.F) {
	f.Add(contactMessage(org))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := salesforce.ParseWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body)
		if err != nil {
			if !errors.Is(err, connector.ErrInvalidResponse) {
				t.Fatalf("error %v is not ErrInvalidResponse", err)
			}
			return
		}
		if len(events) == 0 {
			t.Fatal("no error and no event")
		}
		for _, e := range events {
			if e.ID == "" || e.Kind == "" || e.Type == "" {
				t.Fatalf("event %+v lacks an ID, kind or type", e)
			}
		}
	})
}

// FuzzVerifyWebhook: any body is verified or refused with
// ErrSignatureInvalid, never a panic; a verified body names the org.
func FuzzVerifyWebhook(f *testing.F) {
	f.Add(contactMessage(org))
	f.Fuzz(func(t *testing.T, body []byte) {
		err := salesforce.VerifyWebhook(httptest.NewRequest(http.MethodPost, "/", nil), body, webhook.Config{Secrets: []string{org}})
		if err != nil {
			if !errors.Is(err, webhook.ErrSignatureInvalid) {
				t.Fatalf("error %v is not ErrSignatureInvalid", err)
			}
			return
		}
		if !bytes.Contains(body, []byte(org[:15])) {
			t.Fatalf("verified a body without the org id: %q", body)
		}
	})
}
