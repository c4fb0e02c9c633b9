package store

import "context"

// SelectBySQLX reads rows with sqlx's reflection mapping, the reference the
// explicit scanners are checked against (scan_test.go).
func (d *DB) SelectBySQLX(ctx context.Context, dest any, query string, args ...any) error {
	return d.db.SelectContext(ctx, dest, query, args...)
}

// Scanned reads rows with the explicit scanner of kind: "orders", "jobs" or
// "part lines".
func (d *DB) Scanned(ctx context.Context, kind, where string) (any, error) {
	switch kind {
	case "orders":
		return queryRows(ctx, d, scanOrder, `SELECT `+orderColumns+` FROM repair_orders `+where)
	case "jobs":
		return queryRows(ctx, d, scanJob, `SELECT `+jobColumns+` FROM jobs `+where)
	default:
		return queryRows(ctx, d, scanPartLine, `SELECT `+partLineColumns+` FROM part_lines `+where)
	}
}

// Columns returns the column lists of the scanners.
func Columns() map[string]string {
	return map[string]string{"orders": orderColumns, "jobs": jobColumns, "part lines": partLineColumns}
}
