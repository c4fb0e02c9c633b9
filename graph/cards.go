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

// The board's cards are the hottest list of the API: every wall TV, every
// advisor screen and most front ends ask for the board snapshot, forty-odd
// cards with their jobs, and gqlgen's generic execution spends most of
// that request on them. It resolves every scalar of every card as a field
// of its own (a field context, a context value, closures, an interface
// value each; a goroutine per card and per list of blockers), about thirty
// allocations per card. Cards are plain values with every field at hand,
// so boardCards writes a list of them straight to JSON instead.
//
// boardCards is a field middleware: when a field resolves to []*shop.Card
// (BoardSnapshot.cards), it returns the list's JSON as a graphql.Marshaler,
// which gqlgen writes in the field's place as it does any middleware's
// marshaler. The selection is gqlgen's own collection of the field's
// sub-selection (fragments, @skip and @include, aliases, __typename), in
// its order, and every value is spelled as gqlgen's marshallers spell it:
// the output is byte for byte the generic execution's
// (TestBoardCardsAsGeneric compares the two on every field). Anything it
// does not render the same way (a deferred field, a zero time where a
// DateTime! is due: gqlgen's error) goes the generic way.
//
// late and minutesLate are the card's own methods at one clock reading for
// the whole list, where the resolvers read the clock once per card.
func boardCards(now func() time.Time) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		res, err := next(ctx)
		cards, ok := res.([]*shop.Card)
		if err != nil || !ok {
			return res, err
		}
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Field.Field == nil {
			return res, err
		}
		b, ok := renderCards(graphql.GetOperationContext(ctx), fc.Field.Selections, cards, now())
		if !ok {
			return res, err
		}
		return rawJSON(b), nil
	}
}

// rawJSON is JSON written as is.
type rawJSON []byte

// MarshalGQL implements graphql.Marshaler.
func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }

// cardField is one field of the card selection: its alias, its name and,
// for jobs, the jobs' own selection.
type cardField struct {
	alias, name string
	jobs        []cardField
}

// cardFields and jobFields name the fields renderCards knows;
// TestBoardCardsCoverSchema keeps them equal to the schema's.
var (
	cardFields = map[string]bool{"__typename": true, "orderId": true, "number": true, "state": true, "stage": true,
		"stageSince": true, "priority": true, "plate": true, "make": true, "model": true, "colour": true, "advisor": true,
		"technicians": true, "bays": true, "promisedAt": true, "readyAt": true, "notifyBy": true, "late": true,
		"minutesLate": true, "blockers": true, "progress": true, "jobsDone": true, "jobsTotal": true, "reworkCount": true,
		"washRequested": true, "jobs": true}
	jobFields = map[string]bool{"__typename": true, "jobId": true, "description": true, "state": true,
		"technician": true, "bay": true, "progress": true, "safety": true}
)

// collectCardFields is the selection of a card (jobs false) or a card's
// job (jobs true), as gqlgen collects it; ok is false for what renderCards
// leaves to gqlgen.
func collectCardFields(oc *graphql.OperationContext, sel ast.SelectionSet, jobs bool) ([]cardField, bool) {
	implementors, known := boardCardImplementors, cardFields
	if jobs {
		implementors, known = boardCardJobImplementors, jobFields
	}
	fields := graphql.CollectFields(oc, sel, implementors)
	out := make([]cardField, 0, len(fields))
	for _, f := range fields {
		if !known[f.Name] || f.IsDeferred() {
			return nil, false
		}
		cf := cardField{alias: f.Alias, name: f.Name}
		if f.Name == "jobs" && !jobs {
			var ok bool
			if cf.jobs, ok = collectCardFields(oc, f.Selections, true); !ok {
				return nil, false
			}
		}
		out = append(out, cf)
	}
	return out, true
}

// renderCards writes cards as the JSON list of BoardCard objects that sel
// selects.
func renderCards(oc *graphql.OperationContext, sel ast.SelectionSet, cards []*shop.Card, now time.Time) ([]byte, bool) {
	if oc == nil {
		return nil, false
	}
	fields, ok := collectCardFields(oc, sel, false)
	if !ok {
		return nil, false
	}
	b := make([]byte, 0, 256*len(cards)+2)
	b = append(b, '[')
	for i, c := range cards {
		if c == nil {
			return nil, false // gqlgen's non-null error
		}
		if i > 0 {
			b = append(b, ',')
		}
		if b, ok = appendCard(b, c, fields, now); !ok {
			return nil, false
		}
	}
	return append(b, ']'), true
}

// appendCard appends one card's object.
func appendCard(b []byte, c *shop.Card, fields []cardField, now time.Time) ([]byte, bool) {
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendGQLString(b, f.alias)
		b = append(b, ':')
		switch f.name {
		case "__typename":
			b = appendGQLString(b, "BoardCard")
		case "orderId":
			b = strconv.AppendQuote(b, shop.GlobalID(shop.TypeOrder, int64(c.OrderID)))
		case "number":
			b = appendGQLString(b, c.Number)
		case "state":
			b = appendGQLString(b, string(c.State))
		case "stage":
			b = appendGQLString(b, string(c.Stage))
		case "stageSince":
			if c.StageSince.IsZero() {
				return nil, false // DateTime!: gqlgen's error
			}
			b = appendTime(b, c.StageSince)
		case "priority":
			b = appendGQLString(b, string(c.Priority))
		case "plate":
			b = appendGQLString(b, c.Plate)
		case "make":
			b = appendGQLString(b, c.Make)
		case "model":
			b = appendGQLString(b, c.Model)
		case "colour":
			b = appendGQLString(b, c.Colour)
		case "advisor":
			b = appendGQLString(b, c.Advisor)
		case "technicians":
			b = appendStrings(b, c.Technicians)
		case "bays":
			b = appendStrings(b, c.Bays)
		case "promisedAt":
			b = appendOptionalTime(b, c.PromisedAt)
		case "readyAt":
			b = appendOptionalTime(b, c.ReadyAt)
		case "notifyBy":
			b = appendOptionalTime(b, c.NotifyBy)
		case "late":
			b = strconv.AppendBool(b, c.Late(now))
		case "minutesLate":
			b = strconv.AppendInt(b, int64(c.MinutesLate(now)), 10)
		case "blockers":
			b = append(b, '[')
			for j, bl := range c.Blockers {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendGQLString(b, string(bl))
			}
			b = append(b, ']')
		case "progress":
			b = strconv.AppendInt(b, int64(c.Progress), 10)
		case "jobsDone":
			b = strconv.AppendInt(b, int64(c.JobsDone), 10)
		case "jobsTotal":
			b = strconv.AppendInt(b, int64(c.JobsTotal), 10)
		case "reworkCount":
			b = strconv.AppendInt(b, int64(c.ReworkCount), 10)
		case "washRequested":
			b = strconv.AppendBool(b, c.WashRequested)
		case "jobs":
			b = append(b, '[')
			for j := range c.Jobs {
				if j > 0 {
					b = append(b, ',')
				}
				b = appendCardJob(b, &c.Jobs[j], f.jobs)
			}
			b = append(b, ']')
		default:
			return nil, false
		}
	}
	return append(b, '}'), true
}

// appendCardJob appends one job of a card.
func appendCardJob(b []byte, j *shop.CardJob, fields []cardField) []byte {
	b = append(b, '{')
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendGQLString(b, f.alias)
		b = append(b, ':')
		switch f.name {
		case "__typename":
			b = appendGQLString(b, "BoardCardJob")
		case "jobId":
			b = strconv.AppendQuote(b, shop.GlobalID(shop.TypeJob, int64(j.JobID)))
		case "description":
			b = appendGQLString(b, j.Description)
		case "state":
			b = appendGQLString(b, string(j.State))
		case "technician":
			b = appendGQLString(b, j.Technician)
		case "bay":
			b = appendGQLString(b, j.Bay)
		case "progress":
			b = strconv.AppendInt(b, int64(j.Progress), 10)
		case "safety":
			b = strconv.AppendBool(b, j.Safety)
		}
	}
	return append(b, '}')
}

// appendStrings appends a [String!]! list.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendGQLString(b, s)
	}
	return append(b, ']')
}

// appendTime appends a DateTime as graphql.MarshalTime does: RFC 3339 with
// nanoseconds, quoted (the format has nothing to escape).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendOptionalTime appends a nullable DateTime: null for nil and, as
// graphql.MarshalTime has it, for the zero time.
func appendOptionalTime(b []byte, t *time.Time) []byte {
	if t == nil || t.IsZero() {
		return append(b, "null"...)
	}
	return appendTime(b, *t)
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
