package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// The floor: a query answered by the least a Go server can do on this
// machine: a plain net/http handler that decodes the request's id, runs one
// prepared statement (lib/pq, a pool of 20 like ours) and writes the answer.
// No GraphQL, no authentication, no masking, no middleware: no server, ours
// or another, serves the query for less on this machine, so its requests/s
// bound what a target can ask.
//
//   - node(id): the order's columns the query selects, written as the same
//     JSON as Bayboard's answer (checked).
//   - customer history: PostgreSQL builds the whole JSON answer in one
//     statement, as PostGraphile does (json_build_object, json_agg), and the
//     handler passes its bytes on; the same records as Bayboard's answer
//     (counted).
//
// It runs as its own process, the bench binary started again with
// BENCH_FLOOR_ADDR set, so its CPU is measured apart from the load generator.

const floorSQL = `SELECT number, state, work_type, priority, findings, promised_at, signed_at, delivered_at, version
	FROM repair_orders WHERE id = $1`

// floorHistorySQL builds the customer history's answer; IDs are Bayboard's
// (base64url of "Type:id").
const floorHistorySQL = `
	WITH c AS (SELECT id, name, phone, email FROM customers WHERE id = $1),
	vi AS (SELECT id, received_at, mileage, complaint, delivered_at FROM visits WHERE customer_id = $1
		ORDER BY received_at DESC, id DESC LIMIT 50)
	SELECT json_build_object('data', json_build_object('customer', (SELECT json_build_object(
		'id', gid('Customer', c.id), 'name', c.name, 'phone', c.phone, 'email', c.email,
		'vehicles', COALESCE((SELECT json_agg(json_build_object('id', gid('Vehicle', v.id), 'plate', v.plate, 'vin', v.vin,
			'make', v.make, 'model', v.model, 'year', v.year, 'mileage', v.mileage) ORDER BY v.id)
			FROM vehicles v WHERE v.customer_id = c.id), '[]'),
		'visits', json_build_object(
			'totalCount', (SELECT count(*) FROM visits WHERE customer_id = c.id),
			'edges', COALESCE((SELECT json_agg(json_build_object('node', json_build_object(
				'id', gid('Visit', vi.id), 'receivedAt', vi.received_at, 'mileage', vi.mileage, 'complaint', vi.complaint,
				'deliveredAt', vi.delivered_at,
				'repairOrders', COALESCE((SELECT json_agg(json_build_object(
					'id', gid('RepairOrder', o.id), 'number', o.number, 'state', o.state, 'workType', o.work_type,
					'findings', o.findings,
					'jobs', COALESCE((SELECT json_agg(json_build_object('id', gid('Job', j.id), 'description', j.description,
						'state', j.state, 'labourMinutes', j.labour_minutes) ORDER BY j.id) FROM jobs j WHERE j.order_id = o.id), '[]'),
					'partLines', COALESCE((SELECT json_agg(json_build_object('id', gid('PartLine', p.id), 'partNumber', p.part_number,
						'description', p.description, 'quantity', p.quantity) ORDER BY p.id) FROM part_lines p WHERE p.order_id = o.id), '[]'))
					ORDER BY o.id) FROM repair_orders o WHERE o.visit_id = vi.id), '[]')))
				ORDER BY vi.received_at DESC, vi.id DESC) FROM vi), '[]')))
		FROM c)))`

// gidRe finds gid('Type', column) in floorHistorySQL, spelled out by
// floorSQLText as PostgreSQL expressions (no function is created in the
// benchmark database: PostGraphile would expose it).
var gidRe = regexp.MustCompile(`gid\('(\w+)', ([\w.]+)\)`)

func floorSQLText(q string) string {
	return gidRe.ReplaceAllString(q, `rtrim(translate(encode(convert_to('$1:' || $2, 'UTF8'), 'base64'), '+/', '-_'), '=')`)
}

func init() {
	addr := os.Getenv("BENCH_FLOOR_ADDR")
	if addr == "" {
		return
	}
	if err := serveFloor(addr, os.Getenv("BENCH_FLOOR_DATABASE_URL")); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func serveFloor(addr, dbURL string) error {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	stmt, err := db.Prepare(floorSQL)
	if err != nil {
		return err
	}
	history, err := db.Prepare(floorSQLText(floorHistorySQL))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /history", func(w http.ResponseWriter, r *http.Request) {
		_, id, ok := floorID(w, r, "Customer")
		if !ok {
			return
		}
		var out []byte
		if err := history.QueryRowContext(r.Context(), id).Scan(&out); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"errors":[{"message":"Internal error."}]}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
	mux.HandleFunc("POST /query", func(w http.ResponseWriter, r *http.Request) {
		gid, id, ok := floorID(w, r, "RepairOrder")
		if !ok {
			return
		}
		var (
			number, state, workType, priority, findings string
			promisedAt, signedAt, deliveredAt           *time.Time
			version                                     int
		)
		err := stmt.QueryRowContext(r.Context(), id).Scan(&number, &state, &workType, &priority, &findings,
			&promisedAt, &signedAt, &deliveredAt, &version)
		w.Header().Set("Content-Type", "application/json")
		if err == sql.ErrNoRows {
			fmt.Fprint(w, `{"data":{"node":null}}`)
			return
		} else if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"errors":[{"message":"Internal error."}]}`)
			return
		}
		out, _ := json.Marshal(map[string]any{"data": map[string]any{"node": map[string]any{
			"id": gid, "number": number, "state": state, "workType": workType, "priority": priority,
			"findings": findings, "promisedAt": promisedAt, "signedAt": signedAt, "deliveredAt": deliveredAt,
			"version": version}}})
		_, _ = w.Write(out)
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// startFloor runs the floor server on port.
func startFloor(o options, port int) (*proc, string, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	p, err := start("bench-floor", o.logDir+"/bench-floor.log",
		[]string{fmt.Sprintf("BENCH_FLOOR_ADDR=127.0.0.1:%d", port), "BENCH_FLOOR_DATABASE_URL=" + o.dbURL}, self)
	if err != nil {
		return nil, "", err
	}
	err = waitHTTP(context.Background(), p, 30*time.Second, func() error { return httpOK(base + "/readyz") })
	return p, base, err
}

// floorID reads the global ID of type typ from the request's variables and
// returns it with its number (answering 400 itself when it cannot).
func floorID(w http.ResponseWriter, r *http.Request, typ string) (string, int64, bool) {
	var req struct {
		Variables struct{ ID string }
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"errors":[{"message":"bad request"}]}`, http.StatusBadRequest)
		return "", 0, false
	}
	b, _ := base64.RawURLEncoding.DecodeString(strings.TrimRight(req.Variables.ID, "="))
	id, err := strconv.ParseInt(strings.TrimPrefix(string(b), typ+":"), 10, 64)
	if err != nil {
		http.Error(w, `{"errors":[{"message":"bad id"}]}`, http.StatusBadRequest)
		return "", 0, false
	}
	return req.Variables.ID, id, true
}
