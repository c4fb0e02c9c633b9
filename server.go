// Command bayboard is the Bayboard server: GraphQL for a dealership service
// department, with the live workshop board.
//
// This is the only place where concrete values are built and wired: config,
// database, hub, the timers of the time-based rules, handlers, HTTP server
// and graceful shutdown. main calls run, so the whole program can be started
// from a test.
package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"bayboard/api"
	"bayboard/board"
	"bayboard/demo"
	"bayboard/docs"
	"bayboard/store"
	"bayboard/watch"
	"bayboard/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bayboard:", err)
		os.Exit(1)
	}
}

// config is every setting, each from a flag or its environment variable.
type config struct {
	Addr              string
	PublicURL         string
	DatabaseURL       string
	Env               string
	Introspection     bool
	DBMaxConns        int
	LogFormat         string
	LogLevel          string
	Demo              bool
	ComplexityLimit   int
	MaxDepth          int
	MaxAliases        int
	MaxDirectives     int
	MaxTokens         int
	MaxFields         int
	MaxFieldRepeats   int
	RateLimit         float64
	RateBurst         int
	WebsocketMax      int
	WebsocketPerUser  int
	MaxBodyBytes      int64
	OperationTimeout  time.Duration
	ShutdownTimeout   time.Duration
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	IdleTimeout       time.Duration
	TokenCacheTTL     time.Duration
	WebsocketOrigins  []string
	MetricsAddr       string
	MetricsToken      string

	// Websockets before authentication, and operations per socket (issue 14).
	WebsocketInitTimeout    time.Duration
	WebsocketPendingPerAddr int
	WebsocketPendingMax     int
	WebsocketAdmit          int
	WebsocketMaxOperations  int

	// The outbox and its webhooks (issue 17).
	WebhookInterval time.Duration
	WebhookTimeout  time.Duration
	WebhookWorkers  int
	// WebhookAllowPrivate lets endpoints be on loopback and private networks.
	WebhookAllowPrivate bool

	// Photos (issue 17).
	BlobURL    string
	SigningKey string
}

// setting describes one configuration entry: flag, env var, default, help.
type setting struct {
	flag, env, def, help string
	set                  func(string) error
}

func settings(c *config) []setting {
	str := func(p *string) func(string) error { return func(s string) error { *p = s; return nil } }
	integer := func(p *int) func(string) error {
		return func(s string) (err error) { *p, err = strconv.Atoi(s); return err }
	}
	boolean := func(p *bool) func(string) error {
		return func(s string) (err error) { *p, err = strconv.ParseBool(s); return err }
	}
	dur := func(p *time.Duration) func(string) error {
		return func(s string) (err error) { *p, err = time.ParseDuration(s); return err }
	}
	return []setting{
		{"addr", "BAYBOARD_ADDR", ":8080", "address to listen on", str(&c.Addr)},
		{"public-url", "BAYBOARD_PUBLIC_URL", "", "URL users reach the server at (printed at start; default from addr)", str(&c.PublicURL)},
		{"database-url", "DATABASE_URL", "", "PostgreSQL URL (required)", str(&c.DatabaseURL)},
		{"env", "BAYBOARD_ENV", "development", "development or production", str(&c.Env)},
		{"introspection", "BAYBOARD_INTROSPECTION", "", "schema introspection and GraphiQL (default: on in development, off in production)", boolean(&c.Introspection)},
		{"db-max-conns", "BAYBOARD_DB_MAX_CONNS", "20", "database connection pool size", integer(&c.DBMaxConns)},
		{"log-format", "BAYBOARD_LOG_FORMAT", "json", "json or text", str(&c.LogFormat)},
		{"log-level", "BAYBOARD_LOG_LEVEL", "info", "debug, info, warn or error", str(&c.LogLevel)},
		{"demo", "BAYBOARD_DEMO", "false", "seed a demo workshop day when the database has no sites", boolean(&c.Demo)},
		{"complexity-limit", "BAYBOARD_COMPLEXITY_LIMIT", "5000", "maximum query complexity", integer(&c.ComplexityLimit)},
		{"max-depth", "BAYBOARD_MAX_DEPTH", "15", "maximum nesting of fields in an operation (0: no limit)", integer(&c.MaxDepth)},
		{"max-aliases", "BAYBOARD_MAX_ALIASES", "30", "maximum aliased fields in an operation (0: no limit)", integer(&c.MaxAliases)},
		{"max-directives", "BAYBOARD_MAX_DIRECTIVES", "5", "maximum directives on one field or fragment (0: no limit)", integer(&c.MaxDirectives)},
		{"max-tokens", "BAYBOARD_MAX_TOKENS", "5000", "maximum tokens in a query document (0: no limit)", integer(&c.MaxTokens)},
		{"max-fields", "BAYBOARD_MAX_FIELDS", "1000", "maximum fields of a new query document, fragments counted at each use, checked before validation (0: no limit)", integer(&c.MaxFields)},
		{"max-field-repeats", "BAYBOARD_MAX_FIELD_REPEATS", "10", "maximum times one field (response name) is selected in one selection set (0: no limit)", integer(&c.MaxFieldRepeats)},
		{"rate-limit", "BAYBOARD_RATE_LIMIT", "20", "requests per second per user (or per client address without a token); 0: no limit", func(s string) (err error) {
			c.RateLimit, err = strconv.ParseFloat(s, 64)
			return err
		}},
		{"rate-burst", "BAYBOARD_RATE_BURST", "100", "requests a user may send at once before the rate limit applies", integer(&c.RateBurst)},
		{"websocket-max", "BAYBOARD_WEBSOCKET_MAX", "2000", "maximum open websockets of this instance (0: no limit)", integer(&c.WebsocketMax)},
		{"websocket-max-per-user", "BAYBOARD_WEBSOCKET_MAX_PER_USER", "20", "maximum open websockets of one user's tokens (0: no limit)", integer(&c.WebsocketPerUser)},
		{"max-body-bytes", "BAYBOARD_MAX_BODY_BYTES", "1048576", "maximum request body size", func(s string) (err error) {
			c.MaxBodyBytes, err = strconv.ParseInt(s, 10, 64)
			return err
		}},
		{"operation-timeout", "BAYBOARD_OPERATION_TIMEOUT", "15s", "time limit of one query or mutation", dur(&c.OperationTimeout)},
		{"read-header-timeout", "BAYBOARD_READ_HEADER_TIMEOUT", "10s", "time a client has to send a request's headers", dur(&c.ReadHeaderTimeout)},
		{"read-timeout", "BAYBOARD_READ_TIMEOUT", "30s", "time a client has to send a whole request, body included (websockets and event streams are not cut by it)", dur(&c.ReadTimeout)},
		{"idle-timeout", "BAYBOARD_IDLE_TIMEOUT", "120s", "how long an idle keep-alive connection stays open", dur(&c.IdleTimeout)},
		{"shutdown-timeout", "BAYBOARD_SHUTDOWN_TIMEOUT", "10s", "time given to open requests on shutdown", dur(&c.ShutdownTimeout)},
		{"token-cache-ttl", "BAYBOARD_TOKEN_CACHE_TTL", "10s", "how long a resolved bearer token is kept in memory, and how often open websockets and SSE streams re-check theirs (a revocation on another instance takes effect within it; 0 turns the cache off, sockets then re-check every 10s)", dur(&c.TokenCacheTTL)},
		{"metrics-addr", "BAYBOARD_METRICS_ADDR", "", "separate address to serve /metrics on (e.g. 127.0.0.1:9090); empty: the main port, see metrics-token", str(&c.MetricsAddr)},
		{"metrics-token", "BAYBOARD_METRICS_TOKEN", "", "bearer token /metrics requires; without it and without metrics-addr, /metrics is open in development and off in production", str(&c.MetricsToken)},
		{"websocket-origins", "BAYBOARD_WEBSOCKET_ORIGINS", "", "comma-separated host patterns of other origins allowed to open websockets (same origin always is)", func(s string) error {
			c.WebsocketOrigins = nil
			for _, o := range strings.Split(s, ",") {
				if o = strings.TrimSpace(o); o != "" {
					c.WebsocketOrigins = append(c.WebsocketOrigins, o)
				}
			}
			return nil
		}},
		{"websocket-init-timeout", "BAYBOARD_WEBSOCKET_INIT_TIMEOUT", "3s", "time a websocket has to send connection_init before it is closed (4408)", dur(&c.WebsocketInitTimeout)},
		{"websocket-pending-per-address", "BAYBOARD_WEBSOCKET_PENDING_PER_ADDRESS", "8", "websockets of one client address not yet authenticated; the next upgrade gets 429 (0: no limit)", integer(&c.WebsocketPendingPerAddr)},
		{"websocket-pending-max", "BAYBOARD_WEBSOCKET_PENDING_MAX", "512", "websockets of this instance not yet authenticated; the next anonymous upgrade gets 503 (0: no limit)", integer(&c.WebsocketPendingMax)},
		{"websocket-admit", "BAYBOARD_WEBSOCKET_ADMIT", "256", "websockets admitted at once: between their upgrade and their first subscription's first delivery (a reconnecting board's replay); the next upgrades wait their turn, up to 5s, so that after a restart the first boards are live at once (0: no pacing)", integer(&c.WebsocketAdmit)},
		{"websocket-max-operations", "BAYBOARD_WEBSOCKET_MAX_OPERATIONS", "50", "subscriptions (and other operations) in flight on one websocket; the next gets an error (0: no limit)", integer(&c.WebsocketMaxOperations)},
		{"webhook-interval", "BAYBOARD_WEBHOOK_INTERVAL", "2s", "time between two passes of the outbox: how late a message or webhook may leave after its change", dur(&c.WebhookInterval)},
		{"webhook-timeout", "BAYBOARD_WEBHOOK_TIMEOUT", "10s", "time a webhook endpoint has to answer one POST before it is retried", dur(&c.WebhookTimeout)},
		{"webhook-workers", "BAYBOARD_WEBHOOK_WORKERS", "4", "webhook POSTs this instance makes at once", integer(&c.WebhookWorkers)},
		{"webhook-allow-private", "BAYBOARD_WEBHOOK_ALLOW_PRIVATE", "false", "let webhook endpoints be on loopback, link-local and private addresses (a gateway on the LAN, a local test receiver); off, they must be public, checked at registration and at every delivery", boolean(&c.WebhookAllowPrivate)},
		{"blob-url", "BAYBOARD_BLOB_URL", "", "where photos are stored: file:///abs/dir (default: the folder .bayboard-blobs in the working directory) or s3://bucket?region=…&endpoint=… (S3-compatible, for several instances)", str(&c.BlobURL)},
		{"signing-key", "BAYBOARD_SIGNING_KEY", "", "secret that signs photo URLs; give every instance the same one (default: a random key per start, so one instance only)", str(&c.SigningKey)},
	}
}

// parseConfig reads defaults, then environment variables, then flags.
func parseConfig(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("bayboard serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	introspectionSet := false
	for _, s := range settings(c) {
		if err := s.set(s.def); err != nil && s.def != "" {
			return nil, fmt.Errorf("default of %s: %w", s.flag, err)
		}
		if v := getenv(s.env); v != "" {
			if err := s.set(v); err != nil {
				return nil, fmt.Errorf("%s=%q: %w", s.env, v, err)
			}
			if s.flag == "introspection" {
				introspectionSet = true
			}
		}
		set := func(v string) error {
			if s.flag == "introspection" {
				introspectionSet = true
			}
			return s.set(v)
		}
		if s.def == "true" || s.def == "false" || s.flag == "introspection" {
			fs.BoolFunc(s.flag, s.help+" (env "+s.env+")", set) // --demo means --demo=true
		} else {
			fs.Func(s.flag, s.help+" (env "+s.env+")", set)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w\n\n%s", err, usage())
	}
	if c.Env != "development" && c.Env != "production" {
		return nil, fmt.Errorf("env must be development or production, not %q", c.Env)
	}
	if !introspectionSet {
		c.Introspection = c.Env == "development"
	}
	if c.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL (or --database-url) is required; `make run` starts a private PostgreSQL for you")
	}
	return c, nil
}

// usage lists every setting with its env var and default.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: bayboard [serve|migrate|user|token|help] [flags]\n\nflags (each also an environment variable):\n")
	for _, s := range settings(&config{}) {
		fmt.Fprintf(&b, "  --%-18s %-28s default %-14q %s\n", s.flag, s.env, s.def, s.help)
	}
	return b.String()
}

// run is the whole program. The first argument picks the command.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve", "migrate":
	case "user", "token":
		return runAdmin(ctx, cmd, args, getenv, stdout)
	case "help":
		fmt.Fprint(stdout, usage()+"\n"+adminUsage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n\n%s", cmd, usage())
	}
	cfg, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stdout)

	db, err := openDB(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	db.TokenCacheTTL = cfg.TokenCacheTTL
	if err := db.Migrate(ctx, log); err != nil {
		return err
	}
	if cmd == "migrate" {
		return nil
	}
	var tokens []demo.Token
	if cfg.Demo {
		if tokens, err = demo.Seed(ctx, db, log); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	return serve(ctx, cfg, db, log, stdout, tokens)
}

// openDB connects, retrying for a while so the server may start before its database.
func openDB(ctx context.Context, cfg *config, log *slog.Logger) (*store.DB, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DBMaxConns)
		if err == nil {
			return db, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, err
		}
		log.Warn("database not reachable yet; retrying", "error", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// newLogger logs to stderr; every line logged during a request carries its
// request_id (api.LogHandler).
func newLogger(cfg *config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "text" {
		return slog.New(api.LogHandler(slog.NewTextHandler(os.Stderr, opts)))
	}
	return slog.New(api.LogHandler(slog.NewJSONHandler(os.Stderr, opts)))
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, cfg *config, db *store.DB, log *slog.Logger, stdout io.Writer, tokens []demo.Token) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	base := cfg.PublicURL
	if base == "" {
		port := ln.Addr().(*net.TCPAddr).Port
		base = fmt.Sprintf("http://localhost:%d", port)
	}

	// Approval links in customers' messages point at the public address.
	db.PublicURL, db.Production = base, cfg.Env == "production"
	db.AllowPrivateWebhooks = cfg.WebhookAllowPrivate
	uploads, err := openUploads(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer uploads.Bucket.Close()

	hub := board.NewHub(db, log, board.Options{})
	hubCtx, stopHub := context.WithCancel(context.Background())
	hubDone := make(chan error, 1)
	go func() { hubDone <- hub.Run(hubCtx) }()
	defer func() {
		stopHub()
		<-hubDone
	}()
	// The time-based rules (late cars, callbacks, complaints) have their own
	// loop: a slow pass never delays the board's updates.
	watcher := watch.New(db, log, watch.Options{})
	watchCtx, stopWatch := context.WithCancel(context.Background())
	watchDone := make(chan error, 1)
	go func() { watchDone <- watcher.Run(watchCtx) }()
	defer func() {
		stopWatch()
		<-watchDone
	}()

	// The outbox: messages to the log, webhooks to their endpoints, in a
	// loop of their own: a slow or dead endpoint never holds up a mutation.
	outbox := webhook.New(db, log, webhook.Options{Interval: cfg.WebhookInterval, Timeout: cfg.WebhookTimeout, Workers: cfg.WebhookWorkers,
		AllowPrivate: cfg.WebhookAllowPrivate})
	outboxCtx, stopOutbox := context.WithCancel(context.Background())
	outboxDone := make(chan error, 1)
	go func() { outboxDone <- outbox.Run(outboxCtx) }()
	defer func() {
		stopOutbox()
		<-outboxDone
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerMetrics(reg, db, hub, watcher)
	registerOutboxMetrics(reg, outbox)

	opts := api.DefaultOptions
	opts.Metrics = api.NewMetrics(reg)
	opts.Hub = hub
	websockets := &api.WebsocketRegistry{}
	opts.Websockets = websockets
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bayboard_websocket_upgrades_paced_total",
		Help: "Websocket upgrades that waited for an admission slot (--websocket-admit)."},
		func() float64 { w, _ := websockets.Admission(); return float64(w) }))
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "bayboard_websocket_upgrades_unpaced_total",
		Help: "Websocket upgrades that waited their longest for an admission slot and went ahead without one."},
		func() float64 { _, u := websockets.Admission(); return float64(u) }))
	opts.WebsocketOrigins = cfg.WebsocketOrigins
	opts.Introspection = cfg.Introspection
	opts.ComplexityLimit = cfg.ComplexityLimit
	opts.MaxDepth, opts.MaxAliases, opts.MaxDirectives, opts.MaxTokens = cfg.MaxDepth, cfg.MaxAliases, cfg.MaxDirectives, cfg.MaxTokens
	opts.MaxFields, opts.MaxFieldRepeats = cfg.MaxFields, cfg.MaxFieldRepeats
	opts.WebsocketMaxConns, opts.WebsocketMaxPerToken = cfg.WebsocketMax, cfg.WebsocketPerUser
	opts.WebsocketInitTimeout, opts.WebsocketMaxOperations = cfg.WebsocketInitTimeout, cfg.WebsocketMaxOperations
	opts.WebsocketPendingPerAddr, opts.WebsocketPendingMax = cfg.WebsocketPendingPerAddr, cfg.WebsocketPendingMax
	opts.WebsocketAdmit = cfg.WebsocketAdmit
	if cfg.TokenCacheTTL > 0 {
		// Open sockets and streams re-check their tokens as often as the
		// cache forgets them: a revocation reaches both within one TTL.
		opts.TokenCheckInterval = cfg.TokenCacheTTL
	}
	opts.MaxBodyBytes = cfg.MaxBodyBytes
	opts.OperationTimeout = cfg.OperationTimeout
	gql := api.NewServer(db, log, opts)

	mux := http.NewServeMux()
	endpoint := api.WithRequestID(api.LimitBody(cfg.MaxBodyBytes, api.Authenticate(db, api.RateLimit(cfg.RateLimit, cfg.RateBurst, gql))))
	mux.Handle("/query", endpoint)
	// Photos: uploads with the bearer token, reads by signed URL.
	mux.Handle("POST /attachments", api.WithRequestID(api.Authenticate(db, api.RateLimit(cfg.RateLimit, cfg.RateBurst, http.HandlerFunc(uploads.ServeUpload)))))
	mux.HandleFunc("GET /attachments/{id}/{variant}", uploads.ServeFile)
	// The customer's approval link: no login, the token is the permission;
	// a tight rate per client address keeps tokens from being guessed.
	approvals := &api.Approvals{DB: db}
	mux.Handle("GET /approve/{token}/view", api.WithRequestID(api.RateLimit(2, 30, http.HandlerFunc(approvals.ServeView))))
	mux.Handle("POST /approve/{token}/answer", api.WithRequestID(api.RateLimit(2, 30, http.HandlerFunc(approvals.ServeAnswer))))
	pages := board.Pages() // the wall board and the advisor screen, embedded
	mux.Handle("GET /board", pages)
	mux.Handle("GET /advisor", pages)
	mux.Handle("GET /approve/{token}", pages)
	for _, p := range board.FloorPaths() { // /tablet, /dispatch, /qc, /parts
		mux.Handle("GET "+p, pages)
	}
	mux.Handle("GET /cashier", pages)
	mux.Handle("GET /print", pages)
	mux.Handle("GET /assets/", pages)
	if cfg.Introspection {
		headers := map[string]string{}
		for _, t := range tokens {
			if t.Role == "ADVISOR" {
				headers["Authorization"] = "Bearer " + t.Token
				break
			}
		}
		mux.Handle("GET /{$}", api.Playground("/query", headers, docs.AllExamples()))
	}
	metrics := metricsHandler(reg, cfg.MetricsToken)
	metricsURL := ""
	switch {
	case cfg.MetricsAddr != "":
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return fmt.Errorf("metrics address: %w", err)
		}
		mmux := http.NewServeMux()
		mmux.Handle("GET /metrics", metrics)
		msrv := httpServer(ctx, cfg, mmux)
		go msrv.Serve(mln)
		defer msrv.Close()
		metricsURL = fmt.Sprintf("http://%s/metrics", mln.Addr())
	case cfg.MetricsToken != "" || cfg.Env == "development":
		mux.Handle("GET /metrics", metrics)
		metricsURL = base + "/metrics"
	default:
		log.Warn("/metrics is off: set --metrics-addr (a port only your monitoring reaches) or --metrics-token")
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		rctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(rctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"unavailable","database":"unreachable"}`)
			return
		}
		if pending, err := db.MigrationsPending(rctx); err != nil || pending {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"unavailable","migrations":"pending"}`)
			return
		}
		if !hub.Listening() {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"unavailable","listener":"disconnected"}`)
			return
		}
		fmt.Fprint(w, `{"status":"ready","database":"ok","migrations":"applied","listener":"connected"}`)
	})

	srv := httpServer(ctx, cfg, mux)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	log.Info("listening", "addr", ln.Addr().String(), "url", base)
	fmt.Fprintf(stdout, "\nBayboard is running.\n")
	if cfg.Introspection {
		fmt.Fprintf(stdout, "  GraphiQL        %s/\n", base)
	}
	fmt.Fprintf(stdout, "  GraphQL         %s/query\n", base)
	boardToken, advisorToken := "<board token>", "<advisor token>"
	for _, t := range tokens {
		if t.Role == "BOARD" && boardToken == "<board token>" {
			boardToken = t.Token
		}
		if t.Role == "ADVISOR" && advisorToken == "<advisor token>" {
			advisorToken = t.Token
		}
	}
	fmt.Fprintf(stdout, "  Wall board      %s/board?token=%s\n", base, boardToken)
	fmt.Fprintf(stdout, "  Advisor screen  %s/advisor?token=%s\n", base, advisorToken)
	// The shop-floor screens and the cashier, each with the first demo token of its role.
	for _, f := range []struct{ label, path, role string }{
		{"Tablet", "/tablet", "TECHNICIAN"}, {"Dispatch", "/dispatch", "FOREMAN"}, {"Final QC", "/qc", "QC_INSPECTOR"}, {"Parts counter", "/parts", "PARTS_CLERK"},
		{"Cashier", "/cashier", "CASHIER"},
	} {
		tok := "<" + strings.ToLower(f.role) + " token>"
		for _, t := range tokens {
			if t.Role == f.role {
				tok = t.Token
				break
			}
		}
		fmt.Fprintf(stdout, "  %-15s %s%s?token=%s\n", f.label, base, f.path, tok)
	}
	fmt.Fprintf(stdout, "  Health          %s/healthz  %s/readyz\n", base, base)
	if metricsURL != "" {
		fmt.Fprintf(stdout, "  Metrics         %s\n", metricsURL)
	}
	if len(tokens) > 0 {
		fmt.Fprintf(stdout, "\nDemo bearer tokens (Authorization: Bearer <token>):\n")
		for _, t := range tokens {
			fmt.Fprintf(stdout, "  %-16s %-10s %s\n", t.Role, t.Name, t.Token)
		}
	}
	fmt.Fprintln(stdout)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Shutdown leaves hijacked connections alone: close the websockets with
	// 1001 alongside, so boards reconnect to a healthy instance.
	wsDone := make(chan error, 1)
	go func() { wsDone <- websockets.Shutdown(sctx) }()
	return errors.Join(srv.Shutdown(sctx), <-wsDone)
}

// httpServer serves h with the configured timeouts. ReadTimeout bounds a
// whole request, body included: a client trickling its body cannot hold a
// connection (and a handler) for ever. It does not cut websockets or event
// streams: net/http clears the read deadline of a hijacked connection and
// once a request's body is read.
func httpServer(ctx context.Context, cfg *config, h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: cfg.ReadHeaderTimeout, ReadTimeout: cfg.ReadTimeout,
		IdleTimeout: cfg.IdleTimeout,
		// Requests outlive the signal: Shutdown drains them, and the websocket
		// registry closes sockets with 1001.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
}

// metricsHandler serves reg's metrics; with a token, only to a request
// carrying it as a bearer token (compared in constant time), others get 401.
func metricsHandler(reg *prometheus.Registry, token string) http.Handler {
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="bayboard metrics"`)
			http.Error(w, "Send the metrics token: Authorization: Bearer <token>.", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// registerMetrics exposes the hub's, the watcher's and the database pool's figures.
func registerMetrics(reg prometheus.Registerer, db *store.DB, hub *board.Hub, watcher *watch.Watcher) {
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	s := &hub.Stats
	gauge("bayboard_subscriptions_active", "Live feed subscriptions on this instance.", func() float64 { return float64(s.Subscribers.Load()) })
	counter("bayboard_events_read_total", "Events read from the log by this instance.", func() float64 { return float64(s.EventsRead.Load()) })
	counter("bayboard_event_log_reads_total", "Reads of the event log by this instance.", func() float64 { return float64(s.Reads.Load()) })
	counter("bayboard_events_delivered_total", "Updates queued to subscribers.", func() float64 { return float64(s.Delivered.Load()) })
	counter("bayboard_feed_updates_rendered_total", "Feed updates rendered for a subscriber (once per update and subscription shape).", func() float64 { return float64(s.Rendered.Load()) })
	counter("bayboard_feed_updates_shared_total", "Feed updates sent from a rendering shared with other subscribers of the same shape.", func() float64 { return float64(s.Shared.Load()) })
	counter("bayboard_replay_checks_total", "Resume checks read from the log (resumers of one cursor share one).", func() float64 { return float64(s.ReplayChecks.Load()) })
	counter("bayboard_own_sequencing_wakeups_skipped_total", "This instance's own sequencing NOTIFYs, skipped (its pass reads the log already).", func() float64 { return float64(s.OwnWakeups.Load()) })
	counter("bayboard_subscribers_dropped_total", "Subscribers closed for being too slow.", func() float64 { return float64(s.Dropped.Load()) })
	counter("bayboard_listener_reconnects_total", "Reconnects of the LISTEN connection.", func() float64 { return float64(s.ListenerReconnects.Load()) })
	ws := &watcher.Stats
	counter("bayboard_time_rule_passes_total", "Passes of the time-based rules (late cars, callbacks, complaints) by this instance.", func() float64 { return float64(ws.Passes.Load()) })
	counter("bayboard_time_rule_failures_total", "Passes of the time-based rules that failed (see the log).", func() float64 { return float64(ws.Failures.Load()) })
	counter("bayboard_orders_marked_late_total", "ORDER_LATE events written by this instance.", func() float64 { return float64(ws.Late.Load()) })
	counter("bayboard_sql_statements_total", "SQL statements sent.", func() float64 { return float64(db.Statements()) })
	gauge("bayboard_db_pool_open_connections", "Open database connections.", func() float64 { return float64(db.PoolStats().OpenConnections) })
	gauge("bayboard_db_pool_in_use", "Database connections in use.", func() float64 { return float64(db.PoolStats().InUse) })
	counter("bayboard_db_pool_wait_total", "Waits for a database connection.", func() float64 { return float64(db.PoolStats().WaitCount) })
}

// registerOutboxMetrics exposes the outbox worker's figures.
func registerOutboxMetrics(reg prometheus.Registerer, w *webhook.Worker) {
	counter := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f))
	}
	s := &w.Stats
	counter("bayboard_outbox_messages_total", "Messages to customers handed to the log sender by this instance.", func() float64 { return float64(s.Messages.Load()) })
	counter("bayboard_webhook_attempts_total", "Webhook POSTs made by this instance.", func() float64 { return float64(s.Attempts.Load()) })
	counter("bayboard_webhook_delivered_total", "Webhook deliveries acknowledged with a 2xx.", func() float64 { return float64(s.Delivered.Load()) })
	counter("bayboard_webhook_failed_total", "Webhook POSTs that failed (another status, no answer, timeout); each is retried.", func() float64 { return float64(s.Failed.Load()) })
	counter("bayboard_outbox_pass_errors_total", "Outbox passes that hit a database error (see the log).", func() float64 { return float64(s.PassErrors.Load()) })
}

// openUploads opens the photos' blob storage (a local folder by default) and
// sets the key that signs their URLs.
func openUploads(ctx context.Context, cfg *config, db *store.DB, log *slog.Logger) (*api.Uploads, error) {
	u := cfg.BlobURL
	if u == "" {
		dir, err := filepath.Abs(".bayboard-blobs")
		if err != nil {
			return nil, err
		}
		u = "file://" + filepath.ToSlash(dir) + "?create_dir=1&metadata=skip"
	}
	b, err := api.OpenBucket(ctx, u)
	if err != nil {
		return nil, err
	}
	if cfg.SigningKey != "" {
		db.AttachmentKey = []byte(cfg.SigningKey)
	} else {
		db.AttachmentKey = make([]byte, 32)
		_, _ = rand.Read(db.AttachmentKey)
		if cfg.Env == "production" {
			log.Warn("no --signing-key: photo URLs signed by this instance fail on others; set the same key on every instance")
		}
	}
	return &api.Uploads{DB: db, Bucket: b, Log: log}, nil
}
