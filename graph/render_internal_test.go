package graph

import (
	"bytes"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// TestDirectListsMatchSchema: every field directLists writes is a field
// of its type in the schema, without arguments, and the board's cards and
// jobs and the visits' connection are written whole (a field added to them
// has to be added to cards.go or history.go, or they quietly go the
// generic way).
func TestDirectListsMatchSchema(t *testing.T) {
	schema := NewExecutableSchema(Config{Resolvers: &Resolver{}}).Schema()
	for _, c := range []struct {
		typ   string
		names []string
		whole bool
	}{
		{"BoardCard", keys(cardType.fields, cardType.nested), true},
		{"BoardCardJob", keys(cardJobType.fields, cardJobType.nested), true},
		{"VisitConnection", keys(visitConnectionType.fields, visitConnectionType.nested), true},
		{"VisitEdge", keys(visitEdgeType.fields, visitEdgeType.nested), true},
		{"PageInfo", keys(pageInfoType.fields, pageInfoType.nested), true},
		{"Visit", keys(visitType.fields, visitType.nested), false},
		{"Vehicle", keys(vehicleType.fields, vehicleType.nested), false},
		{"RepairOrder", keys(orderType.fields, orderType.nested), false},
		{"Job", keys(jobType.fields, jobType.nested), false},
		{"PartLine", keys(partLineType.fields, partLineType.nested), false},
	} {
		def := schema.Types[c.typ]
		if def == nil {
			t.Fatalf("no type %s", c.typ)
		}
		written := map[string]bool{}
		for _, n := range c.names {
			written[n] = true
			if f := def.Fields.ForName(n); f == nil {
				t.Errorf("directLists writes %s.%s, which the schema does not have", c.typ, n)
			} else if len(f.Arguments) > 0 {
				t.Errorf("directLists writes %s.%s, which takes arguments", c.typ, n)
			}
		}
		for _, f := range def.Fields {
			if c.whole && !written[f.Name] {
				t.Errorf("%s.%s is not written by directLists", c.typ, f.Name)
			}
		}
	}
}

func keys[F, L any](fields map[string]F, lists map[string]L) []string {
	var out []string
	for k := range fields {
		out = append(out, k)
	}
	for k := range lists {
		out = append(out, k)
	}
	return out
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
