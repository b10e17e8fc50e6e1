package salesforcetest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// composite is POST /composite: up to 25 subrequests run in order, each
// able to use an earlier one's answer by @{referenceId.field}; with
// allOrNone one failure rolls all of them back. It counts as one API
// call, and answers 200 whatever the subrequests did.
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
func (s *Server) composite(body []byte) apiResult {
	var req struct {
		AllOrNone        bool `json:"allOrNone"`
		CompositeRequest []struct {
			Method      string          `json:"method"`
			URL         string          `json:"url"`
			ReferenceID string          `json:"referenceId"`
			Body        json.RawMessage `json:"body"`
		} `json:"compositeRequest"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return sfError(http.StatusBadRequest, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON object at [line:1, column:1]")
	}
	if n := len(req.CompositeRequest); n == 0 || n > 25 {
		return sfError(http.StatusBadRequest, "INVALID_BATCH_REQUEST", "A composite request must have between 1 and 25 subrequests")
	}
	saved := s.snapshot()
	results := map[string]map[string]any{}
	out := make([]map[string]any, 0, len(req.CompositeRequest))
	failed := false
	for _, sub := range req.CompositeRequest {
		entry := map[string]any{"referenceId": sub.ReferenceID, "httpHeaders": map[string]string{}}
		out = append(out, entry)
		if failed && req.AllOrNone {
			halted(entry)
			continue
		}
		if sub.ReferenceID == "" || results[sub.ReferenceID] != nil {
			setResult(entry, sfError(http.StatusBadRequest, "INVALID_INPUT", "Duplicate or empty referenceId: "+sub.ReferenceID))
			failed = true
			continue
		}
		target, err1 := resolve(sub.URL, results, true)
		subBody, err2 := resolve(string(sub.Body), results, false)
		u, err3 := url.Parse(target)
		if err1 != nil || err2 != nil || err3 != nil {
			setResult(entry, sfError(http.StatusBadRequest, "NOT_FOUND", "Invalid reference specified. No value found for the reference in "+sub.ReferenceID))
			failed = true
			continue
		}
		res := s.route(strings.ToUpper(sub.Method), u.Path, u.Query(), http.Header{}, []byte(subBody))
		setResult(entry, res)
		if res.status >= 300 {
			failed = true
			continue
		}
		if res.status == http.StatusCreated {
			entry["httpHeaders"] = map[string]string{"Location": u.Path}
		}
		var m map[string]any
		b, _ := json.Marshal(res.body)
		_ = json.Unmarshal(b, &m)
		if m == nil {
			m = map[string]any{}
		}
		results[sub.ReferenceID] = m
	}
	if failed && req.AllOrNone {
		s.restore(saved)
		for _, entry := range out {
			if st, _ := entry["httpStatusCode"].(int); st < 300 {
				halted(entry)
			}
		}
	}
	return apiResult{status: http.StatusOK, body: map[string]any{"compositeResponse": out}}
}

func setResult(entry map[string]any, res apiResult) {
	entry["httpStatusCode"] = res.status
	entry["body"] = res.body
}

func halted(entry map[string]any) {
	setResult(entry, sfError(http.StatusBadRequest, "PROCESSING_HALTED", "The transaction was rolled back since another operation in the same transaction failed."))
}

var reference = regexp.MustCompile(`@\{([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)\}`)

// resolve replaces @{ref.field} with the earlier answer's value.
func resolve(s string, results map[string]map[string]any, inURL bool) (string, error) {
	var missing error
	out := reference.ReplaceAllStringFunc(s, func(m string) string {
		g := reference.FindStringSubmatch(m)
		v, ok := results[g[1]][g[2]].(string)
		if !ok {
			missing = errNoReference
			return m
		}
		if inURL {
			return url.PathEscape(v)
		}
		return v
	})
	return out, missing
}

type refError struct{}

func (refError) Error() string { return "no value for the reference" }

var errNoReference = refError{}

// state is a copy of the records, for a rollback.
type state struct {
	seq     int64
	objects map[string]objectState
}

type objectState struct {
	records map[string]*rec
	order   []string
}

func (s *Server) snapshot() state {
	st := state{seq: s.seq, objects: map[string]objectState{}}
	for name, o := range s.objects {
		recs := make(map[string]*rec, len(o.records))
		for id, r := range o.records {
			c := *r
			c.values = make(map[string]any, len(r.values))
			for k, v := range r.values {
				c.values[k] = v
			}
			recs[id] = &c
		}
		st.objects[name] = objectState{records: recs, order: append([]string(nil), o.order...)}
	}
	return st
}

func (s *Server) restore(st state) {
	s.seq = st.seq
	for name, os := range st.objects {
		s.objects[name].records, s.objects[name].order = os.records, os.order
	}
}
