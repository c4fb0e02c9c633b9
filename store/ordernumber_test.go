package store_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// TestOrderNumberSiteDate: an order made at 03:00 on 4 December in Shenzhen
// (19:00 UTC on the 3rd) is numbered with the site's date, RO261204.
func TestOrderNumberSiteDate(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{Jobs: 1})
	if !strings.HasPrefix(car.Order.Number, "RO261204-") {
		t.Fatalf("number=%s, want RO261204-… (the site's date, Asia/Shanghai)", car.Order.Number)
	}
}
