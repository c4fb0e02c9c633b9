package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"bayboard/api"
)

// TestRequestIDInErrors checks that every error a client gets, whichever
// layer wrote it, carries the request ID of the X-Request-ID header, the
// key to the server's log lines.
func TestRequestIDInErrors(t *testing.T) {
	t.Parallel()
	e := newWSEnv(t, nil).start()
	q := e.srv.URL + "/query"
	post := func(body, contentType, token string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, q, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r
	}
	get := func(query string) *http.Request {
		r, _ := http.NewRequest(http.MethodGet, q+"?query="+url.QueryEscape(query), nil)
		return r
	}
	for _, tt := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"Unauthenticated", post(`{"query":"{ viewer { id } }"}`, "application/json", ""), 200, "UNAUTHENTICATED"},
		{"BadToken", post(`{"query":"{ __typename }"}`, "application/json", "no-such-token-0123456789"), 401, "UNAUTHENTICATED"},
		{"Validation", post(`{"query":"{ noSuchField }"}`, "application/json", e.boardToken), 200, "GRAPHQL_VALIDATION_FAILED"},
		{"Parse", post(`{"query":"{"}`, "application/json", e.boardToken), 200, "GRAPHQL_PARSE_FAILED"},
		{"NoQuery", post(`{"qeury":"{ __typename }"}`, "application/json", ""), 400, "BAD_REQUEST"},
		{"BadJSON", post(`{"query":`, "application/json", ""), 400, ""},
		{"MediaType", post(`{ __typename }`, "text/plain", ""), 415, "BAD_REQUEST"},
		{"MutationOverGET", get(`mutation { __typename }`), 405, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, err := http.DefaultClient.Do(tt.req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Errors []struct {
					Message    string         `json:"message"`
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if tt.status != 0 && res.StatusCode != tt.status {
				t.Fatalf("status=%d, want %d", res.StatusCode, tt.status)
			}
			id := res.Header.Get("X-Request-ID")
			if id == "" || len(body.Errors) == 0 {
				t.Fatalf("X-Request-ID=%q errors=%+v, want both", id, body.Errors)
			}
			for _, e := range body.Errors {
				if e.Extensions["requestId"] != id {
					t.Fatalf("error=%+v, want requestId %q", e, id)
				}
				if tt.code != "" && e.Extensions["code"] != tt.code {
					t.Fatalf("code=%v, want %s", e.Extensions["code"], tt.code)
				}
			}
		})
	}
}

// TestLogHandler checks that a line logged with a request's context carries
// its request_id, and that one logged outside a request does not.
func TestLogHandler(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(api.LogHandler(slog.NewJSONHandler(&buf, nil))).With("component", "test")
	h := api.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "in a request")
		log.InfoContext(r.Context(), "explicit", "request_id", "kept")
	}))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	h.ServeHTTP(httptest.NewRecorder(), req)
	log.InfoContext(context.Background(), "outside")

	var lines []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("line %s: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("lines=%d, want 3", len(lines))
	}
	if got := lines[0]["request_id"]; got != "abc-123" || lines[0]["component"] != "test" {
		t.Fatalf("line=%v, want request_id abc-123 and component", lines[0])
	}
	if got := lines[1]["request_id"]; got != "kept" || bytes.Count(buf.Bytes(), []byte(`"request_id"`)) != 2 {
		t.Fatalf("line=%v, want the explicit request_id only", lines[1])
	}
	if _, ok := lines[2]["request_id"]; ok {
		t.Fatalf("line=%v, want no request_id", lines[2])
	}
}
