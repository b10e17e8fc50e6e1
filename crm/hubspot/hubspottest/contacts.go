package hubspottest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// object is one CRM record.
type object struct {
	id       string
	props    map[string]string
	created  time.Time
	updated  time.Time
	archived bool
	archAt   time.Time
}

// contactProperties are the standard contact properties a portal has.
var contactProperties = map[string]bool{
	"email": true, "firstname": true, "lastname": true, "phone": true, "mobilephone": true,
	"company": true, "website": true, "jobtitle": true, "lifecyclestage": true,
	"address": true, "city": true, "state": true, "zip": true, "country": true,
}

// readOnly are set by HubSpot, never by a write.
var readOnly = map[string]bool{"hs_object_id": true, "createdate": true, "lastmodifieddate": true}

// defaultProperties are returned when a request names none.
var defaultProperties = []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}

func (o *object) value(name string) (string, bool) {
	switch name {
	case "hs_object_id":
		return o.id, true
	case "createdate":
		return formatTime(o.created), true
	case "lastmodifieddate":
		return formatTime(o.updated), true
	}
	v, ok := o.props[name]
	return v, ok
}

// render is the record as HubSpot's SimplePublicObject, with the named
// properties (those it has), or the defaults.
func (o *object) render(names []string) map[string]any {
	if len(names) == 0 {
		names = defaultProperties
	} else {
		names = append(slices.Clone(names), "hs_object_id", "createdate", "lastmodifieddate")
	}
	props := map[string]string{}
	for _, n := range names {
		if v, ok := o.value(n); ok {
			props[n] = v
		}
	}
	out := map[string]any{"id": o.id, "properties": props, "createdAt": formatTime(o.created),
		"updatedAt": formatTime(o.updated), "archived": o.archived}
	if o.archived {
		out["archivedAt"] = formatTime(o.archAt)
	}
	return out
}

// requestedProperties reads ?properties=a,b or ?properties=a&properties=b.
func requestedProperties(r *http.Request) []string {
	var out []string
	for _, v := range r.URL.Query()["properties"] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// validate checks properties as HubSpot does, and returns its error details.
func (s *Server) validate(props map[string]string) []errorDetail {
	var errs []errorDetail
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		switch {
		case readOnly[n]:
			errs = append(errs, errorDetail{Message: fmt.Sprintf("%q is a read only property; its value cannot be set.", n),
				Code: "READ_ONLY_VALUE", Context: map[string][]string{"propertyName": {n}}})
		case !contactProperties[n] && !s.custom[n]:
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Property %q does not exist", n),
				Code: "PROPERTY_DOESNT_EXIST", Context: map[string][]string{"propertyName": {n}}})
		case n == "email" && !validEmail(props[n]):
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Email address %s is invalid", props[n]),
				Code: "INVALID_EMAIL", Context: map[string][]string{"propertyName": {n}}})
		}
	}
	return errs
}

func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && strings.Contains(e[at+1:], ".") && !strings.ContainsAny(e, " \t\r\n") && !strings.HasSuffix(e, ".")
}

func writeValidation(w http.ResponseWriter, errs []errorDetail) {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: "+strings.Join(msgs, "; "), errs)
}

func writeNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "resource not found", nil)
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return false
	}
	return true
}

// lookup finds a live contact by id, or by email when idProperty=email.
func (s *Server) lookup(r *http.Request) *object {
	key := r.PathValue("id")
	if r.URL.Query().Get("idProperty") == "email" {
		key = s.byEmail[strings.ToLower(key)]
	}
	o := s.contacts[key]
	if o == nil || o.archived {
		return nil
	}
	return o
}

// create adds a contact; the caller has validated props and checked the
// email is free.
func (s *Server) create(props map[string]string) *object {
	s.nextID++
	now := s.now()
	o := &object{id: strconv.FormatInt(s.nextID, 10), props: map[string]string{}, created: now, updated: now}
	for k, v := range props {
		o.props[k] = v
	}
	if e := props["email"]; e != "" {
		s.byEmail[strings.ToLower(e)] = o.id
	}
	s.contacts[o.id] = o
	s.record("contact.creation", o, "", "")
	return o
}

// update applies props to o; it returns a conflict message if the email is
// taken by another contact.
func (s *Server) update(o *object, props map[string]string) string {
	if e, ok := props["email"]; ok {
		if other, taken := s.byEmail[strings.ToLower(e)]; taken && other != o.id {
			return "Contact already exists. Existing ID: " + other
		}
		delete(s.byEmail, strings.ToLower(o.props["email"]))
		if e != "" {
			s.byEmail[strings.ToLower(e)] = o.id
		}
	}
	for k, v := range props {
		if o.props[k] != v {
			s.record("contact.propertyChange", o, k, v)
		}
		if v == "" {
			delete(o.props, k)
			continue
		}
		o.props[k] = v
	}
	o.updated = s.now()
	return ""
}

type objectInput struct {
	Properties   map[string]string `json:"properties"`
	Associations []json.RawMessage `json:"associations"`
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request) {
	var in objectInput
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if errs := s.validate(in.Properties); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if id, taken := s.byEmail[strings.ToLower(in.Properties["email"])]; taken && in.Properties["email"] != "" {
		writeError(w, http.StatusConflict, "CONFLICT", "Contact already exists. Existing ID: "+id, nil)
		return
	}
	o := s.create(in.Properties)
	writeJSON(w, http.StatusCreated, o.render(nil))
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(r)
	if o == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, o.render(requestedProperties(r)))
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request) {
	var in objectInput
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.lookup(r)
	if o == nil {
		writeNotFound(w)
		return
	}
	if errs := s.validate(in.Properties); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if conflict := s.update(o, in.Properties); conflict != "" {
		writeError(w, http.StatusConflict, "CONFLICT", conflict, nil)
		return
	}
	writeJSON(w, http.StatusOK, o.render(nil))
}

func (s *Server) archiveContact(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.lookup(r); o != nil {
		o.archived, o.archAt = true, s.now()
		s.record("contact.deletion", o, "", "")
		delete(s.byEmail, strings.ToLower(o.props["email"]))
	}
	// HubSpot answers 204 whether or not the record existed.
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 1 and 100", nil)
			return
		}
		limit = n
	}
	after := int64(0)
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after is not a valid cursor", nil)
			return
		}
		after = n
	}
	archived := q.Get("archived") == "true"
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.sortedByID(func(o *object) bool { return o.archived == archived })
	start, _ := slices.BinarySearchFunc(all, after, func(o *object, id int64) int { return cmp.Compare(numericID(o), id) })
	end := min(start+limit, len(all))
	props := requestedProperties(r)
	results := make([]map[string]any, 0, end-start)
	for _, o := range all[start:end] {
		results = append(results, o.render(props))
	}
	out := map[string]any{"results": results}
	if end < len(all) {
		next := strconv.FormatInt(numericID(all[end]), 10)
		link := fmt.Sprintf("%s/crm/v3/objects/contacts?after=%s&limit=%d", s.URL, next, limit)
		out["paging"] = map[string]any{"next": map[string]string{"after": next, "link": link}}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) sortedByID(keep func(*object) bool) []*object {
	out := make([]*object, 0, len(s.contacts))
	for _, o := range s.contacts {
		if keep(o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b *object) int { return cmp.Compare(numericID(a), numericID(b)) })
	return out
}

func numericID(o *object) int64 {
	n, _ := strconv.ParseInt(o.id, 10, 64)
	return n
}

type upsertInput struct {
	Inputs []struct {
		ID         string            `json:"id"`
		IDProperty string            `json:"idProperty"`
		Properties map[string]string `json:"properties"`
	} `json:"inputs"`
}

func (s *Server) upsertContacts(w http.ResponseWriter, r *http.Request) {
	var in upsertInput
	if !decodeBody(w, r, &in) {
		return
	}
	if len(in.Inputs) == 0 || len(in.Inputs) > 100 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "inputs must hold between 1 and 100 records", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	started := s.now()
	for _, input := range in.Inputs {
		if input.IDProperty != "email" {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "idProperty must be a unique property: email", nil)
			return
		}
		props := map[string]string{"email": input.ID}
		for k, v := range input.Properties {
			props[k] = v
		}
		if errs := s.validate(props); len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
	}
	results := make([]map[string]any, 0, len(in.Inputs))
	for _, input := range in.Inputs {
		var o *object
		created := false
		if id, ok := s.byEmail[strings.ToLower(input.ID)]; ok {
			o = s.contacts[id]
			s.update(o, input.Properties)
		} else {
			props := map[string]string{"email": input.ID}
			for k, v := range input.Properties {
				props[k] = v
			}
			o, created = s.create(props), true
		}
		rec := o.render(nil)
		rec["new"] = created
		results = append(results, rec)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
		"requestedAt": formatTime(started), "startedAt": formatTime(started), "completedAt": formatTime(s.now())})
}
