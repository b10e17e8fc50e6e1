package hubspottest

import (
	"net/http"
	"regexp"
)

// property is what the properties API returns of a custom property.
func (t *objectType) property(name string, unique bool) map[string]any {
	return map[string]any{"name": name, "label": name, "type": "string", "fieldType": "text",
		"groupName": t.singular + "information", "hasUniqueValue": unique, "options": []any{},
		"description": "", "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
}

// getProperty is GET /crm/v3/properties/{objectType}/{propertyName}.
func (s *Server) getProperty(w http.ResponseWriter, r *http.Request, t *objectType) {
	name := r.PathValue("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if unique, ok := t.custom[name]; ok {
		writeJSON(w, http.StatusOK, t.property(name, unique))
		return
	}
	if t.standard[name] {
		writeJSON(w, http.StatusOK, t.property(name, false))
		return
	}
	writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to find property "+name, nil)
}

var propertyName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,99}$`)

// createProperty is POST /crm/v3/properties/{objectType}: a custom
// property, with unique values if hasUniqueValue.
func (s *Server) createProperty(w http.ResponseWriter, r *http.Request, t *objectType) {
	var in struct {
		Name           string `json:"name"`
		Label          string `json:"label"`
		Type           string `json:"type"`
		FieldType      string `json:"fieldType"`
		GroupName      string `json:"groupName"`
		HasUniqueValue bool   `json:"hasUniqueValue"`
	}
	if !decodeBody(w, r, &in) {
		return
	}
	if !propertyName.MatchString(in.Name) || in.Label == "" || in.Type == "" || in.FieldType == "" || in.GroupName == "" {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "name, label, type, fieldType and groupName are required", nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := t.custom[in.Name]; exists || t.standard[in.Name] {
		writeError(w, http.StatusConflict, "OBJECT_ALREADY_EXISTS", "A property named '"+in.Name+"' already exists.", nil)
		return
	}
	t.custom[in.Name] = in.HasUniqueValue
	if in.HasUniqueValue {
		t.uniqueIdx[in.Name] = map[string]string{}
	}
	writeJSON(w, http.StatusCreated, t.property(in.Name, in.HasUniqueValue))
}
