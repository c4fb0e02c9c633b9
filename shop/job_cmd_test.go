package shop_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

// The technician jobs of these tests are dispatched to, as the actor.
var (
	techUser = shop.UserID(3)
	techName = "张工"
	tech     = shop.Actor{UserID: techUser, Name: "张伟", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
)

// assigned returns job id in state, dispatched to tech.
func assigned(id shop.JobID, state shop.JobState) *shop.Job {
	j := jobOf(id, state)
	j.TechnicianID = ptrTo(techUser)
	return j
}

func TestJobCommands(t *testing.T) {
	inWork, qc := order(shop.OrderInWork), order(shop.OrderQC)
	dispatched := func() shop.Job { return *assigned(1, shop.JobDispatched) }
	running := ptrTo(t0.Add(-25 * time.Minute))
	tests := []struct {
		name   string
		o      shop.Order
		j      shop.Job
		decide func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error)
		state  shop.JobState
		kind   shop.EventKind
		code   string
		field  string
	}{
		{"OKDispatch", inWork, *jobOf(1, shop.JobWaitingDispatch), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.DispatchJob(o, j, shop.Dispatch{Technician: techUser, TechnicianName: techName, Bay: 4, BayCode: "B1"}, nil, t0)
		}, shop.JobDispatched, shop.EventJobDispatched, "", ""},
		{"OKStart", inWork, dispatched(), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, tech, techName, t0)
		}, shop.JobInProgress, shop.EventJobStarted, "", ""},
		{"ErrStartWithoutTechnician", inWork, *jobOf(1, shop.JobRework), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, tech, techName, t0)
		}, "", "", shop.EINVALIDTRANSITION, ""},
		{"ErrStartInQC", qc, dispatched(), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, tech, techName, t0)
		}, "", "", shop.EINVALIDTRANSITION, ""},
		{"OKPause", inWork, *assigned(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.PauseJob(o, j, tech, techName, shop.PauseWaitingParts, nil, running, t0)
		}, shop.JobPaused, shop.EventJobPaused, "", ""},
		{"ErrPauseOtherWithoutNote", inWork, *assigned(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.PauseJob(o, j, tech, techName, shop.PauseOther, nil, running, t0)
		}, "", "", shop.EINVALID, "note"},
		{"OKResume", inWork, *assigned(1, shop.JobPaused), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ResumeJob(o, j, tech, techName, t0)
		}, shop.JobInProgress, shop.EventJobResumed, "", ""},
		{"OKProgress", inWork, *assigned(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ReportJobProgress(o, j, tech, techName, 60, t0)
		}, shop.JobInProgress, shop.EventJobProgress, "", ""},
		{"ErrProgressOver100", inWork, *assigned(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ReportJobProgress(o, j, tech, techName, 101, t0)
		}, "", "", shop.EINVALID, "progress"},
		{"OKFinish", inWork, *assigned(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.FinishJob(o, j, tech, techName, running, t0)
		}, shop.JobFinished, shop.EventJobFinished, "", ""},
		{"ErrFinishPaused", inWork, *assigned(1, shop.JobPaused), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.FinishJob(o, j, tech, techName, nil, t0)
		}, "", "", shop.EINVALIDTRANSITION, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.j
			got, ev, err := tt.decide(&tt.o, tt.j)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if got.State != before.State || got.WorkedMinutes != before.WorkedMinutes {
					t.Fatalf("state=%v, want %v unchanged", got.State, before.State)
				}
				return
			}
			wantOK(t, err)
			if got.State != tt.state || ev.Kind != tt.kind || *ev.JobID != got.ID || *ev.OrderID != tt.o.ID {
				t.Fatalf("state=%v event=%v, want %v %v", got.State, ev.Kind, tt.state, tt.kind)
			}
		})
	}
}

func TestJobClock(t *testing.T) {
	o := order(shop.OrderInWork)
	since := ptrTo(t0.Add(-25*time.Minute - 30*time.Second))
	j := *assigned(1, shop.JobInProgress)
	j.WorkedMinutes = 10
	t.Run("OK", func(t *testing.T) {
		p, _, err := shop.PauseJob(&o, j, tech, techName, shop.PauseBreak, nil, since, t0)
		wantOK(t, err)
		if p.WorkedMinutes != 35 {
			t.Fatalf("worked=%v, want %v", p.WorkedMinutes, 35)
		}
		f, _, err := shop.FinishJob(&o, j, tech, techName, since, t0)
		wantOK(t, err)
		if f.WorkedMinutes != 35 || f.Progress != 100 || !f.FinishedAt.Equal(t0) {
			t.Fatalf("worked=%v progress=%v, want %v 100", f.WorkedMinutes, f.Progress, 35)
		}
		r, _, err := shop.ReportJobProgress(&o, j, tech, techName, 50, t0)
		wantOK(t, err)
		if r.WorkedMinutes != 10 {
			t.Fatalf("worked=%v, want %v (still running)", r.WorkedMinutes, 10)
		}
	})
}

func TestJobChecks(t *testing.T) {
	o := order(shop.OrderInWork)
	lead := shop.Actor{UserID: 4, Role: shop.RoleTechnician, TeamLead: true, SiteIDs: []shop.SiteID{1}}
	t.Run("OK", func(t *testing.T) {
		j, ch, ev, err := shop.SelfCheckJob(&o, *assigned(1, shop.JobFinished), tech, techName, true, nil, t0)
		wantOK(t, err)
		if j.State != shop.JobSelfChecked || ch.Kind != shop.CheckSelf || !ch.Passed || ev.Summary != "SELF check passed" {
			t.Fatalf("state=%v summary=%q, want %v", j.State, ev.Summary, shop.JobSelfChecked)
		}
		j, ch, _, err = shop.TeamLeadCheckJob(&o, *assigned(1, shop.JobSelfChecked), shop.History{}, lead, true, nil, t0)
		wantOK(t, err)
		if j.State != shop.JobDone || ch.Kind != shop.CheckTeamLead || j.ReworkCount != 0 {
			t.Fatalf("state=%v, want %v", j.State, shop.JobDone)
		}
	})
	t.Run("OKSelfCheckFailed", func(t *testing.T) {
		j, ch, _, err := shop.SelfCheckJob(&o, *assigned(1, shop.JobFinished), tech, techName, false, ptrTo("螺丝未紧"), t0)
		wantOK(t, err)
		if j.State != shop.JobInProgress || ch.Passed || ch.Notes != "螺丝未紧" || j.ReworkCount != 0 {
			t.Fatalf("state=%v rework=%d, want %v without rework", j.State, j.ReworkCount, shop.JobInProgress)
		}
	})
	t.Run("OKTeamLeadFailedIsRework", func(t *testing.T) {
		in := *assigned(1, shop.JobSelfChecked)
		in.Progress = 100
		j, _, ev, err := shop.TeamLeadCheckJob(&o, in, shop.History{}, lead, false, ptrTo("刹车片装反"), t0)
		wantOK(t, err)
		if j.State != shop.JobRework || j.ReworkCount != 1 || j.ReworkReason != "刹车片装反" || j.Progress != 0 {
			t.Fatalf("state=%v rework=%d progress=%d, want REWORK 1 0", j.State, j.ReworkCount, j.Progress)
		}
		if ev.Summary != "TEAM_LEAD check failed: 刹车片装反" {
			t.Fatalf("summary=%q, want the notes", ev.Summary)
		}
	})
	t.Run("ErrSelfCheckFailedWithoutNotes", func(t *testing.T) {
		_, _, _, err := shop.SelfCheckJob(&o, *assigned(1, shop.JobFinished), tech, techName, false, nil, t0)
		wantErr(t, err, shop.EINVALID, "notes")
	})
	t.Run("ErrTeamLeadFailedWithoutNotes", func(t *testing.T) {
		j, _, _, err := shop.TeamLeadCheckJob(&o, *assigned(1, shop.JobSelfChecked), shop.History{}, lead, false, ptrTo(" "), t0)
		wantErr(t, err, shop.EINVALID, "notes")
		if shop.ErrorMessage(err) != "A failed check needs notes saying what is wrong." || j.ReworkCount != 0 {
			t.Fatalf("message=%q rework=%d, want the notes message and no rework", shop.ErrorMessage(err), j.ReworkCount)
		}
	})
	t.Run("ErrTeamLeadBeforeSelfCheck", func(t *testing.T) {
		_, _, _, err := shop.TeamLeadCheckJob(&o, *assigned(1, shop.JobFinished), shop.History{}, lead, true, nil, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}

// TestNobodyWorksAnothersJob is the matrix of issue 14 (item 3): every
// command on a job, and the final inspection, by each kind of person. The
// role rule (Authorize) comes first, as the store applies it; then the
// decision's own rule. want is "" for allowed, or a phrase the refusal's
// message must contain: the rule it names.
func TestNobodyWorksAnothersJob(t *testing.T) {
	const (
		roleRule  = "Your role"
		workRule  = "Only the technician the job is dispatched to"
		leadRule  = "The team-lead check is never done by anyone who worked on the job"
		finalRule = "The final inspection is never done by anyone who worked on the repair order"
	)
	site := []shop.SiteID{1}
	type who struct {
		name   string
		actor  shop.Actor
		techID shop.UserID // the technician the job is dispatched to
		tech   string      // and their name
	}
	lead := shop.Actor{UserID: 4, Name: "赵磊", Role: shop.RoleTechnician, TeamLead: true, SiteIDs: site}
	qcWorked := shop.Actor{UserID: 11, Name: "陈静", Role: shop.RoleQCInspector, SiteIDs: site}
	people := []who{
		{"AssignedTechnician", tech, techUser, techName},
		{"AnotherTechnician", shop.Actor{UserID: 5, Name: "吴俊", Role: shop.RoleTechnician, SiteIDs: site}, techUser, techName},
		{"Foreman", shop.Actor{UserID: 6, Name: "李强", Role: shop.RoleForeman, SiteIDs: site}, techUser, techName},
		{"ServiceManager", shop.Actor{UserID: 8, Name: "孙经理", Role: shop.RoleServiceManager, SiteIDs: site}, techUser, techName},
		{"TeamLeadOnOwnJob", lead, lead.UserID, "赵工"},
		{"TeamLeadOnAnothersJob", lead, techUser, techName},
		{"QCWhoWorkedOnTheOrder", qcWorked, techUser, techName},
		{"QCWhoDidNot", shop.Actor{UserID: 12, Name: "钱检", Role: shop.RoleQCInspector, SiteIDs: site}, techUser, techName},
	}
	// The order's history: the job's technician worked job 1; the QC
	// inspector who worked on the order recorded the team-lead check of
	// job 2 (when he still led a team); the foreman dispatched both.
	history := func(p who) shop.History {
		return shop.History{
			Events: []*shop.Event{
				{Kind: shop.EventJobDispatched, JobID: ptrTo(shop.JobID(1)), ActorID: ptrTo(shop.UserID(6))},
				{Kind: shop.EventJobStarted, JobID: ptrTo(shop.JobID(1)), ActorID: ptrTo(p.techID)},
				{Kind: shop.EventJobFinished, JobID: ptrTo(shop.JobID(1)), ActorID: ptrTo(p.techID)},
				{Kind: shop.EventSelfCheckRecorded, JobID: ptrTo(shop.JobID(1)), ActorID: ptrTo(p.techID)},
				{Kind: shop.EventTeamLeadCheckRecorded, JobID: ptrTo(shop.JobID(2)), ActorID: ptrTo(qcWorked.UserID)},
			},
			Checks: []*shop.Check{{OrderID: 10, JobID: ptrTo(shop.JobID(2)), Kind: shop.CheckTeamLead, Passed: true, CheckedBy: qcWorked.UserID}},
		}
	}
	job := func(p who, state shop.JobState) shop.Job {
		j := *jobOf(1, state)
		j.TechnicianID = ptrTo(p.techID)
		return j
	}
	inWork := order(shop.OrderInWork)
	running := ptrTo(t0.Add(-25 * time.Minute))
	// result is what a command left: the record before and after, as
	// "state progress technician", and the error.
	type result struct {
		from, to string
		err      error
	}
	show := func(j shop.Job) string { return fmt.Sprintf("%s %d%% %d", j.State, j.Progress, *j.TechnicianID) }
	jobCmd := func(state shop.JobState, decide func(p who, j shop.Job) (shop.Job, error)) func(p who) result {
		return func(p who) result {
			in := job(p, state)
			got, err := decide(p, in)
			return result{show(in), show(got), err}
		}
	}
	actions := []struct {
		name string
		act  shop.Action
		run  func(p who) result
		want map[string]string // by person; missing: allowed
	}{
		{"Start", shop.ActWorkJob, jobCmd(shop.JobDispatched, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.StartJob(&inWork, j, p.actor, p.tech, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": workRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"Pause", shop.ActWorkJob, jobCmd(shop.JobInProgress, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.PauseJob(&inWork, j, p.actor, p.tech, shop.PauseBreak, nil, running, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": workRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"Resume", shop.ActWorkJob, jobCmd(shop.JobPaused, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.ResumeJob(&inWork, j, p.actor, p.tech, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": workRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"ReportProgress", shop.ActWorkJob, jobCmd(shop.JobInProgress, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.ReportJobProgress(&inWork, j, p.actor, p.tech, 50, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": workRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"Finish", shop.ActWorkJob, jobCmd(shop.JobInProgress, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.FinishJob(&inWork, j, p.actor, p.tech, running, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": workRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"SelfCheck", shop.ActSelfCheck, jobCmd(shop.JobFinished, func(p who, j shop.Job) (shop.Job, error) {
			j, _, _, err := shop.SelfCheckJob(&inWork, j, p.actor, p.tech, true, nil, t0)
			return j, err
		}), map[string]string{"AnotherTechnician": workRule, "Foreman": roleRule, "ServiceManager": workRule,
			"TeamLeadOnAnothersJob": workRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"TeamLeadCheck", shop.ActTeamLeadCheck, jobCmd(shop.JobSelfChecked, func(p who, j shop.Job) (shop.Job, error) {
			j, _, _, err := shop.TeamLeadCheckJob(&inWork, j, history(p), p.actor, true, nil, t0)
			return j, err
		}), map[string]string{"AssignedTechnician": roleRule, "AnotherTechnician": roleRule, "TeamLeadOnOwnJob": leadRule,
			"QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"Reassign", shop.ActDispatch, jobCmd(shop.JobPaused, func(p who, j shop.Job) (shop.Job, error) {
			j, _, err := shop.DispatchJob(&inWork, j, shop.Dispatch{Technician: 5, TechnicianName: "吴工", PreviousName: p.tech, Bay: 2, BayCode: "B02"}, nil, t0)
			return j, err
		}), map[string]string{"AssignedTechnician": roleRule, "AnotherTechnician": roleRule, "TeamLeadOnOwnJob": roleRule,
			"TeamLeadOnAnothersJob": roleRule, "QCWhoWorkedOnTheOrder": roleRule, "QCWhoDidNot": roleRule}},
		{"FinalInspection", shop.ActFinalInspection, func(p who) result {
			j1, j2 := job(p, shop.JobDone), *jobOf(2, shop.JobDone)
			j2.TechnicianID = ptrTo(p.techID)
			o, _, _, _, err := shop.FinalInspection(order(shop.OrderQC), []*shop.Job{&j1, &j2}, history(p), shop.Inspection{Passed: true}, p.actor.UserID, t0)
			return result{string(shop.OrderQC), string(o.State), err}
		}, map[string]string{"AssignedTechnician": roleRule, "AnotherTechnician": roleRule, "Foreman": roleRule,
			"TeamLeadOnOwnJob": roleRule, "TeamLeadOnAnothersJob": roleRule, "QCWhoWorkedOnTheOrder": finalRule}},
	}
	for _, a := range actions {
		for _, p := range people {
			want := a.want[p.name]
			name := "OK" + a.name + "By" + p.name
			if want != "" {
				name = "Err" + a.name + "By" + p.name
			}
			t.Run(name, func(t *testing.T) {
				err := shop.Authorize(&p.actor, 1, a.act)
				r := result{err: err}
				if err == nil {
					r = a.run(p)
				}
				if want == "" {
					wantOK(t, r.err)
					if r.to == r.from {
						t.Fatalf("state=%v, want it changed from %v", r.to, r.from)
					}
					return
				}
				wantErr(t, r.err, shop.EFORBIDDEN, "")
				if msg := shop.ErrorMessage(r.err); !strings.Contains(msg, want) {
					t.Fatalf("message=%q, want the rule %q", msg, want)
				}
				if r.to != r.from {
					t.Fatalf("state=%v, want %v unchanged", r.to, r.from)
				}
			})
		}
	}
}

// TestReassignJob: a foreman reassigns a job; the event names the previous
// and the new technician, and from then on only the new one works it.
func TestReassignJob(t *testing.T) {
	o := order(shop.OrderInWork)
	to := shop.Dispatch{Technician: 5, TechnicianName: "吴工", PreviousName: techName, Bay: 2, BayCode: "B02"}
	other := shop.Actor{UserID: 5, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
	for _, from := range []shop.JobState{shop.JobDispatched, shop.JobPaused, shop.JobRework} {
		t.Run("OK"+string(from), func(t *testing.T) {
			j, ev, err := shop.DispatchJob(&o, *assigned(1, from), to, nil, t0)
			wantOK(t, err)
			if j.State != shop.JobDispatched || *j.TechnicianID != 5 || *j.BayID != 2 || ev.Kind != shop.EventJobDispatched {
				t.Fatalf("state=%v technician=%v, want DISPATCHED to 5", j.State, *j.TechnicianID)
			}
			if want := "Reassigned from 张工 to 吴工, bay B02"; ev.Summary != want {
				t.Fatalf("summary=%q, want %q", ev.Summary, want)
			}
			_, _, err = shop.StartJob(&o, j, tech, "吴工", t0)
			wantErr(t, err, shop.EFORBIDDEN, "")
			if want := "Only the technician the job is dispatched to (吴工) may start it; a foreman can reassign it."; shop.ErrorMessage(err) != want {
				t.Fatalf("message=%q, want %q", shop.ErrorMessage(err), want)
			}
			started, _, err := shop.StartJob(&o, j, other, "吴工", t0)
			wantOK(t, err)
			if started.State != shop.JobInProgress {
				t.Fatalf("state=%v, want %v", started.State, shop.JobInProgress)
			}
		})
	}
	t.Run("OKSameTechnicianOtherBay", func(t *testing.T) {
		_, ev, err := shop.DispatchJob(&o, *assigned(1, shop.JobDispatched), shop.Dispatch{Technician: techUser, TechnicianName: techName, PreviousName: techName, Bay: 2, BayCode: "B02"}, nil, t0)
		wantOK(t, err)
		if ev.Summary != "Dispatched to bay B02" {
			t.Fatalf("summary=%q, want the bay only", ev.Summary)
		}
	})
	t.Run("OKReassignInProgress", func(t *testing.T) {
		// The technician is away mid-job: the foreman takes it back; the
		// minutes since it last started count as worked.
		since := t0.Add(-40 * time.Minute)
		j, ev, err := shop.DispatchJob(&o, *assigned(1, shop.JobInProgress), to, &since, t0)
		wantOK(t, err)
		if j.State != shop.JobDispatched || *j.TechnicianID != 5 || j.WorkedMinutes != 40 {
			t.Fatalf("state=%v technician=%v worked=%d, want DISPATCHED to 5 with 40 minutes worked", j.State, *j.TechnicianID, j.WorkedMinutes)
		}
		if want := "Reassigned from 张工 to 吴工, bay B02"; ev.Summary != want {
			t.Fatalf("summary=%q, want %q", ev.Summary, want)
		}
	})
	t.Run("ErrReassignFinished", func(t *testing.T) {
		j, _, err := shop.DispatchJob(&o, *assigned(1, shop.JobFinished), to, nil, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
		if *j.TechnicianID != techUser {
			t.Fatalf("technician=%v, want %v unchanged", *j.TechnicianID, techUser)
		}
	})
	t.Run("ErrRetiredBay", func(t *testing.T) {
		retired := to
		retired.BayRetired = true
		j, _, err := shop.DispatchJob(&o, *jobOf(1, shop.JobWaitingDispatch), retired, nil, t0)
		wantErr(t, err, shop.EINVALID, "bayId")
		if j.State != shop.JobWaitingDispatch || j.BayID != nil {
			t.Fatalf("state=%v bay=%v, want WAITING_DISPATCH and no bay", j.State, j.BayID)
		}
	})
	t.Run("ErrWorkUndispatchedJob", func(t *testing.T) {
		_, _, err := shop.ResumeJob(&o, *jobOf(1, shop.JobPaused), tech, "", t0)
		wantErr(t, err, shop.EFORBIDDEN, "")
	})
}

// TestWhoWorkedOn: what in a job's history makes someone one who worked on
// it, for the team-lead check (that job) and the final inspection (any job
// of the order).
func TestWhoWorkedOn(t *testing.T) {
	const lead, qc = shop.UserID(4), shop.UserID(11)
	ev := func(kind shop.EventKind, job shop.JobID, by shop.UserID) *shop.Event {
		return &shop.Event{Kind: kind, JobID: ptrTo(job), ActorID: ptrTo(by)}
	}
	check := func(kind shop.CheckKind, job shop.JobID, by shop.UserID) *shop.Check {
		return &shop.Check{OrderID: 10, JobID: ptrTo(job), Kind: kind, Passed: true, CheckedBy: by}
	}
	o := order(shop.OrderInWork)
	leadActor := shop.Actor{UserID: lead, Role: shop.RoleTechnician, TeamLead: true, SiteIDs: []shop.SiteID{1}}
	teamLead := []struct {
		name string
		h    shop.History
		ok   bool
	}{
		{"OKNoHistory", shop.History{}, true},
		{"OKDispatchedIt", shop.History{Events: []*shop.Event{ev(shop.EventJobDispatched, 1, lead)}}, true},
		{"OKFailedItBefore", shop.History{Events: []*shop.Event{ev(shop.EventTeamLeadCheckRecorded, 1, lead)},
			Checks: []*shop.Check{check(shop.CheckTeamLead, 1, lead)}}, true},
		{"OKWorkedAnotherJob", shop.History{Events: []*shop.Event{ev(shop.EventJobStarted, 2, lead)},
			Checks: []*shop.Check{check(shop.CheckSelf, 2, lead)}}, true},
		{"ErrWorkedItBeforeReassignment", shop.History{Events: []*shop.Event{ev(shop.EventJobStarted, 1, lead)}}, false},
		{"ErrReportedItsProgress", shop.History{Events: []*shop.Event{ev(shop.EventJobProgress, 1, lead)}}, false},
		{"ErrSelfCheckedIt", shop.History{Checks: []*shop.Check{check(shop.CheckSelf, 1, lead)}}, false},
	}
	for _, tt := range teamLead {
		t.Run("TeamLeadCheck"+tt.name, func(t *testing.T) {
			j, _, _, err := shop.TeamLeadCheckJob(&o, *assigned(1, shop.JobSelfChecked), tt.h, leadActor, true, nil, t0)
			if tt.ok {
				wantOK(t, err)
				return
			}
			wantErr(t, err, shop.EFORBIDDEN, "")
			if j.State != shop.JobSelfChecked {
				t.Fatalf("state=%v, want %v unchanged", j.State, shop.JobSelfChecked)
			}
		})
	}
	final := []struct {
		name string
		h    shop.History
		ok   bool
	}{
		{"OKNoHistory", shop.History{}, true},
		{"OKDispatchedAJob", shop.History{Events: []*shop.Event{ev(shop.EventJobDispatched, 2, qc)}}, true},
		{"OKFoundAdditionalWork", shop.History{Events: []*shop.Event{ev(shop.EventAdditionalRequested, 2, qc)}}, true},
		{"OKFailedAnEarlierInspection", shop.History{Checks: []*shop.Check{{OrderID: 10, Kind: shop.CheckFinal, CheckedBy: qc}}}, true},
		{"ErrStartedAJob", shop.History{Events: []*shop.Event{ev(shop.EventJobStarted, 2, qc)}}, false},
		{"ErrFinishedAJob", shop.History{Events: []*shop.Event{ev(shop.EventJobFinished, 1, qc)}}, false},
		{"ErrSelfCheckedAJob", shop.History{Checks: []*shop.Check{check(shop.CheckSelf, 2, qc)}}, false},
		{"ErrTeamLeadCheckedAJob", shop.History{Checks: []*shop.Check{check(shop.CheckTeamLead, 2, qc)}}, false},
		{"ErrTeamLeadCheckEventOnly", shop.History{Events: []*shop.Event{ev(shop.EventTeamLeadCheckRecorded, 1, qc)}}, false},
	}
	for _, tt := range final {
		t.Run("FinalInspection"+tt.name, func(t *testing.T) {
			jobs := []*shop.Job{assigned(1, shop.JobDone), assigned(2, shop.JobDone)}
			got, _, _, _, err := shop.FinalInspection(order(shop.OrderQC), jobs, tt.h, shop.Inspection{Passed: true}, qc, t0)
			if tt.ok {
				wantOK(t, err)
				return
			}
			wantErr(t, err, shop.EFORBIDDEN, "")
			if got.State != shop.OrderQC {
				t.Fatalf("state=%v, want %v unchanged", got.State, shop.OrderQC)
			}
		})
	}
	t.Run("FinalInspectionErrTechnicianOfAJob", func(t *testing.T) {
		jobs := []*shop.Job{assigned(1, shop.JobDone), jobOf(2, shop.JobDone)}
		jobs[1].TechnicianID = ptrTo(qc)
		_, _, _, _, err := shop.FinalInspection(order(shop.OrderQC), jobs, shop.History{}, shop.Inspection{Passed: true}, qc, t0)
		wantErr(t, err, shop.EFORBIDDEN, "")
	})
}
