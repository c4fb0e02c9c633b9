package main

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// twoResult is the fan-out step on two instances (issue 18): A and B on one
// database, PerInstance subscribers on each, the mutations alternating
// between them (event k through instance (k-1) mod 2), so that an update
// reaches every subscriber whichever instance took its mutation.
type twoResult struct {
	PerInstance     int
	Events          int
	Delivered, Want int64
	P50, P99, Max   time.Duration
	// OtherP99 is the p99 of the deliveries by the instance that did not
	// take the mutation (the update came to it through PostgreSQL).
	OtherP99 time.Duration
	Early    int
	Inst     [2]instanceFigures
	Paced    *twoPaced
	Err      string
}

// instanceFigures is one instance's work in the two-instance step.
type instanceFigures struct {
	Mutations  int     // of the burst's events, those committed through this instance
	Statements float64 // burst: its bayboard_sql_statements_total delta over the events, per event
	CPU        float64 // server CPU seconds over the burst
	// The paced stream, one event at a time, its statements read before
	// each event and once the next is due: Feed is the median over the
	// events the other instance took (this instance's feed work alone), Own
	// over those it took itself (the mutation's statements and its feed's),
	// both less Quiet, the median of as many windows with no event.
	Feed, Own, Quiet estimate
}

// ownMutation is what an instance sends more for an event it took than for
// one the other took (its Own minus its Feed): the mutation's statements,
// and the sequencing it usually does, being woken first.
func (f instanceFigures) ownMutation() estimate { return f.Own.minus(f.Feed) }

// twoPaced is the two-instance step's steady stream.
type twoPaced struct {
	Events          int
	Delivered, Want int64
	P50, P99, Max   time.Duration
	Err             string
}

// twoInstances runs the step: it starts A and B, connects per subscribers
// to each, commits a burst of events alternating between them, then a
// steady stream the same way, and stops both.
func twoInstances(ctx context.Context, o options, fx fixture, per int, say func(string)) *twoResult {
	tr := &twoResult{PerInstance: per, Events: o.events}
	var procs [2]*proc
	var bases [2]string
	for i, name := range []string{"bayboard-a", "bayboard-b"} {
		p, base, err := ours(o, name, freePort())
		if err != nil {
			tr.Err = err.Error()
			return tr
		}
		defer p.Stop(15 * time.Second)
		procs[i], bases[i] = p, base
	}
	com := committer{jobs: fx.FeedJobIDs, alt: []target{
		{url: bases[0] + "/query", token: fx.WorkToken}, {url: bases[1] + "/query", token: fx.WorkToken}}}
	// Warm both instances' request and feed paths.
	if _, _, err := com.burst(4, 1); err != nil {
		tr.Err = "mutation: " + err.Error()
		return tr
	}
	var fleets [2]*fleet
	for i := range fleets {
		f := newFleet("ws"+bases[i][len("http"):]+"/query", fx.Token, fx.BoardSiteID)
		defer f.close()
		fleets[i] = f
		f.connect(per, 200, func() { say(fmt.Sprintf("two instances: connecting %d/%d to %c", f.subscribed.Load(), per, 'A'+i)) })
		base := bases[i]
		if !waitFor(60*time.Second, func() bool {
			m, err := metrics(base)
			return err == nil && int(m["bayboard_subscriptions_active"]) >= per
		}, func() { say(fmt.Sprintf("two instances: subscribed %d/%d on %c", f.subscribed.Load(), per, 'A'+i)) }) {
			tr.Err = fmt.Sprintf("only %d of %d subscribed on instance %c (last error: %v)", f.subscribed.Load(), per, 'A'+i, f.lastErr.Load())
			return tr
		}
	}
	time.Sleep(2 * time.Second) // idle, as in the single-instance step
	matched := func() int64 { return fleets[0].matched.Load() + fleets[1].matched.Load() }
	stmts := func() [2]float64 {
		var s [2]float64
		for i, b := range bases {
			if m, err := metrics(b); err == nil {
				s[i] = m["bayboard_sql_statements_total"]
			}
		}
		return s
	}

	// The burst.
	s0 := stmts()
	var cpu0 [2]float64
	for i, p := range procs {
		cpu0[i] = cpuSeconds(p.Pid())
	}
	for _, f := range fleets {
		f.phase.Store(1)
	}
	say(fmt.Sprintf("phase: two instances × %d: committing %d events through A and B in turn", per, o.events))
	acks, _, err := com.burst(o.events, 4)
	if err != nil {
		tr.Err = "mutation: " + err.Error()
	}
	want := int64(len(acks)) * int64(2*per)
	waitFor(60*time.Second, func() bool { return matched() >= want }, func() {
		say(fmt.Sprintf("two instances: delivered %d/%d", matched(), want))
	})
	time.Sleep(300 * time.Millisecond)
	s1 := stmts()
	for i, p := range procs {
		tr.Inst[i].CPU = cpuSeconds(p.Pid()) - cpu0[i]
		if len(acks) > 0 {
			tr.Inst[i].Statements = (s1[i] - s0[i]) / float64(len(acks))
		}
	}
	for k := range acks {
		tr.Inst[(k-1)%2].Mutations++
	}
	tr.Want = want
	var all, other []time.Duration
	for i, f := range fleets {
		tr.Delivered += countPhase(f, 1)
		ds, early := latencies(f, 1, acks)
		all, tr.Early = append(all, ds...), tr.Early+early
		ot, _ := latenciesOf(f, 1, acks, func(k int) bool { return (k-1)%2 != i })
		other = append(other, ot...)
	}
	slices.Sort(all)
	slices.Sort(other)
	tr.P50, tr.P99, tr.OtherP99 = pct(all, 0.5), pct(all, 0.99), pct(other, 0.99)
	if len(all) > 0 {
		tr.Max = all[len(all)-1]
	}
	if tr.Err != "" || pacedEvents == 0 || ctx.Err() != nil {
		return tr
	}

	// The steady stream, each event's statements on both instances.
	pr := &twoPaced{Events: pacedEvents}
	tr.Paced = pr
	say(fmt.Sprintf("phase: two instances × %d: %d windows of %s with no event", per, pacedEvents, pacedInterval))
	quiet := quietWindows(bases[:], pacedEvents, pacedInterval)
	before := matched()
	for _, f := range fleets {
		f.phase.Store(3)
	}
	say(fmt.Sprintf("phase: two instances × %d: a steady stream of %d events", per, pacedEvents))
	pacedAcks, windows, err := com.paced(ctx, pacedEvents, pacedInterval, bases[:])
	if err != nil {
		pr.Err = "mutation: " + err.Error()
	}
	for i := range tr.Inst {
		var own, feed []float64
		for k, w := range windows {
			if k%2 == i { // event k+1 went through instance k mod 2
				own = append(own, w[i])
			} else {
				feed = append(feed, w[i])
			}
		}
		f := &tr.Inst[i]
		f.Quiet = medianSE(quiet[i])
		f.Own, f.Feed = medianSE(own).minus(f.Quiet), medianSE(feed).minus(f.Quiet)
	}
	pr.Want = int64(len(pacedAcks)) * int64(2*per)
	waitFor(60*time.Second, func() bool { return matched()-before >= pr.Want }, func() {
		say(fmt.Sprintf("two instances: stream delivered %d/%d", matched()-before, pr.Want))
	})
	var ds []time.Duration
	for _, f := range fleets {
		pr.Delivered += countPhase(f, 3)
		d, _ := latencies(f, 3, pacedAcks)
		ds = append(ds, d...)
	}
	slices.Sort(ds)
	pr.P50, pr.P99 = pct(ds, 0.5), pct(ds, 0.99)
	if len(ds) > 0 {
		pr.Max = ds[len(ds)-1]
	}
	return tr
}
