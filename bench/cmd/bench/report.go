package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

type report struct {
	opts              options
	fx                fixture
	started, finished time.Time
	pgVersion, dbSize string
	loadStart         string // /proc/loadavg when the run began: other work on the machine skews everything
	queryRecords      []string
	peers             []peerInfo // the PostGraphiles of the query section, in queryRow.Peers order
	queries           []queryRow
	mutations         []mutationRow
	fanout            []fanoutResult
	two               *twoResult // the fan-out step on two instances
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func perK(cpu float64, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", cpu/float64(n)*1000)
}

// cellMs is a cell's CPU per request in milliseconds: the server's, its
// database backends' and the load generator's.
func cellMs(r loadResult) float64 {
	if r.Requests == 0 {
		return 0
	}
	return (r.CPU + r.DBCPU + r.GenCPU) / float64(r.Requests) * 1000
}

// cellParts spells cellMs's three parts.
func cellParts(r loadResult) string {
	return perK(r.CPU, r.Requests) + " + " + perK(r.DBCPU, r.Requests) + " + " + perK(r.GenCPU, r.Requests)
}

func machine() string {
	model, mem := "", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok && model == "" {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				var kb int64
				fmt.Sscan(strings.TrimSpace(v), &kb)
				mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
		f.Close()
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%d cores (%s), %s memory, %s/%s, host %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, host)
}

func (r *report) markdown() string {
	var b strings.Builder
	o := r.opts
	w := func(f string, a ...any) { fmt.Fprintf(&b, f, a...) }
	w("## %s run, %s\n\n", map[bool]string{true: "Full", false: "Quick"}[o.mode == "full"], r.started.Format("2006-01-02 15:04 MST"))
	w("- Machine: %s. Everything on this one machine, over loopback: PostgreSQL, the servers and the load generator share the cores.\n", machine())
	w("- Versions: %s; PostgreSQL %s; bench binary built with %s.\n", o.versions, r.pgVersion, runtime.Version())
	w("- Data (seed %d): %d customers, %d vehicles, %d visits, %d repair orders, %d jobs, %d part lines; database %s.\n",
		r.fx.Seed, r.fx.Customers, r.fx.Vehicles, r.fx.Visits, r.fx.Orders, r.fx.Jobs, r.fx.PartLines, r.dbSize)
	w("- Load average at the start: %s, at the end: %s (anything above ~0.5 means other work shared the machine and the figures are pessimistic).\n", r.loadStart, loadavg())
	w("- Reproduce: `%s`. Took %s.\n\n", o.command, r.finished.Sub(r.started).Round(time.Second))
	r.goalsTable(w)

	if len(r.queries) > 0 {
		w("### 1. Queries: Bayboard vs PostGraphile %s\n\n", r.peerNames(" and ", false))
		w("Closed loop: each worker sends the next request when the last one is answered; %s per cell after %s of warm-up; ", o.dur, o.warm)
		w("in each cell the servers run one after the other on the same data (ours, %s, then the floor), each alone under load. ", r.peerNames(", ", true))
		w("CPU is the server's utime+stime (/proc; a server in cluster mode with its worker processes) per 1,000 requests; DB CPU is that of the PostgreSQL backends of the benchmark database.\n\n")
		for _, p := range r.peers {
			w("- %s runs as a user would run it in production: %s.\n", p.Name, p.How)
		}
		if len(r.peers) > 1 {
			w("- Both PostGraphiles take the same query text and must give the same answer (checked before measuring: the same records and values; a node id's key as a number or a string and a timestamp's zero fraction are read, not compared as text). PostGraphile 5 has the plugins for it: its Amber preset with the V4 preset's names (nodeId, allRepairOrders, …BySiteIdAnd…, ordering by any column; default mutations off) and connection-filter 4, its version for V5, for the board's state filter (bench/postgraphile5/graphile.config.mjs).\n")
		}
		w("- The goal is held against the faster PostGraphile of each cell (\"best peer\").\n\n")
		for _, s := range r.queryRecords {
			w("- %s\n", s)
		}
		w("\n| query | conc. | ours req/s |")
		for _, p := range r.peers {
			w(" %s req/s |", p.Short)
		}
		w(" ours / best peer | ours p50 ms |")
		for _, p := range r.peers {
			w(" %s p50 ms |", p.Short)
		}
		w(" ours p99 ms |")
		for _, p := range r.peers {
			w(" %s p99 ms |", p.Short)
		}
		w("\n|---|--:|--:|%s--:|--:|%s--:|%s\n", strings.Repeat("--:|", len(r.peers)), strings.Repeat("--:|", len(r.peers)), strings.Repeat("--:|", len(r.peers)))
		for _, q := range r.queries {
			b := q.Peers[q.best()]
			w("| %s | %d | %.0f |", q.Query, q.Conc, q.Ours.RPS)
			for _, p := range q.Peers {
				w(" %.0f |", p.RPS)
			}
			w(" %s (%s) | %s |", ratio(q.Ours.RPS, b.RPS), r.peers[q.best()].Short, ms(q.Ours.P50))
			for _, p := range q.Peers {
				w(" %s |", ms(p.P50))
			}
			w(" %s |", ms(q.Ours.P99))
			for _, p := range q.Peers {
				w(" %s |", ms(p.P99))
			}
			w("\n")
		}
		w("\nCPU per 1,000 requests (seconds): the server's, and its PostgreSQL backends'.\n\n| query | conc. | ours CPU |")
		for _, p := range r.peers {
			w(" %s CPU |", p.Short)
		}
		w(" ours DB CPU |")
		for _, p := range r.peers {
			w(" %s DB CPU |", p.Short)
		}
		w("\n|---|--:|--:|%s--:|%s\n", strings.Repeat("--:|", len(r.peers)), strings.Repeat("--:|", len(r.peers)))
		for _, q := range r.queries {
			w("| %s | %d | %s |", q.Query, q.Conc, perK(q.Ours.CPU, q.Ours.Requests))
			for _, p := range q.Peers {
				w(" %s |", perK(p.CPU, p.Requests))
			}
			w(" %s |", perK(q.Ours.DBCPU, q.Ours.Requests))
			for _, p := range q.Peers {
				w(" %s |", perK(p.DBCPU, p.Requests))
			}
			w("\n")
		}
		var floors []queryRow
		for _, q := range r.queries {
			if q.Floor != nil {
				floors = append(floors, q)
			}
		}
		if len(floors) > 0 {
			w("\nFloor: the same answer from a plain net/http handler in its own process (bench/cmd/bench/floor.go): decode the id, one prepared statement through lib/pq, write the answer; no GraphQL, no authentication, no masking, no middleware. ")
			w("node(id): the order's columns, encoding/json; customer history: PostgreSQL builds the whole JSON in one statement, as PostGraphile does. ")
			w("Nothing serves the query for less on this machine, so 3× the best peer is out of reach where the floor itself is below it.\n\n")
			w("| query | conc. | floor req/s | floor / best peer | 3× best peer req/s | floor p50 ms | floor p99 ms | floor CPU s/1k | floor DB CPU s/1k | ours / floor |\n")
			w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, q := range floors {
				f, b := q.Floor, q.Peers[q.best()]
				w("| %s | %d | %.0f | %s | %.0f (%s) | %s | %s | %s | %s | %s |\n", q.Query, q.Conc, f.RPS, ratio(f.RPS, b.RPS), 3*b.RPS, r.peers[q.best()].Short,
					ms(f.P50), ms(f.P99), perK(f.CPU, f.Requests), perK(f.DBCPU, f.Requests), ratio(q.Ours.RPS, f.RPS))
			}
		}
		cores := float64(runtime.NumCPU())
		w("\nCPU budget at concurrency 64. Every process of a cell shares the machine's %d cores, so a closed loop that saturates them serves at most cores ÷ (CPU per request) requests per second, ", runtime.NumCPU())
		w("where CPU per request is the whole cell's: the server's, its PostgreSQL backends' and the load generator's (this process, which sends and reads every request). ")
		w("Each PostGraphile runs one Node process per worker (JavaScript on one thread each), so it can use as many cores as it has workers; ours and the floor use every core. ")
		w("Budget is what 3× the best peer's requests/s leaves per request on this machine; \"cut needed\" is how many times less CPU per request ours would have to use.\n\n")
		w("| query | best peer | its req/s | its server cores busy | 3× its req/s | budget ms per request | ours ms per request (server + DB + load gen.) | ours ceiling req/s | cut needed | floor ms per request (server + DB + load gen.) | floor ceiling req/s |\n")
		w("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, q := range r.queries {
			if q.Conc != 64 {
				continue
			}
			b := q.Peers[q.best()]
			budget := cores * 1000 / (3 * b.RPS)
			ours := cellMs(q.Ours)
			fl, flCeil := "–", "–"
			if q.Floor != nil {
				fl = fmt.Sprintf("%.2f (%s)", cellMs(*q.Floor), cellParts(*q.Floor))
				flCeil = fmt.Sprintf("%.0f", cores*1000/cellMs(*q.Floor))
			}
			cut := "none"
			if ours > budget {
				cut = ratio(ours, budget)
			}
			w("| %s | %s | %.0f | %.2f | %.0f | %.2f | %.2f (%s) | %.0f | %s | %s | %s |\n", q.Query, r.peers[q.best()].Name, b.RPS, b.CPU/b.Seconds, 3*b.RPS,
				budget, ours, cellParts(q.Ours), cores*1000/ours, cut, fl, flCeil)
		}
		w("\nTarget at concurrency 64: at least 3× the best peer's requests/s at equal or better p99 than that peer's.\n\n")
		for _, q := range r.queries {
			if q.Conc != 64 {
				continue
			}
			b := q.Peers[q.best()]
			ok := q.Ours.RPS >= 3*b.RPS && q.Ours.P99 <= b.P99
			w("- %s: %s %s's requests/s, p99 %s vs %s ms: **%s**", q.Query, ratio(q.Ours.RPS, b.RPS), r.peers[q.best()].Name, ms(q.Ours.P99), ms(b.P99), map[bool]string{true: "met", false: "missed"}[ok])
			if !ok {
				w(" (3× is %.2f ms of CPU per request here; ours takes %.2f)", cores*1000/(3*b.RPS), cellMs(q.Ours))
			}
			w("\n")
		}
		w("\n")
	}
	if len(r.mutations) > 0 {
		w("### 2. Mutations: reportJobProgress vs two pgbench ceilings\n\n")
		w("Ours: `reportJobProgress` over HTTP, each on its own job in progress (its own order), %d jobs; each commits the job, its order and an event row. ", len(r.fx.MutateJobIDs))
		w("pgbench single row: `UPDATE jobs SET progress = :p, updated_at = now() WHERE id = :id` (random job of the same set), prepared, same concurrency, %s. ", o.dur)
		w("pgbench our transaction: the SQL transaction the server runs for one `reportJobProgress`, statement for statement (`BEGIN`; lock the order and the job; save the job, append the event with its `pg_notify` and read the order's other jobs; `COMMIT`), prepared, client c of n on jobs c, c+n, c+2n… like our workers (script: .bench/pgbench-our-tx-N.sql). ")
		w("It leaves out what the server does outside that transaction: HTTP and GraphQL, the token, the payload's read of the order, and the realtime hub's sequencing of the event (which the running instance also does for pgbench's events, since they wake it too). ")
		w("So ours/our tx is the cost of the HTTP and GraphQL layer around the transaction, and our tx/single row the cost of the transaction's own SQL work. ")
		w("The private PostgreSQL runs with fsync and synchronous_commit off (scripts/pg.sh), so all are CPU-bound, not disk-bound.\n\n")
		w("| conc. | ours mut/s | ours p50 ms | ours p99 ms | ours CPU s/1k | SQL statements per mutation | pgbench tx/s | pgbench avg ms | ours/pgbench | pgbench our tx tx/s | our tx avg ms | ours/our tx | our tx/pgbench |\n")
		w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, m := range r.mutations {
			w("| %d | %.0f | %s | %s | %s | %.1f | %.0f | %.2f | %s | %.0f | %.2f | %s | %s |\n", m.Conc, m.Ours.RPS, ms(m.Ours.P50), ms(m.Ours.P99),
				perK(m.Ours.CPU, m.Ours.Requests), m.StmtsPerMut, m.PgbenchTPS, m.PgbenchLatMs, ratio(m.Ours.RPS, m.PgbenchTPS),
				m.OurTxTPS, m.OurTxLatMs, ratio(m.Ours.RPS, m.OurTxTPS), ratio(m.OurTxTPS, m.PgbenchTPS))
		}
		w("\nTarget (issue 18): ours at least 0.80× pgbench running our own transaction at concurrency 8 and 64 (ours/our tx; judged in the Goals table).\n\n")
	}
	if len(r.fanout) > 0 {
		w("### 3. Fan-out: one instance's boardFeed to N websocket subscribers, then two instances\n\n")
		w("A writer instance takes the mutations and the measured instance, on the same database, serves only the subscribers (graphql-transport-ws, coder/websocket clients in the bench process, source addresses spread over 127.0.0.1–50); each N on a fresh measured instance. ")
		w("A burst of %d `reportJobProgress` mutations (4 in parallel, on the board site's jobs in progress); latency is from the mutation's response at its client (commit acknowledged) to the update's arrival at each subscriber, one process clock. ", o.events)
		w("RSS per subscriber: VmRSS after connecting and idling 2 s minus before, over N. CPU: the measured instance during the burst, and the subscribers' (the bench process, which reads every message) beside it. Statements per event: its bayboard_sql_statements_total delta over the events.\n\n")
		w("| N | events | delivered / expected | p50 ms | p99 ms | max ms | RSS before MiB | RSS after MiB | KiB per subscriber | server CPU s | subscribers' CPU s | SQL statements per event | dropped | connect s | mutation p50 ms |\n")
		w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
		for _, f := range r.fanout {
			w("| %d | %d | %d / %d | %s | %s | %s | %.0f | %.0f | %.1f | %.2f | %.2f | %.2f | %.0f | %.1f | %s |\n", f.N, f.Events, f.Delivered, f.Want,
				ms(f.P50), ms(f.P99), ms(f.Max), float64(f.RSSBeforeKiB)/1024, float64(f.RSSAfterKiB)/1024, f.RSSPerConnKiB, f.CPU, f.ClientCPU, f.Statements, f.Dropped, f.ConnectSecs, ms(f.MutationRTT))
		}
		for _, f := range r.fanout {
			if f.Err != "" {
				w("\n- N=%d: error: %s\n", f.N, f.Err)
			}
			if f.Early > 0 {
				w("\n- N=%d: %d deliveries arrived before their mutation's response (counted as 0 ms).\n", f.N, f.Early)
			}
		}
		var paced []fanoutResult
		for _, f := range r.fanout {
			if f.Paced != nil {
				paced = append(paced, f)
			}
		}
		if len(paced) > 0 {
			w("\nThen a steady stream on the same subscribers: one `reportJobProgress` every %s, one at a time (a busy workshop commits a few per minute per site); latency measured the same way. ", pacedInterval)
			w("Statements per event: the instance's bayboard_sql_statements_total is read before each event and when the next is due; the median of those windows less the median of as many windows of %s with no event just before (a quiet window: the instance's timers, that is the hub's catch-up tick, the time rules and the outbox, and its sockets' token re-checks), ± its standard error from the median absolute deviation. Medians, because an event's count varies with whether the hub's wake-ups coalesce, and a timer's pass or a wave of token re-checks (every socket's at once) lands in some windows only.\n\n", pacedInterval)
			w("| N | events | events/s | delivered / expected | p50 ms | p99 ms | max ms | server CPU s | server CPU ms per event | SQL statements per event | statements in a quiet window |\n")
			w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, f := range paced {
				pr := f.Paced
				w("| %d | %d | %.1f | %d / %d | %s | %s | %s | %.2f | %.1f | %s | %s |\n", f.N, pr.Events, pr.Rate, pr.Delivered, pr.Want, ms(pr.P50), ms(pr.P99), ms(pr.Max),
					pr.CPU, 1000*pr.CPU/float64(max(1, pr.Events)), pr.Statements, pr.Quiet)
			}
			for _, f := range paced {
				if f.Paced.Err != "" {
					w("\n- N=%d: stream error: %s\n", f.N, f.Paced.Err)
				}
			}
		}
		w("\nMemory of the idle subscribers by the measured instance's own accounting (its /metrics, deltas from before connecting to after idling, over N): goroutines (go_goroutines), goroutine stacks (go_memstats_stack_inuse_bytes) and heap in use (go_memstats_heap_inuse_bytes, garbage of the handshakes included until the next collection).\n\n")
		w("| N | RSS KiB per subscriber | goroutines per subscriber | stack KiB per subscriber | heap KiB per subscriber |\n|--:|--:|--:|--:|--:|\n")
		for _, f := range r.fanout {
			w("| %d | %.1f | %.2f | %.1f | %.1f |\n", f.N, f.RSSPerConnKiB, f.GoroutinesPerConn, f.StackPerConnKiB, f.HeapPerConnKiB)
		}
		w("\nTargets: p99 under 250 ms at 10,000 subscribers, under 40 KiB per idle subscriber, delivered = sent × N.\n\n")
		r.twoTable(w)
		var storms []*resumeResult
		for _, f := range r.fanout {
			if f.Resume != nil {
				storms = append(storms, f.Resume)
			}
		}
		if len(storms) > 0 {
			w("### 4. Resume storm\n\n")
			w("With N subscribers connected, the measured instance is stopped (SIGTERM: sockets closed with 1001), %d events are committed through the writer meanwhile, and a new process is started on the same port. ", o.events)
			w("Clients reconnect with jittered back-off (100 ms doubling to 2 s) and subscribe again with their last cursor. Times are from the new process's start (first resubscribed: the first subscription sent again after its connection_ack; first caught up: the first subscriber to have received every missed event); statements are all of the new process's until everyone caught up; commits are pg_stat_database.xact_commit of the benchmark database over the whole window (the writer's %d mutations included).\n\n", o.events)
			w("| N | missed events | first resubscribed s | first caught up s | all resubscribed s | all caught up s | delivered / expected | resets | new process SQL statements | xact commits | new process CPU s |\n")
			w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
			for _, s := range storms {
				w("| %d | %d | %.2f | %.2f | %.2f | %.2f | %d / %d | %d | %.0f | %d | %.2f |\n", s.N, s.Missed, s.FirstResubSecs, s.FirstCaughtSecs, s.ResumedSecs, s.CaughtUpSecs,
					s.Delivered, s.Want, s.Resets, s.Statements, s.XactCommits, s.ServerCPU)
			}
			for _, s := range storms {
				if s.Err != "" {
					w("\n- N=%d: error: %s\n", s.N, s.Err)
				}
			}
			w("\n")
		}
	}
	return b.String()
}

// goalsTable writes the run's Goals table (issue 18), one row per goal.
func (r *report) goalsTable(w func(string, ...any)) {
	rows := goals(goalInput{Mode: r.opts.mode, Cores: runtime.NumCPU(), Fanout: r.fanout, Two: r.two,
		Mutations: r.mutations, Queries: r.queries, Peers: r.peers})
	w("### Goals (issue 18)\n\n")
	w("Each goal as this run measured it, on this machine (see the load average above). \"not measured\" is no verdict: the run did not measure the figure the goal names (quick mode has no N = 10,000); what it measured instead is shown for reference.\n\n")
	w("| goal | verdict | measured | reason | detail |\n|---|---|---|---|---|\n")
	for _, g := range rows {
		v := g.Verdict
		if v != goalNotMeasured {
			v = "**" + v + "**"
		}
		w("| %s | %s | %s | %s | %s |\n", g.Goal, v, cell(g.Figure), cell(g.Reason), g.Where)
	}
	w("\n")
}

// cell is s for a table cell: "–" when empty, no pipes.
func cell(s string) string {
	if s == "" {
		return "–"
	}
	return strings.ReplaceAll(s, "|", "/")
}

// twoTable writes the two-instance step of the fan-out section.
func (r *report) twoTable(w func(string, ...any)) {
	t := r.two
	if t == nil {
		return
	}
	ref := goalInput{Fanout: r.fanout}.singleRef(t.PerInstance)
	w("Two instances on one PostgreSQL: instances A and B, nothing else on the database (the writer and the single instance stopped), %d subscribers on each, ", t.PerInstance)
	w("the mutations alternating between them (event k through A when k is odd, B when even): a burst of %d (4 in parallel), then a steady stream of %d, one every %s; latency measured as above over all %d subscribers. ", t.Events, pacedEvents, pacedInterval, 2*t.PerInstance)
	w("\"Other instance p99\" is over the deliveries of the instance that did not take the event's mutation (it came to it through PostgreSQL).\n\n")
	w("| subscribers | events | delivered / expected | p50 ms | p99 ms | max ms | other instance p99 ms | stream events | stream delivered / expected | stream p50 ms | stream p99 ms | stream max ms |\n")
	w("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	pe, pd, pw, p50, p99, pmax := 0, int64(0), int64(0), "–", "–", "–"
	if p := t.Paced; p != nil {
		pe, pd, pw, p50, p99, pmax = p.Events, p.Delivered, p.Want, ms(p.P50), ms(p.P99), ms(p.Max)
	}
	w("| 2 × %d | %d | %d / %d | %s | %s | %s | %s | %d | %d / %d | %s | %s | %s |\n", t.PerInstance, t.Events, t.Delivered, t.Want, ms(t.P50), ms(t.P99), ms(t.Max), ms(t.OtherP99),
		pe, pd, pw, p50, p99, pmax)
	if t.Err != "" {
		w("\n- error: %s\n", t.Err)
	}
	if t.Paced != nil && t.Paced.Err != "" {
		w("\n- stream error: %s\n", t.Paced.Err)
	}
	if t.Early > 0 {
		w("\n- %d deliveries arrived before their mutation's response (counted as 0 ms).\n", t.Early)
	}
	refN, refBurst, refPaced := "–", "–", "–"
	if ref != nil {
		refN, refBurst = fmt.Sprint(ref.N), fmt.Sprintf("%.2f", ref.Statements)
		if ref.Paced != nil {
			refPaced = ref.Paced.Statements.String()
		}
	}
	w("\nSQL statements per event, each instance's bayboard_sql_statements_total. Burst: its delta over the burst, over the events (the mutations it took and its timers' statements included, as in the single instance's figure beside it, whose instance took no mutation). ")
	w("Steady stream: read on both instances before each event and when the next is due, the median over the events less the instance's quiet window, ± its standard error (as in the single-instance stream), ")
	w("so each event's statements are counted apart: on the instance that took the mutation (the mutation's own and its feed's) and on the other (its feed's alone); \"took − other\" is the first minus the second: the mutation's own statements and whatever else the instance that took it does for the event (its NOTIFY wakes it first, so it usually sequences the event). ")
	w("The single instance (N = %s above, the writer taking every mutation; its stream counted the same way) does feed work only, so it is the reference of the feed figures: the goal is that they do not grow with the instances: not above it by more than 10%% of it (at least 0.1 statements) plus twice the standard error of the difference.\n\n", refN)
	w("| instance | mutations taken (burst) | burst statements per event | single instance, burst | stream: per event it took | stream: per event the other took (feed) | single instance, stream (feed) | took − other | statements in a quiet window | server CPU s (burst) |\n")
	w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	var sum float64
	for i, f := range t.Inst {
		sum += f.Statements
		w("| %c | %d | %.2f | %s | %s | %s | %s | %s | %s | %.2f |\n", 'A'+i, f.Mutations, f.Statements, refBurst, f.Own, f.Feed, refPaced, f.ownMutation(), f.Quiet, f.CPU)
	}
	w("| sum | %d | %.2f | %s | | | | | | %.2f |\n\n", t.Inst[0].Mutations+t.Inst[1].Mutations, sum, refBurst, t.Inst[0].CPU+t.Inst[1].CPU)
}

// peerNames joins the peers' names, or their versions only ("4 and 5").
func (r *report) peerNames(sep string, full bool) string {
	var n []string
	for _, p := range r.peers {
		if full {
			n = append(n, p.Name)
		} else {
			n = append(n, strings.TrimPrefix(p.Name, "PostGraphile "))
		}
	}
	return strings.Join(n, sep)
}

// writeSection replaces the section of mode in path, keeping the other.
func writeSection(path, mode, text string) error {
	begin, end := "<!-- bench:"+mode+" -->", "<!-- /bench:"+mode+" -->"
	old, _ := os.ReadFile(path)
	s := string(old)
	if s == "" {
		s = "# Benchmarks\n\nWritten by `make bench` (full) and `make bench-quick` (quick); each run replaces its own section. " +
			"Goals live here, never in timed tests (issue 7). See scripts/bench.sh and bench/.\n\n" +
			"<!-- bench:full -->\n<!-- /bench:full -->\n\n<!-- bench:quick -->\n<!-- /bench:quick -->\n"
	}
	block := begin + "\n" + text + end
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i >= 0 && j > i {
		s = s[:i] + block + s[j+len(end):]
	} else {
		s += "\n" + block + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
