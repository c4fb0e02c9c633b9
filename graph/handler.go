package graph

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
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
	// Websockets tracks the open websockets, for a graceful shutdown
	// (Shutdown closes them with 1001); nil keeps a private registry.
	Websockets *WebsocketRegistry
	// Metrics, when set, records every operation.
	Metrics *Metrics
}

// DefaultOptions are safe for the internet; development turns on Introspection.
var DefaultOptions = Options{ComplexityLimit: 5000, MaxBodyBytes: 1 << 20, OperationTimeout: 15 * time.Second,
	WebsocketInitTimeout: 10 * time.Second, WebsocketPingInterval: 20 * time.Second, WebsocketReadLimit: 64 << 10}

// NewServer builds the GraphQL server over db.
func NewServer(db *store.DB, log *slog.Logger, cfg Options) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: &Resolver{DB: db, Hub: cfg.Hub}}))
	srv.AddTransport(newWebsocket(db, log, cfg))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		srv.SetDisableSuggestion(true)
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	if cfg.ComplexityLimit > 0 {
		srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
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
	// Fresh loaders for every root field: batching within the field, and no
	// value cached by one mutation is served after the next one.
	srv.AroundRootFields(func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		return next(WithLoaders(ctx, NewLoaders(db)))
	})
	if cfg.Metrics != nil {
		srv.Use(cfg.Metrics)
	}
	srv.SetErrorPresenter(ErrorPresenter(log))
	srv.SetRecoverFunc(func(ctx context.Context, err any) error {
		log.ErrorContext(ctx, "panic in resolver", "request_id", RequestID(ctx), "panic", fmt.Sprint(err), "stack", string(debug.Stack()))
		return errors.New("internal panic")
	})
	return srv
}

// ErrorPresenter keeps a shop.Error's message and puts its code in
// extensions.code; any other error is logged with the request ID and shown
// as "Internal error." — no SQL or driver text ever reaches a client.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
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
			gerr.Extensions = map[string]any{"code": "TIMEOUT", "requestId": RequestID(ctx)}
			return gerr
		}
		id := RequestID(ctx)
		log.ErrorContext(ctx, "internal error", "request_id", id, "path", gerr.Path.String(), "error", err.Error())
		gerr.Message = "Internal error."
		gerr.Extensions = map[string]any{"code": shop.EINTERNAL, "requestId": id}
		return gerr
	}
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
// UNAUTHENTICATED); a request with a bad token is refused with 401.
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
		if shop.ErrorCode(err) == shop.EINTERNAL {
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
	fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":"UNAUTHENTICATED"}}]}`, msg)
}

// LimitBody caps request bodies.
func LimitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if max > 0 && r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

// Playground returns the GraphiQL page for endpoint, with headers
// pre-filled (e.g. a demo token). Development only.
func Playground(endpoint string, headers map[string]string) http.Handler {
	return playground.Handler("Bayboard GraphiQL", endpoint,
		playground.WithGraphiqlUiHeaders(headers), playground.WithStoragePrefix("bayboard"))
}
