package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"bayboard/graph"
	"bayboard/shop"
	"bayboard/store"
)

// Close codes of the graphql-transport-ws protocol
// (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). The
// graphql-ws client gives up for good on 4400, 4401, 4409, 4429 and on any
// 1xxx code but 1000, 1001, 1005, 1006, 1012, 1013 and 1014; it retries on
// 4403 and 4408.
const (
	closeNormal         = websocket.StatusNormalClosure
	closeProtocolError  = websocket.StatusProtocolError // legacy graphql-ws only
	closeGoingAway      = websocket.StatusGoingAway
	closeTryAgainLater  = websocket.StatusTryAgainLater
	closeBadRequest     = websocket.StatusCode(4400) // malformed or unexpected message
	closeUnauthorized   = websocket.StatusCode(4401) // subscribe before connection_ack
	closeForbidden      = websocket.StatusCode(4403) // connection_init refused
	closeInitTimeout    = websocket.StatusCode(4408) // no connection_init in time
	closeSubscriberDup  = websocket.StatusCode(4409) // subscribe with an id already in flight
	closeTooManyInits   = websocket.StatusCode(4429) // a second connection_init
	maxCloseReasonBytes = 123

	subprotocolTransportWS = "graphql-transport-ws"
	subprotocolLegacyWS    = "graphql-ws" // subscriptions-transport-ws

	reasonShutdown = "Server shutting down"
	reasonInvalid  = "Invalid message received"

	// writeTimeout bounds one message's write: a client that reads nothing
	// for that long is dropped rather than holding its operations.
	writeTimeout = 10 * time.Second

	// codeTooManyOperations answers a subscribe past WebsocketMaxOperations.
	codeTooManyOperations = "TOO_MANY_OPERATIONS"
)

// websocketTransport serves GraphQL over websockets on github.com/coder/websocket,
// speaking graphql-transport-ws and the legacy graphql-ws of
// subscriptions-transport-ws (also when the client names no subprotocol).
// It owns the protocol so that every close carries the code the protocol
// gives it:
//
//   - invalid JSON, an unknown or server-only type, a malformed message: 4400
//   - subscribe before connection_ack: 4401
//   - connection_init refused (no or bad token): 4403; the token could not
//     be checked (database down), or the instance or the token's user has
//     all its sockets open: 1013
//   - the token was revoked or has expired, or its user lost a site or
//     changed role, while the socket was open: 4403 (found by the token
//     re-check every TokenCheckInterval, see WebsocketRegistry.watch)
//   - no connection_init within InitTimeout: 4408
//   - subscribe with an id in flight: 4409
//   - subscribe with WebsocketMaxOperations in flight: not a close, an
//     "error" message for that id (TOO_MANY_OPERATIONS): the graphql-ws
//     client hands it to that subscription's sink and keeps the socket and
//     the other subscriptions, where 4400 would end them all for good
//   - a second connection_init: 4429
//   - a message over the read limit: 1009 (coder/websocket's)
//   - server shutdown (WebsocketRegistry.Shutdown or the request's context
//     ending): 1001; the hub dropped a slow subscriber: 1013 (both make the
//     client reconnect and resume from its cursor)
//   - a pong missing for two ping intervals: the connection is dropped
//     without a handshake (the peer is gone)
//
// Until its connection_init is accepted a socket (unless its upgrade
// carried a valid token) counts against its address's budget of pending
// sockets, not against the instance's and the user's limits, so that
// sockets that never authenticate cannot lock real screens out: past the
// address's budget the upgrade gets 429 (that client is the cause: it may
// retry once its own pending sockets have timed out), past the instance's
// pending cap 503 (the server is busy, whoever asks).
//
// A ping before connection_init gets its pong. On legacy graphql-ws the
// refusals and errors are sent as connection_error before the close (1002
// for a protocol error, 4403 or 1013 for a refused init), and "ka" keeps
// the connection alive.
type websocketTransport struct {
	db      *store.DB
	log     *slog.Logger
	reg     *WebsocketRegistry
	caps    *websocketCaps
	pending *pendingSockets
	admit   *admission // nil: upgrades are not paced
	maxOps  int        // operations in flight per socket; 0: no limit

	clock        Clock
	origins      []string
	initTimeout  time.Duration
	pingInterval time.Duration // graphql-transport-ws: ping, and drop a client that does not pong
	keepAlive    time.Duration // legacy: "ka"
	readLimit    int64
}

var _ graphql.Transport = (*websocketTransport)(nil)

func newWebsocket(db *store.DB, log *slog.Logger, opts Options) *websocketTransport {
	reg := opts.Websockets
	if reg == nil {
		reg = &WebsocketRegistry{}
	}
	clock := opts.WebsocketClock
	if clock == nil {
		clock = systemClock{}
	}
	admit := reg.configure(&tokenChecker{db: db, log: log, clock: clock, every: opts.TokenCheckInterval},
		newAdmission(opts.WebsocketAdmit, clock, admitHold, admitWait))
	return &websocketTransport{db: db, log: log, reg: reg, clock: clock, admit: admit,
		caps:    &websocketCaps{maxTotal: opts.WebsocketMaxConns, maxPerActor: opts.WebsocketMaxPerToken},
		pending: &pendingSockets{perAddr: opts.WebsocketPendingPerAddr, max: opts.WebsocketPendingMax},
		maxOps:  opts.WebsocketMaxOperations,
		origins: opts.WebsocketOrigins, initTimeout: opts.WebsocketInitTimeout,
		pingInterval: opts.WebsocketPingInterval, keepAlive: 10 * time.Second, readLimit: opts.WebsocketReadLimit}
}

// Supports implements graphql.Transport: every upgrade request.
func (t *websocketTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") != ""
}

// Do implements graphql.Transport. It returns once the socket is open; the
// socket's one goroutine reads it (serve), and its operations take a
// goroutine only while they have something to send (drain).
func (t *websocketTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	// The wait for an admission slot comes first: a socket waiting its
	// turn holds none of its address's pending budget (the boards of a
	// workshop reconnect together, often through one address).
	admitted, ok := t.admit.enter(r.Context())
	if !ok {
		return // the client went while it waited
	}
	// The socket outlives this request: its handler returns once the
	// socket is up (so that the HTTP server's buffers and the request's
	// goroutine go), and the registry closes it on shutdown.
	c := &wsConn{t: t, ctx: context.WithoutCancel(r.Context()), exec: exec, headers: r.Header, addr: remoteHost(r),
		ops: map[string]*wsOp{}, admitted: admitted}
	if a := shop.ActorFromContext(r.Context()); a != nil {
		// Authenticated by the upgrade's header: counted at once.
		if !t.caps.acquire(a.UserID) {
			admitted()
			refuseUpgrade(w, r, http.StatusServiceUnavailable, 5, "Too many open connections: try again later.")
			return
		}
		c.actor, c.counted = a.UserID, true
	} else if status := t.pending.acquire(c.addr); status != 0 {
		msg := "Too many connections from your address wait for connection_init: try again later."
		if status == http.StatusServiceUnavailable {
			msg = "Too many connections wait for connection_init: try again later."
		}
		// They free up within the init timeout.
		admitted()
		refuseUpgrade(w, r, status, max(1, int((t.initTimeout+time.Second-1)/time.Second)), msg)
		return
	} else {
		c.pending = true
	}
	hw := &hijackWriter{ResponseWriter: w}
	ws, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
		Subprotocols:   []string{subprotocolTransportWS, subprotocolLegacyWS},
		OriginPatterns: t.origins,
	})
	if err != nil {
		admitted()
		c.releaseSlot() // Accept answered already (403 for a cross-site origin)
		return
	}
	c.io = hw.conn
	if t.readLimit > 0 {
		ws.SetReadLimit(t.readLimit)
	} else {
		ws.SetReadLimit(-1) // zero turns the limit off, as for every option
	}
	c.ws, c.legacy = ws, ws.Subprotocol() != subprotocolTransportWS
	go func() {
		defer c.releaseSlot()
		defer admitted()
		if !t.reg.add(c) {
			c.closeWith(closeGoingAway, reasonShutdown)
		}
		c.serve()
		if c.unwatch != nil {
			c.unwatch()
		}
		t.reg.remove(c)
	}()
}

// refuseUpgrade answers an upgrade it will not make with status, a
// Retry-After and the code TOO_MANY_CONNECTIONS.
func refuseUpgrade(w http.ResponseWriter, r *http.Request, status, retryAfter int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"message":%q,"extensions":{"code":%q,"requestId":%q}}]}`,
		msg, codeTooManySockets, RequestID(r.Context()))
}

// remoteHost is the address of the connection's peer, without its port:
// X-Forwarded-For is not trusted (as for the rate limit, clientKey).
func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// releaseSlot gives back the socket's slot: the instance's and its user's
// once authenticated, its address's pending one before.
func (c *wsConn) releaseSlot() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counted {
		c.t.caps.release(c.actor)
		c.counted = false
	}
	if c.pending {
		c.t.pending.release(c.addr)
		c.pending = false
	}
}

// wsConn is one socket.
type wsConn struct {
	t       *websocketTransport
	ws      *websocket.Conn
	io      *corkConn // under ws: batches a pass's frames into one write
	exec    graphql.GraphExecutor
	ctx     context.Context // the upgrade request's
	base    context.Context // the operations': ctx with the actor; set by init, read by the read loop only
	headers http.Header
	legacy  bool
	addr    string // the peer's address, whose pending budget the socket uses until authenticated
	unwatch func() // ends the token re-check (set by init, read by Do after serve)

	wg   sync.WaitGroup // the operations in flight (an idle feed holds no goroutine, but counts)
	done chan struct{}  // closed once the close handshake is over; nil until closing

	mu        sync.Mutex
	actor     shop.UserID // whose slot the socket holds; 0 until known
	counted   bool        // holds a slot of the instance's and actor's (websocketCaps)
	pending   bool        // holds a pending slot of its address's (pendingSockets)
	admitted  func()      // gives back the socket's admission slot (admission); set before serve starts
	initSeen  bool
	acked     bool
	ops       map[string]*wsOp // in flight, by id
	closeCode websocket.StatusCode
	pongSeen  bool

	// Timers (made with the transport's clock, no goroutine while waiting).
	timersOff   bool   // serve ended: arm nothing more
	initStop    func() // the init timeout's
	pingStop    func() // the next ping's (or "ka")
	pinged      bool
	missedPongs int
}

// wsOp is an operation in flight.
type wsOp struct {
	id     string
	qid    []byte // id as a JSON string
	cancel context.CancelFunc
	quiet  bool // under c.mu: the client completed it (or, on legacy, replaced it): nothing more is sent

	// A live feed (driver.Live) is pulled only while its driver says a
	// response is ready, by one goroutine at a time: the one that set
	// draining. Set from the start, so that wakes during its dispatch wait
	// for the dispatching goroutine's first drain.
	driver    *graph.FeedDriver
	draining  atomic.Bool
	responses graphql.ResponseHandler
	rctx      context.Context // the responses'
	rc        *graphql.OperationContext
}

// serve runs the protocol until the socket is closed.
func (c *wsConn) serve() {
	if c.t.initTimeout > 0 {
		stop := c.t.clock.AfterFunc(c.t.initTimeout, c.initExpired)
		c.mu.Lock()
		c.initStop = stop
		c.mu.Unlock()
	}
	for {
		_, b, err := c.ws.Read(context.Background())
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				// The library has sent 1009. Finish the close handshake
				// (reading off the rest of the message) instead of dropping
				// the connection under a peer that is still writing: that
				// resets it, and the peer never reads why.
				c.closeWith(websocket.StatusMessageTooBig, "Message too big")
			}
			break
		}
		if c.isClosing() {
			continue // discard until the peer's close, as the handshake requires
		}
		if c.legacy {
			c.handleLegacy(b)
		} else {
			c.handle(b)
		}
	}
	c.stopTimers()
	c.cancelOps()
	c.wg.Wait()
	c.mu.Lock()
	done := c.done
	c.mu.Unlock()
	if done != nil {
		<-done
	}
	_ = c.ws.CloseNow()
}

// stopTimers stops the socket's timers and arms no more.
func (c *wsConn) stopTimers() {
	c.mu.Lock()
	c.timersOff = true
	stops := []func(){c.initStop, c.pingStop}
	c.initStop, c.pingStop = nil, nil
	c.mu.Unlock()
	for _, stop := range stops {
		if stop != nil {
			stop()
		}
	}
}

// initExpired closes a socket that sent no connection_init in time.
func (c *wsConn) initExpired() {
	if c.isInitSeen() {
		return
	}
	if c.legacy {
		c.closeWith(closeProtocolError, "Connection initialisation timeout")
	} else {
		c.closeWith(closeInitTimeout, "Connection initialisation timeout")
	}
}

// armPing sets the next ping (or "ka" on legacy) of an acknowledged socket.
func (c *wsConn) armPing() {
	interval := c.t.pingInterval
	if c.legacy {
		interval = c.t.keepAlive
	}
	if interval <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.timersOff {
		c.pingStop = c.t.clock.AfterFunc(interval, c.ping)
	}
}

// ping sends a ping, or drops the connection when the last two went
// unanswered (the peer is gone); on legacy it sends "ka".
func (c *wsConn) ping() {
	c.armPing() // first: whoever hears this ping may move a test's clock on
	if c.legacy {
		c.write(message(nil, "ka", "", nil))
		return
	}
	c.mu.Lock()
	if c.pinged && !c.pongSeen {
		c.missedPongs++
	} else {
		c.missedPongs = 0
	}
	c.pongSeen, c.pinged = false, true
	missed := c.missedPongs
	c.mu.Unlock()
	if missed >= 2 {
		_ = c.ws.CloseNow()
		return
	}
	c.write(message(nil, "ping", "", nil))
}

// Clock makes the timers of the websockets, so that a test can fire them.
type Clock interface {
	// Timer returns a channel that receives once, d from now, and a func
	// that stops it.
	Timer(d time.Duration) (<-chan time.Time, func())
	// Ticker returns a channel that receives every d, and a func that stops it.
	Ticker(d time.Duration) (<-chan time.Time, func())
	// AfterFunc calls f in its own goroutine d from now, unless the
	// returned func stopped it first.
	AfterFunc(d time.Duration, f func()) func()
}

// systemClock is the time package's.
type systemClock struct{}

func (systemClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

func (systemClock) Ticker(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

func (systemClock) AfterFunc(d time.Duration, f func()) func() {
	t := time.AfterFunc(d, f)
	return func() { t.Stop() }
}

// clientMessage is a message from the client, of either subprotocol.
type clientMessage struct {
	Type    string          `json:"type"`
	ID      *string         `json:"id"`
	Payload json.RawMessage `json:"payload"`
}

// handle applies a graphql-transport-ws message.
func (c *wsConn) handle(b []byte) {
	var m clientMessage
	if err := decodeObject(b, &m); err != nil || m.Type == "" {
		c.closeWith(closeBadRequest, reasonInvalid)
		return
	}
	switch m.Type {
	case "connection_init":
		if c.markInitSeen() {
			c.closeWith(closeTooManyInits, "Too many initialisation requests")
			return
		}
		if !nullOrObject(m.Payload) {
			c.closeWith(closeBadRequest, reasonInvalid+": the connection_init payload must be an object")
			return
		}
		c.init(m.Payload)
	case "ping":
		if !nullOrObject(m.Payload) {
			c.closeWith(closeBadRequest, reasonInvalid+": the ping payload must be an object")
			return
		}
		c.write(message(nil, "pong", "", m.Payload))
	case "pong":
		if !nullOrObject(m.Payload) {
			c.closeWith(closeBadRequest, reasonInvalid+": the pong payload must be an object")
			return
		}
		c.mu.Lock()
		c.pongSeen = true
		c.mu.Unlock()
	case "subscribe":
		c.mu.Lock()
		acked := c.acked
		dup := m.ID != nil && c.ops[*m.ID] != nil
		full := c.t.maxOps > 0 && len(c.ops) >= c.t.maxOps
		c.mu.Unlock()
		switch {
		case !acked:
			c.closeWith(closeUnauthorized, "Unauthorized")
		case m.ID == nil || *m.ID == "":
			c.closeWith(closeBadRequest, reasonInvalid+": subscribe needs an id")
		case !validSubscribePayload(m.Payload):
			c.closeWith(closeBadRequest, reasonInvalid+": subscribe needs a payload with a query")
		case dup:
			c.closeWith(closeSubscriberDup, closeReason("Subscriber for "+*m.ID+" already exists"))
		case full:
			c.sendErrors(*m.ID, c.tooManyOperations())
		default:
			c.start(*m.ID, m.Payload)
		}
	case "complete":
		if m.ID == nil || *m.ID == "" {
			c.closeWith(closeBadRequest, reasonInvalid+": complete needs an id")
			return
		}
		c.stop(*m.ID, true)
	default:
		c.closeWith(closeBadRequest, closeReason(fmt.Sprintf("%s: unexpected type %q", reasonInvalid, m.Type)))
	}
}

// handleLegacy applies a legacy graphql-ws message. Every refusal is a
// connection_error, then a close: legacy clients retry on any code.
func (c *wsConn) handleLegacy(b []byte) {
	var m clientMessage
	if err := decodeObject(b, &m); err != nil || m.Type == "" {
		c.refuseLegacy(closeProtocolError, reasonInvalid)
		return
	}
	c.mu.Lock()
	acked := c.acked
	c.mu.Unlock()
	id := ""
	if m.ID != nil {
		id = *m.ID
	}
	switch {
	case m.Type == "connection_init" && !acked && !c.isInitSeen():
		c.markInitSeen()
		if !nullOrObject(m.Payload) {
			c.refuseLegacy(closeProtocolError, reasonInvalid+": the connection_init payload must be an object")
			return
		}
		c.init(m.Payload)
	case m.Type == "connection_terminate":
		c.closeWith(closeNormal, "terminated")
	case m.Type == "start" && acked && id != "":
		var p struct {
			Query *string `json:"query"`
		}
		if decodeObject(m.Payload, &p) != nil || p.Query == nil {
			c.refuseLegacy(closeProtocolError, reasonInvalid+": start needs a payload with a query")
			return
		}
		c.stop(id, true) // subscriptions-transport-ws replaces an operation with the same id
		c.mu.Lock()
		full := c.t.maxOps > 0 && len(c.ops) >= c.t.maxOps
		c.mu.Unlock()
		if full {
			c.sendErrors(id, c.tooManyOperations())
			c.write(message(nil, "complete", id, nil))
			return
		}
		c.start(id, m.Payload)
	case m.Type == "stop" && acked && id != "":
		c.stop(id, false)
	default:
		c.refuseLegacy(closeProtocolError, closeReason(fmt.Sprintf("Unexpected message %q", m.Type)))
	}
}

// refuseLegacy sends a legacy connection_error with reason, then closes.
func (c *wsConn) refuseLegacy(code websocket.StatusCode, reason string) {
	c.write(message(nil, "connection_error", "", errorObject(reason)))
	c.closeWith(code, reason)
}

// init authenticates a connection_init and acknowledges it, or closes the
// socket: 4403 (1013 when the token could not be checked, or its user has
// every socket open).
func (c *wsConn) init(payload json.RawMessage) {
	ctx, token, code, reason := c.authenticate(payload)
	if code != 0 {
		if c.legacy {
			c.write(message(nil, "connection_error", "", errorObject(reason)))
		}
		c.closeWith(code, reason)
		return
	}
	// The operations end when the socket does (closeWith, serve), not with
	// the request's context: that one ending means shutdown, which must
	// reach the client as 1001 before any operation could say "complete".
	c.base = context.WithoutCancel(ctx)
	// Watched before the ack: once the client hears it, a revocation reaches it.
	c.unwatch = c.t.reg.watch(token, shop.ActorFromContext(ctx), c.revoke)
	c.write(message(nil, "connection_ack", "", nil))
	if c.legacy {
		c.write(message(nil, "ka", "", nil))
	}
	c.mu.Lock()
	c.acked = true
	c.mu.Unlock()
	c.armPing()
}

// revoke closes the socket with 4403 (after a connection_error on legacy
// graphql-ws): its token no longer admits what it was opened with.
func (c *wsConn) revoke(reason string) {
	if c.isClosing() {
		return
	}
	if c.legacy {
		c.write(message(nil, "connection_error", "", errorObject(reason)))
	}
	c.closeWith(closeForbidden, reason)
}

// tooManyOperations is the error of a subscribe past the socket's limit.
func (c *wsConn) tooManyOperations() gqlerror.List {
	return gqlerror.List{{
		Message:    fmt.Sprintf("This connection has %d operations open, its limit: complete one before starting another.", c.t.maxOps),
		Extensions: map[string]any{"code": codeTooManyOperations, "requestId": RequestID(c.ctx)},
	}}
}

// authenticate returns the context of the socket's operations, with its
// actor, and the token that admitted it: the upgrade request's, or that of
// the bearer token in the payload (Authorization, or token). An
// authenticated socket moves from its address's pending budget to the
// instance's and its user's slots. On refusal it returns the close code and
// a reason fit for the client: never a driver's text.
func (c *wsConn) authenticate(payload json.RawMessage) (context.Context, string, websocket.StatusCode, string) {
	if shop.ActorFromContext(c.ctx) != nil {
		// Authenticated by the upgrade request's header, and counted then.
		return c.ctx, strings.TrimPrefix(c.headers.Get("Authorization"), "Bearer "), 0, ""
	}
	var p map[string]any
	_ = json.Unmarshal(payload, &p) // checked: absent, null or an object
	token := ""
	for _, k := range []string{"Authorization", "authorization", "token"} {
		if s, ok := p[k].(string); ok && s != "" {
			token = s
			break
		}
	}
	token = strings.TrimPrefix(token, "Bearer ")
	if token == "" {
		return nil, "", closeForbidden, `Send a bearer token in connection_init: {"Authorization": "Bearer <token>"}.`
	}
	a, err := c.t.db.FindActorByToken(c.ctx, token)
	if code := shop.ErrorCode(err); code == shop.EINTERNAL || code == shop.EUNAVAILABLE {
		// Not the client's fault: 1013 makes the client retry.
		c.t.log.ErrorContext(c.ctx, "websocket authentication", "error", err)
		return nil, "", closeTryAgainLater, "Internal error."
	} else if err != nil {
		return nil, "", closeForbidden, closeReason(shop.ErrorMessage(err))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.counted {
		if !c.t.caps.acquire(a.UserID) {
			return nil, "", closeTryAgainLater, "Too many open connections: try again later."
		}
		c.actor, c.counted = a.UserID, true
		if c.pending {
			c.t.pending.release(c.addr)
			c.pending = false
		}
	}
	return shop.NewContextWithActor(c.ctx, a), token, 0, ""
}

// start runs operation id (a subscription, query or mutation) in a
// goroutine of its own; a live feed's goroutine ends after its first
// drain, and the feed takes one again only when it has something to send.
func (c *wsConn) start(id string, payload json.RawMessage) {
	start := graphql.Now()
	params := &graphql.RawParams{}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber() // as gqlgen's transports: integers stay exact
	if err := dec.Decode(params); err != nil {
		c.sendErrors(id, gqlerror.List{{Message: "The operation is not valid JSON."}})
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	params.Headers = c.headers
	ctx, cancel := context.WithCancel(graphql.StartOperationTrace(c.base))
	ctx = graph.WithFeedInterrupt(ctx, func() {
		c.closeWith(closeTryAgainLater, "Feed interrupted: resume from your last cursor")
	})
	qid, _ := json.Marshal(id) // a client's string: JSON's quoting, not Go's
	op := &wsOp{id: id, qid: qid, cancel: cancel}
	op.draining.Store(true) // the dispatching goroutine drains first
	ctx, op.driver = graph.WithFeedDriver(ctx, func() { c.wake(op) })
	c.mu.Lock()
	c.ops[id] = op
	c.mu.Unlock()
	c.wg.Add(1)
	go c.run(ctx, op, params)
}

// run executes an operation and sends its responses, then complete (unless
// the client completed it or the socket is closing: a complete would tell a
// graphql-ws client that the feed is over, where it should resume). A live
// feed is handed to drain instead.
func (c *wsConn) run(ctx context.Context, op *wsOp, params *graphql.RawParams) {
	live := false
	defer func() {
		if !live {
			c.finish(op)
		}
	}()
	id := op.id
	rc, errs := c.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := c.exec.DispatchError(graphql.WithOperationContext(ctx, rc), errs)
		if errcode.GetErrorKind(errs) == errcode.KindProtocol {
			// The document does not parse or validate: "error" ends the
			// operation (graphql-transport-ws sends no complete after it).
			c.endWithErrors(id, op, resp.Errors)
			return
		}
		c.send(op, resp)
		c.end(id, op, true)
		return
	}
	ctx = graphql.WithOperationContext(ctx, rc)
	defer func() {
		if r := recover(); r != nil {
			c.panicked(ctx, op, rc, r)
		}
	}()
	responses, ctx := c.exec.DispatchOperation(ctx, rc)
	if op.driver.Live() {
		live = true
		op.responses, op.rctx, op.rc = responses, ctx, rc
		c.drain(op)
		return
	}
	for {
		resp := responses(ctx)
		if resp == nil {
			break
		}
		c.send(op, resp)
	}
	c.end(id, op, true)
}

// panicked ends op with the error of a panic in its resolvers.
func (c *wsConn) panicked(ctx context.Context, op *wsOp, rc *graphql.OperationContext, r any) {
	err := rc.Recover(ctx, r)
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) {
		gerr = &gqlerror.Error{Message: "Internal error."}
	}
	c.endWithErrors(op.id, op, gqlerror.List{gerr})
}

// finish marks op over: its context ends and serve stops waiting for it.
func (c *wsConn) finish(op *wsOp) {
	op.cancel()
	c.wg.Done()
	c.admitted()
}

// wake is a live feed's driver's: the feed may have something to send. It
// starts a drain unless one runs (which re-checks before it lets go).
func (c *wsConn) wake(op *wsOp) {
	if op.draining.CompareAndSwap(false, true) {
		go c.drain(op)
	}
}

// drain sends a live feed's ready responses, then lets the feed wait
// without a goroutine. Called by the goroutine that set op.draining.
func (c *wsConn) drain(op *wsOp) {
	for {
		if c.pump(op) {
			return // ended: draining stays set, nothing starts another
		}
		// The feed has sent what it had (a resuming board is caught up):
		// the socket is in, the next may come.
		c.admitted()
		op.draining.Store(false)
		// A wake between pump's last look and the line above found
		// draining set and left: look again.
		if !op.driver.Pending() || !op.draining.CompareAndSwap(false, true) {
			return
		}
	}
}

// pump sends every response of op that is ready, in one write of the
// socket (one system call for a burst), and reports whether op ended.
func (c *wsConn) pump(op *wsOp) (ended bool) {
	c.io.cork()
	defer c.io.uncork()
	defer func() {
		if r := recover(); r != nil {
			c.panicked(op.rctx, op, op.rc, r)
			c.finish(op)
			ended = true
		}
	}()
	for op.driver.Ready(op.rctx) {
		resp := op.responses(op.rctx)
		if resp == nil {
			c.end(op.id, op, true)
			c.finish(op)
			return true
		}
		c.send(op, resp)
	}
	return false
}

// send writes one response of op, serialised once: a response of data
// alone (every update of a feed) is written around gqlgen's bytes as they
// are.
func (c *wsConn) send(op *wsOp, resp *graphql.Response) {
	if c.silent(op) {
		return
	}
	typ := "next"
	if c.legacy {
		typ = "data"
	}
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Data) > 0 {
		bp := frameBuffers.Get().(*[]byte)
		b := append((*bp)[:0], `{"type":"`...)
		b = append(b, typ...)
		b = append(b, `","id":`...)
		b = append(b, op.qid...)
		b = append(b, `,"payload":{"data":`...)
		b = append(b, resp.Data...)
		b = append(b, "}}"...)
		c.write(b)
		*bp = b
		putFrameBuffer(bp)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		c.t.log.ErrorContext(c.ctx, "websocket response", "error", err)
		return
	}
	c.write(message(nil, typ, op.id, b))
}

// sendErrors writes an "error" message of operation id.
func (c *wsConn) sendErrors(id string, errs gqlerror.List) {
	b, err := json.Marshal(errs)
	if err != nil {
		c.t.log.ErrorContext(c.ctx, "websocket error", "error", err)
		return
	}
	c.write(message(nil, "error", id, b))
}

// end takes operation id off the socket and then, with complete, tells the
// client: in that order, so that the client may use the id again as soon
// as it hears.
func (c *wsConn) end(id string, op *wsOp, complete bool) {
	if !c.release(id, op) && complete {
		c.write(message(nil, "complete", id, nil))
	}
}

// endWithErrors ends operation id with an "error" message (and, on legacy
// graphql-ws, complete).
func (c *wsConn) endWithErrors(id string, op *wsOp, errs gqlerror.List) {
	if c.release(id, op) {
		return
	}
	c.sendErrors(id, errs)
	if c.legacy {
		c.write(message(nil, "complete", id, nil))
	}
}

// release takes operation id off the socket; it reports whether nothing
// more may be sent for it.
func (c *wsConn) release(id string, op *wsOp) (silent bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ops[id] == op {
		delete(c.ops, id)
	}
	return op.quiet || c.closeCode != 0
}

// silent reports whether nothing more may be sent for op.
func (c *wsConn) silent(op *wsOp) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return op.quiet || c.closeCode != 0
}

// stop cancels operation id; quiet: nothing more is sent for it.
func (c *wsConn) stop(id string, quiet bool) {
	c.mu.Lock()
	op := c.ops[id]
	if op != nil && quiet {
		op.quiet = true
		delete(c.ops, id)
	}
	c.mu.Unlock()
	if op != nil {
		op.cancel()
	}
}

// cancelOps cancels every operation in flight.
func (c *wsConn) cancelOps() {
	c.mu.Lock()
	ops := make([]*wsOp, 0, len(c.ops))
	for _, op := range c.ops {
		ops = append(ops, op)
	}
	c.mu.Unlock()
	for _, op := range ops {
		op.cancel()
	}
}

// write sends one message (with the other frames of a pump, when one
// runs); a client that cannot take it within writeTimeout is dropped
// (corkConn closes the connection), which ends the read loop.
// coder/websocket copies b before Write returns.
func (c *wsConn) write(b []byte) {
	c.io.cork()
	defer c.io.uncork()
	_ = c.ws.Write(context.Background(), websocket.MessageText, b)
}

// closeWith starts the close handshake with code, once (the first close
// wins), and cancels the operations without a word: the client learns
// everything from the code.
func (c *wsConn) closeWith(code websocket.StatusCode, reason string) {
	c.mu.Lock()
	if c.closeCode != 0 {
		c.mu.Unlock()
		return
	}
	c.closeCode = code
	done := make(chan struct{})
	c.done = done
	c.mu.Unlock()
	c.cancelOps()
	go func() {
		defer close(done)
		// Waits for the peer's close (read by serve's loop) at most 5 s.
		_ = c.ws.Close(code, closeReason(reason))
	}()
}

func (c *wsConn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeCode != 0
}

// markInitSeen notes a connection_init and reports whether one came before.
func (c *wsConn) markInitSeen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := c.initSeen
	c.initSeen = true
	return seen
}

func (c *wsConn) isInitSeen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.initSeen
}

// message appends a message of either subprotocol to buf: payload is JSON
// already (nil or null: none), written as is.
func message(buf []byte, typ, id string, payload json.RawMessage) []byte {
	buf = append(buf, `{"type":`...)
	buf = strconv.AppendQuote(buf, typ) // the protocol's names: plain ASCII
	if id != "" {
		q, _ := json.Marshal(id) // a client's string: JSON's quoting, not Go's
		buf = append(buf, `,"id":`...)
		buf = append(buf, q...)
	}
	if p := bytes.TrimSpace(payload); len(p) > 0 && !bytes.Equal(p, []byte("null")) {
		buf = append(buf, `,"payload":`...)
		buf = append(buf, p...)
	}
	return append(buf, '}')
}

// errorObject is a connection_error's payload: {"message": msg}.
func errorObject(msg string) json.RawMessage {
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	return b
}

// WebsocketRegistry tracks a server's open websockets, so that a graceful
// shutdown closes them with 1001 (going away) and clients reconnect to a
// healthy instance: http.Server.Shutdown leaves hijacked connections alone.
// The zero value is ready to use.
//
// It also re-checks the tokens of the open websockets and SSE streams
// (watch), so that a token revoked anywhere ends them.
type WebsocketRegistry struct {
	mu      sync.Mutex
	conns   map[*wsConn]struct{}
	closing bool
	idle    chan struct{} // closed once closing and no socket is left
	stop    chan struct{} // closed by Shutdown: ends the SSE streams (sse.go)

	checker  *tokenChecker // set by the first handler built on it
	admit    *admission    // likewise; nil: upgrades are not paced
	sessions map[*session]struct{}
	sweeping bool // a sweep goroutine runs (while there are sessions)
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
		c.closeWith(closeGoingAway, reasonShutdown)
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

// stopping returns a channel closed once Shutdown has begun.
func (r *WebsocketRegistry) stopping() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stoppingLocked()
}

func (r *WebsocketRegistry) stoppingLocked() chan struct{} {
	if r.stop == nil {
		r.stop = make(chan struct{})
	}
	return r.stop
}

// tokenChecker re-checks the tokens of the open sessions every interval.
type tokenChecker struct {
	db    *store.DB
	log   *slog.Logger
	clock Clock
	every time.Duration // 0: never
}

// session is an authenticated websocket or SSE stream: the token that
// admitted it, who it admitted, and how to end it.
type session struct {
	token string
	actor *shop.Actor
	end   func(reason string)
}

// configure sets how the sessions' tokens are re-checked, once.
// configure gives the registry the token checker and the admission
// pacing of the first handler built on it (every handler of an instance
// shares them), and returns the admission to use.
func (r *WebsocketRegistry) configure(ck *tokenChecker, admit *admission) *admission {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.checker == nil {
		r.checker, r.admit = ck, admit
	}
	return r.admit
}

// Admission returns how many upgrades waited for an admission slot, and
// how many of them went ahead without one after the wait (see
// Options.WebsocketAdmit).
func (r *WebsocketRegistry) Admission() (waited, unpaced int64) {
	r.mu.Lock()
	a := r.admit
	r.mu.Unlock()
	if a == nil {
		return 0, 0
	}
	return a.Waited.Load(), a.Unpaced.Load()
}

// watch re-checks token, which admitted actor, every TokenCheckInterval
// until the returned func is called; end is called (once, from another
// goroutine) when shop.SessionStillAllowed refuses the session. The
// sessions cost nothing per message: one goroutine per registry, running
// while there are sessions, resolves all their tokens with one statement
// per interval (store.CheckTokens). The token cache's TTL is the same
// interval, so a revocation takes effect on sockets and on requests alike.
func (r *WebsocketRegistry) watch(token string, actor *shop.Actor, end func(reason string)) (unwatch func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if token == "" || actor == nil || r.checker == nil || r.checker.every <= 0 || r.closing {
		return func() {}
	}
	s := &session{token: token, actor: actor, end: end}
	if r.sessions == nil {
		r.sessions = map[*session]struct{}{}
	}
	r.sessions[s] = struct{}{}
	if !r.sweeping {
		r.sweeping = true
		go r.sweep(r.checker, r.stoppingLocked())
	}
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.sessions, s)
	}
}

// sweep re-checks the sessions every ck.every until none is left or the
// registry shuts down.
func (r *WebsocketRegistry) sweep(ck *tokenChecker, stop <-chan struct{}) {
	tick, stopTick := ck.clock.Ticker(ck.every)
	defer stopTick()
	for {
		select {
		case <-stop:
			return // Shutdown ends every session, and no new one is watched
		case <-tick:
			if !r.sweepOnce(ck) {
				return
			}
		}
	}
}

// sweepOnce checks every session's token and ends those refused; false
// once no session is left (the sweep ends, the next watch starts another).
func (r *WebsocketRegistry) sweepOnce(ck *tokenChecker) bool {
	r.mu.Lock()
	if len(r.sessions) == 0 {
		r.sweeping = false
		r.mu.Unlock()
		return false
	}
	all := make([]*session, 0, len(r.sessions))
	seen := map[string]bool{}
	var tokens []string
	for s := range r.sessions {
		all = append(all, s)
		if !seen[s.token] {
			seen[s.token] = true
			tokens = append(tokens, s.token)
		}
	}
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	checks, err := ck.db.CheckTokens(ctx, tokens)
	cancel()
	if err != nil {
		// The database is unwell, not the tokens: the screens stay, and
		// the next sweep tries again.
		ck.log.Error("websocket token check", "error", err)
		return true
	}
	for _, s := range all {
		c := checks[s.token]
		if err := shop.SessionStillAllowed(s.actor, c.Actor, c.Err); err != nil {
			r.mu.Lock()
			_, open := r.sessions[s]
			delete(r.sessions, s)
			r.mu.Unlock()
			if open {
				s.end(closeReason(shop.ErrorMessage(err)))
			}
		}
	}
	return true
}

// pendingSockets counts the sockets not yet authenticated, per client
// address and in all (zero: no limit).
type pendingSockets struct {
	perAddr, max int

	mu     sync.Mutex
	total  int
	byAddr map[string]int
}

// acquire takes a pending slot of addr's, or returns the status of the
// refusal: 429 when addr has its budget open, 503 when the instance has.
func (p *pendingSockets) acquire(addr string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.perAddr > 0 && p.byAddr[addr] >= p.perAddr {
		return http.StatusTooManyRequests
	}
	if p.max > 0 && p.total >= p.max {
		return http.StatusServiceUnavailable
	}
	if p.byAddr == nil {
		p.byAddr = map[string]int{}
	}
	p.byAddr[addr]++
	p.total++
	return 0
}

func (p *pendingSockets) release(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total--
	if p.byAddr[addr]--; p.byAddr[addr] <= 0 {
		delete(p.byAddr, addr)
	}
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
