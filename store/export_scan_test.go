package store

import (
	"context"

	"bayboard/shop"
)

// SelectBySQLX reads rows with sqlx's reflection mapping, the reference the
// explicit scanners are checked against (scan_test.go).
func (d *DB) SelectBySQLX(ctx context.Context, dest any, query string, args ...any) error {
	return d.db.SelectContext(ctx, dest, query, args...)
}

// Scanned reads rows with the explicit scanner of kind (a key of Columns).
func (d *DB) Scanned(ctx context.Context, kind, where string) (any, error) {
	switch kind {
	case "orders":
		return queryRows(ctx, d, scanOrder, `SELECT `+orderColumns+` FROM repair_orders `+where)
	case "jobs":
		return queryRows(ctx, d, scanJob, `SELECT `+jobColumns+` FROM jobs `+where)
	case "customers":
		return queryRows(ctx, d, scanCustomer, `SELECT `+customerColumns+` FROM customers `+where)
	case "vehicles":
		return queryRows(ctx, d, scanVehicle, `SELECT `+vehicleColumns+` FROM vehicles `+where)
	case "visits":
		return queryRows(ctx, d, scanVisit, `SELECT `+visitColumns+` FROM visits `+where)
	default:
		return queryRows(ctx, d, scanPartLine, `SELECT `+partLineColumns+` FROM part_lines `+where)
	}
}

// Columns returns the column lists of the scanners.
func Columns() map[string]string {
	return map[string]string{"orders": orderColumns, "jobs": jobColumns, "part lines": partLineColumns,
		"customers": customerColumns, "vehicles": vehicleColumns, "visits": visitColumns}
}

// VisitsBySQLX reads visits the way sqlx did before the explicit scanner.
func (d *DB) VisitsBySQLX(ctx context.Context) ([]*shop.Visit, error) {
	var rows []*visitRow
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+visitColumns+` FROM visits ORDER BY id`); err != nil {
		return nil, err
	}
	out := make([]*shop.Visit, len(rows))
	for i, r := range rows {
		out[i] = r.visit()
	}
	return out, nil
}
