package store_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// TestCallbacksAndComplaints: delivery schedules the callbacks in the site's
// time zone; due lists per day; the own advisor is kept out where the site
// says so; an unreachable customer gets a message after tries over 5 days;
// a problem becomes a complaint that escalates after two days and is checked
// a week after closing.
func TestCallbacksAndComplaints(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cs, adv, mgr := storetest.Ctx(f.Callback), storetest.Ctx(f.Advisor), storetest.Ctx(f.Manager)
	// 00:30 on 25 November in Shenzhen, still the 24th in UTC: the local day counts.
	now := time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	car := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})

	cbs, err := db.FindCallbacksByOrderIDs(cs, []shop.OrderID{car.Order.ID})
	if err != nil || len(cbs[car.Order.ID]) != 2 {
		t.Fatalf("callbacks=%v err=%v", cbs, err)
	}
	first, second := cbs[car.Order.ID][0], cbs[car.Order.ID][1]
	if !first.DueOn.Equal(day(2026, 11, 28)) || !second.DueOn.Equal(day(2026, 12, 5)) {
		t.Fatalf("due=%v/%v, want 2026-11-28 (3 local days) and 2026-12-05", first.DueOn, second.DueOn)
	}
	for _, tc := range []struct {
		day  time.Time
		want int
	}{{day(2026, 11, 27), 0}, {day(2026, 11, 28), 1}, {day(2026, 12, 1), 1}} {
		due, err := db.FindCallbacksDue(cs, f.Site.ID, tc.day, store.Page{})
		if err != nil || len(due) != tc.want {
			t.Fatalf("due on %v: %d (%v), want %d", tc.day, len(due), err, tc.want)
		}
	}

	t.Run("CallbackDueEvent", func(t *testing.T) {
		now = time.Date(2026, 11, 27, 15, 59, 0, 0, time.UTC) // 23:59 on the 27th locally
		if n, err := db.RunFollowUpRules(adv); err != nil || n != 0 {
			t.Fatalf("n=%d err=%v, want 0 before the day", n, err)
		}
		now = now.Add(2 * time.Minute) // 00:01 on the 28th
		if n, err := db.RunFollowUpRules(adv); err != nil || n != 1 {
			t.Fatalf("n=%d err=%v, want 1", n, err)
		}
		if n, err := db.RunFollowUpRules(adv); err != nil || n != 0 {
			t.Fatalf("n=%d err=%v, want 0 the second time", n, err)
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventCallbackDue); n != 1 {
			t.Fatalf("events=%d, want 1", n)
		}
	})
	t.Run("ErrOwnAdvisor", func(t *testing.T) {
		if _, err := db.UpdateCallbackSettings(mgr, store.UpdateCallbackSettingsInput{SiteID: f.Site.ID, NotByAdvisor: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		_, err := db.RecordCallback(adv, store.RecordCallbackInput{CallbackID: first.ID, Reached: true, Satisfaction: ptr(5)})
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("err=%v, want FORBIDDEN", err)
		}
	})
	t.Run("ErrSatisfactionRange", func(t *testing.T) {
		_, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: first.ID, Reached: true, Satisfaction: ptr(6)})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "satisfaction" {
			t.Fatalf("err=%v, want INVALID satisfaction", err)
		}
	})
	t.Run("Unreachable", func(t *testing.T) {
		for i, at := range []time.Time{
			time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC),  // 28th, try 1
			time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),  // 30th, try 2: only 2 days
			time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC),  // 2 Dec 23:00 local: 4 days
			time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC), // 3 Dec 00:30 local: 5 days
		} {
			now = at
			res, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: first.ID, Reached: false, Remarks: ptr("无人接听")})
			if err != nil {
				t.Fatalf("try %d: %v", i+1, err)
			}
			want := shop.CallbackDue
			if i == 3 {
				want = shop.CallbackUnreachable
			}
			if res.Callback.State != want {
				t.Fatalf("try %d: state=%v, want %v", i+1, res.Callback.State, want)
			}
		}
		cbs, _ := db.FindCallbacksByOrderIDs(cs, []shop.OrderID{car.Order.ID})
		first, second = cbs[car.Order.ID][0], cbs[car.Order.ID][1]
		if first.Fallback == nil || *first.Fallback != shop.FallbackMessage || first.Attempts != 4 {
			t.Fatalf("first=%+v, want MESSAGE after 4 tries", first)
		}
		if !second.DueOn.Equal(day(2026, 12, 10)) {
			t.Fatalf("second due=%v, want 7 days after the first was given up (2026-12-10)", second.DueOn)
		}
	})
	var k *shop.Complaint
	t.Run("ProblemBecomesComplaint", func(t *testing.T) {
		now = time.Date(2026, 12, 10, 2, 0, 0, 0, time.UTC)
		_, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: second.ID, Reached: true, Satisfaction: ptr(2), Problem: ptr(true)})
		if shop.ErrorField(err) != "problemDescription" {
			t.Fatalf("err=%v, want INVALID problemDescription", err)
		}
		res, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: second.ID, Reached: true, Satisfaction: ptr(2),
			Problem: ptr(true), ProblemDescription: ptr("保养后仍有异响")})
		if err != nil {
			t.Fatal(err)
		}
		k = res.Complaint
		if k == nil || k.OwnerID != f.Callback.ID || k.State != shop.ComplaintOpen || k.CallbackID == nil {
			t.Fatalf("complaint=%+v, want OPEN owned by the callback staff", k)
		}
	})
	t.Run("Escalation", func(t *testing.T) {
		now = now.Add(47 * time.Hour)
		if n, _ := db.RunFollowUpRules(adv); n != 0 {
			t.Fatalf("escalated after 47 h")
		}
		now = now.Add(time.Hour)
		if n, err := db.RunFollowUpRules(adv); err != nil || n != 1 {
			t.Fatalf("n=%d err=%v, want 1 escalation", n, err)
		}
		ks, err := db.FindComplaints(cs, store.ComplaintFilter{SiteID: f.Site.ID, States: []shop.ComplaintState{shop.ComplaintEscalated}})
		if err != nil || len(ks) != 1 || ks[0].SupervisorID == nil || *ks[0].SupervisorID != f.Manager.ID {
			t.Fatalf("complaints=%+v err=%v, want escalated to the manager", ks, err)
		}
		k = ks[0]
	})
	t.Run("CloseAndCheck", func(t *testing.T) {
		if _, err := db.CloseComplaint(adv, store.ComplaintActionInput{ComplaintID: k.ID, Resolution: ptr("x")}); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("err=%v, want FORBIDDEN (not the owner)", err)
		}
		k, err = db.CloseComplaint(cs, store.ComplaintActionInput{ComplaintID: k.ID, Resolution: ptr("更换前减震器顶胶，免费")})
		if err != nil || k.State != shop.ComplaintClosed || k.CheckDueOn == nil {
			t.Fatalf("complaint=%+v err=%v", k, err)
		}
		now = now.Add(24 * time.Hour)
		if _, err := db.CheckComplaintSatisfaction(cs, store.ComplaintActionInput{ComplaintID: k.ID, Satisfied: ptr(true)}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("err=%v, want INVALID_TRANSITION before the week", err)
		}
		now = now.Add(7 * 24 * time.Hour)
		due, err := db.FindComplaints(cs, store.ComplaintFilter{SiteID: f.Site.ID, CheckDueBy: ptr(db.Today(f.Site))})
		if err != nil || len(due) != 1 {
			t.Fatalf("checks due=%v err=%v", due, err)
		}
		k, err = db.CheckComplaintSatisfaction(cs, store.ComplaintActionInput{ComplaintID: k.ID, Satisfied: ptr(true)})
		if err != nil || k.State != shop.ComplaintVerified {
			t.Fatalf("complaint=%+v err=%v", k, err)
		}
	})
}

// TestReminders: a plan's reminder tasks come due on their days; an earlier
// step overtaken by a later one drops out; delivery plans the next service;
// customers not seen for 3 months are listed for an invitation.
func TestReminders(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cs, adv := storetest.Ctx(f.Callback), storetest.Ctx(f.Advisor)
	now := time.Date(2026, 8, 20, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	old := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})

	now = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	car := f.MustCar(t, db, shop.OrderSettled, storetest.CarOptions{Jobs: 1})
	if _, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: car.Order.ID, BelongingsChecked: true,
		NextServiceDate: ptr(day(2027, 5, 24)), NextServiceMileage: ptr(45000)}); err != nil {
		t.Fatal(err)
	}
	plan, err := db.CreateServicePlan(cs, store.CreateServicePlanInput{VehicleID: old.Vehicle, Kind: shop.PlanFirstService, DueOn: day(2027, 1, 20)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateServicePlan(cs, store.CreateServicePlanInput{VehicleID: old.Vehicle, Kind: shop.PlanFirstService, DueOn: day(2027, 1, 20)}); shop.ErrorCode(err) != shop.ECONFLICT {
		t.Fatalf("err=%v, want CONFLICT", err)
	}
	if _, err := db.CreateServicePlan(cs, store.CreateServicePlanInput{VehicleID: old.Vehicle, Kind: shop.PlanRoutine, DueOn: day(2026, 1, 1)}); shop.ErrorField(err) != "dueOn" {
		t.Fatalf("err=%v, want INVALID dueOn", err)
	}
	dueOn := func(d time.Time) []*store.DueReminder {
		t.Helper()
		rs, err := db.FindRemindersDue(cs, f.Site.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	if rs := dueOn(day(2026, 12, 22)); len(rs) != 0 {
		t.Fatalf("due=%d, want none 29 days before", len(rs))
	}
	rs := dueOn(day(2026, 12, 23))
	if len(rs) != 1 || rs[0].Reminder.Channel != shop.ChannelLetter || rs[0].Plan.ID != plan.ID {
		t.Fatalf("due=%+v, want the letter 4 weeks before", rs)
	}
	if _, err := db.RecordReminder(cs, store.RecordReminderInput{ReminderID: rs[0].Reminder.ID, Outcome: "首保邀请信已寄出"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordReminder(cs, store.RecordReminderInput{ReminderID: rs[0].Reminder.ID, Outcome: "again"}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
		t.Fatalf("err=%v, want INVALID_TRANSITION", err)
	}
	if rs := dueOn(day(2026, 12, 24)); len(rs) != 0 {
		t.Fatalf("due=%d, want none after the letter", len(rs))
	}
	if rs := dueOn(day(2027, 1, 14)); len(rs) != 1 || rs[0].Reminder.Channel != shop.ChannelCall {
		t.Fatalf("due=%+v, want only the call (the message was overtaken)", rs)
	}
	// The routine plan from the delivery: letter 2 weeks before 2027-05-24.
	if rs := dueOn(day(2027, 5, 10)); len(rs) != 1 || rs[0].Reminder.Channel != shop.ChannelLetter || *rs[0].Plan.DueMileage != 45000 {
		t.Fatalf("due=%+v, want the routine letter", rs)
	}
	for _, tc := range []struct {
		day  time.Time
		want int
	}{{day(2026, 11, 19), 0}, {day(2026, 11, 20), 1}} {
		inv, err := db.FindInvitations(cs, f.Site.ID, tc.day, store.Page{})
		if err != nil || len(inv) != tc.want {
			t.Fatalf("invitations on %v: %d (%v), want %d", tc.day, len(inv), err, tc.want)
		}
		if tc.want == 1 && inv[0].VehicleID != old.Vehicle {
			t.Fatalf("invited %v, want %v", inv[0].VehicleID, old.Vehicle)
		}
	}
}

// TestListPages: the lists that were cut at 500 rows are read page by page
// after the last item's ID, in the list's order, with nothing lost or repeated.
func TestListPages(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cs := storetest.Ctx(f.Callback)
	now := time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	for range 3 {
		f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	}
	later := day(2026, 12, 31)
	all, err := db.FindCallbacksDue(cs, f.Site.ID, later, store.Page{})
	if err != nil || len(all) != 6 {
		t.Fatalf("due=%d err=%v, want 6", len(all), err)
	}
	var paged []*shop.Callback
	page := store.Page{First: 4}
	for range 4 {
		got, err := db.FindCallbacksDue(cs, f.Site.ID, later, page)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, got...)
		if len(got) < page.First {
			break
		}
		page.After = int64(got[len(got)-1].ID)
	}
	if len(paged) != len(all) {
		t.Fatalf("paged=%d, want %d", len(paged), len(all))
	}
	for i := range all {
		if paged[i].ID != all[i].ID {
			t.Fatalf("page order=%v at %d, want %v", paged[i].ID, i, all[i].ID)
		}
	}
	if got, err := db.FindCallbacksDue(cs, f.Site.ID, later, store.Page{First: 10, After: int64(all[5].ID)}); err != nil || len(got) != 0 {
		t.Fatalf("after the last=%d err=%v, want 0", len(got), err)
	}
}

// TestFollowUpEventsAndRows: a recorded callback saves its row, its try and
// its event (with the caller as actor) in one transaction, and a failed one
// saves none of them; the clock's CALLBACK_DUE event has no actor.
func TestFollowUpEventsAndRows(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cs := storetest.Ctx(f.Callback)
	now := time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	car := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	cbs, err := db.FindCallbacksByOrderIDs(cs, []shop.OrderID{car.Order.ID})
	if err != nil {
		t.Fatal(err)
	}
	first := cbs[car.Order.ID][0]
	events := func(kind shop.EventKind) []*shop.Event {
		t.Helper()
		evs, err := db.FindEventsByOrder(cs, car.Order.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var out []*shop.Event
		for _, e := range evs {
			if e.Kind == kind {
				out = append(out, e)
			}
		}
		return out
	}

	t.Run("ErrRollsBackEverything", func(t *testing.T) {
		_, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: first.ID, Reached: true, Satisfaction: ptr(2),
			Problem: ptr(true)}) // a problem needs its description: nothing may be saved
		if shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("err=%v, want INVALID", err)
		}
		cb, err := db.FindCallbackByID(cs, first.ID)
		if err != nil || cb.State != shop.CallbackDue || cb.Attempts != 0 || cb.Version != first.Version {
			t.Fatalf("callback=%+v err=%v, want unchanged", cb, err)
		}
		if n := len(events(shop.EventCallbackRecorded)); n != 0 {
			t.Fatalf("events=%d, want 0", n)
		}
	})
	t.Run("OKRowAndEventTogether", func(t *testing.T) {
		now = time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
		res, err := db.RecordCallback(cs, store.RecordCallbackInput{CallbackID: first.ID, Reached: true, Satisfaction: ptr(2),
			Problem: ptr(true), ProblemDescription: ptr("车门异响")})
		if err != nil || res.Complaint == nil || res.Callback.State != shop.CallbackDone {
			t.Fatalf("res=%+v err=%v, want DONE with a complaint", res, err)
		}
		for _, kind := range []shop.EventKind{shop.EventCallbackRecorded, shop.EventComplaintOpened} {
			evs := events(kind)
			if len(evs) != 1 || evs[0].ActorID == nil || *evs[0].ActorID != f.Callback.ID {
				t.Fatalf("%s events=%v, want one by the callback staff %d", kind, evs, f.Callback.ID)
			}
		}
		cbs, _ := db.FindCallbacksByOrderIDs(cs, []shop.OrderID{car.Order.ID})
		if second := cbs[car.Order.ID][1]; !second.DueOn.Equal(day(2026, 12, 5)) {
			t.Fatalf("second due=%v, want 2026-12-05 (7 days after the first was finished)", second.DueOn)
		}
	})
	t.Run("OKClockEventWithoutActor", func(t *testing.T) {
		now = time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC)
		if n, err := db.RunFollowUpRules(cs); err != nil || n != 2 {
			t.Fatalf("n=%d err=%v, want 2 (the second callback due, the complaint escalated)", n, err)
		}
		for _, kind := range []shop.EventKind{shop.EventCallbackDue, shop.EventComplaintEscalated} {
			evs := events(kind)
			if len(evs) != 1 || evs[0].ActorID != nil || !evs[0].At.Equal(now) || evs[0].AdvisorID == nil {
				t.Fatalf("%s events=%+v, want one at %v with no actor, for the advisor", kind, evs, now)
			}
		}
	})
}
