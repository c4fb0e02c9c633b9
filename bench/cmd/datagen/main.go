// Command datagen fills a migrated, empty Bayboard database with a generated
// dealership for the benchmarks (make bench): sites, staff, customers,
// vehicles, years of visits with their repair orders, jobs and part lines,
// today's workshop (the board of site 1) and a set of jobs in progress for
// the mutation benchmark. Everything but today's timestamps is a function of
// the seed: rows are made with INSERT … SELECT generate_series and a hash of
// (row, seed), so two runs with the same seed give the same data.
//
// It prints the fixture (token, IDs to query, jobs to report progress on) as
// JSON on stdout. It imports the standard library and lib/pq only.
package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Fixture is what the benchmarks need to know about the generated data.
type Fixture struct {
	Token string `json:"token"`
	// WorkToken is the technician's to whom the jobs the benchmarks report
	// progress on are dispatched: only a job's own technician may work it.
	WorkToken      string   `json:"workToken"`
	Customers      int      `json:"customers"`
	Vehicles       int      `json:"vehicles"`
	Visits         int      `json:"visits"`
	Orders         int      `json:"orders"`
	Jobs           int      `json:"jobs"`
	PartLines      int      `json:"partLines"`
	BoardSite      int64    `json:"boardSite"`
	BoardSiteID    string   `json:"boardSiteId"` // ours
	HistoryCust    int64    `json:"historyCustomer"`
	HistoryCustID  string   `json:"historyCustomerId"`
	NodeOrder      int64    `json:"nodeOrder"`
	NodeOrderID    string   `json:"nodeOrderId"`   // ours
	NodeOrderPGID  string   `json:"nodeOrderPgId"` // PostGraphile's nodeId
	FeedJobIDs     []string `json:"feedJobIds"`    // IN_PROGRESS jobs on the board site, one per order
	MutateJobIDs   []string `json:"mutateJobIds"`  // IN_PROGRESS jobs of the mutation site, one per order
	MutateJobRows  []int64  `json:"mutateJobRows"` // their row ids (for pgbench)
	Seed           int      `json:"seed"`
	GenerationSecs float64  `json:"generationSeconds"`
}

func main() {
	url := flag.String("database-url", "", "PostgreSQL URL of a migrated, empty database")
	customers := flag.Int("customers", 20000, "customers")
	vehicles := flag.Int("vehicles", 30000, "vehicles (at most 2 × customers)")
	visits := flag.Int("visits", 200000, "historical visits")
	mutateOrders := flag.Int("mutate-orders", 256, "orders in work on the mutation site, one job in progress each")
	seed := flag.Int("seed", 7, "seed")
	token := flag.String("token", "bench-manager-token-0001", "bearer token of the service manager")
	workToken := flag.String("work-token", "bench-technician-token-0001", "bearer token of the technician the jobs in progress are dispatched to")
	flag.Parse()
	if *url == "" || *vehicles > 2**customers || *vehicles < *customers {
		fmt.Fprintln(os.Stderr, "datagen: need --database-url and customers <= vehicles <= 2 × customers")
		os.Exit(2)
	}
	f, err := generate(context.Background(), *url, *customers, *vehicles, *visits, *mutateOrders, *seed, *token, *workToken)
	if err != nil {
		fmt.Fprintln(os.Stderr, "datagen:", err)
		os.Exit(1)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(f)
}

// ourID is Bayboard's global ID: base64url("Type:n").
func ourID(typ string, n int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", typ, n)))
}

// pgID is PostGraphile v4's nodeId: base64(JSON ["Type", n]).
func pgID(typ string, n int64) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("[%q,%d]", typ, n)))
}

const sites = 4

func generate(ctx context.Context, url string, nc, nv, nvis, nmut, seed int, token, workToken string) (*Fixture, error) {
	start := time.Now()
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // one session: pg_temp functions live in it
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM sites`).Scan(&n); err != nil {
		return nil, fmt.Errorf("is the database migrated? %w", err)
	}
	if n > 0 {
		return nil, fmt.Errorf("the database already has %d sites: give datagen an empty, migrated database", n)
	}
	r := strings.NewReplacer("{C}", fmt.Sprint(nc), "{V}", fmt.Sprint(nv), "{N}", fmt.Sprint(nvis),
		"{M}", fmt.Sprint(nmut), "{SEED}", fmt.Sprint(seed), "{S}", fmt.Sprint(sites))
	for i, stmt := range script {
		if _, err := conn.ExecContext(ctx, r.Replace(stmt)); err != nil {
			return nil, fmt.Errorf("statement %d: %w\n%s", i+1, err, r.Replace(stmt))
		}
	}
	if _, err := conn.ExecContext(ctx, `
		INSERT INTO tokens (hash, user_id, label) VALUES (sha256(convert_to($1, 'UTF8')), $2, 'bench'),
			(sha256(convert_to($3, 'UTF8')), $4, 'bench')`,
		token, managerID, workToken, workerID); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `ANALYZE`); err != nil {
		return nil, err
	}
	f := &Fixture{Token: token, WorkToken: workToken, Customers: nc, Vehicles: nv, Visits: nvis, Seed: seed,
		BoardSite: 1, BoardSiteID: ourID("Site", 1), HistoryCust: 1, HistoryCustID: ourID("Customer", 1)}
	f.NodeOrder = int64(nvis / 2)
	// PostGraphile's node id names the table, as both versions write it (V4
	// also takes the type's name; V5, even with its V4 preset, does not).
	f.NodeOrderID, f.NodeOrderPGID = ourID("RepairOrder", f.NodeOrder), pgID("repair_orders", f.NodeOrder)
	for q, p := range map[string]*int{`SELECT count(*) FROM repair_orders`: &f.Orders,
		`SELECT count(*) FROM jobs`: &f.Jobs, `SELECT count(*) FROM part_lines`: &f.PartLines} {
		if err := conn.QueryRowContext(ctx, q).Scan(p); err != nil {
			return nil, err
		}
	}
	jobs := func(site int) ([]int64, error) {
		var ids []int64
		err := conn.QueryRowContext(ctx, `
			SELECT array_agg(id ORDER BY id) FROM (
				SELECT DISTINCT ON (j.order_id) j.id FROM jobs j JOIN repair_orders o ON o.id = j.order_id
				WHERE j.site_id = $1 AND j.state = 'IN_PROGRESS' AND o.state = 'IN_WORK'
				ORDER BY j.order_id, j.id) t`, site).Scan(pq.Array(&ids))
		return ids, err
	}
	feed, err := jobs(1)
	if err != nil {
		return nil, err
	}
	for _, id := range feed {
		f.FeedJobIDs = append(f.FeedJobIDs, ourID("Job", id))
	}
	if f.MutateJobRows, err = jobs(2); err != nil {
		return nil, err
	}
	for _, id := range f.MutateJobRows {
		f.MutateJobIDs = append(f.MutateJobIDs, ourID("Job", id))
	}
	f.GenerationSecs = time.Since(start).Seconds()
	return f, nil
}

// managerID is the service manager's user id: {S} sites × 17 staff + 1;
// workerID the technician's whose the jobs in progress today are.
const (
	managerID = sites*17 + 1
	workerID  = sites*17 + 2
)

// script makes the data. Placeholders: {C} customers, {V} vehicles, {N}
// visits, {M} mutation orders, {S} sites, {SEED}. pg_temp.r(k) is a
// deterministic number in [0, 1) for the key k.
var script = []string{
	`SET synchronous_commit = off`,
	`CREATE FUNCTION pg_temp.r(k BIGINT) RETURNS FLOAT8 LANGUAGE sql IMMUTABLE AS
	 $$ SELECT (hashint8(k * 1000003 + {SEED}) & 2147483647)::FLOAT8 / 2147483648.0 $$`,
	`CREATE FUNCTION pg_temp.pick(k BIGINT, a TEXT[]) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
	 $$ SELECT a[1 + floor(pg_temp.r(k) * array_length(a, 1))::INT] $$`,

	// Sites, 17 staff each (4 advisors, 12 technicians, 1 foreman), 10 bays each, one manager.
	`INSERT INTO sites (id, code, name, labour_rate) OVERRIDING SYSTEM VALUE
	 SELECT s, 'SZ0' || s, '深圳' || s || '店', 30000 FROM generate_series(1, {S}) s`,
	`INSERT INTO users (id, name, short_name, role, team_lead, team) OVERRIDING SYSTEM VALUE
	 SELECT (s - 1) * 17 + k,
	        CASE WHEN k <= 4 THEN '顾问' WHEN k <= 16 THEN '技师' ELSE '主管' END || s || '-' || k,
	        CASE WHEN k <= 4 THEN 'A' WHEN k <= 16 THEN 'T' ELSE 'F' END || s || k,
	        CASE WHEN k <= 4 THEN 'ADVISOR' WHEN k <= 16 THEN 'TECHNICIAN' ELSE 'FOREMAN' END,
	        k IN (5, 11), CASE WHEN k BETWEEN 5 AND 10 THEN '一组' WHEN k BETWEEN 11 AND 16 THEN '二组' ELSE '' END
	 FROM generate_series(1, {S}) s, generate_series(1, 17) k`,
	`INSERT INTO users (id, name, short_name, role) OVERRIDING SYSTEM VALUE
	 VALUES ({S} * 17 + 1, '服务经理', 'MGR', 'SERVICE_MANAGER'), ({S} * 17 + 2, '基准技师', 'BT', 'TECHNICIAN')`,
	`INSERT INTO user_sites (user_id, site_id)
	 SELECT (s - 1) * 17 + k, s FROM generate_series(1, {S}) s, generate_series(1, 17) k
	 UNION ALL SELECT {S} * 17 + 1, s FROM generate_series(1, {S}) s
	 UNION ALL SELECT {S} * 17 + 2, s FROM generate_series(1, {S}) s`,
	`INSERT INTO bays (id, site_id, code, name, kind) OVERRIDING SYSTEM VALUE
	 SELECT (s - 1) * 10 + b, s, 'B' || lpad(b::TEXT, 2, '0'), '工位' || b, CASE WHEN b = 10 THEN 'WASH' WHEN b > 7 THEN 'LIFT' ELSE 'GENERAL' END
	 FROM generate_series(1, {S}) s, generate_series(1, 10) b`,

	// Customers, their vehicles (the first {V}-{C} customers have two), and years of visits.
	`INSERT INTO customers (id, site_id, name, phone, email, address, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT c, 1 + (c - 1) % {S},
	        pg_temp.pick(c, '{王,李,张,刘,陈,杨,黄,赵,吴,周}') || pg_temp.pick(c + 1, '{伟,芳,娜,敏,静,丽,强,磊,军,洋}') || c,
	        '13' || lpad((floor(pg_temp.r(c + 2) * 1e9))::BIGINT::TEXT, 9, '0'),
	        'c' || c || '@example.com', '深圳市南山区科技园' || c || '号',
	        '2020-01-01'::TIMESTAMPTZ + pg_temp.r(c + 3) * INTERVAL '365 days', '2021-01-01'::TIMESTAMPTZ
	 FROM generate_series(1, {C}) c`,
	`INSERT INTO vehicles (id, site_id, customer_id, plate, vin, make, model, year, colour, mileage, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT v, 1 + (cust - 1) % {S}, cust, '粤B' || lpad(v::TEXT, 6, '0'), 'LBB' || lpad(v::TEXT, 14, '0'),
	        pg_temp.pick(v, '{丰田,本田,大众,别克,日产,宝马,奔驰,奥迪}'),
	        pg_temp.pick(v + 1, '{凯美瑞,雅阁,帕萨特,君威,天籁,3系,C级,A4L}'),
	        2012 + floor(pg_temp.r(v + 2) * 13)::INT, pg_temp.pick(v + 3, '{白,黑,银,灰,红,蓝}'),
	        floor(pg_temp.r(v + 4) * 150000)::INT, '2020-06-01', '2020-06-01'
	 FROM (SELECT v, CASE WHEN v <= {C} THEN v ELSE v - {C} END AS cust FROM generate_series(1, {V}) v) t`,
	`INSERT INTO visits (id, site_id, customer_id, vehicle_id, advisor_id, received_at, mileage, fuel_level, damages,
	                     belongings, key_tag, complaint, walkaround_signed, delivered_at, exit_pass, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT i, ve.site_id, ve.customer_id, ve.id, (ve.site_id - 1) * 17 + 1 + i % 4, t.at,
	        1000 + (i / {V}) * 8000 + floor(pg_temp.r(i) * 5000)::INT, floor(pg_temp.r(i + 1) * 100)::INT,
	        CASE WHEN pg_temp.r(i + 2) < 0.2 THEN '[{"location":"左前门","description":"划痕 5cm"}]'::JSONB ELSE '[]' END,
	        '{雨伞}', 'K' || (i % 200), pg_temp.pick(i + 3, '{常规保养,刹车异响,空调不凉,发动机故障灯亮,更换轮胎,钣喷}'),
	        TRUE, t.at + INTERVAL '6 hours', 'EP' || i, t.at, t.at + INTERVAL '6 hours'
	 FROM generate_series(1, {N}) i
	 CROSS JOIN LATERAL (SELECT '2021-01-01'::TIMESTAMPTZ + (i::FLOAT8 / {N}) * INTERVAL '1800 days' AS at) t
	 JOIN vehicles ve ON ve.id = 1 + (i - 1) % {V}`,
	`INSERT INTO repair_orders (id, site_id, visit_id, number, state, work_type, priority, findings, wash_requested,
	                            payment_method, advisor_id, promised_at, estimated_at, signed_at, signed_by, handed_over_at,
	                            qc_passed_at, ready_at, settled_at, delivered_at, stage, stage_since, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT vi.id, vi.site_id, vi.id, 'RO' || to_char(vi.received_at, 'YYMMDD') || '-' || lpad(vi.id::TEXT, 6, '0'), 'DELIVERED',
	        pg_temp.pick(vi.id, '{MAINTENANCE,MAINTENANCE,REPAIR,WARRANTY,ACCIDENT}'), 'NORMAL', vi.complaint || ': 已检查',
	        pg_temp.r(vi.id + 1) < 0.5, pg_temp.pick(vi.id + 2, '{CASH,CARD,WECHAT_PAY,ALIPAY}'), vi.advisor_id,
	        vi.received_at + INTERVAL '5 hours', vi.received_at + INTERVAL '4 hours', vi.received_at + INTERVAL '10 minutes', '客户',
	        vi.received_at + INTERVAL '20 minutes', vi.received_at + INTERVAL '4 hours', vi.received_at + INTERVAL '5 hours',
	        vi.received_at + INTERVAL '5 hours 30 minutes', vi.delivered_at, NULL, vi.delivered_at, vi.received_at, vi.delivered_at
	 FROM visits vi`,
	`INSERT INTO jobs (site_id, order_id, description, state, labour_minutes, labour_price, technician_id, bay_id, progress,
	                   dispatched_at, started_at, finished_at, worked_minutes, created_at, updated_at)
	 SELECT o.site_id, o.id, pg_temp.pick(o.id * 3 + g, '{更换机油机滤,检查刹车片,更换空调滤芯,四轮定位,更换火花塞,诊断故障码,更换雨刮}'),
	        'DONE', m, m * 500, (o.site_id - 1) * 17 + 5 + (o.id + g) % 12, (o.site_id - 1) * 10 + 1 + (o.id + g) % 9, 100,
	        o.handed_over_at, o.handed_over_at, o.qc_passed_at, m, o.created_at, o.updated_at
	 FROM repair_orders o, generate_series(1, 1 + (pg_temp.r(o.id + 5) < 0.5)::INT) g,
	      LATERAL (SELECT 30 + 15 * floor(pg_temp.r(o.id * 3 + g) * 8)::INT AS m) lm
	 ORDER BY o.id, g`,
	`INSERT INTO part_lines (site_id, order_id, job_id, part_number, description, quantity, unit_price, created_at)
	 SELECT j.site_id, j.order_id, j.id, 'P' || lpad((1 + floor(pg_temp.r(j.id) * 500))::INT::TEXT, 5, '0'),
	        pg_temp.pick(j.id + 1, '{机油,机滤,刹车片,空调滤芯,火花塞,雨刮片}'), 1 + floor(pg_temp.r(j.id + 2) * 4)::INT,
	        2000 + floor(pg_temp.r(j.id + 3) * 50000)::INT, j.created_at
	 FROM (SELECT DISTINCT ON (order_id) * FROM jobs ORDER BY order_id, id) j
	 ORDER BY j.order_id`,

	// Today's workshop on site 1: 40 cars (28 in work, 4 each in QC, wash, ready)
	// and {M} cars in work on site 2 with one job in progress each, for the
	// mutation benchmark. Vehicle 4k+1 belongs to site 1, 4k+2 to site 2.
	`CREATE TEMP TABLE today AS
	 SELECT {N} + 1 + j AS id, 1 AS site_id, 4 * j + 1 AS vehicle_id,
	        CASE j % 10 WHEN 6 THEN 'QC' WHEN 7 THEN 'WASH' WHEN 8 THEN 'READY' ELSE 'IN_WORK' END AS state,
	        CASE j % 10 WHEN 6 THEN 'CHECKS' WHEN 7 THEN 'WASH' WHEN 8 THEN 'READY' ELSE 'IN_WORK' END AS stage, j
	 FROM generate_series(0, 39) j
	 UNION ALL
	 SELECT {N} + 41 + j, 2, 4 * j + 2, 'IN_WORK', 'IN_WORK', j FROM generate_series(0, {M} - 1) j`,
	`INSERT INTO visits (id, site_id, customer_id, vehicle_id, advisor_id, received_at, mileage, fuel_level, key_tag,
	                     complaint, walkaround_signed, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT t.id, t.site_id, ve.customer_id, ve.id, (t.site_id - 1) * 17 + 1 + t.j % 4, now() - (t.j % 8) * INTERVAL '30 minutes' - INTERVAL '1 hour',
	        ve.mileage + 1000, 50, 'K' || t.j, '常规保养', TRUE, now() - INTERVAL '2 hours', now() - INTERVAL '2 hours'
	 FROM today t JOIN vehicles ve ON ve.id = t.vehicle_id`,
	`INSERT INTO repair_orders (id, site_id, visit_id, number, state, work_type, priority, findings, wash_requested,
	                            advisor_id, promised_at, signed_at, signed_by, handed_over_at, qc_passed_at, ready_at,
	                            stage, stage_since, created_at, updated_at) OVERRIDING SYSTEM VALUE
	 SELECT t.id, t.site_id, t.id, 'RO' || to_char(now(), 'YYMMDD') || '-T' || lpad(t.id::TEXT, 6, '0'), t.state,
	        pg_temp.pick(t.id, '{MAINTENANCE,REPAIR,WARRANTY}'), CASE WHEN t.j % 7 = 0 THEN 'URGENT' WHEN t.j % 5 = 0 THEN 'HIGH' ELSE 'NORMAL' END,
	        '已检查', t.j % 2 = 0, vi.advisor_id, now() + (t.j % 12 - 2) * INTERVAL '30 minutes',
	        vi.received_at + INTERVAL '10 minutes', '客户', vi.received_at + INTERVAL '20 minutes',
	        CASE WHEN t.state IN ('WASH', 'READY') THEN now() - INTERVAL '10 minutes' END,
	        CASE WHEN t.state = 'READY' THEN now() - INTERVAL '5 minutes' END,
	        t.stage, vi.received_at + INTERVAL '20 minutes', vi.received_at, vi.received_at
	 FROM today t JOIN visits vi ON vi.id = t.id`,
	`INSERT INTO jobs (site_id, order_id, description, state, labour_minutes, labour_price, technician_id, bay_id, progress,
	                   dispatched_at, started_at, running_since, created_at, updated_at)
	 SELECT t.site_id, t.id, pg_temp.pick(t.id * 3 + g, '{更换机油机滤,检查刹车片,更换空调滤芯,四轮定位,更换火花塞,诊断故障码}'),
	        CASE WHEN t.state <> 'IN_WORK' THEN 'DONE' WHEN g = 1 THEN 'IN_PROGRESS' ELSE 'DISPATCHED' END, 60, 30000,
	        (t.site_id - 1) * 17 + 5 + (t.j + g) % 12, (t.site_id - 1) * 10 + 1 + (t.j + g) % 9,
	        CASE WHEN t.state <> 'IN_WORK' THEN 100 WHEN g = 1 THEN 40 ELSE 0 END,
	        now() - INTERVAL '1 hour', CASE WHEN g = 1 OR t.state <> 'IN_WORK' THEN now() - INTERVAL '50 minutes' END,
	        CASE WHEN g = 1 AND t.state = 'IN_WORK' THEN now() - INTERVAL '50 minutes' END, now() - INTERVAL '1 hour', now() - INTERVAL '1 hour'
	 FROM today t, generate_series(1, CASE WHEN t.site_id = 1 THEN 2 + t.j % 2 ELSE 1 END) g
	 ORDER BY t.id, g`,

	// The jobs in progress today are the bench technician's, whose token
	// reports their progress: only a job's own technician may.
	`UPDATE jobs SET technician_id = {S} * 17 + 2 WHERE order_id > {N} AND state = 'IN_PROGRESS'`,

	// Identities continue after the generated rows.
	`DO $$ DECLARE t TEXT; BEGIN
	   FOREACH t IN ARRAY ARRAY['sites','users','bays','customers','vehicles','visits','repair_orders','jobs','part_lines'] LOOP
	     EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT max(id) FROM %I))', t, t);
	   END LOOP;
	 END $$`,
	`SELECT setval('repair_order_number_seq', 1000000)`,
}
