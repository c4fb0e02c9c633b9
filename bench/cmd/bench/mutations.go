package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// mutationRow is one line of the mutation table.
type mutationRow struct {
	Conc         int
	Ours         loadResult
	StmtsPerMut  float64
	PgbenchTPS   float64
	PgbenchLatMs float64
	// OurTxTPS and OurTxLatMs are pgbench running our own transaction
	// (ourTxScript).
	OurTxTPS   float64
	OurTxLatMs float64
}

// Column lists of store/orders.go (orderColumns, jobColumns), for the
// replayed transaction.
const (
	orderColumns = `id, site_id, visit_id, number, state, work_type, priority, findings, under_warranty,
	wash_requested, payment_method, old_parts, insurance_claim, insurer_name, assessment_reference,
	advisor_id, promised_at, estimated_at, signed_at, signed_by, handed_over_at, qc_passed_at, ready_at,
	notify_by, settled_at, delivered_at, cancelled_at, cancel_reason, rework_count, stage, stage_since,
	version, created_at, updated_at`
	jobColumns = `id, site_id, order_id, description, state, labour_minutes, labour_price, payer, additional,
	safety, technician_id, bay_id, progress, pause_reason, pause_note, rework_count, rework_reason,
	dispatched_at, started_at, finished_at, worked_minutes, parts_short, version, created_at, updated_at`
)

// ourTxScript is a pgbench script of the transaction the server runs for one
// reportJobProgress (store.jobStep; store/jobstep_test.go keeps it at these
// two statements): lock the job and its order, then save the job, append the
// event with its pg_notify and read the order's other jobs, then commit. Each
// statement as the server sends it, prepared, except that the lock's columns
// are named o_id… instead of "o.id"… (pgbench's \gset needs plain names) and
// that a value which may be NULL goes through NULLIF (\gset turns NULL into
// an empty string). Like our workers, client c of n takes the jobs c, c+n, c+2n… of the
// set, so no two clients share a job; the server's values (the job's own,
// the new progress, the time, the event's summary) come from the lock's row,
// \set and -D.
func ourTxScript(first int64, jobs, n int) string {
	var b strings.Builder
	alias := func(table, columns string) string {
		var cols []string
		for _, c := range strings.Split(columns, ",") {
			c = strings.TrimSpace(c)
			cols = append(cols, fmt.Sprintf("%s.%s AS %s_%s", table, c, table, c))
		}
		return strings.Join(cols, ", ")
	}
	fmt.Fprintf(&b, "\\set k random(0, %d)\n", max(1, jobs/n)-1)
	fmt.Fprintf(&b, "\\set id %d + (:client_id + :k * %d) %% %d\n", first, n, jobs)
	b.WriteString("\\set p random(0, 100)\n")
	b.WriteString("BEGIN;\n")
	b.WriteString("SELECT " + alias("o", orderColumns) + ",\n\t" + alias("j", jobColumns) + ", j.running_since,\n" +
		"\tCOALESCE((SELECT u.short_name FROM users u WHERE u.id = j.technician_id), '') AS j_technician_name\n" +
		"FROM jobs j JOIN repair_orders o ON o.id = j.order_id\nWHERE j.id = :id\nFOR UPDATE OF o, j\n\\gset\n")
	b.WriteString("\\set v :j_version + 1\n")
	b.WriteString(`WITH saved AS (
	UPDATE jobs SET state = :j_state, technician_id = NULLIF(:j_technician_id, '')::BIGINT, bay_id = NULLIF(:j_bay_id, '')::BIGINT,
		progress = :p, pause_reason = NULLIF(:j_pause_reason, ''), pause_note = :j_pause_note,
		rework_count = :j_rework_count, rework_reason = :j_rework_reason, dispatched_at = NULLIF(:j_dispatched_at, '')::TIMESTAMPTZ,
		started_at = NULLIF(:j_started_at, '')::TIMESTAMPTZ, finished_at = NULLIF(:j_finished_at, '')::TIMESTAMPTZ,
		worked_minutes = :j_worked_minutes, version = :v, updated_at = :now, labour_price = :j_labour_price, payer = :j_payer,
		running_since = CASE WHEN :j_state = 'IN_PROGRESS' THEN COALESCE(running_since, :now) ELSE NULL END
	WHERE id = :id
), logged AS (
	INSERT INTO events (site_id, kind, order_id, job_id, visit_id, advisor_id, actor_id, summary, at)
	SELECT :o_site_id, :kind, :o_id, :id, :o_visit_id, :o_advisor_id, NULLIF(:j_technician_id, '')::BIGINT, :summary, :now
	FROM pg_notify(:channel, '')
)
SELECT ` + jobColumns + `
FROM jobs WHERE order_id = :o_id AND id <> :id ORDER BY id;
COMMIT;
`)
	return b.String()
}

// pgbench runs script at concurrency n for o.dur and returns its tx/s and
// average latency.
func pgbench(ctx context.Context, o options, n int, script string, defs ...string) (tps, latMs float64, err error) {
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(n), "-j", strconv.Itoa(min(n, 2)),
		"-T", strconv.Itoa(int(o.dur.Seconds())), "-f", script}
	for _, d := range defs {
		args = append(args, "-D", d)
	}
	out, err := exec.CommandContext(ctx, o.pgbench, append(args, o.dbURL)...).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("pgbench %s: %v\n%s", filepath.Base(script), err, out)
	}
	if bytes.Contains(out, []byte("aborted")) || bytes.Contains(out, []byte("error:")) {
		return 0, 0, fmt.Errorf("pgbench %s failed:\n%s", filepath.Base(script), out)
	}
	if m := tpsRe.FindSubmatch(out); m != nil {
		tps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	if m := latRe.FindSubmatch(out); m != nil {
		latMs, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	return tps, latMs, nil
}

var tpsRe = regexp.MustCompile(`tps = ([0-9.]+)`)
var latRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)

func runMutations(ctx context.Context, o options, fx fixture, db *dbCPU, rep *report) error {
	jobs := fx.MutateJobIDs
	rows := slices.Clone(fx.MutateJobRows)
	slices.Sort(rows)
	if int64(len(rows)) != rows[len(rows)-1]-rows[0]+1 {
		return fmt.Errorf("the fixture's jobs to mutate are not rows %d…%d: the pgbench scripts pick rows by number", rows[0], rows[len(rows)-1])
	}
	script := filepath.Join(o.logDir, "pgbench-update.sql")
	// The ceiling: one committed single-row UPDATE on the same kind of row,
	// spread over the same jobs.
	if err := os.WriteFile(script, fmt.Appendf(nil, "\\set id random(%d, %d)\n\\set p random(0, 100)\nUPDATE jobs SET progress = :p, updated_at = now() WHERE id = :id;\n",
		rows[0], rows[len(rows)-1]), 0o644); err != nil {
		return err
	}

	port := freePort()
	p, base, err := ours(o, "bayboard-mutations", port)
	if err != nil {
		return err
	}
	defer p.Stop(10 * time.Second)
	t := target{url: base + "/query", token: fx.WorkToken}
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
		rep.mutations = append(rep.mutations, row)
	}
	// pgbench runs with our instance stopped: its hub would otherwise wake on
	// every NOTIFY of the replayed transaction and sequence its event, work
	// that is not the transaction's own.
	p.Stop(10 * time.Second)
	for i := range rep.mutations {
		row := &rep.mutations[i]
		n := row.Conc
		if ctx.Err() != nil {
			return ctx.Err()
		}
		say(fmt.Sprintf("mutations: pgbench, concurrency %d", n))
		if row.PgbenchTPS, row.PgbenchLatMs, err = pgbench(ctx, o, n, script); err != nil {
			return err
		}
		say(fmt.Sprintf("mutations: pgbench of our transaction, concurrency %d", n))
		txScript := filepath.Join(o.logDir, fmt.Sprintf("pgbench-our-tx-%d.sql", n))
		if err := os.WriteFile(txScript, []byte(ourTxScript(rows[0], len(rows), n)), 0o644); err != nil {
			return err
		}
		if row.OurTxTPS, row.OurTxLatMs, err = pgbench(ctx, o, n, txScript, "kind=JOB_PROGRESS", "summary=Progress 50%",
			"channel=bayboard_events", "now="+time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
	}
	return settleLog(ctx, o, db.db)
}

// settleLog lets an instance give log positions to the events pgbench
// appended while none ran, so that the next section starts from a log in
// which nothing waits.
func settleLog(ctx context.Context, o options, admin *sql.DB) error {
	say("mutations: sequencing pgbench's events")
	p, _, err := ours(o, "bayboard-settle", freePort())
	if err != nil {
		return err
	}
	defer p.Stop(10 * time.Second)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var waiting int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE pos IS NULL`).Scan(&waiting); err != nil {
			return err
		}
		if waiting == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d events still without a log position after 2 minutes", waiting)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
