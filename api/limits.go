package api

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"bayboard/shop"
)

// Error codes of the limits, in extensions.code. They are the transport's,
// not the domain's: a client meets them before any resolver runs.
const (
	codeTooDeep          = "QUERY_TOO_DEEP"
	codeTooManyAliases   = "TOO_MANY_ALIASES"
	codeTooManyDirective = "TOO_MANY_DIRECTIVES"
	codeRateLimited      = "RATE_LIMITED"
	codeTooManySockets   = "TOO_MANY_CONNECTIONS"
	codeNoIntrospection  = "INTROSPECTION_DISABLED"
)

// shapeLimits refuses, after validation and before any resolver runs, an
// operation nested deeper than MaxDepth fields, with more than MaxAliases
// aliases, or with more than MaxDirectives directives on one field or
// fragment. Fragments are measured once each, so a fragment bomb (fragments
// spreading each other many times) costs linear time to refuse. Zero turns
// a limit off. With NoIntrospection, __schema and __type are refused here,
// with a clear error, rather than failing inside the execution.
type shapeLimits struct {
	MaxDepth, MaxAliases, MaxDirectives int
	NoIntrospection                     bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = shapeLimits{}

func (shapeLimits) ExtensionName() string                          { return "ShapeLimits" }
func (shapeLimits) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation that is about to run.
func (l shapeLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Doc.Operations.ForName(opCtx.OperationName)
	if op == nil {
		return nil
	}
	m := &shapeMeter{frags: opCtx.Doc.Fragments, memo: map[string]shape{}, maxDirectives: l.MaxDirectives, noIntrospection: l.NoIntrospection}
	s := m.measure(op.SelectionSet)
	if m.introspectionAt != nil {
		return limitError(codeNoIntrospection, m.introspectionAt, "Introspection is off on this server.")
	}
	if m.directivesAt != nil {
		return limitError(codeTooManyDirective, m.directivesAt,
			"A field or fragment carries more than %d directives.", l.MaxDirectives)
	}
	if l.MaxDepth > 0 && s.depth > l.MaxDepth {
		return limitError(codeTooDeep, op.Position, "The operation nests %d fields deep; the limit is %d.", s.depth, l.MaxDepth)
	}
	if l.MaxAliases > 0 && s.aliases > l.MaxAliases {
		return limitError(codeTooManyAliases, op.Position, "The operation uses %d aliases; the limit is %d.", s.aliases, l.MaxAliases)
	}
	return nil
}

func limitError(code string, pos *ast.Position, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, format, args...)
	errcode.Set(err, code)
	return err
}

// shape is what shapeMeter measures of a selection set.
type shape struct {
	depth   int // fields nested, the deepest path
	aliases int // aliased fields, fragments counted at each spread (saturating)
}

type shapeMeter struct {
	frags         ast.FragmentDefinitionList
	memo          map[string]shape
	maxDirectives int
	directivesAt  *ast.Position // the first place with too many directives

	noIntrospection bool
	introspectionAt *ast.Position // the first __schema or __type
}

func (m *shapeMeter) directives(d ast.DirectiveList, pos *ast.Position) {
	if m.maxDirectives > 0 && len(d) > m.maxDirectives && m.directivesAt == nil {
		m.directivesAt = pos
	}
}

func (m *shapeMeter) measure(set ast.SelectionSet) shape {
	var out shape
	add := func(s shape) {
		out.depth = max(out.depth, s.depth)
		out.aliases = satAdd(out.aliases, s.aliases)
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			m.directives(s.Directives, s.Position)
			if m.noIntrospection && (s.Name == "__schema" || s.Name == "__type") && m.introspectionAt == nil {
				m.introspectionAt = s.Position
			}
			child := m.measure(s.SelectionSet)
			child.depth++
			if s.Alias != "" && s.Alias != s.Name {
				child.aliases = satAdd(child.aliases, 1)
			}
			add(child)
		case *ast.InlineFragment:
			m.directives(s.Directives, s.Position)
			add(m.measure(s.SelectionSet))
		case *ast.FragmentSpread:
			m.directives(s.Directives, s.Position)
			add(m.fragment(s.Name))
		}
	}
	return out
}

// fragment measures a named fragment once. Validation has refused cycles
// already; the placeholder stored first guards against one anyway.
func (m *shapeMeter) fragment(name string) shape {
	if s, ok := m.memo[name]; ok {
		return s
	}
	m.memo[name] = shape{}
	f := m.frags.ForName(name)
	if f == nil {
		return shape{}
	}
	m.directives(f.Directives, f.Position)
	s := m.measure(f.SelectionSet)
	m.memo[name] = s
	return s
}

func satAdd(a, b int) int {
	if a > math.MaxInt32-b {
		return math.MaxInt32
	}
	return a + b
}

// RateLimit allows each actor (or, without a token, each client address) a
// token bucket of burst requests, refilled at rps per second; a request over
// it gets 429 with a Retry-After header and the error code RATE_LIMITED.
// rps <= 0 turns the limit off. Wrap it inside Authenticate, so the actor is
// known. The client address is the connection's: X-Forwarded-For is not
// trusted (it is the client's to write).
func RateLimit(rps float64, burst int, next http.Handler) http.Handler {
	if rps <= 0 {
		return next
	}
	l := newRateLimiter(rps, burst, time.Now)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(clientKey(r))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprintf(w, `{"errors":[{"message":"Too many requests: try again in %d s.","extensions":{"code":%q,"retryAfter":%d,"requestId":%q}}]}`,
				secs, codeRateLimited, secs, RequestID(r.Context()))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// clientKey names who a request counts against: its actor, else its address.
func clientKey(r *http.Request) string {
	if a := shop.ActorFromContext(r.Context()); a != nil {
		return "user:" + strconv.FormatInt(int64(a.UserID), 10)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + host
}

// rateLimiter is a token bucket per key, in memory (per instance).
type rateLimiter struct {
	rps   float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory: past it, full buckets are dropped.
const maxBuckets = 10000

func newRateLimiter(rps float64, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{rps: rps, burst: float64(max(burst, 1)), now: now, buckets: map[string]*bucket{}}
}

// allow takes a token from key's bucket; when empty it returns how long until
// the next one.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rps)
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / l.rps * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// sweep drops the buckets that have refilled: they hold no state.
func (l *rateLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rps >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// websocketCaps counts the websockets of an instance, in total and per actor.
// A slot is taken before the upgrade and given back when the transport's Do
// returns, that is when the socket is gone (WebsocketRegistry counts
// accepted sockets; this also counts those being upgraded).
type websocketCaps struct {
	maxTotal, maxPerActor int

	mu       sync.Mutex
	total    int
	perActor map[shop.UserID]int
}

// acquire takes a slot, and one of actor's unless actor is 0.
func (c *websocketCaps) acquire(actor shop.UserID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.maxTotal > 0 && c.total >= c.maxTotal {
		return false
	}
	if actor != 0 && c.maxPerActor > 0 && c.perActor[actor] >= c.maxPerActor {
		return false
	}
	c.total++
	if actor != 0 {
		c.acquireActorLocked(actor)
	}
	return true
}

func (c *websocketCaps) acquireActorLocked(actor shop.UserID) {
	if c.perActor == nil {
		c.perActor = map[shop.UserID]int{}
	}
	c.perActor[actor]++
}

func (c *websocketCaps) release(actor shop.UserID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if actor != 0 {
		if c.perActor[actor]--; c.perActor[actor] <= 0 {
			delete(c.perActor, actor)
		}
	}
}
