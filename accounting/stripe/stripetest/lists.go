package stripetest

import (
	"net/http"
	"strconv"
)

// writeList answers a list request from items (in list order) with
// limit (default 10, at most 100) and starting_after or ending_before, as
// Stripe pages: a page before a cursor holds the items just before it,
// still in list order.
func writeList(w http.ResponseWriter, r *http.Request, url string, items []map[string]any) {
	f := formOf(r)
	limit := 10
	if v := f.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid_integer", "limit",
				"Invalid integer: "+v+"; must be between 1 and 100")
			return
		}
		limit = n
	}
	if before := f.Get("ending_before"); before != "" {
		if f.Get("starting_after") != "" {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "parameter_invalid", "ending_before",
				"You may only specify one of these parameters: ending_before, starting_after.")
			return
		}
		end := -1
		for i, it := range items {
			if it["id"] == before {
				end = i
			}
		}
		if end < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "ending_before", "No such object: '"+before+"'")
			return
		}
		// The objects listed just before the cursor, in list order.
		start := max(end-limit, 0)
		writeJSON(w, http.StatusOK, map[string]any{"object": "list", "url": url, "has_more": start > 0, "data": append([]map[string]any{}, items[start:end]...)})
		return
	}
	start := 0
	if after := f.Get("starting_after"); after != "" {
		start = -1
		for i, it := range items {
			if it["id"] == after {
				start = i + 1
			}
		}
		if start < 0 {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "resource_missing", "starting_after", "No such object: '"+after+"'")
			return
		}
	}
	end := min(start+limit, len(items))
	data := items[start:end]
	if data == nil {
		data = []map[string]any{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "url": url, "has_more": end < len(items), "data": data})
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
