package graph

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bayboard/graph/model"
	"bayboard/shop"
)

// Direct lists. The API's hottest lists are the board's cards (every wall
// TV, every advisor screen, most front ends ask for the board snapshot:
// forty-odd cards with their jobs) and a customer's history (vehicles, a
// page of visits, each with its repair orders, their jobs and part lines).
// gqlgen's generic execution spends most of such a request on them: it
// resolves every scalar of every object as a field of its own (a field
// context, a context value, closures, an interface value each; a goroutine
// per object of a list), some thirty allocations an object. Their fields are plain
// values already at hand (the orders, jobs and part lines through the
// request's loaders, which the visits resolver primes), so directLists
// writes such a field straight to JSON instead.
//
// directLists is a field middleware: when a field resolves to one of those
// (board cards, vehicles, repair orders, a page of visits), it returns its
// JSON as a graphql.Marshaler, which gqlgen writes in the field's place as
// it does any middleware's marshaler. The selection is gqlgen's own collection of
// the field's sub-selection (fragments, interfaces, @skip and @include,
// aliases, __typename), in its order, and every value is spelled as
// gqlgen's marshallers spell it, so the output is byte for byte the generic
// execution's; TestDirectListsAsGeneric compares the two on every field. A
// selection with a field it does not write (one with arguments or a
// resolver of its own: an order's timeline, its bill), a deferred field, a
// loader's error or a zero time where a DateTime! is due (gqlgen's error)
// goes the generic way, whole.
func directLists(now func() time.Time) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := next(ctx)
		if err != nil {
			return res, err
		}
		var b []byte
		var ok bool
		switch v := res.(type) {
		case []*shop.Card:
			b, ok = renderField(ctx, cardType, &renderEnv{now: now()}, func(c compiled[shop.Card], b []byte, env *renderEnv) []byte {
				return c.appendList(b, v, env)
			})
		case []*shop.Vehicle:
			b, ok = renderField(ctx, vehicleType, &renderEnv{}, func(c compiled[shop.Vehicle], b []byte, env *renderEnv) []byte {
				return c.appendList(b, v, env)
			})
		case []*shop.Order:
			b, ok = renderField(ctx, orderType, &renderEnv{orders: v}, func(c compiled[shop.Order], b []byte, env *renderEnv) []byte {
				return c.appendList(b, v, env)
			})
		case *model.VisitConnection:
			if v == nil {
				return res, err
			}
			env := &renderEnv{}
			for _, e := range v.Edges {
				if e == nil || e.Node == nil {
					return res, err // gqlgen's non-null error
				}
				env.visits = append(env.visits, e.Node)
			}
			b, ok = renderField(ctx, visitConnectionType, env, func(c compiled[model.VisitConnection], b []byte, env *renderEnv) []byte {
				return c.appendObject(b, v, env)
			})
		default:
			return res, err
		}
		if !ok {
			return res, err
		}
		return rawJSON(b), nil
	}
}

// renderField compiles the sub-selection of the field being resolved as
// t, loads what it needs below and writes the field's value with write;
// ok is false when the field goes the generic way.
func renderField[T any](ctx context.Context, t *objectType[T], env *renderEnv, write func(compiled[T], []byte, *renderEnv) []byte) ([]byte, bool) {
	oc, fc := graphql.GetOperationContext(ctx), graphql.GetFieldContext(ctx)
	if oc == nil || fc == nil || fc.Field.Field == nil {
		return nil, false
	}
	var n needs
	c, ok := t.compile(oc, fc.Field.Selections, &n)
	if !ok || !env.load(ctx, n) {
		return nil, false
	}
	b := write(c, make([]byte, 0, 4096), env)
	return b, !env.bad
}

// rawJSON is JSON written as is.
type rawJSON []byte

// MarshalGQL implements graphql.Marshaler.
func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

// renderEnv is what writing a field needs besides its value: one clock
// reading for the lateness of every card; the visits and orders written
// and what lies below them, read before writing (load, in history.go);
// and whether a value cannot be written as gqlgen would (then the field
// goes the generic way).
type renderEnv struct {
	now        time.Time
	visits     []*shop.Visit
	orders     []*shop.Order
	visitOrder map[shop.VisitID][]*shop.Order
	jobs       map[shop.OrderID][]*shop.Job
	parts      map[shop.OrderID][]*shop.PartLine
	bad        bool
}

// needs is what a compiled selection reads below its objects.
type needs struct{ orders, jobs, parts bool }

// writeFunc appends one field of v.
type writeFunc[T any] func(b []byte, v *T, env *renderEnv) []byte

// objectType says how to write a GraphQL object type's fields from its Go
// value: the fields with a value at hand, and those with a sub-selection
// (lists of objects, objects), compiled with it.
type objectType[T any] struct {
	name         string
	implementors []string // gqlgen's (the type and its interfaces), for fragments on an interface
	fields       map[string]writeFunc[T]
	nested       map[string]nestedFunc[T]
}

// nestedFunc compiles the sub-selection of a field of T that has one (a
// list of objects, an object), noting in n what it reads.
type nestedFunc[T any] func(oc *graphql.OperationContext, sel ast.SelectionSet, n *needs) (writeFunc[T], bool)

// compiled is a selection of one object type, ready to write.
type compiled[T any] []compiledField[T]

type compiledField[T any] struct {
	key   []byte // the alias, quoted, and a colon
	write writeFunc[T]
}

// compile collects sel as gqlgen does; ok is false when it selects
// something t does not write.
func (t *objectType[T]) compile(oc *graphql.OperationContext, sel ast.SelectionSet, n *needs) (compiled[T], bool) {
	fields := graphql.CollectFields(oc, sel, t.implementors)
	out := make(compiled[T], 0, len(fields))
	for _, f := range fields {
		if f.IsDeferred() {
			return nil, false
		}
		w := t.fields[f.Name]
		switch {
		case f.Name == "__typename":
			name := appendGQLString(nil, t.name)
			w = func(b []byte, _ *T, _ *renderEnv) []byte { return append(b, name...) }
		case w != nil:
		case t.nested[f.Name] != nil:
			var ok bool
			if w, ok = t.nested[f.Name](oc, f.Selections, n); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		out = append(out, compiledField[T]{key: append(appendGQLString(nil, f.Alias), ':'), write: w})
	}
	return out, true
}

// appendObject appends v's object.
func (c compiled[T]) appendObject(b []byte, v *T, env *renderEnv) []byte {
	b = append(b, '{')
	for i, f := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		b = f.write(b, v, env)
	}
	return append(b, '}')
}

// appendList appends a list of objects.
func (c compiled[T]) appendList(b []byte, vs []*T, env *renderEnv) []byte {
	return c.appendEach(b, len(vs), func(i int) *T { return vs[i] }, env)
}

// appendEach appends a list of n objects, the i-th at(i); a nil one makes
// env bad (the generic execution's non-null error).
func (c compiled[T]) appendEach(b []byte, n int, at func(int) *T, env *renderEnv) []byte {
	b = append(b, '[')
	for i := range n {
		v := at(i)
		if v == nil {
			env.bad = true
			return b
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = c.appendObject(b, v, env)
	}
	return append(b, ']')
}

// nestedOf is a nested entry for a field of T whose value is made of U:
// it compiles the sub-selection as u, notes with need (if set) what
// reading the field needs, and writes the field with write.
func nestedOf[T, U any](u *objectType[U], need func(*needs), write func(c compiled[U]) writeFunc[T]) nestedFunc[T] {
	return func(oc *graphql.OperationContext, sel ast.SelectionSet, n *needs) (writeFunc[T], bool) {
		c, ok := u.compile(oc, sel, n)
		if !ok {
			return nil, false
		}
		if need != nil {
			need(n)
		}
		return write(c), true
	}
}

// listOf is a nested entry for a list of *U below a T.
func listOf[T, U any](u *objectType[U], need func(*needs), get func(v *T, env *renderEnv) []*U) nestedFunc[T] {
	return nestedOf(u, need, func(c compiled[U]) writeFunc[T] {
		return func(b []byte, v *T, env *renderEnv) []byte { return c.appendList(b, get(v, env), env) }
	})
}

// valuesOf is a nested entry for a list of U values below a T.
func valuesOf[T, U any](u *objectType[U], get func(v *T) []U) nestedFunc[T] {
	return nestedOf(u, nil, func(c compiled[U]) writeFunc[T] {
		return func(b []byte, v *T, env *renderEnv) []byte {
			us := get(v)
			return c.appendEach(b, len(us), func(i int) *U { return &us[i] }, env)
		}
	})
}

// objectOf is a nested entry for an object U below a T; a nil one makes
// env bad (the generic execution's non-null error).
func objectOf[T, U any](u *objectType[U], get func(v *T) *U) nestedFunc[T] {
	return nestedOf(u, nil, func(c compiled[U]) writeFunc[T] {
		return func(b []byte, v *T, env *renderEnv) []byte {
			o := get(v)
			if o == nil {
				env.bad = true
				return b
			}
			return c.appendObject(b, o, env)
		}
	})
}

// Field writers, each spelling its GraphQL type as gqlgen's marshaller
// does.

func stringField[T any](get func(*T) string) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte { return appendGQLString(b, get(v)) }
}

func enumField[T any, E ~string](get func(*T) E) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte { return appendGQLString(b, string(get(v))) }
}

// optionalEnumField writes a nullable enum: null for nil.
func optionalEnumField[T any, E ~string](get func(*T) *E) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		if e := get(v); e != nil {
			return appendGQLString(b, string(*e))
		}
		return append(b, "null"...)
	}
}

// stringListField writes a list of strings or enum values.
func stringListField[T any, E ~string](get func(*T) []E) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		b = append(b, '[')
		for i, e := range get(v) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendGQLString(b, string(e))
		}
		return append(b, ']')
	}
}

// optionalStringField writes a nullable String: null for nil.
func optionalStringField[T any](get func(*T) *string) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		if s := get(v); s != nil {
			return appendGQLString(b, *s)
		}
		return append(b, "null"...)
	}
}

// optionalIntField writes a nullable Int: null for nil.
func optionalIntField[T any](get func(*T) *int) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		if i := get(v); i != nil {
			return strconv.AppendInt(b, int64(*i), 10)
		}
		return append(b, "null"...)
	}
}

func intField[T any](get func(*T) int) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte { return strconv.AppendInt(b, int64(get(v)), 10) }
}

func boolField[T any](get func(*T) bool) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte { return strconv.AppendBool(b, get(v)) }
}

// idField writes a global ID, as the ID types' MarshalGQL does.
func idField[T any, N ~int64](typ string, get func(*T) N) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		return strconv.AppendQuote(b, shop.GlobalID(typ, int64(get(v))))
	}
}

// timeField writes a DateTime!; the zero time, which gqlgen reports as an
// error, makes env bad.
func timeField[T any](get func(*T) time.Time) writeFunc[T] {
	return func(b []byte, v *T, env *renderEnv) []byte {
		t := get(v)
		if t.IsZero() {
			env.bad = true
			return b
		}
		return appendTime(b, t)
	}
}

// optionalTimeField writes a nullable DateTime: null for nil and, as
// graphql.MarshalTime has it, for the zero time.
func optionalTimeField[T any](get func(*T) *time.Time) writeFunc[T] {
	return func(b []byte, v *T, _ *renderEnv) []byte {
		if t := get(v); t != nil && !t.IsZero() {
			return appendTime(b, *t)
		}
		return append(b, "null"...)
	}
}

// appendTime appends a DateTime as graphql.MarshalTime does: RFC 3339 with
// nanoseconds, quoted (the format has nothing to escape).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

const hexDigits = "0123456789ABCDEF"

// appendGQLString appends s quoted as graphql.MarshalString writes it:
// control characters, backslash and double quote escaped, everything else
// (invalid UTF-8 included) as is.
func appendGQLString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
