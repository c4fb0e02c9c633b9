package graph_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"bayboard/api"
	"bayboard/board"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// The websocket tests drive the real server over real sockets: coder/websocket
// as a raw client for the protocol's edges, and the npm graphql-ws client
// (TestWebsocketGraphqlWsClient) for what front-end teams run.

const (
	protoTransportWS = "graphql-transport-ws"
	protoLegacyWS    = "graphql-ws"
	wsBoardFeedQuery = `subscription ($site: ID!, $after: String) {
		boardFeed(siteId: $site, after: $after) { cursor reset kind summary jobId }
	}`
)

// wsEnv is a server with a running hub over a fresh database, a car with one
// started job, and bearer tokens for the board screen and the technician.
type wsEnv struct {
	db         *store.DB
	f          *storetest.Fixture
	hub        *board.Hub
	stopHub    func()
	reg        *api.WebsocketRegistry
	srv        *httptest.Server
	url        string // ws://…/query
	boardToken string
	techToken  string
	job        shop.JobID
	site       string // the site's global ID
}

// newWSEnv starts the server; tune changes its options. With an unstarted
// srv, the caller configures and starts it (before any dial).
func newWSEnv(t *testing.T, tune func(*api.Options)) *wsEnv {
	t.Helper()
	e := &wsEnv{db: storetest.MustOpenDB(t)}
	e.f = storetest.MustFixture(t, e.db)
	e.site = shop.GlobalID(shop.TypeSite, int64(e.f.Site.ID))
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	e.job = car.Jobs[0].ID
	if _, err := e.db.StartJob(storetest.Ctx(e.f.Tech), store.JobRef{JobID: e.job}); err != nil {
		t.Fatalf("start job: %v", err)
	}
	e.boardToken, e.techToken = wsToken(t, e.db, e.f.Board), wsToken(t, e.db, e.f.Tech)
	e.hub, e.stopHub = runHub(t, e.db)

	opts := api.DefaultOptions
	opts.Hub = e.hub
	opts.Websockets = &api.WebsocketRegistry{}
	if tune != nil {
		tune(&opts)
	}
	e.reg = opts.Websockets
	mux := http.NewServeMux()
	mux.Handle("/query", wsHandler(e.db, opts))
	e.srv = httptest.NewUnstartedServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.reg.Shutdown(ctx); err != nil {
			t.Errorf("websocket shutdown: %v", err)
		}
		e.srv.Close()
	})
	return e
}

// start starts the HTTP server.
func (e *wsEnv) start() *wsEnv {
	e.srv.Start()
	e.url = "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/query"
	return e
}

// wsHandler is /query as server.go builds it.
func wsHandler(db *store.DB, opts api.Options) http.Handler {
	log := slog.New(slog.DiscardHandler)
	return api.WithRequestID(api.LimitBody(opts.MaxBodyBytes, api.Authenticate(db, api.NewServer(db, log, opts))))
}

// startHub runs a hub until the test ends.
func startHub(t *testing.T, db *store.DB) *board.Hub {
	t.Helper()
	hub, _ := runHub(t, db)
	return hub
}

// runHub runs a hub until stop is called or the test ends.
func runHub(t *testing.T, db *store.DB) (hub *board.Hub, stop func()) {
	t.Helper()
	hub = board.NewHub(db, slog.New(slog.DiscardHandler), board.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("hub: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	waitFor(t, hub.Listening, "the hub to listen")
	return hub, stop
}

// wsToken stores a new bearer token for u.
func wsToken(t *testing.T, db *store.DB, u *shop.User) string {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := "test-" + hex.EncodeToString(b)
	if err := db.StoreToken(context.Background(), u.ID, tok, "ws test", 0); err != nil {
		t.Fatalf("store token: %v", err)
	}
	return tok
}

// progress reports the job's progress as the technician: one event.
func (e *wsEnv) progress(t *testing.T, p int) {
	t.Helper()
	if _, err := e.db.ReportJobProgress(storetest.Ctx(e.f.Tech), store.ReportJobProgressInput{JobID: e.job, Progress: p}); err != nil {
		t.Fatalf("report progress: %v", err)
	}
}

// head is the log's cursor once every committed event has its position
// (the hub sequences them shortly after commit).
func (e *wsEnv) head(t *testing.T) int64 {
	t.Helper()
	e.settle(t)
	h, err := e.db.LogHead(context.Background())
	if err != nil {
		t.Fatalf("log head: %v", err)
	}
	return h
}

// settle waits until no committed event waits for its position.
func (e *wsEnv) settle(t *testing.T) {
	t.Helper()
	conn, err := sql.Open("postgres", e.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	waitFor(t, func() bool {
		var n int
		if err := conn.QueryRow(`SELECT count(*) FROM events WHERE pos IS NULL`).Scan(&n); err != nil {
			t.Fatalf("count unsequenced events: %v", err)
		}
		return n == 0
	}, "the hub to sequence the events")
}

// logAfter is the site's committed log after cursor: the truth a feed must match.
func (e *wsEnv) logAfter(t *testing.T, after int64) []int64 {
	t.Helper()
	evs, err := e.db.ReadSiteEvents(context.Background(), e.f.Site.ID, after, 10000)
	if err != nil {
		t.Fatalf("read log: %v", err)
	}
	var pos []int64
	for _, ev := range evs {
		pos = append(pos, ev.Pos)
	}
	return pos
}

// wsMsg is a message of either subprotocol.
type wsMsg struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient is a raw websocket client.
type wsClient struct {
	t *testing.T
	c *websocket.Conn
}

func (e *wsEnv) dial(t *testing.T, proto string, header http.Header) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.url, &websocket.DialOptions{Subprotocols: []string{proto}, HTTPHeader: header})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if c.Subprotocol() != proto {
		t.Fatalf("subprotocol=%q, want %q", c.Subprotocol(), proto)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c}
}

func (c *wsClient) sendRaw(s string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.c.Write(ctx, websocket.MessageText, []byte(s)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *wsClient) send(m any) {
	c.t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

// read returns the next message, or the error that ended the socket.
func (c *wsClient) read(timeout time.Duration) (wsMsg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, b, err := c.c.Read(ctx)
	if err != nil {
		return wsMsg{}, err
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		return wsMsg{}, fmt.Errorf("server sent %q: %w", b, err)
	}
	return m, nil
}

// next returns the next message other than a keep-alive (ping, pong, ka).
func (c *wsClient) next() wsMsg {
	c.t.Helper()
	for {
		m, err := c.read(10 * time.Second)
		if err != nil {
			c.t.Fatalf("read: %v", err)
		}
		if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
			return m
		}
	}
}

// expect reads the next message other than a keep-alive, which must be of
// type typ (which may itself be a keep-alive type).
func (c *wsClient) expect(typ string) wsMsg {
	c.t.Helper()
	for {
		m, err := c.read(10 * time.Second)
		if err != nil {
			c.t.Fatalf("read: %v, want %s", err, typ)
		}
		if m.Type == typ {
			return m
		}
		if m.Type != "ping" && m.Type != "pong" && m.Type != "ka" {
			c.t.Fatalf("message=%s %s %s, want %s", m.Type, m.ID, m.Payload, typ)
		}
	}
}

// init sends connection_init with the token and waits for the ack.
func (c *wsClient) init(token string) {
	c.t.Helper()
	c.send(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"Authorization":"Bearer ` + token + `"}`)})
	c.expect("connection_ack")
}

// subscribe subscribes id to the site's board feed after cursor (nil: live only).
func (c *wsClient) subscribe(proto, id, site string, after *int64) {
	c.t.Helper()
	vars := map[string]any{"site": site}
	if after != nil {
		vars["after"] = strconv.FormatInt(*after, 10)
	}
	typ := "subscribe"
	if proto == protoLegacyWS {
		typ = "start"
	}
	p, _ := json.Marshal(map[string]any{"query": wsBoardFeedQuery, "variables": vars})
	c.send(wsMsg{Type: typ, ID: id, Payload: p})
}

// feedUpdate is one boardFeed message.
type feedUpdate struct {
	Cursor  string  `json:"cursor"`
	Reset   bool    `json:"reset"`
	Kind    *string `json:"kind"`
	Summary *string `json:"summary"`
	JobID   *string `json:"jobId"`
}

// update reads the next data message of id (next, or data on legacy).
func (c *wsClient) update(id string) feedUpdate {
	c.t.Helper()
	m := c.next()
	if (m.Type != "next" && m.Type != "data") || m.ID != id {
		c.t.Fatalf("message=%s %s %s, want next or data of %s", m.Type, m.ID, m.Payload, id)
	}
	var p struct {
		Data struct {
			BoardFeed feedUpdate `json:"boardFeed"`
		} `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("payload=%s err=%v, want an update", m.Payload, err)
	}
	return p.Data.BoardFeed
}

// expectClose reads until the server closes, which it must do with code
// and a reason starting with reason. Messages before the close must not be
// of the types in forbidden.
func (c *wsClient) expectClose(code int, reason string, forbidden ...string) {
	c.t.Helper()
	for {
		m, err := c.read(10 * time.Second)
		if err == nil {
			for _, f := range forbidden {
				if m.Type == f {
					c.t.Fatalf("message=%s %s %s before the close", m.Type, m.ID, m.Payload)
				}
			}
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			c.t.Fatalf("read error=%v, want close %d", err, code)
		}
		if int(ce.Code) != code || !strings.HasPrefix(ce.Reason, reason) {
			c.t.Fatalf("close=%d %q, want %d %q", ce.Code, ce.Reason, code, reason)
		}
		return
	}
}

// alive checks that the socket still works: a ping gets its pong.
func (c *wsClient) alive() {
	c.t.Helper()
	c.send(wsMsg{Type: "ping"})
	for {
		m, err := c.read(5 * time.Second)
		if err != nil {
			c.t.Fatalf("socket closed: %v", err)
		}
		if m.Type == "pong" {
			return
		}
	}
}

func ptr64(v int64) *int64 { return &v }

// TestWebsocketSubscribe subscribes to the board feed on both subprotocols and
// checks the updates against the committed log.
func TestWebsocketSubscribe(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	for _, proto := range []string{protoTransportWS, protoLegacyWS} {
		t.Run(proto, func(t *testing.T) {
			head := e.head(t)
			c := e.dial(t, proto, nil)
			c.init(e.boardToken)
			c.subscribe(proto, "feed", e.site, &head)
			var got []int64
			for i, p := range []int{10, 20, 30} {
				e.progress(t, p)
				u := c.update("feed")
				if u.Kind == nil || *u.Kind != string(shop.EventJobProgress) || *u.Summary != fmt.Sprintf("Progress %d%%", p) ||
					*u.JobID != shop.GlobalID(shop.TypeJob, int64(e.job)) {
					t.Fatalf("update %d=%+v, want progress %d of the job", i, u, p)
				}
				n, err := strconv.ParseInt(u.Cursor, 10, 64)
				if err != nil {
					t.Fatalf("cursor=%q: %v", u.Cursor, err)
				}
				got = append(got, n)
			}
			if want := e.logAfter(t, head); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("cursors=%v, want the log's %v", got, want)
			}
		})
	}
}

// TestWebsocketCloseCodes checks each close code of the graphql-transport-ws
// protocol, and that the socket stays open where the protocol says so.
func TestWebsocketCloseCodes(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketClock = clock }).start()
	feed := func(id string) string {
		p, _ := json.Marshal(map[string]any{"query": wsBoardFeedQuery, "variables": map[string]any{"site": e.site}})
		return `{"type":"subscribe","id":"` + id + `","payload":` + string(p) + `}`
	}
	tests := []struct {
		name   string
		init   bool     // send connection_init and wait for the ack first
		send   []string // then send these
		code   int
		reason string
	}{
		{"ErrNotJSON", false, []string{`nope`}, 4400, "Invalid message received"},
		{"ErrNotJSONAfterAck", true, []string{`{"type":`}, 4400, "Invalid message received"},
		{"ErrNotObject", true, []string{`["subscribe"]`}, 4400, "Invalid message received"},
		{"ErrNoType", true, []string{`{"id":"1"}`}, 4400, "Invalid message received"},
		{"ErrServerType", true, []string{`{"type":"next","id":"1","payload":{}}`}, 4400, "Invalid message received"},
		{"ErrLegacyType", true, []string{`{"type":"start","id":"1","payload":{"query":"{ __typename }"}}`}, 4400, "Invalid message received"},
		{"ErrInitPayload", false, []string{`{"type":"connection_init","payload":"token"}`}, 4400, "Invalid message received"},
		{"ErrSubscribeNoID", true, []string{`{"type":"subscribe","payload":{"query":"{ __typename }"}}`}, 4400, "Invalid message received"},
		{"ErrSubscribeNumericID", true, []string{`{"type":"subscribe","id":1,"payload":{"query":"{ __typename }"}}`}, 4400, "Invalid message received"},
		{"ErrSubscribeNoQuery", true, []string{`{"type":"subscribe","id":"1","payload":{}}`}, 4400, "Invalid message received"},
		{"ErrSubscribeVariables", true, []string{`{"type":"subscribe","id":"1","payload":{"query":"{ __typename }","variables":[1]}}`}, 4400, "Invalid message received"},
		{"ErrCompleteNoID", true, []string{`{"type":"complete"}`}, 4400, "Invalid message received"},
		{"ErrSubscribeBeforeInit", false, []string{feed("1")}, 4401, "Unauthorized"},
		{"ErrNoToken", false, []string{`{"type":"connection_init"}`}, 4403, "Send a bearer token"},
		{"ErrBadToken", false, []string{`{"type":"connection_init","payload":{"Authorization":"Bearer not-a-token-0123456789"}}`}, 4403, ""},
		{"ErrInitTimeout", false, nil, 4408, "Connection initialisation timeout"},
		{"ErrDuplicateID", true, []string{feed("a"), feed("a")}, 4409, "Subscriber for a already exists"},
		{"ErrSecondInit", true, []string{`{"type":"connection_init","payload":{}}`}, 4429, "Too many initialisation requests"},
		{"ErrTooBig", true, []string{`{"type":"ping","payload":{"x":"` + strings.Repeat("x", 70<<10) + `"}}`}, 1009, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.drain()
			c := e.dial(t, protoTransportWS, nil)
			if tt.init {
				c.init(e.boardToken)
			}
			for _, s := range tt.send {
				c.sendRaw(s)
			}
			if tt.send == nil && !tt.init {
				// Nothing sent: the init timeout runs out.
				clock.wait(t, api.DefaultOptions.WebsocketInitTimeout)
				clock.Advance(api.DefaultOptions.WebsocketInitTimeout)
			}
			c.expectClose(tt.code, tt.reason)
		})
	}

	t.Run("OK/PingBeforeInit", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, nil)
		c.sendRaw(`{"type":"pong"}`)
		c.sendRaw(`{"type":"ping","payload":{"n":1}}`)
		if m := c.expect("pong"); string(m.Payload) != `{"n":1}` {
			t.Fatalf("pong payload=%s, want the ping's", m.Payload)
		}
		c.init(e.boardToken)
		c.alive()
	})
	t.Run("OK/IDAfterClientComplete", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, nil)
		c.init(e.boardToken)
		c.sendRaw(feed("a"))
		c.sendRaw(`{"type":"complete","id":"a"}`)
		c.sendRaw(feed("a"))
		c.alive()
	})
	t.Run("OK/IDAfterServerComplete", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, nil)
		c.init(e.boardToken)
		bad := `{"type":"subscribe","id":"b","payload":{"query":"subscription { boardFeed(siteId: \"nope\") { cursor } }"}}`
		for range 2 {
			c.sendRaw(bad)
			c.expect("next") // the resolver's error
			c.expect("complete")
		}
		c.alive()
	})
	t.Run("OK/QueryAndMutation", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, nil)
		c.init(e.boardToken)
		for id, q := range map[string]string{"q": "{ __typename }", "m": "mutation { __typename }"} {
			c.send(wsMsg{Type: "subscribe", ID: id, Payload: json.RawMessage(`{"query":` + strconv.Quote(q) + `}`)})
			m := c.expect("next")
			var p struct {
				Data struct {
					Typename string `json:"__typename"`
				} `json:"data"`
			}
			if err := json.Unmarshal(m.Payload, &p); err != nil || m.ID != id || p.Data.Typename == "" {
				t.Fatalf("%s: next=%s %s, want the data", q, m.ID, m.Payload)
			}
			if m := c.expect("complete"); m.ID != id {
				t.Fatalf("%s: complete of %q, want %q", q, m.ID, id)
			}
		}
	})
	t.Run("OK/ValidationErrorEndsWithError", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, nil)
		c.init(e.boardToken)
		c.sendRaw(`{"type":"subscribe","id":"v","payload":{"query":"{ noSuchField }"}}`)
		if m := c.expect("error"); m.ID != "v" || !bytes.Contains(m.Payload, []byte("noSuchField")) {
			t.Fatalf("error=%s %s, want the validation error of v", m.ID, m.Payload)
		}
		c.sendRaw(`{"type":"subscribe","id":"v","payload":{"query":"{ __typename }"}}`) // the id is free again
		c.expect("next")
		c.expect("complete")
	})
	t.Run("OK/HeaderToken", func(t *testing.T) {
		c := e.dial(t, protoTransportWS, http.Header{"Authorization": {"Bearer " + e.boardToken}})
		c.send(wsMsg{Type: "connection_init"})
		c.expect("connection_ack")
		c.alive()
	})
}

// TestWebsocketLegacy checks the legacy graphql-ws subprotocol's
// refusals: a connection_error, then the close (its clients retry on any
// code); and that stop ends an operation with complete.
func TestWebsocketLegacy(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	tests := []struct {
		name string
		init bool
		send string
		code int
	}{
		{"ErrBadToken", false, `{"type":"connection_init","payload":{"Authorization":"Bearer not-a-token-0123456789"}}`, 4403},
		{"ErrNotJSON", false, `nope`, 1002},
		{"ErrStartBeforeInit", false, `{"type":"start","id":"1","payload":{"query":"{ __typename }"}}`, 1002},
		{"ErrSecondInit", true, `{"type":"connection_init","payload":{}}`, 1002},
		{"ErrUnknownType", true, `{"type":"subscribe","id":"1","payload":{"query":"{ __typename }"}}`, 1002},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.dial(t, protoLegacyWS, nil)
			if tt.init {
				c.init(e.boardToken)
			}
			c.sendRaw(tt.send)
			if m := c.expect("connection_error"); !bytes.Contains(m.Payload, []byte(`"message"`)) {
				t.Fatalf("connection_error payload=%s, want a message", m.Payload)
			}
			c.expectClose(tt.code, "")
		})
	}
	t.Run("OK/Terminate", func(t *testing.T) {
		c := e.dial(t, protoLegacyWS, nil)
		c.init(e.boardToken)
		c.sendRaw(`{"type":"connection_terminate"}`)
		c.expectClose(1000, "")
	})
	t.Run("OK/Stop", func(t *testing.T) {
		c := e.dial(t, protoLegacyWS, nil)
		c.init(e.boardToken)
		head := e.head(t)
		c.subscribe(protoLegacyWS, "s", e.site, &head)
		e.progress(t, 80)
		c.update("s")
		c.sendRaw(`{"type":"stop","id":"s"}`)
		if m := c.expect("complete"); m.ID != "s" {
			t.Fatalf("complete of %q, want s", m.ID)
		}
	})
}

// TestWebsocketAuthUnavailable checks that a connection_init the server
// cannot check (its database is gone) closes with 1013, on which the
// graphql-ws client retries, and shows no driver text.
func TestWebsocketAuthUnavailable(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	c := e.dial(t, protoTransportWS, nil)
	c.send(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"Authorization":"Bearer ` + e.boardToken + `"}`)})
	c.expectClose(1013, "Internal error.")
}

// TestWebsocketOrigin checks the origin allowlist against cross-site
// websocket hijacking.
func TestWebsocketOrigin(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketOrigins = []string{"board.example.com"} }).start()
	tests := []struct {
		name   string
		origin string
		ok     bool
	}{
		{"OK/NoOrigin", "", true},
		{"OK/SameOrigin", e.srv.URL, true},
		{"OK/Allowed", "https://board.example.com", true},
		{"ErrCrossSite", "https://evil.example", false},
		{"ErrOtherHost", "https://board.example.com.evil.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			c, resp, err := websocket.Dial(ctx, e.url, &websocket.DialOptions{Subprotocols: []string{protoTransportWS}, HTTPHeader: h})
			if tt.ok {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				(&wsClient{t: t, c: c}).init(e.boardToken)
				_ = c.CloseNow()
				return
			}
			if err == nil {
				_ = c.CloseNow()
				t.Fatal("dial succeeded, want 403")
			}
			if resp == nil || resp.StatusCode != http.StatusForbidden {
				t.Fatalf("dial err=%v resp=%v, want 403", err, resp)
			}
		})
	}
}

// TestWebsocketShutdown checks that Shutdown closes every socket with 1001,
// whatever its state, with no complete before (the client would not
// resubscribe), waits for them, and turns new ones away with 1001.
func TestWebsocketShutdown(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	subscribed := e.dial(t, protoTransportWS, nil)
	subscribed.init(e.boardToken)
	head := e.head(t)
	subscribed.subscribe(protoTransportWS, "1", e.site, &head)
	e.progress(t, 50)
	subscribed.update("1")
	legacy := e.dial(t, protoLegacyWS, nil)
	legacy.init(e.boardToken)
	legacy.subscribe(protoLegacyWS, "1", e.site, &head)
	legacy.update("1")
	idle := e.dial(t, protoTransportWS, nil) // no connection_init yet
	waitFor(t, func() bool { return e.reg.Len() == 3 }, "3 registered sockets")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.reg.Shutdown(ctx) }()
	subscribed.expectClose(1001, "Server shutting down", "complete", "error")
	legacy.expectClose(1001, "Server shutting down", "complete", "error")
	idle.expectClose(1001, "Server shutting down")
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if n := e.reg.Len(); n != 0 {
		t.Fatalf("registered=%d after shutdown, want 0", n)
	}
	late := e.dial(t, protoTransportWS, nil)
	late.expectClose(1001, "Server shutting down")
}

// TestFeedInterrupted checks that a feed the hub ends (it stopped, or
// dropped a slow subscriber) ends its transport without "complete", so the
// client resumes from its cursor: 1013 on a websocket of either
// subprotocol, the end of the stream on server-sent events.
func TestFeedInterrupted(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	head := e.head(t)
	var sockets []*wsClient
	for _, proto := range []string{protoTransportWS, protoLegacyWS} {
		c := e.dial(t, proto, nil)
		c.init(e.boardToken)
		c.subscribe(proto, "1", e.site, &head)
		sockets = append(sockets, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := e.subscribeSSE(t, ctx, e.boardToken, head)
	e.progress(t, 70)
	for _, c := range sockets {
		c.update("1")
	}
	s.next()
	e.stopHub()
	for _, c := range sockets {
		c.expectClose(1013, "Feed interrupted", "complete", "error")
	}
	if name, data := s.event(); name != "" {
		t.Fatalf("event=%q %s, want the stream to end without complete", name, data)
	}
}

// TestWebsocketServerContext checks that a socket outlives its upgrade
// request and the server's base context: its handler returns once the
// socket is up (the HTTP server's buffers go), and only the registry
// (Shutdown, as server.go's on SIGTERM) closes it: 1001.
func TestWebsocketServerContext(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.srv.Config.BaseContext = func(net.Listener) context.Context { return ctx }
	e.start()
	c := e.dial(t, protoTransportWS, nil)
	c.init(e.boardToken)
	head := e.head(t)
	c.subscribe(protoTransportWS, "1", e.site, &head)
	e.progress(t, 60)
	c.update("1")
	cancel()
	e.progress(t, 70)
	c.update("1")
	go func() { _ = e.reg.Shutdown(context.Background()) }()
	c.expectClose(1001, "Server shutting down", "complete", "error")
}

// TestWebsocketKeepAlive checks that ping/pong detects a client that stopped
// answering (two pings unanswered), and keeps one that answers.
func TestWebsocketKeepAlive(t *testing.T) {
	t.Parallel()
	const interval = 20 * time.Second
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketPingInterval, o.WebsocketClock = interval, clock }).start()
	connect := func(t *testing.T) *wsClient {
		t.Helper()
		clock.drain()
		c := e.dial(t, protoTransportWS, nil)
		c.init(e.boardToken)
		clock.wait(t, interval) // the socket's ping ticker
		return c
	}

	t.Run("OK", func(t *testing.T) {
		c := connect(t)
		for range 5 {
			clock.Advance(interval)
			c.expect("ping")
			c.send(wsMsg{Type: "pong"})
			c.alive() // the pong was read before the next tick
		}
	})
	t.Run("ErrNoPong", func(t *testing.T) {
		c := connect(t)
		pings := 0
		for {
			clock.Advance(interval)
			m, err := c.read(10 * time.Second)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("still open after %d unanswered pings", pings)
				}
				if errors.As(err, new(websocket.CloseError)) {
					t.Fatalf("closed with a handshake (%v) after %d pings, want the connection dropped", err, pings)
				}
				break // dropped without a close handshake: the peer is gone
			}
			if m.Type != "ping" {
				t.Fatalf("message=%s, want ping", m.Type)
			}
			if pings++; pings > 2 {
				t.Fatalf("still open after %d unanswered pings", pings)
			}
		}
		if pings != 2 {
			t.Fatalf("dropped after %d pings, want 2", pings)
		}
	})
}

// waitFor polls cond until it holds, at most 2000 times, a few
// milliseconds apart: for a state another goroutine or process reaches
// with nothing to wait on. The count bounds it; no time is asserted.
func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for range 2000 {
		if cond() {
			return
		}
		<-tick.C
	}
	t.Fatalf("gave up waiting for %s", what)
}

// manualClock is an api.Clock the test moves by hand: Advance fires the
// timers and tickers that are due, and made announces each new one by its
// duration, so the test knows a socket's timer exists before it moves time.
type manualClock struct {
	made chan time.Duration

	mu     sync.Mutex
	now    time.Duration
	timers []*manualTimer
}

type manualTimer struct {
	at, every time.Duration // every: 0 for a timer
	c         chan time.Time
	fn        func() // AfterFunc's, called in its own goroutine instead of c
	stopped   bool
}

func newManualClock() *manualClock { return &manualClock{made: make(chan time.Duration, 4096)} }

func (m *manualClock) Timer(d time.Duration) (<-chan time.Time, func())  { return m.add(d, 0) }
func (m *manualClock) Ticker(d time.Duration) (<-chan time.Time, func()) { return m.add(d, d) }

func (m *manualClock) AfterFunc(d time.Duration, f func()) func() {
	_, stop := m.addTimer(d, 0, f)
	return stop
}

func (m *manualClock) add(d, every time.Duration) (<-chan time.Time, func()) {
	return m.addTimer(d, every, nil)
}

func (m *manualClock) addTimer(d, every time.Duration, fn func()) (<-chan time.Time, func()) {
	m.mu.Lock()
	t := &manualTimer{at: m.now + d, every: every, c: make(chan time.Time, 1), fn: fn}
	m.timers = append(m.timers, t)
	m.mu.Unlock()
	select {
	case m.made <- d:
	default: // nobody is counting this many
	}
	return t.c, func() {
		m.mu.Lock()
		t.stopped = true
		m.mu.Unlock()
	}
}

// Advance moves the clock by d, firing what is due (a ticker fires once
// however many of its periods passed, as time.Ticker drops ticks).
func (m *manualClock) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now += d
	live := m.timers[:0]
	for _, t := range m.timers {
		if !t.stopped && t.at <= m.now {
			if t.fn != nil {
				go t.fn()
			}
			select {
			case t.c <- time.Time{}:
			default:
			}
			if t.every == 0 {
				t.stopped = true
			}
			for t.every > 0 && t.at <= m.now {
				t.at += t.every
			}
		}
		if !t.stopped {
			live = append(live, t)
		}
	}
	m.timers = live
}

// drain forgets the announcements so far.
func (m *manualClock) drain() {
	for {
		select {
		case <-m.made:
		default:
			return
		}
	}
}

// wait blocks until a timer or ticker of d has been made (since the last drain).
func (m *manualClock) wait(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		select {
		case got := <-m.made:
			if got == d {
				return
			}
		case <-ctx.Done():
			t.Fatalf("no timer of %v was made", d)
		}
	}
}

// TestWebsocketGraphqlWsClient runs the node tests in e2e/ws with the npm
// graphql-ws client against this server: subscribe, resume after a
// disconnect, and retry after the server goes away (1001), refuses a token
// (4403) or times out the connection_init (4408); and, with the npm
// subscriptions-transport-ws client, the legacy protocol (subscribe, an
// update, complete). It installs e2e/ws's
// packages with npm ci when they are missing or stale.
func TestWebsocketGraphqlWsClient(t *testing.T) {
	t.Parallel()
	dir := nodePackage(t, "../e2e/ws")

	const initTimeout = 1500 * time.Millisecond
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketInitTimeout = initTimeout })
	opts := api.DefaultOptions
	opts.Hub, opts.WebsocketInitTimeout = e.hub, initTimeout
	// Each "instance" has its own handler and registry; /_test/restart
	// shuts the current one down (1001) and puts a fresh one in its place,
	// as a deploy does behind a load balancer.
	type instance struct {
		h   http.Handler
		reg *api.WebsocketRegistry
	}
	var current atomic.Pointer[instance]
	current.Store(&instance{h: wsHandler(e.db, withRegistry(opts, e.reg)), reg: e.reg})
	mux := http.NewServeMux()
	mux.HandleFunc("/query", func(w http.ResponseWriter, r *http.Request) { current.Load().h.ServeHTTP(w, r) })
	mux.HandleFunc("POST /_test/restart", func(w http.ResponseWriter, r *http.Request) {
		reg := &api.WebsocketRegistry{}
		old := current.Swap(&instance{h: wsHandler(e.db, withRegistry(opts, reg)), reg: reg})
		t.Cleanup(func() { _ = reg.Shutdown(context.Background()) })
		if err := old.reg.Shutdown(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_test/log", func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
		evs, err := e.db.ReadSiteEvents(r.Context(), e.f.Site.ID, after, 10000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		type entry struct {
			Cursor string `json:"cursor"`
			Kind   string `json:"kind"`
		}
		out := []entry{}
		for _, ev := range evs {
			out = append(out, entry{strconv.FormatInt(ev.Pos, 10), string(ev.Kind)})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	e.srv.Config.Handler = mux
	e.start()
	e.settle(t) // the first test's snapshot cursor is after the fixture's events

	runNodeTests(t, dir, 3*time.Minute,
		"BAYBOARD_URL="+e.srv.URL,
		"BAYBOARD_BOARD_TOKEN="+e.boardToken,
		"BAYBOARD_TECH_TOKEN="+e.techToken,
		"BAYBOARD_SITE_ID="+e.site,
		"BAYBOARD_JOB_ID="+shop.GlobalID(shop.TypeJob, int64(e.job)),
		"BAYBOARD_INIT_TIMEOUT_MS="+strconv.FormatInt(initTimeout.Milliseconds(), 10),
	)
}

func withRegistry(o api.Options, reg *api.WebsocketRegistry) api.Options {
	o.Websockets = reg
	return o
}

// npmCI installs dir's packages unless node_modules is up to date with
// package-lock.json (the rule scripts/test.sh uses for e2e/).
func npmCI(t *testing.T, dir string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if inst, err := os.Stat(filepath.Join(dir, "node_modules", ".package-lock.json")); err == nil && !lock.ModTime().After(inst.ModTime()) {
		return
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
}

// sqlExec runs a statement on a connection of its own, as the CLI or
// another instance would: nothing in this process hears of it.
func (e *wsEnv) sqlExec(t *testing.T, query string, args ...any) {
	t.Helper()
	conn, err := sql.Open("postgres", e.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestWebsocketTokenRevoked: a token revoked (or expired, or whose user
// loses a site) elsewhere, while its sockets and streams are open, closes
// them with 4403 (legacy: connection_error, then 4403; SSE: the stream
// ends) at the next token check, one TokenCheckInterval later on the
// injected clock; the other users' sockets stay.
func TestWebsocketTokenRevoked(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketClock = clock }).start()
	every := api.DefaultOptions.TokenCheckInterval
	head := e.head(t)

	ws := e.dial(t, protoTransportWS, nil)
	ws.init(e.boardToken)
	ws.subscribe(protoTransportWS, "feed", e.site, &head)
	legacy := e.dial(t, protoLegacyWS, nil)
	legacy.init(e.boardToken)
	legacy.subscribe(protoLegacyWS, "feed", e.site, &head)
	header := e.dial(t, protoTransportWS, http.Header{"Authorization": {"Bearer " + e.boardToken}})
	header.init("") // the header's token admits it
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream := e.subscribeSSE(t, ctx, e.boardToken, head)
	expiring := wsToken(t, e.db, e.f.Board)
	exp := e.dial(t, protoTransportWS, nil)
	exp.init(expiring)
	tech := e.dial(t, protoTransportWS, nil)
	tech.init(e.techToken)
	clock.wait(t, every) // the check's ticker exists

	// They work, and a check with nothing revoked leaves them be.
	e.progress(t, 11)
	ws.update("feed")
	legacy.update("feed")
	stream.next()
	clock.Advance(every)
	e.progress(t, 12)
	ws.update("feed")
	legacy.update("feed")
	stream.next()

	// As `bayboard token revoke` does, from another process.
	e.sqlExec(t, `UPDATE tokens SET revoked_at = now() WHERE hash = $1`, store.HashToken(e.boardToken))
	e.sqlExec(t, `UPDATE tokens SET expires_at = now() - interval '1 second' WHERE hash = $1`, store.HashToken(expiring))
	clock.Advance(every)
	ws.expectClose(4403, "The token was revoked.")
	header.expectClose(4403, "The token was revoked.")
	exp.expectClose(4403, "The token has expired.")
	if m := legacy.expect("connection_error"); !bytes.Contains(m.Payload, []byte("The token was revoked.")) {
		t.Fatalf("connection_error payload=%s, want the reason", m.Payload)
	}
	legacy.expectClose(4403, "The token was revoked.")
	for {
		name, data := stream.event()
		if name == "" {
			break // the stream ended
		}
		if name != "next" {
			t.Fatalf("event=%q %s, want the stream to end", name, data)
		}
	}
	tech.alive()
	// The check dropped the token from the cache: a new socket is refused at once.
	again := e.dial(t, protoTransportWS, nil)
	again.send(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"Authorization":"Bearer ` + e.boardToken + `"}`)})
	again.expectClose(4403, "The token was revoked.")

	// The technician loses the site: his socket goes too.
	e.sqlExec(t, `DELETE FROM user_sites WHERE user_id = $1 AND site_id = $2`, e.f.Tech.ID, e.f.Site.ID)
	clock.Advance(every)
	tech.expectClose(4403, "You no longer have access to site")
}

// TestWebsocketPendingBudget: upgrades that never send connection_init
// (limit+50 of them, from one address) use that address's budget of
// pending sockets (429 past it), not the instance's slots: a real board
// from another address, or with its token in the upgrade, still gets its
// ack. The pending sockets of all addresses are capped (503), and the init
// timeout frees them.
func TestWebsocketPendingBudget(t *testing.T) {
	t.Parallel()
	const maxConns, perAddr, pendingMax = 20, 8, 16
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) {
		o.WebsocketClock = clock
		o.WebsocketMaxConns, o.WebsocketPendingPerAddr, o.WebsocketPendingMax = maxConns, perAddr, pendingMax
	}).start()
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	}
	// dial upgrades from ip; it returns the socket, or the refusal's status.
	dial := func(ip string, header http.Header) (*wsClient, int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, res, err := websocket.Dial(ctx, e.url, &websocket.DialOptions{Subprotocols: []string{protoTransportWS},
			HTTPHeader: header, HTTPClient: from(ip)})
		if err != nil {
			if res == nil {
				t.Fatalf("dial from %s: %v", ip, err)
			}
			if res.Header.Get("Retry-After") == "" {
				t.Fatalf("status=%d without Retry-After", res.StatusCode)
			}
			return nil, res.StatusCode
		}
		t.Cleanup(func() { _ = c.CloseNow() })
		return &wsClient{t: t, c: c}, http.StatusSwitchingProtocols
	}

	var idle []*wsClient
	counts := map[int]int{}
	for range maxConns + 50 {
		c, status := dial("127.0.0.1", nil)
		counts[status]++
		if c != nil {
			idle = append(idle, c)
		}
	}
	board, status := dial("127.0.0.2", nil)
	if board == nil {
		t.Fatalf("board from another address after %v: status=%d, want the upgrade", counts, status)
	}
	board.init(e.boardToken)
	if want := map[int]int{101: perAddr, 429: maxConns + 50 - perAddr}; fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Fatalf("statuses=%v, want %v", counts, want)
	}
	withToken, status := dial("127.0.0.1", http.Header{"Authorization": {"Bearer " + e.boardToken}})
	if withToken == nil {
		t.Fatalf("board with its token from the busy address: status=%d, want the upgrade", status)
	}
	withToken.init("")

	// The instance's pending cap: the second address fills it, a third is refused with 503.
	for range pendingMax - perAddr {
		c, status := dial("127.0.0.2", nil)
		if c == nil {
			t.Fatalf("pending socket from 127.0.0.2: status=%d, want the upgrade", status)
		}
		idle = append(idle, c)
	}
	if c, status := dial("127.0.0.3", nil); c != nil || status != http.StatusServiceUnavailable {
		t.Fatalf("status=%d, want 503 with every pending slot taken", status)
	}

	// The init timeout closes the idle ones and gives their slots back,
	// once every accepted socket (the idle ones and the two boards) has its timer.
	for range len(idle) + 2 {
		clock.wait(t, api.DefaultOptions.WebsocketInitTimeout)
	}
	clock.Advance(api.DefaultOptions.WebsocketInitTimeout)
	for _, c := range idle {
		c.expectClose(4408, "Connection initialisation timeout")
	}
	waitFor(t, func() bool { return e.reg.Len() == 2 }, "the idle sockets to go")
	late, status := dial("127.0.0.1", nil)
	if late == nil {
		t.Fatalf("status=%d after the idle sockets went, want the upgrade", status)
	}
	late.init(e.boardToken)
	board.alive()
	withToken.alive()
}

// TestWebsocketMaxOperations: 500 subscribes on one socket: the first 50
// (WebsocketMaxOperations) run, each later one gets an "error" message for
// its id (TOO_MANY_OPERATIONS) and the socket stays open; completing one
// frees its place. On legacy graphql-ws: error, then complete.
func TestWebsocketMaxOperations(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	limit := api.DefaultOptions.WebsocketMaxOperations
	for _, proto := range []string{protoTransportWS, protoLegacyWS} {
		t.Run(proto, func(t *testing.T) {
			c := e.dial(t, proto, nil)
			c.init(e.boardToken)
			head := e.head(t) // each feed then gets exactly the progress below
			const n = 500
			for i := range n {
				c.subscribe(proto, "s"+strconv.Itoa(i), e.site, &head)
			}
			refused := map[string]bool{}
			for len(refused) < n-limit {
				m := c.next()
				if m.Type == "complete" && proto == protoLegacyWS && refused[m.ID] {
					continue
				}
				if m.Type != "error" || !bytes.Contains(m.Payload, []byte(`"TOO_MANY_OPERATIONS"`)) {
					t.Fatalf("message=%s %s %s, want the error TOO_MANY_OPERATIONS", m.Type, m.ID, m.Payload)
				}
				i, _ := strconv.Atoi(strings.TrimPrefix(m.ID, "s"))
				if i < limit || refused[m.ID] {
					t.Fatalf("refused %s, want only s%d and later, each once", m.ID, limit)
				}
				refused[m.ID] = true
			}
			e.progress(t, 50+len(proto))
			got := map[string]bool{}
			for len(got) < limit {
				m := c.next()
				if m.Type == "complete" && refused[m.ID] {
					continue // legacy's complete after its error
				}
				u := c.updateOf(m)
				i, _ := strconv.Atoi(strings.TrimPrefix(m.ID, "s"))
				if i >= limit || got[m.ID] || u.Kind == nil {
					t.Fatalf("update of %s (%+v), want one for each of s0..s%d", m.ID, u, limit-1)
				}
				got[m.ID] = true
			}
			// Completing one frees a place.
			if proto == protoLegacyWS {
				c.sendRaw(`{"type":"stop","id":"s0"}`)
				c.expect("complete")
			} else {
				c.sendRaw(`{"type":"complete","id":"s0"}`)
			}
			head = e.head(t)
			c.subscribe(proto, "again", e.site, &head)
			e.progress(t, 60+len(proto))
			for {
				m := c.next()
				if m.ID == "again" {
					if u := c.updateOf(m); u.Kind == nil {
						t.Fatalf("update of again=%+v, want the progress", u)
					}
					break
				}
			}
		})
	}
}

// updateOf decodes m, which must be a data message (next, or data on legacy).
func (c *wsClient) updateOf(m wsMsg) feedUpdate {
	c.t.Helper()
	if m.Type != "next" && m.Type != "data" {
		c.t.Fatalf("message=%s %s %s, want next or data", m.Type, m.ID, m.Payload)
	}
	var p struct {
		Data struct {
			BoardFeed feedUpdate `json:"boardFeed"`
		} `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
		c.t.Fatalf("payload=%s err=%v, want an update", m.Payload, err)
	}
	return p.Data.BoardFeed
}

// TestWebsocketAdmission: with one admission slot, a second upgrade waits
// while the first socket is between its upgrade and its first delivery,
// and goes through once the first one's replay is written; a third waits
// for the second, which never subscribes, until the second's hold passes.
func TestWebsocketAdmission(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketAdmit, o.WebsocketClock = 1, clock }).start()
	head := e.head(t)
	e.progress(t, 40)
	e.progress(t, 50)
	e.settle(t)

	a := e.dial(t, protoTransportWS, nil)
	a.init(e.boardToken)
	dialed := func() chan *wsClient {
		ch := make(chan *wsClient, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, _, err := websocket.Dial(ctx, e.url, &websocket.DialOptions{Subprotocols: []string{protoTransportWS}})
			if err != nil {
				t.Errorf("dial: %v", err)
				ch <- nil
				return
			}
			t.Cleanup(func() { _ = c.CloseNow() })
			ch <- &wsClient{t: t, c: c}
		}()
		return ch
	}
	notYet := func(ch chan *wsClient, what string) {
		t.Helper()
		select {
		case <-ch:
			t.Fatalf("%s was upgraded while the slot was held", what)
		default:
		}
	}
	clock.drain()
	second := dialed()
	clock.wait(t, 5*time.Second) // the second upgrade waits for a slot
	notYet(second, "the second socket")
	a.subscribe(protoTransportWS, "feed", e.site, &head)
	for _, p := range []string{"Progress 40%", "Progress 50%"} {
		if u := a.update("feed"); u.Summary == nil || *u.Summary != p {
			t.Fatalf("replayed=%+v, want %s", u, p)
		}
	}
	b := <-second // the first socket's replay is written: the second is in
	if b == nil {
		return
	}
	clock.drain()
	third := dialed()
	clock.wait(t, 5*time.Second)
	notYet(third, "the third socket")
	clock.Advance(2 * time.Second) // the second holds its slot no longer
	if c := <-third; c != nil {
		c.init(e.boardToken)
		c.subscribe(protoTransportWS, "feed", e.site, &head)
		c.update("feed")
	}
	if waited, unpaced := e.reg.Admission(); waited != 2 || unpaced != 0 {
		t.Fatalf("admission waited=%d unpaced=%d, want 2 and 0", waited, unpaced)
	}
}
