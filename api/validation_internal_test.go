package api

import (
	"context"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestFieldMeterBounded counts the meter's own steps: whatever the
// document, it stops within about twice MaxFields, and stops early on a
// repeat.
func TestFieldMeterBounded(t *testing.T) {
	t.Parallel()
	// A fragment bomb: 10 spreads of 10 spreads of ... 6 levels deep, a
	// million fields once expanded, in a few hundred tokens.
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range 6 {
		b.WriteString("fragment F" + string(rune('0'+i)) + " on Query { ")
		for j := range 10 {
			b.WriteString("...F" + string(rune('0'+i+1)))
			if j < 9 {
				b.WriteString(" ")
			}
		}
		b.WriteString(" }\n")
	}
	b.WriteString("fragment F6 on Query { a: __typename b: __typename c: __typename }\n")
	tests := []struct {
		name     string
		query    string
		repeats  int
		maxSteps int
		refused  bool
	}{
		{"ErrFragmentBomb/Repeats", b.String(), 10, 100, true},
		{"ErrFragmentBomb/Fields", b.String(), 0, 2*1000 + 20, true},
		{"ErrRepeats", "{" + strings.Repeat(" __typename", 4900) + "}", 10, 11, true},
		{"OK/CycleLeftToValidation", "{ ...A } fragment A on Query { ...A __typename }", 10, 10, false},
		{"OK", "{ viewer { id name } sites { id name bays { id } } }", 10, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: tt.query})
			if err != nil {
				t.Fatal(err)
			}
			m := newFieldMeter(doc, 1000, tt.repeats)
			gerr := m.measure()
			if (gerr != nil) != tt.refused {
				t.Fatalf("refused=%v (%v), want %v", gerr != nil, gerr, tt.refused)
			}
			if m.visited > tt.maxSteps {
				t.Fatalf("steps=%d, want at most %d", m.visited, tt.maxSteps)
			}
		})
	}
}

// TestQueryCachesBounded: the caches keep no document over maxCachedQuery,
// so their memory is bounded whatever clients send.
func TestQueryCachesBounded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	docs := smallDocs{lru.New[*ast.QueryDocument](10)}
	small, big := "{ viewer { id } }", "{ viewer { id } }"+strings.Repeat(" ", maxCachedQuery)
	docs.Add(ctx, small, &ast.QueryDocument{})
	docs.Add(ctx, big, &ast.QueryDocument{})
	if _, ok := docs.Get(ctx, small); !ok {
		t.Fatalf("small document not cached")
	}
	if _, ok := docs.Get(ctx, big); ok {
		t.Fatalf("document of %d bytes cached, want at most %d", len(big), maxCachedQuery)
	}
	queries := smallQueries{lru.New[string](10)}
	queries.Add(ctx, "h1", small)
	queries.Add(ctx, "h2", big)
	if _, ok := queries.Get(ctx, "h1"); !ok {
		t.Fatalf("small persisted query not cached")
	}
	if _, ok := queries.Get(ctx, "h2"); ok {
		t.Fatalf("persisted query of %d bytes cached", len(big))
	}
}
