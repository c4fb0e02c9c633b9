package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

// TestWorkshop_EstimateCompletionRota: the estimate follows who is on shift
// (the rota, or the whole crew on a day it does not plan) and the site's
// hours of each day, skipping closed days.
func TestWorkshop_EstimateCompletionRota(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	at := func(y int, mo time.Month, d, h, m int) time.Time { return time.Date(y, mo, d, h, m, 0, 0, loc) }
	shift := func(from, to int) shop.OnShift { return shop.OnShift{StartsAt: from, EndsAt: to} }
	day := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	base := shop.Workshop{Location: loc, OpensAt: 8*60 + 30, ClosesAt: 17*60 + 30, Technicians: 6}
	with := func(f func(w *shop.Workshop)) shop.Workshop {
		w := base
		f(&w)
		return w
	}
	// 10 March 2025 is a Monday.
	for _, tt := range []struct {
		name         string
		w            shop.Workshop
		now          time.Time
		backlog, job int
		want         time.Time
	}{
		{"OKNoRotaWholeCrew", base, at(2025, 3, 10, 10, 0), 120, 60, at(2025, 3, 10, 11, 20)}, // 120 over 6
		{"OKRotaTwoOnShift", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-10": {shift(510, 1050), shift(510, 1050)}}
		}), at(2025, 3, 10, 10, 0), 120, 60, at(2025, 3, 10, 12, 0)}, // 120 over 2
		{"OKGapBetweenShifts", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-10": {shift(510, 750), shift(810, 1050)}}
		}), at(2025, 3, 10, 10, 0), 0, 180, at(2025, 3, 10, 14, 0)}, // 150 before 12:30, 30 after 13:30
		{"OKShiftClippedToHours", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-10": {shift(14*60, 20*60)}}
		}), at(2025, 3, 10, 10, 0), 0, 240, at(2025, 3, 11, 9, 0)}, // 14:00-17:30 is 210, 30 tomorrow
		{"OKBacklogUntilSecondShift", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-10": {shift(510, 1050), shift(12*60, 1050)}}
		}), at(2025, 3, 10, 10, 0), 240, 30, at(2025, 3, 10, 13, 30)}, // 120 alone by 12:00, 120 over 2 by 13:00
		{"OKEveryoneOnLeave", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-10": {}}
		}), at(2025, 3, 10, 10, 0), 0, 60, at(2025, 3, 11, 9, 30)},
		{"OKClosedForSpringFestival", with(func(w *shop.Workshop) {
			w.ClosedDays = []shop.ClosedDay{{Day: day(2026, 2, 17), Reason: "春节"}, {Day: day(2026, 2, 18), Reason: "春节"}}
		}), at(2026, 2, 16, 17, 0), 0, 60, at(2026, 2, 19, 9, 0)},
		{"OKClosedToday", with(func(w *shop.Workshop) {
			w.ClosedDays = []shop.ClosedDay{{Day: day(2026, 2, 17), Reason: "春节"}}
		}), at(2026, 2, 17, 10, 0), 0, 60, at(2026, 2, 18, 9, 30)},
		{"OKWeeklyHours", with(func(w *shop.Workshop) {
			w.Hours = []shop.DayHours{{Weekday: time.Saturday, OpensAt: 9 * 60, ClosesAt: 12 * 60}, {Weekday: time.Sunday, Closed: true}}
		}), at(2025, 3, 15, 11, 30), 0, 60, at(2025, 3, 17, 9, 0)}, // Saturday 30, Sunday closed, Monday 30
		{"OKRotaOnALaterDay", with(func(w *shop.Workshop) {
			w.Rota = map[string][]shop.OnShift{"2025-03-11": {shift(13*60, 1050)}}
		}), at(2025, 3, 10, 17, 0), 0, 60, at(2025, 3, 11, 13, 30)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.w.EstimateCompletion(tt.now, tt.backlog, tt.job)
			if !got.Equal(tt.want) {
				t.Fatalf("completion=%v, want %v", got.In(loc), tt.want)
			}
		})
	}
}
