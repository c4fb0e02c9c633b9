package board

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// web holds the wall board and advisor pages: two HTML files, their modules
// and styles under app/, and vendor/graphql-ws.js, the graphql-ws client built
// from npm by e2e/browser/vendor.sh and committed, so serving needs no npm.
//
//go:embed web
var web embed.FS

// Pages serves the wall board (GET /board), the advisor's desk (GET /advisor),
// the shop-floor screens (GET /tablet, /dispatch, /qc, /parts: FloorPaths), the
// cashier (GET /cashier), the print pages (GET /print?kind=…&order=…), the
// customer's approval page (GET /approve/{token}) and their assets (GET
// /assets/...). The pages are static: they read the bearer token and site
// from their own URL (?token=…&site=…&lang=en) and talk to /query like any
// other client, so the server's rules (a BOARD token sees no personal data)
// hold for them too. Mount it on those paths and /assets/.
func Pages() http.Handler {
	root, err := fs.Sub(web, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	etags := map[string]string{}
	_ = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		etags[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	files := http.FileServerFS(root)
	serve := func(w http.ResponseWriter, r *http.Request, name string) {
		tag, ok := etags[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		// Revalidate every time (a cheap 304): a TV running for weeks picks
		// up a new version at its next reload, never a stale mix.
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", tag)
		h.Set("X-Content-Type-Options", "nosniff")
		if strings.HasSuffix(name, ".html") {
			// The token is in the page's URL: never send it on as a referrer.
			h.Set("Referrer-Policy", "no-referrer")
			// Older browsers do not count ws: as 'self': name this host's websockets.
			connect := "'self'"
			if validHost(r.Host) {
				connect += " ws://" + r.Host + " wss://" + r.Host
			}
			h.Set("Content-Security-Policy", "default-src 'self'; connect-src "+connect+
				"; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + name
		files.ServeHTTP(w, r2)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /board", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "board.html") })
	mux.HandleFunc("GET /advisor", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "advisor.html") })
	// The customer's approval page (issue 17): the token in its path is read by the page.
	mux.HandleFunc("GET /approve/{token}", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "approve.html") })
	for _, page := range floorPages {
		mux.HandleFunc("GET /"+page, func(w http.ResponseWriter, r *http.Request) { serve(w, r, page+".html") })
	}
	mux.HandleFunc("GET /cashier", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "cashier.html") })
	mux.HandleFunc("GET /print", func(w http.ResponseWriter, r *http.Request) { serve(w, r, "print.html") })
	mux.HandleFunc("GET /assets/{file...}", func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean(r.PathValue("file"))
		if strings.HasSuffix(name, ".html") {
			http.NotFound(w, r)
			return
		}
		serve(w, r, name)
	})
	return mux
}

// floorPages are the shop-floor screens, each served at /<name> from
// web/<name>.html: the technician's tablet, the foreman's dispatch screen,
// final inspection and the parts counter.
var floorPages = []string{"tablet", "dispatch", "qc", "parts"}

// FloorPaths are the paths of the shop-floor screens, for the router to
// mount Pages on.
func FloorPaths() []string {
	out := make([]string, len(floorPages))
	for i, p := range floorPages {
		out[i] = "/" + p
	}
	return out
}

// validHost reports whether a Host header is a plain host[:port], safe to
// put in a header value.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-:[]", c)) {
			return false
		}
	}
	return true
}
