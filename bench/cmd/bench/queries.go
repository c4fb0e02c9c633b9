package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// The three queries, each as Bayboard and PostGraphile ask it. PostGraphile 4
// (with the connection-filter plugin) and 5 (its Amber preset with the V4
// preset's names, connection-filter 4) take the same text and must give the
// same answer. Bayboard and the peers return the same records and fields
// where the schemas have them; ours also computes the board's derived fields
// (lane, lateness, masked plate, progress).
const (
	ourHistory = `query History($id: ID!) { customer(id: $id) { id name phone email
  vehicles { id plate vin make model year mileage }
  visits(first: 50) { totalCount edges { node { id receivedAt mileage complaint deliveredAt
    repairOrders { id number state workType findings
      jobs { id description state labourMinutes }
      partLines { id partNumber description quantity } } } } } } }`
	peerHistory = `query History($id: BigInt!) { customerById(id: $id) { nodeId name phone email
  vehiclesBySiteIdAndCustomerId(orderBy: ID_ASC) { nodes { nodeId plate vin make model year mileage } }
  visitsBySiteIdAndCustomerId(first: 50, orderBy: [RECEIVED_AT_DESC, ID_DESC]) { totalCount nodes { nodeId receivedAt mileage complaint deliveredAt
    repairOrdersBySiteIdAndVisitId(orderBy: ID_ASC) { nodes { nodeId number state workType findings
      jobsBySiteIdAndOrderId(orderBy: ID_ASC) { nodes { nodeId description state labourMinutes } }
      partLinesBySiteIdAndOrderId(orderBy: ID_ASC) { nodes { nodeId partNumber description quantity } } } } } } } }`

	ourBoard = `query Board($site: ID!) { board(siteId: $site) { cursor cards {
  orderId number state stage stageSince priority plate make model colour advisor technicians bays
  promisedAt readyAt late progress jobsDone jobsTotal reworkCount washRequested
  jobs { jobId description state technician bay progress safety } } } }`
	peerBoard = `query Board($site: BigInt!) { allRepairOrders(
  filter: { siteId: { equalTo: $site }, state: { in: ["IN_WORK", "QC", "WASH", "READY", "SETTLED"] } },
  orderBy: [PRIORITY_ASC, PROMISED_AT_ASC, ID_ASC]) { nodes {
  nodeId number state stage stageSince priority promisedAt readyAt lateSince reworkCount washRequested
  userByAdvisorId { shortName }
  visitBySiteIdAndVisitId { vehicleBySiteIdAndVehicleId { plate make model colour } }
  jobsBySiteIdAndOrderId(orderBy: ID_ASC) { nodes { nodeId description state progress safety
    userByTechnicianId { shortName } bayBySiteIdAndBayId { code } } } } } }`

	ourNode = `query Node($id: ID!) { node(id: $id) { id ... on RepairOrder {
  number state workType priority findings promisedAt signedAt deliveredAt version } } }`
	peerNode = `query Node($id: ID!) { node(nodeId: $id) { nodeId ... on RepairOrder {
  number state workType priority findings promisedAt signedAt deliveredAt version } } }`
)

func gqlBody(q string, vars string) []byte {
	return fmt.Appendf(nil, `{"query":%q,"variables":%s}`, q, vars)
}

// queryRow is one line of the query table.
type queryRow struct {
	Query string
	Conc  int
	Ours  loadResult
	Peers []loadResult // one per report.peers, in that order
	Floor *loadResult  // the floor server (floor.go), for node(id) only
	Rows  int          // records in our answer
}

// best returns the index in Peers of the peer with the most requests/s,
// the one the goal is held against.
func (q queryRow) best() int {
	b := 0
	for i, p := range q.Peers {
		if p.RPS > q.Peers[b].RPS {
			b = i
		}
	}
	return b
}

// peerInfo names a peer in the report and says how it ran.
type peerInfo struct {
	Name  string // "PostGraphile 4"
	Short string // "V4", the tables' column prefix
	How   string // how it runs, for the method text
}

// peer is a running PostGraphile.
type peer struct {
	peerInfo
	p *proc
	t target
}

var idRe = regexp.MustCompile(`"(id|orderId|jobId|nodeId)"\s*:`)

func runQueries(ctx context.Context, o options, fx fixture, db *dbCPU, rep *report) error {
	our, obase, err := ours(o, "bayboard-queries", freePort())
	if err != nil {
		return err
	}
	defer our.Stop(10 * time.Second)
	var peers []peer
	for _, v := range o.peers {
		start := startPostGraphile
		if v == "v5" {
			start = startPostGraphile5
		}
		pr, err := start(o, freePort())
		if err != nil {
			return err
		}
		defer pr.p.Stop(10 * time.Second)
		peers = append(peers, pr)
		rep.peers = append(rep.peers, pr.peerInfo)
	}
	floor, fbase, err := startFloor(o, freePort())
	if err != nil {
		return err
	}
	defer floor.Stop(10 * time.Second)
	ot := target{url: obase + "/query", token: fx.Token}
	cases := []struct {
		name       string
		ours, peer []byte
		floor      string // the floor server's path; "" for none
	}{
		{"customer history", gqlBody(ourHistory, fmt.Sprintf(`{"id":%q}`, fx.HistoryCustID)),
			gqlBody(peerHistory, fmt.Sprintf(`{"id":"%d"}`, fx.HistoryCust)), "/history"},
		{"board snapshot", gqlBody(ourBoard, fmt.Sprintf(`{"site":%q}`, fx.BoardSiteID)),
			gqlBody(peerBoard, fmt.Sprintf(`{"site":"%d"}`, fx.BoardSite)), ""},
		{"node(id) of an order", gqlBody(ourNode, fmt.Sprintf(`{"id":%q}`, fx.NodeOrderID)),
			gqlBody(peerNode, fmt.Sprintf(`{"id":%q}`, fx.NodeOrderPGID)), "/query"},
	}
	cl := newClient(1)
	for _, c := range cases {
		a, err := post(cl, ot, c.ours)
		if err != nil {
			return fmt.Errorf("%s on Bayboard: %w", c.name, err)
		}
		na := len(idRe.FindAllString(a, -1))
		sizes, names := []string{fmt.Sprint(len(a))}, []string{"Bayboard"}
		var first string
		for i, pr := range peers {
			b, err := post(cl, pr.t, c.peer)
			if err != nil {
				return fmt.Errorf("%s on %s: %w", c.name, pr.Name, err)
			}
			if nb := len(idRe.FindAllString(b, -1)); nb != na {
				return fmt.Errorf("%s: Bayboard returns %d records, %s %d", c.name, na, pr.Name, nb)
			}
			// The PostGraphiles answer the same query text: their answers
			// must be the same, not only as many records.
			if i == 0 {
				first = b
			} else if d := peerAnswerDiff(first, b); d != "" {
				return fmt.Errorf("%s: %s and %s answer differently: %s", c.name, peers[0].Name, pr.Name, d)
			}
			sizes, names = append(sizes, fmt.Sprint(len(b))), append(names, pr.Name)
		}
		if c.floor != "" {
			f, err := post(cl, target{url: fbase + c.floor}, c.ours)
			if err != nil {
				return fmt.Errorf("%s on the floor server: %w", c.name, err)
			}
			// node(id) is the same JSON; the history's timestamps are
			// PostgreSQL's spelling, so its records are counted.
			if nf := len(idRe.FindAllString(f, -1)); (c.floor == "/query" && !sameJSON(a, f)) || nf != na {
				return fmt.Errorf("%s: the floor server answers %d records (%.200s), Bayboard %d", c.name, nf, f, na)
			}
		}
		line := fmt.Sprintf("%s: %d records, %s bytes (%s)", c.name, na, strings.Join(sizes, " / "), strings.Join(names, " / "))
		if len(peers) > 1 {
			line += "; the PostGraphiles' answers are equal"
		}
		rep.queryRecords = append(rep.queryRecords, line)
	}
	for _, c := range cases {
		for _, n := range o.conc {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row := queryRow{Query: c.name, Conc: n}
			measure := func(side string, t target, body []byte, pid int) (loadResult, error) {
				r := closedLoop(ctx, t, n, o.warm, o.dur, pid, db, func(int, int) []byte { return body },
					func(done int) {
						say(fmt.Sprintf("queries: %s, %s, concurrency %d: %d requests", c.name, side, n, done))
					})
				if r.Errors > 0 {
					return r, fmt.Errorf("%s on %s: %d errors, first: %s", c.name, side, r.Errors, r.FirstErr)
				}
				return r, nil
			}
			// One after the other on the same data: ours, each peer, the floor.
			if row.Ours, err = measure("Bayboard", ot, c.ours, our.Pid()); err != nil {
				return err
			}
			for _, pr := range peers {
				r, err := measure(pr.Name, pr.t, c.peer, pr.p.Pid())
				if err != nil {
					return err
				}
				row.Peers = append(row.Peers, r)
			}
			if c.floor != "" {
				r, err := measure("the floor server", target{url: fbase + c.floor}, c.ours, floor.Pid())
				if err != nil {
					return err
				}
				row.Floor = &r
			}
			rep.queries = append(rep.queries, row)
		}
	}
	return nil
}

// sameJSON reports whether two JSON documents hold the same values.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// peerAnswerDiff compares two PostGraphiles' answers to the same query and
// returns where they first differ, or "" when they hold the same records
// and values. Two spellings are not differences: a node id's key as a
// number or as a string (V4 writes ["jobs",7], V5 ["jobs","7"]), and a
// timestamp's zero fraction (V5 writes .000000); both are read before
// comparing.
func peerAnswerDiff(a, b string) string {
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		return "the first is not JSON: " + err.Error()
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		return "the second is not JSON: " + err.Error()
	}
	return jsonDiff(canonPeer(x, ""), canonPeer(y, ""), "")
}

// canonPeer rewrites node ids as the JSON of their parts, all as strings,
// and timestamps as UTC RFC 3339.
func canonPeer(v any, key string) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = canonPeer(e, k)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = canonPeer(e, "")
		}
		return l
	case string:
		if key == "nodeId" {
			var parts []any
			raw, err := base64.StdEncoding.DecodeString(v)
			if err != nil || json.Unmarshal(raw, &parts) != nil {
				return v
			}
			out := make([]string, len(parts))
			for i, p := range parts {
				out[i] = fmt.Sprint(p)
			}
			b, _ := json.Marshal(out)
			return "nodeId:" + string(b)
		}
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC().Format(time.RFC3339Nano)
		}
		return v
	}
	return v
}

// jsonDiff returns the path of the first difference between two decoded
// JSON values and the two values there, or "".
func jsonDiff(a, b any, path string) string {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := jsonDiff(x[k], y[k], path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		y, ok := b.([]any)
		if !ok {
			break
		}
		if len(x) != len(y) {
			return fmt.Sprintf("%s: %d items vs %d", path, len(x), len(y))
		}
		for i := range x {
			if d := jsonDiff(x[i], y[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	default:
		if reflect.DeepEqual(a, b) {
			return ""
		}
	}
	return fmt.Sprintf("%s: %.80v vs %.80v", path, a, b)
}

// startPostGraphile runs PostGraphile 4 on the same database, as its
// documentation recommends for production: no GraphiQL, no query log,
// NODE_ENV=production; default mutations off (the benchmark only reads).
// With o.peerWorkers of 2 or more it runs in its CLI's cluster mode
// (--cluster-workers), the pool split between the workers so that all of
// them hold 20 connections, like ours.
func startPostGraphile(o options, port int) (peer, error) {
	pr := peer{peerInfo: peerInfo{Name: "PostGraphile 4", Short: "V4"}}
	cli := filepath.Join(o.postgraphile, "node_modules", "postgraphile", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return pr, fmt.Errorf("PostGraphile 4 is not installed in %s (bench.sh runs npm ci): %w", o.postgraphile, err)
	}
	node := o.node
	if node == "" {
		node = filepath.Join(o.postgraphile, "node_modules", ".bin", "node")
	}
	pool := poolPerWorker(o.peerWorkers)
	args := []string{cli, "-c", o.dbURL, "--schema", "public", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
		"--disable-default-mutations", "--append-plugins", "postgraphile-plugin-connection-filter",
		"--disable-query-log", "--disable-graphiql", "--max-pool-size", fmt.Sprint(pool)}
	flags := "--disable-query-log --disable-graphiql --disable-default-mutations --append-plugins postgraphile-plugin-connection-filter --max-pool-size " + fmt.Sprint(pool)
	if o.peerWorkers >= 2 {
		args = append(args, "--cluster-workers", fmt.Sprint(o.peerWorkers))
		pr.How = fmt.Sprintf("%d worker processes on Node %s, its CLI's own cluster mode, marked experimental in 4.14.1 (`postgraphile %s --cluster-workers %d`, NODE_ENV=production: a primary forks the workers, which share the port), %d pooled connections each",
			o.peerWorkers, nodeVersion(node), flags, o.peerWorkers, pool)
	} else {
		pr.How = fmt.Sprintf("one process on Node %s, its CLI (`postgraphile %s`, NODE_ENV=production)", nodeVersion(node), flags)
	}
	p, err := start("postgraphile4", filepath.Join(o.logDir, "postgraphile4.log"), []string{"NODE_ENV=production"}, node, args...)
	if err != nil {
		return pr, err
	}
	pr.p, pr.t = p, target{url: fmt.Sprintf("http://127.0.0.1:%d/graphql", port)}
	return pr, waitPeer(pr, o.peerWorkers, "")
}

// startPostGraphile5 runs PostGraphile 5 (bench/postgraphile5: its Amber
// preset with the V4 names, connection-filter 4) through server.mjs, its
// library mode on node:http, in o.peerWorkers processes of Node's cluster
// module: V5's CLI (5.1.5) has no cluster option (its --help and source),
// so the cluster is Node's own, around the library mode the docs show.
func startPostGraphile5(o options, port int) (peer, error) {
	pr := peer{peerInfo: peerInfo{Name: "PostGraphile 5", Short: "V5"}}
	dir := o.postgraphile5
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "postgraphile", "package.json")); err != nil {
		return pr, fmt.Errorf("PostGraphile 5 is not installed in %s (bench.sh runs npm ci): %w", dir, err)
	}
	node := o.node5
	if node == "" {
		node = filepath.Join(dir, "node_modules", ".bin", "node")
	}
	pool := poolPerWorker(o.peerWorkers)
	p, err := start("postgraphile5", filepath.Join(o.logDir, "postgraphile5.log"),
		[]string{"NODE_ENV=production", "GRAPHILE_ENV=production", "DATABASE_URL=" + o.dbURL,
			fmt.Sprintf("PG5_WORKERS=%d", o.peerWorkers), fmt.Sprintf("PG5_POOL_MAX=%d", pool)},
		node, filepath.Join(dir, "server.mjs"), "--host", "127.0.0.1", "--port", fmt.Sprint(port))
	if err != nil {
		return pr, err
	}
	pr.p, pr.t = p, target{url: fmt.Sprintf("http://127.0.0.1:%d/graphql", port)}
	pr.How = fmt.Sprintf("%d worker processes on Node %s under Node's cluster module (its CLI has no cluster mode): bench/postgraphile5/server.mjs, its library mode as its docs show it (postgraphile(preset), grafserv on node:http), GRAPHILE_ENV=production, no GraphiQL, %d pooled connections each",
		o.peerWorkers, nodeVersion(node), pool)
	if o.peerWorkers == 1 {
		pr.How = fmt.Sprintf("one process on Node %s: bench/postgraphile5/server.mjs, its library mode as its docs show it (postgraphile(preset), grafserv on node:http), GRAPHILE_ENV=production, no GraphiQL, %d pooled connections", nodeVersion(node), pool)
	}
	return pr, waitPeer(pr, o.peerWorkers, "PostGraphile 5 ready")
}

// poolPerWorker splits 20 database connections, as many as ours has,
// between a peer's worker processes.
func poolPerWorker(workers int) int { return max(1, 20/workers) }

// waitPeer waits until a PostGraphile answers, and, in cluster mode, until
// every worker does: a worker listens before its schema is built and holds
// requests until then, so requests on fresh connections (which the
// primary hands to the workers in turn) return only when all of them are
// ready. ready, if set, is the line its log shows once every worker is.
func waitPeer(pr peer, workers int, ready string) error {
	probe := []byte(`{"query":"{__typename}"}`)
	return waitHTTP(context.Background(), pr.p, 90*time.Second, func() error {
		if _, err := post(newClient(1), pr.t, probe); err != nil {
			return err
		}
		if ready != "" {
			if b, _ := os.ReadFile(pr.p.log.Name()); !strings.Contains(string(b), ready) {
				return fmt.Errorf("%s: no %q in its log yet", pr.Name, ready)
			}
		}
		for range 4 * workers {
			c := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			if _, err := post(c, pr.t, probe); err != nil {
				return err
			}
		}
		return nil
	})
}

func nodeVersion(node string) string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
