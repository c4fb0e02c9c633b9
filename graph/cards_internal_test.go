package graph

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestBoardCardsCoverSchema: boardCards knows every field of BoardCard and
// BoardCardJob, and no other; a field added to the schema has to be added
// to renderCards (or the board quietly takes gqlgen's generic path).
func TestBoardCardsCoverSchema(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	for typ, known := range map[string]map[string]bool{"BoardCard": cardFields, "BoardCardJob": jobFields} {
		def := schema.Types[typ]
		if def == nil {
			t.Fatalf("no type %s", typ)
		}
		seen := map[string]bool{"__typename": true}
		for _, f := range def.Fields {
			seen[f.Name] = true
			if !known[f.Name] {
				t.Errorf("%s.%s is not rendered by boardCards", typ, f.Name)
			}
		}
		for name := range known {
			if !seen[name] {
				t.Errorf("boardCards renders %s.%s, which the schema does not have", typ, name)
			}
		}
	}
}

// TestAppendGQLString: strings are spelled as gqlgen's MarshalString
// spells them.
func TestAppendGQLString(t *testing.T) {
	for _, s := range []string{"", "plain", "粤B·•••45", `a "quoted" \ back`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f", "\u2028\u2029",
		"bad \xff\xfe utf-8", "</script>&<", "end\\"} {
		var want bytes.Buffer
		graphql.MarshalString(s).MarshalGQL(&want)
		if got := appendGQLString(nil, s); string(got) != want.String() {
			t.Errorf("%q: %s, gqlgen %s", s, got, want.String())
		}
	}
}
