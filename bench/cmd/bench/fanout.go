package main

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// committer commits job-progress events through a writer instance (or, with
// alt, through several in turn) and records when each was acknowledged (the
// commit time as its client sees it).
type committer struct {
	t    target
	alt  []target // when set, event k goes through alt[(k-1) % len(alt)] instead of t
	jobs []string
}

// through returns the instance event k is committed through.
func (c committer) through(k int) target {
	if len(c.alt) == 0 {
		return c.t
	}
	return c.alt[(k-1)%len(c.alt)]
}

const progressMutation = `mutation Progress($in: ReportJobProgressInput!) {
  reportJobProgress(input: $in) { job { id progress } userErrors { code message } }
}`

func progressBody(job string, p int) []byte {
	return fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"jobId":%q,"progress":%d}}}`, progressMutation, job, p)
}

// burst commits events with keys 1..n (the progress value), event k on job
// k mod len(jobs), with workers in parallel; it returns the ack time of each key.
func (c committer) burst(n, workers int) (map[int]time.Time, time.Duration, error) {
	cl := newClient(workers)
	defer cl.CloseIdleConnections()
	acks := make(map[int]time.Time, n)
	var mu sync.Mutex
	var next atomic.Int64
	var firstErr error
	var rtts []time.Duration
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				k := int(next.Add(1))
				if k > n {
					return
				}
				t0 := time.Now()
				_, err := post(cl, c.through(k), progressBody(c.jobs[k%len(c.jobs)], k))
				at := time.Now()
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					acks[k] = at
					rtts = append(rtts, at.Sub(t0))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return acks, pct(rtts, 0.5), firstErr
}

// paced commits n events one at a time, one every interval (a steady
// stream, as a workshop produces them), and returns the ack time of each
// key and, for each event, the SQL statements each instance of bases sent
// in its window (from just before it to when the next is due).
func (c committer) paced(ctx context.Context, n int, interval time.Duration, bases []string) (map[int]time.Time, [][]float64, error) {
	cl := newClient(1)
	defer cl.CloseIdleConnections()
	acks := make(map[int]time.Time, n)
	var windows [][]float64
	tick := time.NewTicker(interval)
	defer tick.Stop()
	prev := statementsOf(bases)
	for k := 1; k <= n; k++ {
		if _, err := post(cl, c.through(k), progressBody(c.jobs[k%len(c.jobs)], k)); err != nil {
			return acks, windows, err
		}
		acks[k] = time.Now()
		select {
		case <-tick.C:
		case <-ctx.Done():
			return acks, windows, ctx.Err()
		}
		now := statementsOf(bases)
		w := make([]float64, len(bases))
		for i := range w {
			w[i] = now[i] - prev[i]
		}
		windows, prev = append(windows, w), now
	}
	return acks, windows, nil
}

// fanoutResult is one row of the fan-out table.
type fanoutResult struct {
	N               int
	Events          int
	Delivered, Want int64
	P50, P99, Max   time.Duration
	Early           int // deliveries seen before their mutation's response
	RSSBeforeKiB    int64
	RSSAfterKiB     int64
	RSSPerConnKiB   float64
	CPU             float64 // server CPU seconds for the burst
	ClientCPU       float64 // the subscribers' (this process's) CPU seconds for the burst
	Statements      float64 // per event, on the subscribers' instance
	EventsRead      float64
	ConnectSecs     float64
	Dropped         float64
	MutationRTT     time.Duration
	// Go's own accounting of the idle subscribers (go_memstats and
	// go_goroutines deltas over N).
	StackPerConnKiB, HeapPerConnKiB, GoroutinesPerConn float64
	Paced                                              *pacedResult
	Err                                                string
	Resume                                             *resumeResult
}

// pacedResult is the steady stream after the burst.
type pacedResult struct {
	Events          int
	Rate            float64 // events per second
	Delivered, Want int64
	P50, P99, Max   time.Duration
	CPU             float64 // server CPU seconds over the stream
	// Statements is per event on the subscribers' instance: the median of
	// the events' windows less Quiet, the median of as many windows with no
	// event just before (see quietWindows).
	Statements, Quiet estimate
	Err               string
}

type resumeResult struct {
	N            int
	Missed       int // events committed while the instance was down
	ResumedSecs  float64
	CaughtUpSecs float64
	// FirstResubSecs and FirstCaughtSecs: the first subscriber subscribed
	// again, and the first to have received every missed event (0: none).
	FirstResubSecs, FirstCaughtSecs float64
	Delivered                       int64
	Want                            int64
	Statements                      float64
	XactCommits                     int64
	Resets                          int
	ServerCPU                       float64
	Err                             string
}

// waitFor polls cond every 50 ms until it holds or timeout; progress is
// called on each poll.
func waitFor(timeout time.Duration, cond func() bool, progress func()) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		if progress != nil {
			progress()
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// latencies joins deliveries of phase with the ack times.
func latencies(f *fleet, phase int32, acks map[int]time.Time) (ds []time.Duration, early int) {
	return latenciesOf(f, phase, acks, nil)
}

// latenciesOf is latencies of the events whose key keep accepts (all when
// keep is nil).
func latenciesOf(f *fleet, phase int32, acks map[int]time.Time, keep func(key int) bool) (ds []time.Duration, early int) {
	for _, s := range f.subsList {
		for _, d := range s.got {
			if d.phase != phase || (keep != nil && !keep(int(d.key))) {
				continue
			}
			at, ok := acks[int(d.key)]
			if !ok {
				continue
			}
			l := d.at.Sub(at)
			if l < 0 {
				early++
				l = 0
			}
			ds = append(ds, l)
		}
	}
	slices.Sort(ds)
	return ds, early
}

func countPhase(f *fleet, phase int32) int64 {
	var n int64
	for _, s := range f.subsList {
		for _, d := range s.got {
			if d.phase == phase {
				n++
			}
		}
	}
	return n
}

// fanout measures one N: connect, idle RSS, a burst, and optionally a resume storm.
// sub is the subscribers' instance (restarted by restart for the storm).
func fanout(ctx context.Context, n, events int, sub **proc, subBase string, restart func() (*proc, error),
	com committer, token, site string, storm bool, admin *sql.DB, say func(string)) fanoutResult {
	r := fanoutResult{N: n, Events: events}
	p := *sub
	runtimeSettle := func() { time.Sleep(1500 * time.Millisecond) }
	runtimeSettle()
	r.RSSBeforeKiB = rssKiB(p.Pid())
	mem0, _ := metrics(subBase)
	f := newFleet("ws"+subBase[len("http"):]+"/query", token, site)
	defer f.close()
	t0 := time.Now()
	f.connect(n, 200, func() { say(fmt.Sprintf("fan-out N=%d: connecting %d/%d", n, f.subscribed.Load(), n)) })
	ok := waitFor(60*time.Second, func() bool {
		m, err := metrics(subBase)
		return err == nil && int(m["bayboard_subscriptions_active"]) >= n
	}, func() { say(fmt.Sprintf("fan-out N=%d: subscribed %d/%d", n, f.subscribed.Load(), n)) })
	r.ConnectSecs = time.Since(t0).Seconds()
	if !ok {
		r.Err = fmt.Sprintf("only %d of %d subscribed (last error: %v)", f.subscribed.Load(), n, f.lastErr.Load())
		return r
	}
	time.Sleep(2 * time.Second) // idle: let the handshakes' garbage go
	r.RSSAfterKiB = rssKiB(p.Pid())
	r.RSSPerConnKiB = float64(r.RSSAfterKiB-r.RSSBeforeKiB) / float64(n)
	if mem1, err := metrics(subBase); err == nil {
		r.StackPerConnKiB = (mem1["go_memstats_stack_inuse_bytes"] - mem0["go_memstats_stack_inuse_bytes"]) / 1024 / float64(n)
		r.HeapPerConnKiB = (mem1["go_memstats_heap_inuse_bytes"] - mem0["go_memstats_heap_inuse_bytes"]) / 1024 / float64(n)
		r.GoroutinesPerConn = (mem1["go_goroutines"] - mem0["go_goroutines"]) / float64(n)
	}

	m0, _ := metrics(subBase)
	cpu0, self0 := cpuSeconds(p.Pid()), selfCPU()
	f.phase.Store(1)
	say(fmt.Sprintf("phase: fan-out N=%d: committing %d events", n, events))
	acks, rtt, err := com.burst(events, 4)
	r.MutationRTT = rtt
	if err != nil {
		r.Err = "mutation: " + err.Error()
	}
	want := int64(len(acks)) * int64(n)
	waitFor(60*time.Second, func() bool { return f.matched.Load() >= want }, func() {
		say(fmt.Sprintf("fan-out N=%d: delivered %d/%d", n, f.matched.Load(), want))
	})
	time.Sleep(300 * time.Millisecond) // late stragglers and the hub's counters
	r.CPU = cpuSeconds(p.Pid()) - cpu0
	r.ClientCPU = selfCPU() - self0
	m1, _ := metrics(subBase)
	r.Statements = (m1["bayboard_sql_statements_total"] - m0["bayboard_sql_statements_total"]) / float64(len(acks))
	r.EventsRead = m1["bayboard_events_read_total"] - m0["bayboard_events_read_total"]
	r.Dropped = m1["bayboard_subscribers_dropped_total"] - m0["bayboard_subscribers_dropped_total"]
	r.Want, r.Delivered = want, countPhase(f, 1)
	ds, early := latencies(f, 1, acks)
	r.P50, r.P99, r.Early = pct(ds, 0.5), pct(ds, 0.99), early
	if len(ds) > 0 {
		r.Max = ds[len(ds)-1]
	}
	if r.Err == "" && pacedEvents > 0 {
		r.Paced = pacedStream(ctx, f, n, p, subBase, com, say)
	}
	if storm && r.Err == "" {
		r.Resume = resume(ctx, f, n, events, sub, subBase, restart, com, admin, say)
	}
	return r
}

// The steady stream after the burst: pacedEvents events, one every pacedInterval.
var (
	pacedEvents   = 8
	pacedInterval = 500 * time.Millisecond
)

// pacedStream commits a steady stream and measures each event's delivery.
func pacedStream(ctx context.Context, f *fleet, n int, p *proc, base string, com committer, say func(string)) *pacedResult {
	pr := &pacedResult{Events: pacedEvents, Rate: float64(time.Second) / float64(pacedInterval)}
	before := f.matched.Load()
	say(fmt.Sprintf("phase: fan-out N=%d: %d windows of %s with no event", n, pacedEvents, pacedInterval))
	pr.Quiet = medianSE(quietWindows([]string{base}, pacedEvents, pacedInterval)[0])
	cpu0 := cpuSeconds(p.Pid())
	f.phase.Store(3)
	say(fmt.Sprintf("phase: fan-out N=%d: a steady stream of %d events", n, pacedEvents))
	acks, windows, err := com.paced(ctx, pacedEvents, pacedInterval, []string{base})
	if err != nil {
		pr.Err = "mutation: " + err.Error()
	}
	want := int64(len(acks)) * int64(n)
	waitFor(60*time.Second, func() bool { return f.matched.Load()-before >= want }, func() {
		say(fmt.Sprintf("fan-out N=%d: stream delivered %d/%d", n, f.matched.Load()-before, want))
	})
	time.Sleep(300 * time.Millisecond)
	pr.CPU = cpuSeconds(p.Pid()) - cpu0
	var own []float64
	for _, w := range windows {
		own = append(own, w[0])
	}
	pr.Statements = medianSE(own).minus(pr.Quiet)
	pr.Want, pr.Delivered = want, countPhase(f, 3)
	ds, _ := latencies(f, 3, acks)
	pr.P50, pr.P99 = pct(ds, 0.5), pct(ds, 0.99)
	if len(ds) > 0 {
		pr.Max = ds[len(ds)-1]
	}
	return pr
}

// resume restarts the subscribers' instance with the fleet connected,
// commits events while it is down (through the writer instance), and times
// until every subscriber has resumed and received every missed event.
func resume(ctx context.Context, f *fleet, n, events int, sub **proc, subBase string, restart func() (*proc, error),
	com committer, admin *sql.DB, say func(string)) *resumeResult {
	rr := &resumeResult{N: n, Missed: events}
	phase1Total.Store(f.matched.Load())
	subs0 := f.subscribed.Load()
	resets0 := 0
	for _, s := range f.subsList {
		resets0 += s.resets
	}
	xact := func() int64 {
		var x int64
		_, _ = admin.Exec(`SELECT pg_stat_clear_snapshot()`)
		_ = admin.QueryRow(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&x)
		return x
	}
	say(fmt.Sprintf("resume N=%d: stopping the instance", n))
	f.phase.Store(2)
	(*sub).Stop(15 * time.Second)
	x0 := xact()
	acks, _, err := com.burst(events, 4)
	if err != nil {
		rr.Err = "mutation: " + err.Error()
		return rr
	}
	f.missedWant.Store(int64(len(acks)))
	f.firstResub.Store(0)
	f.firstCaught.Store(0)
	t0 := time.Now()
	p, err := restart()
	if err != nil {
		rr.Err = err.Error()
		return rr
	}
	*sub = p
	want := int64(len(acks)) * int64(n)
	rr.Want = want
	waitFor(120*time.Second, func() bool { return f.subscribed.Load()-subs0 >= int64(n) }, func() {
		say(fmt.Sprintf("resume N=%d: resubscribed %d/%d", n, f.subscribed.Load()-subs0, n))
	})
	rr.ResumedSecs = time.Since(t0).Seconds()
	waitFor(120*time.Second, func() bool { return countPhaseFast(f) >= want }, func() {
		say(fmt.Sprintf("resume N=%d: caught up %d/%d", n, f.matched.Load(), want))
	})
	rr.CaughtUpSecs = time.Since(t0).Seconds()
	since := func(ns int64) float64 {
		if ns == 0 {
			return 0
		}
		return time.Unix(0, ns).Sub(t0).Seconds()
	}
	rr.FirstResubSecs, rr.FirstCaughtSecs = since(f.firstResub.Load()), since(f.firstCaught.Load())
	rr.Delivered = countPhase(f, 2)
	rr.ServerCPU = cpuSeconds(p.Pid())
	if m, err := metrics(subBase); err == nil {
		rr.Statements = m["bayboard_sql_statements_total"]
	}
	for _, s := range f.subsList {
		rr.Resets += s.resets
	}
	rr.Resets -= resets0
	// PostgreSQL 15 flushes an idle backend's statistics within 10 s.
	say(fmt.Sprintf("resume N=%d: waiting 11 s for PostgreSQL's statistics", n))
	time.Sleep(11 * time.Second)
	rr.XactCommits = xact() - x0
	return rr
}

// statementsOf reads each instance's bayboard_sql_statements_total.
func statementsOf(bases []string) []float64 {
	v := make([]float64, len(bases))
	for i, b := range bases {
		if m, err := metrics(b); err == nil {
			v[i] = m["bayboard_sql_statements_total"]
		}
	}
	return v
}

// quietWindows returns the SQL statements each instance sent in each of k
// windows of interval with no event ([instance][window]): its timers' (the
// hub's catch-up tick, the time rules, the outbox) and its sockets' (token
// re-checks), which a per-event count has to leave out.
func quietWindows(bases []string, k int, interval time.Duration) [][]float64 {
	per := make([][]float64, len(bases))
	tick := time.NewTicker(interval)
	defer tick.Stop()
	prev := statementsOf(bases)
	for range k {
		<-tick.C
		now := statementsOf(bases)
		for i := range bases {
			per[i] = append(per[i], now[i]-prev[i])
		}
		prev = now
	}
	return per
}

// estimate is a typical value (the median) over windows with its
// standard error.
type estimate struct {
	Value, SE float64
	N         int
}

// medianSE is the median of v and its standard error from the median
// absolute deviation (1.4826 MAD estimates the spread, the median's error
// is 1.2533 spread/√n): windows' counts have rare huge outliers (every
// socket's token re-check landing in one window) that a mean would carry.
func medianSE(v []float64) estimate {
	e := estimate{N: len(v)}
	if len(v) == 0 {
		return e
	}
	e.Value = median(v)
	dev := make([]float64, len(v))
	for i, x := range v {
		dev[i] = math.Abs(x - e.Value)
	}
	if len(v) > 1 {
		e.SE = 1.4826 * 1.2533 * median(dev) / math.Sqrt(float64(len(v)))
	}
	return e
}

// median returns the median of v (0 for none).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// minus is a's mean less b's, their errors combined.
func (a estimate) minus(b estimate) estimate {
	return estimate{Value: a.Value - b.Value, SE: math.Hypot(a.SE, b.SE), N: a.N}
}

// String writes the estimate as "mean ± SE".
func (a estimate) String() string { return fmt.Sprintf("%.2f ± %.2f", a.Value, a.SE) }

// countPhaseFast counts phase-2 deliveries from the shared counter; the
// exact count is taken once caught up.
func countPhaseFast(f *fleet) int64 { return f.matched.Load() - phase1Total.Load() }

// phase1Total is the matched counter at the end of phase 1.
var phase1Total atomic.Int64

// selfCPU is this process's user+system CPU seconds (the subscribers' side).
func selfCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
