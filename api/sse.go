package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"bayboard/graph"
	"bayboard/shop"
)

// sse is gqlgen's server-sent events transport (POST with Accept:
// text/event-stream), for clients that cannot open websockets. A stream is
// an ordinary HTTP response, which http.Server.Shutdown would wait for to
// the end of its timeout; so when the websocket registry shuts down, sse
// ends its streams too, without the final "event: complete": like a 1001 on
// a websocket, that tells the client to reconnect (to another instance) and
// resume from its last cursor. A stream whose token is revoked (or whose
// user loses a site) while it is open ends the same way, within the
// registry's token re-check interval (WebsocketRegistry.watch): the
// client's reconnect is then refused with 401.
type sse struct {
	transport.SSE
	reg *WebsocketRegistry
}

// Do implements graphql.Transport.
func (t sse) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sw := &stoppableWriter{ResponseWriter: w}
	go func() {
		select {
		case <-t.reg.stopping():
			sw.stopped.Store(true)
			cancel()
		case <-ctx.Done():
		}
	}()
	if a := shop.ActorFromContext(r.Context()); a != nil {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		defer t.reg.watch(token, a, func(string) {
			sw.stopped.Store(true)
			cancel()
		})()
	}
	// A feed the hub dropped ends the stream without its final "event:
	// complete", so the client resubscribes from its cursor.
	t.SSE.Do(sw, r.WithContext(graph.WithFeedInterrupt(ctx, func() { sw.stopped.Store(true) })), exec)
}

// stoppableWriter drops what is written once the server is stopping.
type stoppableWriter struct {
	http.ResponseWriter
	stopped atomic.Bool
}

var errStopping = errors.New("server shutting down")

func (w *stoppableWriter) Write(b []byte) (int, error) {
	if w.stopped.Load() {
		return 0, errStopping
	}
	return w.ResponseWriter.Write(b)
}

func (w *stoppableWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
