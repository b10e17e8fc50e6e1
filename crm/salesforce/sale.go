package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/crm"
)

// SalesService is crm.SaleRecorder: a whole sale in one Composite API
// call, all of it or none of it.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
type SalesService struct{ o *org }

// RecordSale is Sales.RecordSale, so that the client itself is a
// crm.SaleRecorder.
func (c *Client) RecordSale(ctx context.Context, s crm.Sale, opts ...connector.CallOption) (*crm.RecordedSale, error) {
	return c.Sales.RecordSale(ctx, s, opts...)
}

// compositeRequest is POST /composite's body.
type compositeRequest struct {
	AllOrNone        bool         `json:"allOrNone"`
	CompositeRequest []subrequest `json:"compositeRequest"`
}

type subrequest struct {
	Method      string         `json:"method"`
	URL         string         `json:"url"`
	ReferenceID string         `json:"referenceId"`
	Body        map[string]any `json:"body,omitempty"`
}

// compositeResponse is its answer: 200 whatever the subrequests did.
type compositeResponse struct {
	CompositeResponse []subresponse `json:"compositeResponse"`
}

type subresponse struct {
	Body           json.RawMessage   `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

// RecordSale records the sale in one POST /composite with allOrNone:
// the company (by name, if the contact has one), the contact (by its
// lowercased email), the opportunity (by the call's idempotency key), its
// contact role and the note (a Task, by the key), each an upsert by the
// External ID field, then the contact and the opportunity read back, the
// later subrequests taking the earlier ones' ids by @{ref.id}. Every part
// is an upsert, so the call is replayable: an answer lost after Salesforce
// committed is sent again and changes nothing twice. The key is required.
// A new contact without LastName costs a second call (Salesforce requires
// one; the email's local part is sent then).
func (s *SalesService) RecordSale(ctx context.Context, sale crm.Sale, opts ...connector.CallOption) (*crm.RecordedSale, error) {
	const op = "sales.record"
	o := connector.ResolveCallOptions(opts...)
	if o.IdempotencyKey == "" {
		return nil, connector.InvalidInput("salesforce", op, "a sale needs an idempotency key: it identifies the deal")
	}
	if sale.Contact.Email == "" {
		return nil, connector.InvalidInput("salesforce", op, "a sale needs the contact's email")
	}
	rec, err := s.record(ctx, op, sale, o.IdempotencyKey, false, opts)
	var e *connector.APIError
	if errors.As(err, &e) && e.Code == "REQUIRED_FIELD_MISSING" && strings.Contains(e.Message, "LastName") && sale.Contact.LastName == "" {
		rec, err = s.record(ctx, op, sale, o.IdempotencyKey, true, opts)
	}
	return rec, err
}

func (s *SalesService) record(ctx context.Context, op string, sale crm.Sale, key string, withLastName bool, opts []connector.CallOption) (*crm.RecordedSale, error) {
	req, err := s.o.saleRequest(op, sale, key, withLastName)
	if err != nil {
		return nil, err
	}
	var resp compositeResponse
	err = s.o.c.JSON(ctx, http.MethodPost, APIPath()+"/composite", req, &resp,
		append(opts, connector.WithOperation(op), connector.WithReplayable())...)
	if err != nil {
		return nil, err
	}
	byRef, err := s.o.subresults(op, resp)
	if err != nil {
		return nil, err
	}
	out := &crm.RecordedSale{}
	var r record
	if err := json.Unmarshal(byRef["contactRecord"], &r); err != nil || r == nil {
		return nil, fmt.Errorf("salesforce: %s: contact record: %w", op, connector.ErrInvalidResponse)
	}
	out.Contact = toContact(r, byRef["contactRecord"])
	out.Contact.Company = sale.Contact.Company
	r = nil
	if err := json.Unmarshal(byRef["dealRecord"], &r); err != nil || r == nil {
		return nil, fmt.Errorf("salesforce: %s: opportunity record: %w", op, connector.ErrInvalidResponse)
	}
	if out.Deal, err = s.o.toDeal(r, byRef["dealRecord"]); err != nil {
		return nil, err
	}
	if sale.Note != nil {
		var res saveResult
		if err := json.Unmarshal(byRef["note"], &res); err != nil || res.ID == "" {
			return nil, fmt.Errorf("salesforce: %s: note: %w", op, connector.ErrInvalidResponse)
		}
		n := *sale.Note
		n.ID, n.About = res.ID, []crm.Ref{{Type: crm.ContactObject, ID: out.Contact.ID}}
		out.Note = &n
	}
	return out, nil
}

// saleRequest builds the composite request of a sale.
func (o *org) saleRequest(op string, sale crm.Sale, key string, withLastName bool) (*compositeRequest, error) {
	upsertURL := func(object, value string) string { return sobjectPath(object, o.ext, value) }
	var subs []subrequest
	contact := contactBody(sale.Contact)
	if withLastName {
		contact["LastName"] = lastNameFor(sale.Contact)
	}
	if name := sale.Contact.Company; name != "" {
		subs = append(subs, subrequest{Method: http.MethodPatch, URL: upsertURL("Account", accountNameKey(name)), ReferenceID: "account",
			Body: map[string]any{"Name": name}})
		contact["AccountId"] = "@{account.id}"
	}
	subs = append(subs, subrequest{Method: http.MethodPatch, URL: upsertURL("Contact", keyValue(sale.Contact.Email)), ReferenceID: "contact", Body: contact})
	deal, err := o.dealBody(op, sale.Deal, true)
	if err != nil {
		return nil, err
	}
	subs = append(subs,
		subrequest{Method: http.MethodPatch, URL: upsertURL("Opportunity", key), ReferenceID: "deal", Body: deal},
		subrequest{Method: http.MethodPatch, URL: upsertURL("OpportunityContactRole", "ocr:"+key), ReferenceID: "role",
			Body: map[string]any{"OpportunityId": "@{deal.id}", "ContactId": "@{contact.id}"}})
	if sale.Note != nil {
		n := *sale.Note
		n.About = []crm.Ref{{Type: crm.ContactObject, ID: "003000000000000"}, {Type: crm.DealObject, ID: "006000000000000"}}
		task, err := taskBody(op, n)
		if err != nil {
			return nil, err
		}
		task["WhoId"], task["WhatId"] = "@{contact.id}", "@{deal.id}"
		subs = append(subs, subrequest{Method: http.MethodPatch, URL: upsertURL("Task", key), ReferenceID: "note", Body: task})
	}
	fields := func(fs []string) string { return "?fields=" + url.QueryEscape(strings.Join(fs, ",")) }
	var plainContact []string
	for _, f := range contactFields {
		if !strings.Contains(f, ".") {
			plainContact = append(plainContact, f)
		}
	}
	subs = append(subs,
		subrequest{Method: http.MethodGet, URL: sobjectPath("Contact") + "/@{contact.id}" + fields(plainContact), ReferenceID: "contactRecord"},
		subrequest{Method: http.MethodGet, URL: sobjectPath("Opportunity") + "/@{deal.id}" + fields(o.opportunityFields()), ReferenceID: "dealRecord"})
	return &compositeRequest{AllOrNone: true, CompositeRequest: subs}, nil
}

// subresults checks every subrequest and returns their bodies by
// reference. With allOrNone, one failure rolls everything back: the
// others say PROCESSING_HALTED, and the failure itself is the error, as
// an *connector.APIError of its status and code, redacted.
func (o *org) subresults(op string, resp compositeResponse) (map[string]json.RawMessage, error) {
	byRef := make(map[string]json.RawMessage, len(resp.CompositeResponse))
	var failed, halted *subresponse
	for i, sr := range resp.CompositeResponse {
		byRef[sr.ReferenceID] = sr.Body
		if sr.HTTPStatusCode >= 200 && sr.HTTPStatusCode < 300 {
			continue
		}
		if errs, _ := parseErrors(sr.Body); len(errs) > 0 && errs[0].ErrorCode == "PROCESSING_HALTED" {
			if halted == nil {
				halted = &resp.CompositeResponse[i]
			}
		} else if failed == nil {
			failed = &resp.CompositeResponse[i]
		}
	}
	if failed == nil {
		failed = halted
	}
	if len(resp.CompositeResponse) == 0 {
		return nil, fmt.Errorf("salesforce: %s: empty composite answer: %w", op, connector.ErrInvalidResponse)
	}
	if failed == nil {
		return byRef, nil
	}
	e := &connector.APIError{Vendor: "salesforce", Op: op + " (" + failed.ReferenceID + ")", StatusCode: failed.HTTPStatusCode,
		Kind: kindOfStatus(failed.HTTPStatusCode)}
	if errs, ok := parseErrors(failed.Body); ok {
		fillError(e, errs)
	} else {
		e.Message = string(failed.Body)
	}
	if failed.HTTPStatusCode == http.StatusNotFound {
		e.Kind = connector.ErrNotFound
	}
	e.Code, e.Message = o.c.Redact(e.Code), o.c.Redact(e.Message)
	if len(e.Message) > 500 {
		e.Message = strings.ToValidUTF8(e.Message[:500], "") + "..."
	}
	return nil, o.explain(e, refObjects[failed.ReferenceID])
}

// refObjects names the sObject of each subrequest of a sale.
var refObjects = map[string]string{"account": "Account", "contact": "Contact", "deal": "Opportunity", "role": "OpportunityContactRole",
	"note": "Task", "contactRecord": "Contact", "dealRecord": "Opportunity"}

// kindOfStatus is the sentinel of a subrequest's status.
func kindOfStatus(status int) error {
	switch {
	case status == http.StatusUnauthorized:
		return connector.ErrUnauthorized
	case status == http.StatusForbidden:
		return connector.ErrForbidden
	case status == http.StatusNotFound:
		return connector.ErrNotFound
	case status == http.StatusConflict || status == http.StatusMultipleChoices:
		return connector.ErrConflict
	case status >= 500:
		return connector.ErrUnavailable
	}
	return connector.ErrValidation
}
