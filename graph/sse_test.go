package graph_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

// sseStream is a server-sent events subscription over POST /query.
type sseStream struct {
	t    *testing.T
	res  *http.Response
	scan *bufio.Scanner
}

// subscribeSSE subscribes to the site's board feed after cursor over SSE,
// authenticated by the Authorization header (none when token is "").
func (e *wsEnv) subscribeSSE(t *testing.T, ctx context.Context, token string, after int64) *sseStream {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": wsBoardFeedQuery,
		"variables": map[string]any{"site": e.site, "after": strconv.FormatInt(after, 10)}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/query", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	t.Cleanup(func() { res.Body.Close() })
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("status=%d content-type=%q, want 200 text/event-stream", res.StatusCode, ct)
	}
	return &sseStream{t: t, res: res, scan: bufio.NewScanner(res.Body)}
}

// event reads the next event, skipping comments (keep-alives): its name and
// data; name "" when the stream ended.
func (s *sseStream) event() (name, data string) {
	for s.scan.Scan() {
		line := s.scan.Text()
		switch {
		case line == "" && name != "":
			return name, data
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data += strings.TrimPrefix(line, "data: ")
		}
	}
	return name, data
}

// next reads the next update of the feed.
func (s *sseStream) next() feedUpdate {
	s.t.Helper()
	name, data := s.event()
	if name != "next" {
		s.t.Fatalf("event=%q %s, want next", name, data)
	}
	var p struct {
		Data struct {
			BoardFeed feedUpdate `json:"boardFeed"`
		} `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal([]byte(data), &p); err != nil || len(p.Errors) > 0 {
		s.t.Fatalf("data=%s err=%v, want an update", data, err)
	}
	return p.Data.BoardFeed
}

// TestSSE subscribes to the board feed with server-sent events, for clients
// that cannot open websockets.
func TestSSE(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		e := newWSEnv(t, nil).start()
		head := e.head(t)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s := e.subscribeSSE(t, ctx, e.boardToken, head)
		for _, p := range []int{15, 25} {
			e.progress(t, p)
			u := s.next()
			if u.Kind == nil || *u.Kind != string(shop.EventJobProgress) || *u.Summary != "Progress "+strconv.Itoa(p)+"%" {
				t.Fatalf("update=%+v, want progress %d", u, p)
			}
			if n, err := strconv.ParseInt(u.Cursor, 10, 64); err != nil || n <= head {
				t.Fatalf("cursor=%q, want one after %d", u.Cursor, head)
			}
		}
	})

	t.Run("ErrUnauthenticated", func(t *testing.T) {
		e := newWSEnv(t, nil).start()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s := e.subscribeSSE(t, ctx, "", 0)
		name, data := s.event()
		if name != "next" || !strings.Contains(data, `"code":"UNAUTHENTICATED"`) {
			t.Fatalf("event=%q %s, want an UNAUTHENTICATED error", name, data)
		}
		if name, _ := s.event(); name != "complete" {
			t.Fatalf("event=%q, want complete", name)
		}
	})

	// On shutdown a stream ends without "complete", so the client
	// reconnects elsewhere and resumes from its cursor.
	t.Run("Shutdown", func(t *testing.T) {
		e := newWSEnv(t, nil).start()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		s := e.subscribeSSE(t, ctx, e.boardToken, e.head(t))
		e.progress(t, 35)
		s.next()
		if err := e.reg.Shutdown(ctx); err != nil {
			t.Fatalf("shutdown: %v", err)
		}
		if name, data := s.event(); name != "" {
			t.Fatalf("event=%q %s, want the stream to end", name, data)
		}
	})
}
