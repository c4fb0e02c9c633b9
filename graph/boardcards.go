package graph

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bayboard/shop"
)

// The board's cards are the one field gqlgen does not write itself. Every
// wall TV and advisor screen asks for the board snapshot, forty-odd cards
// with their jobs, some two thousand plain values; gqlgen's execution
// resolves each of them as a field of its own (a field context, a context
// value, closures, a boxed value: about ten allocations each) and marshals
// each card and each job in a goroutine of its own. Measured with
// `make bench`, that is three times the server CPU of writing the same
// values straight to JSON, and the board falls short of its target (3×
// PostGraphile) without it.
//
// So boardCards, a field middleware, is keyed on one field, BoardSnapshot's
// cards, and on nothing else: gqlgen resolves it as usual (the snapshot's
// resolver reads the cards, each a plain value computed in shop/), then
// boardCards writes the list in gqlgen's place from the two tables below,
// with gqlgen's own collection of the selection (fragments, @skip and
// @include, aliases, __typename) and every value spelled as gqlgen's
// marshallers spell it. TestBoardCardsMatchSchema keeps the tables equal to
// the schema's fields and requires that none of them carries a directive;
// TestBoardAndHistoryGolden requires the same bytes from this path and from
// gqlgen's. Whatever the tables do not know (a field added to the schema
// but not here, a deferred fragment, a directive on a selected field, a
// zero time where a DateTime! is due) sends the whole field to gqlgen.
func boardCards(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "BoardSnapshot" || fc.Field.Field == nil || fc.Field.Name != "cards" {
		return next(ctx)
	}
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	cards, ok := res.([]*shop.Card)
	if !ok || !graphql.HasOperationContext(ctx) {
		return res, err
	}
	card, ok := compileCard(graphql.GetOperationContext(ctx), fc.Field.Selections)
	if !ok {
		return res, err
	}
	b := make([]byte, 0, 1024*len(cards)+2)
	b = append(b, '[')
	for i, c := range cards {
		if c == nil {
			return res, err // gqlgen's non-null error
		}
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = card.append(b, c); !ok {
			return res, err
		}
	}
	return rawJSON(append(b, ']')), nil
}

// rawJSON is JSON written as is, in the field's place.
type rawJSON []byte

// MarshalGQL implements graphql.Marshaler.
func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

// cardField writes one field of a card; ok is false for a value gqlgen
// would report as an error.
type cardField func(b []byte, c *shop.Card) ([]byte, bool)

// jobField writes one field of a card's job.
type jobField func(b []byte, j *shop.CardJob) []byte

// cardFields are BoardCard's fields but jobs, in the schema's names.
var cardFields = map[string]cardField{
	"orderId": func(b []byte, c *shop.Card) ([]byte, bool) {
		return appendID(b, shop.TypeOrder, int64(c.OrderID)), true
	},
	"number":      func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Number), true },
	"state":       func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, string(c.State)), true },
	"stage":       func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, string(c.Stage)), true },
	"stageSince":  func(b []byte, c *shop.Card) ([]byte, bool) { return appendTime(b, c.StageSince, true) },
	"priority":    func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, string(c.Priority)), true },
	"plate":       func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Plate), true },
	"make":        func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Make), true },
	"model":       func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Model), true },
	"colour":      func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Colour), true },
	"advisor":     func(b []byte, c *shop.Card) ([]byte, bool) { return appendGQLString(b, c.Advisor), true },
	"technicians": func(b []byte, c *shop.Card) ([]byte, bool) { return appendStrings(b, c.Technicians), true },
	"bays":        func(b []byte, c *shop.Card) ([]byte, bool) { return appendStrings(b, c.Bays), true },
	"promisedAt":  func(b []byte, c *shop.Card) ([]byte, bool) { return appendOptionalTime(b, c.PromisedAt), true },
	"readyAt":     func(b []byte, c *shop.Card) ([]byte, bool) { return appendOptionalTime(b, c.ReadyAt), true },
	"notifyBy":    func(b []byte, c *shop.Card) ([]byte, bool) { return appendOptionalTime(b, c.NotifyBy), true },
	"late":        func(b []byte, c *shop.Card) ([]byte, bool) { return strconv.AppendBool(b, c.Late), true },
	"minutesLate": func(b []byte, c *shop.Card) ([]byte, bool) {
		return strconv.AppendInt(b, int64(c.MinutesLate), 10), true
	},
	"blockers":  func(b []byte, c *shop.Card) ([]byte, bool) { return appendStrings(b, c.Blockers), true },
	"progress":  func(b []byte, c *shop.Card) ([]byte, bool) { return strconv.AppendInt(b, int64(c.Progress), 10), true },
	"jobsDone":  func(b []byte, c *shop.Card) ([]byte, bool) { return strconv.AppendInt(b, int64(c.JobsDone), 10), true },
	"jobsTotal": func(b []byte, c *shop.Card) ([]byte, bool) { return strconv.AppendInt(b, int64(c.JobsTotal), 10), true },
	"reworkCount": func(b []byte, c *shop.Card) ([]byte, bool) {
		return strconv.AppendInt(b, int64(c.ReworkCount), 10), true
	},
	"washRequested": func(b []byte, c *shop.Card) ([]byte, bool) {
		return strconv.AppendBool(b, c.WashRequested), true
	},
	"dwellLimitMinutes": func(b []byte, c *shop.Card) ([]byte, bool) {
		return strconv.AppendInt(b, int64(c.DwellLimitMinutes), 10), true
	},
}

// jobFields are BoardCardJob's fields.
var jobFields = map[string]jobField{
	"jobId":       func(b []byte, j *shop.CardJob) []byte { return appendID(b, shop.TypeJob, int64(j.JobID)) },
	"description": func(b []byte, j *shop.CardJob) []byte { return appendGQLString(b, j.Description) },
	"state":       func(b []byte, j *shop.CardJob) []byte { return appendGQLString(b, string(j.State)) },
	"technician":  func(b []byte, j *shop.CardJob) []byte { return appendGQLString(b, j.Technician) },
	"bay":         func(b []byte, j *shop.CardJob) []byte { return appendGQLString(b, j.Bay) },
	"progress":    func(b []byte, j *shop.CardJob) []byte { return strconv.AppendInt(b, int64(j.Progress), 10) },
	"safety":      func(b []byte, j *shop.CardJob) []byte { return strconv.AppendBool(b, j.Safety) },
}

// compiledCard is a selection of BoardCard, ready to write.
type compiledCard []struct {
	key   []byte // the alias, quoted, and a colon
	write cardField
}

// compiledJob is a selection of BoardCardJob.
type compiledJob []struct {
	key   []byte
	write jobField
}

// compileCard collects sel as gqlgen does; ok is false when the selection
// has something the tables do not write.
func compileCard(oc *graphql.OperationContext, sel ast.SelectionSet) (compiledCard, bool) {
	fields := graphql.CollectFields(oc, sel, boardCardImplementors)
	out := make(compiledCard, len(fields))
	for i, f := range fields {
		if !plainField(f) {
			return nil, false
		}
		out[i].key = append(appendGQLString(nil, f.Alias), ':')
		switch w := cardFields[f.Name]; {
		case f.Name == "__typename":
			out[i].write = func(b []byte, _ *shop.Card) ([]byte, bool) { return append(b, `"BoardCard"`...), true }
		case f.Name == "jobs":
			job, ok := compileJob(oc, f.Selections)
			if !ok {
				return nil, false
			}
			out[i].write = func(b []byte, c *shop.Card) ([]byte, bool) { return job.appendList(b, c.Jobs), true }
		case w != nil:
			out[i].write = w
		default:
			return nil, false
		}
	}
	return out, true
}

func compileJob(oc *graphql.OperationContext, sel ast.SelectionSet) (compiledJob, bool) {
	fields := graphql.CollectFields(oc, sel, boardCardJobImplementors)
	out := make(compiledJob, len(fields))
	for i, f := range fields {
		if !plainField(f) {
			return nil, false
		}
		out[i].key = append(appendGQLString(nil, f.Alias), ':')
		switch w := jobFields[f.Name]; {
		case f.Name == "__typename":
			out[i].write = func(b []byte, _ *shop.CardJob) []byte { return append(b, `"BoardCardJob"`...) }
		case w != nil:
			out[i].write = w
		default:
			return nil, false
		}
	}
	return out, true
}

// plainField reports whether a selected field asks for nothing but its
// value: not deferred, no directive besides @skip and @include (which
// CollectFields has applied), no arguments.
func plainField(f graphql.CollectedField) bool {
	if f.IsDeferred() || len(f.Arguments) > 0 {
		return false
	}
	for _, d := range f.Directives {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

func (c compiledCard) append(b []byte, card *shop.Card) ([]byte, bool) {
	b = append(b, '{')
	for i, f := range c {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, f.key...)
		var ok bool
		if b, ok = f.write(b, card); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

func (c compiledJob) appendList(b []byte, jobs []shop.CardJob) []byte {
	b = append(b, '[')
	for i := range jobs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for k, f := range c {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, f.key...)
			b = f.write(b, &jobs[i])
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendID writes a global ID, as the ID types' MarshalGQL does.
func appendID(b []byte, typ string, id int64) []byte {
	return strconv.AppendQuote(b, shop.GlobalID(typ, id))
}

// appendStrings writes a list of strings or enum values.
func appendStrings[E ~string](b []byte, ss []E) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendGQLString(b, string(s))
	}
	return append(b, ']')
}

// appendTime writes a DateTime as graphql.MarshalTime does: RFC 3339 with
// nanoseconds, quoted (the format has nothing to escape). The zero time is
// null for gqlgen, an error where a DateTime! is due (ok false).
func appendTime(b []byte, t time.Time, nonNull bool) ([]byte, bool) {
	if t.IsZero() {
		return append(b, "null"...), !nonNull
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// appendOptionalTime writes a nullable DateTime: null for nil.
func appendOptionalTime(b []byte, t *time.Time) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	b, _ = appendTime(b, *t, false)
	return b
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
