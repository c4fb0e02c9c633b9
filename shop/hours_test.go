package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestHoursOn(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	site := shop.Site{TimeZone: "Asia/Shanghai", OpensAt: 8 * 60, ClosesAt: 18 * 60,
		Hours: []shop.DayHours{
			{Weekday: time.Saturday, OpensAt: 9 * 60, ClosesAt: 15 * 60},
			{Weekday: time.Sunday, Closed: true},
		},
		ClosedDays: []shop.ClosedDay{{Day: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Reason: "国庆"}},
	}
	for _, tc := range []struct {
		name     string
		at       time.Time
		opens    int
		closes   int
		wantOpen bool
	}{
		{"OKDefaultWeekday", time.Date(2026, 12, 2, 10, 0, 0, 0, sh), 480, 1080, true}, // Wednesday
		{"OKOwnSaturday", time.Date(2026, 12, 5, 10, 0, 0, 0, sh), 540, 900, true},
		{"OKClosedSunday", time.Date(2026, 12, 6, 10, 0, 0, 0, sh), 0, 0, false},
		{"OKClosedDate", time.Date(2026, 10, 1, 10, 0, 0, 0, sh), 0, 0, false},
		// 2026-10-01 23:30 UTC is already 2 October in Shanghai: a Friday, open.
		{"OKLocalDateNotUTC", time.Date(2026, 10, 1, 23, 30, 0, 0, time.UTC), 480, 1080, true},
		// 2026-12-05 17:00 UTC is Sunday 6 December in Shanghai: closed.
		{"OKSundayInShanghai", time.Date(2026, 12, 5, 17, 0, 0, 0, time.UTC), 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, c, open := site.HoursOn(tc.at)
			if o != tc.opens || c != tc.closes || open != tc.wantOpen {
				t.Fatalf("hours=%d-%d open=%v, want %d-%d %v", o, c, open, tc.opens, tc.closes, tc.wantOpen)
			}
		})
	}
}

func TestSetWeekHours(t *testing.T) {
	site := shop.Site{ID: 1, Code: "SZ01", OpensAt: 480, ClosesAt: 1080, Version: 3}
	for _, tc := range []struct {
		name      string
		week      []shop.DayHours
		wantCode  string
		wantField string
	}{
		{"OK", []shop.DayHours{{Weekday: time.Saturday, OpensAt: 540, ClosesAt: 900}, {Weekday: time.Sunday, Closed: true, OpensAt: 1}}, "", ""},
		{"OKEmptyWeek", nil, "", ""},
		{"ErrTwice", []shop.DayHours{{Weekday: time.Monday, OpensAt: 1, ClosesAt: 2}, {Weekday: time.Monday, Closed: true}}, shop.EINVALID, "hours[1].weekday"},
		{"ErrNotAWeekday", []shop.DayHours{{Weekday: shop.Weekday("FUNDAY").Weekday(), Closed: true}}, shop.EINVALID, "hours[0].weekday"},
		{"ErrClosesBeforeOpens", []shop.DayHours{{Weekday: time.Friday, OpensAt: 600, ClosesAt: 540}}, shop.EINVALID, "hours[0].closesAt"},
		{"ErrOutsideDay", []shop.DayHours{{Weekday: time.Friday, OpensAt: -5, ClosesAt: 540}}, shop.EINVALID, "hours[0].opensAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ev, err := shop.SetWeekHours(site, tc.week)
			if shop.ErrorCode(err) != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v", shop.ErrorCode(err), shop.ErrorField(err), tc.wantCode, tc.wantField)
			}
			if err != nil {
				if next.Version != site.Version || len(next.Hours) != 0 {
					t.Fatalf("site=%+v, want it unchanged", next)
				}
				return
			}
			if next.Version != 4 || len(next.Hours) != len(tc.week) || ev.Kind != shop.EventSiteChanged || ev.SiteID != 1 {
				t.Fatalf("site=%+v event=%+v, want the week saved at version 4 with SITE_CHANGED", next, ev)
			}
			for _, h := range next.Hours {
				if h.Closed && (h.OpensAt != 0 || h.ClosesAt != 0) {
					t.Fatalf("closed day=%+v, want no hours", h)
				}
			}
		})
	}
}

func TestSetClosedDay(t *testing.T) {
	day := time.Date(2027, 2, 6, 0, 0, 0, 0, time.UTC)
	site := shop.Site{ID: 1, Code: "SZ01", ClosedDays: []shop.ClosedDay{{Day: day, Reason: "春节"}}}
	for _, tc := range []struct {
		name      string
		day       time.Time
		closed    bool
		reason    string
		wantDays  int
		wantCode  string
		wantField string
	}{
		{"OKClose", time.Date(2027, 2, 7, 0, 0, 0, 0, time.UTC), true, "春节", 2, "", ""},
		{"OKCloseAgainReplaces", day, true, "春节 (moved)", 1, "", ""},
		{"OKReopen", day, false, "", 0, "", ""},
		{"ErrReopenOpenDay", time.Date(2027, 2, 8, 0, 0, 0, 0, time.UTC), false, "", 1, shop.EINVALID, "day"},
		{"ErrReasonTooLong", day, true, string(make([]byte, 300)), 1, shop.EINVALID, "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reason := tc.reason
			if tc.name == "ErrReasonTooLong" {
				reason = ""
				for range 201 {
					reason += "x"
				}
			}
			next, _, err := shop.SetClosedDay(site, tc.day, tc.closed, reason)
			if shop.ErrorCode(err) != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v", shop.ErrorCode(err), shop.ErrorField(err), tc.wantCode, tc.wantField)
			}
			if len(next.ClosedDays) != tc.wantDays {
				t.Fatalf("closed days=%v, want %d", next.ClosedDays, tc.wantDays)
			}
		})
	}
}
