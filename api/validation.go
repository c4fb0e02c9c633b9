package api

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// codeTooManyFields refuses a document whose validation would cost too much.
const codeTooManyFields = "TOO_MANY_FIELDS"

func init() {
	// Like a validation failure: the document is refused before it runs
	// (over HTTP: 200 as application/json, 400 as graphql-response+json).
	errcode.RegisterErrorType(codeTooManyFields, errcode.KindProtocol)
}

// validationBudget bounds what gqlparser's validation of a new document may
// cost, before it runs. Parsing is linear in the document (and bounded by
// the token limit), validation is not: OverlappingFieldsCanBeMerged compares
// every pair of fields of one selection set that share a response name, and
// the sub-selections of each such pair, fragments expanded. 4,900
// `__typename` in one selection set (5,000 tokens) made 12 million
// comparisons, 1.3 s of CPU and 290 MB of garbage. So a document is parsed
// once more here and refused when, fragments expanded at each spread,
//
//   - it has more than MaxFields fields, or
//   - one selection set holds more than MaxRepeats fields of one response name.
//
// Same-named fields' sub-selections are merged before their repeats are
// counted, so validation compares at most about MaxFields×MaxRepeats pairs
// (measured: 1,000 fields, each name 10 times, validate with 7,189
// allocations). Both checks stop as soon as a limit is passed, so measuring
// costs at most about 2×MaxFields steps past the parse (4,900 __typename:
// refused at about 10,000 allocations, the parse's). MaxFields 0 turns the
// budget off. A document already in the query cache was validated: it
// passes without a parse. Documents that do not parse are left to gqlgen,
// which reports the error. Anonymous requests meet the same budget: with it
// they cannot cost more than anyone's.
type validationBudget struct {
	MaxFields, MaxRepeats, MaxTokens int
	// validated holds the documents gqlgen validated (its query cache).
	validated graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = validationBudget{}

func (validationBudget) ExtensionName() string                          { return "ValidationBudget" }
func (validationBudget) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures a document gqlgen has not validated yet.
func (b validationBudget) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if params.Query == "" || b.MaxFields <= 0 {
		return nil
	}
	if b.validated != nil {
		if _, ok := b.validated.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, b.MaxTokens)
	if err != nil {
		return nil // gqlgen parses it again and reports the error
	}
	m := newFieldMeter(doc, b.MaxFields, b.MaxRepeats)
	if err := m.measure(); err != nil {
		errcode.Set(err, codeTooManyFields)
		return err
	}
	return nil
}

// fieldMeter counts the fields of a document the way validation meets them:
// fragments expanded at each spread, inline fragments merged into their
// selection set.
type fieldMeter struct {
	doc                   *ast.QueryDocument
	maxFields, maxRepeats int

	fields   int             // fields met so far (also the steps taken)
	visiting map[string]bool // fragments being expanded: a cycle stops there (validation reports it)
	// Visited counts steps, for tests: fields and fragment spreads met.
	visited int
}

func newFieldMeter(doc *ast.QueryDocument, maxFields, maxRepeats int) *fieldMeter {
	return &fieldMeter{doc: doc, maxFields: maxFields, maxRepeats: maxRepeats, visiting: map[string]bool{}}
}

// measure walks every operation; it returns the first limit passed.
func (m *fieldMeter) measure() *gqlerror.Error {
	for _, op := range m.doc.Operations {
		if err := m.merged([]ast.SelectionSet{op.SelectionSet}); err != nil {
			return err
		}
	}
	return nil
}

// merged counts the fields collected from sets, the selection sets of fields
// that share a response name (or an operation's), as validation merges
// them: it compares every pair of fields of one name within them, and the
// sub-selections of each pair. Merging the sub-selections of same-named
// fields before counting repeats makes MaxRepeats bound those cross
// comparisons too (`a { b } a { b } ...` nested is refused at its first
// level past MaxRepeats), so validation compares at most about
// MaxFields×MaxRepeats pairs of fields.
func (m *fieldMeter) merged(sets []ast.SelectionSet) *gqlerror.Error {
	var names []string
	byName := map[string][]ast.SelectionSet{}
	repeats := map[string]int{}
	var collect func(set ast.SelectionSet) *gqlerror.Error
	collect = func(set ast.SelectionSet) *gqlerror.Error {
		for _, sel := range set {
			m.visited++
			switch s := sel.(type) {
			case *ast.Field:
				m.fields++
				if m.fields > m.maxFields {
					return gqlerror.ErrorPosf(s.Position, "The document selects more than %d fields (fragments counted at each use).", m.maxFields)
				}
				name := s.Alias
				if name == "" {
					name = s.Name
				}
				repeats[name]++
				if m.maxRepeats > 0 && repeats[name] > m.maxRepeats {
					return gqlerror.ErrorPosf(s.Position, "The field %q is selected more than %d times in one selection set.", name, m.maxRepeats)
				}
				if repeats[name] == 1 {
					names = append(names, name)
				}
				if len(s.SelectionSet) > 0 {
					byName[name] = append(byName[name], s.SelectionSet)
				}
			case *ast.InlineFragment:
				if err := collect(s.SelectionSet); err != nil {
					return err
				}
			case *ast.FragmentSpread:
				f := m.doc.Fragments.ForName(s.Name)
				if f == nil || m.visiting[s.Name] {
					continue // unknown or cyclic: validation refuses it
				}
				if m.visited > 2*m.maxFields {
					// Spreads of spreads with few fields: bounded as well.
					return gqlerror.ErrorPosf(s.Position, "The document selects more than %d fields (fragments counted at each use).", m.maxFields)
				}
				m.visiting[s.Name] = true
				err := collect(f.SelectionSet)
				m.visiting[s.Name] = false
				if err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, set := range sets {
		if err := collect(set); err != nil {
			return err
		}
	}
	for _, name := range names {
		if subs := byName[name]; len(subs) > 0 {
			if err := m.merged(subs); err != nil {
				return err
			}
		}
	}
	return nil
}

// String describes the meter's count, for test failures.
func (m *fieldMeter) String() string { return fmt.Sprintf("fields=%d visited=%d", m.fields, m.visited) }

// maxCachedQuery is the largest document text kept by the query caches: the
// app's operations are under 2 KiB; a larger one is parsed and validated on
// every request, within the validation budget.
const maxCachedQuery = 8 << 10

// smallDocs keeps validated documents of at most maxCachedQuery bytes.
type smallDocs struct {
	graphql.Cache[*ast.QueryDocument]
}

// Add implements graphql.Cache.
func (c smallDocs) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= maxCachedQuery {
		c.Cache.Add(ctx, query, doc)
	}
}

// smallQueries keeps persisted queries of at most maxCachedQuery bytes.
type smallQueries struct{ graphql.Cache[string] }

// Add implements graphql.Cache.
func (c smallQueries) Add(ctx context.Context, hash string, query string) {
	if len(query) <= maxCachedQuery {
		c.Cache.Add(ctx, hash, query)
	}
}
