package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// mutationRow is one line of the mutation table.
type mutationRow struct {
	Conc         int
	Ours         loadResult
	StmtsPerMut  float64
	PgbenchTPS   float64
	PgbenchLatMs float64
}

var tpsRe = regexp.MustCompile(`tps = ([0-9.]+)`)
var latRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)

func runMutations(ctx context.Context, o options, fx fixture, db *dbCPU, rep *report) error {
	port := freePort()
	p, base, err := ours(o, "bayboard-mutations", port)
	if err != nil {
		return err
	}
	defer p.Stop(10 * time.Second)
	t := target{url: base + "/query", token: fx.Token}
	jobs := fx.MutateJobIDs
	rows := slices.Clone(fx.MutateJobRows)
	slices.Sort(rows)
	script := filepath.Join(o.logDir, "pgbench-update.sql")
	// The ceiling: one committed single-row UPDATE on the same kind of row,
	// spread over the same jobs.
	if err := os.WriteFile(script, fmt.Appendf(nil, "\\set id random(%d, %d)\n\\set p random(0, 100)\nUPDATE jobs SET progress = :p, updated_at = now() WHERE id = :id;\n",
		rows[0], rows[len(rows)-1]), 0o644); err != nil {
		return err
	}
	for _, n := range o.conc {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		row := mutationRow{Conc: n}
		m0, _ := metrics(base)
		// Worker w reports on jobs w, w+n, w+2n, …: no two workers share a job
		// (or its order) when n <= len(jobs).
		row.Ours = closedLoop(ctx, t, n, o.warm, o.dur, p.Pid(), db, func(w, i int) []byte {
			per := max(1, len(jobs)/n)
			return progressBody(jobs[(w+(i%per)*n)%len(jobs)], i%101)
		}, func(done int) { say(fmt.Sprintf("mutations: Bayboard, concurrency %d: %d", n, done)) })
		if row.Ours.Errors > 0 {
			return fmt.Errorf("reportJobProgress, concurrency %d: %d errors, first: %s", n, row.Ours.Errors, row.Ours.FirstErr)
		}
		m1, _ := metrics(base)
		if row.Ours.Requests > 0 {
			row.StmtsPerMut = (m1["bayboard_sql_statements_total"] - m0["bayboard_sql_statements_total"]) / float64(row.Ours.Total)
		}
		say(fmt.Sprintf("mutations: pgbench, concurrency %d", n))
		cmd := exec.CommandContext(ctx, o.pgbench, "-n", "-M", "prepared", "-c", strconv.Itoa(n), "-j", strconv.Itoa(min(n, 2)),
			"-T", strconv.Itoa(int(o.dur.Seconds())), "-f", script, o.dbURL)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("pgbench: %v\n%s", err, out)
		}
		if m := tpsRe.FindSubmatch(out); m != nil {
			row.PgbenchTPS, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		if m := latRe.FindSubmatch(out); m != nil {
			row.PgbenchLatMs, _ = strconv.ParseFloat(string(m[1]), 64)
		}
		rep.mutations = append(rep.mutations, row)
	}
	return nil
}
