package api

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// complexityLimit is gqlgen's FixedComplexityLimit with a memory: the
// complexity of an operation depends only on its document, its name and its
// variables, and clients send the same few operations over and over, so it
// is computed once per (query text, operation, variables) rather than by
// walking the document on every request (profiled at ~4% of a node(id)
// request). Operations with large variables are computed every time, to
// keep the cache small.
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
	cache *lru.LRU[int]
}

// maxComplexityKey bounds the cached variables' printed size.
const maxComplexityKey = 512

func newComplexityLimit(limit int) *complexityLimit {
	return &complexityLimit{limit: limit, cache: lru.New[int](1000)}
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
	vars := fmt.Sprintf("%#v", opCtx.Variables) // typed, maps sorted by key
	key := ""
	if len(vars) <= maxComplexityKey {
		key = opCtx.OperationName + "\x00" + vars + "\x00" + opCtx.RawQuery
	}
	n, ok := 0, false
	if key != "" {
		n, ok = c.cache.Get(ctx, key)
	}
	if !ok {
		n = complexity.Calculate(ctx, c.es, opCtx.Doc.Operations.ForName(opCtx.OperationName), opCtx.Variables)
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
