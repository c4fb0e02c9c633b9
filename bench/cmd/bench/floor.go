package main

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// The floor: node(id) of an order answered by the least a Go server can do
// on this machine: a plain net/http handler that decodes the request's id,
// runs one prepared statement (lib/pq, a pool of 20 like ours) and writes
// the same JSON as Bayboard's answer. No GraphQL, no authentication, no
// middleware: no server, ours or another, can serve the query for less on
// this machine, so its requests/s bound what a target can ask.
//
// It runs as its own process, the bench binary started again with
// BENCH_FLOOR_ADDR set, so its CPU is measured apart from the load generator.

const floorSQL = `SELECT number, state, work_type, priority, findings, promised_at, signed_at, delivered_at, version
	FROM repair_orders WHERE id = $1`

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
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /query", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Variables struct{ ID string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"errors":[{"message":"bad request"}]}`, http.StatusBadRequest)
			return
		}
		b, _ := base64.RawURLEncoding.DecodeString(strings.TrimRight(req.Variables.ID, "="))
		id, err := strconv.ParseInt(strings.TrimPrefix(string(b), "RepairOrder:"), 10, 64)
		if err != nil {
			http.Error(w, `{"errors":[{"message":"bad id"}]}`, http.StatusBadRequest)
			return
		}
		var (
			number, state, workType, priority, findings string
			promisedAt, signedAt, deliveredAt           *time.Time
			version                                     int
		)
		err = stmt.QueryRowContext(r.Context(), id).Scan(&number, &state, &workType, &priority, &findings,
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
			"id": req.Variables.ID, "number": number, "state": state, "workType": workType, "priority": priority,
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
