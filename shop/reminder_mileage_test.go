package shop_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestKmPerDayAndEstimate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rs       []shop.OdometerReading
		wantRate float64
		wantOK   bool
		wantKm   int // estimated on 2026-12-03
	}{
		{"OK", []shop.OdometerReading{{date(2026, 6, 6), 20_000}, {date(2026, 1, 7), 10_000}}, 10_000.0 / 150, true, 20_000 + int(10_000.0/150*180)},
		{"ErrOneReading", []shop.OdometerReading{{date(2026, 6, 6), 20_000}}, 0, false, 20_000},
		{"ErrSameDay", []shop.OdometerReading{{date(2026, 6, 6), 20_000}, {date(2026, 6, 6), 20_100}}, 0, false, 20_100},
		{"ErrOdometerBack", []shop.OdometerReading{{date(2026, 1, 1), 20_000}, {date(2026, 6, 6), 19_000}}, 0, false, 19_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rate, ok := shop.KmPerDay(tc.rs)
			if ok != tc.wantOK || (ok && math.Abs(rate-tc.wantRate) > 1e-9) {
				t.Fatalf("rate=%v ok=%v, want %v %v", rate, ok, tc.wantRate, tc.wantOK)
			}
			if km, _ := shop.EstimateMileage(tc.rs, date(2026, 12, 3)); km != tc.wantKm {
				t.Fatalf("km=%d, want %d", km, tc.wantKm)
			}
		})
	}
}

func TestEffectiveDue(t *testing.T) {
	made := date(2026, 12, 3)
	km := func(n int) *int { return &n }
	// 100 km a day: 40,000 on 9/4, 49,000 on 12/3.
	rs := []shop.OdometerReading{{date(2026, 9, 4), 40_000}, {date(2026, 12, 3), 49_000}}
	for _, tc := range []struct {
		name          string
		plan          shop.ServicePlan
		rs            []shop.OdometerReading
		want          time.Time
		wantByMileage bool
	}{
		{"OKByDate", shop.ServicePlan{DueOn: date(2027, 6, 1)}, rs, date(2027, 6, 1), false},
		// 1,000 km to go at 100 km a day: 10 days after the last reading.
		{"OKMileageFirst", shop.ServicePlan{DueOn: date(2027, 6, 1), DueMileage: km(50_000)}, rs, date(2026, 12, 13), true},
		// The car: at 50,000 km, a service due at 5,000 km: due now (with a week's notice), not next year.
		{"OKLongPastMileage", shop.ServicePlan{DueOn: date(2027, 12, 1), DueMileage: km(5_000)},
			[]shop.OdometerReading{{date(2026, 12, 1), 50_000}}, made.AddDate(0, 0, shop.MileageNoticeDays), true},
		{"OKDateFirst", shop.ServicePlan{DueOn: date(2026, 12, 20), DueMileage: km(60_000)}, rs, date(2026, 12, 20), false},
		{"ErrNoRate", shop.ServicePlan{DueOn: date(2027, 6, 1), DueMileage: km(60_000)}, rs[:1], date(2027, 6, 1), false},
		{"ErrNoReadings", shop.ServicePlan{DueOn: date(2027, 6, 1), DueMileage: km(60_000)}, nil, date(2027, 6, 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, by := shop.EffectiveDue(&tc.plan, made, tc.rs)
			if !got.Equal(tc.want) || by != tc.wantByMileage {
				t.Fatalf("due=%v byMileage=%v, want %v %v", got.Format(time.DateOnly), by, tc.want.Format(time.DateOnly), tc.wantByMileage)
			}
		})
	}
}

// TestMileageReminderFlagged is the example end to end in shop: a
// routine plan due next year at 5,000 km, the car at 50,000 km: a reminder
// is due today, and it closes as missed once the effective day has passed.
func TestMileageReminderFlagged(t *testing.T) {
	today := date(2026, 12, 3)
	due5000 := 5_000
	p := &shop.ServicePlan{ID: 1, Kind: shop.PlanRoutine, DueOn: date(2027, 12, 1), DueMileage: &due5000}
	rs := shop.PlanReminders(p)
	for i, r := range rs {
		r.ID = shop.ReminderID(i + 1)
	}
	readings := []shop.OdometerReading{{date(2026, 11, 20), 49_000}, {date(2026, 12, 1), 50_000}}
	t.Run("ErrByDateOnly", func(t *testing.T) {
		if got := shop.RemindersDue(rs, map[shop.ServicePlanID]time.Time{1: p.DueOn}, today); len(got) != 0 {
			t.Fatalf("due=%d, want 0 by date alone", len(got))
		}
	})
	eff, by := shop.EffectiveDue(p, today, readings)
	shifted := shop.ShiftReminders(rs, p, eff)
	t.Run("OK", func(t *testing.T) {
		got := shop.RemindersDue(shifted, map[shop.ServicePlanID]time.Time{1: eff}, today)
		if !by || len(got) != 1 || got[0].Step != 2 {
			t.Fatalf("byMileage=%v due=%v, want the message step due today", by, got)
		}
		if s := shop.MileageSummary(p, readings, today); !strings.Contains(s, "5000 km") {
			t.Fatalf("summary=%q, want the due mileage", s)
		}
	})
	now := time.Date(2026, 12, 20, 1, 0, 0, 0, time.UTC)
	t.Run("OKNotMissedBeforeDay", func(t *testing.T) {
		if got, _ := shop.MissReminders(shifted, p, eff, eff, now); len(got) != 0 {
			t.Fatalf("missed=%d, want 0 on the day", len(got))
		}
	})
	t.Run("OKMissedAfter", func(t *testing.T) {
		shifted[0].DoneAt = &now
		got, evs := shop.MissReminders(shifted, p, eff, eff.AddDate(0, 0, 1), now)
		if len(got) != 2 || len(evs) != 1 || evs[0].Kind != shop.EventFollowUpMissed || got[0].MissedAt == nil {
			t.Fatalf("missed=%d events=%d, want the 2 tasks not done", len(got), len(evs))
		}
		if later := shop.RemindersDue(got, map[shop.ServicePlanID]time.Time{1: eff.AddDate(0, 0, 5)}, eff); len(later) != 0 {
			t.Fatalf("due=%d, want a missed task never due again", len(later))
		}
	})
}

func TestMissCallback(t *testing.T) {
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		cb     shop.Callback
		today  time.Time
		wantOK bool
	}{
		{"OKWithinWindow", shop.Callback{State: shop.CallbackDue, DueOn: date(2026, 11, 19)}, date(2026, 12, 3), false},
		{"OKMissed", shop.Callback{State: shop.CallbackDue, DueOn: date(2026, 11, 18)}, date(2026, 12, 3), true},
		// The list: callbacks due in January 2025 must not stay on it.
		{"OKLongAgo", shop.Callback{State: shop.CallbackDue, DueOn: date(2025, 1, 10)}, date(2026, 12, 3), true},
		{"ErrDone", shop.Callback{State: shop.CallbackDone, DueOn: date(2025, 1, 10)}, date(2026, 12, 3), false},
		{"ErrUnreachable", shop.Callback{State: shop.CallbackUnreachable, DueOn: date(2025, 1, 10)}, date(2026, 12, 3), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cb, ev, ok := shop.MissCallback(tc.cb, 4, tc.today, now)
			if ok != tc.wantOK {
				t.Fatalf("ok=%v, want %v", ok, tc.wantOK)
			}
			if ok && (cb.State != shop.CallbackMissed || cb.DoneAt == nil || ev.Kind != shop.EventFollowUpMissed || *ev.VisitID != 4) {
				t.Fatalf("state=%v event=%v, want MISSED, FOLLOW_UP_MISSED", cb.State, ev.Kind)
			}
			if !ok && cb.State != tc.cb.State {
				t.Fatalf("state=%v, want %v unchanged", cb.State, tc.cb.State)
			}
		})
	}
}
