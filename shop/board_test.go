package shop_test

import (
	"slices"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Shanghai even where the system has no zoneinfo

	"bayboard/shop"
)

// job returns a job in state with labour minutes and progress.
func job(state shop.JobState, minutes, progress int) *shop.Job {
	return &shop.Job{State: state, LabourMinutes: minutes, Progress: progress}
}

// paused returns a paused job stopped for reason.
func paused(reason shop.PauseReason) *shop.Job {
	j := job(shop.JobPaused, 60, 50)
	j.PauseReason = &reason
	return j
}

func TestStageOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		order shop.OrderState
		jobs  []*shop.Job
		want  shop.Stage
		ok    bool
	}{
		{"Draft", shop.OrderDraft, jobsIn(shop.JobWaitingDispatch), "", false},
		{"Signed", shop.OrderSigned, jobsIn(shop.JobWaitingDispatch), "", false},
		{"Delivered", shop.OrderDelivered, jobsIn(shop.JobDone), "", false},
		{"Cancelled", shop.OrderCancelled, nil, "", false},
		{"QC", shop.OrderQC, jobsIn(shop.JobDone), shop.StageChecks, true},
		{"Wash", shop.OrderWash, jobsIn(shop.JobDone), shop.StageWash, true},
		{"Ready", shop.OrderReady, jobsIn(shop.JobDone), shop.StageReady, true},
		{"SettledStillHere", shop.OrderSettled, jobsIn(shop.JobDone), shop.StageReady, true},

		{"NoJobs", shop.OrderInWork, nil, shop.StageInWork, true},
		{"InProgress", shop.OrderInWork, jobsIn(shop.JobInProgress, shop.JobWaitingDispatch), shop.StageInWork, true},
		{"InProgressBeatsApproval", shop.OrderInWork, jobsIn(shop.JobPendingApproval, shop.JobInProgress), shop.StageInWork, true},
		{"InProgressBeatsParts", shop.OrderInWork, []*shop.Job{paused(shop.PauseWaitingParts), job(shop.JobInProgress, 60, 0)}, shop.StageInWork, true},
		{"WaitingParts", shop.OrderInWork, []*shop.Job{paused(shop.PauseWaitingParts), job(shop.JobDispatched, 60, 0)}, shop.StageWaitingParts, true},
		{"WaitingPartsBeatsApproval", shop.OrderInWork, []*shop.Job{paused(shop.PauseWaitingParts), job(shop.JobPendingApproval, 60, 0)}, shop.StageWaitingParts, true},
		{"PausedForBreak", shop.OrderInWork, []*shop.Job{paused(shop.PauseBreak)}, shop.StageInWork, true},
		{"PausedNoReason", shop.OrderInWork, jobsIn(shop.JobPaused), shop.StageInWork, true},
		{"ApprovalOnly", shop.OrderInWork, jobsIn(shop.JobPendingApproval), shop.StageWaitingApproval, true},
		{"ApprovalRestDone", shop.OrderInWork, jobsIn(shop.JobPendingApproval, shop.JobDone, shop.JobDeclined), shop.StageWaitingApproval, true},
		{"ApprovalRestWaiting", shop.OrderInWork, jobsIn(shop.JobPendingApproval, shop.JobWaitingDispatch), shop.StageWaitingApproval, true},
		{"ApprovalAndDispatched", shop.OrderInWork, jobsIn(shop.JobPendingApproval, shop.JobDispatched), shop.StageInWork, true},
		{"WaitingDispatch", shop.OrderInWork, jobsIn(shop.JobWaitingDispatch, shop.JobWaitingDispatch), shop.StageWaitingDispatch, true},
		{"WaitingDispatchRestSettled", shop.OrderInWork, jobsIn(shop.JobWaitingDispatch, shop.JobDone, shop.JobCancelled), shop.StageWaitingDispatch, true},
		{"Dispatched", shop.OrderInWork, jobsIn(shop.JobDispatched, shop.JobWaitingDispatch), shop.StageInWork, true},
		{"Checks", shop.OrderInWork, jobsIn(shop.JobFinished, shop.JobSelfChecked, shop.JobDone), shop.StageChecks, true},
		{"ChecksAndWork", shop.OrderInWork, jobsIn(shop.JobFinished, shop.JobDispatched), shop.StageInWork, true},
		{"Rework", shop.OrderInWork, jobsIn(shop.JobRework, shop.JobDone), shop.StageInWork, true},
		// Every job done but not yet submitted to QC: the car stays in the IN_WORK lane.
		{"AllDone", shop.OrderInWork, jobsIn(shop.JobDone, shop.JobDone), shop.StageInWork, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := shop.StageOf(&shop.Order{State: tt.order}, tt.jobs)
			if ok != tt.ok {
				t.Fatalf("ok=%v, want %v", ok, tt.ok)
			}
			if got != tt.want {
				t.Fatalf("stage=%v, want %v", got, tt.want)
			}
			if ok && !slices.Contains(shop.Stages, got) {
				t.Fatalf("stage=%v, not a board lane", got)
			}
		})
	}
}

func TestBlockersOf(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		order shop.OrderState
		jobs  []*shop.Job
		want  []shop.Blocker
	}{
		{"None", shop.OrderInWork, jobsIn(shop.JobInProgress, shop.JobDone), nil},
		{"NoJobs", shop.OrderInWork, nil, nil},
		{"Approval", shop.OrderInWork, jobsIn(shop.JobPendingApproval, shop.JobPendingApproval), []shop.Blocker{shop.BlockerApproval}},
		{"Parts", shop.OrderInWork, []*shop.Job{paused(shop.PauseWaitingParts)}, []shop.Blocker{shop.BlockerParts}},
		{"PausedForBreak", shop.OrderInWork, []*shop.Job{paused(shop.PauseBreak)}, nil},
		{"PausedNoReason", shop.OrderInWork, jobsIn(shop.JobPaused), nil},
		{"Rework", shop.OrderInWork, jobsIn(shop.JobRework), []shop.Blocker{shop.BlockerQCFailed}},
		{"ReworkWhileInQC", shop.OrderQC, jobsIn(shop.JobRework), nil},
		{"All", shop.OrderInWork, []*shop.Job{
			job(shop.JobRework, 60, 0), paused(shop.PauseWaitingParts), job(shop.JobPendingApproval, 30, 0),
		}, []shop.Blocker{shop.BlockerApproval, shop.BlockerParts, shop.BlockerQCFailed}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := shop.BlockersOf(&shop.Order{State: tt.order}, tt.jobs)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("blockers=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestJobsProgress(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		jobs []*shop.Job
		want int
	}{
		{"NoJobs", nil, 0},
		{"Half", []*shop.Job{job(shop.JobInProgress, 60, 50)}, 50},
		{"DoneAndWaiting", []*shop.Job{job(shop.JobDone, 60, 100), job(shop.JobWaitingDispatch, 60, 0)}, 50},
		{"Weighted", []*shop.Job{job(shop.JobDone, 30, 0), job(shop.JobInProgress, 90, 50)}, 62}, // 75/120, truncated
		{"FinishedCounts", []*shop.Job{job(shop.JobFinished, 30, 0), job(shop.JobSelfChecked, 30, 0), job(shop.JobDispatched, 60, 0)}, 50},
		{"Paused", []*shop.Job{job(shop.JobPaused, 100, 40)}, 40},
		{"ReworkFromScratch", []*shop.Job{job(shop.JobRework, 60, 0), job(shop.JobDone, 60, 100)}, 50},
		{"DeclinedIgnored", []*shop.Job{job(shop.JobDeclined, 600, 0), job(shop.JobDone, 60, 100)}, 100},
		{"PendingIgnored", []*shop.Job{job(shop.JobPendingApproval, 60, 0), job(shop.JobDone, 60, 100)}, 100},
		{"OnlyCancelled", []*shop.Job{job(shop.JobCancelled, 60, 0)}, 0},
		{"ZeroMinutes", []*shop.Job{job(shop.JobDone, 0, 100)}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.JobsProgress(tt.jobs); got != tt.want {
				t.Fatalf("progress=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestRemainingMinutes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		job  *shop.Job
		want int
	}{
		{job(shop.JobPendingApproval, 30, 0), 30},
		{job(shop.JobWaitingDispatch, 60, 0), 60},
		{job(shop.JobDispatched, 60, 0), 60},
		{job(shop.JobInProgress, 60, 25), 45},
		{job(shop.JobPaused, 90, 50), 45},
		{job(shop.JobRework, 60, 0), 60},
		{job(shop.JobFinished, 60, 100), 0},
		{job(shop.JobSelfChecked, 60, 100), 0},
		{job(shop.JobDone, 60, 100), 0},
		{job(shop.JobDeclined, 60, 0), 0},
		{job(shop.JobCancelled, 60, 0), 0},
	} {
		t.Run(string(tt.job.State), func(t *testing.T) {
			if got := shop.RemainingMinutes(tt.job); got != tt.want {
				t.Fatalf("remaining=%v, want %v", got, tt.want)
			}
		})
	}
}

// shanghai loads the time zone of a store in Shenzhen or Shanghai (UTC+8, no DST).
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestWorkshop_FreeLabourMinutes(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	// Open 08:30–17:30 local: 540 minutes; four technicians.
	w := shop.Workshop{Location: loc, OpensAt: 8*60 + 30, ClosesAt: 17*60 + 30, Technicians: 4}
	local := func(d, h, m int) time.Time { return time.Date(2025, 3, d, h, m, 0, 0, loc) }
	for _, tt := range []struct {
		name    string
		now     time.Time
		backlog int
		want    int
	}{
		{"BeforeOpening", local(10, 6, 0), 600, 4*540 - 600},
		{"AtOpening", local(10, 8, 30), 0, 4 * 540},
		{"Morning", local(10, 10, 0), 600, 4*450 - 600},
		{"MorningGivenInUTC", time.Date(2025, 3, 10, 2, 0, 0, 0, time.UTC), 600, 4*450 - 600},
		{"LastMinute", local(10, 17, 29), 0, 4},
		{"AtClosing", local(10, 17, 30), 0, 0},
		{"Evening", local(10, 22, 0), 0, 0},
		{"Overbooked", local(10, 16, 0), 1000, 0},
		// 16:30 UTC is 00:30 the next day in Shanghai: a whole day is ahead, not none.
		{"AfterLocalMidnight", time.Date(2025, 3, 10, 16, 30, 0, 0, time.UTC), 100, 4*540 - 100},
		// 09:30 UTC is 17:30 in Shanghai: closed, though the UTC day has hours left.
		{"LocalClosingInUTC", time.Date(2025, 3, 10, 9, 30, 0, 0, time.UTC), 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.FreeLabourMinutes(tt.now, tt.backlog); got != tt.want {
				t.Fatalf("free=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestWorkshop_EstimateCompletion(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	w := shop.Workshop{Location: loc, OpensAt: 8*60 + 30, ClosesAt: 17*60 + 30, Technicians: 2}
	local := func(mo time.Month, d, h, m int) time.Time { return time.Date(2025, mo, d, h, m, 0, 0, loc) }
	for _, tt := range []struct {
		name         string
		w            shop.Workshop
		now          time.Time
		backlog, job int
		want         time.Time
	}{
		{"SameDay", w, local(3, 10, 10, 0), 0, 60, local(3, 10, 11, 0)},
		{"AfterBacklog", w, local(3, 10, 10, 0), 120, 60, local(3, 10, 12, 0)}, // 120 shared by 2
		{"FillsTheDay", w, local(3, 10, 16, 30), 0, 60, local(3, 10, 17, 30)},
		{"AcrossClosing", w, local(3, 10, 17, 0), 0, 60, local(3, 11, 9, 0)},
		{"AfterClosing", w, local(3, 10, 18, 0), 0, 60, local(3, 11, 9, 30)},
		{"BeforeOpening", w, local(3, 10, 7, 0), 0, 60, local(3, 10, 9, 30)},
		{"ThreeDays", w, local(3, 10, 8, 30), 0, 2*540 + 30, local(3, 12, 9, 0)},
		{"MonthEnd", w, local(3, 31, 17, 0), 0, 60, local(4, 1, 9, 0)},
		{"YearEnd", w, time.Date(2025, 12, 31, 17, 0, 0, 0, loc), 0, 60, time.Date(2026, 1, 1, 9, 0, 0, 0, loc)},
		// 16:30 UTC on the 10th is 00:30 on the 11th in Shanghai.
		{"AfterLocalMidnight", w, time.Date(2025, 3, 10, 16, 30, 0, 0, time.UTC), 0, 60, local(3, 11, 9, 30)},
		// 09:00 UTC is 17:00 in Shanghai: half an hour today, the rest tomorrow.
		{"LocalClosingInUTC", w, time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), 0, 60, local(3, 11, 9, 0)},
		{"NoTechnicians", shop.Workshop{Location: loc, OpensAt: 8*60 + 30, ClosesAt: 17*60 + 30}, local(3, 10, 10, 0), 60, 60, local(3, 10, 12, 0)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.w.EstimateCompletion(tt.now, tt.backlog, tt.job)
			if !got.Equal(tt.want) {
				t.Fatalf("completion=%v, want %v", got.In(loc), tt.want)
			}
		})
	}
}

func TestNewCard_Lateness(t *testing.T) {
	t.Parallel()
	names := func(shop.UserID) string { return "" }
	bays := func(shop.BayID) string { return "" }
	for _, tt := range []struct {
		name     string
		state    shop.OrderState
		promised *time.Time
		ready    *time.Time
		now      time.Time
		late     bool
		minutes  int
	}{
		{"NotPromised", shop.OrderInWork, nil, nil, at(10 * time.Hour), false, 0},
		{"BeforePromise", shop.OrderInWork, ptr(at(2 * time.Hour)), nil, at(time.Hour), false, 0},
		{"AtPromise", shop.OrderInWork, ptr(at(2 * time.Hour)), nil, at(2 * time.Hour), false, 0},
		{"UnderAMinute", shop.OrderInWork, ptr(at(2 * time.Hour)), nil, at(2*time.Hour + 59*time.Second), true, 0},
		{"PastPromise", shop.OrderInWork, ptr(at(2 * time.Hour)), nil, at(3*time.Hour + 30*time.Second), true, 60},
		{"InChecks", shop.OrderQC, ptr(at(time.Hour)), nil, at(2 * time.Hour), true, 60},
		{"ReadyInTime", shop.OrderReady, ptr(at(2 * time.Hour)), ptr(at(time.Hour)), at(9 * time.Hour), false, 0},
		// Ready late: as late as it was when it became ready, however long it then waits.
		{"ReadyLate", shop.OrderReady, ptr(at(2 * time.Hour)), ptr(at(2*time.Hour + 15*time.Minute)), at(9 * time.Hour), true, 15},
		{"SettledLate", shop.OrderSettled, ptr(at(time.Hour)), ptr(at(2 * time.Hour)), at(9 * time.Hour), true, 60},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := &shop.Order{State: tt.state, PromisedAt: tt.promised, ReadyAt: tt.ready}
			c, ok := shop.NewCard(o, jobsIn(shop.JobDone), &shop.Vehicle{}, names, bays, tt.now)
			if !ok {
				t.Fatalf("on board=%v, want true", ok)
			}
			if c.Late != tt.late || c.MinutesLate != tt.minutes {
				t.Fatalf("late=%v minutesLate=%v, want %v %v", c.Late, c.MinutesLate, tt.late, tt.minutes)
			}
		})
	}
}

func TestDwellLimit(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		stage shop.Stage
		want  time.Duration
	}{
		{shop.StageWaitingDispatch, 30 * time.Minute},
		{shop.StageInWork, 240 * time.Minute},
		{shop.StageWaitingParts, 120 * time.Minute},
		{shop.StageWaitingApproval, 30 * time.Minute},
		{shop.StageChecks, 45 * time.Minute},
		{shop.StageWash, 45 * time.Minute},
		{shop.StageReady, 240 * time.Minute},
		{"SOMETHING_NEW", 120 * time.Minute},
	} {
		t.Run(string(tt.stage), func(t *testing.T) {
			if got := shop.DwellLimit(tt.stage); got != tt.want {
				t.Fatalf("limit=%v, want %v", got, tt.want)
			}
		})
	}
	// Every lane has a limit of its own, and the card carries its lane's.
	for _, s := range shop.Stages {
		if shop.DwellLimit(s) <= 0 {
			t.Fatalf("limit of %s=%v, want > 0", s, shop.DwellLimit(s))
		}
	}
	none := func(shop.UserID) string { return "" }
	c, _ := shop.NewCard(&shop.Order{State: shop.OrderWash}, nil, nil, none, func(shop.BayID) string { return "" }, base)
	if c.DwellLimitMinutes != 45 {
		t.Fatalf("dwellLimitMinutes=%v, want %v", c.DwellLimitMinutes, 45)
	}
}

func TestLateCount(t *testing.T) {
	t.Parallel()
	late, onTime := &shop.Card{Late: true}, &shop.Card{}
	for _, tt := range []struct {
		name  string
		cards []*shop.Card
		want  int
	}{
		{"NoCards", nil, 0},
		{"NoneLate", []*shop.Card{onTime, onTime}, 0},
		{"SomeLate", []*shop.Card{late, onTime, late}, 2},
		{"AllLate", []*shop.Card{late}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.LateCount(tt.cards); got != tt.want {
				t.Fatalf("lateCount=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestArrivalsWindow(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	local := func(d, h, m int) time.Time { return time.Date(2025, 3, d, h, m, 0, 0, loc) }
	for _, tt := range []struct {
		name     string
		now      time.Time
		from, to time.Time
	}{
		{"Morning", local(10, 9, 0), local(10, 7, 0), local(11, 0, 0)},
		{"JustAfterMidnight", local(10, 0, 30), local(9, 22, 30), local(11, 0, 0)},
		{"LastMinute", local(10, 23, 59), local(10, 21, 59), local(11, 0, 0)},
		// 16:30 UTC on the 10th is 00:30 on the 11th in Shanghai: the local day decides.
		{"GivenInUTC", time.Date(2025, 3, 10, 16, 30, 0, 0, time.UTC), local(10, 22, 30), local(12, 0, 0)},
		{"EndOfMonth", local(31, 12, 0), local(31, 10, 0), time.Date(2025, 4, 1, 0, 0, 0, 0, loc)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			from, to := shop.ArrivalsWindow(tt.now, loc)
			if !from.Equal(tt.from) || !to.Equal(tt.to) {
				t.Fatalf("window=%v..%v, want %v..%v", from, to, tt.from, tt.to)
			}
		})
	}
}

func TestMayFollowAdvisor(t *testing.T) {
	t.Parallel()
	const own, other shop.UserID = 7, 8
	for _, tt := range []struct {
		name string
		a    *shop.Actor
		want string
	}{
		{"OK/own feed", &shop.Actor{UserID: own, Role: shop.RoleAdvisor}, ""},
		{"OK/service manager", &shop.Actor{UserID: 1, Role: shop.RoleServiceManager}, ""},
		{"OK/admin", &shop.Actor{UserID: 1, Role: shop.RoleAdmin}, ""},
		{"ErrForbidden/another advisor", &shop.Actor{UserID: other, Role: shop.RoleAdvisor}, shop.EFORBIDDEN},
		{"ErrForbidden/foreman", &shop.Actor{UserID: 2, Role: shop.RoleForeman}, shop.EFORBIDDEN},
		{"ErrUnauthenticated/no actor", nil, shop.EUNAUTHENTICATED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := shop.MayFollowAdvisor(tt.a, own)
			if got := shop.ErrorCode(err); (err == nil && tt.want != "") || (err != nil && got != tt.want) {
				t.Fatalf("code=%q (err=%v), want %q", got, err, tt.want)
			}
		})
	}
}
