package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"bayboard/store/storetest"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(*config) bool
		wantErr string
	}{
		{name: "OK/Defaults", env: map[string]string{"DATABASE_URL": "postgres://x"}, check: func(c *config) bool {
			return c.Addr == ":8080" && c.Env == "development" && c.Introspection && c.ComplexityLimit == 5000 && c.OperationTimeout == 15*time.Second
		}},
		{name: "OK/LimitDefaults", env: map[string]string{"DATABASE_URL": "x"}, check: func(c *config) bool {
			return c.MaxDepth == 15 && c.MaxAliases == 30 && c.MaxDirectives == 5 && c.MaxTokens == 5000 && c.RateLimit == 20 &&
				c.RateBurst == 100 && c.WebsocketMax == 2000 && c.WebsocketPerUser == 20
		}},
		{name: "OK/LimitsFromEnv", env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_RATE_LIMIT": "0.5", "BAYBOARD_MAX_DEPTH": "0"}, check: func(c *config) bool {
			return c.RateLimit == 0.5 && c.MaxDepth == 0
		}},
		{name: "OK/ProductionTurnsIntrospectionOff", env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_ENV": "production"}, check: func(c *config) bool {
			return !c.Introspection
		}},
		{name: "OK/ExplicitIntrospectionWins", args: []string{"--introspection=true"}, env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_ENV": "production"}, check: func(c *config) bool {
			return c.Introspection
		}},
		{name: "OK/FlagBeatsEnv", args: []string{"--addr", ":9999"}, env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_ADDR": ":7777"}, check: func(c *config) bool {
			return c.Addr == ":9999"
		}},
		{name: "OK/DemoBoolFlag", args: []string{"--demo"}, env: map[string]string{"DATABASE_URL": "x"}, check: func(c *config) bool { return c.Demo }},
		{name: "OK/Origins", env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_WEBSOCKET_ORIGINS": "a.example, b.example"}, check: func(c *config) bool {
			return len(c.WebsocketOrigins) == 2 && c.WebsocketOrigins[1] == "b.example"
		}},
		{name: "ErrNoDatabase", env: map[string]string{}, wantErr: "DATABASE_URL"},
		{name: "ErrBadEnv", env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_ENV": "staging"}, wantErr: "development or production"},
		{name: "ErrBadDuration", env: map[string]string{"DATABASE_URL": "x", "BAYBOARD_OPERATION_TIMEOUT": "soon"}, wantErr: "BAYBOARD_OPERATION_TIMEOUT"},
		{name: "ErrUnknownFlag", args: []string{"--nope"}, env: map[string]string{"DATABASE_URL": "x"}, wantErr: "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseConfig(tc.args, env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err=%v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err=%v", err)
			}
			if !tc.check(c) {
				t.Fatalf("config=%+v fails the check", c)
			}
		})
	}
}

// TestRun starts the whole program as `make run` does (demo data on a fresh
// database), queries it over HTTP, and shuts it down.
func TestRun(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustCreateDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--log-level", "warn"}, env(map[string]string{"DATABASE_URL": dsn}), pw)
		pw.Close()
	}()
	urlRe := regexp.MustCompile(`GraphQL\s+(http://\S+)/query`)
	tokenRe := regexp.MustCompile(`ADVISOR\s+\S+\s+(\S+)`)
	boardRe := regexp.MustCompile(`Wall board\s+(http://\S+/board\?token=\S+)`)
	var base, token, boardURL string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		if m := urlRe.FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		if m := tokenRe.FindStringSubmatch(line); m != nil && token == "" {
			token = m[1]
		}
		if m := boardRe.FindStringSubmatch(line); m != nil {
			boardURL = m[1]
		}
		if base != "" && token != "" {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" || token == "" || boardURL == "" || strings.Contains(boardURL, "<") {
		cancel()
		t.Fatalf("server printed no URL, board URL or advisor token (url=%q board=%q token=%q): %v", base, boardURL, token, <-done)
	}

	// Readiness waits for the event listener's connection: poll it, a
	// bounded number of times (the ticker only spaces the checks).
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 1; ; i++ {
		res, err := http.Get(base + "/readyz")
		last := fmt.Sprint(err)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
			last = res.Status
		}
		if i == 1000 {
			t.Fatalf("/readyz not ready after %d checks (last: %s)", i, last)
		}
		<-tick.C
	}
	for _, path := range []string{"/healthz", "/readyz", "/", strings.TrimPrefix(boardURL, base)} {
		res, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status=%d, want 200", path, res.StatusCode)
		}
	}
	// The time-based rules run beside the hub: their counters are exported.
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	metrics, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(metrics), "bayboard_time_rule_passes_total") {
		t.Fatalf("/metrics lacks bayboard_time_rule_passes_total: is the watcher wired?")
	}
	req, _ := http.NewRequest("POST", base+"/query", strings.NewReader(`{"query":"{ viewer { name role } sites { id name } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("query: %v", err)
	}
	var body struct {
		Data struct {
			Viewer struct{ Role string }
			Sites  []struct{ ID, Name string }
		}
		Errors []any
	}
	json.NewDecoder(res.Body).Decode(&body)
	res.Body.Close()
	if body.Data.Viewer.Role != "ADVISOR" || len(body.Data.Sites) == 0 || len(body.Errors) > 0 {
		t.Fatalf("viewer=%+v sites=%v errors=%v, want the demo advisor and a site", body.Data.Viewer, body.Data.Sites, body.Errors)
	}

	// A server that never shuts down hangs here until go test's -timeout,
	// which names this line.
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run returned %v after shutdown, want nil", err)
	}
}
