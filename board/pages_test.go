package board_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"bayboard/board"
)

func TestPages(t *testing.T) {
	t.Parallel()
	h := board.Pages()
	get := func(path string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}

	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ path, ctype, contains string }{
			{"/board?token=x", "text/html", `src="/assets/app/board.js"`},
			{"/advisor", "text/html", `src="/assets/app/advisor.js"`},
			{"/assets/app/board.js", "javascript", "boardFeed"},
			{"/assets/app/advisor.js", "javascript", "advisorFeed"},
			{"/assets/app/common.js", "javascript", "graphql-ws.js"},
			{"/assets/app/board.css", "text/css", ".lane"},
			{"/assets/vendor/graphql-ws.js", "javascript", "createClient"},
			{"/tablet?token=x", "text/html", `src="/assets/app/tablet.js"`},
			{"/dispatch", "text/html", `src="/assets/app/dispatch.js"`},
			{"/qc", "text/html", `src="/assets/app/qc.js"`},
			{"/parts?token=x", "text/html", `src="/assets/app/parts.js"`},
			{"/assets/app/parts.js", "javascript", "issueParts"},
			{"/assets/app/tablet.js", "javascript", "startJob"},
			{"/assets/app/common.css", "text/css", ".fatal"},
			{"/assets/app/floor.css", "text/css", "min-height: 48px"},
		} {
			w := get(tt.path)
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: status=%d, want 200", tt.path, w.Code)
			}
			if ct := w.Header().Get("Content-Type"); !strings.Contains(ct, tt.ctype) {
				t.Fatalf("GET %s: Content-Type=%q, want %s", tt.path, ct, tt.ctype)
			}
			if !strings.Contains(w.Body.String(), tt.contains) {
				t.Fatalf("GET %s: body lacks %q", tt.path, tt.contains)
			}
			if w.Header().Get("ETag") == "" || w.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("GET %s: ETag=%q Cache-Control=%q, want an ETag and no-cache", tt.path, w.Header().Get("ETag"), w.Header().Get("Cache-Control"))
			}
		}
	})

	t.Run("FloorPaths", func(t *testing.T) {
		for _, p := range board.FloorPaths() {
			w := get(p + "?token=secret")
			if w.Code != http.StatusOK || w.Header().Get("Referrer-Policy") != "no-referrer" {
				t.Fatalf("GET %s: status=%d Referrer-Policy=%q, want 200 and no-referrer", p, w.Code, w.Header().Get("Referrer-Policy"))
			}
		}
	})

	t.Run("HTMLHeaders", func(t *testing.T) {
		w := get("/board?token=secret")
		// The token is in the URL: it must never leave as a referrer.
		if got := w.Header().Get("Referrer-Policy"); got != "no-referrer" {
			t.Fatalf("Referrer-Policy=%q, want no-referrer", got)
		}
		if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
			!strings.Contains(csp, "ws://example.com") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("Content-Security-Policy=%q", csp)
		}
		r := httptest.NewRequest(http.MethodGet, "/board", nil)
		r.Host = "evil; script-src *"
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, "evil") {
			t.Fatalf("Content-Security-Policy=%q carries a bad Host", csp)
		}
	})

	t.Run("NotModified", func(t *testing.T) {
		tag := get("/assets/app/board.js").Header().Get("ETag")
		if w := get("/assets/app/board.js", "If-None-Match", tag); w.Code != http.StatusNotModified {
			t.Fatalf("status=%d, want 304", w.Code)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		for _, p := range []string{"/assets/board.html", "/assets/app/nope.js", "/assets/app/", "/assets/"} {
			if w := get(p); w.Code != http.StatusNotFound {
				t.Fatalf("GET %s: status=%d, want 404", p, w.Code)
			}
		}
	})
}
