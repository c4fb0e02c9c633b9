package store_test

import (
	"context"
	"reflect"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// The explicit scanners read exactly what sqlx's reflection reads, for rows
// with and without their nullable columns set.
func TestScanners(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Extra: true})
	f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Wash: true})
	f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{Jobs: 1})
	ctx := context.Background()
	tables := map[string]string{"orders": "repair_orders", "jobs": "jobs", "part lines": "part_lines",
		"customers": "customers", "vehicles": "vehicles", "visits": "visits"}
	for kind, cols := range store.Columns() {
		t.Run(kind, func(t *testing.T) {
			got, err := db.Scanned(ctx, kind, "ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			var want any
			switch kind {
			case "orders":
				var rows []*shop.Order
				err = db.SelectBySQLX(ctx, &rows, `SELECT `+cols+` FROM `+tables[kind]+` ORDER BY id`)
				want = rows
			case "jobs":
				var rows []*shop.Job
				err = db.SelectBySQLX(ctx, &rows, `SELECT `+cols+` FROM `+tables[kind]+` ORDER BY id`)
				want = rows
			case "customers":
				var rows []*shop.Customer
				err = db.SelectBySQLX(ctx, &rows, `SELECT `+cols+` FROM `+tables[kind]+` ORDER BY id`)
				want = rows
			case "vehicles":
				var rows []*shop.Vehicle
				err = db.SelectBySQLX(ctx, &rows, `SELECT `+cols+` FROM `+tables[kind]+` ORDER BY id`)
				want = rows
			case "visits":
				want, err = db.VisitsBySQLX(ctx)
			default:
				var rows []*shop.PartLine
				err = db.SelectBySQLX(ctx, &rows, `SELECT `+cols+` FROM `+tables[kind]+` ORDER BY id`)
				want = rows
			}
			if err != nil {
				t.Fatal(err)
			}
			if reflect.ValueOf(want).Len() < 3 {
				t.Fatalf("rows=%d, want at least 3", reflect.ValueOf(want).Len())
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("scanned=%+v, want %+v", got, want)
			}
		})
	}
}
