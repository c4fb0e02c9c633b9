package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"bayboard/api"
	"bayboard/shop"
	"bayboard/store/storetest"
)

// hardened is /query as server.go builds it, over e's database.
func (e *env) hardened(opts api.Options, rps float64, burst int) http.Handler {
	srv := api.NewServer(e.db, slog.New(slog.DiscardHandler), opts)
	return api.WithRequestID(api.LimitBody(opts.MaxBodyBytes,
		api.Authenticate(e.db, api.RateLimit(rps, burst, srv))))
}

// response is a raw HTTP answer of the GraphQL endpoint.
type response struct {
	status int
	header http.Header
	raw    string
	Data   json.RawMessage
	Errors []gqlError
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].code()
}

// send makes one HTTP request as u (nil: anonymous).
func (e *env) send(t *testing.T, h http.Handler, u *shop.User, method, contentType, target, body string) response {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+e.tokens[u.ID])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	r := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &r)
	return r
}

// post sends one JSON operation.
func (e *env) post(t *testing.T, h http.Handler, u *shop.User, query string, vars map[string]any) response {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return e.send(t, h, u, http.MethodPost, "application/json", "/query", string(b))
}

// refused fails unless r refused the operation: errors and no data.
func refusedOp(t *testing.T, what string, r response, code string) {
	t.Helper()
	if len(r.Errors) == 0 || (len(r.Data) > 0 && string(r.Data) != "null") {
		t.Fatalf("%s: status=%d body=%.300s, want it refused", what, r.status, r.raw)
	}
	if code != "" && r.code() != code {
		t.Fatalf("%s: code=%q (%s), want %s", what, r.code(), r.Errors[0].Message, code)
	}
}

// TestGraphqlCop performs the checks of the graphql-cop scanner against the
// endpoint with production settings (introspection off) and asserts that each
// is refused or harmless; plus the depth and token limits.
func TestGraphqlCop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	e.staff(t)
	prod := e.hardened(api.DefaultOptions, 0, 0)
	devOpts := api.DefaultOptions
	devOpts.Introspection = true
	dev := e.hardened(devOpts, 0, 0)
	site := gid(shop.TypeSite, int64(f.Site.ID))
	mutation := fmt.Sprintf(`mutation { updateCallbackSettings(input: {siteId: %q, firstCallbackDays: 6}) { userErrors { code } } }`, site)
	unchanged := func(t *testing.T, before string) {
		t.Helper()
		if storetest.Snapshot(t, e.db) != before {
			t.Fatal("the refused request changed the records")
		}
	}

	t.Run("ErrAliasOverloading", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{")
		for i := range 101 {
			fmt.Fprintf(&b, " a%d: viewer { id }", i)
		}
		b.WriteString(" }")
		refusedOp(t, "101 aliases", e.post(t, prod, f.Advisor, b.String(), nil), "TOO_MANY_ALIASES")
		if r := e.post(t, prod, f.Advisor, `{ a: viewer { id } b: viewer { name } }`, nil); len(r.Errors) > 0 {
			t.Fatalf("two aliases: errors=%+v, want none", r.Errors)
		}
	})
	t.Run("ErrBatchQueries", func(t *testing.T) {
		before := storetest.Snapshot(t, e.db)
		body, _ := json.Marshal([]map[string]any{{"query": "{ viewer { id } }"}, {"query": mutation}})
		r := e.send(t, prod, f.Manager, http.MethodPost, "application/json", "/query", string(body))
		if r.status != http.StatusBadRequest || strings.Contains(r.raw, `"data"`) {
			t.Fatalf("array body: status=%d body=%.300s, want 400 without data", r.status, r.raw)
		}
		unchanged(t, before)
	})
	t.Run("ErrGETMutation", func(t *testing.T) {
		before := storetest.Snapshot(t, e.db)
		r := e.send(t, prod, f.Manager, http.MethodGet, "", "/query?query="+url.QueryEscape(mutation), "")
		if r.status < 400 || r.status >= 500 {
			t.Fatalf("GET mutation: status=%d body=%.300s, want a 4xx", r.status, r.raw)
		}
		unchanged(t, before)
		if r := e.send(t, prod, f.Manager, http.MethodGet, "", "/query?query="+url.QueryEscape("{ viewer { id } }"), ""); r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("GET query: status=%d body=%.300s, want 200", r.status, r.raw)
		}
	})
	t.Run("ErrFormEncodedPOST", func(t *testing.T) {
		before := storetest.Snapshot(t, e.db)
		form := url.Values{"query": {mutation}}.Encode()
		r := e.send(t, prod, f.Manager, http.MethodPost, "application/x-www-form-urlencoded", "/query", form)
		if r.status != http.StatusBadRequest && r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("form-encoded POST: status=%d body=%.300s, want 400 or 415", r.status, r.raw)
		}
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		_ = mw.WriteField("operations", `{"query":`+fmt.Sprintf("%q", mutation)+`}`)
		_ = mw.WriteField("map", `{}`)
		mw.Close()
		r = e.send(t, prod, f.Manager, http.MethodPost, mw.FormDataContentType(), "/query", b.String())
		if r.status != http.StatusBadRequest && r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("multipart POST: status=%d body=%.300s, want 400 or 415", r.status, r.raw)
		}
		r = e.send(t, prod, f.Manager, http.MethodPost, "text/plain", "/query", `{"query":`+fmt.Sprintf("%q", mutation)+`}`)
		if r.status != http.StatusBadRequest && r.status != http.StatusUnsupportedMediaType {
			t.Fatalf("text/plain POST: status=%d body=%.300s, want 400 or 415", r.status, r.raw)
		}
		unchanged(t, before)
	})
	t.Run("OKFieldDuplicationHarmless", func(t *testing.T) {
		one := e.db.Statements()
		if r := e.post(t, prod, f.Advisor, "query { viewer { id } }", nil); len(r.Errors) > 0 {
			t.Fatalf("one field: errors=%+v", r.Errors)
		}
		one = e.db.Statements() - one
		many := e.db.Statements()
		// Up to --max-field-repeats (10); more are refused before validation,
		// which compares every pair (api/validation.go).
		r := e.post(t, prod, f.Advisor, "query { viewer { "+strings.Repeat("id ", 10)+"} }", nil)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"viewer":{"id":"`) || strings.Count(string(r.Data), `"id"`) != 1 {
			t.Fatalf("10 duplicated fields: body=%.300s, want them merged into one", r.raw)
		}
		// The work, counted: merged, the fields cost no more SQL than one.
		if many = e.db.Statements() - many; many > one {
			t.Fatalf("10 duplicated fields: statements=%d, want at most %d (one field's)", many, one)
		}
		refusedOp(t, "500 duplicated fields", e.post(t, prod, f.Advisor, "query { viewer { "+strings.Repeat("id ", 500)+"} }", nil), "TOO_MANY_FIELDS")
	})
	t.Run("ErrDirectiveOverloading", func(t *testing.T) {
		refusedOp(t, "unknown directives", e.post(t, prod, f.Advisor, "{ viewer { id "+strings.Repeat("@aa ", 50)+"} }", nil), "")
		refusedOp(t, "repeated @skip", e.post(t, prod, f.Advisor, "{ viewer { id "+strings.Repeat("@skip(if: false) ", 10)+"} }", nil), "")
		one := api.DefaultOptions
		one.MaxDirectives = 1
		q := `query($y: Boolean = true, $n: Boolean = false) { viewer { id ... @include(if: $y) @skip(if: $n) { name } } }`
		refusedOp(t, "two directives, one allowed", e.post(t, e.hardened(one, 0, 0), f.Advisor, q, nil), "TOO_MANY_DIRECTIVES")
		if r := e.post(t, prod, f.Advisor, q, nil); len(r.Errors) > 0 {
			t.Fatalf("two directives: errors=%+v, want none", r.Errors)
		}
	})
	t.Run("ErrCircularIntrospection", func(t *testing.T) {
		q := `{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }`
		refusedOp(t, "circular introspection (dev)", e.post(t, dev, f.Advisor, q, nil), "")
		refusedOp(t, "circular introspection (prod)", e.post(t, prod, f.Advisor, q, nil), "")
		// GraphiQL's own introspection query still works in development.
		if r := e.post(t, dev, f.Advisor, introspectionQuery, nil); len(r.Errors) > 0 {
			t.Fatalf("GraphiQL introspection in development: errors=%+v", r.Errors)
		}
	})
	t.Run("ErrIntrospectionOff", func(t *testing.T) {
		for _, q := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Customer") { fields { name } } }`} {
			refusedOp(t, q, e.post(t, prod, f.Advisor, q, nil), "INTROSPECTION_DISABLED")
		}
	})
	t.Run("ErrDeepFragments", func(t *testing.T) {
		// Customer → vehicles → customer → … through a chain of fragments.
		var b strings.Builder
		b.WriteString(`query($id: ID!) { customer(id: $id) { ...F0 } }`)
		const n = 10
		for i := range n {
			next := fmt.Sprintf("...F%d", i+1)
			if i == n-1 {
				next = "id"
			}
			fmt.Fprintf(&b, " fragment F%d on Customer { vehicles { customer { %s } } }", i, next)
		}
		refusedOp(t, "20 fields deep", e.post(t, prod, f.Advisor, b.String(), map[string]any{"id": gid(shop.TypeCustomer, 1)}), "QUERY_TOO_DEEP")
		ok := `query($id: ID!) { customer(id: $id) { vehicles { customer { vehicles { customer { id } } } } } }`
		if r := e.post(t, prod, f.Advisor, ok, map[string]any{"id": gid(shop.TypeCustomer, 1)}); r.code() == "QUERY_TOO_DEEP" {
			t.Fatalf("5 fields deep: refused, want it run")
		}
	})
	t.Run("ErrFieldSuggestions", func(t *testing.T) {
		r := e.post(t, prod, f.Advisor, `{ viewr { id } }`, nil)
		refusedOp(t, "misspelt field", r, "")
		if strings.Contains(r.raw, "Did you mean") || strings.Contains(r.raw, "viewer") {
			t.Fatalf("production suggests: %s", r.raw)
		}
		if r := e.post(t, dev, f.Advisor, `{ viewr { id } }`, nil); !strings.Contains(r.raw, "Did you mean") {
			t.Fatalf("development does not suggest: %s", r.raw)
		}
	})
	t.Run("OKNoTracing", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(`{"query":"{ viewer { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[f.Advisor.ID])
		req.Header.Set("apollo-federation-include-trace", "ftv1")
		w := httptest.NewRecorder()
		prod.ServeHTTP(w, req)
		if body := w.Body.String(); strings.Contains(body, "tracing") || strings.Contains(body, "ftv1") || strings.Contains(body, "extensions") {
			t.Fatalf("response carries tracing: %s", body)
		}
	})
	t.Run("ErrUnhandledErrorsMasked", func(t *testing.T) {
		leaks := []string{"goroutine", ".go:", "pq:", "SELECT", "sql:", "panic", "runtime."}
		for _, tc := range []struct{ name, ct, body string }{
			{"broken JSON", "application/json", `{"query": "{ viewer { id } }"`},
			{"wrong variables", "application/json", `{"query": "query($id: ID!) { node(id: $id) { id } }", "variables": {"id": {"$ne": 1}}}`},
			{"huge ID", "application/json", `{"query": "{ node(id: \"` + strings.Repeat("A", 5000) + `\") { id } }"}`},
			{"bad global ID", "application/json", `{"query": "{ repairOrder(id: \"UmVwYWlyT3JkZXI6LTE\") { id } }"}`},
		} {
			r := e.send(t, prod, f.Advisor, http.MethodPost, tc.ct, "/query", tc.body)
			if r.status >= 500 {
				t.Fatalf("%s: status=%d, want a client error", tc.name, r.status)
			}
			for _, l := range leaks {
				if strings.Contains(r.raw, l) {
					t.Fatalf("%s: response shows %q: %.300s", tc.name, l, r.raw)
				}
			}
		}
	})
	t.Run("ErrTokenLimit", func(t *testing.T) {
		q := "{ viewer { " + strings.Repeat("id ", api.DefaultOptions.MaxTokens) + "} }"
		refusedOp(t, "too many tokens", e.post(t, prod, f.Advisor, q, nil), "")
	})
}

// introspectionQuery is GraphiQL's (graphql-js getIntrospectionQuery, with
// descriptions and the deepest TypeRef it asks for).
const introspectionQuery = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } } }`

// TestRateLimit: past its burst, a user gets 429 with Retry-After and
// RATE_LIMITED; other users are not affected.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	h := e.hardened(api.DefaultOptions, 0.01, 3)
	for i := range 3 {
		if r := e.post(t, h, f.Advisor, `{ viewer { id } }`, nil); r.status != http.StatusOK {
			t.Fatalf("request %d: status=%d, want 200", i, r.status)
		}
	}
	r := e.post(t, h, f.Advisor, `{ viewer { id } }`, nil)
	if r.status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
		t.Fatalf("4th request: status=%d Retry-After=%q body=%s, want 429 RATE_LIMITED", r.status, r.header.Get("Retry-After"), r.raw)
	}
	if r := e.post(t, h, f.Manager, `{ viewer { id } }`, nil); r.status != http.StatusOK {
		t.Fatalf("another user: status=%d, want 200", r.status)
	}
	for i := range 4 {
		r := e.post(t, h, nil, `{ viewer { id } }`, nil)
		if want := i < 3; (r.status != http.StatusTooManyRequests) != want {
			t.Fatalf("anonymous request %d: status=%d", i, r.status)
		}
	}
}

// TestWebsocketCaps: a full instance, or a token with all its sockets open,
// gets 503 before the upgrade; a token sent in connection_init that is over
// its cap is closed with 1013. Closed sockets free their slots.
func TestWebsocketCaps(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketMaxConns, o.WebsocketMaxPerToken = 3, 1 }).start()
	header := http.Header{"Authorization": {"Bearer " + e.boardToken}}
	dial := func(h http.Header) (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c, resp, err := websocket.Dial(ctx, e.url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: h})
		if c != nil {
			t.Cleanup(func() { _ = c.CloseNow() })
		}
		return c, resp, err
	}
	full := func(what string, h http.Header) {
		t.Helper()
		_, resp, err := dial(h)
		if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: err=%v resp=%v, want 503 before the upgrade", what, err, resp)
		}
	}

	s1 := e.dial(t, "graphql-transport-ws", header)
	s1.init(e.boardToken)
	full("second socket of the token", header)

	s3 := e.dial(t, "graphql-transport-ws", nil)
	s3.init(e.techToken)
	s4 := e.dial(t, "graphql-transport-ws", nil)
	s4.send(wsMsg{Type: "connection_init", Payload: json.RawMessage(`{"Authorization":"Bearer ` + e.techToken + `"}`)})
	for {
		_, err := s4.read(5 * time.Second)
		if err != nil {
			if websocket.CloseStatus(err) != websocket.StatusTryAgainLater {
				t.Fatalf("second socket of the token in connection_init: err=%v, want close 1013", err)
			}
			break
		}
	}
	// s4's slot is free again once it is gone: one left of three. The probe
	// that finds it free keeps it (a closed probe's slot is freed
	// asynchronously, which would race with the next dial). Sockets count
	// once authenticated (before, against their address's pending budget:
	// TestWebsocketPendingBudget), so the probes carry tokens of other users.
	adv := http.Header{"Authorization": {"Bearer " + wsToken(t, e.db, e.f.Advisor)}}
	foreman := http.Header{"Authorization": {"Bearer " + wsToken(t, e.db, e.f.Foreman)}}
	var s5 *websocket.Conn
	waitFor(t, func() bool {
		c, _, err := dial(adv)
		if err != nil {
			return false
		}
		s5 = c
		return true
	}, "s4's slot to be freed")
	full("a full instance", foreman)
	_ = s5.Close(websocket.StatusNormalClosure, "")
	_ = s1.c.Close(websocket.StatusNormalClosure, "")
	waitFor(t, func() bool {
		c, _, err := dial(header)
		if err != nil {
			return false
		}
		_ = c.CloseNow()
		return true
	}, "the token's socket to be freed")
	_ = s3
}
