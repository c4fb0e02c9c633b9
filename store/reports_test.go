package store_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestDailyReport builds one local day (25 November 2026 in Shenzhen, UTC
// 24th 16:00 to 25th 16:00) with records just inside and just outside it,
// and checks every figure of the day's report.
func TestDailyReport(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, qc, cash, cs, wc, mgr := storetest.Ctx(f.Advisor), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier),
		storetest.Ctx(f.Callback), storetest.Ctx(f.WarrantyClerk), storetest.Ctx(f.Manager)
	var now time.Time
	db.Now = func() time.Time { return now }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// Before the day: two cars delivered on the 22nd (their callbacks fall due
	// on the 25th) and a complaint opened at 23:30 on the 24th.
	now = time.Date(2026, 11, 22, 2, 0, 0, 0, time.UTC)
	d := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	e := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, WorkType: shop.WorkRepair})
	now = time.Date(2026, 11, 24, 15, 30, 0, 0, time.UTC)
	old, err := db.OpenComplaint(adv, store.OpenComplaintInput{CustomerID: d.Customer, OrderID: &d.Order.ID, Description: "等待时间过长"})
	must(err)

	// The day. A: maintenance, received 00:30 local and delivered on time.
	now = time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)
	f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	// B: repair, fails its final inspection.
	b := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{Jobs: 1, WorkType: shop.WorkRepair})
	_, err = db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: b.Order.ID, Passed: false, Notes: ptr("漏油"),
		FailedJobIDs: []shop.JobID{b.Jobs[0].ID}})
	must(err)
	// C: warranty, ready after its promised time, delivered late; its job under warranty.
	c := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{Jobs: 1, WorkType: shop.WorkWarranty})
	_, err = db.DecideWarranty(wc, store.DecideWarrantyInput{JobID: c.Jobs[0].ID, Reason: "三包期内"})
	must(err)
	_, err = db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: c.Order.ID, PromisedAt: ptr(now.Add(10 * time.Minute)), Reason: ptr("客户要求")})
	must(err)
	now = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	_, err = db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: c.Order.ID, Passed: true})
	must(err)
	_, err = db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: c.Order.ID})
	must(err)
	now = time.Date(2026, 11, 25, 15, 30, 0, 0, time.UTC) // 23:30 local
	_, err = db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: c.Order.ID, BelongingsChecked: true})
	must(err)
	// Callbacks of D (satisfied) and E (not: a complaint), the old complaint closed.
	cbs, err := db.FindCallbacksDue(cs, f.Site.ID, day(2026, 11, 25), store.Page{})
	must(err)
	if len(cbs) != 2 {
		t.Fatalf("callbacks due=%d, want 2", len(cbs))
	}
	for _, cb := range cbs {
		in := store.RecordCallbackInput{CallbackID: cb.ID, Reached: true, Satisfaction: ptr(5)}
		if cb.OrderID == e.Order.ID {
			in.Satisfaction, in.Problem, in.ProblemDescription = ptr(3), ptr(true), ptr("异响未解决")
		}
		_, err := db.RecordCallback(cs, in)
		must(err)
	}
	_, err = db.CloseComplaint(adv, store.ComplaintActionInput{ComplaintID: old.ID, Resolution: ptr("致歉并赠送保养券")})
	must(err)
	// After the day (00:30 local on the 26th): must not count.
	now = time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC)
	f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, WorkType: shop.WorkAccident})

	if _, err := db.FindReport(adv, f.Site.ID, shop.PeriodDay, day(2026, 11, 25)); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("err=%v, want FORBIDDEN for an advisor", err)
	}
	if _, err := db.FindReport(mgr, f.Site.ID, "YEAR", day(2026, 11, 25)); shop.ErrorField(err) != "period" {
		t.Fatalf("err=%v, want INVALID period", err)
	}
	r, err := db.FindReport(mgr, f.Site.ID, shop.PeriodDay, day(2026, 11, 25))
	must(err)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	if !r.From.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, loc)) || !r.To.Equal(time.Date(2026, 11, 26, 0, 0, 0, 0, loc)) {
		t.Fatalf("period=%v..%v", r.From, r.To)
	}
	rate := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"received MAINTENANCE", r.Received[shop.WorkMaintenance], 1},
		{"received REPAIR", r.Received[shop.WorkRepair], 1},
		{"received WARRANTY", r.Received[shop.WorkWarranty], 1},
		{"received ACCIDENT", r.Received[shop.WorkAccident], 0},
		{"delivered MAINTENANCE", r.Delivered[shop.WorkMaintenance], 1},
		{"delivered REPAIR", r.Delivered[shop.WorkRepair], 0},
		{"delivered WARRANTY", r.Delivered[shop.WorkWarranty], 1},
		{"labour", r.Labour, shop.Money(60000)},
		{"parts", r.Parts, shop.Money(4936)},
		{"total", r.Total, shop.Money(64936)},
		{"customer", r.ByPayer[shop.PayerCustomer], shop.Money(32468)},
		{"warranty", r.ByPayer[shop.PayerWarranty], shop.Money(32468)},
		{"insurer", r.ByPayer[shop.PayerInsurer], shop.Money(0)},
		{"labour minutes", r.LabourMinutesSold, 120},
		{"deliveries promised", r.DeliveriesPromised, 2},
		{"on time", r.DeliveriesOnTime, 1},
		{"on-time rate", rate(r.OnTimeRate()), 0.5},
		{"inspections", r.Inspections, 3},
		{"failed inspections", r.FailedInspections, 1},
		{"rework rate", rate(r.ReworkRate()), 1.0 / 3},
		{"callbacks finished", r.CallbacksFinished, 2},
		{"callbacks reached", r.CallbacksReached, 2},
		{"reach rate", rate(r.ReachRate()), 1.0},
		{"satisfaction average", rate(r.AverageSatisfaction()), 4.0},
		{"satisfaction rate", rate(r.SatisfactionRate()), 0.5},
		{"complaints opened", r.ComplaintsOpened, 1},
		{"complaints closed", r.ComplaintsClosed, 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s=%v, want %v", tc.name, tc.got, tc.want)
		}
	}

	// The month holds the 22nd and the 26th too: D, E and the accident car.
	m, err := db.FindReport(mgr, f.Site.ID, shop.PeriodMonth, day(2026, 11, 3))
	must(err)
	if m.Received[shop.WorkMaintenance] != 2 || m.Received[shop.WorkRepair] != 2 || m.Received[shop.WorkAccident] != 1 || m.Total != 5*32468 || m.ComplaintsOpened != 2 {
		t.Fatalf("month received=%v total=%v complaints=%d", m.Received, m.Total, m.ComplaintsOpened)
	}
}
