package spec

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	_ "github.com/vektah/gqlparser/v2/validator/rules" // registers the standard validation rules
)

// GraphQL is a loaded schema, for validating documents and variables.
type GraphQL struct {
	schema *ast.Schema
}

var (
	gqlMu     sync.Mutex
	gqlLoaded = map[string]*GraphQL{}
)

// LoadGraphQL loads an SDL schema file under the spec folder. Shopify's SDL
// redeclares the built-in scalars and directives that gqlparser's prelude
// already defines; those redeclarations are dropped, everything else is
// kept as the vendor wrote it.
func LoadGraphQL(t testing.TB, rel string) *GraphQL {
	t.Helper()
	path := Path(t, rel)
	gqlMu.Lock()
	defer gqlMu.Unlock()
	if g, ok := gqlLoaded[path]; ok {
		return g
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := loadSDL(string(src), rel)
	if err != nil {
		t.Fatalf("conformance: loading %s: %v", rel, err)
	}
	g := &GraphQL{schema: schema}
	gqlLoaded[path] = g
	return g
}

func loadSDL(sdl, name string) (*ast.Schema, error) {
	prelude, err := parser.ParseSchema(validator.Prelude)
	if err != nil {
		return nil, err
	}
	doc, err := parser.ParseSchema(&ast.Source{Name: name, Input: sdl})
	if err != nil {
		return nil, err
	}
	builtin := map[string]bool{}
	for _, d := range prelude.Definitions {
		builtin[d.Name] = true
	}
	builtinDirective := map[string]bool{}
	for _, d := range prelude.Directives {
		builtinDirective[d.Name] = true
	}
	kept := doc.Definitions[:0]
	for _, d := range doc.Definitions {
		if !builtin[d.Name] {
			kept = append(kept, d)
		}
	}
	doc.Definitions = kept
	keptDirectives := doc.Directives[:0]
	for _, d := range doc.Directives {
		if !builtinDirective[d.Name] {
			keptDirectives = append(keptDirectives, d)
		}
	}
	doc.Directives = keptDirectives
	prelude.Merge(doc)
	return validator.ValidateSchemaDocument(prelude)
}

// Validate checks a query or mutation, and its variables, against the
// schema. It returns every problem found, or nil.
func (g *GraphQL) Validate(query string, variables map[string]any) error {
	q, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return err
	}
	if errs := validator.Validate(g.schema, q); len(errs) > 0 {
		return errs
	}
	for _, op := range q.Operations {
		if _, err := validator.VariableValues(g.schema, op, variables); err != nil {
			return fmt.Errorf("variables of %q: %w", op.Name, err)
		}
	}
	return nil
}

// GraphQLException excuses one known gap between a saved schema and the
// API version a connector pins, with a link to the changelog.
type GraphQLException struct {
	Contains string // a substring of the validation error
	Why      string
}

// Transport validates the document and variables of every GraphQL request
// (a JSON body with query, variables, operationName) against the schema,
// reporting violations no exception excuses.
func (g *GraphQL) Transport(r Reporter, next http.RoundTripper, exceptions ...GraphQLException) http.RoundTripper {
	return roundTripper(func(req *http.Request) (*http.Response, error) {
		body, err := readAll(&req.Body)
		if err != nil {
			return nil, err
		}
		var gql struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		if err := json.Unmarshal(body, &gql); err != nil || gql.Query == "" {
			r.Helper()
			r.Errorf("conformance: %s %s: not a GraphQL request body", req.Method, req.URL.Path)
			return next.RoundTrip(req)
		}
		for _, violation := range g.violations(gql.Query, gql.Variables) {
			excused := false
			for _, e := range exceptions {
				if strings.Contains(violation, e.Contains) {
					excused = true
				}
			}
			if !excused {
				r.Helper()
				r.Errorf("conformance: GraphQL document does not match the schema: %s\n%s", violation, gql.Query)
			}
		}
		return next.RoundTrip(req)
	})
}

func (g *GraphQL) violations(query string, vars map[string]any) []string {
	q, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range validator.Validate(g.schema, q) {
		out = append(out, e.Message)
	}
	if len(out) > 0 {
		return out
	}
	for _, op := range q.Operations {
		if _, err := validator.VariableValues(g.schema, op, vars); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Schema returns the parsed schema, for a sandbox that validates documents.
func (g *GraphQL) Schema() *ast.Schema { return g.schema }
