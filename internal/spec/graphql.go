package spec

import (
	"fmt"
	"os"
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
