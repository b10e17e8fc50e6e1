package spec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Exception excuses one known defect of a vendor spec, never a whole check.
// Each one names the operation it applies to, the text of the validation
// error it excuses, and why (a defect listed in the spec folder's
// SOURCES*.md, or a difference between the spec and the live API).
type Exception struct {
	Operation string // operationId, "METHOD /path/template", or "*" for every operation
	Contains  string // a substring of the validation error
	Why       string
}

// OpenAPI is a loaded spec, ready to validate traffic.
type OpenAPI struct {
	doc        *openapi3.T
	router     routers.Router
	server     *url.URL
	exceptions []Exception
	aliases    []alias
}

type alias struct{ from, to, why string }

// WithAlias validates requests whose path starts with from as if it
// started with to: for a spec that documents a path other than the one the
// API serves and the connector uses (HubSpot's deals spec has
// /crm/v3/objects/0-3 for /crm/v3/objects/deals). why is required.
func (o *OpenAPI) WithAlias(from, to, why string) *OpenAPI {
	c := *o
	c.aliases = append(append([]alias(nil), o.aliases...), alias{from, to, why})
	return &c
}

var (
	loadMu sync.Mutex
	loaded = map[string]*OpenAPI{} // large specs are loaded once per test binary
)

// LoadOpenAPI loads rel (a path under the spec folder) with the given
// exceptions. Specs load with example validation off: almost every vendor
// spec ships examples of the wrong type (see the folder's README), and
// examples play no part in validating traffic.
func LoadOpenAPI(t testing.TB, rel string, exceptions ...Exception) *OpenAPI {
	t.Helper()
	path := Path(t, rel)
	loadMu.Lock()
	defer loadMu.Unlock()
	o, ok := loaded[path]
	if !ok {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			t.Fatalf("conformance: loading %s: %v", rel, err)
		}
		router, err := gorillamux.NewRouter(doc)
		if err != nil && doc.Paths.Len() > 0 {
			t.Fatalf("conformance: routing %s: %v", rel, err)
		}
		if len(doc.Servers) == 0 {
			t.Fatalf("conformance: %s names no server", rel)
		}
		server, err := url.Parse(doc.Servers[0].URL)
		if err != nil {
			t.Fatalf("conformance: %s server URL: %v", rel, err)
		}
		o = &OpenAPI{doc: doc, router: router, server: server}

		loaded[path] = o
	}
	c := *o
	c.exceptions = exceptions
	return &c
}

// Transport returns a RoundTripper that validates every request before
// passing it to next, and every response it gets back, reporting each
// violation to r. Put it at the bottom of a client's stack (as its base
// transport) so that it sees what goes on the wire, auth headers included.
// Requests are matched as if sent to the spec's first server: a sandbox on
// 127.0.0.1 is checked as the vendor's host.
func (o *OpenAPI) Transport(r Reporter, next http.RoundTripper) http.RoundTripper {
	return Transport(r, next, o)
}

// Transport validates each request, and its response, against the first
// of specs that documents it; a request none documents is reported. A
// vendor's API is often split over several spec files.
func Transport(r Reporter, next http.RoundTripper, specs ...*OpenAPI) http.RoundTripper {
	return &validatingTransport{specs: specs, r: r, next: next}
}

type validatingTransport struct {
	specs []*OpenAPI
	r     Reporter
	next  http.RoundTripper
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	reqBody, err := readAll(&req.Body)
	if err != nil {
		return nil, err
	}
	spec := v.specs[0]
	for _, s := range v.specs {
		if s.documents(req) {
			spec = s
			break
		}
	}
	input, verr := spec.ValidateRequest(req, reqBody)
	v.report(spec, req, input, "request", verr)
	resp, err := v.next.RoundTrip(req)
	if err != nil || input == nil {
		return resp, err
	}
	respBody, err := readAll(&resp.Body)
	if err != nil {
		return nil, err
	}
	v.report(spec, req, input, "response", spec.ValidateResponse(input, resp, respBody))
	return resp, nil
}

// documents reports whether the spec has an operation for req.
func (o *OpenAPI) documents(req *http.Request) bool {
	_, _, err := o.findRoute(o.onServer(req))
	return err == nil
}

// findRoute finds the operation for r. gorillamux takes the first path
// template that matches, whatever the method: Xero's GET-only
// /Contacts/{ContactNumber} hides POST /Contacts/{ContactID}. On "method
// not allowed", every template is tried with the method too.
func (o *OpenAPI) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := o.router.FindRoute(r)
	if !errors.Is(err, routers.ErrMethodNotAllowed) {
		return route, params, err
	}
	rel := strings.TrimPrefix(r.URL.Path, strings.TrimSuffix(o.server.Path, "/"))
	for path, item := range o.doc.Paths.Map() {
		op := item.GetOperation(r.Method)
		if op == nil {
			continue
		}
		if params, ok := matchTemplate(path, rel); ok {
			return &routers.Route{Spec: o.doc, Path: path, PathItem: item, Method: r.Method, Operation: op}, params, nil
		}
	}
	return nil, nil, err
}

// matchTemplate matches a path against an OpenAPI path template.
func matchTemplate(template, path string) (map[string]string, bool) {
	ts, ps := strings.Split(strings.Trim(template, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ts) != len(ps) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return nil, false
			}
			v, err := url.PathUnescape(ps[i])
			if err != nil {
				return nil, false
			}
			params[t[1:len(t)-1]] = v
			continue
		}
		if t != ps[i] {
			return nil, false
		}
	}
	return params, true
}

// onServer is req as if sent to the spec's server, aliases applied.
func (o *OpenAPI) onServer(req *http.Request) *http.Request {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = o.server.Scheme, o.server.Host, o.server.Host
	for _, a := range o.aliases {
		if rest, ok := strings.CutPrefix(r.URL.Path, a.from); ok && (rest == "" || rest[0] == '/') {
			r.URL.Path, r.URL.RawPath = a.to+rest, ""
			break
		}
	}
	return r
}

// report sends every violation in err that no exception excuses.
func (v *validatingTransport) report(spec *OpenAPI, req *http.Request, input *openapi3filter.RequestValidationInput, what string, err error) {
	if err == nil {
		return
	}
	op := req.Method + " " + req.URL.Path
	var route *routers.Route
	if input != nil && input.Route != nil {
		route = input.Route
		if route.Operation != nil && route.Operation.OperationID != "" {
			op = route.Operation.OperationID
		}
	}
	for _, violation := range violations(err) {
		if route != nil && spec.excused(route, violation) {
			continue
		}
		v.r.Helper()
		v.r.Errorf("conformance: %s (%s %s): %s does not match the vendor spec: %s", op, req.Method, req.URL.Path, what, violation)
	}
}

// violations flattens kin-openapi's nested multi-errors into one message
// per violation, so that an exception excuses exactly one of them.
func violations(err error) []string {
	var out []string
	var walk func(prefix string, err error)
	walk = func(prefix string, err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(prefix, inner)
			}
		case *openapi3filter.ResponseError:
			if e.Err == nil {
				out = append(out, prefix+e.Reason)
				return
			}
			walk(prefix+e.Reason+": ", e.Err)
		case *openapi3filter.RequestError:
			if e.Err == nil {
				out = append(out, prefix+e.Error())
				return
			}
			reason := e.Reason
			if e.Parameter != nil {
				reason = strings.TrimSpace(fmt.Sprintf("parameter %q in %s %s", e.Parameter.Name, e.Parameter.In, e.Reason))
			}
			walk(prefix+reason+": ", e.Err)
		default:
			out = append(out, prefix+err.Error())
		}
	}
	walk("", err)
	return out
}

// ValidateRequest checks one request (with its body, read beforehand) and
// returns the matched route for validating the response.
func (o *OpenAPI) ValidateRequest(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	onServer := o.onServer(req)
	onServer.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := o.findRoute(onServer)
	if err != nil {
		return nil, fmt.Errorf("no operation in the spec for %s %s: %w", req.Method, req.URL.Path, err)
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    onServer,
		PathParams: params,
		Route:      route,
		// SkipSettingDefaults: validate what the client sent, not the body
		// with the spec's defaults filled in (some vendors' defaults are of
		// the wrong type, which would fail requests that never sent them).
		Options: &openapi3filter.Options{AuthenticationFunc: checkCredentials, MultiError: true,
			SkipSettingDefaults: true, SchemaValidationOptions: formats},
	}
	return input, openapi3filter.ValidateRequest(context.Background(), input)
}

// ValidateResponse checks a response (with its body) to a validated request.
func (o *OpenAPI) ValidateResponse(input *openapi3filter.RequestValidationInput, resp *http.Response, body []byte) error {
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: input,
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			SchemaValidationOptions: formats},
	})
}

func (o *OpenAPI) excused(route *routers.Route, msg string) bool {
	for _, e := range o.exceptions {
		opMatch := e.Operation == "*" || e.Operation == route.Method+" "+route.Path
		if route.Operation != nil && e.Operation == route.Operation.OperationID {
			opMatch = true
		}
		if opMatch && strings.Contains(msg, e.Contains) {
			return true
		}
	}
	return false
}

// formats are checked on top of kin-openapi's defaults: vendors put ids
// in uuid fields, and a malformed one is a bug worth catching.
var formats = []openapi3.SchemaValidationOption{
	openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
}

// checkCredentials checks that a request carries the credential its
// operation's security scheme asks for, in the right place.
func checkCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	s, req := in.SecurityScheme, in.RequestValidationInput.Request
	switch s.Type {
	case "apiKey":
		var present bool
		switch s.In {
		case "header":
			present = req.Header.Get(s.Name) != ""
		case "query":
			present = req.URL.Query().Get(s.Name) != ""
		case "cookie":
			_, err := req.Cookie(s.Name)
			present = err == nil
		}
		if !present {
			return fmt.Errorf("missing API key %s %q", s.In, s.Name)
		}
	case "http":
		scheme := strings.ToLower(s.Scheme)
		got := strings.ToLower(req.Header.Get("Authorization"))
		if !strings.HasPrefix(got, scheme+" ") {
			return fmt.Errorf("missing Authorization: %s credentials", s.Scheme)
		}
	case "oauth2", "openIdConnect":
		if !strings.HasPrefix(strings.ToLower(req.Header.Get("Authorization")), "bearer ") {
			return fmt.Errorf("missing OAuth2 bearer token")
		}
	}
	return nil
}

// readAll reads a body and puts back an identical one.
func readAll(body *io.ReadCloser) ([]byte, error) {
	if *body == nil || *body == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*body)
	(*body).Close()
	*body = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// Schema validates JSON values against one component schema, for payloads
// that no operation carries: a vendor's webhook bodies.
type Schema struct {
	name   string
	schema *openapi3.Schema
	is31   bool
}

// Schema returns the component schema name; the test fails if there is none.
func (o *OpenAPI) Schema(t testing.TB, name string) *Schema {
	t.Helper()
	ref := o.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		t.Fatalf("conformance: no component schema %q", name)
	}
	return &Schema{name: name, schema: ref.Value, is31: strings.HasPrefix(o.doc.OpenAPI, "3.1")}
}

// Validate checks a JSON document against the schema.
func (s *Schema) Validate(body []byte) error {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("%s: not JSON: %w", s.name, err)
	}
	opts := append([]openapi3.SchemaValidationOption{openapi3.MultiErrors()}, formats...)
	if s.is31 {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	if err := s.schema.VisitJSON(v, opts...); err != nil {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return nil
}
