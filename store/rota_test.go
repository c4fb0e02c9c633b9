package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

func intp(n int) *int       { return &n }
func boolp(b bool) *bool    { return &b }
func strp(s string) *string { return &s }

// TestRotaCapacity: capacity counts the technicians on today's rota within
// the opening hours, less booked work and expected appointments, per skill
// where a job needs one; a site without a rota today assumes every active
// technician (and says so).
func TestRotaCapacity(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai; the site opens 08:00 to 18:00
	db.Now = func() time.Time { return now }
	fm, mgr := storetest.Ctx(f.Foreman), storetest.Ctx(f.Manager)
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)

	t.Run("OKWithoutRota", func(t *testing.T) {
		c, err := db.FindCapacity(fm, f.Site.ID)
		if err != nil || c.Detail.RotaKnown || c.Technicians != 2 || c.Detail.ShiftMinutes != 2*480 {
			t.Fatalf("capacity=%+v err=%v, want 2 technicians assumed for 8 h each", c, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := db.SetShift(storetest.Ctx(f.Advisor), store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Tech.ID, Day: today, StartsAt: intp(480), EndsAt: intp(1020)})
		if shop.ErrorCode(err) != shop.EFORBIDDEN || storetest.Count(t, db, "shifts") != 0 {
			t.Fatalf("code=%v, want FORBIDDEN and nothing saved", shop.ErrorCode(err))
		}
	})
	t.Run("ErrPastDay", func(t *testing.T) {
		_, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Tech.ID, Day: today.AddDate(0, 0, -1), StartsAt: intp(480), EndsAt: intp(1020)})
		if shop.ErrorField(err) != "day" || storetest.Count(t, db, "shifts") != 0 {
			t.Fatalf("field=%v (%v), want day and nothing saved", shop.ErrorField(err), err)
		}
	})
	t.Run("ErrOtherSiteUser", func(t *testing.T) {
		_, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.OtherAdvisor.ID, Day: today, StartsAt: intp(480), EndsAt: intp(1020)})
		if shop.ErrorCode(err) != shop.ENOTFOUND || shop.ErrorField(err) != "userId" {
			t.Fatalf("code=%v field=%v, want NOT_FOUND on userId", shop.ErrorCode(err), shop.ErrorField(err))
		}
	})
	t.Run("ErrSkillsOfAdvisor", func(t *testing.T) {
		_, err := db.SetUserSkills(mgr, store.SetUserSkillsInput{UserID: f.Advisor.ID, Skills: []string{"AC"}})
		if shop.ErrorField(err) != "userId" || storetest.Count(t, db, "user_skills") != 0 {
			t.Fatalf("field=%v, want userId and nothing saved", shop.ErrorField(err))
		}
	})

	// Tech works 08:00–17:00 with ELECTRICAL; the lead is on leave.
	if _, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Tech.ID, Day: today, StartsAt: intp(480), EndsAt: intp(1020)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Lead.ID, Day: today, Leave: boolp(true), Note: strp("sick")}); err != nil {
		t.Fatal(err)
	}
	if skills, err := db.SetUserSkills(fm, store.SetUserSkillsInput{UserID: f.Tech.ID, Skills: []string{"electrical"}}); err != nil || len(skills) != 1 || skills[0] != "ELECTRICAL" {
		t.Fatalf("skills=%v err=%v", skills, err)
	}
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 2})
	if js, err := db.SetJobSkill(fm, store.SetJobSkillInput{JobID: car.Jobs[0].ID, Skill: strp("ELECTRICAL")}); err != nil || *js.Skill != "ELECTRICAL" {
		t.Fatalf("job skill=%v err=%v", js, err)
	}
	if _, err := db.BookAppointment(storetest.Ctx(f.Advisor), store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: now.Add(4 * time.Hour),
		RequestedWork: "保养", Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"},
		Vehicle: &store.NewVehicleInput{Plate: "粤B54321", Make: "丰田", Model: "凯美瑞"}}); err != nil {
		t.Fatal(err)
	}
	booked := 0
	for _, j := range car.Jobs {
		booked += j.LabourMinutes
	}
	t.Run("OK", func(t *testing.T) {
		c, err := db.FindCapacity(fm, f.Site.ID)
		if err != nil {
			t.Fatal(err)
		}
		d := c.Detail
		if !d.RotaKnown || c.Technicians != 1 || d.ShiftMinutes != 420 || c.BacklogMinutes != booked || d.AppointmentMinutes != 60 {
			t.Fatalf("capacity=%+v, want 1 on shift, 420 min left, %d booked, 60 expected", d, booked)
		}
		if c.FreeLabourMinutes != 420-booked-60 {
			t.Fatalf("free=%d, want %d", c.FreeLabourMinutes, 420-booked-60)
		}
		if len(d.BySkill) != 1 || d.BySkill[0].Skill != "ELECTRICAL" || d.BySkill[0].BookedMinutes != car.Jobs[0].LabourMinutes ||
			d.BySkill[0].FreeMinutes != 420-car.Jobs[0].LabourMinutes {
			t.Fatalf("bySkill=%+v, want ELECTRICAL with job 1's minutes booked", d.BySkill)
		}
		board, err := db.SiteCapacity(fm, f.Site.ID)
		if err != nil || board.FreeLabourMinutes != c.FreeLabourMinutes {
			t.Fatalf("board free=%v err=%v, want %d as the site's", board, err, c.FreeLabourMinutes)
		}
	})
	t.Run("OKRota", func(t *testing.T) {
		rota, err := db.FindRota(fm, f.Site.ID, today, today.AddDate(0, 0, 6))
		if err != nil || len(rota) != 2 {
			t.Fatalf("rota=%d err=%v, want 2 entries", len(rota), err)
		}
		if _, err := db.FindRota(fm, f.Site.ID, today, today.AddDate(0, 3, 0)); shop.ErrorField(err) != "to" {
			t.Fatalf("field=%v, want to", shop.ErrorField(err))
		}
	})
}

// TestAppointmentSlots: a full slot refuses the next booking (INVALID on
// scheduledAt, nothing saved), two advisors racing for the last place get
// one booking between them, a cancellation frees the place, and each
// booking for a later day puts a reminder on the advisor's list the day
// before, which the clock closes as MISSED when the day comes.
func TestAppointmentSlots(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	clock := now
	db.Now = func() time.Time { return clock }
	adv, mgr := storetest.Ctx(f.Advisor), storetest.Ctx(f.Manager)
	if _, err := db.SetAppointmentCapacity(mgr, store.SetAppointmentCapacityInput{SiteID: f.Site.ID, SlotMinutes: 60, PerSlot: 2, ExpectedMinutes: 90}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetAppointmentCapacity(adv, store.SetAppointmentCapacityInput{SiteID: f.Site.ID, SlotMinutes: 60, PerSlot: 9, ExpectedMinutes: 90}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("code=%v, want FORBIDDEN for an advisor", shop.ErrorCode(err))
	}
	slot := time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC) // 10:00–11:00 on 12/5 in Shanghai
	plate := 0
	book := func(at time.Time) (*shop.Appointment, error) {
		plate++
		return db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: at, RequestedWork: "保养",
			Customer: &store.NewCustomerInput{Name: "客户", Phone: "13800138000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B1000" + string(rune('0'+plate)), Make: "丰田", Model: "凯美瑞"}})
	}
	first, err := book(slot)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: slot.Add(time.Duration(10*(i+1)) * time.Minute),
				RequestedWork: "保养", Customer: &store.NewCustomerInput{Name: "客户", Phone: "13800138000"},
				Vehicle: &store.NewVehicleInput{Plate: "粤C2000" + string(rune('0'+i)), Make: "丰田", Model: "凯美瑞"}})
		}()
	}
	wg.Wait()
	t.Run("OKOneWinsTheLastPlace", func(t *testing.T) {
		ok, full := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case shop.ErrorField(err) == "scheduledAt":
				full++
			default:
				t.Fatalf("err=%v, want success or a full slot", err)
			}
		}
		if ok != 1 || full != 1 {
			t.Fatalf("booked=%d refused=%d, want 1 and 1", ok, full)
		}
	})
	t.Run("ErrClosedDay", func(t *testing.T) {
		reason := "盘点"
		if _, err := db.SetClosedDay(mgr, store.SetClosedDayInput{SiteID: f.Site.ID, Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
			Closed: true, Reason: &reason}); err != nil {
			t.Fatal(err)
		}
		_, err := book(time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)) // 10:00 on 12/7 in Shanghai
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "scheduledAt" || !strings.Contains(err.Error(), "closed") {
			t.Fatalf("err=%v, want INVALID on scheduledAt: closed that day", err)
		}
		_, err = book(time.Date(2026, 12, 4, 23, 0, 0, 0, time.UTC)) // 07:00 on 12/5, before opening
		if shop.ErrorCode(err) != shop.EINVALID || !strings.Contains(err.Error(), "outside the workshop's hours") {
			t.Fatalf("err=%v, want INVALID: outside the hours", err)
		}
	})
	t.Run("ErrFull", func(t *testing.T) {
		before := storetest.Count(t, db, "appointments")
		_, err := book(slot.Add(59 * time.Minute))
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "scheduledAt" || !strings.Contains(shop.ErrorMessage(err), "is full") {
			t.Fatalf("err=%v, want INVALID on scheduledAt: full", err)
		}
		if n := storetest.Count(t, db, "appointments"); n != before {
			t.Fatalf("appointments=%d, want %d: nothing saved", n, before)
		}
	})
	t.Run("OKNextSlot", func(t *testing.T) {
		if _, err := book(slot.Add(time.Hour)); err != nil {
			t.Fatalf("next slot: %v", err)
		}
	})
	t.Run("OKCancelFreesPlace", func(t *testing.T) {
		if _, err := db.CancelAppointment(adv, store.CancelAppointmentInput{AppointmentID: first.ID, Reason: "改期"}); err != nil {
			t.Fatal(err)
		}
		if _, err := book(slot.Add(30 * time.Minute)); err != nil {
			t.Fatalf("after cancel: %v", err)
		}
	})
	// 4 booked for 12/5 (one cancelled): reminders due 12/4.
	t.Run("OKReminderOnList", func(t *testing.T) {
		tomorrow := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
		if rs, err := db.FindAppointmentRemindersDue(adv, f.Site.ID, tomorrow.AddDate(0, 0, -1), nil); err != nil || len(rs) != 0 {
			t.Fatalf("reminders today=%d err=%v, want 0 before the day before", len(rs), err)
		}
		rs, err := db.FindAppointmentRemindersDue(adv, f.Site.ID, tomorrow, &f.Advisor.ID)
		if err != nil || len(rs) != 3 {
			t.Fatalf("reminders=%d err=%v, want 3 (the cancelled appointment's is not on the list)", len(rs), err)
		}
		clock = time.Date(2026, 12, 4, 1, 0, 0, 0, time.UTC)
		r, err := db.RecordAppointmentReminder(adv, store.RecordAppointmentReminderInput{AppointmentID: rs[0].AppointmentID, Outcome: "已电话确认"})
		if err != nil || r.State != shop.AppointmentReminderDone {
			t.Fatalf("record=%v err=%v", r, err)
		}
		if _, err := db.RecordAppointmentReminder(adv, store.RecordAppointmentReminderInput{AppointmentID: rs[0].AppointmentID, Outcome: "again"}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("code=%v, want INVALID_TRANSITION", shop.ErrorCode(err))
		}
	})
	t.Run("OKMissedWhenDayComes", func(t *testing.T) {
		clock = time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC) // 09:00 on 12/5 in Shanghai
		if _, err := db.RunFollowUpRules(adv); err != nil {
			t.Fatal(err)
		}
		if rs, _ := db.FindAppointmentRemindersDue(adv, f.Site.ID, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), nil); len(rs) != 0 {
			t.Fatalf("reminders=%d, want none left", len(rs))
		}
		r, err := db.FindReport(mgr, f.Site.ID, shop.PeriodDay, time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
		if err != nil || r.AppointmentRemindersMissed != 2 {
			t.Fatalf("missed=%v err=%v, want 2", r.AppointmentRemindersMissed, err)
		}
	})
}

// TestMileageReminder is the car: at 50,000 km with a service due
// at 5,000 km (and next year by date), it is flagged today; a plan by date
// alone is not. Undone, its tasks close as MISSED after the effective day.
func TestMileageReminder(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	adv, cb := storetest.Ctx(f.Advisor), storetest.Ctx(f.Callback)
	v, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 50_000, FuelLevel: 50, Complaint: "保养", KeyTag: "K-9", WalkaroundSigned: true,
		Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B50000", Make: "丰田", Model: "凯美瑞"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 50_000, FuelLevel: 50, Complaint: "保养", KeyTag: "K-9", WalkaroundSigned: true,
		Customer: &store.NewCustomerInput{Name: "李先生", Phone: "13900139000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B50001", Make: "丰田", Model: "凯美瑞"}})
	if err != nil {
		t.Fatal(err)
	}
	nextYear := time.Date(2027, 12, 1, 0, 0, 0, 0, time.UTC)
	byKm, err := db.CreateServicePlan(cb, store.CreateServicePlanInput{VehicleID: v.VehicleID, Kind: shop.PlanRoutine, DueOn: nextYear, DueMileage: intp(5_000)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateServicePlan(cb, store.CreateServicePlanInput{VehicleID: other.VehicleID, Kind: shop.PlanRoutine, DueOn: nextYear}); err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	t.Run("OK", func(t *testing.T) {
		due, err := db.FindRemindersDue(cb, f.Site.ID, today)
		if err != nil || len(due) != 1 {
			t.Fatalf("due=%d err=%v, want the car past its mileage only", len(due), err)
		}
		d := due[0]
		if d.Plan.ID != byKm.ID || !d.ByMileage || d.EstimatedMileage == nil || *d.EstimatedMileage != 50_000 {
			t.Fatalf("due=%+v, want plan %v by mileage at 50,000 km", d, byKm.ID)
		}
	})
	t.Run("OKMissedAfterWindow", func(t *testing.T) {
		clock = clock.AddDate(0, 0, shop.MileageNoticeDays+1)
		n, err := db.RunFollowUpRules(cb)
		if err != nil || n == 0 {
			t.Fatalf("events=%d err=%v, want the missed tasks told", n, err)
		}
		day := shop.LocalDate(clock, time.UTC)
		if due, err := db.FindRemindersDue(cb, f.Site.ID, day); err != nil || len(due) != 0 {
			t.Fatalf("due=%d err=%v, want none", len(due), err)
		}
		r, err := db.FindReport(storetest.Ctx(f.Manager), f.Site.ID, shop.PeriodDay, day)
		if err != nil || r.RemindersMissed != 3 {
			t.Fatalf("missed=%v err=%v, want the plan's 3 tasks", r.RemindersMissed, err)
		}
		if n, err := db.RunFollowUpRules(cb); err != nil || n != 0 {
			t.Fatalf("events=%d err=%v, want nothing the second time", n, err)
		}
	})
}

// TestCallbacksMissed: callbacks nobody made close as MISSED two weeks after
// their day, leave the list and count in the report; never twice.
func TestCallbacksMissed(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	ctx := storetest.Ctx(f.Callback)
	clock = clock.AddDate(0, 0, 40)
	day := shop.LocalDate(clock, time.UTC)
	if due, err := db.FindCallbacksDue(ctx, f.Site.ID, day, store.Page{}); err != nil || len(due) != 2 {
		t.Fatalf("due=%d err=%v, want 2 before the clock passes", len(due), err)
	}
	if _, err := db.RunFollowUpRules(ctx); err != nil {
		t.Fatal(err)
	}
	if due, err := db.FindCallbacksDue(ctx, f.Site.ID, day, store.Page{}); err != nil || len(due) != 0 {
		t.Fatalf("due=%d err=%v, want none", len(due), err)
	}
	r, err := db.FindReport(storetest.Ctx(f.Manager), f.Site.ID, shop.PeriodDay, day)
	if err != nil || r.CallbacksMissed != 2 || r.CallbacksFinished != 0 {
		t.Fatalf("missed=%d finished=%d err=%v, want 2 missed, none finished", r.CallbacksMissed, r.CallbacksFinished, err)
	}
}

// TestReportPeople: per advisor and technician, hours sold against hours
// clocked; the same car back for the same complaint within 30 days is a
// repeat repair; every report exports as CSV.
func TestReportPeople(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clock := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return clock }
	car := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 2})
	clock = clock.Add(48 * time.Hour)
	again := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, Customer: car.Customer, Vehicle: car.Vehicle})
	mgr := storetest.Ctx(f.Manager)
	r, err := db.FindReport(mgr, f.Site.ID, shop.PeriodMonth, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OKAdvisors", func(t *testing.T) {
		if len(r.Advisors) != 1 || r.Advisors[0].UserID != f.Advisor.ID || r.Advisors[0].Orders != 2 || r.Advisors[0].Jobs != 3 ||
			r.Advisors[0].MinutesSold != r.LabourMinutesSold || r.Advisors[0].Revenue != r.Total {
			t.Fatalf("advisors=%+v, want %v with 2 orders, 3 jobs, %d min, %v", r.Advisors, f.Advisor.ID, r.LabourMinutesSold, r.Total)
		}
	})
	t.Run("OKTechnicians", func(t *testing.T) {
		sold := 0
		for _, p := range r.Technicians {
			sold += p.MinutesSold
		}
		if len(r.Technicians) == 0 || sold != r.LabourMinutesSold {
			t.Fatalf("technicians=%+v, want the %d minutes sold shared among them", r.Technicians, r.LabourMinutesSold)
		}
	})
	t.Run("OKRepeatRepair", func(t *testing.T) {
		if len(r.RepeatRepairs) != 1 || r.RepeatRepairs[0].VisitID != again.Visit.ID || r.RepeatRepairs[0].FirstVisitID != car.Visit.ID {
			t.Fatalf("repeats=%+v, want visit %v repeating %v", r.RepeatRepairs, again.Visit.ID, car.Visit.ID)
		}
	})
	t.Run("OKCSV", func(t *testing.T) {
		csv, err := db.FindReportCSV(mgr, f.Site.ID, shop.ReportAdvisors, shop.PeriodMonth, clock)
		if err != nil || !strings.HasPrefix(csv, "user_id,name,orders,jobs,") || !strings.Contains(csv, f.Advisor.Name) {
			t.Fatalf("csv=%q err=%v", csv, err)
		}
		csv, err = db.FindReportCSV(mgr, f.Site.ID, shop.ReportService, shop.PeriodMonth, clock)
		if err != nil || !strings.Contains(csv, "repeat_repairs,1\n") {
			t.Fatalf("csv=%q err=%v", csv, err)
		}
	})
	t.Run("ErrReportName", func(t *testing.T) {
		if _, err := db.FindReportCSV(mgr, f.Site.ID, "PAYROLL", shop.PeriodMonth, clock); shop.ErrorField(err) != "report" {
			t.Fatalf("field=%v, want report", shop.ErrorField(err))
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := db.FindReportCSV(storetest.Ctx(f.Advisor), f.Site.ID, shop.ReportService, shop.PeriodMonth, clock); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%v, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
}
