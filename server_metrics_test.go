package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"testing"

	"bayboard/store/storetest"
)

// startServer runs the program with args on a fresh database and returns
// the URLs it printed: the GraphQL endpoint's base and /metrics ("" when it
// printed none). The server stops when the test ends.
func startServer(t *testing.T, args ...string) (base, metrics string) {
	t.Helper()
	dsn := storetest.MustCreateDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "error"}, args...), env(map[string]string{"DATABASE_URL": dsn}), pw)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	urlRe := regexp.MustCompile(`GraphQL\s+(http://\S+)/query`)
	metricsRe := regexp.MustCompile(`Metrics\s+(http://\S+)`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if m := metricsRe.FindStringSubmatch(sc.Text()); m != nil {
			metrics = m[1]
		}
		if sc.Text() == "" && base != "" { // the banner ends with an empty line
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("server printed no URL")
	}
	return base, metrics
}

func getStatus(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestMetricsAccess: /metrics is not open to whoever reaches the main port
// in production: it is served on --metrics-addr, or behind --metrics-token,
// or not at all.
func TestMetricsAccess(t *testing.T) {
	t.Parallel()
	t.Run("OK/SeparateAddress", func(t *testing.T) {
		t.Parallel()
		base, metrics := startServer(t, "--env", "production", "--metrics-addr", "127.0.0.1:0")
		if metrics == "" || metrics == base+"/metrics" {
			t.Fatalf("metrics URL=%q, want one on its own address", metrics)
		}
		if got := getStatus(t, metrics, ""); got != http.StatusOK {
			t.Fatalf("GET %s: status=%d, want 200", metrics, got)
		}
		if got := getStatus(t, base+"/metrics", ""); got != http.StatusNotFound {
			t.Fatalf("GET /metrics on the main port: status=%d, want 404", got)
		}
	})
	t.Run("ErrUnauthorized/Token", func(t *testing.T) {
		t.Parallel()
		base, metrics := startServer(t, "--env", "production", "--metrics-token", "s3cret-metrics")
		if metrics != base+"/metrics" {
			t.Fatalf("metrics URL=%q, want %s/metrics", metrics, base)
		}
		for _, tc := range []struct {
			token string
			want  int
		}{{"", http.StatusUnauthorized}, {"wrong", http.StatusUnauthorized}, {"s3cret-metrics", http.StatusOK}} {
			if got := getStatus(t, metrics, tc.token); got != tc.want {
				t.Fatalf("GET /metrics with token %q: status=%d, want %d", tc.token, got, tc.want)
			}
		}
	})
	t.Run("ErrNotFound/ProductionDefault", func(t *testing.T) {
		t.Parallel()
		base, metrics := startServer(t, "--env", "production")
		if metrics != "" {
			t.Fatalf("printed metrics URL %q, want none", metrics)
		}
		if got := getStatus(t, base+"/metrics", ""); got != http.StatusNotFound {
			t.Fatalf("GET /metrics: status=%d, want 404", got)
		}
	})
}
