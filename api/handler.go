// Package api is the HTTP side of the GraphQL endpoint: gqlgen's handler
// with its transports (websocket on both graphql-transport-ws and legacy
// graphql-ws, server-sent events, GraphQL over HTTP), authentication,
// request IDs, limits (rate, body, operation shape, complexity, sockets),
// the error presenter, metrics and logging. It serves graph's schema and
// may import graph, board, store, shop and gqlgen; graph never imports it.
package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"bayboard/board"
	"bayboard/graph"
	"bayboard/shop"
	"bayboard/store"
)

// Options holds the GraphQL endpoint's limits and switches.
type Options struct {
	// Introspection enables schema introspection (on in development).
	Introspection bool
	// ComplexityLimit caps a query's computed complexity.
	ComplexityLimit int
	// MaxBodyBytes caps a request body.
	MaxBodyBytes int64
	// MaxDepth caps how deep fields nest in an operation, fragments included.
	MaxDepth int
	// MaxAliases caps the aliased fields of an operation (alias overloading).
	MaxAliases int
	// MaxDirectives caps the directives on one field or fragment.
	MaxDirectives int
	// MaxTokens caps the tokens of a query document, checked while parsing.
	MaxTokens int
	// MaxFields caps the fields of a new document (fragments counted at each
	// spread) before it is validated; 0 turns the validation budget off.
	MaxFields int
	// MaxFieldRepeats caps how often one response name is selected in one
	// selection set (same-named fields' sub-selections merged), which bounds
	// the pairs validation compares.
	MaxFieldRepeats int
	// OperationTimeout bounds each query or mutation.
	OperationTimeout time.Duration
	// Hub serves the subscriptions; without it they answer INTERNAL.
	Hub *board.Hub
	// WebsocketOrigins are the host patterns of pages allowed to open a
	// websocket from another origin (same-origin is always allowed).
	WebsocketOrigins []string
	// WebsocketInitTimeout closes a socket that sends no connection_init.
	WebsocketInitTimeout time.Duration
	// WebsocketPingInterval is the ping/pong keep-alive that detects a vanished client.
	WebsocketPingInterval time.Duration
	// WebsocketReadLimit caps one websocket message from a client, bytes.
	WebsocketReadLimit int64
	// WebsocketMaxConns caps the open websockets of this instance; the next
	// upgrade gets 503 before it happens.
	WebsocketMaxConns int
	// WebsocketMaxPerToken caps the open websockets of one user's tokens.
	WebsocketMaxPerToken int
	// WebsocketClock makes the websockets' timers (init timeout, pings,
	// keep-alives); nil is the system clock. Tests drive theirs by hand.
	WebsocketClock Clock
	// WebsocketPendingPerAddr caps the sockets of one client address that
	// have not yet been authenticated (connection_init accepted); the next
	// upgrade from that address gets 429. Until authenticated a socket does
	// not count against WebsocketMaxConns or WebsocketMaxPerToken.
	WebsocketPendingPerAddr int
	// WebsocketPendingMax caps the unauthenticated sockets of the instance;
	// the next anonymous upgrade gets 503.
	WebsocketPendingMax int
	// WebsocketAdmit paces upgrades: at most this many sockets at once
	// between their upgrade and their first operation's first delivery;
	// the others wait before the upgrade (up to a few seconds, then go
	// ahead). A storm of reconnecting boards gets its first screens live
	// at once instead of all of them late. Zero: no pacing.
	WebsocketAdmit int
	// WebsocketMaxOperations caps the operations (subscriptions, queries,
	// mutations) in flight on one socket; the next gets an error message.
	WebsocketMaxOperations int
	// TokenCheckInterval is how often the open websockets and SSE streams
	// re-check their tokens (one statement for all): a revoked or expired
	// token, or a user who lost a site, is cut off within it (4403). It
	// should be the store's token cache TTL. Zero: never.
	TokenCheckInterval time.Duration
	// Websockets tracks the open websockets, for a graceful shutdown
	// (Shutdown closes them with 1001); nil keeps a private registry.
	Websockets *WebsocketRegistry
	// Metrics, when set, records every operation.
	Metrics *Metrics
	// Schema, when set, is served instead of graph.NewSchema(db, Hub).
	Schema *graph.Schema
}

// DefaultOptions are safe for the internet; development turns on Introspection.
// Zero turns a limit off.
var DefaultOptions = Options{ComplexityLimit: 5000, MaxBodyBytes: 1 << 20, OperationTimeout: 15 * time.Second,
	MaxDepth: 15, MaxAliases: 30, MaxDirectives: 5, MaxTokens: 5000, MaxFields: 1000, MaxFieldRepeats: 10,
	WebsocketInitTimeout: 3 * time.Second, WebsocketPingInterval: 20 * time.Second, WebsocketReadLimit: 64 << 10,
	WebsocketMaxConns: 2000, WebsocketMaxPerToken: 20,
	WebsocketPendingPerAddr: 8, WebsocketPendingMax: 512, WebsocketAdmit: 256, WebsocketMaxOperations: 50, TokenCheckInterval: 10 * time.Second}

// NewServer builds the GraphQL endpoint over db: graph's schema behind the
// transports (websocket, server-sent events, GET and POST), the operation
// limits and the error presenter. Its transports answer a request they
// refuse with BAD_REQUEST (and 405 or 415), TOO_MANY_CONNECTIONS (503), or
// a limit's code (TOO_MANY_FIELDS, QUERY_TOO_DEEP, TOO_MANY_ALIASES,
// TOO_MANY_DIRECTIVES, INTROSPECTION_DISABLED, COMPLEXITY_LIMIT_EXCEEDED).
func NewServer(db *store.DB, log *slog.Logger, cfg Options) *handler.Server {
	schema := graph.NewSchema(db, cfg.Hub)
	if cfg.Schema != nil {
		schema = *cfg.Schema
	}
	srv := handler.New(schema.ExecutableSchema)
	websockets := cfg.Websockets
	if websockets == nil {
		websockets = &WebsocketRegistry{}
	}
	cfg.Websockets = websockets
	srv.AddTransport(newWebsocket(db, log, cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(overHTTP{transport.GET{}})
	// Server-sent events (POST with Accept: text/event-stream) for clients
	// that cannot open websockets; before POST, which would take the request.
	srv.AddTransport(sse{SSE: transport.SSE{KeepAlivePingInterval: 10 * time.Second}, reg: websockets})
	srv.AddTransport(overHTTP{transport.POST{}})
	srv.AddTransport(unsupported{})
	// Validated documents are kept, so a client's usual operations are
	// parsed and validated once; only small ones, so the cache stays small
	// (1,000 × 8 KiB of text and its tree) whatever clients send.
	validated := lru.New[*ast.QueryDocument](1000)
	srv.SetQueryCache(smallDocs{validated})
	if cfg.MaxTokens > 0 {
		srv.SetParserTokenLimit(cfg.MaxTokens)
	}
	srv.Use(shapeLimits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxDirectives: cfg.MaxDirectives,
		NoIntrospection: !cfg.Introspection})
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: smallQueries{lru.New[string](1000)}})
	// After the persisted query is looked up, before gqlgen parses and validates.
	srv.Use(validationBudget{MaxFields: cfg.MaxFields, MaxRepeats: cfg.MaxFieldRepeats, MaxTokens: cfg.MaxTokens, validated: validated})
	if cfg.ComplexityLimit > 0 {
		srv.Use(newComplexityLimit(cfg.ComplexityLimit))
	}
	if schema.Operations != nil {
		srv.AroundOperations(schema.Operations)
	}
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if cfg.OperationTimeout > 0 && graphql.GetOperationContext(ctx).Operation != nil &&
			graphql.GetOperationContext(ctx).Operation.Operation != ast.Subscription {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, cfg.OperationTimeout)
			rh := next(ctx)
			return func(ctx context.Context) *graphql.Response {
				defer cancel()
				return rh(ctx)
			}
		}
		return next(ctx)
	})
	if schema.RootFields != nil {
		srv.AroundRootFields(schema.RootFields)
	}
	if schema.Fields != nil {
		srv.AroundFields(schema.Fields)
	}
	if cfg.Metrics != nil {
		srv.Use(cfg.Metrics)
	}
	srv.SetErrorPresenter(ErrorPresenter(log))
	srv.SetRecoverFunc(func(ctx context.Context, err any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(err), "stack", string(debug.Stack()))
		return errors.New("internal panic")
	})
	return srv
}

// ErrorPresenter keeps a shop.Error's message and puts its code in
// extensions.code; any other error is logged with the request ID and shown
// as "Internal error." — no SQL or driver text ever reaches a client. Every
// error carries the request's ID in extensions.requestId, the key to its
// log lines.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	present := presentError(log)
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := present(ctx, err)
		if id := RequestID(ctx); id != "" {
			ext := make(map[string]any, len(gerr.Extensions)+1)
			for k, v := range gerr.Extensions {
				ext[k] = v
			}
			ext["requestId"] = id
			gerr.Extensions = ext
		}
		return gerr
	}
}

func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if store.IsUnavailable(err) {
			// Retryable: extensions.retryAfter, and over HTTP 503 with
			// Retry-After (overHTTP reads the mark).
			markUnavailable(ctx)
			log.WarnContext(ctx, "database unavailable", "path", gerr.Path.String(), "error", err.Error())
			gerr.Message = shop.ErrorMessage(err)
			if shop.ErrorCode(err) != shop.EUNAVAILABLE {
				gerr.Message = "The service is temporarily unavailable; nothing was changed. Try again in a few seconds."
			}
			gerr.Extensions = map[string]any{"code": shop.EUNAVAILABLE, "retryAfter": retryAfterUnavailable}
			return gerr
		}
		var se *shop.Error
		if errors.As(err, &se) {
			gerr.Message = se.Message
			gerr.Extensions = map[string]any{"code": se.Code}
			if se.Field != "" {
				gerr.Extensions["field"] = se.Field
			}
			return gerr
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) && ge.Err == nil {
			// Parse and validation errors are gqlparser's own, safe to show.
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			if _, ok := gerr.Extensions["code"]; !ok {
				gerr.Extensions["code"] = "GRAPHQL_VALIDATION_FAILED"
			}
			return gerr
		}
		if errors.Is(err, context.DeadlineExceeded) {
			gerr.Message = "The operation took too long and was stopped."
			gerr.Extensions = map[string]any{"code": "TIMEOUT"}
			return gerr
		}
		log.ErrorContext(ctx, "internal error", "path", gerr.Path.String(), "error", err.Error())
		gerr.Message = "Internal error."
		gerr.Extensions = map[string]any{"code": shop.EINTERNAL}
		return gerr
	}
}

// retryAfterUnavailable is the Retry-After of an UNAVAILABLE answer, seconds:
// about what the pool takes to reconnect once the database is back.
const retryAfterUnavailable = 5

// unavailableKey marks a request answered UNAVAILABLE (a *atomic.Bool):
// the error presenter sets it, overHTTP answers 503.
type unavailableKey struct{}

func withUnavailableMark(ctx context.Context) (context.Context, *atomic.Bool) {
	m := new(atomic.Bool)
	return context.WithValue(ctx, unavailableKey{}, m), m
}

func markUnavailable(ctx context.Context) {
	if m, ok := ctx.Value(unavailableKey{}).(*atomic.Bool); ok {
		m.Store(true)
	}
}

// writeUnavailable answers 503 UNAVAILABLE with Retry-After.
func writeUnavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", strconv.Itoa(retryAfterUnavailable))
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintf(w, `{"errors":[{"message":"The service is temporarily unavailable; nothing was changed. Try again in a few seconds.","extensions":{"code":%q,"retryAfter":%d,"requestId":%q}}]}`,
		shop.EUNAVAILABLE, retryAfterUnavailable, RequestID(r.Context()))
}

type requestIDKey struct{}

// RequestID returns the request's ID ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequestID gives every request an ID (or keeps a sane X-Request-ID from
// the client or a proxy) and echoes it in the response header.
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// Authenticate resolves the bearer token of a request to its actor. A
// request without a token goes on anonymous (resolvers then answer
// UNAUTHENTICATED); a request with a bad token is refused with 401 and the
// code UNAUTHENTICATED, and one whose token cannot be checked (the
// database is unwell) with 503 and UNAVAILABLE when the database cannot be
// reached, else 500 and INTERNAL, so the client keeps its token.
func Authenticate(db *store.DB, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			writeAuthError(w, "Use the header Authorization: Bearer <token>.")
			return
		}
		a, err := db.FindActorByToken(r.Context(), token)
		if store.IsUnavailable(err) {
			writeUnavailable(w, r)
			return
		} else if shop.ErrorCode(err) == shop.EINTERNAL {
			// The lookup failed, not the token: a 401 would sign the user out.
			id := RequestID(r.Context())
			slog.ErrorContext(r.Context(), "authenticate", "request_id", id, "error", err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"errors":[{"message":"Internal error.","extensions":{"code":"INTERNAL","requestId":%q}}]}`, id)
			return
		} else if err != nil {
			writeAuthError(w, shop.ErrorMessage(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(shop.NewContextWithActor(r.Context(), a)))
	})
}

func writeAuthError(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="bayboard"`)
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":"UNAUTHENTICATED","requestId":%q}}]}`,
		msg, w.Header().Get("X-Request-ID")) // set by WithRequestID
}

// LimitBody caps request bodies at max bytes (0: no cap). A body declared
// larger is refused at once; one that turns out larger (chunked) fails when
// read past the cap, and the transport refuses it. Either way the answer is
// 413 with the code REQUEST_TOO_LARGE, before any resolver runs.
func LimitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if max > 0 && r.ContentLength > max {
			writeTooLarge(w, r, max)
			return
		}
		if max > 0 && r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max)
			if r.ContentLength < 0 {
				// A body of unknown length (chunked) is read here, whatever
				// transport takes it (POST, server-sent events): every one
				// reads it whole anyway, and only here is the answer a 413.
				body, err := io.ReadAll(r.Body)
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) {
					writeTooLarge(w, r, max)
					return
				}
				r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// codeTooLarge refuses a request body over the cap.
const codeTooLarge = "REQUEST_TOO_LARGE"

// writeTooLarge answers 413 with a GraphQL error; the connection is closed
// after it, so the rest of the body is not read.
func writeTooLarge(w http.ResponseWriter, r *http.Request, max int64) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	fmt.Fprintf(w, `{"errors":[{"message":"The request body is larger than the limit of %d bytes.","extensions":{"code":%q,"requestId":%q}}]}`,
		max, codeTooLarge, RequestID(r.Context()))
}

// Playground returns the GraphiQL page for endpoint, with headers
// pre-filled (e.g. a demo token) and, on a first visit, query (e.g. the
// example operations of docs/) in the editor. Development only.
//
// gqlgen's GraphiQL takes no default query, but reads the editor's state
// from the URL when asked to keep it there: a visit without ?query= is
// redirected to one with query. Edits then live in the URL, so a link shares
// an operation.
func Playground(endpoint string, headers map[string]string, query string) http.Handler {
	page := playground.Handler("Bayboard GraphiQL", endpoint,
		playground.WithGraphiqlUiHeaders(headers), playground.WithStoragePrefix("bayboard"),
		playground.WithGraphiqlPersistStateInURL(true))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if query != "" && r.URL.RawQuery == "" {
			http.Redirect(w, r, r.URL.Path+"?"+url.Values{"query": {query}}.Encode(), http.StatusFound)
			return
		}
		page.ServeHTTP(w, r)
	})
}
