package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestComputeCapacity(t *testing.T) {
	const opens, closes = 8 * 60, 18 * 60
	alice := shop.OnShift{UserID: 1, StartsAt: 8 * 60, EndsAt: 17 * 60, Skills: []string{"ELECTRICAL"}}
	bob := shop.OnShift{UserID: 2, StartsAt: 12 * 60, EndsAt: 20 * 60}
	for _, tc := range []struct {
		name                      string
		now                       int
		shifts                    []shop.OnShift
		booked                    []shop.BookedWork
		appts                     int
		wantShift, wantFree       int
		wantElecShift, wantElecFr int
	}{
		// At 10:00: Alice has 7 h left; Bob's shift counts from 12:00 to closing at 18:00, 6 h.
		{"OK", 600, []shop.OnShift{alice, bob}, nil, 0, 780, 780, 420, 420},
		{"OKBookedAndAppointments", 600, []shop.OnShift{alice, bob}, []shop.BookedWork{{Minutes: 120}, {Minutes: 60, Skill: "ELECTRICAL"}}, 90, 780, 510, 420, 360},
		{"OKBeforeOpening", 300, []shop.OnShift{alice}, nil, 0, 540, 540, 540, 540},
		{"OKAfterClosing", 18 * 60, []shop.OnShift{alice, bob}, nil, 0, 0, 0, 0, 0},
		{"OKNobodyOnShift", 600, nil, []shop.BookedWork{{Minutes: 60}}, 0, 0, 0, 0, 0},
		{"OKOverbookedNeverNegative", 16 * 60, []shop.OnShift{alice}, []shop.BookedWork{{Minutes: 600, Skill: "ELECTRICAL"}}, 60, 60, 0, 60, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := shop.ComputeCapacity(opens, closes, tc.now, true, tc.shifts, tc.booked, tc.appts)
			if c.ShiftMinutes != tc.wantShift || c.FreeMinutes != tc.wantFree || c.Technicians != len(tc.shifts) {
				t.Fatalf("shift=%d free=%d techs=%d, want %d %d %d", c.ShiftMinutes, c.FreeMinutes, c.Technicians, tc.wantShift, tc.wantFree, len(tc.shifts))
			}
			var elec shop.SkillCapacity
			for _, s := range c.BySkill {
				if s.Skill == "ELECTRICAL" {
					elec = s
				}
			}
			if elec.ShiftMinutes != tc.wantElecShift || elec.FreeMinutes != tc.wantElecFr {
				t.Fatalf("electrical=%+v, want shift %d free %d", elec, tc.wantElecShift, tc.wantElecFr)
			}
		})
	}
	t.Run("OKAssumedWithoutRota", func(t *testing.T) {
		c := shop.ComputeCapacity(opens, closes, 600, false, shop.AssumedShifts([]shop.OnShift{{UserID: 1}, {UserID: 2}}, opens, closes), nil, 0)
		if c.RotaKnown || c.ShiftMinutes != 2*480 {
			t.Fatalf("rotaKnown=%v shift=%d, want false %d", c.RotaKnown, c.ShiftMinutes, 2*480)
		}
	})
}

func TestTakeSlot(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	c := shop.AppointmentCapacity{SlotMinutes: 30, PerSlot: 2, ExpectedMinutes: 60}
	at := time.Date(2026, 12, 4, 9, 40, 0, 0, sh)
	from, to := shop.AppointmentSlot(at, sh, c)
	if want := time.Date(2026, 12, 4, 9, 30, 0, 0, sh); !from.Equal(want) || !to.Equal(want.Add(30*time.Minute)) {
		t.Fatalf("slot=%v–%v, want %v", from, to, want)
	}
	site := shop.Site{TimeZone: "Asia/Shanghai", OpensAt: 8 * 60, ClosesAt: 18 * 60,
		Hours:      []shop.DayHours{{Weekday: time.Sunday, Closed: true}, {Weekday: time.Saturday, OpensAt: 9 * 60, ClosesAt: 12 * 60}},
		ClosedDays: []shop.ClosedDay{{Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Reason: "盘点"}}}
	for _, tc := range []struct {
		name     string
		at       time.Time
		booked   int
		wantCode string
	}{
		{"OK", at, 0, ""},
		{"OKLastPlace", at, 1, ""},
		{"OKSaturdayMorning", time.Date(2026, 12, 5, 11, 30, 0, 0, sh), 0, ""},
		{"ErrFull", at, 2, shop.EINVALID},
		{"ErrOverbooked", at, 5, shop.EINVALID},
		{"ErrBeforeOpening", time.Date(2026, 12, 4, 7, 30, 0, 0, sh), 0, shop.EINVALID},
		{"ErrAtClosing", time.Date(2026, 12, 4, 18, 0, 0, 0, sh), 0, shop.EINVALID},
		{"ErrSaturdayAfternoon", time.Date(2026, 12, 5, 12, 0, 0, 0, sh), 0, shop.EINVALID},
		{"ErrClosedWeekday", time.Date(2026, 12, 6, 10, 0, 0, 0, sh), 0, shop.EINVALID},
		{"ErrClosedDay", time.Date(2026, 12, 7, 10, 0, 0, 0, sh), 0, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := shop.TakeSlot(tc.at, site, c, tc.booked)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err != nil && shop.ErrorField(err) != "scheduledAt" {
				t.Fatalf("field=%v, want scheduledAt", shop.ErrorField(err))
			}
		})
	}
}

func TestSetAppointmentCapacity(t *testing.T) {
	for _, tc := range []struct {
		name      string
		c         shop.AppointmentCapacity
		wantField string
	}{
		{"OK", shop.DefaultAppointmentCapacity, ""},
		{"ErrSlotLength", shop.AppointmentCapacity{SlotMinutes: 45, PerSlot: 2, ExpectedMinutes: 60}, "slotMinutes"},
		{"ErrPerSlot", shop.AppointmentCapacity{SlotMinutes: 60, PerSlot: 0, ExpectedMinutes: 60}, "perSlot"},
		{"ErrExpected", shop.AppointmentCapacity{SlotMinutes: 60, PerSlot: 2, ExpectedMinutes: 0}, "expectedMinutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, ev, err := shop.SetAppointmentCapacity(1, tc.c)
			if got := shop.ErrorField(err); got != tc.wantField {
				t.Fatalf("field=%v, want %v (%v)", got, tc.wantField, err)
			}
			if err == nil && ev.Kind != shop.EventAppointmentCapacitySet {
				t.Fatalf("event=%v, want APPOINTMENT_CAPACITY_SET", ev.Kind)
			}
		})
	}
}

func TestAppointmentReminder(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // 10:00 on 12/3 in Shanghai
	adv := shop.UserID(5)
	for _, tc := range []struct {
		name    string
		at      time.Time
		wantOK  bool
		wantDue time.Time
	}{
		{"OK", time.Date(2026, 12, 8, 9, 0, 0, 0, sh), true, date(2026, 12, 7)},
		{"OKTomorrowDueToday", time.Date(2026, 12, 4, 9, 0, 0, 0, sh), true, date(2026, 12, 3)},
		// 00:30 on 12/4 in Shanghai is still 12/3 in UTC: the site's day decides.
		{"OKLocalDay", time.Date(2026, 12, 4, 0, 30, 0, 0, sh), true, date(2026, 12, 3)},
		{"ErrToday", time.Date(2026, 12, 3, 15, 0, 0, 0, sh), false, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := shop.PlanAppointmentReminder(&shop.Appointment{ID: 1, SiteID: 1, AdvisorID: &adv, ScheduledAt: tc.at}, sh, now)
			if ok != tc.wantOK || (ok && (!r.DueOn.Equal(tc.wantDue) || r.State != shop.AppointmentReminderDue || *r.AdvisorID != adv)) {
				t.Fatalf("reminder=%+v ok=%v, want due %v ok %v", r, ok, tc.wantDue, tc.wantOK)
			}
		})
	}
	due := shop.AppointmentReminder{ID: 1, SiteID: 1, DueOn: date(2026, 12, 3), State: shop.AppointmentReminderDue}
	t.Run("OKRecord", func(t *testing.T) {
		r, ev, err := shop.RecordAppointmentReminder(due, "Customer confirmed", 5, now)
		if err != nil || r.State != shop.AppointmentReminderDone || r.DoneAt == nil || ev.Kind != shop.EventAppointmentReminderRecorded {
			t.Fatalf("state=%v err=%v, want DONE", r.State, err)
		}
		if _, _, err := shop.RecordAppointmentReminder(r, "again", 5, now); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("code=%v, want INVALID_TRANSITION", shop.ErrorCode(err))
		}
	})
	t.Run("ErrNoOutcome", func(t *testing.T) {
		if _, _, err := shop.RecordAppointmentReminder(due, " ", 5, now); shop.ErrorField(err) != "outcome" {
			t.Fatalf("field=%v, want outcome", shop.ErrorField(err))
		}
	})
	for _, tc := range []struct {
		name    string
		apState shop.AppointmentState
		today   time.Time
		want    shop.AppointmentReminderState
		wantOK  bool
	}{
		{"OKStillDue", shop.AppointmentBooked, date(2026, 12, 3), shop.AppointmentReminderDue, false},
		{"OKMissed", shop.AppointmentBooked, date(2026, 12, 4), shop.AppointmentReminderMissed, true},
		{"OKCancelled", shop.AppointmentCancelled, date(2026, 12, 3), shop.AppointmentReminderCancelled, true},
	} {
		t.Run("Expire"+tc.name, func(t *testing.T) {
			r, ok := shop.ExpireAppointmentReminder(due, tc.apState, tc.today, now)
			if ok != tc.wantOK || r.State != tc.want || (ok && r.DoneAt == nil) {
				t.Fatalf("state=%v ok=%v, want %v %v", r.State, ok, tc.want, tc.wantOK)
			}
		})
	}
}
