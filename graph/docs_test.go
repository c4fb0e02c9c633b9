package graph_test

import (
	"bufio"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"bayboard/api"
	"bayboard/demo"
	"bayboard/docs"
	"bayboard/store/storetest"
)

// TestDocsExamples runs every operation of docs/examples/*.graphql against
// a server with the demo workshop day, as the demo user named in the file's
// "# Token:" line, so the examples for client developers never rot: no
// errors, and no userErrors. Queries and mutations go over POST,
// subscriptions over SSE (the first update, from cursor 0). Variables are
// filled by name from the demo data: siteId, orderId, customerId, search,
// jobId (a job in progress of the file's technician), progress, version;
// after stays null (the first page; live only).
func TestDocsExamples(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	if _, err := demo.Seed(context.Background(), db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("seed: %v", err)
	}
	opts := api.DefaultOptions
	opts.Hub = startHub(t, db)
	opts.Introspection = true
	mux := http.NewServeMux()
	mux.Handle("/query", wsHandler(db, opts))
	mux.Handle("GET /{$}", api.Playground("/query", nil, docs.AllExamples()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := &docsClient{t: t, url: srv.URL + "/query"}

	tokenOf := map[string]string{} // demo user's name → token
	for _, tok := range demo.Tokens() {
		tokenOf[tok.Name] = tok.Token
	}
	nameOf := map[string]string{}
	for n, tok := range tokenOf {
		nameOf[tok] = n
	}

	// The demo data the variables come from, read as the first advisor.
	var d struct {
		Sites []struct{ ID, Code string }
	}
	c.do("demo-advisor-wang", `{ sites { id code } }`, nil, &d)
	vars := map[string]any{"progress": nil, "after": nil}
	for _, s := range d.Sites {
		if s.Code == demo.SiteCode {
			vars["siteId"] = s.ID
		}
	}
	var ro struct {
		RepairOrders struct {
			Edges []struct {
				Node struct {
					ID    string
					Visit struct{ Customer struct{ ID, Name string } }
					Jobs  []struct {
						ID, State         string
						Progress, Version int
						Technician        *struct{ Name string }
					}
				}
			}
		}
	}
	c.do("demo-advisor-wang", `query ($site: ID!) { repairOrders(siteId: $site, states: [IN_WORK], first: 100) {
		edges { node { id visit { customer { id name } } jobs { id state progress version technician { name } } } } } }`,
		map[string]any{"site": vars["siteId"]}, &ro)

	tokenLine := regexp.MustCompile(`(?m)^# Token: (\S+)`)
	for _, name := range docs.ExampleNames() {
		src, err := docs.Examples.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(strings.TrimSuffix(strings.TrimPrefix(name, "examples/"), ".graphql"), func(t *testing.T) {
			m := tokenLine.FindSubmatch(src)
			if m == nil {
				t.Fatalf("%s has no '# Token: <demo token>' line", name)
			}
			token := string(m[1])
			who, ok := nameOf[token]
			if !ok {
				t.Fatalf("token=%q, want a demo token (demo/demo.go)", token)
			}
			// The file's order and job: a job in progress, of this user when
			// the user is its technician.
			v := map[string]any{}
			for k, x := range vars {
				v[k] = x
			}
			for _, e := range ro.RepairOrders.Edges {
				for _, j := range e.Node.Jobs {
					if j.State == "IN_PROGRESS" && j.Technician != nil && (v["jobId"] == nil || j.Technician.Name == who) {
						v["orderId"], v["customerId"], v["search"] = e.Node.ID, e.Node.Visit.Customer.ID, e.Node.Visit.Customer.Name
						v["jobId"], v["version"], v["progress"] = j.ID, j.Version, min(j.Progress+10, 100)
					}
				}
			}
			if v["jobId"] == nil {
				t.Fatal("the demo data has no job in progress")
			}
			doc, perr := parser.ParseQuery(&ast.Source{Name: name, Input: string(src)})
			if perr != nil {
				t.Fatalf("parse: %v", perr)
			}
			if len(doc.Operations) == 0 {
				t.Fatalf("%s has no operation", name)
			}
			for _, op := range doc.Operations {
				t.Run(op.Name, func(t *testing.T) {
					opVars := map[string]any{}
					for _, def := range op.VariableDefinitions {
						x, ok := v[def.Variable]
						if !ok {
							t.Fatalf("variable $%s: the test knows no value for it; use siteId, orderId, customerId, search, jobId, progress, version or after", def.Variable)
						}
						opVars[def.Variable] = x
					}
					if op.Operation == ast.Subscription {
						opVars["after"] = "0"
						c.subscribeFirst(token, string(src), op.Name, opVars)
						return
					}
					var data map[string]any
					c.doOp(token, string(src), op.Name, opVars, &data)
					if bad := userErrors(data); len(bad) > 0 {
						t.Fatalf("userErrors=%v, want none", bad)
					}
				})
			}
		})
	}

	// GraphiQL opens with the examples in the editor.
	t.Run("GraphiQL", func(t *testing.T) {
		res, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Query().Get("query"), "query CustomerHistory(") {
			t.Fatalf("status=%d url=%s, want GraphiQL with the examples in ?query=", res.StatusCode, res.Request.URL)
		}
		u, _ := url.Parse(srv.URL + "/?query=%7B%20viewer%20%7B%20id%20%7D%20%7D")
		res, err = http.Get(u.String())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Request.URL.String() != u.String() {
			t.Fatalf("url=%s, want no redirect once a query is in the URL", res.Request.URL)
		}
	})
}

// userErrors collects every non-empty userErrors list in data.
func userErrors(data any) []any {
	var out []any
	switch x := data.(type) {
	case map[string]any:
		for k, v := range x {
			if l, ok := v.([]any); ok && k == "userErrors" {
				out = append(out, l...)
				continue
			}
			out = append(out, userErrors(v)...)
		}
	case []any:
		for _, v := range x {
			out = append(out, userErrors(v)...)
		}
	}
	return out
}

// docsClient posts operations to the GraphQL endpoint.
type docsClient struct {
	t   *testing.T
	url string
}

func (c *docsClient) do(token, query string, vars map[string]any, out any) {
	c.t.Helper()
	c.doOp(token, query, "", vars, out)
}

func (c *docsClient) doOp(token, query, op string, vars map[string]any, out any) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": op, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		c.t.Fatalf("decode: %v", err)
	}
	if len(r.Errors) > 0 || res.StatusCode != http.StatusOK {
		c.t.Fatalf("status=%d errors=%v, want 200 and none", res.StatusCode, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		c.t.Fatalf("data=%s: %v", r.Data, err)
	}
}

// subscribeFirst subscribes over SSE and checks the first update.
func (c *docsClient) subscribeFirst(token, query, op string, vars map[string]any) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": op, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var r struct {
			Data   map[string]any `json:"data"`
			Errors []any          `json:"errors"`
		}
		if err := json.Unmarshal([]byte(data), &r); err != nil || len(r.Errors) > 0 || len(r.Data) == 0 {
			c.t.Fatalf("update=%s err=%v, want data and no errors", data, err)
		}
		return
	}
	c.t.Fatalf("the stream ended without an update: %v", sc.Err())
}
