package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"bayboard/board"
	"bayboard/shop"
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

// TestRenderMemo: one rendering per update and shape, kept for the latest
// size updates only; a replayed update (another value at the same
// position) gets its own.
func TestRenderMemo(t *testing.T) {
	t.Parallel()
	m := newRenderMemo(2)
	u1 := &board.Update{Event: &shop.Event{Pos: 1}}
	u1replay := &board.Update{Event: &shop.Event{Pos: 1}}
	u2, u3 := &board.Update{Event: &shop.Event{Pos: 2}}, &board.Update{Event: &shop.Event{Pos: 3}}
	r := m.get(u1, "board")
	tests := []struct {
		name string
		same bool
		got  *rendered
	}{
		{"OK/SameShape", true, m.get(u1, "board")},
		{"OK/OtherShape", false, m.get(u1, "tech")},
		{"OK/Replay", false, m.get(u1replay, "board")},
		{"OK/StillHeld", true, m.get(u1, "board")},
		{"OK/Evicted", false, func() *rendered { m.get(u2, "board"); return m.get(u1, "board") }()}, // u2 evicts u1: size 2
	}
	for _, tt := range tests {
		if (tt.got == r) != tt.same {
			t.Fatalf("%s: same rendering=%v, want %v", tt.name, tt.got == r, tt.same)
		}
	}
	m.get(u3, "board")
	if n := m.len(); n != 2 {
		t.Fatalf("updates held=%d, want 2", n)
	}
}
