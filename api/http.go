package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
)

// overHTTP wraps gqlgen's POST or GET transport with what the GraphQL over
// HTTP spec (https://graphql.github.io/graphql-over-http/draft/) asks of
// request errors and gqlgen does otherwise; the npm graphql-http audit
// (e2e/http) checks the result:
//
//   - A request without a query (nor a persisted query's hash) is invalid
//     parameters: 400, where gqlgen answers 422.
//   - A document that does not parse or validate, or variables that do not
//     coerce, is a GraphQL response: 200 with application/json (gqlgen: 422);
//     400 with application/graphql-response+json, as gqlgen already does.
//   - Such a response has no data entry at all (gqlgen sends "data": null).
//   - A mutation over GET is 405 Method Not Allowed (gqlgen: 406).
//
// Responses of queries that ran pass through untouched, byte for byte.
type overHTTP struct {
	graphql.Transport
}

// Do implements graphql.Transport.
func (t overHTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	var body []byte
	if r.Method == http.MethodPost && r.Body != nil {
		// Kept to tell a missing query from a bad one, should gqlgen refuse
		// the request; gqlgen reads the whole body anyway.
		var err error
		body, err = io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeTooLarge(w, r, tooLarge.Limit) // gqlgen would answer 200 with the reader's text
			return
		}
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	}
	ctx, unavailable := withUnavailableMark(r.Context())
	r = r.WithContext(ctx)
	cw := &captureWriter{ResponseWriter: w, status: http.StatusOK, unavailable: unavailable}
	t.Transport.Do(cw, r, exec)
	if cw.passed {
		return
	}
	status, out := cw.status, cw.body.Bytes()
	if status == http.StatusUnprocessableEntity && !hasQuery(r, body) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":[{"message":"The request has no query: send the operation in the query parameter.","extensions":{"code":"BAD_REQUEST","requestId":%s}}]}`,
			strconv.Quote(RequestID(r.Context())))
		return
	}
	if status >= http.StatusBadRequest {
		// A request error: the operation never ran, so there is no data.
		// gqlgen writes some of these without the error presenter, so the
		// request ID is added here.
		out = requestErrorBody(out, RequestID(r.Context()))
		if mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type")); mt == "application/json" && status == http.StatusUnprocessableEntity {
			status = http.StatusOK
		}
		if status == http.StatusNotAcceptable && r.Method == http.MethodGet {
			// gqlgen's answer to a mutation over GET; the spec's is 405.
			w.Header().Set("Allow", "POST")
			status = http.StatusMethodNotAllowed
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// hasQuery reports whether a request carries a query or a persisted query's
// hash; body is a POST request's. A body it cannot read counts as having
// one (gqlgen's own error stands).
func hasQuery(r *http.Request, body []byte) bool {
	if r.Method == http.MethodGet {
		q := r.URL.Query()
		return q.Get("query") != "" || q.Get("extensions") != ""
	}
	var p struct {
		Query      *string                    `json:"query"`
		Extensions map[string]json.RawMessage `json:"extensions"`
	}
	if json.Unmarshal(body, &p) != nil {
		return true
	}
	_, persisted := p.Extensions["persistedQuery"]
	return p.Query != nil || persisted
}

// errReader replays a read error after the bytes read before it.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err == nil {
		return 0, io.EOF
	}
	return 0, e.err
}

// captureWriter holds a response's status and body until they are final. A
// response below 400 (an operation that ran) needs no rewriting: its body
// goes straight through, not copied.
type captureWriter struct {
	http.ResponseWriter
	status int
	passed bool // the body went straight through
	body   bytes.Buffer
	// unavailable is set when an error was presented as UNAVAILABLE.
	unavailable *atomic.Bool
}

func (c *captureWriter) WriteHeader(status int) { c.status = status }

func (c *captureWriter) Write(b []byte) (int, error) {
	if !c.passed && c.body.Len() == 0 && c.status < http.StatusBadRequest && c.unavailable.Load() {
		// The database could not be reached: a retryable 503, whatever of
		// the operation's data made it into the response.
		c.ResponseWriter.Header().Set("Retry-After", strconv.Itoa(retryAfterUnavailable))
		c.status = http.StatusServiceUnavailable
		c.passed = true
		c.ResponseWriter.WriteHeader(c.status)
	}
	if !c.passed && c.status < http.StatusBadRequest && c.body.Len() == 0 {
		c.passed = true
		c.ResponseWriter.WriteHeader(c.status)
	}
	if c.passed {
		return c.ResponseWriter.Write(b)
	}
	return c.body.Write(b)
}

// requestErrorBody drops a null data entry and gives every error the
// request ID; a body it cannot read comes back unchanged.
func requestErrorBody(body []byte, id string) []byte {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	if string(m["data"]) == "null" {
		delete(m, "data")
	}
	var errs []map[string]any
	if json.Unmarshal(m["errors"], &errs) == nil && id != "" {
		for _, e := range errs {
			ext, _ := e["extensions"].(map[string]any)
			if ext == nil {
				ext = map[string]any{}
				e["extensions"] = ext
			}
			if _, ok := ext["requestId"]; !ok {
				ext["requestId"] = id
			}
		}
		if b, err := json.Marshal(errs); err == nil {
			m["errors"] = b
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return b
}

// unsupported is the last transport: it answers what no other takes with
// the spec's status (405 for a method, 415 for a body's media type) and an
// error a client can act on, where gqlgen answers 400 "transport not
// supported".
type unsupported struct{}

// Supports implements graphql.Transport.
func (unsupported) Supports(*http.Request) bool { return true }

// Do implements graphql.Transport.
func (unsupported) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	status, msg := http.StatusUnsupportedMediaType, "Send the request as application/json."
	switch {
	case r.Method != http.MethodPost && r.Method != http.MethodGet:
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		status, msg = http.StatusMethodNotAllowed, "Use POST, or GET for queries."
	case r.Header.Get("Upgrade") != "":
		status, msg = http.StatusBadRequest, "Open the websocket with the graphql-transport-ws (or legacy graphql-ws) subprotocol."
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"message":%s,"extensions":{"code":"BAD_REQUEST","requestId":%s}}]}`,
		strconv.Quote(msg), strconv.Quote(RequestID(r.Context())))
}
