package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func intp(n int) *int              { return &n }
func boolp(b bool) *bool           { return &b }
func ptime(t time.Time) *time.Time { return &t }

func TestIsMobile(t *testing.T) {
	for _, tc := range []struct {
		name, phone string
		want        bool
	}{
		{"OK", "13800138000", true},
		{"OKCountryCode", "+8613800138000", true},
		{"ErrLandline", "075512345678", false},
		{"ErrShort", "1380013800", false},
		{"ErrEmpty", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.IsMobile(tc.phone); got != tc.want {
				t.Fatalf("mobile=%v, want %v", got, tc.want)
			}
		})
	}
}

func followUpFixture() (*shop.Order, *shop.Site, shop.Callback) {
	o := &shop.Order{ID: 7, SiteID: 1, VisitID: 3, AdvisorID: 20}
	s := &shop.Site{ID: 1, TimeZone: "Asia/Shanghai", FirstCallbackDays: 3}
	cb := shop.Callback{ID: 9, SiteID: 1, OrderID: 7, CustomerID: 4, AdvisorID: 20, Seq: 1, State: shop.CallbackDue, Version: 1}
	return o, s, cb
}

func TestRecordCallback(t *testing.T) {
	now := time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC) // the 25th in Shanghai
	staff := &shop.Actor{UserID: 30, Role: shop.RoleCallbackStaff, SiteIDs: []shop.SiteID{1}}
	advisor := &shop.Actor{UserID: 20, Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}
	for _, tc := range []struct {
		name       string
		seq        int
		notByAdv   bool
		by         *shop.Actor
		try        shop.CallbackTry
		wantCode   string
		wantField  string
		wantState  shop.CallbackState
		wantSecond *time.Time
		wantEvents []shop.EventKind
	}{
		{name: "OK", seq: 1, by: staff, try: shop.CallbackTry{Reached: true, Satisfaction: intp(5)},
			wantState: shop.CallbackDone, wantSecond: ptime(date(2026, 12, 2)), wantEvents: []shop.EventKind{shop.EventCallbackRecorded}},
		{name: "OKSecondCallbackKeepsNoDay", seq: 2, by: staff, try: shop.CallbackTry{Reached: true, Satisfaction: intp(4)},
			wantState: shop.CallbackDone, wantEvents: []shop.EventKind{shop.EventCallbackRecorded}},
		{name: "OKNotReached", seq: 1, by: staff, try: shop.CallbackTry{},
			wantState: shop.CallbackDue, wantEvents: []shop.EventKind{shop.EventCallbackRecorded}},
		{name: "OKOwnAdvisorAllowed", seq: 1, by: advisor, try: shop.CallbackTry{Reached: true, Satisfaction: intp(3)},
			wantState: shop.CallbackDone, wantSecond: ptime(date(2026, 12, 2)), wantEvents: []shop.EventKind{shop.EventCallbackRecorded}},
		{name: "OKProblemOpensComplaint", seq: 1, by: staff,
			try:       shop.CallbackTry{Reached: true, Satisfaction: intp(2), Problem: true, ProblemDescription: "Noise again"},
			wantState: shop.CallbackDone, wantSecond: ptime(date(2026, 12, 2)),
			wantEvents: []shop.EventKind{shop.EventCallbackRecorded, shop.EventComplaintOpened}},
		{name: "ErrOwnAdvisor", seq: 1, notByAdv: true, by: advisor, try: shop.CallbackTry{Reached: true, Satisfaction: intp(5)},
			wantCode: shop.EFORBIDDEN},
		{name: "ErrNoSatisfaction", seq: 1, by: staff, try: shop.CallbackTry{Reached: true},
			wantCode: shop.EINVALID, wantField: "satisfaction"},
		{name: "ErrProblemWithoutDescription", seq: 1, by: staff,
			try:      shop.CallbackTry{Reached: true, Satisfaction: intp(2), Problem: true},
			wantCode: shop.EINVALID, wantField: "problemDescription"},
		{name: "ErrPromisedAnswerPast", seq: 1, by: staff,
			try: shop.CallbackTry{Reached: true, Satisfaction: intp(2), Problem: true, ProblemDescription: "x",
				PromisedAnswerAt: ptime(now.Add(-time.Hour))},
			wantCode: shop.EINVALID, wantField: "promisedAnswerAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, s, cb := followUpFixture()
			cb.Seq, s.CallbackNotByAdvisor = tc.seq, tc.notByAdv
			rec, err := shop.RecordCallback(cb, o, s, "13800138000", tc.try, tc.by, now)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v (%v)", got, shop.ErrorField(err), tc.wantCode, tc.wantField, err)
			}
			if err != nil {
				return
			}
			if rec.Callback.State != tc.wantState {
				t.Fatalf("state=%v, want %v", rec.Callback.State, tc.wantState)
			}
			if (rec.SecondDueOn == nil) != (tc.wantSecond == nil) || rec.SecondDueOn != nil && !rec.SecondDueOn.Equal(*tc.wantSecond) {
				t.Fatalf("second=%v, want %v", rec.SecondDueOn, tc.wantSecond)
			}
			if len(rec.Events) != len(tc.wantEvents) {
				t.Fatalf("events=%v, want %v", rec.Events, tc.wantEvents)
			}
			for i, ev := range rec.Events {
				if ev.Kind != tc.wantEvents[i] || ev.OrderID == nil || *ev.OrderID != o.ID || *ev.AdvisorID != o.AdvisorID {
					t.Fatalf("event=%+v, want %v on order %d", ev, tc.wantEvents[i], o.ID)
				}
			}
			if k := rec.Complaint; (k != nil) != tc.try.Problem {
				t.Fatalf("complaint=%v, want one: %v", k, tc.try.Problem)
			} else if k != nil && (k.OwnerID != tc.by.UserID || *k.CallbackID != cb.ID || !k.PromisedAnswerAt.Equal(now.Add(24*time.Hour))) {
				t.Fatalf("complaint=%+v, want owned by %d from callback %d, answer in 24h", k, tc.by.UserID, cb.ID)
			}
		})
	}
	t.Run("OKUnreachableLetterWithoutMobile", func(t *testing.T) {
		o, s, cb := followUpFixture()
		first := now.AddDate(0, 0, -5)
		cb.Attempts, cb.FirstAttemptAt = 1, &first
		rec, err := shop.RecordCallback(cb, o, s, "075512345678", shop.CallbackTry{}, staff, now)
		if err != nil || rec.Callback.State != shop.CallbackUnreachable || *rec.Callback.Fallback != shop.FallbackLetter {
			t.Fatalf("state=%v fallback=%v err=%v, want UNREACHABLE, LETTER", rec.Callback.State, rec.Callback.Fallback, err)
		}
		if rec.SecondDueOn == nil {
			t.Fatalf("second=nil, want the second callback moved")
		}
	})
}

func TestScheduleCallbacks(t *testing.T) {
	o, s, _ := followUpFixture()
	now := time.Date(2026, 11, 24, 16, 30, 0, 0, time.UTC) // the 25th in Shanghai
	for _, tc := range []struct {
		name     string
		next     *time.Time
		wantPlan bool
	}{
		{"OK", nil, false},
		{"OKNextService", ptime(date(2027, 5, 1)), true},
		{"OKPastServiceDatePlansNothing", ptime(date(2026, 11, 24)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := shop.ScheduleCallbacks(o, s, 4, 5, tc.next, intp(15000), 20, now)
			if !got.Callbacks[0].DueOn.Equal(date(2026, 11, 28)) || !got.Callbacks[1].DueOn.Equal(date(2026, 12, 5)) {
				t.Fatalf("due=%v/%v, want 2026-11-28 and 2026-12-05", got.Callbacks[0].DueOn, got.Callbacks[1].DueOn)
			}
			if got.Event.Kind != shop.EventCallbacksScheduled || got.Callbacks[1].Seq != 2 {
				t.Fatalf("event=%v seq=%d, want CALLBACKS_SCHEDULED, 2", got.Event.Kind, got.Callbacks[1].Seq)
			}
			if (got.Plan != nil) != tc.wantPlan {
				t.Fatalf("plan=%v, want %v", got.Plan, tc.wantPlan)
			}
			if got.Plan != nil && (got.Plan.Kind != shop.PlanRoutine || got.Plan.VehicleID != 5 || got.PlanEvent.Kind != shop.EventServicePlanned) {
				t.Fatalf("plan=%+v event=%v, want a routine plan of vehicle 5", got.Plan, got.PlanEvent.Kind)
			}
		})
	}
}

func TestComplaintDecisions(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	loc := zone(t, "Asia/Shanghai")
	owner := &shop.Actor{UserID: 30, Role: shop.RoleCallbackStaff}
	other := &shop.Actor{UserID: 31, Role: shop.RoleCallbackStaff}
	manager := &shop.Actor{UserID: 40, Role: shop.RoleServiceManager}
	sup := shop.UserID(40)
	checkDue := date(2026, 11, 20)
	base := func(st shop.ComplaintState) shop.Complaint {
		k := shop.Complaint{ID: 1, SiteID: 1, OwnerID: 30, State: st, OpenedAt: now.Add(-72 * time.Hour)}
		if st == shop.ComplaintClosed {
			k.CheckDueOn = &checkDue
		}
		return k
	}
	for _, tc := range []struct {
		name      string
		run       func() (shop.Complaint, shop.Event, error)
		wantCode  string
		wantState shop.ComplaintState
		wantKind  shop.EventKind
	}{
		{"OKEscalate", func() (shop.Complaint, shop.Event, error) {
			return shop.EscalateComplaint(base(shop.ComplaintOpen), nil, &sup, now)
		}, "", shop.ComplaintEscalated, shop.EventComplaintEscalated},
		{"ErrEscalateTwice", func() (shop.Complaint, shop.Event, error) {
			return shop.EscalateComplaint(base(shop.ComplaintEscalated), nil, &sup, now)
		}, shop.EINVALIDTRANSITION, "", ""},
		{"OKCloseByOwner", func() (shop.Complaint, shop.Event, error) {
			return shop.CloseComplaint(base(shop.ComplaintOpen), nil, owner, "Refunded the wash", loc, now)
		}, "", shop.ComplaintClosed, shop.EventComplaintClosed},
		{"OKCloseByManager", func() (shop.Complaint, shop.Event, error) {
			return shop.CloseComplaint(base(shop.ComplaintEscalated), nil, manager, "Done", loc, now)
		}, "", shop.ComplaintClosed, shop.EventComplaintClosed},
		{"ErrCloseByOther", func() (shop.Complaint, shop.Event, error) {
			return shop.CloseComplaint(base(shop.ComplaintOpen), nil, other, "Done", loc, now)
		}, shop.EFORBIDDEN, "", ""},
		{"ErrCloseWithoutResolution", func() (shop.Complaint, shop.Event, error) {
			return shop.CloseComplaint(base(shop.ComplaintOpen), nil, owner, " ", loc, now)
		}, shop.EINVALID, "", ""},
		{"ErrCloseVerified", func() (shop.Complaint, shop.Event, error) {
			return shop.CloseComplaint(base(shop.ComplaintVerified), nil, owner, "Done", loc, now)
		}, shop.EINVALIDTRANSITION, "", ""},
		{"OKCheckSatisfied", func() (shop.Complaint, shop.Event, error) {
			return shop.CheckComplaintSatisfaction(base(shop.ComplaintClosed), nil, boolp(true), &sup, loc, now)
		}, "", shop.ComplaintVerified, shop.EventComplaintChecked},
		{"OKCheckNotSatisfied", func() (shop.Complaint, shop.Event, error) {
			return shop.CheckComplaintSatisfaction(base(shop.ComplaintClosed), nil, boolp(false), &sup, loc, now)
		}, "", shop.ComplaintEscalated, shop.EventComplaintEscalated},
		{"ErrCheckWithoutAnswer", func() (shop.Complaint, shop.Event, error) {
			return shop.CheckComplaintSatisfaction(base(shop.ComplaintClosed), nil, nil, &sup, loc, now)
		}, shop.EINVALID, "", ""},
		{"ErrCheckTooEarly", func() (shop.Complaint, shop.Event, error) {
			k := base(shop.ComplaintClosed)
			later := date(2026, 11, 25)
			k.CheckDueOn = &later
			return shop.CheckComplaintSatisfaction(k, nil, boolp(true), &sup, loc, now)
		}, shop.EINVALIDTRANSITION, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, ev, err := tc.run()
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err != nil {
				return
			}
			if k.State != tc.wantState || ev.Kind != tc.wantKind {
				t.Fatalf("state=%v event=%v, want %v %v", k.State, ev.Kind, tc.wantState, tc.wantKind)
			}
			if k.State == shop.ComplaintEscalated && (k.SupervisorID == nil || *k.SupervisorID != sup || k.ClosedAt != nil) {
				t.Fatalf("supervisor=%v closed=%v, want %d and open", k.SupervisorID, k.ClosedAt, sup)
			}
			if k.State == shop.ComplaintClosed && (k.CheckDueOn == nil || !k.CheckDueOn.Equal(date(2026, 12, 1))) {
				t.Fatalf("check=%v, want 2026-12-01", k.CheckDueOn)
			}
		})
	}
}

func TestOpenComplaint(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	by := &shop.Actor{UserID: 30, Role: shop.RoleAdvisor}
	o := &shop.Order{ID: 7, SiteID: 1, VisitID: 3, AdvisorID: 20}
	oid := o.ID
	for _, tc := range []struct {
		name     string
		in       shop.ComplaintInput
		o        *shop.Order
		wantCode string
	}{
		{"OK", shop.ComplaintInput{SiteID: 1, CustomerID: 4, Description: "Rude on the phone"}, nil, ""},
		{"OKWithOrder", shop.ComplaintInput{SiteID: 1, CustomerID: 4, OrderID: &oid, Description: "Scratch",
			PromisedAnswerAt: ptime(now.Add(time.Hour))}, o, ""},
		{"ErrOrderNotTheCustomers", shop.ComplaintInput{SiteID: 1, CustomerID: 4, OrderID: &oid, Description: "Scratch"}, nil, shop.ENOTFOUND},
		{"ErrNoDescription", shop.ComplaintInput{SiteID: 1, CustomerID: 4}, nil, shop.EINVALID},
		{"ErrAnswerTooLate", shop.ComplaintInput{SiteID: 1, CustomerID: 4, Description: "x",
			PromisedAnswerAt: ptime(now.Add(72 * time.Hour))}, nil, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, ev, err := shop.OpenComplaint(tc.in, tc.o, by, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err != nil {
				return
			}
			if k.State != shop.ComplaintOpen || k.OwnerID != by.UserID || ev.Kind != shop.EventComplaintOpened {
				t.Fatalf("state=%v owner=%d event=%v, want OPEN by %d", k.State, k.OwnerID, ev.Kind, by.UserID)
			}
			if (ev.VisitID != nil) != (tc.o != nil) {
				t.Fatalf("event visit=%v, want set only with an order", ev.VisitID)
			}
		})
	}
}

func TestEscalateLateComplaint(t *testing.T) {
	opened := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		state shop.ComplaintState
		now   time.Time
		want  bool
	}{
		{"OK", shop.ComplaintOpen, opened.Add(48 * time.Hour), true},
		{"ErrTooEarly", shop.ComplaintOpen, opened.Add(47 * time.Hour), false},
		{"ErrAlreadyEscalated", shop.ComplaintEscalated, opened.Add(72 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, ev, ok := shop.EscalateLateComplaint(shop.Complaint{SiteID: 1, State: tc.state, OpenedAt: opened}, nil, nil, tc.now)
			if ok != tc.want {
				t.Fatalf("escalated=%v, want %v", ok, tc.want)
			}
			if ok && (k.State != shop.ComplaintEscalated || ev.Kind != shop.EventComplaintEscalated) {
				t.Fatalf("state=%v event=%v, want ESCALATED", k.State, ev.Kind)
			}
		})
	}
}

func TestPlanServiceAndReminder(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	today := date(2026, 11, 24)
	for _, tc := range []struct {
		name      string
		in        shop.PlanInput
		wantCode  string
		wantField string
	}{
		{"OK", shop.PlanInput{SiteID: 1, VehicleID: 5, Kind: shop.PlanFirstService, DueOn: date(2027, 1, 5), DueMileage: intp(5000)}, "", ""},
		{"ErrPast", shop.PlanInput{SiteID: 1, VehicleID: 5, Kind: shop.PlanRoutine, DueOn: date(2026, 11, 23)}, shop.EINVALID, "dueOn"},
		{"ErrMileage", shop.PlanInput{SiteID: 1, VehicleID: 5, Kind: shop.PlanRoutine, DueOn: today, DueMileage: intp(-1)}, shop.EINVALID, "dueMileage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ev, err := shop.PlanService(tc.in, today, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.wantField)
			}
			if err == nil && (p.State != shop.PlanOpen || ev.Kind != shop.EventServicePlanned) {
				t.Fatalf("state=%v event=%v, want OPEN, SERVICE_PLANNED", p.State, ev.Kind)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		done     bool
		outcome  string
		wantCode string
	}{
		{"OK", false, "Letter sent", ""},
		{"ErrAlreadyDone", true, "Letter sent", shop.EINVALIDTRANSITION},
		{"ErrNoOutcome", false, "", shop.EINVALID},
	} {
		t.Run("Reminder"+tc.name, func(t *testing.T) {
			r := shop.Reminder{ID: 1, SiteID: 1, Step: 1, Channel: shop.ChannelLetter}
			if tc.done {
				r.DoneAt = &now
			}
			r2, ev, err := shop.RecordReminder(r, tc.outcome, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (r2.DoneAt == nil || *r2.DoneBy != 30 || ev.Kind != shop.EventReminderRecorded) {
				t.Fatalf("reminder=%+v event=%v, want done by 30", r2, ev.Kind)
			}
		})
	}
}

func TestUpdateCallbackSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		days     *int
		notByAdv *bool
		wantCode string
		wantDays int
	}{
		{"OK", intp(5), boolp(true), "", 5},
		{"OKUnchanged", nil, nil, "", 3},
		{"ErrTooMany", intp(8), nil, shop.EINVALID, 3},
		{"ErrTooFew", intp(1), nil, shop.EINVALID, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ev, err := shop.UpdateCallbackSettings(shop.Site{ID: 1, FirstCallbackDays: 3}, tc.days, tc.notByAdv)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (s.FirstCallbackDays != tc.wantDays || ev.SiteID != 1) {
				t.Fatalf("days=%d, want %d", s.FirstCallbackDays, tc.wantDays)
			}
		})
	}
}

func TestLateOrderEvent(t *testing.T) {
	at := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	ev := shop.LateOrderEvent(&shop.Order{ID: 7, SiteID: 1, VisitID: 3, AdvisorID: 20, PromisedAt: &at})
	if ev.Kind != shop.EventOrderLate || *ev.OrderID != 7 || *ev.AdvisorID != 20 || ev.Summary != "Past the promised time 2026-11-24T09:00:00Z and not ready" {
		t.Fatalf("event=%+v, want ORDER_LATE of order 7", ev)
	}
}

func TestReportRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		score int
		want  bool
	}{{"OK", 4, true}, {"OKVery", 5, true}, {"ErrNeutral", 3, false}} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.Satisfied(tc.score); got != tc.want {
				t.Fatalf("satisfied=%v, want %v", got, tc.want)
			}
		})
	}
	billable := map[string]bool{}
	for _, s := range shop.BillableJobStates() {
		billable[s] = true
	}
	for _, s := range shop.JobStates {
		if billable[string(s)] != s.Billable() {
			t.Fatalf("state=%v billable=%v, want %v", s, billable[string(s)], s.Billable())
		}
	}
	if billable["DECLINED"] || billable["CANCELLED"] || billable["PENDING_APPROVAL"] || !billable["DONE"] {
		t.Fatalf("billable=%v, want every state but DECLINED, CANCELLED and PENDING_APPROVAL", billable)
	}
}

func TestReminderLeadDays(t *testing.T) {
	if got := shop.ReminderLeadDays(); got != 28 {
		t.Fatalf("lead=%d, want 28 (a first service's letter 4 weeks ahead)", got)
	}
}

func TestCallbackDueNow(t *testing.T) {
	sh, ny := zone(t, "Asia/Shanghai"), zone(t, "America/New_York")
	due := shop.Callback{State: shop.CallbackDue, DueOn: date(2026, 11, 28)}
	done := shop.Callback{State: shop.CallbackDone, DueOn: date(2026, 11, 28)}
	for _, tc := range []struct {
		name string
		cb   shop.Callback
		now  time.Time
		loc  *time.Location
		want bool
	}{
		{"OKLocalMidnight", due, time.Date(2026, 11, 27, 16, 1, 0, 0, time.UTC), sh, true},
		{"OKLater", due, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), sh, true},
		{"ErrLocalDayBefore", due, time.Date(2026, 11, 27, 15, 59, 0, 0, time.UTC), sh, false},
		{"ErrStillTheDayBeforeInNewYork", due, time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC), ny, false},
		{"ErrDone", done, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), sh, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.CallbackDueNow(&tc.cb, tc.now, tc.loc); got != tc.want {
				t.Fatalf("due=%v, want %v", got, tc.want)
			}
		})
	}
}
