package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"bayboard/api"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// cutProxy forwards TCP connections to a PostgreSQL server until cut: then
// it closes every open connection and refuses new ones, as a database that
// went down does.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	go p.accept()
	t.Cleanup(p.Cut)
	return p
}

func (p *cutProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close() }()
		go func() { io.Copy(c, up); c.Close() }()
	}
}

// Cut closes the listener (new connections are refused) and every
// connection.
func (p *cutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestDatabaseOutage: while the database cannot be reached, queries,
// mutations and token checks answer 503 with Retry-After and the code
// UNAVAILABLE (before: "Internal error.", 200 or 500), and no userError
// claims the input was at fault.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustCreateDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	db, err := store.Open(context.Background(), u.String(), 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.TokenCacheTTL = time.Hour // the advisor's token stays known through the outage
	f := storetest.MustFixture(t, db)
	if err := db.StoreToken(context.Background(), f.Advisor.ID, "outage-advisor-token", "test", 0); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(db, slog.New(slog.DiscardHandler), api.DefaultOptions)
	h := api.WithRequestID(api.Authenticate(db, srv))
	post := func(token, query string, vars map[string]any) (*httptest.ResponseRecorder, answer) {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var a answer
		_ = json.Unmarshal(w.Body.Bytes(), &a)
		a.status, a.raw = w.Code, w.Body.String()
		return w, a
	}
	const sites = "{ viewer { name } sites { id name } }"
	if _, a := post("outage-advisor-token", sites, nil); a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("before the outage: status=%d body=%.300s, want the sites", a.status, a.raw)
	}

	proxy.Cut()
	cancel := `mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) { userErrors { code message } } }`
	tests := []struct {
		name  string
		token string
		query string
		vars  map[string]any
	}{
		{"ErrUnavailable/Query", "outage-advisor-token", sites, nil},
		{"ErrUnavailable/Mutation", "outage-advisor-token", cancel, map[string]any{"input": map[string]any{
			"appointmentId": shop.GlobalID(shop.TypeAppointment, 1), "reason": "The customer called."}}},
		{"ErrUnavailable/TokenCheck", "a-token-not-in-the-cache", sites, nil},
	}
	t.Run("ErrUnavailable/WebsocketInit", func(t *testing.T) {
		ts := httptest.NewServer(h)
		defer ts.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a guard, not a measurement
		defer cancel()
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/query",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseNow()
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"Authorization":"Bearer a-token-not-in-the-cache"}}`)); err != nil {
			t.Fatal(err)
		}
		_, _, err = c.Read(ctx)
		if got := websocket.CloseStatus(err); got != websocket.StatusTryAgainLater {
			t.Fatalf("close=%v (%v), want 1013 so the client retries", got, err)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, a := post(tt.token, tt.query, tt.vars)
			if a.status != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || a.code() != shop.EUNAVAILABLE {
				t.Fatalf("status=%d Retry-After=%q code=%q body=%.400s, want 503, Retry-After and UNAVAILABLE",
					a.status, w.Header().Get("Retry-After"), a.code(), a.raw)
			}
			if strings.Contains(a.raw, "userErrors\":[{") || strings.Contains(a.raw, "Internal error") {
				t.Fatalf("body=%.400s, want no userError and no internal error", a.raw)
			}
		})
	}
}
