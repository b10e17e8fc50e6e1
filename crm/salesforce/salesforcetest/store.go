package salesforcetest

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
)

// kind is a field's type, as describe() would say.
type kind int

const (
	kString kind = iota
	kEmail
	kCurrency
	kDate
	kDateTime
	kRef
	kPicklist
	kBool
)

// field describes one field of an sObject.
type field struct {
	kind       kind
	max        int      // string length
	refs       []string // kRef: the objects it may point at
	values     []string // kPicklist: the restricted values
	required   bool     // on create
	readOnly   bool     // never written by the API
	createOnly bool     // written on create only
	label      string
}

// object is one sObject type and its records.
type object struct {
	name    string
	prefix  string // the id's key prefix
	fields  map[string]*field
	records map[string]*rec
	order   []string // ids in creation order
}

// rec is one record.
type rec struct {
	id       string
	values   map[string]any // string, json.Number, bool or nil
	created  time.Time
	modstamp time.Time
	deleted  time.Time // zero while live
}

func (r *rec) live() bool { return r.deleted.IsZero() }

// apiResult is an answer: a status and a JSON body.
type apiResult struct {
	status int
	body   any
}

// sfError is Salesforce's error array.
func sfError(status int, code, message string, fields ...string) apiResult {
	if fields == nil {
		fields = []string{}
	}
	return apiResult{status: status, body: []map[string]any{{"message": message, "errorCode": code, "fields": fields}}}
}

func newObjects(currencies []string, ext string, stages []string) map[string]*object {
	str := func(max int) *field { return &field{kind: kString, max: max} }
	common := func(o *object) *object {
		o.fields["Id"] = &field{kind: kString, readOnly: true}
		o.fields["CreatedDate"] = &field{kind: kDateTime, readOnly: true}
		o.fields["LastModifiedDate"] = &field{kind: kDateTime, readOnly: true}
		o.fields["SystemModstamp"] = &field{kind: kDateTime, readOnly: true}
		o.fields["IsDeleted"] = &field{kind: kBool, readOnly: true}
		if ext != "" {
			o.fields[ext] = &field{kind: kString, max: 255, label: "Patchbay Key"}
		}
		o.records = map[string]*rec{}
		return o
	}
	objs := map[string]*object{
		"Contact": common(&object{name: "Contact", prefix: "003", fields: map[string]*field{
			"Email": {kind: kEmail, max: 80, label: "Email"}, "FirstName": str(40), "LastName": {kind: kString, max: 80, required: true, label: "Last Name"},
			"Phone": str(40), "MailingStreet": str(255), "MailingCity": str(40), "MailingState": str(80), "MailingPostalCode": str(20),
			"MailingCountry": str(80), "AccountId": {kind: kRef, refs: []string{"Account"}, label: "Account ID"}}}),
		"Account": common(&object{name: "Account", prefix: "001", fields: map[string]*field{
			"Name": {kind: kString, max: 255, required: true, label: "Account Name"}, "Website": str(255)}}),
		"Opportunity": common(&object{name: "Opportunity", prefix: "006", fields: map[string]*field{
			"Name": {kind: kString, max: 120, required: true, label: "Name"}, "Amount": {kind: kCurrency, label: "Amount"},
			"StageName": {kind: kPicklist, values: stages, required: true, label: "Stage"},
			"CloseDate": {kind: kDate, required: true, label: "Close Date"},
			"AccountId": {kind: kRef, refs: []string{"Account"}, label: "Account ID"}}}),
		"Task": common(&object{name: "Task", prefix: "00T", fields: map[string]*field{
			"Subject": str(255), "Description": str(32000), "Status": {kind: kPicklist, values: []string{"Not Started", "In Progress", "Completed"}, label: "Status"},
			"ActivityDate": {kind: kDate, label: "Due Date"}, "WhoId": {kind: kRef, refs: []string{"Contact"}, label: "Name ID"},
			"WhatId": {kind: kRef, refs: []string{"Account", "Opportunity"}, label: "Related To ID"}}}),
		"OpportunityContactRole": common(&object{name: "OpportunityContactRole", prefix: "00K", fields: map[string]*field{
			"OpportunityId": {kind: kRef, refs: []string{"Opportunity"}, required: true, createOnly: true, label: "Opportunity ID"},
			"ContactId":     {kind: kRef, refs: []string{"Contact"}, required: true, label: "Contact ID"},
			"Role":          str(40), "IsPrimary": {kind: kBool}}}),
	}
	if len(currencies) > 0 {
		for _, o := range objs {
			o.fields["CurrencyIsoCode"] = &field{kind: kPicklist, values: currencies, label: "Opportunity Currency"}
		}
	}
	return objs
}

// validID reports whether s has the shape of a record id.
func validID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// find is the record with id (15 or 18 characters), live or not.
func (s *Server) find(id string) (*object, *rec) {
	if len(id) == 15 {
		id += "AAA"
	}
	for _, o := range s.objects {
		if strings.HasPrefix(id, o.prefix) {
			if r := o.records[id]; r != nil {
				return o, r
			}
		}
	}
	return nil, nil
}

func (s *Server) newID(o *object) string {
	s.seq++
	return fmt.Sprintf("%s%s%09d%s", o.prefix, "Sb0", s.seq, "AAA")
}

// write checks and applies body to r (nil: a create). It returns the
// record, or the error answer, changing nothing on error.
func (s *Server) write(o *object, r *rec, body map[string]json.RawMessage, skip string) (*rec, *apiResult) {
	values := map[string]any{}
	names := make([]string, 0, len(body))
	for name := range body {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		raw := body[name]
		if name == "attributes" || name == skip {
			continue
		}
		f := o.fields[name]
		if f == nil {
			e := sfError(400, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on sobject of type %s", name, o.name))
			return nil, &e
		}
		if f.readOnly || (r != nil && f.createOnly && !sameValue(r.values[name], raw)) {
			e := sfError(400, "INVALID_FIELD_FOR_INSERT_UPDATE", fmt.Sprintf("Unable to create/update fields: %s. Please check the security settings of this field and verify that it is read/write for your profile or permission set.", name), name)
			return nil, &e
		}
		v, bad := s.value(o, name, f, raw)
		if bad != nil {
			return nil, bad
		}
		values[name] = v
	}
	if r == nil {
		var missing []string
		for name, f := range o.fields {
			if f.required && (values[name] == nil || values[name] == "") {
				missing = append(missing, name)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			e := sfError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: ["+strings.Join(missing, ", ")+"]", missing...)
			return nil, &e
		}
	} else {
		for name, f := range o.fields {
			if v, ok := values[name]; ok && f.required && (v == nil || v == "") {
				e := sfError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: ["+name+"]", name)
				return nil, &e
			}
		}
	}
	if s.ext != "" {
		if v, ok := values[s.ext].(string); ok && v != "" {
			for _, id := range o.order {
				other := o.records[id]
				if other.live() && other != r && strings.EqualFold(str(other.values[s.ext]), v) {
					e := sfError(400, "DUPLICATE_VALUE", fmt.Sprintf("duplicate value found: %s duplicates value on record with id: %s", s.ext, other.id))
					return nil, &e
				}
			}
		}
	}
	now := s.Now()
	if r == nil {
		r = &rec{id: s.newID(o), values: map[string]any{}, created: now}
		o.records[r.id] = r
		o.order = append(o.order, r.id)
	}
	for k, v := range values {
		r.values[k] = v
	}
	r.modstamp = now
	return r, nil
}

func sameValue(cur any, raw json.RawMessage) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	return fmt.Sprint(cur) == fmt.Sprint(v)
}

// value checks one field's JSON value.
func (s *Server) value(o *object, name string, f *field, raw json.RawMessage) (any, *apiResult) {
	label := f.label
	if label == "" {
		label = name
	}
	if string(raw) == "null" {
		return nil, nil
	}
	bad := func(code, msg string) (any, *apiResult) {
		e := sfError(400, code, msg, name)
		return nil, &e
	}
	switch f.kind {
	case kCurrency:
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			return bad("JSON_PARSER_ERROR", fmt.Sprintf("Cannot deserialize instance of currency from %s value for field %s", raw, name))
		}
		if _, err := strconv.ParseFloat(n.String(), 64); err != nil {
			return bad("JSON_PARSER_ERROR", "bad number for "+name)
		}
		return n, nil
	case kBool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return bad("JSON_PARSER_ERROR", "Cannot deserialize instance of boolean for field "+name)
		}
		return b, nil
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return bad("JSON_PARSER_ERROR", fmt.Sprintf("Cannot deserialize instance of string from %s value for field %s", firstToken(raw), name))
	}
	switch f.kind {
	case kEmail:
		if a, err := mail.ParseAddress(v); v != "" && (err != nil || a.Address != v) {
			return bad("INVALID_EMAIL_ADDRESS", label+": invalid email address: "+v)
		}
	case kDate:
		if _, err := time.Parse("2006-01-02", v); err != nil {
			return bad("JSON_PARSER_ERROR", "Cannot deserialize value of type `date` from String \""+v+"\"")
		}
	case kPicklist:
		ok := false
		for _, allowed := range f.values {
			ok = ok || allowed == v
		}
		if !ok {
			return bad("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", label+": bad value for restricted picklist field: "+v)
		}
	case kRef:
		if v == "" {
			return nil, nil
		}
		if !validID(v) {
			return bad("MALFORMED_ID", label+": id value of incorrect type: "+v)
		}
		ro, r := s.find(v)
		ok := r != nil && r.live()
		if ok {
			ok = false
			for _, want := range f.refs {
				ok = ok || ro.name == want
			}
		}
		if !ok {
			return bad("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
		}
		if len(v) == 15 {
			v += "AAA"
		}
		return v, nil
	}
	if f.max > 0 && len(v) > f.max {
		return bad("STRING_TOO_LONG", fmt.Sprintf("%s: data value too large: %.20s... (max length=%d)", label, v, f.max))
	}
	return v, nil
}

func firstToken(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "EMPTY"
	case raw[0] == '{':
		return "START_OBJECT"
	case raw[0] == '[':
		return "START_ARRAY"
	}
	return "VALUE"
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// formatTime is Salesforce's datetime format in JSON.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000+0000") }

// get is a field of a record as the API shows it.
func (o *object) get(r *rec, name string) any {
	switch name {
	case "Id":
		return r.id
	case "CreatedDate":
		return formatTime(r.created)
	case "LastModifiedDate", "SystemModstamp":
		return formatTime(r.modstamp)
	case "IsDeleted":
		return !r.live()
	}
	return r.values[name]
}

// attributes is the "attributes" entry of every record.
func attributes(object, id string) map[string]any {
	return map[string]any{"type": object, "url": apiRoot + "/sobjects/" + object + "/" + id}
}

// view is a record with the fields asked for (all when none).
func (s *Server) view(o *object, r *rec, fields []string) map[string]any {
	out := map[string]any{"attributes": attributes(o.name, r.id)}
	if len(fields) == 0 {
		for name := range o.fields {
			fields = append(fields, name)
		}
	}
	for _, name := range fields {
		if rel, sub, ok := strings.Cut(name, "."); ok {
			parentID := str(r.values[rel+"Id"])
			po, pr := s.find(parentID)
			if pr == nil || !pr.live() {
				out[rel] = nil
				continue
			}
			parent, _ := out[rel].(map[string]any)
			if parent == nil {
				parent = map[string]any{"attributes": attributes(po.name, pr.id)}
				out[rel] = parent
			}
			parent[sub] = po.get(pr, sub)
			continue
		}
		out[name] = o.get(r, name)
	}
	return out
}
