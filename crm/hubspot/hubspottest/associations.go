package hubspottest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
)

// assocKey is one direction of an association.
type assocKey struct{ fromType, fromID, toType, toID string }

// defaultTypeIDs are HubSpot's default association type ids, by direction.
var defaultTypeIDs = map[[2]string]int{
	{"contacts", "companies"}: 279, {"companies", "contacts"}: 280,
	{"deals", "contacts"}: 3, {"contacts", "deals"}: 4,
	{"deals", "companies"}: 341, {"companies", "deals"}: 342,
	{"notes", "contacts"}: 202, {"contacts", "notes"}: 201,
	{"notes", "companies"}: 190, {"companies", "notes"}: 189,
	{"notes", "deals"}: 214, {"deals", "notes"}: 213,
}

// inlineAssociation is one entry of a create's associations.
type inlineAssociation struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []struct {
		Category string `json:"associationCategory"`
		TypeID   int    `json:"associationTypeId"`
	} `json:"types"`
}

// resolveInline finds the records a create asks to be associated with,
// by their HubSpot-defined type ids, or says what is wrong.
func (s *Server) resolveInline(from *objectType, in []inlineAssociation) ([]assocKey, string) {
	var out []assocKey
	for _, a := range in {
		for _, ty := range a.Types {
			var to *objectType
			for pair, id := range defaultTypeIDs {
				if pair[0] == from.name && id == ty.TypeID {
					to = s.types[pair[1]]
				}
			}
			if to == nil || ty.Category != "HUBSPOT_DEFINED" {
				return nil, "unknown association type " + strconv.Itoa(ty.TypeID) + " from " + from.name
			}
			if o := to.objects[a.To.ID]; o == nil || o.archived {
				return nil, "the " + to.singular + " " + a.To.ID + " to associate with does not exist"
			}
			out = append(out, assocKey{from.name, "", to.name, a.To.ID})
		}
	}
	return out, ""
}

// link records the association both ways, with the default type ids.
func (s *Server) link(k assocKey) {
	s.assocs[k] = defaultTypeIDs[[2]string{k.fromType, k.toType}]
	s.assocs[assocKey{k.toType, k.toID, k.fromType, k.fromID}] = defaultTypeIDs[[2]string{k.toType, k.fromType}]
}

// associateDefault is PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/
// associations/default/{toObjectType}/{toObjectId}: the default
// association, made in both directions.
func (s *Server) associateDefault(w http.ResponseWriter, r *http.Request, from *objectType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	to := s.types[r.PathValue("toType")]
	if to == nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Unable to infer object type from: "+r.PathValue("toType"), nil)
		return
	}
	fromID, toID := r.PathValue("id"), r.PathValue("toID")
	if o := from.objects[fromID]; o == nil || o.archived {
		writeNotFound(w)
		return
	}
	if o := to.objects[toID]; o == nil || o.archived {
		writeNotFound(w)
		return
	}
	typeID, ok := defaultTypeIDs[[2]string{from.name, to.name}]
	if !ok {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "no default association from "+from.name+" to "+to.name, nil)
		return
	}
	s.assocs[assocKey{from.name, fromID, to.name, toID}] = typeID
	s.assocs[assocKey{to.name, toID, from.name, fromID}] = defaultTypeIDs[[2]string{to.name, from.name}]
	now := formatTime(s.Now())
	writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "startedAt": now, "completedAt": now,
		"results": []any{map[string]any{"from": map[string]string{"id": fromID}, "to": map[string]string{"id": toID},
			"associationSpec": map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}}})
}

// listAssociations is GET /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}.
func (s *Server) listAssociations(w http.ResponseWriter, r *http.Request, from *objectType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	to := s.types[r.PathValue("toType")]
	if to == nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Unable to infer object type from: "+r.PathValue("toType"), nil)
		return
	}
	fromID := r.PathValue("id")
	type hit struct {
		id     string
		typeID int
	}
	var hits []hit
	for k, typeID := range s.assocs {
		if k.fromType == from.name && k.fromID == fromID && k.toType == to.name {
			hits = append(hits, hit{k.toID, typeID})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		x, _ := strconv.ParseInt(a.id, 10, 64)
		y, _ := strconv.ParseInt(b.id, 10, 64)
		return cmp.Compare(x, y)
	})
	limit := 500
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v > 0 && v < limit {
		limit = v
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("after"))
	offset = min(max(offset, 0), len(hits))
	end := min(offset+limit, len(hits))
	results := make([]any, 0, end-offset)
	for _, h := range hits[offset:end] {
		results = append(results, map[string]any{"toObjectId": h.id,
			"associationTypes": []any{map[string]any{"category": "HUBSPOT_DEFINED", "typeId": h.typeID}}})
	}
	out := map[string]any{"results": results}
	if end < len(hits) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, out)
}

// dissociate is DELETE /crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}/{toObjectId}.
func (s *Server) dissociate(w http.ResponseWriter, r *http.Request, from *objectType) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if to := s.types[r.PathValue("toType")]; to != nil {
		delete(s.assocs, assocKey{from.name, r.PathValue("id"), to.name, r.PathValue("toID")})
		delete(s.assocs, assocKey{to.name, r.PathValue("toID"), from.name, r.PathValue("id")})
	}
	w.WriteHeader(http.StatusNoContent)
}
