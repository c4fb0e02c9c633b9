package store_test

import (
	"testing"
	"time"

	"bayboard/store"
	"bayboard/store/storetest"
)

// TestEstimateFollowsRota: the completion estimate uses today's rota and
// skips a closed day (the site opens 08:00 to 18:00; two technicians).
func TestEstimateFollowsRota(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC) // Thursday 10:00 in Shanghai
	db.Now = func() time.Time { return now }
	fm, mgr := storetest.Ctx(f.Foreman), storetest.Ctx(f.Manager)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	local := func(d, h, m int) time.Time { return time.Date(2026, 12, d, h, m, 0, 0, loc) }
	today := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	estimate := func(minutes int) time.Time {
		t.Helper()
		at, err := db.EstimateCompletion(fm, f.Site.ID, minutes)
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	if got := estimate(60); !got.Equal(local(3, 11, 0)) {
		t.Fatalf("estimate=%v, want 11:00 without a rota", got.In(loc))
	}
	// Today 张伟 works 13:00 to 18:00 and 赵磊 is on leave; tomorrow the site is closed.
	yes := true
	if _, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Tech.ID, Day: today, StartsAt: intp(13 * 60), EndsAt: intp(18 * 60)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetShift(fm, store.SetShiftInput{SiteID: f.Site.ID, UserID: f.Lead.ID, Day: today, Leave: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetClosedDay(mgr, store.SetClosedDayInput{SiteID: f.Site.ID, Day: today.AddDate(0, 0, 1), Closed: true, Reason: ptr("店庆")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		minutes int
		want    time.Time
	}{
		{"OKAfterTheShiftStarts", 60, local(3, 14, 0)},
		// 300 minutes today, the closed Friday skipped, 60 on Saturday.
		{"OKPastTheClosedDay", 360, local(5, 9, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := estimate(tc.minutes); !got.Equal(tc.want) {
				t.Fatalf("estimate=%v, want %v", got.In(loc), tc.want)
			}
		})
	}
}
