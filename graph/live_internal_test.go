package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestAfterOnlyVariable: a variable is left out of the rendering shape only
// when it is the root field's `after` and nothing else uses it.
func TestAfterOnlyVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query, want string
	}{
		{"AfterOnly", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) { cursor } }`, "a"},
		{"AfterLiteral", `subscription ($s: ID!) { boardFeed(siteId: $s, after: "12") { cursor } }`, ""},
		{"NoAfter", `subscription ($s: ID!) { boardFeed(siteId: $s) { cursor } }`, ""},
		{"AlsoInField", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) { cursor card { number(x: $a) } } }`, ""},
		{"AlsoInFragment", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) { ...F } } fragment F on BoardUpdate { card @skip(if: $a) { number } }`, ""},
		{"AlsoInDirective", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) @include(if: $a) { cursor } }`, ""},
		{"AlsoInList", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) { card { jobs(f: [{x: $a}]) { id } } } }`, ""},
		{"OtherVariable", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $a, after: $s) { cursor } }`, "s"},
		{"TwoRootFields", `subscription ($s: ID!, $a: String) { boardFeed(siteId: $s, after: $a) { cursor } x: boardFeed(siteId: $s) { cursor } }`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tt.query})
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			oc := &graphql.OperationContext{RawQuery: tt.query, Doc: doc, Operation: doc.Operations[0]}
			if got := afterOnlyVariable(oc); got != tt.want {
				t.Fatalf("afterOnlyVariable=%q, want %q", got, tt.want)
			}
		})
	}
}
