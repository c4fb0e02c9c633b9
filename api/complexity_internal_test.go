package api

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
)

// listSchema is a schema whose Query.items costs its first argument times
// its selection, the only complexity function it has; it counts the calls.
type listSchema struct {
	schema *ast.Schema
	calls  int
}

func (s *listSchema) Schema() *ast.Schema                              { return s.schema }
func (s *listSchema) Exec(ctx context.Context) graphql.ResponseHandler { return nil }
func (s *listSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	s.calls++
	if typeName+"."+field != "Query.items" {
		return 0, false
	}
	switch first := args["first"].(type) {
	case int:
		return first * child, true
	case int64:
		return int(first) * child, true
	}
	return 0, true
}

// TestComplexityVariables: where a variable reaches a field with a
// complexity function, each set of variables is costed on its own; where
// none does, the document is costed once for all of them.
func TestComplexityVariables(t *testing.T) {
	t.Parallel()
	es := &listSchema{schema: gqlparser.MustLoadSchema(&ast.Source{Input: `
		type Query { items(first: Int!): [Item!]!  item(id: ID!): Item }
		type Item { id: ID! name: String }`})}
	c := newComplexityLimit(50)
	if err := c.Validate(es); err != nil {
		t.Fatalf("validate: %v", err)
	}
	run := func(query string, vars map[string]any) (int, string) {
		t.Helper()
		doc, errs := gqlparser.LoadQuery(es.schema, query)
		if len(errs) > 0 {
			t.Fatalf("query: %v", errs)
		}
		coerced, err := validator.VariableValues(es.schema, doc.Operations[0], vars)
		if err != nil {
			t.Fatalf("variables: %v", err)
		}
		opCtx := &graphql.OperationContext{RawQuery: query, Doc: doc, Variables: coerced}
		code := ""
		if gerr := c.MutateOperationContext(context.Background(), opCtx); gerr != nil {
			code, _ = gerr.Extensions["code"].(string)
		}
		return opCtx.Stats.GetExtension("ComplexityLimit").(*extension.ComplexityStats).Complexity, code
	}
	t.Run("OK", func(t *testing.T) {
		const q = `query($n: Int!) { items(first: $n) { id name } }`
		for _, tc := range []struct {
			n    int
			want int
			code string
		}{{2, 4, ""}, {100, 200, "COMPLEXITY_LIMIT_EXCEEDED"}, {2, 4, ""}, {30, 60, "COMPLEXITY_LIMIT_EXCEEDED"}} {
			if got, code := run(q, map[string]any{"n": tc.n}); got != tc.want || code != tc.code {
				t.Fatalf("first=%d: complexity=%d code=%q, want %d and %q", tc.n, got, code, tc.want, tc.code)
			}
		}
	})
	t.Run("OKVariablesThatDoNotCount", func(t *testing.T) {
		const q = `query($id: ID!) { item(id: $id) { id name } }`
		if got, _ := run(q, map[string]any{"id": "a"}); got != 3 {
			t.Fatalf("complexity=%d, want 3", got)
		}
		calls := es.calls
		for _, id := range []string{"b", "c", "d"} {
			if got, _ := run(q, map[string]any{"id": id}); got != 3 {
				t.Fatalf("id=%s: complexity=%d, want 3", id, got)
			}
		}
		if es.calls != calls {
			t.Fatalf("complexity calls=%d for three more ids, want 0 (costed once for all)", es.calls-calls)
		}
	})
}
