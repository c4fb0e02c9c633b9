package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"bayboard/api"
	"bayboard/graph"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// endpoint is /query as server.go builds it, over a fresh database, with
// one advisor's token.
type endpoint struct {
	db    *store.DB
	h     http.Handler
	token string
}

func newEndpoint(t *testing.T, opts api.Options) *endpoint {
	t.Helper()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	tok := fmt.Sprintf("api-test-%d-token", f.Advisor.ID)
	if err := db.StoreToken(context.Background(), f.Advisor.ID, tok, "test", 0); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(db, slog.New(slog.DiscardHandler), opts)
	h := api.WithRequestID(api.LimitBody(opts.MaxBodyBytes, api.Authenticate(db, srv)))
	return &endpoint{db: db, h: h, token: tok}
}

type answer struct {
	status int
	header http.Header
	raw    string
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func (a answer) code() string {
	if len(a.Errors) == 0 {
		return ""
	}
	c, _ := a.Errors[0].Extensions["code"].(string)
	return c
}

// post sends one operation, as the advisor unless anonymous.
func (e *endpoint) post(t *testing.T, anonymous bool, query string) answer {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	return e.postBody(t, anonymous, string(b))
}

func (e *endpoint) postBody(t *testing.T, anonymous bool, body string) answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if !anonymous {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	a := answer{status: w.Code, header: w.Header(), raw: w.Body.String()}
	_ = json.Unmarshal(w.Body.Bytes(), &a)
	return a
}

// typenames is a unique document of n __typename fields in one selection
// set (n+2 tokens), the shape that made validation quadratic.
func typenames(n int, salt int) string {
	return fmt.Sprintf("query Q%d {", salt) + strings.Repeat(" __typename", n) + "}"
}

// aliased is a document of n distinct aliases of __typename.
func aliased(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		fmt.Fprintf(&b, " a%d:__typename", i)
	}
	b.WriteString("}")
	return b.String()
}

// TestValidationBudget: a unique document of 4,900 __typename (under the
// token limit) is refused before validation, anonymous or not, and costs
// counted allocations near a parse's (about 10,000), where validating it
// allocated 12 million. Documents of the app pass.
func TestValidationBudget(t *testing.T) {
	e := newEndpoint(t, api.DefaultOptions)
	tests := []struct {
		name      string
		anonymous bool
		query     string
		code      string
	}{
		{"ErrTooManyFields/Repeated", false, typenames(4900, 0), "TOO_MANY_FIELDS"},
		{"ErrTooManyFields/RepeatedAnonymous", true, typenames(4900, 1), "TOO_MANY_FIELDS"},
		{"ErrTooManyFields/Aliased", false, aliased(1200), "TOO_MANY_FIELDS"},
		{"OK/Aliased", false, aliased(20), ""},
		{"ErrTooManyFields/NestedMerged", false, "{" + strings.Repeat(" sites { "+strings.Repeat("id ", 4)+"}", 4) + "}", "TOO_MANY_FIELDS"},
		{"OK/NestedMerged", false, "{" + strings.Repeat(" sites { "+strings.Repeat("id ", 3)+"}", 3) + "}", ""},
		{"ErrTooManyFields/Fragments", false, "{ ...A ...A } fragment A on Query { ...B ...B ...B } fragment B on Query { " +
			strings.Repeat("x:__typename ", 5) + strings.Repeat("y:__typename ", 5) + "}", "TOO_MANY_FIELDS"},
		{"OK/Small", false, "{ viewer { name } sites { id name } }", ""},
		{"OK/Cycle", false, "{ ...A } fragment A on Query { ...A }", "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.post(t, tt.anonymous, tt.query)
			if a.code() != tt.code {
				t.Fatalf("code=%q, want %q (status=%d body=%.300s)", a.code(), tt.code, a.status, a.raw)
			}
			if tt.code == "TOO_MANY_FIELDS" && (a.status != http.StatusOK || len(a.Data) > 0) {
				t.Fatalf("status=%d data=%s, want 200 and no data, as a validation failure", a.status, a.Data)
			}
		})
	}

	// Counted work: allocations of one refused request, each document unique
	// (no cache helps). Validating it allocated 12,012,539.
	salt := 100
	allocs := testing.AllocsPerRun(5, func() {
		salt++
		if a := e.post(t, true, typenames(4900, salt)); a.code() != "TOO_MANY_FIELDS" {
			t.Fatalf("code=%q, want TOO_MANY_FIELDS", a.code())
		}
	})
	if allocs > 30000 {
		t.Fatalf("allocs=%.0f per refused request, want at most 30000 (a parse is about 10,000)", allocs)
	}
	t.Logf("allocs=%.0f per refused request of 4,900 __typename", allocs)
}

// TestValidationBudgetBoundsValidation: the largest documents the budget
// lets through (1,000 fields, each response name 10 times) are validated
// with allocations linear in their size, not quadratic.
func TestValidationBudgetBoundsValidation(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		for range 10 {
			fmt.Fprintf(&b, " a%d:__typename", i)
		}
	}
	b.WriteString("}")
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: b.String()}, api.DefaultOptions.MaxTokens)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(3, func() {
		if errs := validator.ValidateWithRules(schema, doc, rules.NewDefaultRules()); len(errs) > 0 {
			t.Fatalf("errors=%v, want none", errs)
		}
	})
	// 1,000 fields × 9 partners each: about 8 allocations per field and pair.
	if allocs > 100000 {
		t.Fatalf("allocs=%.0f validating 1,000 fields, want at most 100000", allocs)
	}
	t.Logf("allocs=%.0f validating 1,000 fields, each name 10 times", allocs)
}

// BenchmarkValidation prints what a unique document at the limits costs to
// refuse (4,900 __typename) and to validate (1,000 fields, 10 of a name).
func BenchmarkValidation(b *testing.B) {
	srv := api.NewServer(nil, slog.New(slog.DiscardHandler), withSchema(api.DefaultOptions))
	b.Run("Refused4900", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(fmt.Sprintf(`{"query":%q}`, typenames(4900, i))))
			req.Header.Set("Content-Type", "application/json")
			srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
	b.Run("Valid1000", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			var q strings.Builder
			fmt.Fprintf(&q, "query Q%d {", i)
			for j := range 100 {
				for range 10 {
					fmt.Fprintf(&q, " a%d:__typename", j)
				}
			}
			q.WriteString("}")
			req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(fmt.Sprintf(`{"query":%q}`, q.String())))
			req.Header.Set("Content-Type", "application/json")
			srv.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}

func withSchema(o api.Options) api.Options {
	s := graph.NewSchema(nil, nil)
	o.Schema = &s
	return o
}

var _ = shop.EINTERNAL

// TestBodyTooLarge: a body over the cap, declared or chunked, answers 413
// with a GraphQL error (it was 200 with Go's "http: request body too large").
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	opts := api.DefaultOptions
	opts.MaxBodyBytes = 1000
	e := newEndpoint(t, opts)
	big := fmt.Sprintf(`{"query":"{ viewer { name } }","variables":{"pad":%q}}`, strings.Repeat("x", 2000))
	tests := []struct {
		name         string
		chunked, sse bool
	}{{"ErrTooLarge/Declared", false, false}, {"ErrTooLarge/Chunked", true, false}, {"ErrTooLarge/ChunkedEventStream", true, true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(big))
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", "application/json")
			if tt.sse {
				req.Header.Set("Accept", "text/event-stream")
			}
			req.Header.Set("Authorization", "Bearer "+e.token)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			var a answer
			_ = json.Unmarshal(w.Body.Bytes(), &a)
			if w.Code != http.StatusRequestEntityTooLarge || a.code() != "REQUEST_TOO_LARGE" {
				t.Fatalf("status=%d code=%q body=%.200s, want 413 REQUEST_TOO_LARGE", w.Code, a.code(), w.Body.String())
			}
		})
	}
	if a := e.post(t, false, "{ viewer { name } }"); a.status != http.StatusOK || len(a.Errors) > 0 {
		t.Fatalf("status=%d body=%.200s, want a small body answered", a.status, a.raw)
	}
}
