package salesforce_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/connector"
	"github.com/patchbay-go/patchbay/connector/connectortest"
	"github.com/patchbay-go/patchbay/connector/oauth"
	"github.com/patchbay-go/patchbay/crm"
	"github.com/patchbay-go/patchbay/crm/crmtest"
	"github.com/patchbay-go/patchbay/crm/salesforce"
	"github.com/patchbay-go/patchbay/crm/salesforce/salesforcetest"
)

// Salesforce publishes no machine-readable spec of its REST API (there is
// none in ../shared/specs): conformance is checked against answers written
// in testdata/guide in the shape of the REST API Developer Guide's
// examples, and requests against the guide's paths and bodies.

var (
	guideOnce sync.Once
	guide     map[string]any
)

func guideShape(t *testing.T, name string) any {
	guideOnce.Do(func() {
		guide = map[string]any{}
		files, _ := filepath.Glob("testdata/guide/*.json")
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				panic(err)
			}
			var v any
			if err := json.Unmarshal(b, &v); err != nil {
				panic(fmt.Sprintf("%s: %v", f, err))
			}
			guide[strings.TrimSuffix(filepath.Base(f), ".json")] = v
		}
	})
	g, ok := guide[name]
	require.True(t, ok, "no guide answer %s", name)
	return g
}

// conform lists how got differs from the guide's shape want.
func conform(want, got any, path string) []string {
	if want == nil {
		return nil
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, got %s", path, typeOf(got))}
		}
		var out []string
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				out = append(out, fmt.Sprintf("%s.%s: missing", path, k))
				continue
			}
			if gv == nil && k != "" && k[0] >= 'A' && k[0] <= 'Z' {
				continue // an sObject field that is empty
			}
			out = append(out, conform(wv, gv, path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array, got %s", path, typeOf(got))}
		}
		var out []string
		if len(w) > 0 {
			for i, gv := range g {
				out = append(out, conform(w[0], gv, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
		return out
	}
	if typeOf(want) != typeOf(got) {
		return []string{fmt.Sprintf("%s: want %s, got %s", path, typeOf(want), typeOf(got))}
	}
	return nil
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

var (
	apiPath   = regexp.MustCompile(`^/services/data/v62\.0/(query(/[A-Za-z0-9-]+)?|composite|sobjects/[A-Za-z]+(/deleted/|/[^/]+(/[^/]+)?)?)$`)
	recordID  = regexp.MustCompile(`^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$`)
	fieldName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// kindOf names the guide answer a request gets, and checks the request
// itself against the guide's paths, methods and bodies.
func kindOf(method, path string, query url.Values, body []byte) (string, error) {
	if path == "/services/oauth2/token" {
		return "token", nil
	}
	if !apiPath.MatchString(path) {
		return "", fmt.Errorf("%s %s: not a REST API path of %s", method, path, salesforce.APIVersion)
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(path, "/services/data/v62.0/"), "/"), "/")
	isObject := func() error {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			return fmt.Errorf("%s %s: the body is not a JSON object: %v", method, path, err)
		}
		for k := range m {
			if !fieldName.MatchString(k) {
				return fmt.Errorf("%s %s: %q is not a field name", method, path, k)
			}
		}
		return nil
	}
	switch {
	case parts[0] == "query" && method == http.MethodGet:
		if len(parts) == 1 && !strings.HasPrefix(query.Get("q"), "SELECT ") {
			return "", fmt.Errorf("query without a SOQL SELECT: %q", query.Get("q"))
		}
		return "query", nil
	case parts[0] == "composite" && method == http.MethodPost:
		var req struct {
			AllOrNone        *bool `json:"allOrNone"`
			CompositeRequest []struct {
				Method, URL, ReferenceID string
				Body                     json.RawMessage
			} `json:"compositeRequest"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.AllOrNone == nil || len(req.CompositeRequest) == 0 || len(req.CompositeRequest) > 25 {
			return "", fmt.Errorf("composite body is not {allOrNone, compositeRequest[1..25]}: %s", body)
		}
		for _, sub := range req.CompositeRequest {
			u, err := url.Parse(strings.NewReplacer("@{", "", "}", "").Replace(sub.URL))
			if err != nil || sub.ReferenceID == "" {
				return "", fmt.Errorf("subrequest %+v", sub)
			}
			if _, err := kindOf(sub.Method, u.Path, u.Query(), sub.Body); err != nil {
				return "", fmt.Errorf("subrequest %s: %w", sub.ReferenceID, err)
			}
		}
		return "composite", nil
	case parts[0] != "sobjects":
		return "", fmt.Errorf("%s %s: no such resource", method, path)
	}
	switch {
	case len(parts) == 2 && method == http.MethodPost:
		return "create", isObject()
	case len(parts) == 3 && parts[2] == "deleted" && method == http.MethodGet:
		if query.Get("start") == "" || query.Get("end") == "" {
			return "", fmt.Errorf("getDeleted without start and end")
		}
		return "deleted", nil
	case len(parts) == 3 && method == http.MethodGet:
		return "sobject", nil
	case len(parts) == 3 && method == http.MethodPatch:
		if !recordID.MatchString(parts[2]) {
			return "", fmt.Errorf("PATCH of a malformed id %q", parts[2])
		}
		return "", isObject()
	case len(parts) == 3 && method == http.MethodDelete:
		return "", nil
	case len(parts) == 4 && method == http.MethodPatch:
		if !fieldName.MatchString(parts[2]) {
			return "", fmt.Errorf("upsert by %q, not a field", parts[2])
		}
		return "upsert", isObject()
	}
	return "", fmt.Errorf("%s %s: no such operation", method, path)
}

// checkAnswer checks an answer of kind against the guide.
func checkAnswer(t *testing.T, kind string, status int, query url.Values, body []byte, subs []subreq) []string {
	if len(bytes.TrimSpace(body)) == 0 {
		if status == http.StatusNoContent || kind == "" {
			return nil
		}
		return []string{fmt.Sprintf("%s: %d with no body", kind, status)}
	}
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		return []string{fmt.Sprintf("%s: not JSON: %v", kind, err)}
	}
	switch {
	case status == http.StatusMultipleChoices:
		kind = "multiple"
	case status >= 400:
		kind = "error"
	case kind == "query":
		if m, _ := got.(map[string]any); m != nil && m["done"] == false {
			kind = "query-more"
		} else {
			kind = "query-done"
		}
	}
	if kind == "" {
		return []string{fmt.Sprintf("%d answer with a body where none is documented: %s", status, body)}
	}
	problems := conform(guideShape(t, kind), got, kind)
	if strings.HasPrefix(kind, "query") && query.Get("q") != "" {
		problems = append(problems, selectedFields(query.Get("q"), got)...)
	}
	if kind == "composite" {
		var resp struct {
			CompositeResponse []struct {
				Body           json.RawMessage
				HTTPStatusCode int
				ReferenceID    string
			}
		}
		_ = json.Unmarshal(body, &resp)
		for i, sr := range resp.CompositeResponse {
			if i >= len(subs) || subs[i].ref != sr.ReferenceID {
				problems = append(problems, fmt.Sprintf("composite: answer %d is %q, not its subrequest's", i, sr.ReferenceID))
				continue
			}
			problems = append(problems, checkAnswer(t, subs[i].kind, sr.HTTPStatusCode, subs[i].query, sr.Body, nil)...)
		}
	}
	return problems
}

// selectedFields checks that every record of a query has each plain
// field its SELECT named.
func selectedFields(soql string, got any) []string {
	list, _, _ := strings.Cut(strings.TrimPrefix(soql, "SELECT "), " FROM ")
	m, _ := got.(map[string]any)
	recs, _ := m["records"].([]any)
	var out []string
	for _, r := range recs {
		rec, _ := r.(map[string]any)
		for _, f := range strings.Split(list, ",") {
			f = strings.TrimSpace(f)
			name, _, _ := strings.Cut(f, ".")
			if _, ok := rec[name]; !ok {
				out = append(out, fmt.Sprintf("query record lacks the selected field %s", f))
			}
		}
	}
	return out
}

type subreq struct {
	ref, kind string
	query     url.Values
}

// conformance wraps a client's (or token source's) transport: every
// request is checked against the guide's paths and bodies, every answer
// against its guide shape.
func conformance(t *testing.T, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if r.URL.Path == "/services/oauth2/token" {
			body = nil
		}
		kind, err := kindOf(r.Method, r.URL.Path, r.URL.Query(), body)
		if err != nil {
			t.Errorf("request: %v", err)
		}
		var subs []subreq
		if kind == "composite" {
			var req struct {
				CompositeRequest []struct{ Method, URL, ReferenceID string } `json:"compositeRequest"`
			}
			_ = json.Unmarshal(body, &req)
			for _, s := range req.CompositeRequest {
				u, _ := url.Parse(strings.NewReplacer("@{", "", "}", "").Replace(s.URL))
				k, _ := kindOf(s.Method, u.Path, u.Query(), []byte("{}"))
				subs = append(subs, subreq{ref: s.ReferenceID, kind: k, query: u.Query()})
			}
		}
		if r.URL.Path != "/services/oauth2/token" && !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("request %s %s: no bearer token", r.Method, r.URL.Path)
		}
		resp, err := next.RoundTrip(r)
		if err != nil {
			return resp, err
		}
		answer, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(answer))
		if rerr != nil {
			return resp, nil
		}
		if resp.Header.Get("Sforce-Limit-Info") == "" && resp.StatusCode != http.StatusUnauthorized && r.URL.Path != "/services/oauth2/token" {
			t.Errorf("%s %s: answer without Sforce-Limit-Info", r.Method, r.URL.Path)
		}
		for _, p := range checkAnswer(t, kind, resp.StatusCode, r.URL.Query(), answer, subs) {
			t.Errorf("answer to %s %s: %s", r.Method, r.URL.Path, p)
		}
		return resp, nil
	})
}

// The crm contract with every request checked against the guide's paths
// and bodies and every answer against its examples' shapes.
func TestConformanceContract(t *testing.T) {
	crmtest.Run(t, harness(conformance))
}

// Every kind of answer the connector reads, from the sandbox, in the
// guide's shapes: the token endpoint, queries over pages, create,
// upserts (created, updated, 300), getDeleted, the Composite API with a
// rolled-back failure, and the error array.
func TestGuideShapedAnswers(t *testing.T) {
	srv := salesforcetest.NewServer()
	t.Cleanup(srv.Close)
	hc := connectortest.TestClient(t, func(next http.RoundTripper) http.RoundTripper { return conformance(t, next) })
	src, err := oauth.NewSource(oauth.Config{OAuth2: srv.OAuthConfig(), Store: oauth.NewMemoryStore(nil), HTTPClient: hc})
	require.NoError(t, err)
	ctx := context.Background()
	tok, err := src.Exchange(ctx, srv.AuthorizationCode(), "")
	require.NoError(t, err)
	base, err := salesforce.InstanceURL(tok)
	require.NoError(t, err)
	client, err := salesforce.New(salesforce.Config{BaseURL: base, Auth: salesforce.OAuth2(src, srv.OAuthConfig())},
		connector.WithHTTPClient(hc), connector.WithRetryPolicy(fastRetry))
	require.NoError(t, err)

	start := srv.Now()
	for i := range 205 { // past one page of 200
		_, err := client.Contacts.Create(ctx, crm.Contact{Email: fmt.Sprintf("g%03d@example.com", i)})
		require.NoError(t, err)
	}
	n := 0
	for _, err := range client.Contacts.List(ctx, crm.ListOptions{}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 205, n)
	c, err := client.Contacts.Upsert(ctx, crm.Contact{Email: "g000@example.com", FirstName: "Updated"})
	require.NoError(t, err)
	_, err = client.Contacts.Upsert(ctx, crm.Contact{Email: "new@example.com", LastName: "New"})
	require.NoError(t, err)
	_, err = client.RecordSale(ctx, sale("G1"), connector.WithIdempotencyKey("k-g1"))
	require.NoError(t, err)
	bad := sale("G2")
	bad.Deal.Stage = "no-such-stage"
	_, err = client.RecordSale(ctx, bad, connector.WithIdempotencyKey("k-g2"))
	require.ErrorIs(t, err, connector.ErrValidation)
	srv.AddDuplicateKey("Opportunity", "k-dup", map[string]string{"Name": "A"})
	srv.AddDuplicateKey("Opportunity", "k-dup", map[string]string{"Name": "B"})
	_, err = client.Deals.Upsert(ctx, crm.Deal{Name: "C"}, connector.WithIdempotencyKey("k-dup"))
	require.ErrorIs(t, err, connector.ErrConflict)
	require.NoError(t, client.Contacts.Delete(ctx, c.ID))
	deleted, err := client.Contacts.Deleted(ctx, start, srv.Now().Add(time.Minute))
	require.NoError(t, err)
	assert.Len(t, deleted, 1)
	_, err = client.Contacts.Update(ctx, c.ID, crm.Contact{FirstName: "Gone"})
	require.ErrorIs(t, err, connector.ErrNotFound)
	srv.ExpireSessions() // 401 INVALID_SESSION_ID, a refresh at the token endpoint, a replay
	_, err = client.Contacts.FindByEmail(ctx, "g001@example.com")
	require.NoError(t, err)
}

// The checker itself: a missing, misspelt or mistyped field fails it.
func TestGuideChecker(t *testing.T) {
	want := guideShape(t, "upsert")
	for name, body := range map[string]string{
		"missing":  `{"id":"003000000000001AAA","errors":[],"success":true}`,
		"misspelt": `{"Id":"003000000000001AAA","errors":[],"success":true,"created":true}`,
		"mistyped": `{"id":"003000000000001AAA","errors":[],"success":"true","created":true}`,
	} {
		var got any
		require.NoError(t, json.Unmarshal([]byte(body), &got))
		assert.NotEmpty(t, conform(want, got, "upsert"), name)
	}
	var ok any
	require.NoError(t, json.Unmarshal([]byte(`{"id":"003000000000001AAA","errors":[],"success":true,"created":false,"extra":1}`), &ok))
	assert.Empty(t, conform(want, ok, "upsert"))
	assert.NotEmpty(t, selectedFields("SELECT Id, Email FROM Contact", map[string]any{"records": []any{map[string]any{"Id": "x"}}}))
}
