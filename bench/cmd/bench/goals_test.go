package main

import (
	"strings"
	"testing"
	"time"
)

// fan is a fan-out result at n subscribers whose every update arrived.
func fan(n, events int, p99, pacedP99 time.Duration) fanoutResult {
	want := int64(n * events)
	return fanoutResult{N: n, Events: events, Delivered: want, Want: want, P99: p99, CPU: 19, ClientCPU: 7, RSSAfterKiB: 1,
		Paced: &pacedResult{Events: 20, Delivered: int64(20 * n), Want: int64(20 * n), P99: pacedP99, CPU: 5.8,
			Statements: estimate{Value: 12, SE: 0.5, N: 20}}}
}

func TestStreamGoal(t *testing.T) {
	short := fan(10000, 100, 4*time.Second, 200*time.Millisecond)
	lost := short
	p := *short.Paced
	p.Delivered--
	lost.Paced = &p
	cases := []struct {
		name   string
		in     goalInput
		want   string
		reason string // a part of the reason, "" for none
	}{
		{"OK", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(1000, 100, 0, time.Second), short}}, goalMet, ""},
		{"ErrSlow", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(10000, 100, 0, 1964*time.Millisecond)}}, goalMissed, "server CPU 290 ms per event (29.0 µs per subscriber) on 2 cores"},
		{"ErrAtTheGoal", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(10000, 100, 0, 250*time.Millisecond)}}, goalMissed, "ms per event"},
		{"ErrLost", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{lost}}, goalMissed, "199999 of 200000 updates delivered"},
		{"ErrQuickMode", goalInput{Mode: "quick", Cores: 2, Fanout: []fanoutResult{fan(100, 50, 0, time.Millisecond), fan(1000, 50, 0, 40*time.Millisecond)}}, goalNotMeasured, "not measured in quick mode (largest N 1,000)"},
		{"ErrNoTenThousand", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(5000, 100, 0, 40*time.Millisecond)}}, goalNotMeasured, "largest N 5,000"},
		{"ErrNoFanout", goalInput{Mode: "full", Cores: 2}, goalNotMeasured, "did not run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := streamGoal(c.in)
			if g.Verdict != c.want || !strings.Contains(g.Reason, c.reason) {
				t.Fatalf("verdict=%v (%s), want %v (%s)", g.Verdict, g.Reason, c.want, c.reason)
			}
			if g.Verdict == goalNotMeasured && g.Figure != "" && !strings.Contains(g.Figure, "no verdict") {
				t.Fatalf("figure=%q, want it marked as no verdict", g.Figure)
			}
		})
	}
}

func TestBurstGoal(t *testing.T) {
	cases := []struct {
		name   string
		in     goalInput
		want   string
		reason string
	}{
		{"OK", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(10000, 100, 4900*time.Millisecond, 0)}}, goalMet, ""},
		{"ErrSlow", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(10000, 100, 8*time.Second, 0)}}, goalMissed, "server CPU 19.0 s for 1000000 deliveries (19.0 µs each)"},
		{"ErrFewerEvents", goalInput{Mode: "full", Cores: 2, Fanout: []fanoutResult{fan(10000, 50, time.Second, 0)}}, goalNotMeasured, "the burst had 50 events"},
		{"ErrQuickMode", goalInput{Mode: "quick", Cores: 2, Fanout: []fanoutResult{fan(1000, 50, time.Second, 0)}}, goalNotMeasured, "quick mode"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if g := burstGoal(c.in); g.Verdict != c.want || !strings.Contains(g.Reason, c.reason) {
				t.Fatalf("verdict=%v (%s), want %v (%s)", g.Verdict, g.Reason, c.want, c.reason)
			}
		})
	}
}

func TestMemoryGoal(t *testing.T) {
	mem := func(n int, kib float64) fanoutResult {
		return fanoutResult{N: n, RSSAfterKiB: 1, RSSPerConnKiB: kib, StackPerConnKiB: 8, HeapPerConnKiB: 20, GoroutinesPerConn: 1}
	}
	cases := []struct {
		name   string
		in     goalInput
		want   string
		figure string // a part of the figure
	}{
		{"OK", goalInput{Mode: "full", Fanout: []fanoutResult{mem(1000, 60), mem(10000, 39.9)}}, goalMet, "39.9 KiB RSS per subscriber at N = 10,000"},
		{"OK", goalInput{Mode: "quick", Fanout: []fanoutResult{mem(1000, 30)}}, goalMet, "at N = 1,000 (the run's largest N; quick mode)"},
		{"ErrTooMuch", goalInput{Mode: "full", Fanout: []fanoutResult{mem(10000, 48.8)}}, goalMissed, "48.8 KiB"},
		{"ErrNoFanout", goalInput{Mode: "full"}, goalNotMeasured, ""},
		{"ErrNotConnected", goalInput{Mode: "full", Fanout: []fanoutResult{{N: 10000, Err: "only 10 of 10000 subscribed"}}}, goalNotMeasured, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := memoryGoal(c.in)
			if g.Verdict != c.want || !strings.Contains(g.Figure, c.figure) {
				t.Fatalf("verdict=%v (%s), want %v (%s)", g.Verdict, g.Figure, c.want, c.figure)
			}
			if g.Verdict == goalMissed && !strings.Contains(g.Reason, "1.0 goroutines per subscriber") {
				t.Fatalf("reason=%q, want the goroutines per subscriber", g.Reason)
			}
		})
	}
}

func TestResumeGoals(t *testing.T) {
	storm := func(n int, first, all float64) fanoutResult {
		return fanoutResult{N: n, Resume: &resumeResult{N: n, Missed: 100, Delivered: int64(100 * n), Want: int64(100 * n),
			FirstResubSecs: 0.2, FirstCaughtSecs: first, ResumedSecs: all - 1, CaughtUpSecs: all, Statements: 35773, ServerCPU: 28.9}}
	}
	cases := []struct {
		name              string
		in                goalInput
		wantAll, wantLive string
	}{
		{"OK", goalInput{Mode: "full", Fanout: []fanoutResult{storm(10000, 0.9, 9.9)}}, goalMet, goalMet},
		{"ErrSlow", goalInput{Mode: "full", Fanout: []fanoutResult{storm(10000, 1.5, 29.2)}}, goalMissed, goalMissed},
		{"ErrNoneCaughtUp", goalInput{Mode: "full", Fanout: []fanoutResult{storm(10000, 0, 9)}}, goalMet, goalMissed},
		{"ErrQuickMode", goalInput{Mode: "quick", Fanout: []fanoutResult{storm(1000, 0.5, 1.4)}}, goalNotMeasured, goalNotMeasured},
		{"ErrNoStormAtTenThousand", goalInput{Mode: "full", Fanout: []fanoutResult{storm(1000, 0.5, 1.4), fan(10000, 100, 0, 0)}}, goalNotMeasured, goalNotMeasured},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if g := caughtUpGoal(c.in); g.Verdict != c.wantAll {
				t.Fatalf("all caught up verdict=%v (%s), want %v", g.Verdict, g.Reason, c.wantAll)
			}
			if g := firstLiveGoal(c.in); g.Verdict != c.wantLive {
				t.Fatalf("first live verdict=%v (%s), want %v", g.Verdict, g.Reason, c.wantLive)
			}
		})
	}
}

func TestTwoGoal(t *testing.T) {
	single := fan(5000, 100, 0, 0) // stream statements 12 ± 0.5
	two := func(feedA, feedB estimate) *twoResult {
		return &twoResult{PerInstance: 5000, Events: 100, Delivered: 1000000, Want: 1000000,
			Inst:  [2]instanceFigures{{Feed: feedA}, {Feed: feedB}},
			Paced: &twoPaced{Events: 20, Delivered: 200000, Want: 200000}}
	}
	e := func(mean, se float64) estimate { return estimate{Value: mean, SE: se, N: 10} }
	lost := two(e(12, 0.5), e(12, 0.5))
	lost.Delivered--
	cases := []struct {
		name   string
		in     goalInput
		want   string
		reason string
	}{
		{"OK", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: two(e(12, 0.5), e(11, 0.5))}, goalMet, ""},
		{"OK", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: two(e(14, 0.5), e(12, 0.5))}, goalMet, ""}, // 2 < 1.2 + 2×0.71
		{"ErrGrows", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: two(e(12, 0.5), e(15, 0.5))}, goalMissed, "instance B: 15.00 ± 0.50 statements per event it did not take vs 12.00 ± 0.50"},
		{"ErrLost", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: lost}, goalMissed, "999999 of 1000000 burst"},
		{"ErrNoEventOfTheOther", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: two(estimate{}, e(12, 0.5))}, goalMissed, "instance A: no event"},
		{"ErrNoStream", goalInput{Mode: "full", Fanout: []fanoutResult{single}, Two: &twoResult{PerInstance: 5000, Err: "mutation: refused"}}, goalNotMeasured, "mutation: refused"},
		{"ErrNoFanout", goalInput{Mode: "full"}, goalNotMeasured, "did not run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if g := twoGoal(c.in); g.Verdict != c.want || !strings.Contains(g.Reason, c.reason) {
				t.Fatalf("verdict=%v (%s), want %v (%s)", g.Verdict, g.Reason, c.want, c.reason)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		in := goalInput{Mode: "quick", Fanout: []fanoutResult{fan(200, 50, 0, 0), fan(1000, 50, 0, 0)}, Two: two(e(12, 0.5), e(12, 0.5))}
		in.Two.PerInstance = 500
		g := twoGoal(in)
		if g.Verdict != goalMet || !strings.Contains(g.Figure, "at 2 × 500, quick mode") {
			t.Fatalf("verdict=%v (%s), want %v at its own N, said", g.Verdict, g.Figure, goalMet)
		}
		if ref := in.singleRef(500); ref == nil || ref.N != 200 {
			t.Fatalf("singleRef=%v, want N = 200, the largest at or below 500", ref)
		}
	})
}

func TestMutationGoal(t *testing.T) {
	row := func(conc int, ours, ourTx float64) mutationRow {
		return mutationRow{Conc: conc, Ours: loadResult{RPS: ours, Requests: 1000, CPU: 0.8}, OurTxTPS: ourTx, StmtsPerMut: 2.2}
	}
	cases := []struct {
		name   string
		rows   []mutationRow
		want   string
		reason string
	}{
		{"OK", []mutationRow{row(1, 100, 1000), row(8, 800, 1000), row(64, 900, 1000)}, goalMet, ""},
		{"ErrSlowAtEight", []mutationRow{row(8, 688, 1410), row(64, 617, 691)}, goalMissed, "at 8: 688 mutations/s vs 1410 tx/s; the server spends 0.80 ms of CPU per mutation and sends 2.2 statements"},
		{"ErrNoSixtyFour", []mutationRow{row(1, 100, 100), row(8, 800, 1000)}, goalNotMeasured, "not measured at concurrency 64"},
		{"ErrReferenceDisturbed", []mutationRow{row(8, 217, 148), row(64, 193, 61)}, goalNotMeasured, "at 64 ours made 193 mutations/s, more than pgbench running its transaction alone (61 tx/s"},
		{"OK", []mutationRow{row(8, 1050, 1000), row(64, 900, 1000)}, goalMet, ""}, // within the measurement's noise
		{"ErrNoSection", nil, goalNotMeasured, "did not run"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if g := mutationGoal(goalInput{Mutations: c.rows}); g.Verdict != c.want || !strings.Contains(g.Reason, c.reason) {
				t.Fatalf("verdict=%v (%s), want %v (%s)", g.Verdict, g.Reason, c.want, c.reason)
			}
		})
	}
}

func TestQueryGoals(t *testing.T) {
	res := func(rps float64, p99 time.Duration) loadResult {
		return loadResult{RPS: rps, P99: p99, Requests: 1000, CPU: 1, DBCPU: 0.5, GenCPU: 0.2}
	}
	q := func(ours, v4, v5 loadResult) queryRow {
		return queryRow{Query: "board snapshot", Conc: 64, Ours: ours, Peers: []loadResult{v4, v5}}
	}
	peers := []peerInfo{{Name: "PostGraphile 4"}, {Name: "PostGraphile 5"}}
	cases := []struct {
		name   string
		rows   []queryRow
		want   string
		reason string
	}{
		{"OK", []queryRow{q(res(900, 100*time.Millisecond), res(300, time.Second), res(100, time.Second))}, goalMet, ""},
		{"ErrBelowFasterPeer", []queryRow{q(res(900, 100*time.Millisecond), res(100, time.Second), res(301, time.Second))}, goalMissed, "ours takes 1.70"},
		{"ErrSlowerP99", []queryRow{q(res(900, 2*time.Second), res(300, time.Second), res(100, time.Second))}, goalMissed, "p99 2000.0 ms vs 1000.0 ms"},
		{"ErrNoSixtyFour", []queryRow{{Query: "board snapshot", Conc: 8, Ours: res(1, 0), Peers: []loadResult{res(1, 0)}}}, goalNotMeasured, "concurrency 64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gs := queryGoals(goalInput{Cores: 2, Queries: c.rows, Peers: peers})
			if len(gs) != 1 || gs[0].Verdict != c.want || !strings.Contains(gs[0].Reason, c.reason) {
				t.Fatalf("goals=%+v, want one %v (%s)", gs, c.want, c.reason)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		gs := queryGoals(goalInput{Cores: 2, Queries: []queryRow{q(res(900, 0), res(100, time.Second), res(301, time.Second))}, Peers: peers})
		if !strings.Contains(gs[0].Figure, "PostGraphile 5's") {
			t.Fatalf("figure=%q, want it held against PostGraphile 5, the faster", gs[0].Figure)
		}
	})
}

func TestEstimate(t *testing.T) {
	cases := []struct {
		name      string
		v         []float64
		value, se float64
	}{
		{"OK", []float64{2, 4, 6}, 4, 2.1455},
		{"OK", []float64{10, 11, 12, 1000}, 11.5, 0.9291}, // one window with every socket's token re-check
		{"OK", []float64{13, 13, 13}, 13, 0},
		{"OK", []float64{5}, 5, 0},
		{"OK", nil, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := medianSE(c.v)
			if e.Value != c.value || e.SE < c.se-1e-3 || e.SE > c.se+1e-3 || e.N != len(c.v) {
				t.Fatalf("estimate=%+v, want %v ± %v over %d", e, c.value, c.se, len(c.v))
			}
		})
	}
	if d := (estimate{Value: 10, SE: 3}).minus(estimate{Value: 4, SE: 4}); d.Value != 6 || d.SE != 5 {
		t.Fatalf("difference=%+v, want 6 ± 5", d)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 1234567: "1,234,567"} {
		t.Run("OK", func(t *testing.T) {
			if got := thousands(n); got != want {
				t.Fatalf("thousands(%d)=%q, want %q", n, got, want)
			}
		})
	}
}
