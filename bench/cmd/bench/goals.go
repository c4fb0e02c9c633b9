package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The goals of issue 18, judged at the top of every run section. A goal is
// judged only on what the run measured: a run without the figure (quick
// mode has no N = 10,000; a section left out by --only) says so and shows
// what it measured instead, with no verdict.

// Verdicts of a goal row.
const (
	goalMet         = "met"
	goalMissed      = "missed"
	goalNotMeasured = "not measured"
)

// goalRow is one line of a run's Goals table.
type goalRow struct {
	Goal    string
	Verdict string // goalMet, goalMissed or goalNotMeasured
	Figure  string // what the run measured for it
	Reason  string // why it was missed (measured figures), or why it was not measured
	Where   string // the detail table
}

// goalInput is what the goals are judged on: the run's results.
type goalInput struct {
	Mode      string // "full" or "quick"
	Cores     int
	Fanout    []fanoutResult
	Two       *twoResult
	Mutations []mutationRow
	Queries   []queryRow
	Peers     []peerInfo
}

// The figures the goals name.
const (
	goalN              = 10000
	goalBurstEvents    = 100
	goalStreamP99      = 250 * time.Millisecond
	goalBurstP99       = 5 * time.Second
	goalIdleKiB        = 40.0
	goalCaughtUpSecs   = 10.0
	goalFirstLiveSecs  = 1.0
	goalTwoPerInstance = 5000
	goalOursOverOurTx  = 0.80
	// Ours runs our transaction and more around it, so it cannot be
	// faster than pgbench running that transaction alone: above this, the
	// reference was disturbed (other work on the machine) and gives no
	// verdict.
	ourTxDisturbed = 1.10
	goalQueryRatio = 3.0
	// A figure of statements per event "grows" when it is above the single
	// instance's by more than 10% of it (at least 0.1 statements) plus twice
	// the standard error of the difference: an event's statements vary with
	// whether the hub's wake-ups coalesce, and a timer's pass may land in
	// its window.
	growTolerance, growSlack = 0.10, 0.1
)

// goals judges every goal of issue 18 on the run's results.
func goals(in goalInput) []goalRow {
	rows := []goalRow{streamGoal(in), burstGoal(in), memoryGoal(in), caughtUpGoal(in), firstLiveGoal(in), twoGoal(in), mutationGoal(in)}
	return append(rows, queryGoals(in)...)
}

// fanAt returns the fan-out result at n subscribers, or nil.
func (in goalInput) fanAt(n int) *fanoutResult {
	for i := range in.Fanout {
		if in.Fanout[i].N == n {
			return &in.Fanout[i]
		}
	}
	return nil
}

// largest returns the fan-out result with the most subscribers, or nil.
func (in goalInput) largest() *fanoutResult {
	var l *fanoutResult
	for i := range in.Fanout {
		if l == nil || in.Fanout[i].N > l.N {
			l = &in.Fanout[i]
		}
	}
	return l
}

// notMeasured says why a goal at N = 10,000 has no verdict and, when the
// run measured it at a smaller N, what it measured there (show, "" for
// nothing to show).
func (in goalInput) notMeasured(g goalRow, what string, show func(f fanoutResult) string) goalRow {
	g.Verdict = goalNotMeasured
	l := in.largest()
	switch {
	case l == nil:
		g.Reason = "the fan-out section did not run"
		return g
	case in.Mode == "quick":
		g.Reason = fmt.Sprintf("not measured in quick mode (largest N %s)", thousands(l.N))
	default:
		g.Reason = fmt.Sprintf("not measured in this run: no %s (largest N %s)", what, thousands(l.N))
	}
	if s := show(*l); s != "" {
		g.Figure = s + " (no verdict)"
	}
	return g
}

func streamGoal(in goalInput) goalRow {
	g := goalRow{Goal: "steady stream, N = 10,000: commit → screen p99 < 250 ms, every update delivered", Where: "§3, steady stream table"}
	f := in.fanAt(goalN)
	if f == nil || f.Paced == nil {
		return in.notMeasured(g, "steady stream at N = 10,000", func(l fanoutResult) string {
			if l.Paced == nil {
				return ""
			}
			return fmt.Sprintf("p99 %s ms at N = %s", ms(l.Paced.P99), thousands(l.N))
		})
	}
	pr := f.Paced
	g.Figure = fmt.Sprintf("p99 %s ms, %d / %d delivered", ms(pr.P99), pr.Delivered, pr.Want)
	var why []string
	if pr.Err != "" || pr.Delivered < pr.Want || pr.Want == 0 {
		why = append(why, fmt.Sprintf("%d of %d updates delivered%s", pr.Delivered, pr.Want, errSuffix(pr.Err)))
	}
	if pr.P99 >= goalStreamP99 {
		perEvent := pr.CPU / float64(max(1, pr.Events))
		why = append(why, fmt.Sprintf("server CPU %.0f ms per event (%.1f µs per subscriber) on %d cores", 1000*perEvent, 1e6*perEvent/float64(f.N), in.Cores))
	}
	return judged(g, why)
}

func burstGoal(in goalInput) goalRow {
	g := goalRow{Goal: "burst of 100 events, N = 10,000: p99 < 5 s, every update delivered", Where: "§3, first table"}
	f := in.fanAt(goalN)
	if f == nil || f.Events != goalBurstEvents {
		if f != nil {
			g.Verdict, g.Reason = goalNotMeasured, fmt.Sprintf("not measured in this run: the burst had %d events", f.Events)
			return g
		}
		return in.notMeasured(g, "burst at N = 10,000", func(l fanoutResult) string {
			if l.Want == 0 {
				return ""
			}
			return fmt.Sprintf("p99 %s ms for %d events at N = %s", ms(l.P99), l.Events, thousands(l.N))
		})
	}
	g.Figure = fmt.Sprintf("p99 %s ms, %d / %d delivered", ms(f.P99), f.Delivered, f.Want)
	var why []string
	if f.Err != "" || f.Delivered < f.Want || f.Want == 0 {
		why = append(why, fmt.Sprintf("%d of %d updates delivered%s", f.Delivered, f.Want, errSuffix(f.Err)))
	}
	if f.P99 >= goalBurstP99 {
		why = append(why, fmt.Sprintf("server CPU %.1f s for %d deliveries (%.1f µs each), the subscribers' %.1f s beside it on the same %d cores",
			f.CPU, f.Delivered, 1e6*f.CPU/float64(max(1, f.Delivered)), f.ClientCPU, in.Cores))
	}
	return judged(g, why)
}

func memoryGoal(in goalInput) goalRow {
	g := goalRow{Goal: "memory per idle subscriber < 40 KiB", Where: "§3, memory table"}
	f := in.largest()
	if f == nil || f.Err != "" && f.RSSAfterKiB == 0 {
		g.Verdict, g.Reason = goalNotMeasured, "the fan-out section did not run"
		if f != nil {
			g.Reason = "not measured: " + f.Err
		}
		return g
	}
	g.Figure = fmt.Sprintf("%.1f KiB RSS per subscriber at N = %s", f.RSSPerConnKiB, thousands(f.N))
	if f.N < goalN {
		g.Figure += fmt.Sprintf(" (the run's largest N; %s)", map[bool]string{true: "quick mode", false: "no N = 10,000 in this run"}[in.Mode == "quick"])
	}
	var why []string
	if f.RSSPerConnKiB >= goalIdleKiB {
		why = append(why, fmt.Sprintf("goroutine stacks %.1f KiB (%.1f goroutines per subscriber), heap %.1f KiB", f.StackPerConnKiB, f.GoroutinesPerConn, f.HeapPerConnKiB))
	}
	return judged(g, why)
}

// stormAt returns the resume storm at N = 10,000, or nil.
func (in goalInput) stormAt() *resumeResult {
	if f := in.fanAt(goalN); f != nil {
		return f.Resume
	}
	return nil
}

// largestStorm returns the storm of the largest N that had one, or nil.
func (in goalInput) largestStorm() *resumeResult {
	var s *resumeResult
	for _, f := range in.Fanout {
		if f.Resume != nil && (s == nil || f.N > s.N) {
			s = f.Resume
		}
	}
	return s
}

func caughtUpGoal(in goalInput) goalRow {
	g := goalRow{Goal: "resume storm, 10,000 boards after a restart: all caught up < 10 s", Where: "§4, resume table"}
	s := in.stormAt()
	if s == nil {
		return in.notMeasured(g, "resume storm at N = 10,000", func(fanoutResult) string {
			if l := in.largestStorm(); l != nil {
				return fmt.Sprintf("all caught up %.2f s at N = %s", l.CaughtUpSecs, thousands(l.N))
			}
			return ""
		})
	}
	g.Figure = fmt.Sprintf("all caught up %.2f s, %d / %d delivered", s.CaughtUpSecs, s.Delivered, s.Want)
	var why []string
	if s.Err != "" || s.Delivered < s.Want || s.Want == 0 {
		why = append(why, fmt.Sprintf("%d of %d missed updates delivered%s", s.Delivered, s.Want, errSuffix(s.Err)))
	}
	if s.CaughtUpSecs >= goalCaughtUpSecs {
		why = append(why, fmt.Sprintf("all resubscribed at %.2f s; the new process used %.1f s of CPU and sent %.0f SQL statements (%.1f per subscriber)",
			s.ResumedSecs, s.ServerCPU, s.Statements, s.Statements/float64(max(1, s.N))))
	}
	return judged(g, why)
}

func firstLiveGoal(in goalInput) goalRow {
	g := goalRow{Goal: "resume storm, 10,000 boards: the first screens live (caught up) within 1 s", Where: "§4, resume table"}
	s := in.stormAt()
	if s == nil {
		return in.notMeasured(g, "resume storm at N = 10,000", func(fanoutResult) string {
			if l := in.largestStorm(); l != nil && l.FirstCaughtSecs > 0 {
				return fmt.Sprintf("first caught up %.2f s at N = %s", l.FirstCaughtSecs, thousands(l.N))
			}
			return ""
		})
	}
	if s.FirstCaughtSecs == 0 {
		g.Verdict, g.Reason = goalMissed, "no subscriber caught up"+errSuffix(s.Err)
		return g
	}
	g.Figure = fmt.Sprintf("first caught up %.2f s after the new process's start", s.FirstCaughtSecs)
	var why []string
	if s.FirstCaughtSecs >= goalFirstLiveSecs {
		why = append(why, fmt.Sprintf("first resubscribed at %.2f s, then %.2f s to receive its %d missed updates",
			s.FirstResubSecs, s.FirstCaughtSecs-s.FirstResubSecs, s.Missed))
	}
	return judged(g, why)
}

// singleRef returns the single-instance fan-out result the two-instance
// step is compared with: the one with as many subscribers as each of the
// two instances, else the largest with fewer, else the smallest.
func (in goalInput) singleRef(per int) *fanoutResult {
	var ref *fanoutResult
	for i := range in.Fanout {
		f := &in.Fanout[i]
		if f.N <= per && (ref == nil || f.N > ref.N) {
			ref = f
		}
	}
	if ref == nil {
		for i := range in.Fanout {
			if f := &in.Fanout[i]; ref == nil || f.N < ref.N {
				ref = f
			}
		}
	}
	return ref
}

// grows reports whether statements per event v grew from the single
// instance's ref beyond what the tolerance and their errors allow.
func grows(v, ref estimate) bool {
	return v.Value-ref.Value > max(growSlack, growTolerance*ref.Value)+2*math.Hypot(v.SE, ref.SE)
}

func twoGoal(in goalInput) goalRow {
	g := goalRow{Goal: "two instances × 5,000 on one PostgreSQL: a mutation on either reaches all 10,000; SQL statements per event per instance do not grow with the instances",
		Where: "§3, two-instance table"}
	t := in.Two
	if t == nil {
		g.Verdict, g.Reason = goalNotMeasured, "the fan-out section did not run"
		return g
	}
	ref := in.singleRef(t.PerInstance)
	if t.Paced == nil || ref == nil || ref.Paced == nil {
		g.Verdict, g.Reason = goalNotMeasured, "not measured: no steady stream to count each event's statements"+errSuffix(t.Err)
		return g
	}
	a, b := t.Inst[0], t.Inst[1]
	g.Figure = fmt.Sprintf("feed statements per event A %s, B %s vs one instance's %s (steady stream); %d / %d + %d / %d delivered, burst p99 %s ms",
		a.Feed, b.Feed, ref.Paced.Statements, t.Delivered, t.Want, t.Paced.Delivered, t.Paced.Want, ms(t.P99))
	if t.PerInstance != goalTwoPerInstance {
		g.Figure += fmt.Sprintf(" (at 2 × %s, %s)", thousands(t.PerInstance), map[bool]string{true: "quick mode", false: "not 5,000 in this run"}[in.Mode == "quick"])
	}
	var why []string
	if t.Err != "" || t.Delivered < t.Want || t.Want == 0 || t.Paced.Delivered < t.Paced.Want {
		why = append(why, fmt.Sprintf("%d of %d burst and %d of %d stream updates delivered%s", t.Delivered, t.Want, t.Paced.Delivered, t.Paced.Want, errSuffix(t.Err+t.Paced.Err)))
	}
	for i, f := range t.Inst {
		if f.Feed.N == 0 {
			why = append(why, fmt.Sprintf("instance %c: no event of the other's measured", 'A'+i))
		} else if grows(f.Feed, ref.Paced.Statements) {
			why = append(why, fmt.Sprintf("instance %c: %s statements per event it did not take vs %s on one instance", 'A'+i, f.Feed, ref.Paced.Statements))
		}
	}
	return judged(g, why)
}

func mutationGoal(in goalInput) goalRow {
	g := goalRow{Goal: "mutations: ours ≥ 0.80 × pgbench running our own transaction, at concurrency 8 and 64", Where: "§2, mutation table"}
	if len(in.Mutations) == 0 {
		g.Verdict, g.Reason = goalNotMeasured, "the mutation section did not run"
		return g
	}
	var figs, why, missing, disturbed []string
	for _, c := range []int{8, 64} {
		var m *mutationRow
		for i := range in.Mutations {
			if in.Mutations[i].Conc == c && in.Mutations[i].OurTxTPS > 0 {
				m = &in.Mutations[i]
			}
		}
		if m == nil {
			missing = append(missing, fmt.Sprint(c))
			continue
		}
		r := m.Ours.RPS / m.OurTxTPS
		figs = append(figs, fmt.Sprintf("%.2f× at %d", r, c))
		if r > ourTxDisturbed {
			disturbed = append(disturbed, fmt.Sprintf("at %d ours made %.0f mutations/s, more than pgbench running its transaction alone (%.0f tx/s, %.2f ms average)",
				c, m.Ours.RPS, m.OurTxTPS, m.OurTxLatMs))
		}
		if r < goalOursOverOurTx {
			why = append(why, fmt.Sprintf("at %d: %.0f mutations/s vs %.0f tx/s; the server spends %s ms of CPU per mutation and sends %.1f statements per mutation",
				c, m.Ours.RPS, m.OurTxTPS, perK(m.Ours.CPU, m.Ours.Requests), m.StmtsPerMut))
		}
	}
	g.Figure = strings.Join(figs, ", ")
	if len(missing) > 0 {
		g.Verdict, g.Reason = goalNotMeasured, "not measured at concurrency "+strings.Join(missing, " and ")
		return g
	}
	if len(disturbed) > 0 {
		g.Verdict, g.Reason = goalNotMeasured, "no verdict: "+strings.Join(disturbed, "; ")+": the reference was disturbed by other work on the machine"
		return g
	}
	return judged(g, why)
}

func queryGoals(in goalInput) []goalRow {
	var rows []goalRow
	for _, q := range in.Queries {
		if q.Conc != 64 || len(q.Peers) == 0 {
			continue
		}
		bi := q.best()
		b := q.Peers[bi]
		name := fmt.Sprintf("peer %d", bi+1)
		if bi < len(in.Peers) {
			name = in.Peers[bi].Name
		}
		g := goalRow{Goal: "queries: " + q.Query + " ≥ 3× the faster PostGraphile's requests/s at equal or better p99, concurrency 64", Where: "§1, CPU budget table"}
		g.Figure = fmt.Sprintf("%s %s's requests/s, p99 %s vs %s ms", ratio(q.Ours.RPS, b.RPS), name, ms(q.Ours.P99), ms(b.P99))
		var why []string
		if q.Ours.RPS < goalQueryRatio*b.RPS {
			why = append(why, fmt.Sprintf("3× is %.2f ms of CPU per request on %d cores; ours takes %.2f (%s: server + DB + load generator)",
				float64(in.Cores)*1000/(goalQueryRatio*b.RPS), in.Cores, cellMs(q.Ours), cellParts(q.Ours)))
		}
		if q.Ours.P99 > b.P99 {
			why = append(why, fmt.Sprintf("p99 %s ms vs %s ms", ms(q.Ours.P99), ms(b.P99)))
		}
		rows = append(rows, judged(g, why))
	}
	if len(rows) == 0 {
		rows = append(rows, goalRow{Goal: "queries ≥ 3× the faster PostGraphile at concurrency 64", Verdict: goalNotMeasured,
			Reason: "not measured: the query section did not run at concurrency 64", Where: "§1"})
	}
	return rows
}

// judged is g met when why is empty, else missed for those reasons.
func judged(g goalRow, why []string) goalRow {
	if len(why) == 0 {
		g.Verdict = goalMet
		return g
	}
	g.Verdict, g.Reason = goalMissed, strings.Join(why, "; ")
	return g
}

func errSuffix(err string) string {
	if err == "" {
		return ""
	}
	return " (" + err + ")"
}

// thousands writes n with a comma every three digits, as the goals do.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
