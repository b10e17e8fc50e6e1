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
	num      int64 // id as a number, for ordering
	props    map[string]string
	created  time.Time
	updated  time.Time
	archived bool
	archAt   time.Time
}

// readOnly are set by HubSpot, never by a write.
var readOnly = map[string]bool{"hs_object_id": true, "createdate": true, "lastmodifieddate": true, "hs_lastmodifieddate": true}

func (o *object) value(t *objectType, name string) (string, bool) {
	switch name {
	case "hs_object_id":
		return o.id, true
	case "createdate":
		return formatTime(o.created), true
	case t.modified:
		return formatTime(o.updated), true
	}
	v, ok := o.props[name]
	return v, ok
}

// render is the record as HubSpot's SimplePublicObject, with the named
// properties (those it has), or the defaults.
func (o *object) render(t *objectType, names []string) map[string]any {
	if len(names) == 0 {
		names = t.defaults
	} else {
		names = append(slices.Clone(names), "hs_object_id", "createdate", t.modified)
	}
	props := map[string]string{}
	for _, n := range names {
		if v, ok := o.value(t, n); ok {
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
func (t *objectType) validate(props map[string]string) []errorDetail {
	var errs []errorDetail
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		_, isCustom := t.custom[n]
		switch {
		case readOnly[n]:
			errs = append(errs, errorDetail{Message: fmt.Sprintf("%q is a read only property; its value cannot be set.", n),
				Code: "READ_ONLY_VALUE", Context: map[string][]string{"propertyName": {n}}})
		case !t.standard[n] && !isCustom:
			errs = append(errs, errorDetail{Message: fmt.Sprintf("Property %q does not exist", n),
				Code: "PROPERTY_DOESNT_EXIST", Context: map[string][]string{"propertyName": {n}}})
		}
	}
	if t.validateFn != nil {
		errs = append(errs, t.validateFn(props)...)
	}
	return errs
}

func validEmail(e string) bool {
	at := strings.LastIndexByte(e, '@')
	return at > 0 && strings.Contains(e[at+1:], ".") && !strings.ContainsAny(e, " \t\r\n") && !strings.HasSuffix(e, ".")
}

// conflict returns the id of another record holding one of props' unique
// values, if any.
func (t *objectType) conflict(props map[string]string, self string) (prop, id string) {
	for p, idx := range t.uniqueIdx {
		if v, ok := props[p]; ok && v != "" {
			if other, taken := idx[strings.ToLower(v)]; taken && other != self {
				return p, other
			}
		}
	}
	return "", ""
}

func (t *objectType) index(o *object) {
	for p, idx := range t.uniqueIdx {
		if v := o.props[p]; v != "" {
			idx[strings.ToLower(v)] = o.id
		}
	}
}

func (t *objectType) unindex(o *object) {
	for p, idx := range t.uniqueIdx {
		if v := o.props[p]; v != "" && idx[strings.ToLower(v)] == o.id {
			delete(idx, strings.ToLower(v))
		}
	}
}

func writeValidation(w http.ResponseWriter, errs []errorDetail) {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Message
	}
	writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Property values were not valid: "+strings.Join(msgs, "; "), errs)
}

func writeConflict(w http.ResponseWriter, t *objectType, id string) {
	writeError(w, http.StatusConflict, "CONFLICT", fmt.Sprintf("%s already exists. Existing ID: %s", titleCase(t.singular), id), nil)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
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

// lookup finds a live record by id, or by a unique property (idProperty).
func (t *objectType) lookup(r *http.Request) *object {
	key := r.PathValue("id")
	if p := r.URL.Query().Get("idProperty"); p != "" && p != "hs_object_id" {
		key = t.uniqueIdx[p][strings.ToLower(key)]
	}
	o := t.objects[key]
	if o == nil || o.archived {
		return nil
	}
	return o
}

// create adds a record; the caller has validated props and checked unique
// values. Call with s.mu held.
func (s *Server) create(t *objectType, props map[string]string) *object {
	s.nextID++
	now := s.Now()
	o := &object{id: strconv.FormatInt(s.nextID, 10), num: s.nextID, props: map[string]string{}, created: now, updated: now}
	for k, v := range props {
		if v != "" {
			o.props[k] = v
		}
	}
	t.add(o)
	t.index(o)
	s.record(t.singular+".creation", o, "", "")
	return o
}

// update applies props to o. Call with s.mu held, unique values checked.
func (s *Server) update(t *objectType, o *object, props map[string]string) {
	t.unindex(o)
	for k, v := range props {
		if o.props[k] != v {
			s.record(t.singular+".propertyChange", o, k, v)
		}
		if v == "" {
			delete(o.props, k) // an empty string clears, as HubSpot documents
			continue
		}
		o.props[k] = v
	}
	t.index(o)
	o.updated = s.Now()
}

type objectInput struct {
	Properties   map[string]string   `json:"properties"`
	Associations []inlineAssociation `json:"associations"`
}

func (s *Server) createObject(w http.ResponseWriter, r *http.Request, t *objectType) {
	var in objectInput
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if errs := t.validate(in.Properties); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if _, id := t.conflict(in.Properties, ""); id != "" {
		writeConflict(w, t, id)
		return
	}
	links, problem := s.resolveInline(t, in.Associations)
	if problem != "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", problem, nil)
		return
	}
	o := s.create(t, in.Properties)
	for _, k := range links {
		k.fromID = o.id
		s.link(k)
	}
	writeJSON(w, http.StatusCreated, o.render(t, nil))
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, t *objectType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := t.lookup(r)
	if o == nil {
		writeNotFound(w)
		return
	}
	writeJSON(w, http.StatusOK, o.render(t, requestedProperties(r)))
}

func (s *Server) updateObject(w http.ResponseWriter, r *http.Request, t *objectType) {
	var in objectInput
	if !decodeBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := t.lookup(r)
	if o == nil {
		writeNotFound(w)
		return
	}
	if errs := t.validate(in.Properties); len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	if _, id := t.conflict(in.Properties, o.id); id != "" {
		writeConflict(w, t, id)
		return
	}
	s.update(t, o, in.Properties)
	writeJSON(w, http.StatusOK, o.render(t, nil))
}

func (s *Server) archiveObject(w http.ResponseWriter, r *http.Request, t *objectType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := t.lookup(r); o != nil {
		o.archived, o.archAt = true, s.Now()
		t.unindex(o)
		s.record(t.singular+".deletion", o, "", "")
	}
	// HubSpot answers 204 whether or not the record existed.
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listObjects(w http.ResponseWriter, r *http.Request, t *objectType) {
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
	// Records in id order from the cursor on, skipping the other side of
	// archived: one page costs a binary search and the page itself.
	i, _ := slices.BinarySearchFunc(t.order, after, func(o *object, id int64) int { return cmp.Compare(o.num, id) })
	props := requestedProperties(r)
	results := make([]map[string]any, 0, limit)
	for ; i < len(t.order) && len(results) < limit; i++ {
		if o := t.order[i]; o.archived == archived {
			results = append(results, o.render(t, props))
		}
	}
	for i < len(t.order) && t.order[i].archived != archived {
		i++
	}
	out := map[string]any{"results": results}
	if i < len(t.order) {
		next := t.order[i].id
		link := fmt.Sprintf("%s/crm/v3/objects/%s?after=%s&limit=%d", s.URL(), t.name, next, limit)
		out["paging"] = map[string]any{"next": map[string]string{"after": next, "link": link}}
	}
	writeJSON(w, http.StatusOK, out)
}

// add stores a new record; its id is larger than any before it.
func (t *objectType) add(o *object) {
	t.objects[o.id] = o
	t.order = append(t.order, o)
	t.index(o)
}

func sortStrings(s []string) { slices.Sort(s) }

type upsertInput struct {
	Inputs []struct {
		ID         string            `json:"id"`
		IDProperty string            `json:"idProperty"`
		Properties map[string]string `json:"properties"`
	} `json:"inputs"`
}

// upsertObjects is batch/upsert: by a unique property, create or update.
func (s *Server) upsertObjects(w http.ResponseWriter, r *http.Request, t *objectType) {
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
	started := s.Now()
	for _, input := range in.Inputs {
		if _, unique := t.uniqueIdx[input.IDProperty]; !unique {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
				fmt.Sprintf("idProperty %q is not a property with unique values", input.IDProperty), nil)
			return
		}
		props := map[string]string{input.IDProperty: input.ID}
		for k, v := range input.Properties {
			props[k] = v
		}
		if errs := t.validate(props); len(errs) > 0 {
			writeValidation(w, errs)
			return
		}
	}
	results := make([]map[string]any, 0, len(in.Inputs))
	for _, input := range in.Inputs {
		var o *object
		created := false
		if id, ok := t.uniqueIdx[input.IDProperty][strings.ToLower(input.ID)]; ok {
			o = t.objects[id]
			s.update(t, o, input.Properties)
		} else {
			props := map[string]string{input.IDProperty: input.ID}
			for k, v := range input.Properties {
				props[k] = v
			}
			o, created = s.create(t, props), true
		}
		rec := o.render(t, nil)
		rec["new"] = created
		results = append(results, rec)
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results,
		"requestedAt": formatTime(started), "startedAt": formatTime(started), "completedAt": formatTime(s.Now())})
}
