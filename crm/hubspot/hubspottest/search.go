package hubspottest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Properties []string          `json:"properties"`
	Limit      int               `json:"limit"`
	After      string            `json:"after"`
	Query      string            `json:"query"`
}

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value"`
	Values       []string `json:"values"`
}

// searchObjects is POST /crm/v3/objects/{type}/search. Like HubSpot it
// pages with a numeric offset in after, and refuses to page past the cap
// (10,000 results) for any one query.
func (s *Server) searchObjects(w http.ResponseWriter, r *http.Request, t *objectType) {
	var req searchRequest
	if !decodeBody(w, r, &req) {
		return
	}
	limit := cmp.Or(req.Limit, 10)
	if limit < 1 || limit > 200 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be between 1 and 200", nil)
		return
	}
	offset := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "after must be a non-negative integer", nil)
			return
		}
		offset = n
	}
	sortBy, desc, err := parseSort(req.Sorts)
	if err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", err.Error(), nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if offset+limit > s.searchCap {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Search results are capped at %d per query: narrow the filters to page further", s.searchCap), nil)
		return
	}
	var matches []*object
	for _, o := range t.objects {
		if !o.archived && matchesAny(t, o, req) {
			matches = append(matches, o)
		}
	}
	slices.SortFunc(matches, func(a, b *object) int {
		c := compareProperty(t, a, b, sortBy)
		if desc {
			c = -c
		}
		return cmp.Or(c, cmp.Compare(a.num, b.num))
	})
	end := min(offset+limit, len(matches))
	results := make([]map[string]any, 0, max(end-offset, 0))
	if offset < len(matches) {
		for _, o := range matches[offset:end] {
			results = append(results, o.render(t, req.Properties))
		}
	}
	out := map[string]any{"total": len(matches), "results": results}
	if end < len(matches) {
		out["paging"] = map[string]any{"next": map[string]string{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, http.StatusOK, out)
}

// parseSort reads HubSpot's sorts: "prop" or "-prop" (descending), or the
// object form {"propertyName": ..., "direction": "DESCENDING"}.
func parseSort(sorts []json.RawMessage) (prop string, desc bool, err error) {
	if len(sorts) == 0 {
		return "hs_object_id", false, nil
	}
	var name string
	if json.Unmarshal(sorts[0], &name) == nil {
		if strings.HasPrefix(name, "-") {
			return name[1:], true, nil
		}
		return name, false, nil
	}
	var obj struct{ PropertyName, Direction string }
	if json.Unmarshal(sorts[0], &obj) != nil || obj.PropertyName == "" {
		return "", false, fmt.Errorf("sorts must name a property")
	}
	return obj.PropertyName, obj.Direction == "DESCENDING", nil
}

func matchesAny(t *objectType, o *object, req searchRequest) bool {
	if q := strings.ToLower(req.Query); q != "" {
		hit := false
		for _, v := range o.props {
			if strings.Contains(strings.ToLower(v), q) {
				hit = true
			}
		}
		if !hit {
			return false
		}
	}
	if len(req.FilterGroups) == 0 {
		return true
	}
	for _, g := range req.FilterGroups { // groups are ORed
		ok := true
		for _, f := range g.Filters { // filters are ANDed
			if !matches(t, o, f) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func matches(t *objectType, o *object, f searchFilter) bool {
	v, has := o.value(t, f.PropertyName)
	switch f.Operator {
	case "HAS_PROPERTY":
		return has && v != ""
	case "NOT_HAS_PROPERTY":
		return !has || v == ""
	case "IN":
		for _, want := range f.Values {
			if strings.EqualFold(v, want) {
				return true
			}
		}
		return false
	}
	if !has {
		return f.Operator == "NEQ"
	}
	c := compareValues(f.PropertyName, v, f.Value)
	switch f.Operator {
	case "EQ":
		return c == 0
	case "NEQ":
		return c != 0
	case "GT":
		return c > 0
	case "GTE":
		return c >= 0
	case "LT":
		return c < 0
	case "LTE":
		return c <= 0
	case "CONTAINS_TOKEN":
		return strings.Contains(strings.ToLower(v), strings.Trim(strings.ToLower(f.Value), "*"))
	}
	return false
}

// compareValues compares as HubSpot does: dates by time, ids by number,
// text case-insensitively.
func compareValues(prop, have, want string) int {
	switch prop {
	case "createdate", "lastmodifieddate", "hs_lastmodifieddate", "closedate":
		a, okA := parseTimeValue(have)
		b, okB := parseTimeValue(want)
		if okA && okB {
			return a.Compare(b)
		}
	case "hs_object_id":
		a, errA := strconv.ParseInt(have, 10, 64)
		b, errB := strconv.ParseInt(want, 10, 64)
		if errA == nil && errB == nil {
			return cmp.Compare(a, b)
		}
	}
	return strings.Compare(strings.ToLower(have), strings.ToLower(want))
}

func compareProperty(t *objectType, a, b *object, prop string) int {
	va, _ := a.value(t, prop)
	vb, _ := b.value(t, prop)
	return compareValues(prop, va, vb)
}
