package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"time"
)

// The three queries, each as Bayboard and PostGraphile (v4, with the
// connection-filter plugin) ask it. Both return the same records and fields
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
	Query      string
	Conc       int
	Ours, Peer loadResult
	Floor      *loadResult // the floor server (floor.go), for node(id) only
	Rows       int         // records in our answer
}

var idRe = regexp.MustCompile(`"(id|orderId|jobId|nodeId)"\s*:`)

func runQueries(ctx context.Context, o options, fx fixture, db *dbCPU, rep *report) error {
	oport, pport := freePort(), freePort()
	our, obase, err := ours(o, "bayboard-queries", oport)
	if err != nil {
		return err
	}
	defer our.Stop(10 * time.Second)
	peer, pbase, err := startPostGraphile(o, pport)
	if err != nil {
		return err
	}
	defer peer.Stop(10 * time.Second)
	floor, fbase, err := startFloor(o, freePort())
	if err != nil {
		return err
	}
	defer floor.Stop(10 * time.Second)
	ot := target{url: obase + "/query", token: fx.Token}
	pt := target{url: pbase + "/graphql"}
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
		b, err := post(cl, pt, c.peer)
		if err != nil {
			return fmt.Errorf("%s on PostGraphile: %w", c.name, err)
		}
		na, nb := len(idRe.FindAllString(a, -1)), len(idRe.FindAllString(b, -1))
		if na != nb {
			return fmt.Errorf("%s: Bayboard returns %d records, PostGraphile %d", c.name, na, nb)
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
		rep.queryRecords = append(rep.queryRecords, fmt.Sprintf("%s: %d records, %d / %d bytes (Bayboard / PostGraphile)", c.name, na, len(a), len(b)))
	}
	for _, c := range cases {
		for _, n := range o.conc {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			row := queryRow{Query: c.name, Conc: n}
			for _, side := range []string{"Bayboard", "PostGraphile"} {
				t, body, pid := ot, c.ours, our.Pid()
				if side == "PostGraphile" {
					t, body, pid = pt, c.peer, peer.Pid()
				}
				r := closedLoop(ctx, t, n, o.warm, o.dur, pid, db, func(int, int) []byte { return body },
					func(done int) {
						say(fmt.Sprintf("queries: %s, %s, concurrency %d: %d requests", c.name, side, n, done))
					})
				if r.Errors > 0 {
					return fmt.Errorf("%s on %s: %d errors, first: %s", c.name, side, r.Errors, r.FirstErr)
				}
				if side == "Bayboard" {
					row.Ours = r
				} else {
					row.Peer = r
				}
			}
			if c.floor != "" {
				r := closedLoop(ctx, target{url: fbase + c.floor}, n, o.warm, o.dur, floor.Pid(), db, func(int, int) []byte { return c.ours },
					func(done int) { say(fmt.Sprintf("queries: %s, floor, concurrency %d: %d requests", c.name, n, done)) })
				if r.Errors > 0 {
					return fmt.Errorf("%s on the floor server: %d errors, first: %s", c.name, r.Errors, r.FirstErr)
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

// startPostGraphile runs PostGraphile v4 on the same database, as its
// documentation recommends for production: no GraphiQL, no query log,
// NODE_ENV=production; default mutations off (the benchmark only reads).
func startPostGraphile(o options, port int) (*proc, string, error) {
	cli := filepath.Join(o.postgraphile, "node_modules", "postgraphile", "cli.js")
	if _, err := os.Stat(cli); err != nil {
		return nil, "", fmt.Errorf("PostGraphile is not installed in %s (bench.sh runs npm ci): %w", o.postgraphile, err)
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p, err := start("postgraphile", filepath.Join(o.logDir, "postgraphile.log"), []string{"NODE_ENV=production"}, o.node, cli,
		"-c", o.dbURL, "--schema", "public", "--host", "127.0.0.1", "--port", fmt.Sprint(port),
		"--disable-default-mutations", "--append-plugins", "postgraphile-plugin-connection-filter",
		"--disable-query-log", "--max-pool-size", "20")
	if err != nil {
		return nil, "", err
	}
	err = waitHTTP(context.Background(), p, 60*time.Second, func() error {
		_, err := post(newClient(1), target{url: base + "/graphql"}, []byte(`{"query":"{__typename}"}`))
		return err
	})
	return p, base, err
}

func nodeVersion(node string) string {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
