package quickbookstest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// selectRE is the part of Intuit's query language the sandbox reads:
// select * from Entity [where Field = 'value'] [ORDERBY ...]
// [STARTPOSITION n] [MAXRESULTS m].
var selectRE = regexp.MustCompile(`(?is)^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(\w+(?:\.\w+)?)\s*=\s*'((?:[^'\\]|\\.)*)')?` +
	`(?:\s+orderby\s+[\w.]+(?:\s+(?:asc|desc))?)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$`)

// row is a record as a query sees it.
type row struct {
	fields  map[string]string
	updated time.Time
	render  func() map[string]any
}

func (s *Server) rows(entity string) []row {
	var out []row
	switch entity {
	case "Customer":
		for _, c := range s.customers {
			out = append(out, row{map[string]string{"Id": c.ID, "DisplayName": c.DisplayName, "PrimaryEmailAddr": c.Email}, c.Updated, c.render})
		}
	case "Invoice":
		for _, inv := range s.invoices {
			out = append(out, row{map[string]string{"Id": inv.ID, "DocNumber": inv.DocNumber, "CustomerRef": inv.CustomerID}, inv.Updated,
				func() map[string]any { return s.renderInvoice(inv) }})
		}
	case "Payment":
		for _, p := range s.payments {
			out = append(out, row{map[string]string{"Id": p.ID, "CustomerRef": p.CustomerID}, p.Updated, func() map[string]any { return s.renderPayment(p) }})
		}
	case "Item":
		for _, it := range s.items {
			out = append(out, row{map[string]string{"Id": it.ID, "Name": it.Name}, it.Updated, it.render})
		}
	}
	return out
}

func queryParserError(w http.ResponseWriter, s *Server, detail string) {
	validation(w, s, "4000", "Error parsing query", "QueryParserError: "+detail, "")
}

// query is GET /v3/company/{realmId}/query?query=....
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	m := selectRE.FindStringSubmatch(r.URL.Query().Get("query"))
	if m == nil {
		queryParserError(w, s, "the sandbox reads select * from Entity [where Field = 'value'] [STARTPOSITION n] [MAXRESULTS m]")
		return
	}
	entity, field, value := m[1], m[2], strings.NewReplacer(`\'`, `'`, `\\`, `\`).Replace(m[3])
	start, size := 1, 100
	if m[4] != "" {
		start, _ = strconv.Atoi(m[4])
	}
	if m[5] != "" {
		size, _ = strconv.Atoi(m[5])
	}
	if start < 1 || size < 1 || size > 1000 {
		queryParserError(w, s, "STARTPOSITION must be at least 1 and MAXRESULTS between 1 and 1000")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.rows(entity)
	if all == nil && !slices.Contains([]string{"Customer", "Invoice", "Payment", "Item"}, entity) {
		queryParserError(w, s, "Invalid context declaration : "+entity)
		return
	}
	var matched []map[string]any
	for _, rw := range all {
		if field != "" {
			v, ok := rw.fields[field]
			if !ok {
				queryParserError(w, s, "property '"+field+"' is not queryable")
				return
			}
			if v != value {
				continue
			}
		}
		matched = append(matched, rw.render())
	}
	qr := map[string]any{}
	if from := start - 1; from < len(matched) {
		page := matched[from:min(len(matched), from+size)]
		qr[entity] = page
		qr["startPosition"] = start
		qr["maxResults"] = len(page)
	}
	s.writeQuery(w, "QueryResponse", qr)
}

func (s *Server) writeQuery(w http.ResponseWriter, name string, v any) {
	writeJSON(w, map[string]any{name: v, "time": s.stamp()})
}

// cdcLimit is how many records of an entity one CDC answer holds.
const cdcLimit = 1000

// cdc is GET /v3/company/{realmId}/cdc?entities=...&changedSince=...:
// the records changed since, up to 30 days back.
func (s *Server) cdc(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := time.Parse(time.RFC3339, q.Get("changedSince"))
	if err != nil {
		if since, err = time.Parse("2006-01-02", q.Get("changedSince")); err != nil {
			validation(w, s, "2020", "Required param missing, need to supply the required value for the API", "Required parameter changedSince is missing or invalid", "changedSince")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Now().Sub(since) > 30*24*time.Hour {
		validation(w, s, "2010", "Request has invalid or unsupported property", "changedSince must be within the last 30 days", "changedSince")
		return
	}
	var responses []map[string]any
	for _, entity := range strings.Split(q.Get("entities"), ",") {
		entity = strings.TrimSpace(entity)
		var list []map[string]any
		for _, rw := range s.rows(entity) {
			if !rw.updated.Before(since) && len(list) < cdcLimit {
				list = append(list, rw.render())
			}
		}
		// A deleted record: its Id, status Deleted, and when.
		for _, d := range s.deleted {
			if d.entity == entity && !d.deleted.Before(since) && len(list) < cdcLimit {
				list = append(list, map[string]any{"Id": d.id, "status": "Deleted", "domain": "QBO",
					"MetaData": map[string]any{"LastUpdatedTime": formatTime(d.deleted)}})
			}
		}
		qr := map[string]any{}
		if len(list) > 0 {
			qr[entity] = list
			qr["startPosition"] = 1
			qr["maxResults"] = len(list)
		}
		responses = append(responses, map[string]any{"QueryResponse": []any{qr}})
	}
	s.writeQuery(w, "CDCResponse", responses)
}
