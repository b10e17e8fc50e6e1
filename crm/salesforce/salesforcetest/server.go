// Package salesforcetest is a stateful in-memory Salesforce org for tests
// and demos: the REST API's sObject, upsert, SOQL query (nextRecordsUrl
// pages, Sforce-Query-Options batch sizes), getDeleted and Composite
// endpoints under /services/data/v62.0, Salesforce's JSON error arrays,
// Sforce-Limit-Info on every answer and a daily API quota that runs out
// with 403 REQUEST_LIMIT_EXCEEDED, and an OAuth2 login host of its own
// whose token answers name the org's instance_url, with sessions that
// expire (401 INVALID_SESSION_ID). Fault switches: Throttle (403
// REQUEST_LIMIT_EXCEEDED for concurrent requests), FailNext (5xx),
// LoseNextAnswers (a write committed, its answer lost).
//
//	sandbox := salesforcetest.NewServer()
//	defer sandbox.Close()
//	client, err := salesforce.New(salesforce.Config{BaseURL: sandbox.URL(), Auth: sandbox.Auth()})
//
// Salesforce has no signed webhooks, so the sandbox sends none: see the
// salesforce package documentation. It listens on 127.0.0.1 only.
package salesforcetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
)

// Version is the API version the sandbox serves.
const Version = "v62.0"

const apiRoot = "/services/data/" + Version

// Server is a running sandbox org.
type Server struct {
	// Sandbox gives URL (the org's instance URL), Close, Throttle, FailNext,
	// Now and Advance (SystemModstamp is kept to the second, as Salesforce
	// keeps it).
	connectortest.Sandbox

	login *httptest.Server // the login host: /services/oauth2/token

	mu           sync.Mutex
	token        string // the session id Auth gives
	sessions     map[string]bool
	refresh      map[string]bool
	codes        map[string]bool
	clientID     string
	clientSecret string
	tokenCalls   map[string]int
	objects      map[string]*object
	ext          string
	currencies   []string
	seq          int64
	used, limit  int
	requests     int
	lose         int
	cursors      map[string][]map[string]any
	cursorSeq    int
}

// Option configures a Server.
type Option func(*Server)

// WithDailyLimit sets the org's daily API request limit and how much of it
// is used already (Salesforce: from 15,000 a day, more per licence).
func WithDailyLimit(limit, used int) Option {
	return func(s *Server) { s.limit, s.used = limit, used }
}

// WithSingleCurrency makes a single-currency org: Opportunity has no
// CurrencyIsoCode, amounts are in the corporate currency. By default the
// org has multi-currency on, with USD, EUR and GBP.
func WithSingleCurrency() Option { return func(s *Server) { s.currencies = nil } }

// WithCurrencies makes a multi-currency org with these active currencies
// (ISO 4217), the first the corporate one, instead of USD, EUR and GBP.
func WithCurrencies(codes ...string) Option {
	return func(s *Server) { s.currencies = append([]string(nil), codes...) }
}

// WithoutExternalIDField makes an org where no admin created the External
// ID field the package needs.
func WithoutExternalIDField() Option { return func(s *Server) { s.ext = "" } }

// WithExternalIDField names the External ID field (default Patchbay_Key__c).
func WithExternalIDField(name string) Option { return func(s *Server) { s.ext = name } }

// NewServer starts a sandbox org on 127.0.0.1. Close it when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		token:        "00DSb0000000001!" + connectortest.RandomHex(24),
		sessions:     map[string]bool{},
		refresh:      map[string]bool{},
		codes:        map[string]bool{},
		clientID:     "3MVG9" + connectortest.RandomHex(20),
		clientSecret: connectortest.RandomHex(32),
		tokenCalls:   map[string]int{},
		ext:          "Patchbay_Key__c",
		currencies:   []string{"USD", "EUR", "GBP"},
		limit:        15000,
		cursors:      map[string][]map[string]any{},
	}
	s.Clock.Resolution = time.Second
	for _, opt := range opts {
		opt(s)
	}
	s.sessions[s.token] = true
	s.objects = newObjects(s.currencies, s.ext, []string{"Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
		"Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"})
	s.Start(http.HandlerFunc(s.serve))
	lm := http.NewServeMux()
	lm.HandleFunc("POST /services/oauth2/token", s.tokenEndpoint)
	s.login = httptest.NewServer(lm)
	return s
}

// Close stops the org and its login host.
func (s *Server) Close() {
	s.login.CloseClientConnections()
	s.login.Close()
	s.Sandbox.Close()
}

// Auth is a live session id as a bearer token, as salesforce.Config.Auth
// takes it.
func (s *Server) Auth() connector.Auth { return connector.Bearer(s.token) }

// SessionID is the session id Auth sends, for requests made by hand.
func (s *Server) SessionID() string { return s.token }

// Requests counts the requests the org received (the login host's aside).
func (s *Server) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// APIUsage is the daily quota: used and limit, as Sforce-Limit-Info says.
func (s *Server) APIUsage() (used, limit int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used, s.limit
}

// SetAPIUsage sets the calls used of the daily quota.
func (s *Server) SetAPIUsage(used int) { s.mu.Lock(); s.used = used; s.mu.Unlock() }

// LoseNextAnswers commits the next n writes (POST, PATCH, DELETE,
// composite included) and then drops the connection without answering.
func (s *Server) LoseNextAnswers(n int) { s.mu.Lock(); s.lose = n; s.mu.Unlock() }

// ExpireSessions ends every session: the next call with one is 401
// INVALID_SESSION_ID, as after a session timeout or a password reset.
func (s *Server) ExpireSessions() { s.mu.Lock(); clear(s.sessions); s.mu.Unlock() }

// Count counts the live records of an sObject ("Contact", "Opportunity",
// "Task", "Account", "OpportunityContactRole").
func (s *Server) Count(object string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[object]
	if o == nil {
		return 0
	}
	n := 0
	for _, r := range o.records {
		if r.live() {
			n++
		}
	}
	return n
}

// writeJSON writes an answer as Salesforce does.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if v == nil {
		w.WriteHeader(status)
		return
	}
	connectortest.WriteJSON(w, status, "application/json;charset=UTF-8", v)
}

// serve is the gate (auth, quota, faults, headers) and the router.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	h := w.Header()
	h.Set("Sforce-Call-Id", connectortest.RandomHex(8))
	s.mu.Lock()
	s.requests++
	token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !s.sessions[token] {
		s.mu.Unlock()
		// No Sforce-Limit-Info: an unauthenticated call is not counted.
		h.Set("WWW-Authenticate", `Token`)
		res := sfError(http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		writeJSON(w, res.status, res.body)
		return
	}
	var res apiResult
	switch {
	case s.used >= s.limit:
		res = sfError(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
	case s.NextThrottled():
		res = sfError(http.StatusForbidden, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
	default:
		if status := s.NextFailure(); status != 0 {
			code := "UNKNOWN_EXCEPTION"
			if status == http.StatusServiceUnavailable {
				code = "SERVER_UNAVAILABLE"
			}
			res = sfError(status, code, "An unexpected error occurred. Please include this ErrorId if you contact support: "+connectortest.RandomHex(6))
			break
		}
		s.used++
		res = s.route(r.Method, r.URL.Path, r.URL.Query(), r.Header, body)
	}
	lose := false
	if r.Method != http.MethodGet && s.lose > 0 && res.status < 400 {
		s.lose--
		lose = true
	}
	h.Set("Sforce-Limit-Info", fmt.Sprintf("api-usage=%d/%d", s.used, s.limit))
	s.mu.Unlock()
	if lose {
		connectortest.Reset(w)
		return
	}
	writeJSON(w, res.status, res.body)
}

// route runs one request; the caller holds s.mu. The Composite API calls
// it for each subrequest.
func (s *Server) route(method, path string, q map[string][]string, header http.Header, body []byte) apiResult {
	rest, ok := strings.CutPrefix(path, "/services/data/")
	version, rest, _ := strings.Cut(rest, "/")
	if !ok || version != Version {
		return sfError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	switch {
	case parts[0] == "query" && method == http.MethodGet && len(parts) == 1:
		return s.query(get("q"), header.Get("Sforce-Query-Options"))
	case parts[0] == "query" && method == http.MethodGet && len(parts) == 2:
		return s.queryMore(parts[1])
	case parts[0] == "composite" && method == http.MethodPost && len(parts) == 1:
		return s.composite(body)
	case parts[0] != "sobjects" || len(parts) < 2:
		return sfError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	o := s.objects[parts[1]]
	if o == nil {
		return sfError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
	switch {
	case len(parts) == 2 && method == http.MethodPost:
		return s.create(o, body)
	case len(parts) == 3 && parts[2] == "deleted" && method == http.MethodGet:
		return s.getDeleted(o, get("start"), get("end"))
	case len(parts) == 3 && method == http.MethodGet:
		var fields []string
		if f := get("fields"); f != "" {
			fields = strings.Split(f, ",")
		}
		return s.retrieve(o, parts[2], fields)
	case len(parts) == 3 && method == http.MethodPatch:
		return s.update(o, parts[2], body)
	case len(parts) == 3 && method == http.MethodDelete:
		return s.delete(o, parts[2])
	case len(parts) == 4 && method == http.MethodPatch:
		return s.upsert(o, parts[2], parts[3], body)
	}
	return sfError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "HTTP Method '"+method+"' not allowed. Allowed are GET,PATCH,DELETE")
}

// decodeBody reads a record body: a JSON object.
func decodeBody(body []byte) (map[string]json.RawMessage, *apiResult) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		e := sfError(http.StatusBadRequest, "JSON_PARSER_ERROR", "Unexpected character: was expecting a JSON object at [line:1, column:1]")
		return nil, &e
	}
	return m, nil
}

func saveResult(id string, created bool) map[string]any {
	return map[string]any{"id": id, "success": true, "errors": []any{}, "created": created}
}

// create is POST /sobjects/{Object}: 201 {"id","success","errors"}.
func (s *Server) create(o *object, body []byte) apiResult {
	m, bad := decodeBody(body)
	if bad != nil {
		return *bad
	}
	r, bad := s.write(o, nil, m, "")
	if bad != nil {
		return *bad
	}
	return apiResult{status: http.StatusCreated, body: map[string]any{"id": r.id, "success": true, "errors": []any{}}}
}

// lookup finds a record of o by id: 404 NOT_FOUND, or ENTITY_IS_DELETED.
func (s *Server) lookup(o *object, id string) (*rec, *apiResult) {
	fo, r := s.find(id)
	if r == nil || fo != o {
		e := sfError(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return nil, &e
	}
	if !r.live() {
		e := sfError(http.StatusNotFound, "ENTITY_IS_DELETED", "entity is deleted")
		return nil, &e
	}
	return r, nil
}

// retrieve is GET /sobjects/{Object}/{id}?fields=.
func (s *Server) retrieve(o *object, id string, fields []string) apiResult {
	r, bad := s.lookup(o, id)
	if bad != nil {
		return *bad
	}
	for _, f := range fields {
		if o.fields[f] == nil {
			return sfError(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", f, o.name))
		}
	}
	return apiResult{status: http.StatusOK, body: s.view(o, r, fields)}
}

// update is PATCH /sobjects/{Object}/{id}: 204.
func (s *Server) update(o *object, id string, body []byte) apiResult {
	r, bad := s.lookup(o, id)
	if bad != nil {
		return *bad
	}
	m, bad := decodeBody(body)
	if bad != nil {
		return *bad
	}
	if _, bad := s.write(o, r, m, ""); bad != nil {
		return *bad
	}
	return apiResult{status: http.StatusNoContent}
}

// delete is DELETE /sobjects/{Object}/{id}: 204, to the recycle bin.
func (s *Server) delete(o *object, id string) apiResult {
	r, bad := s.lookup(o, id)
	if bad != nil {
		return *bad
	}
	r.deleted = s.Now()
	r.modstamp = r.deleted
	return apiResult{status: http.StatusNoContent}
}

// upsert is PATCH /sobjects/{Object}/{field}/{value}: 201 created, 200
// updated, 300 when several records hold the value, 404 when the field is
// no External ID field.
func (s *Server) upsert(o *object, fieldName, value string, body []byte) apiResult {
	if s.ext == "" || fieldName != s.ext {
		return sfError(http.StatusNotFound, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: "+fieldName)
	}
	m, bad := decodeBody(body)
	if bad != nil {
		return *bad
	}
	var matches []*rec
	for _, id := range o.order {
		r := o.records[id]
		if r.live() && strings.EqualFold(str(r.values[s.ext]), value) {
			matches = append(matches, r)
		}
	}
	switch len(matches) {
	case 0:
		m[s.ext], _ = json.Marshal(value)
		r, bad := s.write(o, nil, m, "")
		if bad != nil {
			return *bad
		}
		return apiResult{status: http.StatusCreated, body: saveResult(r.id, true)}
	case 1:
		if _, bad := s.write(o, matches[0], m, s.ext); bad != nil {
			return *bad
		}
		return apiResult{status: http.StatusOK, body: saveResult(matches[0].id, false)}
	}
	urls := make([]string, 0, len(matches))
	for _, r := range matches {
		urls = append(urls, apiRoot+"/sobjects/"+o.name+"/"+r.id)
	}
	return apiResult{status: http.StatusMultipleChoices, body: urls}
}

// AddDuplicateKey adds a record of object holding the External ID value
// already held by another, as an org whose field is not Unique can have,
// so that an upsert by it answers 300 Multiple Choices.
func (s *Server) AddDuplicateKey(object, value string, fields map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[object]
	r := &rec{id: s.newID(o), values: map[string]any{s.ext: value}, created: s.Now(), modstamp: s.Now()}
	for k, v := range fields {
		r.values[k] = v
	}
	o.records[r.id] = r
	o.order = append(o.order, r.id)
}

// query is GET /query?q=: the first page, and a nextRecordsUrl while more
// remain.
func (s *Server) query(soql, options string) apiResult {
	q, err := s.parseSOQL(soql)
	if err != nil {
		qe := err.(*queryError)
		return sfError(http.StatusBadRequest, qe.code, qe.msg)
	}
	batch := 2000
	if v, ok := strings.CutPrefix(strings.TrimSpace(options), "batchSize="); ok {
		if n, err := strconv.Atoi(v); err == nil {
			batch = min(max(n, 200), 2000)
		}
	}
	rows := s.run(q)
	s.cursorSeq++
	locator := fmt.Sprintf("01gSb%010d", s.cursorSeq)
	s.cursors[locator] = rows
	return s.page(locator, 0, batch, len(rows))
}

func (s *Server) page(locator string, offset, batch, total int) apiResult {
	rows := s.cursors[locator]
	end := min(offset+batch, len(rows))
	out := map[string]any{"totalSize": total, "done": end >= len(rows), "records": slices.Clone(rows[offset:end])}
	if end < len(rows) {
		out["nextRecordsUrl"] = fmt.Sprintf("%s/query/%s-%d-%d", apiRoot, locator, end, batch)
	} else {
		delete(s.cursors, locator)
	}
	return apiResult{status: http.StatusOK, body: out}
}

// queryMore is GET /query/{locator}: the next page.
func (s *Server) queryMore(cursor string) apiResult {
	parts := strings.Split(cursor, "-")
	if len(parts) == 3 {
		offset, err1 := strconv.Atoi(parts[1])
		batch, err2 := strconv.Atoi(parts[2])
		if rows, ok := s.cursors[parts[0]]; ok && err1 == nil && err2 == nil && offset <= len(rows) && batch > 0 {
			return s.page(parts[0], offset, batch, len(rows))
		}
	}
	return sfError(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
}

// getDeleted is GET /sobjects/{Object}/deleted/?start=&end=.
func (s *Server) getDeleted(o *object, start, end string) apiResult {
	parse := func(v string) (time.Time, bool) {
		for _, layout := range []string{"2006-01-02T15:04:05-07:00", "2006-01-02T15:04:05Z"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t, true
			}
		}
		return time.Time{}, false
	}
	from, ok1 := parse(start)
	to, ok2 := parse(end)
	if !ok1 || !ok2 || to.Before(from) {
		return sfError(http.StatusBadRequest, "INVALID_REPLICATION_DATE", "start and end must be ISO 8601 dates, start before end")
	}
	recs := []map[string]any{}
	latest := from
	for _, id := range o.order {
		r := o.records[id]
		if !r.live() && !r.deleted.Before(from) && !r.deleted.After(to) {
			recs = append(recs, map[string]any{"id": r.id, "deletedDate": formatTime(r.deleted)})
			latest = r.deleted
		}
	}
	return apiResult{status: http.StatusOK, body: map[string]any{"deletedRecords": recs,
		"earliestDateAvailable": formatTime(s.Now().Add(-15 * 24 * time.Hour)), "latestDateCovered": formatTime(latest)}}
}
