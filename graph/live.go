package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"bayboard/board"
	"bayboard/graph/model"
	"bayboard/shop"
)

// Live feeds are rendered once per event and shape, not once per subscriber.
//
// A board update is self-contained (no loaders, nothing read per
// subscriber), so what gqlgen writes for it depends only on the event, the
// subscription's document and variables, and the role of the subscriber
// (personal data is masked by role). The operation middleware of
// newLiveOperations hands the feed resolver of a subscription a liveOp,
// which pulls updates from the hub in gqlgen's own goroutine (no goroutine
// of ours per subscriber) and feeds them to gqlgen one at a time, whatever
// the transport. The first subscriber of a shape to reach an update has
// gqlgen render it; every other subscriber of that shape sends the same
// bytes, kept in a renderMemo. A response with errors or extensions is
// never shared.
func newLiveOperations(memoSize int) graphql.OperationMiddleware {
	memo := newRenderMemo(memoSize)
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		if oc.Operation == nil || oc.Operation.Operation != ast.Subscription {
			return next(ctx)
		}
		op := &liveOp{key: renderKey(ctx, oc), memo: memo, actor: shop.ActorFromContext(ctx)}
		responses := next(context.WithValue(ctx, liveOpKey{}, op))
		return func(ctx context.Context) *graphql.Response {
			if op.feed == nil {
				return responses(ctx) // not a feed, or its resolver failed: gqlgen's own path
			}
			return op.respond(ctx, responses)
		}
	}
}

// defaultMemoSize is how many updates keep their renderings: far more than
// the spread between the fastest and the slowest subscriber that the hub
// keeps (a subscriber further behind renders for itself).
const defaultMemoSize = 4096

// renderMemo holds the renderings of the latest updates, by update and
// shape. It is keyed on the update itself, not its position: a replay read
// from the log for one subscriber is another value (its card read later),
// and must not be served a live update's bytes. Bounded: the oldest update
// goes when a new one comes past size.
type renderMemo struct {
	mu     sync.Mutex
	size   int
	shapes map[*board.Update]map[string]*rendered
	order  []*board.Update // a ring of the keys, oldest at next
	next   int
}

func newRenderMemo(size int) *renderMemo {
	return &renderMemo{size: max(size, 1), shapes: map[*board.Update]map[string]*rendered{}}
}

// get returns the rendering of u for shape key, new and empty on first use.
func (m *renderMemo) get(u *board.Update, key string) *rendered {
	m.mu.Lock()
	defer m.mu.Unlock()
	byShape, ok := m.shapes[u]
	if !ok {
		if len(m.order) < m.size {
			m.order = append(m.order, u)
		} else {
			delete(m.shapes, m.order[m.next])
			m.order[m.next] = u
			m.next = (m.next + 1) % m.size
		}
		byShape = map[string]*rendered{}
		m.shapes[u] = byShape
	}
	r, ok := byShape[key]
	if !ok {
		r = &rendered{}
		byShape[key] = r
	}
	return r
}

// len returns the number of updates held.
func (m *renderMemo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.shapes)
}

type feedInterruptKey struct{}

// WithFeedInterrupt returns ctx carrying stop, which a transport gives the
// operations it runs. When the hub drops a slow subscriber (or stops), the
// feed calls stop so that the transport ends without "complete" (graphql-ws
// clients take a "complete" as the end): the client reconnects and resumes
// from its last cursor. After a reset the feed simply completes: the client
// reloads its snapshot and subscribes again.
func WithFeedInterrupt(ctx context.Context, stop func()) context.Context {
	return context.WithValue(ctx, feedInterruptKey{}, stop)
}

// feedInterrupted ends the transport of a feed the hub dropped or stopped;
// without a transport's stop the subscription just ends.
func feedInterrupted(ctx context.Context) {
	if stop, ok := ctx.Value(feedInterruptKey{}).(func()); ok {
		stop()
	}
}

type feedDriverKey struct{}

// FeedDriver lets a transport drive a live feed without a goroutine
// waiting in it: the feed calls wake (from the hub's goroutine or any
// other; wake must return at once) when it may have an update, and the
// transport then asks Ready and pulls the operation's responses only while
// Ready holds, so that no response waits. An idle subscription then costs
// no goroutine. Without a driver (SSE, or a transport that prefers to wait)
// the responses wait in the hub as before.
type FeedDriver struct {
	wake func()
	feed *board.Feed
}

// WithFeedDriver returns ctx carrying a driver that calls wake; dispatch
// the operation with it.
func WithFeedDriver(ctx context.Context, wake func()) (context.Context, *FeedDriver) {
	d := &FeedDriver{wake: wake}
	return context.WithValue(ctx, feedDriverKey{}, d), d
}

// Live reports whether the operation dispatched with the driver's context
// is a live feed (ask after DispatchOperation, from the same goroutine).
func (d *FeedDriver) Live() bool { return d.feed != nil }

// Ready reports whether the operation's next response is there without
// waiting (an update, a page of replay to read, or the end). Call it from
// the goroutine that pulls the responses.
func (d *FeedDriver) Ready(ctx context.Context) bool { return d.feed.Ready(ctx) }

// Pending reports whether wake was due since the last Ready; any goroutine
// may ask (see board.Feed.Pending).
func (d *FeedDriver) Pending() bool { return d.feed.Pending() }

// liveOpKey is the context key of a subscription's liveOp.
type liveOpKey struct{}

// liveOp is one subscription's state between its resolver and its responses.
type liveOp struct {
	key   string // rendering shape; "" renders every update itself
	memo  *renderMemo
	actor *shop.Actor // the subscriber: which summary it reads (toUpdate)
	feed  *board.Feed
	out   chan *model.BoardUpdate // what gqlgen's resolver stream reads
	reset bool                    // the last update was a Reset
}

// rendered is an update's response for one shape.
type rendered struct {
	once sync.Once
	data json.RawMessage // nil when the leader's response could not be shared
}

// respond waits for the feed's next update and returns its response.
func (op *liveOp) respond(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	u, ok := op.feed.Next(ctx)
	if !ok {
		if ctx.Err() == nil && !op.reset {
			feedInterrupted(ctx)
		}
		close(op.out)
		return next(ctx) // the closed stream ends the subscription
	}
	op.reset = u.Reset
	if op.key == "" || u.Reset {
		op.feed.Rendered(false)
		op.out <- toUpdate(u, op.actor)
		return next(ctx)
	}
	r := op.memo.get(u, op.key)
	var own *graphql.Response
	led := false
	r.once.Do(func() {
		led = true
		op.out <- toUpdate(u, op.actor)
		own = next(ctx)
		if own != nil && len(own.Errors) == 0 && len(own.Extensions) == 0 && own.Data != nil {
			// gqlgen renders each subscription into one buffer it reuses.
			r.data = bytes.Clone(own.Data)
		}
	})
	if led {
		op.feed.Rendered(false)
		return own
	}
	if r.data != nil {
		op.feed.Rendered(true)
		return &graphql.Response{Data: r.data}
	}
	op.feed.Rendered(false)
	op.out <- toUpdate(u, op.actor)
	return next(ctx)
}

// liveFeed returns the liveOp a feed resolver runs under, or nil.
func liveFeed(ctx context.Context) *liveOp {
	op, _ := ctx.Value(liveOpKey{}).(*liveOp)
	if op == nil || op.feed != nil {
		return nil
	}
	return op
}

// renderKey names what a subscription's updates look like: the subscriber's
// role and whether it reads personal data (a masked role reads another
// summary and scrubbed text: shop.MayReadPersonal; the role decides it today,
// but the two renderings must never share an entry even if that changes), the
// document and operation, and the variables, except one used only as the
// root field's `after` (where the feed starts does not change how an update
// renders). "" when there is no actor.
func renderKey(ctx context.Context, oc *graphql.OperationContext) string {
	a := shop.ActorFromContext(ctx)
	if a == nil {
		return ""
	}
	vars := oc.Variables
	if name := afterOnlyVariable(oc); name != "" {
		if _, ok := vars[name]; ok {
			vars = make(map[string]any, len(oc.Variables))
			for k, v := range oc.Variables {
				if k != name {
					vars[k] = v
				}
			}
		}
	}
	vj, err := json.Marshal(vars) // map keys sorted: canonical
	if err != nil {
		return ""
	}
	h := sha256.New()
	personal := "masked"
	if shop.MayReadPersonal(a) {
		personal = "personal"
	}
	for _, part := range []string{string(a.Role), personal, oc.OperationName, oc.RawQuery, string(vj)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// afterOnlyVariable returns the variable given as the root field's `after`
// argument when the operation uses it nowhere else.
func afterOnlyVariable(oc *graphql.OperationContext) string {
	op := oc.Operation
	var root *ast.Field
	for _, s := range op.SelectionSet {
		if f, ok := s.(*ast.Field); ok {
			if root != nil {
				return "" // gqlgen refuses this anyway
			}
			root = f
		} else {
			return ""
		}
	}
	if root == nil {
		return ""
	}
	arg := root.Arguments.ForName("after")
	if arg == nil || arg.Value == nil || arg.Value.Kind != ast.Variable {
		return ""
	}
	uses := map[string]int{}
	countVariables(oc.Doc, op.SelectionSet, op.Directives, uses, map[string]bool{})
	if uses[arg.Value.Raw] != 1 {
		return ""
	}
	return arg.Value.Raw
}

// countVariables counts the uses of each variable in a selection set,
// following fragment spreads once each.
func countVariables(doc *ast.QueryDocument, set ast.SelectionSet, dirs ast.DirectiveList, uses map[string]int, seen map[string]bool) {
	for _, d := range dirs {
		countArgs(d.Arguments, uses)
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			countArgs(s.Arguments, uses)
			countVariables(doc, s.SelectionSet, s.Directives, uses, seen)
		case *ast.InlineFragment:
			countVariables(doc, s.SelectionSet, s.Directives, uses, seen)
		case *ast.FragmentSpread:
			for _, d := range s.Directives {
				countArgs(d.Arguments, uses)
			}
			if seen[s.Name] || doc == nil {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil {
				countVariables(doc, f.SelectionSet, f.Directives, uses, seen)
			}
		}
	}
}

func countArgs(args ast.ArgumentList, uses map[string]int) {
	for _, a := range args {
		countValue(a.Value, uses)
	}
}

func countValue(v *ast.Value, uses map[string]int) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		uses[v.Raw]++
	}
	for _, c := range v.Children {
		countValue(c.Value, uses)
	}
}
