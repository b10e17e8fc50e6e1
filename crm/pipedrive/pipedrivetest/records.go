package pipedrivetest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/patchbay-go/patchbay/connector/connectortest"
)

type entity struct {
	name    string // "persons"
	records map[int64]*record
	fields  []fieldDef
}

type fieldDef struct {
	Name   string `json:"field_name"`
	Code   string `json:"field_code"`
	Type   string `json:"field_type"`
	Custom bool   `json:"is_custom_field"`
	Opt    bool   `json:"is_optional_response_field"`
}

var standardFields = map[string][]fieldDef{
	"persons":       {{"Name", "name", "varchar", false, false}, {"Email", "emails", "varchar", false, false}, {"Phone", "phones", "phone", false, false}, {"Organization", "org_id", "org", false, false}},
	"organizations": {{"Name", "name", "varchar", false, false}, {"Website", "website", "varchar", false, false}, {"Address", "address", "address", false, false}},
	"deals":         {{"Title", "title", "varchar", false, false}, {"Value", "value", "monetary", false, false}, {"Stage", "stage_id", "stage", false, false}, {"Person", "person_id", "people", false, false}},
}

type record struct {
	id      int64
	data    map[string]any // standard fields as sent
	custom  map[string]any
	added   time.Time
	updated time.Time
	deleted bool
}

// singular is an entity's name in webhook meta.
var singular = map[string]string{"persons": "person", "organizations": "organization", "deals": "deal"}

// render is the record as Pipedrive's v2 API returns it.
func (s *Server) render(e *entity, r *record) map[string]any {
	out := map[string]any{"id": r.id, "add_time": formatTime(r.added), "update_time": formatTime(r.updated), "visible_to": 3, "owner_id": 1}
	for k, v := range r.data {
		if v != nil {
			out[k] = v
		}
	}
	cf := map[string]any{}
	for k, v := range r.custom {
		cf[k] = v
	}
	out["custom_fields"] = cf
	switch e.name {
	case "persons":
		name, _ := r.data["name"].(string)
		first, last, _ := strings.Cut(name, " ")
		out["first_name"], out["last_name"] = first, last
		for _, k := range []string{"emails", "phones"} {
			if out[k] == nil {
				out[k] = []any{}
			}
		}
	case "deals":
		out["is_deleted"], out["is_archived"] = false, false
	}
	return out
}

func (s *Server) id(w http.ResponseWriter, r *http.Request, e *entity) (*record, bool) {
	n, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rec := e.records[n]
	if err != nil || rec == nil || rec.deleted {
		writeError(w, http.StatusNotFound, strings.ToUpper(singular[e.name][:1])+singular[e.name][1:]+" not found", "")
		return nil, false
	}
	return rec, true
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, e *entity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.id(w, r, e)
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": s.render(e, rec)})
	}
}

// decodeBody reads a JSON object body, or answers 400.
func decodeBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	var body map[string]any
	d := json.NewDecoder(r.Body)
	d.UseNumber()
	if err := d.Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON body", "ERR_SCHEMA_VALIDATION_FAILED")
		return nil, false
	}
	return body, true
}

// validate checks what Pipedrive checks of a write, with its messages.
func (s *Server) validate(e *entity, body map[string]any, creating bool) string {
	switch e.name {
	case "persons":
		if creating && str(body["name"]) == "" {
			return "Name must be given."
		}
		if emails, ok := body["emails"].([]any); ok {
			for _, em := range emails {
				m, _ := em.(map[string]any)
				if v := str(m["value"]); v != "" && (!strings.Contains(v, "@") || strings.HasPrefix(v, "@") || strings.HasSuffix(v, "@")) {
					return "Invalid email address: " + v
				}
			}
		}
		if ref, ok := s.ref(body, "org_id", "organizations"); !ok {
			return "Organization with id " + ref + " not found."
		}
	case "organizations":
		if creating && str(body["name"]) == "" {
			return "Name must be given."
		}
	case "deals":
		if creating && str(body["title"]) == "" {
			return "Title must be given."
		}
		if v, ok := body["stage_id"].(json.Number); ok {
			n, _ := v.Int64()
			if !s.stages[n] {
				return "Stage with id " + v.String() + " not found."
			}
		}
		if st, ok := body["status"]; ok && !slices.Contains([]string{"open", "won", "lost"}, str(st)) {
			return "Invalid status: must be one of open, won, lost."
		}
		if ref, ok := s.ref(body, "person_id", "persons"); !ok {
			return "Person with id " + ref + " not found."
		}
		if ref, ok := s.ref(body, "org_id", "organizations"); !ok {
			return "Organization with id " + ref + " not found."
		}
	}
	if cf, ok := body["custom_fields"].(map[string]any); ok {
		for code := range cf {
			if !slices.ContainsFunc(e.fields, func(f fieldDef) bool { return f.Custom && f.Code == code }) {
				return "Unknown custom field: " + code
			}
		}
	}
	return ""
}

// ref checks that a link field names a live record.
func (s *Server) ref(body map[string]any, field, entityName string) (string, bool) {
	v, ok := body[field].(json.Number)
	if !ok {
		return "", true
	}
	n, _ := v.Int64()
	rec := s.entities[entityName].records[n]
	return v.String(), rec != nil && !rec.deleted
}

func str(v any) string { s, _ := v.(string); return s }

func (s *Server) create(w http.ResponseWriter, r *http.Request, e *entity) {
	body, ok := decodeBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if msg := s.validate(e, body, true); msg != "" {
		writeError(w, http.StatusBadRequest, msg, "ERR_SCHEMA_VALIDATION_FAILED")
		return
	}
	now := s.Now()
	s.nextID++
	rec := &record{id: s.nextID, data: map[string]any{}, custom: map[string]any{}, added: now, updated: now}
	if e.name == "deals" {
		rec.data["status"], rec.data["currency"], rec.data["pipeline_id"], rec.data["stage_id"], rec.data["value"] = "open", "USD", json.Number("1"), json.Number("1"), json.Number("0")
	}
	apply(rec, body)
	e.records[rec.id] = rec
	out := s.render(e, rec)
	s.event("create", e, rec.id, out, nil)
	s.answer(w, out)
}

// apply merges a write's fields into a record; null clears.
func apply(rec *record, body map[string]any) {
	for k, v := range body {
		if k == "custom_fields" {
			cf, _ := v.(map[string]any)
			for code, val := range cf {
				if val == nil {
					delete(rec.custom, code)
				} else {
					rec.custom[code] = val
				}
			}
			continue
		}
		if v == nil {
			delete(rec.data, k)
		} else {
			rec.data[k] = v
		}
	}
}

// answer writes a write's answer, unless it is to be lost.
func (s *Server) answer(w http.ResponseWriter, data any) {
	if s.loseNext > 0 {
		s.loseNext--
		connectortest.Reset(w)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": data})
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, e *entity) {
	body, ok := decodeBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.id(w, r, e)
	if !ok {
		return
	}
	if msg := s.validate(e, body, false); msg != "" {
		writeError(w, http.StatusBadRequest, msg, "ERR_SCHEMA_VALIDATION_FAILED")
		return
	}
	previous := s.render(e, rec)
	apply(rec, body)
	rec.updated = s.Now()
	out := s.render(e, rec)
	s.event("change", e, rec.id, out, previous)
	s.answer(w, out)
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, e *entity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.id(w, r, e)
	if !ok {
		return
	}
	rec.deleted = true
	rec.updated = s.Now()
	s.event("delete", e, rec.id, nil, s.render(e, rec))
	s.answer(w, map[string]any{"id": rec.id})
}

// page cuts items at an opaque cursor, limit (default 100, max 500).
func page[T any](w http.ResponseWriter, r *http.Request, items []T) ([]T, map[string]any, bool) {
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			writeError(w, http.StatusBadRequest, "Invalid limit: must be between 1 and 500", "ERR_SCHEMA_VALIDATION_FAILED")
			return nil, nil, false
		}
		limit = n
	}
	start := 0
	if c := q.Get("cursor"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			writeError(w, http.StatusBadRequest, "Invalid cursor", "ERR_SCHEMA_VALIDATION_FAILED")
			return nil, nil, false
		}
		start = n
	}
	end := min(start+limit, len(items))
	extra := map[string]any{}
	if end < len(items) {
		extra["next_cursor"] = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return items[start:end], extra, true
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, e *entity) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	var since time.Time
	if v := q.Get("updated_since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "Invalid updated_since: must be RFC3339", "ERR_SCHEMA_VALIDATION_FAILED")
			return
		}
		since = t
	}
	var recs []*record
	for _, rec := range e.records {
		if rec.deleted || rec.updated.Truncate(time.Second).Before(since) {
			continue
		}
		match := true
		for _, f := range []string{"org_id", "person_id"} {
			if v := q.Get(f); v != "" {
				got, _ := rec.data[f].(json.Number)
				match = match && got.String() == v
			}
		}
		if match {
			recs = append(recs, rec)
		}
	}
	key := func(rec *record) time.Time {
		switch q.Get("sort_by") {
		case "update_time":
			return rec.updated.Truncate(time.Second)
		case "add_time":
			return rec.added.Truncate(time.Second)
		}
		return time.Time{}
	}
	slices.SortStableFunc(recs, func(a, b *record) int {
		c := key(a).Compare(key(b))
		if c == 0 {
			c = int(a.id - b.id)
		}
		if q.Get("sort_direction") == "desc" {
			c = -c
		}
		return c
	})
	recs, extra, ok := page(w, r, recs)
	if !ok {
		return
	}
	data := make([]any, 0, len(recs))
	for _, rec := range recs {
		data = append(data, s.render(e, rec))
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": data, "additional_data": extra})
}

// search is /api/v2/<entity>/search: exact matches of term in the given
// fields (Pipedrive's term needs 2 characters at least).
func (s *Server) search(w http.ResponseWriter, r *http.Request, e *entity) {
	q := r.URL.Query()
	term := strings.TrimSpace(q.Get("term"))
	if len(term) < 2 {
		writeError(w, http.StatusBadRequest, "Search term must be at least 2 characters long", "ERR_SCHEMA_VALIDATION_FAILED")
		return
	}
	fields := strings.Split(q.Get("fields"), ",")
	exact := q.Get("exact_match") == "true"
	matches := func(v string) bool {
		if exact {
			return strings.EqualFold(v, term)
		}
		return strings.Contains(strings.ToLower(v), strings.ToLower(term))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var items []any
	ids := make([]int64, 0, len(e.records))
	for n := range e.records {
		ids = append(ids, n)
	}
	slices.Sort(ids)
	for _, n := range ids {
		rec := e.records[n]
		if rec.deleted {
			continue
		}
		hit := false
		var emails []string
		if list, ok := rec.data["emails"].([]any); ok {
			for _, em := range list {
				m, _ := em.(map[string]any)
				emails = append(emails, str(m["value"]))
			}
		}
		for _, f := range fields {
			switch f {
			case "email":
				hit = hit || slices.ContainsFunc(emails, matches)
			case "name", "title":
				hit = hit || matches(str(rec.data[f]))
			case "custom_fields":
				for _, v := range rec.custom {
					hit = hit || matches(fmt.Sprint(v))
				}
			}
		}
		if !hit {
			continue
		}
		item := map[string]any{"id": rec.id, "type": singular[e.name]}
		if e.name == "deals" {
			item["title"] = str(rec.data["title"])
		} else {
			item["name"] = str(rec.data["name"])
		}
		if e.name == "persons" {
			item["emails"] = append([]string{}, emails...)
		}
		items = append(items, map[string]any{"result_score": 1, "item": item})
	}
	items, extra, ok := page(w, r, items)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": map[string]any{"items": append([]any{}, items...)}, "additional_data": extra})
}

func (s *Server) listFields(w http.ResponseWriter, r *http.Request, e *entity) {
	s.mu.Lock()
	fields := slices.Clone(e.fields)
	s.mu.Unlock()
	fields, extra, ok := page(w, r, fields)
	if ok {
		writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": fields, "additional_data": extra})
	}
}

func (s *Server) createField(w http.ResponseWriter, r *http.Request, e *entity) {
	body, ok := decodeBody(w, r)
	if !ok {
		return
	}
	name, typ := str(body["field_name"]), str(body["field_type"])
	if name == "" || typ == "" {
		writeError(w, http.StatusBadRequest, "field_name and field_type are required", "ERR_SCHEMA_VALIDATION_FAILED")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	code := s.addField(e, name, typ)
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": fieldDef{Name: name, Code: code, Type: typ, Custom: true}})
}

// addField defines a custom field with a 40-hex-digit key, as Pipedrive
// names them.
func (s *Server) addField(e *entity, name, typ string) string {
	s.fieldSeq++
	sum := sha1.Sum([]byte(fmt.Sprintf("%s/%d/%s", e.name, s.fieldSeq, name)))
	code := hex.EncodeToString(sum[:])
	e.fields = append(e.fields, fieldDef{Name: name, Code: code, Type: typ, Custom: true})
	return code
}

// event queues the webhook v2 delivery of a change.
func (s *Server) event(action string, e *entity, id int64, data, previous map[string]any) {
	s.eventSeq++
	body, _ := json.Marshal(map[string]any{
		"meta": map[string]any{"action": action, "entity": singular[e.name], "entity_id": strconv.FormatInt(id, 10),
			"id": connectortest.UUID(), "timestamp": formatTime(s.Now()), "version": "2.0", "attempt": 1,
			"change_source": "api", "company_id": "1", "user_id": "1", "type": "general", "is_bulk_edit": false},
		"data":     data,
		"previous": previous,
	})
	s.events = append(s.events, body)
}

// Notes (API v1).

func (s *Server) addNote(w http.ResponseWriter, r *http.Request) {
	body, ok := decodeBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if str(body["content"]) == "" {
		writeError(w, http.StatusBadRequest, "Note content is required.", "")
		return
	}
	linked := false
	for f, ent := range map[string]string{"person_id": "persons", "org_id": "organizations", "deal_id": "deals"} {
		if _, has := body[f]; has {
			ref, ok := s.ref(body, f, ent)
			if !ok {
				writeError(w, http.StatusBadRequest, singular[ent]+" with id "+ref+" not found.", "")
				return
			}
			linked = true
		}
	}
	if !linked {
		writeError(w, http.StatusBadRequest, "A note must be attached to a deal, person, organization, lead, project or task.", "")
		return
	}
	now := s.Now()
	s.nextID++
	rec := &record{id: s.nextID, data: map[string]any{}, custom: map[string]any{}, added: now, updated: now}
	apply(rec, body)
	if t, err := time.Parse(time.DateTime, str(body["add_time"])); err == nil {
		rec.added = t
	}
	s.notes = append(s.notes, rec)
	s.answer(w, renderNote(rec))
}

func renderNote(rec *record) map[string]any {
	out := map[string]any{"id": rec.id, "active_flag": true, "content": str(rec.data["content"]), "user_id": 1,
		"add_time": rec.added.UTC().Format(time.DateTime), "update_time": rec.updated.UTC().Format(time.DateTime)}
	for _, f := range []string{"person_id", "org_id", "deal_id"} {
		if v, ok := rec.data[f]; ok {
			out[f] = v
		}
	}
	return out
}

func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, _ := strconv.Atoi(q.Get("start"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 500 {
		limit = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []map[string]any
	for _, rec := range s.notes {
		match := true
		for _, f := range []string{"person_id", "org_id", "deal_id"} {
			if v := q.Get(f); v != "" {
				got, _ := rec.data[f].(json.Number)
				match = match && got.String() == v
			}
		}
		if match {
			found = append(found, renderNote(rec))
		}
	}
	start = min(max(start, 0), len(found))
	end := min(start+limit, len(found))
	pagination := map[string]any{"start": start, "limit": limit, "more_items_in_collection": end < len(found)}
	if end < len(found) {
		pagination["next_start"] = end
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "data": append([]map[string]any{}, found[start:end]...),
		"additional_data": map[string]any{"pagination": pagination}})
}
