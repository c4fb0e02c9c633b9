package store_test

import (
	"context"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// reservation reads a reservation as it stands.
func reservation(t *testing.T, db *store.DB, ctx context.Context, id shop.PartReservationID) *shop.PartReservation {
	t.Helper()
	r, err := db.FindReservationByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustReserve(t *testing.T, db *store.DB, ctx context.Context, in store.ReservePartsInput, want shop.ReservationState) *shop.PartReservation {
	t.Helper()
	r, err := db.ReserveParts(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != want {
		t.Fatalf("state=%v, want %v", r.State, want)
	}
	return r
}

func jobOf(t *testing.T, db *store.DB, ctx context.Context, id shop.JobID) *shop.Job {
	t.Helper()
	j, err := db.FindJobByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// TestReleaseOnClose: cancelling or delivering an order, or declining
// additional work, releases their reservations in the same transaction. The
// freed stock fills the next waiting reservation, and a released waiting one
// has left the queue: stock received later is not set aside for it.
func TestReleaseOnClose(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clerk, adv, tech, cash := storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech), storetest.Ctx(f.Cashier)

	t.Run("Cancel", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderSigned, storetest.CarOptions{Jobs: 1})
		next := f.MustCar(t, db, shop.OrderSigned, storetest.CarOptions{Jobs: 1})
		held, short := mustPart(t, db, clerk, f.Site.ID, "C-HELD", 1), mustPart(t, db, clerk, f.Site.ID, "C-SHORT", 0)
		job := car.Jobs[0].ID
		r1 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: held.ID, Quantity: 1, OrderID: &car.Order.ID, JobID: &job}, shop.ReservationReserved)
		r2 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: short.ID, Quantity: 1, OrderID: &car.Order.ID, JobID: &job}, shop.ReservationWaiting)
		r3 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: held.ID, Quantity: 1, OrderID: &next.Order.ID}, shop.ReservationWaiting)
		if !jobOf(t, db, adv, job).PartsShort {
			t.Fatalf("partsShort=false, want true before the cancel")
		}

		if _, err := db.CancelRepairOrder(adv, store.CancelRepairOrderInput{OrderID: car.Order.ID, Reason: "客户改期"}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []shop.PartReservationID{r1.ID, r2.ID} {
			if r := reservation(t, db, adv, id); r.State != shop.ReservationReleased || r.ClosedAt == nil {
				t.Fatalf("reservation=%+v, want RELEASED", r)
			}
		}
		if r := reservation(t, db, adv, r3.ID); r.State != shop.ReservationReserved {
			t.Fatalf("next order's reservation state=%v, want RESERVED from the freed unit", r.State)
		}
		if p := stock(t, db, clerk, held.ID); p.OnHand != 1 || p.Reserved != 1 {
			t.Fatalf("stock=%+v, want on hand 1, reserved 1 (for the next order)", p)
		}
		if jobOf(t, db, adv, job).PartsShort {
			t.Fatalf("partsShort=true, want false once its reservations are released")
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventPartsReleased); n != 1 {
			t.Fatalf("release events=%d, want 1", n)
		}
		// The released shortage left the queue: new stock stays available.
		if _, err := db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: short.ID, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if p := stock(t, db, clerk, short.ID); p.Reserved != 0 {
			t.Fatalf("reserved=%d, want 0: nothing waits for it any more", p.Reserved)
		}
	})

	t.Run("Deliver", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
		p := mustPart(t, db, clerk, f.Site.ID, "D-HELD", 2)
		r := mustReserve(t, db, adv, store.ReservePartsInput{PartID: p.ID, Quantity: 2, OrderID: &car.Order.ID}, shop.ReservationReserved)
		if _, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("err=%v, want INVALID_TRANSITION (issue only in work)", err)
		}
		if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car.Order.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: car.Order.ID, BelongingsChecked: true}); err != nil {
			t.Fatal(err)
		}
		if got := reservation(t, db, adv, r.ID); got.State != shop.ReservationReleased {
			t.Fatalf("state=%v, want RELEASED", got.State)
		}
		if got := stock(t, db, clerk, p.ID); got.OnHand != 2 || got.Reserved != 0 {
			t.Fatalf("stock=%+v, want on hand 2, reserved 0", got)
		}
	})

	t.Run("ApproveReservesTheLines", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		disc := mustPart(t, db, clerk, f.Site.ID, "A-DISC", 1)
		aw, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car.Order.ID, FoundOnJobID: &car.Jobs[0].ID,
			Description: "更换刹车盘", Reason: "刹车盘磨损", LabourMinutes: 30, ExtraMinutes: 30,
			Parts: []*store.PartLineInput{{PartNumber: "A-DISC", Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := stock(t, db, clerk, disc.ID); got.Reserved != 0 {
			t.Fatalf("stock=%+v, want nothing reserved while the customer decides", got)
		}
		if _, err := db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: aw.ID,
			CustomerContact: "黄先生", ContactMethod: shop.ContactPhone}); err != nil {
			t.Fatal(err)
		}
		rs, err := db.FindReservations(clerk, &disc.ID, &car.Order.ID, nil, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].State != shop.ReservationReserved || rs[0].PartLineID == nil || rs[0].JobID == nil || *rs[0].JobID != aw.JobID {
			t.Fatalf("reservations=%+v, want one RESERVED for the approved job's line", rs)
		}
		if got := stock(t, db, clerk, disc.ID); got.Reserved != 1 {
			t.Fatalf("stock=%+v, want the disc reserved", got)
		}
	})

	t.Run("Decline", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		aw, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car.Order.ID, FoundOnJobID: &car.Jobs[0].ID,
			Description: "更换刹车盘", Reason: "刹车盘磨损", LabourMinutes: 30, ExtraMinutes: 30})
		if err != nil {
			t.Fatal(err)
		}
		held, short := mustPart(t, db, clerk, f.Site.ID, "X-HELD", 1), mustPart(t, db, clerk, f.Site.ID, "X-SHORT", 0)
		extra, first := aw.JobID, car.Jobs[0].ID
		r1 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: held.ID, Quantity: 1, OrderID: &car.Order.ID, JobID: &extra}, shop.ReservationReserved)
		r2 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: short.ID, Quantity: 1, OrderID: &car.Order.ID, JobID: &extra}, shop.ReservationWaiting)
		// The order's own first job waits for the unit the extra job holds.
		r3 := mustReserve(t, db, adv, store.ReservePartsInput{PartID: held.ID, Quantity: 1, OrderID: &car.Order.ID, JobID: &first}, shop.ReservationWaiting)
		if c := findCard(t, db, f.Site.ID, car.Order.ID); c.Stage != shop.StageWaitingParts {
			t.Fatalf("stage=%v, want WAITING_PARTS", c.Stage)
		}

		if _, err := db.DeclineAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: aw.ID,
			CustomerContact: "黄先生", ContactMethod: shop.ContactPhone}); err != nil {
			t.Fatal(err)
		}
		for _, id := range []shop.PartReservationID{r1.ID, r2.ID} {
			if r := reservation(t, db, adv, id); r.State != shop.ReservationReleased {
				t.Fatalf("reservation %d state=%v, want RELEASED", id, r.State)
			}
		}
		if r := reservation(t, db, adv, r3.ID); r.State != shop.ReservationReserved {
			t.Fatalf("first job's reservation state=%v, want RESERVED from the freed unit", r.State)
		}
		if jobOf(t, db, adv, extra).PartsShort || jobOf(t, db, adv, first).PartsShort {
			t.Fatalf("partsShort=true, want false for both jobs")
		}
		if c := findCard(t, db, f.Site.ID, car.Order.ID); c.Stage == shop.StageWaitingParts {
			t.Fatalf("stage=%v, want the car no longer waiting for parts", c.Stage)
		}
		// The order's version moved on exactly as its saves say: a client
		// holding the version just read can still change it.
		o, err := db.FindOrderByID(adv, car.Order.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: o.ID, ExpectedVersion: &o.Version, PromisedAt: o.PromisedAt, Reason: ptr("同上")}); err != nil {
			t.Fatalf("update with the version just read: %v", err)
		}
		if _, err := db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: short.ID, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		if p := stock(t, db, clerk, short.ID); p.Reserved != 0 {
			t.Fatalf("reserved=%d, want 0: the declined job's shortage left the queue", p.Reserved)
		}
	})
}
