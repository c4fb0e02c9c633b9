package storetest

import (
	"database/sql"
	"strings"
	"sync"
	"testing"

	"bayboard/store"
)

// snapshotTables are the tables a mutation may write.
var snapshotTables = []string{"customers", "vehicles", "appointments", "visits", "repair_orders", "jobs",
	"part_lines", "parts", "additional_work", "checks", "settlements", "events", "idempotency_keys"}

var (
	rawMu  sync.Mutex
	rawDBs = map[string]*sql.DB{}
)

// rawDB returns a small pool of its own on db's database, kept until the
// database is dropped.
func rawDB(db *store.DB) (*sql.DB, error) {
	rawMu.Lock()
	defer rawMu.Unlock()
	if c, ok := rawDBs[db.DSN()]; ok {
		return c, nil
	}
	c, err := sql.Open("postgres", db.DSN())
	if err != nil {
		return nil, err
	}
	c.SetMaxOpenConns(2)
	rawDBs[db.DSN()] = c
	return c, nil
}

// closeRawDB closes the pool of rawDB on the database at dsn, if any.
func closeRawDB(dsn string) {
	rawMu.Lock()
	defer rawMu.Unlock()
	if c, ok := rawDBs[dsn]; ok {
		c.Close()
		delete(rawDBs, dsn)
	}
}

// Snapshot returns every row of the tables a mutation may write, as text, so
// a test can prove that a rejected call changed nothing. It reads through a
// pool of its own, so it does not count in db.Statements().
func Snapshot(tb testing.TB, db *store.DB) string {
	tb.Helper()
	c, err := rawDB(db)
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	parts := make([]string, len(snapshotTables))
	for i, t := range snapshotTables {
		parts[i] = `'` + t + `: ' || COALESCE((SELECT json_agg(t ORDER BY t::TEXT) FROM ` + t + ` t)::TEXT, '')`
	}
	var snap string
	if err := c.QueryRow(`SELECT ` + strings.Join(parts, ` || E'\n' || `)).Scan(&snap); err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	return snap
}

// Count returns the number of rows of table, read like Snapshot.
func Count(tb testing.TB, db *store.DB, table string) int {
	tb.Helper()
	c, err := rawDB(db)
	if err != nil {
		tb.Fatalf("count: %v", err)
	}
	var n int
	if err := c.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}
