package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestReserveIssueReturn(t *testing.T) {
	for _, tc := range []struct {
		name                string
		onHand, reserved    int
		q, held             int
		wantErr             string
		wantOnHand, wantRes int
	}{
		{"OK", 5, 0, 2, 0, "", 3, 0},
		{"OKFromReservation", 2, 2, 2, 2, "", 0, 0},
		{"OKPartlyReserved", 3, 1, 3, 1, "", 0, 0},
		{"ErrLastUnitReservedForOthers", 1, 1, 1, 0, shop.EINVALID, 1, 1},
		{"ErrNoStock", 0, 0, 1, 0, shop.EINVALID, 0, 0},
		{"ErrQuantity", 5, 0, 0, 0, shop.EINVALID, 5, 0},
		{"ErrHeldExceedsReserved", 5, 1, 3, 2, shop.EINVALID, 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &shop.Part{PartNumber: "P1", OnHand: tc.onHand, Reserved: tc.reserved}
			err := shop.Issue(p, tc.q, tc.held)
			if got := shop.ErrorCode(err); got != tc.wantErr {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantErr, err)
			}
			if p.OnHand != tc.wantOnHand || p.Reserved != tc.wantRes || p.OnHand < 0 || p.Reserved > p.OnHand {
				t.Fatalf("stock=%d/%d, want %d/%d", p.OnHand, p.Reserved, tc.wantOnHand, tc.wantRes)
			}
		})
	}
	t.Run("ReserveWaitsWhenShort", func(t *testing.T) {
		p := &shop.Part{OnHand: 3, Reserved: 2}
		if s := shop.Reserve(p, 2); s != shop.ReservationWaiting || p.Reserved != 2 {
			t.Fatalf("state=%v reserved=%d, want WAITING, 2", s, p.Reserved)
		}
		if s := shop.Reserve(p, 1); s != shop.ReservationReserved || p.Reserved != 3 {
			t.Fatalf("state=%v reserved=%d, want RESERVED, 3", s, p.Reserved)
		}
	})
	t.Run("FillWaitingFirstComeFirstServed", func(t *testing.T) {
		p := &shop.Part{OnHand: 3}
		w := []*shop.PartReservation{
			{ID: 1, Quantity: 2, State: shop.ReservationWaiting},
			{ID: 2, Quantity: 2, State: shop.ReservationWaiting},
			{ID: 3, Quantity: 1, State: shop.ReservationWaiting},
		}
		filled := shop.FillWaiting(p, w, time.Unix(0, 0))
		if len(filled) != 1 || filled[0].ID != 1 || p.Reserved != 2 || w[2].State != shop.ReservationWaiting {
			t.Fatalf("filled=%v reserved=%d, want only #1 (no overtaking)", filled, p.Reserved)
		}
	})
	t.Run("ErrReturnMoreThanIssued", func(t *testing.T) {
		p, is := &shop.Part{}, &shop.PartIssue{Quantity: 2, Returned: 1}
		if err := shop.ReturnToStock(p, is, 2); shop.ErrorCode(err) != shop.EINVALID || p.OnHand != 0 {
			t.Fatalf("err=%v onHand=%d", err, p.OnHand)
		}
		if err := shop.ReturnToStock(p, is, 1); err != nil || p.OnHand != 1 || is.Returned != 2 {
			t.Fatalf("err=%v onHand=%d returned=%d", err, p.OnHand, is.Returned)
		}
	})
}

func TestBoardPartsShort(t *testing.T) {
	o := &shop.Order{State: shop.OrderInWork}
	for _, tc := range []struct {
		name    string
		jobs    []*shop.Job
		stage   shop.Stage
		blocked bool
	}{
		{"WaitingDispatchShort", []*shop.Job{{State: shop.JobWaitingDispatch, PartsShort: true}}, shop.StageWaitingParts, true},
		{"DispatchedShort", []*shop.Job{{State: shop.JobDispatched, PartsShort: true}, {State: shop.JobDone}}, shop.StageWaitingParts, true},
		{"InProgressWins", []*shop.Job{{State: shop.JobInProgress}, {State: shop.JobDispatched, PartsShort: true}}, shop.StageInWork, true},
		{"NotShort", []*shop.Job{{State: shop.JobWaitingDispatch}}, shop.StageWaitingDispatch, false},
		{"DoneJobShortIgnored", []*shop.Job{{State: shop.JobDone, PartsShort: true}, {State: shop.JobWaitingDispatch}}, shop.StageWaitingDispatch, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := shop.StageOf(o, tc.jobs)
			if st != tc.stage {
				t.Fatalf("stage=%v, want %v", st, tc.stage)
			}
			bs := shop.BlockersOf(o, tc.jobs)
			has := false
			for _, b := range bs {
				has = has || b == shop.BlockerParts
			}
			if has != tc.blocked {
				t.Fatalf("blockers=%v, want WAITING_PARTS %v", bs, tc.blocked)
			}
		})
	}
}

func TestClaimMachine(t *testing.T) {
	for _, tc := range []struct {
		from   shop.ClaimState
		action shop.ClaimAction
		want   shop.ClaimState
		err    string
	}{
		{shop.ClaimDraft, shop.ClaimSubmit, shop.ClaimSubmitted, ""},
		{shop.ClaimDraft, shop.ClaimEdit, shop.ClaimDraft, ""},
		{shop.ClaimSubmitted, shop.ClaimApprove, shop.ClaimApproved, ""},
		{shop.ClaimSubmitted, shop.ClaimReject, shop.ClaimRejected, ""},
		{shop.ClaimApproved, shop.ClaimPay, shop.ClaimPaid, ""},
		{shop.ClaimRejected, shop.ClaimRevise, shop.ClaimDraft, ""},
		{shop.ClaimDraft, shop.ClaimPay, shop.ClaimDraft, shop.EINVALIDTRANSITION},
		{shop.ClaimSubmitted, shop.ClaimEdit, shop.ClaimSubmitted, shop.EINVALIDTRANSITION},
		{shop.ClaimRejected, shop.ClaimPay, shop.ClaimRejected, shop.EINVALIDTRANSITION},
		{shop.ClaimPaid, shop.ClaimReject, shop.ClaimPaid, shop.EINVALIDTRANSITION},
	} {
		t.Run(string(tc.from)+"_"+string(tc.action), func(t *testing.T) {
			got, err := shop.NextClaimState(tc.from, tc.action)
			if got != tc.want || shop.ErrorCode(err) != tc.err {
				t.Fatalf("state=%v err=%v, want %v %v", got, err, tc.want, tc.err)
			}
		})
	}
	t.Run("Amounts", func(t *testing.T) {
		j1, j2, j3 := shop.JobID(1), shop.JobID(2), shop.JobID(3)
		jobs := []*shop.Job{{ID: j1, State: shop.JobDone, Payer: shop.PayerWarranty, LabourPrice: 10000},
			{ID: j2, State: shop.JobDone, Payer: shop.PayerCustomer, LabourPrice: 5000},
			{ID: j3, State: shop.JobDeclined, Payer: shop.PayerWarranty, LabourPrice: 7000}}
		parts := []*shop.PartLine{{JobID: &j1, Quantity: 2, UnitPrice: 1234, Payer: shop.PayerWarranty},
			{JobID: &j2, Quantity: 1, UnitPrice: 999, Payer: shop.PayerCustomer},
			{JobID: &j3, Quantity: 1, UnitPrice: 888, Payer: shop.PayerWarranty}}
		l, p := shop.ClaimAmounts(jobs, parts)
		if l != 10000 || p != 2468 {
			t.Fatalf("labour=%v parts=%v, want 100.00 and 24.68", l, p)
		}
	})
	t.Run("ErrIncomplete", func(t *testing.T) {
		c := &shop.WarrantyClaim{Complaint: "a", Cause: "b", Correction: "c", LabourAmount: 1}
		if err := shop.CheckClaimComplete(c, 1); shop.ErrorField(err) != "causalPartNumber" {
			t.Fatalf("err=%v, want causalPartNumber", err)
		}
		c.CausalPartNumber = "X"
		if err := shop.CheckClaimComplete(c, 1); err != nil {
			t.Fatal(err)
		}
		if err := shop.CheckClaimComplete(c, 0); shop.ErrorField(err) != "jobIds" {
			t.Fatalf("err=%v, want jobIds", err)
		}
	})
}

func TestRetainedPart(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	r := &shop.RetainedPart{Disposition: shop.DispositionKept, Deadline: date(2026, 12, 1)}
	if r.Overdue(time.Date(2026, 12, 1, 15, 59, 0, 0, time.UTC), sh) {
		t.Fatal("overdue at 23:59 local on the deadline day")
	}
	if !r.Overdue(time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC), sh) {
		t.Fatal("not overdue at 00:00 local the day after")
	}
	if err := r.Dispose(shop.DispositionKept, "", 1, time.Now()); shop.ErrorCode(err) != shop.EINVALID {
		t.Fatalf("err=%v, want INVALID", err)
	}
	if err := r.Dispose(shop.DispositionScrapped, "", 1, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := r.Dispose(shop.DispositionShippedBack, "SF1", 1, time.Now()); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
		t.Fatalf("err=%v, want INVALID_TRANSITION", err)
	}
}

func TestCallbackSchedule(t *testing.T) {
	sh, ny := zone(t, "Asia/Shanghai"), zone(t, "America/New_York")
	for _, tc := range []struct {
		name      string
		delivered time.Time
		loc       *time.Location
		days      int
		want      time.Time
	}{
		{"Default3Days", time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), sh, 0, date(2026, 11, 27)},
		{"AfterLocalMidnight", time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC), sh, 3, date(2026, 11, 28)},
		{"BeforeLocalMidnightNY", time.Date(2026, 11, 25, 4, 30, 0, 0, time.UTC), ny, 3, date(2026, 11, 27)},
		{"TwoDays", time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC), sh, 2, date(2027, 1, 2)},
		{"Week", time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), sh, 7, date(2026, 12, 1)},
		{"OutOfRangeFallsBack", time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC), sh, 9, date(2026, 11, 27)},
		{"AcrossDST", time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC), ny, 2, date(2026, 11, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.FirstCallbackDue(tc.delivered, tc.loc, tc.days); !got.Equal(tc.want) {
				t.Fatalf("due=%v, want %v", got, tc.want)
			}
		})
	}
	if got := shop.SecondCallbackDue(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC), sh); !got.Equal(date(2026, 12, 5)) {
		t.Fatalf("second=%v, want 2026-12-05", got)
	}
	for _, n := range []int{1, 8} {
		if err := shop.ValidFirstCallbackDays(n); shop.ErrorField(err) != "firstCallbackDays" {
			t.Fatalf("days %d: err=%v", n, err)
		}
	}
}

func TestCallbackAttempts(t *testing.T) {
	sh := zone(t, "Asia/Shanghai")
	five := 5
	first := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC) // 09:00 local on the 28th
	t.Run("ReachedClosesDone", func(t *testing.T) {
		c := &shop.Callback{State: shop.CallbackDue}
		if err := c.RecordAttempt(shop.CallbackOutcome{Reached: true, Satisfaction: &five}, 7, first, sh); err != nil {
			t.Fatal(err)
		}
		if c.State != shop.CallbackDone || !c.Reached || *c.DoneBy != 7 {
			t.Fatalf("callback=%+v", c)
		}
		if err := c.RecordAttempt(shop.CallbackOutcome{}, 7, first, sh); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("err=%v, want INVALID_TRANSITION", err)
		}
	})
	t.Run("ErrReachedWithoutScore", func(t *testing.T) {
		c := &shop.Callback{State: shop.CallbackDue}
		if err := c.RecordAttempt(shop.CallbackOutcome{Reached: true}, 7, first, sh); shop.ErrorField(err) != "satisfaction" || c.Attempts != 0 {
			t.Fatalf("err=%v attempts=%d", err, c.Attempts)
		}
		if err := c.RecordAttempt(shop.CallbackOutcome{Problem: true}, 7, first, sh); shop.ErrorField(err) != "reached" {
			t.Fatalf("err=%v, want reached", err)
		}
	})
	for _, tc := range []struct {
		name   string
		tries  []time.Time
		mobile bool
		want   shop.CallbackState
		fb     shop.Fallback
	}{
		{"OneTryFiveDaysIsNotRepeated", []time.Time{first.AddDate(0, 0, 6)}, true, shop.CallbackDue, ""},
		{"FourLocalDays", []time.Time{first, time.Date(2026, 12, 2, 15, 59, 0, 0, time.UTC)}, true, shop.CallbackDue, ""},
		{"FiveLocalDaysMessage", []time.Time{first, time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)}, true, shop.CallbackUnreachable, shop.FallbackMessage},
		{"FiveLocalDaysLetter", []time.Time{first, first.AddDate(0, 0, 2), first.AddDate(0, 0, 5)}, false, shop.CallbackUnreachable, shop.FallbackLetter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &shop.Callback{State: shop.CallbackDue}
			for _, at := range tc.tries {
				if err := c.RecordAttempt(shop.CallbackOutcome{HasMobile: tc.mobile}, 7, at, sh); err != nil {
					t.Fatal(err)
				}
			}
			if c.State != tc.want || (tc.fb != "" && (c.Fallback == nil || *c.Fallback != tc.fb)) {
				t.Fatalf("state=%v fallback=%v, want %v %v", c.State, c.Fallback, tc.want, tc.fb)
			}
		})
	}
	t.Run("ErrOwnAdvisor", func(t *testing.T) {
		if err := shop.MayMakeCallback(shop.CallbackSettings{NotByAdvisor: true}, 3, 3); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("err=%v, want FORBIDDEN", err)
		}
		if err := shop.MayMakeCallback(shop.CallbackSettings{NotByAdvisor: false}, 3, 3); err != nil {
			t.Fatal(err)
		}
	})
}

func TestComplaintRules(t *testing.T) {
	for _, tc := range []struct {
		from shop.ComplaintState
		act  shop.ComplaintAction
		want shop.ComplaintState
		err  string
	}{
		{shop.ComplaintOpen, shop.ComplaintEscalate, shop.ComplaintEscalated, ""},
		{shop.ComplaintOpen, shop.ComplaintClose, shop.ComplaintClosed, ""},
		{shop.ComplaintEscalated, shop.ComplaintClose, shop.ComplaintClosed, ""},
		{shop.ComplaintClosed, shop.ComplaintCheckOK, shop.ComplaintVerified, ""},
		{shop.ComplaintClosed, shop.ComplaintCheckFailed, shop.ComplaintEscalated, ""},
		{shop.ComplaintEscalated, shop.ComplaintEscalate, shop.ComplaintEscalated, shop.EINVALIDTRANSITION},
		{shop.ComplaintOpen, shop.ComplaintCheckOK, shop.ComplaintOpen, shop.EINVALIDTRANSITION},
		{shop.ComplaintVerified, shop.ComplaintClose, shop.ComplaintVerified, shop.EINVALIDTRANSITION},
	} {
		t.Run(string(tc.from)+"_"+string(tc.act), func(t *testing.T) {
			got, err := shop.NextComplaintState(tc.from, tc.act)
			if got != tc.want || shop.ErrorCode(err) != tc.err {
				t.Fatalf("state=%v err=%v, want %v %v", got, err, tc.want, tc.err)
			}
		})
	}
	opened := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	k := &shop.Complaint{State: shop.ComplaintOpen, OpenedAt: opened}
	if k.NeedsEscalation(opened.Add(48*time.Hour - time.Second)) {
		t.Fatal("escalates before two days")
	}
	if !k.NeedsEscalation(opened.Add(48 * time.Hour)) {
		t.Fatal("does not escalate after two days")
	}
	if got := shop.ComplaintCheckDue(time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC), zone(t, "Asia/Shanghai")); !got.Equal(date(2026, 12, 2)) {
		t.Fatalf("check due=%v, want 2026-12-02", got)
	}
	now := opened
	if err := shop.CheckPromisedAnswer(now.Add(-time.Minute), now); shop.ErrorField(err) != "promisedAnswerAt" {
		t.Fatalf("err=%v", err)
	}
	if err := shop.CheckPromisedAnswer(now.Add(49*time.Hour), now); shop.ErrorField(err) != "promisedAnswerAt" {
		t.Fatalf("err=%v", err)
	}
}

func TestReminderSchedules(t *testing.T) {
	due := date(2027, 1, 20)
	for _, tc := range []struct {
		kind shop.PlanKind
		want []time.Time
		ch   []shop.Channel
	}{
		{shop.PlanFirstService, []time.Time{date(2026, 12, 23), date(2027, 1, 6), date(2027, 1, 13)},
			[]shop.Channel{shop.ChannelLetter, shop.ChannelMessage, shop.ChannelCall}},
		{shop.PlanRoutine, []time.Time{date(2027, 1, 6), date(2027, 1, 13), date(2027, 1, 17)},
			[]shop.Channel{shop.ChannelLetter, shop.ChannelMessage, shop.ChannelCall}},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			rs := shop.PlanReminders(&shop.ServicePlan{ID: 1, Kind: tc.kind, DueOn: due})
			for i, r := range rs {
				if !r.DueOn.Equal(tc.want[i]) || r.Channel != tc.ch[i] || r.Step != i+1 {
					t.Fatalf("step %d: %v %v, want %v %v", i+1, r.DueOn, r.Channel, tc.want[i], tc.ch[i])
				}
			}
		})
	}
	rs := shop.PlanReminders(&shop.ServicePlan{ID: 1, Kind: shop.PlanRoutine, DueOn: due})
	plans := map[shop.ServicePlanID]time.Time{1: due}
	for _, tc := range []struct {
		today time.Time
		want  shop.Channel
	}{
		{date(2027, 1, 5), ""},
		{date(2027, 1, 6), shop.ChannelLetter},
		{date(2027, 1, 12), shop.ChannelLetter},
		{date(2027, 1, 13), shop.ChannelMessage},
		{date(2027, 1, 17), shop.ChannelCall},
		{date(2027, 1, 20), shop.ChannelCall},
		{date(2027, 1, 21), ""},
	} {
		got := shop.RemindersDue(rs, plans, tc.today)
		if (tc.want == "") != (len(got) == 0) || len(got) > 1 || (len(got) == 1 && got[0].Channel != tc.want) {
			t.Fatalf("on %v: %v, want %v", tc.today, got, tc.want)
		}
	}
	done := time.Now()
	rs[2].DoneAt = &done
	if got := shop.RemindersDue(rs, plans, date(2027, 1, 18)); len(got) != 0 {
		t.Fatalf("done call still due: %v", got)
	}
}

func TestInvitationCutoff(t *testing.T) {
	sh, ny := zone(t, "Asia/Shanghai"), zone(t, "America/New_York")
	for _, tc := range []struct {
		today time.Time
		loc   *time.Location
		want  time.Time
	}{
		{date(2026, 11, 24), sh, time.Date(2026, 8, 25, 0, 0, 0, 0, sh)},
		{date(2026, 5, 31), sh, time.Date(2026, 3, 1, 0, 0, 0, 0, sh)}, // 31 Feb → 28 Feb, inclusive
		{date(2026, 1, 15), ny, time.Date(2025, 10, 16, 0, 0, 0, 0, ny)},
	} {
		if got := shop.InvitationCutoff(tc.today, tc.loc); !got.Equal(tc.want) {
			t.Fatalf("cutoff(%v)=%v, want %v", tc.today, got, tc.want)
		}
	}
}

func TestPeriodBounds(t *testing.T) {
	sh, ny := zone(t, "Asia/Shanghai"), zone(t, "America/New_York")
	for _, tc := range []struct {
		name     string
		p        shop.Period
		d        time.Time
		loc      *time.Location
		from, to time.Time
	}{
		{"Day", shop.PeriodDay, date(2026, 11, 25), sh, time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)},
		{"WeekFromWednesday", shop.PeriodWeek, date(2026, 11, 25), sh, time.Date(2026, 11, 23, 0, 0, 0, 0, sh), time.Date(2026, 11, 30, 0, 0, 0, 0, sh)},
		{"WeekFromSunday", shop.PeriodWeek, date(2026, 11, 29), sh, time.Date(2026, 11, 23, 0, 0, 0, 0, sh), time.Date(2026, 11, 30, 0, 0, 0, 0, sh)},
		{"MonthAcrossYear", shop.PeriodMonth, date(2026, 12, 31), sh, time.Date(2026, 12, 1, 0, 0, 0, 0, sh), time.Date(2027, 1, 1, 0, 0, 0, 0, sh)},
		{"DSTDayIs25Hours", shop.PeriodDay, date(2026, 11, 1), ny, time.Date(2026, 11, 1, 4, 0, 0, 0, time.UTC), time.Date(2026, 11, 2, 5, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := shop.PeriodBounds(tc.p, tc.d, tc.loc)
			if err != nil || !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Fatalf("bounds=%v..%v err=%v, want %v..%v", from, to, err, tc.from, tc.to)
			}
		})
	}
	if _, _, err := shop.PeriodBounds("YEAR", date(2026, 1, 1), sh); shop.ErrorField(err) != "period" {
		t.Fatalf("err=%v, want INVALID period", err)
	}
	if r := shop.Ratio(1, 0); r != nil {
		t.Fatalf("ratio of nothing=%v, want nil", *r)
	}
}

func TestFollowUpPermissions(t *testing.T) {
	for _, tc := range []struct {
		role shop.Role
		act  shop.Action
		want bool
	}{
		{shop.RolePartsClerk, shop.ActManageParts, true},
		{shop.RolePartsClerk, shop.ActReserveParts, true},
		{shop.RoleAdvisor, shop.ActReserveParts, true},
		{shop.RoleAdvisor, shop.ActManageParts, false},
		{shop.RoleTechnician, shop.ActReserveParts, false},
		{shop.RoleWarrantyClerk, shop.ActWarranty, true},
		{shop.RoleAdvisor, shop.ActWarranty, false},
		{shop.RoleCallbackStaff, shop.ActCallback, true},
		{shop.RoleCallbackStaff, shop.ActComplaint, true},
		{shop.RoleAdvisor, shop.ActComplaint, true},
		{shop.RoleCashier, shop.ActCallback, false},
		{shop.RoleServiceManager, shop.ActReport, true},
		{shop.RoleServiceManager, shop.ActSiteSettings, true},
		{shop.RoleAdvisor, shop.ActReport, false},
		{shop.RoleCallbackStaff, shop.ActSiteSettings, false},
		{shop.RoleBoard, shop.ActCallback, false},
	} {
		if got := shop.Allowed(tc.role, tc.act); got != tc.want {
			t.Errorf("Allowed(%s, %s)=%v, want %v", tc.role, tc.act, got, tc.want)
		}
	}
}
