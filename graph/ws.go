package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"

	"bayboard/shop"
	"bayboard/store"
)

// Close codes of the graphql-transport-ws protocol
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). The
// graphql-ws client gives up for good on 4400, 4401, 4409, 4429 and on any
// 1xxx code but 1000, 1001, 1005, 1006, 1012, 1013 and 1014; it retries on
// 4403 and 4408.
const (
	closeBadRequest     = 4400 // malformed or unexpected message
	closeUnauthorized   = 4401 // subscribe before connection_ack
	closeForbidden      = 4403 // connection_init refused
	closeInitTimeout    = 4408 // no connection_init in time
	closeSubscriberDup  = 4409 // subscribe with an id already in flight
	closeTooManyInits   = 4429 // a second connection_init
	closeGoingAway      = int(websocket.StatusGoingAway)
	closeTryAgainLater  = int(websocket.StatusTryAgainLater)
	subprotocolTransWS  = "graphql-transport-ws"
	maxCloseReasonBytes = 123
)

// newWebsocket returns gqlgen's websocket transport (coder/websocket, both
// graphql-transport-ws and legacy graphql-ws), authenticating in
// connection_init. Its implementation fixes the close codes gqlgen sends on
// graphql-transport-ws and registers every socket in opts.Websockets.
func newWebsocket(db *store.DB, log *slog.Logger, opts Options) transport.Websocket {
	reg := opts.Websockets
	if reg == nil {
		reg = &WebsocketRegistry{}
	}
	return transport.Websocket{
		Implementation: websocketImplementation{reg: reg, coder: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: opts.WebsocketOrigins},
		}},
		InitTimeout:           opts.WebsocketInitTimeout,
		KeepAlivePingInterval: 10 * time.Second,
		PingPongInterval:      opts.WebsocketPingInterval,
		PayloadReadLimit:      &opts.WebsocketReadLimit,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			if a := shop.ActorFromContext(ctx); a != nil {
				return ctx, nil, nil // authenticated by the upgrade request's header
			}
			token := p.Authorization()
			if token == "" {
				if t, ok := p["token"].(string); ok {
					token = t
				}
			}
			token = strings.TrimPrefix(token, "Bearer ")
			if token == "" {
				return refuse(ctx, closeForbidden, "Send a bearer token in connection_init: {\"Authorization\": \"Bearer <token>\"}.")
			}
			a, err := db.FindActorByToken(ctx, token)
			if shop.ErrorCode(err) == shop.EINTERNAL {
				// Not the client's fault: 1013 makes the client retry.
				log.ErrorContext(ctx, "websocket authentication", "error", err)
				return refuse(ctx, closeTryAgainLater, "Internal error.")
			} else if err != nil {
				return refuse(ctx, closeForbidden, shop.ErrorMessage(err))
			}
			return shop.NewContextWithActor(ctx, a), nil, nil
		},
	}
}

// refuse makes gqlgen close a socket whose connection_init is refused with
// code, and msg as the close reason (and, on legacy graphql-ws, in the
// connection_error message): never a driver's text.
func refuse(ctx context.Context, code int, msg string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.WithWebsocketCloseCode(ctx, code)
	ctx = transport.AppendCloseReason(ctx, closeReason(msg))
	return ctx, nil, errors.New(msg)
}

// WebsocketRegistry tracks a server's open websockets, so that a graceful
// shutdown closes them with 1001 (going away) and clients reconnect to a
// healthy instance: http.Server.Shutdown leaves hijacked connections alone.
// The zero value is ready to use.
type WebsocketRegistry struct {
	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	closing bool
	idle    chan struct{} // closed once closing and no socket is left
	stop    chan struct{} // closed by Shutdown: ends the SSE streams (sse.go)
}

// Len returns the number of open websockets.
func (r *WebsocketRegistry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.conns)
}

// Shutdown closes every open websocket with 1001 and refuses new ones the
// same way, then waits until each has finished its close handshake (or the
// peer's 5 s to answer ran out). It returns ctx's error if ctx ends first.
func (r *WebsocketRegistry) Shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.closing = true
	if r.stop == nil {
		r.stop = make(chan struct{})
	}
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	if r.idle == nil {
		r.idle = make(chan struct{})
		if len(r.conns) == 0 {
			close(r.idle)
		}
	}
	conns := make([]*wsConn, 0, len(r.conns))
	for c := range r.conns {
		conns = append(conns, c)
	}
	idle := r.idle
	r.mu.Unlock()
	for _, c := range conns {
		c.closeWith(closeGoingAway, "Server shutting down")
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// add registers c; false once the registry is shutting down.
func (r *WebsocketRegistry) add(c *wsConn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	if r.conns == nil {
		r.conns = map[*wsConn]struct{}{}
	}
	r.conns[c] = struct{}{}
	return true
}

func (r *WebsocketRegistry) remove(c *wsConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[c]; !ok {
		return
	}
	delete(r.conns, c)
	if len(r.conns) == 0 && r.idle != nil {
		close(r.idle)
	}
}

// websocketImplementation is gqlgen's coder/websocket adapter, with each
// connection wrapped in a wsConn.
type websocketImplementation struct {
	coder transport.CoderWebsocketImplementation
	reg   *WebsocketRegistry
}

// Accept upgrades the request (coder/websocket refuses a cross-site origin
// with 403) and registers the connection; during shutdown it closes it at
// once with 1001.
func (i websocketImplementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := i.coder.Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	c := &wsConn{WebsocketConn: conn, reg: i.reg, ctx: r.Context(),
		transportWS: conn.Subprotocol() == subprotocolTransWS, ids: map[string]bool{}}
	if slot, ok := r.Context().Value(connSlotKey{}).(*connSlot); ok {
		slot.mu.Lock()
		slot.c = c
		slot.mu.Unlock()
	}
	if !i.reg.add(c) {
		c.closeWith(closeGoingAway, "Server shutting down")
	}
	return c, nil
}

// wsConn watches the messages of one socket so that it closes with the
// graphql-transport-ws codes where gqlgen v0.17.98 does not:
//
//   - invalid JSON, an unknown or server-only type, a malformed message: 4400
//     (gqlgen: 1002 before connection_init, 1000 after; a connection_init
//     payload that is not an object left the socket open, unanswered)
//   - subscribe before connection_ack: 4401 (gqlgen: 1002)
//   - connection_init refused: 4403, set by InitFunc (gqlgen default: 1000)
//   - no connection_init within the timeout: 4408 (gqlgen: 1002)
//   - subscribe with an id in flight: 4409 (gqlgen replaced the subscription)
//   - a second connection_init: 4429 (gqlgen: 1002)
//   - a ping before connection_init gets its pong (gqlgen: 1002)
//
// On both subprotocols, the 1000 gqlgen sends when the request's context
// ends (server.go's base context ends on SIGTERM) becomes 1001. Legacy
// graphql-ws keeps gqlgen's behaviour otherwise: its clients retry on any
// code.
type wsConn struct {
	transport.WebsocketConn
	reg         *WebsocketRegistry
	ctx         context.Context // the upgrade request's
	transportWS bool

	mu        sync.Mutex
	initSeen  bool
	acked     bool
	ids       map[string]bool // subscriptions in flight
	closeCode int             // the first close wins
	reading   bool
	finished  bool
}

var (
	_ transport.WebsocketReadLimiter   = (*wsConn)(nil)
	_ transport.WebsocketReadDeadliner = (*wsConn)(nil)
)

// NextReader returns the next message for gqlgen, after checking it against
// the protocol. On a violation it closes the socket with the protocol's code
// and returns an error, which ends gqlgen's read loop.
func (c *wsConn) NextReader() (int, io.Reader, error) {
	c.mu.Lock()
	c.reading = true
	c.mu.Unlock()
	for {
		typ, r, err := c.WebsocketConn.NextReader()
		if err == nil && c.closed() {
			continue // closing: discard until the peer's close, as coder/websocket does
		}
		if err != nil {
			c.finish()
			return typ, r, err
		}
		if !c.transportWS {
			c.setReading(false)
			return typ, r, nil
		}
		b, err := io.ReadAll(r)
		if err != nil {
			c.finish()
			return typ, nil, err
		}
		code, reason, skip, reply := c.check(b)
		if code != 0 {
			c.closeWith(code, reason)
			c.finish()
			return typ, nil, websocket.CloseError{Code: websocket.StatusCode(code), Reason: reason}
		}
		if reply != nil {
			if err := c.WebsocketConn.WriteJSON(reply); err != nil {
				c.finish()
				return typ, nil, err
			}
		}
		if skip {
			continue
		}
		c.setReading(false)
		return typ, bytes.NewReader(b), nil
	}
}

// clientMessage is a graphql-transport-ws message from the client.
type clientMessage struct {
	Type    string          `json:"type"`
	ID      *string         `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

// check applies the graphql-transport-ws rules to a client's message. It
// returns a close code and reason on a violation; skip for a message that
// gqlgen must not see, answered by reply if not nil (a ping before
// connection_init, which gqlgen would refuse).
func (c *wsConn) check(b []byte) (code int, reason string, skip bool, reply json.RawMessage) {
	var m clientMessage
	if err := decodeObject(b, &m); err != nil || m.Type == "" {
		return closeBadRequest, "Invalid message received", false, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Type {
	case "connection_init":
		if c.initSeen {
			return closeTooManyInits, "Too many initialisation requests", false, nil
		}
		if !nullOrObject(m.Payload) {
			return closeBadRequest, "Invalid message received: the connection_init payload must be an object", false, nil
		}
		c.initSeen = true
	case "ping", "pong":
		if !nullOrObject(m.Payload) {
			return closeBadRequest, "Invalid message received: the " + m.Type + " payload must be an object", false, nil
		}
		if !c.initSeen {
			if m.Type == "pong" {
				return 0, "", true, nil
			}
			if len(m.Payload) == 0 {
				return 0, "", true, json.RawMessage(`{"type":"pong"}`)
			}
			return 0, "", true, json.RawMessage(`{"type":"pong","payload":` + string(m.Payload) + `}`)
		}
	case "subscribe":
		if !c.acked {
			return closeUnauthorized, "Unauthorized", false, nil
		}
		if m.ID == nil || *m.ID == "" {
			return closeBadRequest, "Invalid message received: subscribe needs an id", false, nil
		}
		if !validSubscribePayload(m.Payload) {
			return closeBadRequest, "Invalid message received: subscribe needs a payload with a query", false, nil
		}
		if c.ids[*m.ID] {
			return closeSubscriberDup, "Subscriber for " + *m.ID + " already exists", false, nil
		}
		c.ids[*m.ID] = true
	case "complete":
		if m.ID == nil || *m.ID == "" {
			return closeBadRequest, "Invalid message received: complete needs an id", false, nil
		}
		delete(c.ids, *m.ID)
	default:
		return closeBadRequest, closeReason(fmt.Sprintf("Invalid message received: unexpected type %q", m.Type)), false, nil
	}
	return 0, "", false, nil
}

// WriteJSON sends a message, noting the acknowledgement and the end of each
// subscription (so that its id may be used again). gqlgen's messages are
// structs of payload (raw JSON), id and type: they are read as such and
// written in one piece, not marshalled and parsed again.
func (c *wsConn) WriteJSON(v any) error {
	if !c.transportWS {
		return c.WebsocketConn.WriteJSON(v)
	}
	m, ok := readMessage(v)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
	}
	c.mu.Lock()
	switch m.Type {
	case "connection_ack":
		c.acked = true
	case "complete", "error":
		delete(c.ids, m.ID)
	}
	c.mu.Unlock()
	if ok {
		return c.WebsocketConn.WriteJSON(m)
	}
	return c.WebsocketConn.WriteJSON(v)
}

// serverMessage is a graphql-transport-ws message from the server, in
// gqlgen's field order.
type serverMessage struct {
	Payload json.RawMessage `json:"payload,omitempty"`
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
}

// readMessage reads gqlgen's message struct (a pointer to a struct with
// the fields Payload []byte, ID string and Type string) without JSON.
func readMessage(v any) (serverMessage, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return serverMessage{}, false
	}
	rv = rv.Elem()
	p, id, typ := rv.FieldByName("Payload"), rv.FieldByName("ID"), rv.FieldByName("Type")
	if !p.IsValid() || !id.IsValid() || !typ.IsValid() || p.Kind() != reflect.Slice || p.Type().Elem().Kind() != reflect.Uint8 ||
		id.Kind() != reflect.String || typ.Kind() != reflect.String {
		return serverMessage{}, false
	}
	return serverMessage{Payload: p.Bytes(), ID: id.String(), Type: typ.String()}, true
}

// WriteClose closes the socket with gqlgen's code, corrected as wsConn says.
func (c *wsConn) WriteClose(code int, reason string) error {
	c.mu.Lock()
	initSeen := c.initSeen
	c.mu.Unlock()
	switch {
	case code == transport.WebsocketCloseNormalClosure && c.ctx.Err() != nil:
		code, reason = closeGoingAway, "Server shutting down"
	case c.transportWS && code == transport.WebsocketCloseProtocolError && !initSeen:
		// Nothing but the init timeout closes with 1002 before an init:
		// every message is checked first, and a too large one gets 1009.
		code, reason = closeInitTimeout, "Connection initialisation timeout"
	case c.transportWS && code == transport.WebsocketCloseProtocolError:
		code, reason = closeBadRequest, "Invalid message received"
	}
	return c.closeWith(code, reason)
}

// closeWith starts the close handshake, once.
func (c *wsConn) closeWith(code int, reason string) error {
	c.mu.Lock()
	if c.closeCode != 0 {
		c.mu.Unlock()
		return nil
	}
	c.closeCode = code
	c.mu.Unlock()
	return c.WebsocketConn.WriteClose(code, closeReason(reason))
}

func (c *wsConn) closed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode != 0
}

// Close releases the connection. The socket counts as gone once no read is
// pending: a pending read ends when the close handshake does.
func (c *wsConn) Close() error {
	err := c.WebsocketConn.Close()
	c.mu.Lock()
	reading := c.reading
	c.mu.Unlock()
	if !reading {
		c.finish()
	}
	return err
}

func (c *wsConn) setReading(v bool) {
	c.mu.Lock()
	c.reading = v
	c.mu.Unlock()
}

// finish takes the socket out of the registry.
func (c *wsConn) finish() {
	c.mu.Lock()
	c.reading = false
	done := c.finished
	c.finished = true
	c.mu.Unlock()
	if !done {
		c.reg.remove(c)
	}
}

// SetReadLimit passes gqlgen's PayloadReadLimit on.
func (c *wsConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

// SetReadDeadline passes the ping/pong deadline on.
func (c *wsConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// decodeObject decodes one JSON object, and nothing after it.
func decodeObject(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(b, v)
}

// nullOrObject reports whether an optional payload is absent, null or an object.
func nullOrObject(p json.RawMessage) bool {
	p = bytes.TrimSpace(p)
	return len(p) == 0 || bytes.Equal(p, []byte("null")) || p[0] == '{'
}

// validSubscribePayload checks a subscribe payload as the protocol's
// reference server does: an object with a query string; variables and
// extensions objects, operationName a string, each optional.
func validSubscribePayload(p json.RawMessage) bool {
	var s struct {
		Query         *string         `json:"query"`
		OperationName json.RawMessage `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	if decodeObject(p, &s) != nil || s.Query == nil {
		return false
	}
	op := bytes.TrimSpace(s.OperationName)
	return nullOrObject(s.Variables) && nullOrObject(s.Extensions) &&
		(len(op) == 0 || bytes.Equal(op, []byte("null")) || op[0] == '"')
}

// closeReason cuts a close reason to the 123 bytes a close frame holds
// (coder/websocket sends 1011 without a reason if it is longer).
func closeReason(s string) string {
	if len(s) <= maxCloseReasonBytes {
		return s
	}
	s = s[:maxCloseReasonBytes]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

type connSlotKey struct{}

// connSlot lets an operation reach the socket it runs on: the feed closes
// the whole socket with 1013 when the hub drops a slow subscriber, because
// graphql-ws clients treat a server "complete" as the end, but retry — and
// resume from their cursor — after 1013.
type connSlot struct {
	mu sync.Mutex
	c  *wsConn
}

// WebsocketSlots marks upgrade requests so their socket can be closed from
// an operation (see closeSocket). Wrap the GraphQL handler with it.
func WebsocketSlots(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			r = r.WithContext(context.WithValue(r.Context(), connSlotKey{}, &connSlot{}))
		}
		next.ServeHTTP(w, r)
	})
}

// closeSocket closes the websocket an operation runs on with code; it
// reports false when the operation is not on a (marked) websocket.
func closeSocket(ctx context.Context, code int, reason string) bool {
	s, ok := ctx.Value(connSlotKey{}).(*connSlot)
	if !ok {
		return false
	}
	s.mu.Lock()
	c := s.c
	s.mu.Unlock()
	if c == nil {
		return false
	}
	_ = c.closeWith(code, reason)
	return true
}
