package store_test

import (
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// FindVisitsWithTotal counts every visit of the customer the actor may see,
// on the first page (one statement) and after a cursor alike.
func TestFindVisitsWithTotal(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	first := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	for range 2 {
		f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, Customer: first.Customer, Vehicle: first.Vehicle})
	}
	adv := storetest.Ctx(f.Advisor)
	t.Run("OK", func(t *testing.T) {
		before := db.Statements()
		page, total, err := db.FindVisitsWithTotal(adv, first.Customer, nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n := db.Statements() - before; n != 1 {
			t.Fatalf("statements=%d, want 1", n)
		}
		if len(page) != 3 || total != 3 {
			t.Fatalf("page=%d total=%d, want 3 (first+1) and 3", len(page), total)
		}
		want, err := db.FindVisitsByCustomer(adv, first.Customer, nil, 2)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if page[i].ID != want[i].ID {
				t.Fatalf("visit %d=%d, want %d", i, page[i].ID, want[i].ID)
			}
		}
		rest, total, err := db.FindVisitsWithTotal(adv, first.Customer, &store.VisitCursor{ReceivedAt: page[1].ReceivedAt, ID: page[1].ID}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != 1 || rest[0].ID != page[2].ID || total != 3 {
			t.Fatalf("after the cursor: page=%d total=%d, want the third visit and 3", len(rest), total)
		}
	})
	t.Run("OtherSite", func(t *testing.T) {
		page, total, err := db.FindVisitsWithTotal(storetest.Ctx(f.OtherAdvisor), first.Customer, nil, 2)
		if err != nil || len(page) != 0 || total != 0 {
			t.Fatalf("page=%d total=%d err=%v, want none", len(page), total, err)
		}
	})
}
