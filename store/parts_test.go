package store_test

import (
	"context"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

func mustPart(t *testing.T, db *store.DB, ctx context.Context, site shop.SiteID, num string, onHand int) *shop.Part {
	t.Helper()
	p, err := db.AddPart(ctx, store.CreatePartInput{SiteID: site, PartNumber: num, Description: "零件 " + num, UnitPrice: 12345})
	if err != nil {
		t.Fatalf("add part: %v", err)
	}
	if onHand > 0 {
		if _, err := db.ReceiveStock(ctx, store.ReceiveStockInput{PartID: p.ID, Quantity: onHand}); err != nil {
			t.Fatalf("receive stock: %v", err)
		}
	}
	return p
}

func stock(t *testing.T, db *store.DB, ctx context.Context, id shop.PartID) *shop.Part {
	t.Helper()
	p, err := db.FindPartByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func findCard(t *testing.T, db *store.DB, site shop.SiteID, id shop.OrderID) *shop.Card {
	t.Helper()
	cards, err := db.FindCards(context.Background(), site, []shop.OrderID{id})
	if err != nil || len(cards) != 1 {
		t.Fatalf("cards=%v err=%v", cards, err)
	}
	return cards[0]
}

// TestPartsWorkflow: reserve for a job with too little stock (the car shows
// waiting for parts), receive stock (it unblocks), issue with who drew and
// who issued, return the unused part.
func TestPartsWorkflow(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clerk, adv := storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	job := car.Jobs[0]
	p := mustPart(t, db, clerk, f.Site.ID, "04465-33471", 1)

	t.Run("ShortageBlocksJob", func(t *testing.T) {
		r, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: p.ID, Quantity: 2, OrderID: &car.Order.ID, JobID: &job.ID})
		if err != nil {
			t.Fatal(err)
		}
		if r.State != shop.ReservationWaiting {
			t.Fatalf("state=%v, want WAITING", r.State)
		}
		if got := stock(t, db, clerk, p.ID); got.Reserved != 0 || got.OnHand != 1 {
			t.Fatalf("stock=%+v, want on hand 1, reserved 0", got)
		}
		c := findCard(t, db, f.Site.ID, car.Order.ID)
		if c.Stage != shop.StageWaitingParts || len(c.Blockers) != 1 || c.Blockers[0] != shop.BlockerParts {
			t.Fatalf("stage=%v blockers=%v, want WAITING_PARTS", c.Stage, c.Blockers)
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventPartShortage); n != 1 {
			t.Fatalf("shortage events=%d, want 1", n)
		}
	})
	t.Run("ArrivalUnblocks", func(t *testing.T) {
		if _, err := db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: p.ID, Quantity: 1, Urgent: ptr(true), Reference: ptr("DN-778")}); err != nil {
			t.Fatal(err)
		}
		if got := stock(t, db, clerk, p.ID); got.Reserved != 2 || got.OnHand != 2 {
			t.Fatalf("stock=%+v, want on hand 2, reserved 2", got)
		}
		c := findCard(t, db, f.Site.ID, car.Order.ID)
		if c.Stage != shop.StageInWork && c.Stage != shop.StageWaitingDispatch || len(c.Blockers) != 0 {
			t.Fatalf("stage=%v blockers=%v, want unblocked", c.Stage, c.Blockers)
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventPartsArrived); n != 1 {
			t.Fatalf("arrived events=%d, want 1", n)
		}
	})
	var issue *shop.PartIssue
	t.Run("Issue", func(t *testing.T) {
		var err error
		issue, err = db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, JobID: &job.ID, PartID: p.ID, Quantity: 2, DrawnBy: f.Tech.ID})
		if err != nil {
			t.Fatal(err)
		}
		if issue.DrawnBy != f.Tech.ID || issue.IssuedBy != f.PartsClerk.ID {
			t.Fatalf("drawn=%v issued=%v", issue.DrawnBy, issue.IssuedBy)
		}
		if got := stock(t, db, clerk, p.ID); got.Reserved != 0 || got.OnHand != 0 {
			t.Fatalf("stock=%+v, want 0/0", got)
		}
		rs, err := db.FindReservations(clerk, nil, &car.Order.ID, nil, store.Page{})
		if err != nil || len(rs) != 1 || rs[0].State != shop.ReservationIssued {
			t.Fatalf("reservations=%+v err=%v, want one ISSUED", rs, err)
		}
	})
	t.Run("ErrNoStock", func(t *testing.T) {
		_, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "quantity" {
			t.Fatalf("err=%v, want INVALID quantity", err)
		}
	})
	t.Run("ErrDrawnByNotStaff", func(t *testing.T) {
		_, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, PartID: p.ID, Quantity: 1, DrawnBy: f.Cashier.ID})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "drawnBy" {
			t.Fatalf("err=%v, want INVALID drawnBy", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := db.IssueParts(storetest.Ctx(f.Tech), store.IssuePartsInput{OrderID: car.Order.ID, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID})
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("err=%v, want FORBIDDEN", err)
		}
	})
	t.Run("Return", func(t *testing.T) {
		if _, err := db.ReturnParts(clerk, store.ReturnPartsInput{IssueID: issue.ID, Quantity: 3}); shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("err=%v, want INVALID (more than issued)", err)
		}
		is, err := db.ReturnParts(clerk, store.ReturnPartsInput{IssueID: issue.ID, Quantity: 1})
		if err != nil || is.Returned != 1 {
			t.Fatalf("issue=%+v err=%v", is, err)
		}
		if got := stock(t, db, clerk, p.ID); got.OnHand != 1 || got.Reserved != 0 {
			t.Fatalf("stock=%+v, want on hand 1", got)
		}
	})
	t.Run("AppointmentAndRelease", func(t *testing.T) {
		ap, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, CustomerID: &car.Customer, VehicleID: &car.Vehicle,
			ScheduledAt: f.OpenAt(time.Now().Add(48 * time.Hour)), RequestedWork: "更换刹车片"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: p.ID, Quantity: 1, AppointmentID: &ap.ID})
		if err != nil || r.State != shop.ReservationReserved {
			t.Fatalf("reservation=%+v err=%v", r, err)
		}
		if got := stock(t, db, clerk, p.ID); got.Available() != 0 {
			t.Fatalf("available=%d, want 0", got.Available())
		}
		waiting, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: p.ID, Quantity: 1, OrderID: &car.Order.ID})
		if err != nil || waiting.State != shop.ReservationWaiting {
			t.Fatalf("reservation=%+v err=%v, want WAITING", waiting, err)
		}
		if _, err := db.ReleasePartReservation(adv, store.ReleasePartReservationInput{ReservationID: r.ID, Reason: "客户改期", ExpectedVersion: ptr(9)}); shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("err=%v, want CONFLICT", err)
		}
		if _, err := db.ReleasePartReservation(adv, store.ReleasePartReservationInput{ReservationID: r.ID, Reason: "客户改期"}); err != nil {
			t.Fatal(err)
		}
		// The appointment's unit goes to the order that waited for it.
		rs, err := db.FindReservations(clerk, nil, &car.Order.ID, nil, store.Page{First: 1})
		if err != nil || len(rs) != 1 || rs[0].ID != waiting.ID || rs[0].State != shop.ReservationReserved {
			t.Fatalf("reservations=%+v err=%v, want the waiting one RESERVED", rs, err)
		}
		if got := stock(t, db, clerk, p.ID); got.Available() != 0 || got.Reserved != 1 {
			t.Fatalf("stock=%+v, want the unit reserved again", got)
		}
	})
}

// TestIssueLastUnitConcurrently: many clerks issue the last unit at once;
// exactly one gets it and the stock never goes negative.
func TestIssueLastUnitConcurrently(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clerk := storetest.Ctx(f.PartsClerk)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	p := mustPart(t, db, clerk, f.Site.ID, "90915-YZZE1", 1)
	errs := race(racers, func(i int) error {
		_, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID})
		return err
	})
	wins := 0
	for _, err := range errs {
		switch shop.ErrorCode(err) {
		case "":
			wins++
		case shop.EINVALID:
		default:
			t.Fatalf("err=%v, want success or INVALID", err)
		}
	}
	if wins != 1 {
		t.Fatalf("wins=%d, want 1", wins)
	}
	if got := stock(t, db, clerk, p.ID); got.OnHand != 0 || got.Reserved != 0 {
		t.Fatalf("stock=%+v, want 0", got)
	}
	issues, err := db.FindPartIssuesByOrderIDs(clerk, []shop.OrderID{car.Order.ID})
	if err != nil || len(issues[car.Order.ID]) != 1 {
		t.Fatalf("issues=%v err=%v, want exactly one slip", issues, err)
	}
}

// TestReserveLastUnitConcurrently: reservations never exceed what exists.
func TestReserveLastUnitConcurrently(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clerk := storetest.Ctx(f.PartsClerk)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	p := mustPart(t, db, clerk, f.Site.ID, "17801-0H050", 3)
	states := make([]shop.ReservationState, racers)
	errs := race(racers, func(i int) error {
		r, err := db.ReserveParts(clerk, store.ReservePartsInput{PartID: p.ID, Quantity: 1, OrderID: &car.Order.ID})
		if err == nil {
			states[i] = r.State
		}
		return err
	})
	reserved := 0
	for i, err := range errs {
		if err != nil {
			t.Fatalf("err=%v", err)
		}
		if states[i] == shop.ReservationReserved {
			reserved++
		}
	}
	if got := stock(t, db, clerk, p.ID); reserved != 3 || got.Reserved != 3 || got.OnHand != 3 {
		t.Fatalf("reserved=%d stock=%+v, want 3 reserved of 3", reserved, got)
	}
}
