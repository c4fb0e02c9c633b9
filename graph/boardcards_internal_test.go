package graph

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestBoardCardsMatchSchema: boardCards' tables hold exactly the fields of
// BoardCard and BoardCardJob in the schema, none of which takes arguments
// or carries a directive (a field added to the schema and not to the
// tables would quietly send every board to gqlgen; a directive would be
// skipped by the tables).
func TestBoardCardsMatchSchema(t *testing.T) {
	t.Parallel()
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	if f := schema.Types["BoardSnapshot"].Fields.ForName("cards"); f == nil || f.Type.String() != "[BoardCard!]!" || len(f.Directives) > 0 {
		t.Fatalf("BoardSnapshot.cards=%v, want [BoardCard!]! without directives", f)
	}
	for _, c := range []struct {
		typ     string
		written func(string) bool
		count   int
	}{
		{"BoardCard", func(n string) bool { return cardFields[n] != nil || n == "jobs" }, len(cardFields) + 1},
		{"BoardCardJob", func(n string) bool { return jobFields[n] != nil }, len(jobFields)},
	} {
		def := schema.Types[c.typ]
		if def == nil || len(def.Directives) > 0 {
			t.Fatalf("type %s=%v, want one without directives", c.typ, def)
		}
		if len(def.Fields) != c.count {
			t.Errorf("%s has %d fields, the tables write %d", c.typ, len(def.Fields), c.count)
		}
		for _, f := range def.Fields {
			switch {
			case !c.written(f.Name):
				t.Errorf("%s.%s is not written by boardCards", c.typ, f.Name)
			case len(f.Arguments) > 0 || len(f.Directives) > 0:
				t.Errorf("%s.%s takes arguments or carries directives, which boardCards does not apply", c.typ, f.Name)
			}
		}
	}
}

// TestAppendGQLString: strings are spelled as gqlgen's MarshalString
// spells them.
func TestAppendGQLString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "plain", "粤B·•••45", `a "quoted" \ back`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f", "\u2028\u2029",
		"bad \xff\xfe utf-8", "</script>&<", "end\\"} {
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if got := appendGQLString(nil, s); string(got) != want.String() {
			t.Errorf("%q: %s, gqlgen %s", s, got, want.String())
		}
	}
}
