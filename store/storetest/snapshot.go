package storetest

import (
	"database/sql"
	"strings"
	"testing"

	"bayboard/store"
)

// snapshotTables are the tables a mutation may write.
var snapshotTables = []string{"customers", "vehicles", "appointments", "visits", "repair_orders", "jobs",
	"part_lines", "parts", "additional_work", "checks", "settlements", "events", "idempotency_keys"}

// Snapshot returns every row of the tables a mutation may write, as text, so
// a test can prove that a rejected call changed nothing. It reads through its
// own connection, so it does not count in db.Statements().
func Snapshot(tb testing.TB, db *store.DB) string {
	tb.Helper()
	c, err := sql.Open("postgres", db.DSN())
	if err != nil {
		tb.Fatalf("snapshot: %v", err)
	}
	defer c.Close()
	var b strings.Builder
	for _, t := range snapshotTables {
		var rows sql.NullString
		if err := c.QueryRow(`SELECT json_agg(t ORDER BY t::TEXT) FROM ` + t + ` t`).Scan(&rows); err != nil {
			tb.Fatalf("snapshot %s: %v", t, err)
		}
		b.WriteString(t + ": " + rows.String + "\n")
	}
	return b.String()
}

// Count returns the number of rows of table, read through its own connection.
func Count(tb testing.TB, db *store.DB, table string) int {
	tb.Helper()
	c, err := sql.Open("postgres", db.DSN())
	if err != nil {
		tb.Fatalf("count: %v", err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}
