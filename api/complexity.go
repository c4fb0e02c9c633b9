package api

import (
	"context"
	"fmt"
	"slices"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// complexityLimit is gqlgen's FixedComplexityLimit with a memory: the
// complexity of an operation depends only on its document, its name and its
// variables, and clients send the same few operations over and over, so it
// is computed once per (query text, operation, variables) rather than by
// walking the document on every request (profiled at ~4% of a node(id)
// request). Operations with large variables are computed every time, to
// keep the cache small.
//
// Variables count only where they reach a field with a complexity function
// of its own (gqlgen passes a field's arguments to nothing else), which most
// documents have none of: such a document is cached once for all its
// variables (a mutation sends new ones each time, and printing them cost
// more than the walk it saved).
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
	cache *lru.LRU[int]
	// varFree holds, per (operation, query text), whether no variable
	// reaches a field with a complexity function.
	varFree *lru.LRU[bool]
}

// maxComplexityKey bounds the cached variables' printed size.
const maxComplexityKey = 512

func newComplexityLimit(limit int) *complexityLimit {
	return &complexityLimit{limit: limit, cache: lru.New[int](1000), varFree: lru.New[bool](1000)}
}

var _ interface {
	graphql.OperationContextMutator
	graphql.HandlerExtension
} = &complexityLimit{}

// ExtensionName implements graphql.HandlerExtension; the name is gqlgen's, so
// extension.GetComplexityStats finds the figures.
func (c *complexityLimit) ExtensionName() string { return "ComplexityLimit" }

// Validate implements graphql.HandlerExtension.
func (c *complexityLimit) Validate(schema graphql.ExecutableSchema) error {
	c.es = schema
	return nil
}

// MutateOperationContext refuses an operation over the limit, as gqlgen's
// does (code COMPLEXITY_LIMIT_EXCEEDED).
func (c *complexityLimit) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	doc := opCtx.OperationName + "\x00" + opCtx.RawQuery
	free, known := c.varFree.Get(ctx, doc)
	if !known {
		free = op == nil || !c.variablesCount(ctx, op.SelectionSet, opCtx.Variables)
		c.varFree.Add(ctx, doc, free)
	}
	key := "\x00" + doc // no printed variables start with NUL
	if !free {
		key = ""
		if vars := fmt.Sprintf("%#v", opCtx.Variables); len(vars) <= maxComplexityKey { // typed, maps sorted by key
			key = vars + "\x00" + doc
		}
	}
	n, ok := 0, false
	if key != "" {
		n, ok = c.cache.Get(ctx, key)
	}
	if !ok {
		n = complexity.Calculate(ctx, c.es, op, opCtx.Variables)
		if key != "" {
			c.cache.Add(ctx, key, n)
		}
	}
	opCtx.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: n, ComplexityLimit: c.limit})
	if n > c.limit {
		err := gqlerror.Errorf("operation has complexity %d, which exceeds the limit of %d", n, c.limit)
		errcode.Set(err, "COMPLEXITY_LIMIT_EXCEEDED")
		return err
	}
	return nil
}

// variablesCount reports whether a variable reaches, as an argument, a field
// of set that has a complexity function (on an interface: of any of its
// types), as complexity.Calculate would call it.
func (c *complexityLimit) variablesCount(ctx context.Context, set ast.SelectionSet, vars map[string]any) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if c.variablesCount(ctx, s.SelectionSet, vars) {
				return true
			}
			if s.ObjectDefinition == nil || !slices.ContainsFunc(s.Arguments, func(a *ast.Argument) bool { return hasVariable(a.Value) }) {
				continue
			}
			args := s.ArgumentMap(vars)
			types := []*ast.Definition{s.ObjectDefinition}
			if s.ObjectDefinition.Kind == ast.Interface {
				types = c.es.Schema().GetPossibleTypes(s.ObjectDefinition)
			}
			for _, t := range types {
				if _, custom := c.es.Complexity(ctx, t.Name, s.Name, 0, args); custom {
					return true
				}
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && c.variablesCount(ctx, s.Definition.SelectionSet, vars) {
				return true
			}
		case *ast.InlineFragment:
			if c.variablesCount(ctx, s.SelectionSet, vars) {
				return true
			}
		}
	}
	return false
}

// hasVariable reports whether v is, or holds, a variable.
func hasVariable(v *ast.Value) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.Variable {
		return true
	}
	return slices.ContainsFunc(v.Children, func(c *ast.ChildValue) bool { return hasVariable(c.Value) })
}
