package easypost_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/patchbay-go/patchbay/internal/spec"
	"github.com/patchbay-go/patchbay/shipping/shippingtest"
)

// EasyPost publishes no machine-readable spec: the conformance reference is
// its example payloads (../shared/specs/easypost: the responses its docs
// show, and the event body its client libraries test against). shapes is
// what they say: for each kind of object (its "object" field, or where it
// sits when it has none) the JSON types each field takes. Every object the
// sandbox answers must fit: every field exists in the examples with a type
// they give it.
type shapes map[string]map[string]map[string]bool // kind -> field -> JSON types

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64, json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// kindOf is an object's kind: its "object" field, else where it sits.
func kindOf(obj map[string]any, where string) string {
	if k, ok := obj["object"].(string); ok && k != "" {
		return k
	}
	return where
}

func (s shapes) learn(where string, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	k := kindOf(obj, where)
	if s[k] == nil {
		s[k] = map[string]map[string]bool{}
	}
	add := func(f, t string) {
		if s[k][f] == nil {
			s[k][f] = map[string]bool{}
		}
		s[k][f][t] = true
	}
	for f, fv := range obj {
		add(f, jsonType(fv))
		switch x := fv.(type) {
		case map[string]any:
			s.learn(k+"."+f, x)
		case []any:
			for _, e := range x {
				add(f+"[]", jsonType(e))
				s.learn(k+"."+f+"[]", e)
			}
		}
	}
}

// check reports every field of v that is in no example of its kind, or has
// a type no example gives it. A field the examples only show as null takes
// any type: they say nothing of it.
func (s shapes) check(where, path string, v any, out *[]string) {
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	k := kindOf(obj, where)
	fields, ok := s[k]
	if !ok {
		*out = append(*out, fmt.Sprintf("%s: object kind %q is in no example", path, k))
		return
	}
	fits := func(f, t string) bool {
		types, ok := fields[f]
		return ok && (types[t] || (len(types) == 1 && types["null"]) || (t == "null" && nullable[k+"."+f] != ""))
	}
	for f, fv := range obj {
		if _, ok := fields[f]; !ok {
			*out = append(*out, fmt.Sprintf("%s.%s: no example of %s has this field", path, f, k))
			continue
		}
		if t := jsonType(fv); !fits(f, t) {
			*out = append(*out, fmt.Sprintf("%s.%s: %s, the examples of %s give %v", path, f, t, k, keys(fields[f])))
			continue
		}
		switch x := fv.(type) {
		case map[string]any:
			s.check(k+"."+f, path+"."+f, x, out)
		case []any:
			for i, e := range x {
				if t := jsonType(e); !fits(f+"[]", t) && len(fields[f+"[]"]) > 0 {
					*out = append(*out, fmt.Sprintf("%s.%s[%d]: %s, the examples give %v", path, f, i, t, keys(fields[f+"[]"])))
				}
				s.check(k+"."+f+"[]", fmt.Sprintf("%s.%s[%d]", path, f, i), e, out)
			}
		}
	}
}

// nullable are the fields the sandbox may answer null where every example
// has a value, each with why.
var nullable = map[string]string{
	"Address.phone":         "an address given without a phone: EasyPost answers null for fields not given, as addresses-create.json shows for name and email",
	"Shipment.customs_info": "a domestic shipment has no customs info; the examples are all international",
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// loadShapes learns every example payload of EasyPost's. A list's root
// ({"shipments": [...], "has_more": ...}) and an error's are kinds of
// their own: "list" and "error".
func loadShapes(t *testing.T) shapes {
	t.Helper()
	dir := filepath.Dir(spec.Path(t, "easypost/responses/shipments-create.json"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	files = append(files, spec.Path(t, "easypost/fixtures/event-body.json"))
	s := shapes{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var v any
		require.NoError(t, json.Unmarshal(raw, &v), f)
		s.learn(rootKind(v), v)
	}
	require.Contains(t, s, "Shipment")
	require.Contains(t, s, "Tracker")
	return s
}

// rootKind names an answer's root: an error, a list, or the object's own.
func rootKind(v any) string {
	obj, _ := v.(map[string]any)
	switch {
	case obj["error"] != nil:
		return "error"
	case obj["has_more"] != nil:
		return "list"
	}
	return "root"
}

// checkAnswer checks one answer body. A list's items are checked as the
// objects they are, whatever the list is called (the examples list
// shipments only).
func (s shapes) checkAnswer(body []byte) []string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var out []string
	obj, _ := v.(map[string]any)
	if rootKind(v) == "list" {
		for f, fv := range obj {
			if f == "has_more" {
				if jsonType(fv) != "boolean" {
					out = append(out, "has_more is not a boolean")
				}
				continue
			}
			items, ok := fv.([]any)
			if !ok {
				out = append(out, "list field "+f+" is not an array")
				continue
			}
			for i, e := range items {
				s.check("list."+f+"[]", fmt.Sprintf("%s[%d]", f, i), e, &out)
			}
		}
		return out
	}
	s.check(rootKind(v), "$", v, &out)
	return out
}

// conformingTransport checks every answer that comes back through it.
type conformingTransport struct {
	t      *testing.T
	shapes shapes
	next   http.RoundTripper

	mu      sync.Mutex
	checked int
}

func (c *conformingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	if v := c.shapes.checkAnswer(body); len(v) > 0 {
		c.t.Errorf("%s %s answered %d, not as EasyPost's examples:\n  %s", r.Method, r.URL.Path, resp.StatusCode, strings.Join(v, "\n  "))
	}
	c.mu.Lock()
	c.checked++
	c.mu.Unlock()
	return resp, nil
}

// The contract with every answer of the sandbox checked against EasyPost's
// example payloads.
func TestConformanceContract(t *testing.T) {
	s := loadShapes(t)
	var all []*conformingTransport
	var mu sync.Mutex
	shippingtest.Run(t, harness(func(t *testing.T, next http.RoundTripper) http.RoundTripper {
		c := &conformingTransport{t: t, shapes: s, next: next}
		mu.Lock()
		all = append(all, c)
		mu.Unlock()
		return c
	}))
	n := 0
	for _, c := range all {
		n += c.checked
	}
	assert.Greater(t, n, 20, "answers checked")
}

// The sandbox's tracker events fit the event body EasyPost's libraries
// test with.
func TestConformanceWebhookEvent(t *testing.T) {
	s := loadShapes(t)
	srv, client := sandbox(t, nil)
	label := buyOne(t, client)
	require.True(t, srv.AdvanceTracking(label.Carrier, label.TrackingNumber))
	body := srv.TrackerEvent(label.TrackingNumber)
	require.NotNil(t, body)
	assert.Empty(t, s.checkAnswer(body))
}

// The checker fails what it should: a field no example has, a field of
// another type, an unknown kind, an error body of another shape. Each
// mutation of a conforming answer is caught.
func TestConformanceCheckerCatches(t *testing.T) {
	s := loadShapes(t)
	ok := `{"id":"rate_1","object":"Rate","rate":"8.20","delivery_days":3,"carrier":"USPS"}`
	require.Empty(t, s.checkAnswer([]byte(ok)))
	for name, body := range map[string]string{
		"unknown field":  `{"id":"rate_1","object":"Rate","price":"8.20"}`,
		"money as float": `{"id":"rate_1","object":"Rate","rate":8.2}`,
		"days as string": `{"id":"rate_1","object":"Rate","delivery_days":"3"}`,
		"unknown kind":   `{"id":"x_1","object":"Mystery"}`,
		"nested":         `{"id":"shp_1","object":"Shipment","options":{"currency":1}}`,
		"list item":      `{"shipments":[{"object":"Shipment","is_return":"no"}],"has_more":false}`,
		"error shape":    `{"error":{"code":"X","message":"m","errors":[{"field":"f","message":"m","hint":"h"}]}}`,
	} {
		assert.NotEmpty(t, s.checkAnswer([]byte(body)), name)
	}
}
