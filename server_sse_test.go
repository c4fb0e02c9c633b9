package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"bayboard/store/storetest"
)

// TestEventStreamOutlivesReadTimeout: a subscription over server-sent
// events is a long response to a short request; the read timeout bounds the
// request, never the stream. It guards the server's timeouts: net/http
// clears the read deadline once the body is read (a background read that
// hit it would cancel the request's context), and a WriteTimeout, or a
// deadline set by a middleware, would end every stream after it.
func TestEventStreamOutlivesReadTimeout(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustCreateDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--log-level", "warn", "--read-timeout", "200ms"},
			env(map[string]string{"DATABASE_URL": dsn}), pw)
		pw.Close()
	}()
	urlRe := regexp.MustCompile(`GraphQL\s+(http://\S+)/query`)
	tokenRe := regexp.MustCompile(`ADVISOR\s+\S+\s+(\S+)`)
	var base, token string
	sc := bufio.NewScanner(pr)
	for sc.Scan() && (base == "" || token == "") {
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
		if m := tokenRe.FindStringSubmatch(sc.Text()); m != nil && token == "" {
			token = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" || token == "" {
		cancel()
		t.Fatalf("server printed no URL or token: %v", <-done)
	}
	post := func(accept, query string, vars map[string]any) *http.Response {
		t.Helper()
		b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest(http.MethodPost, base+"/query", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("post: %v", err)
		}
		return res
	}
	res := post("application/json", `{ sites { id } }`, nil)
	var sites struct {
		Data struct{ Sites []struct{ ID string } }
	}
	if err := json.NewDecoder(res.Body).Decode(&sites); err != nil || len(sites.Data.Sites) == 0 {
		t.Fatalf("sites: %v %+v", err, sites)
	}
	res.Body.Close()

	stream := post("text/event-stream", `subscription($s: ID!) { boardFeed(siteId: $s) { cursor } }`,
		map[string]any{"s": sites.Data.Sites[0].ID})
	defer stream.Body.Close()
	if stream.StatusCode != http.StatusOK || !strings.HasPrefix(stream.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %s %s", stream.Status, stream.Header.Get("Content-Type"))
	}
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, stream.Body)
		ended <- err
	}()
	// Ten times the read timeout pass (the ticker only paces the looks);
	// the stream must still be open at each look.
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for range 10 {
		select {
		case err := <-ended:
			t.Fatalf("the event stream ended (%v) after the read timeout: the timeout cut a long response", err)
		case <-tick.C:
		}
	}
}
