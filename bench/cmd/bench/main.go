// Command bench runs Bayboard's benchmarks (make bench, make bench-quick):
// queries side by side with PostGraphile, job-progress mutations next to
// pgbench, websocket fan-out of one instance and of two instances on one
// database, and a resume storm. It starts and stops the servers under test
// itself, prints a table per measurement under a table of issue 18's goals
// (goals.go) and replaces its section (full or quick) of BENCHMARKS.md.
//
// scripts/bench.sh prepares what it needs (server binary, PostGraphile,
// generated database, fixture) and is the way to run it.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/lib/pq"
)

type options struct {
	mode          string
	only          string
	server        string
	dbURL         string
	fixture       string
	pgbench       string
	postgraphile  string // PostGraphile 4's install
	node          string // the Node.js that runs it ("" for its own, node_modules/.bin/node)
	postgraphile5 string // PostGraphile 5's install (package.json, graphile.config.mjs, server.mjs)
	node5         string // the Node.js that runs it ("" for its own, node_modules/.bin/node)
	peers         []string
	peerWorkers   int // Node processes per PostGraphile (cluster mode when 2 or more)
	out           string
	logDir        string
	versions      string
	command       string
	warm, dur     time.Duration
	conc          []int
	fanN          []int
	events        int
	stormAll      bool
}

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "quick", "quick or full")
	flag.StringVar(&o.only, "only", "queries,mutations,fanout", "sections to run")
	flag.StringVar(&o.server, "server", "bin/bayboard", "the server binary")
	flag.StringVar(&o.dbURL, "database-url", "", "the generated database")
	flag.StringVar(&o.fixture, "fixture", "", "datagen's JSON")
	flag.StringVar(&o.pgbench, "pgbench", "pgbench", "pgbench")
	flag.StringVar(&o.postgraphile, "postgraphile", "bench/postgraphile", "folder of the PostGraphile install")
	flag.StringVar(&o.node, "node", "", "the Node.js of PostGraphile 4 (default: the one its folder installs, node_modules/.bin/node)")
	flag.StringVar(&o.postgraphile5, "postgraphile5", "bench/postgraphile5", "folder of the PostGraphile 5 install")
	flag.StringVar(&o.node5, "node5", "", "the Node.js of PostGraphile 5 (default: the one its folder installs, node_modules/.bin/node)")
	peers := flag.String("peers", "v4,v5", "the PostGraphiles the queries are compared with, comma-separated (v4, v5)")
	flag.IntVar(&o.peerWorkers, "peer-workers", runtime.NumCPU(), "Node processes per PostGraphile (cluster mode from 2)")
	conc := flag.String("conc", "", "concurrencies of the query and mutation cells, comma-separated (default 1,8,64)")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "file whose section to replace; empty for none")
	flag.StringVar(&o.logDir, "log-dir", ".bench", "server logs")
	flag.StringVar(&o.versions, "versions", "", "versions line (from bench.sh)")
	flag.StringVar(&o.command, "command", "make bench", "command that reproduces the run")
	fanN := flag.String("fan-n", "", "subscriber counts of the fan-out section, comma-separated (default by mode)")
	flag.Parse()
	if o.mode == "full" {
		o.warm, o.dur, o.conc, o.fanN, o.events, o.stormAll = 2*time.Second, 10*time.Second, []int{1, 8, 64}, []int{1000, 5000, 10000}, 100, true
		pacedEvents = 20
	} else {
		o.warm, o.dur, o.conc, o.fanN, o.events, o.stormAll = 500*time.Millisecond, 2*time.Second, []int{1, 8, 64}, []int{100, 1000}, 50, false
	}
	for _, p := range strings.Split(*peers, ",") {
		switch p = strings.TrimSpace(p); p {
		case "v4", "v5":
			o.peers = append(o.peers, p)
		case "":
		default:
			fmt.Fprintf(os.Stderr, "bench: --peers: %q is neither v4 nor v5\n", p)
			os.Exit(2)
		}
	}
	if len(o.peers) == 0 || o.peerWorkers < 1 {
		fmt.Fprintln(os.Stderr, "bench: --peers needs v4, v5 or both, and --peer-workers at least 1")
		os.Exit(2)
	}
	if *conc != "" {
		o.conc = nil
		for _, f := range strings.Split(*conc, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "bench: --conc: %q is not a positive count\n", f)
				os.Exit(2)
			}
			o.conc = append(o.conc, n)
		}
	}
	if *fanN != "" {
		o.fanN = nil
		for _, f := range strings.Split(*fanN, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "bench: --fan-n: %q is not a positive count\n", f)
				os.Exit(2)
			}
			o.fanN = append(o.fanN, n)
		}
	}
	limit := 40 * time.Minute
	if o.mode != "full" {
		limit = 5 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	sig, stopSig := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopSig()
	defer cancel()
	err := run(sig, o)
	stopAll()
	if isTTY {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

var (
	lastSay time.Time
	isTTY   = func() bool { fi, err := os.Stderr.Stat(); return err == nil && fi.Mode()&os.ModeCharDevice != 0 }()
)

// say shows a progress line, overwritten by the next on a terminal (a line
// every 2 s otherwise); a line starting "phase: " is always shown.
func say(s string) {
	every := 200 * time.Millisecond
	if !isTTY {
		every = 2 * time.Second
	}
	if time.Since(lastSay) < every && !strings.HasPrefix(s, "phase: ") {
		return
	}
	lastSay = time.Now()
	if len(s) > 110 {
		s = s[:110]
	}
	if isTTY {
		fmt.Fprintf(os.Stderr, "\r\033[K%s %s", time.Now().Format("15:04:05"), s)
	} else {
		fmt.Fprintf(os.Stderr, "%s %s\n", time.Now().Format("15:04:05"), s)
	}
}

type fixture struct {
	Token         string   `json:"token"`
	WorkToken     string   `json:"workToken"` // the technician's whose jobs the mutations work
	Customers     int      `json:"customers"`
	Vehicles      int      `json:"vehicles"`
	Visits        int      `json:"visits"`
	Orders        int      `json:"orders"`
	Jobs          int      `json:"jobs"`
	PartLines     int      `json:"partLines"`
	BoardSite     int64    `json:"boardSite"`
	BoardSiteID   string   `json:"boardSiteId"`
	HistoryCust   int64    `json:"historyCustomer"`
	HistoryCustID string   `json:"historyCustomerId"`
	NodeOrderID   string   `json:"nodeOrderId"`
	NodeOrderPGID string   `json:"nodeOrderPgId"`
	FeedJobIDs    []string `json:"feedJobIds"`
	MutateJobIDs  []string `json:"mutateJobIds"`
	MutateJobRows []int64  `json:"mutateJobRows"`
	Seed          int      `json:"seed"`
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ours starts a Bayboard instance on port.
func ours(o options, name string, port int) (*proc, string, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	// One bearer token drives the whole load: the per-user rate limit and the
	// websocket caps are off (through their environment variables, which
	// older builds ignore).
	env := []string{"BAYBOARD_RATE_LIMIT=0", "BAYBOARD_WEBSOCKET_MAX=0", "BAYBOARD_WEBSOCKET_MAX_PER_USER=0",
		"BAYBOARD_WEBSOCKET_PENDING_PER_ADDRESS=0", "BAYBOARD_WEBSOCKET_PENDING_MAX=0"}
	// A server built with -tags pprof serves the profiler; BENCH_PPROF=1
	// gives each instance its own port, named in the log.
	if os.Getenv("BENCH_PPROF") != "" {
		pp := freePort()
		env = append(env, fmt.Sprintf("BAYBOARD_PPROF_ADDR=127.0.0.1:%d", pp))
		fmt.Fprintf(os.Stderr, "\n%s: pprof on 127.0.0.1:%d\n", name, pp)
	}
	p, err := start(name, filepath.Join(o.logDir, name+".log"), env, o.server, "serve",
		"--addr", fmt.Sprintf("127.0.0.1:%d", port), "--database-url", o.dbURL, "--env", "production", "--log-level", "warn",
		"--metrics-token", metricsToken)
	if err != nil {
		return nil, "", err
	}
	err = waitHTTP(context.Background(), p, 60*time.Second, func() error { return httpOK(base + "/readyz") })
	return p, base, err
}

func run(ctx context.Context, o options) error {
	b, err := os.ReadFile(o.fixture)
	if err != nil {
		return err
	}
	var fx fixture
	if err := json.Unmarshal(b, &fx); err != nil {
		return err
	}
	if err := os.MkdirAll(o.logDir, 0o755); err != nil {
		return err
	}
	admin, err := sql.Open("postgres", o.dbURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	admin.SetMaxOpenConns(2)
	rep := &report{opts: o, fx: fx, started: time.Now(), loadStart: loadavg()}
	_ = admin.QueryRow(`SHOW server_version`).Scan(&rep.pgVersion)
	_ = admin.QueryRow(`SELECT pg_size_pretty(pg_database_size(current_database()))`).Scan(&rep.dbSize)
	sections := map[string]bool{}
	for _, s := range strings.Split(o.only, ",") {
		sections[strings.TrimSpace(s)] = true
	}
	db := &dbCPU{db: admin}
	if sections["queries"] {
		if err := runQueries(ctx, o, fx, db, rep); err != nil {
			return fmt.Errorf("queries: %w", err)
		}
	}
	if sections["mutations"] {
		if err := runMutations(ctx, o, fx, db, rep); err != nil {
			return fmt.Errorf("mutations: %w", err)
		}
	}
	if sections["fanout"] {
		if err := runFanout(ctx, o, fx, admin, rep); err != nil {
			return fmt.Errorf("fan-out: %w", err)
		}
	}
	rep.finished = time.Now()
	if isTTY {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
	text := rep.markdown()
	fmt.Println(text)
	if o.out != "" {
		if err := writeSection(o.out, o.mode, text); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "written to %s (section %q)\n", o.out, o.mode)
	}
	return nil
}

func runFanout(ctx context.Context, o options, fx fixture, admin *sql.DB, rep *report) error {
	wport, sport := freePort(), freePort()
	writer, wbase, err := ours(o, "bayboard-writer", wport)
	if err != nil {
		return err
	}
	defer writer.Stop(10 * time.Second)
	restart := func() (*proc, error) {
		p, _, err := ours(o, "bayboard-subscribers", sport)
		return p, err
	}
	sub, err := restart()
	if err != nil {
		return err
	}
	defer func() { sub.Stop(15 * time.Second) }()
	sbase := fmt.Sprintf("http://127.0.0.1:%d", sport)
	com := committer{t: target{url: wbase + "/query", token: fx.WorkToken}, jobs: fx.FeedJobIDs}
	// Warm both instances and the hub's path once.
	if _, _, err := com.burst(5, 1); err != nil {
		return err
	}
	for i, n := range o.fanN {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if i > 0 {
			// Each size on a fresh process: the last one's memory (and,
			// after a storm, its resumed fleet's) would blur the idle RSS.
			sub.Stop(15 * time.Second)
			if sub, err = restart(); err != nil {
				return err
			}
		}
		storm := o.stormAll || i == len(o.fanN)-1
		r := fanout(ctx, n, o.events, &sub, sbase, restart, com, fx.Token, fx.BoardSiteID, storm, admin, say)
		rep.fanout = append(rep.fanout, r)
		// Let closed sockets and their goroutines go before the next size.
		time.Sleep(2 * time.Second)
	}
	// Two instances, half of the largest N on each: nothing else on the
	// database, so that each one's statements are its own and its peer's.
	sub.Stop(15 * time.Second)
	writer.Stop(10 * time.Second)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rep.two = twoInstances(ctx, o, fx, max(1, slices.Max(o.fanN)/2), say)
	return nil
}
