package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestJobCommands(t *testing.T) {
	inWork, qc := order(shop.OrderInWork), order(shop.OrderQC)
	tech := shop.UserID(3)
	dispatched := func() shop.Job {
		j := *jobOf(1, shop.JobDispatched)
		j.TechnicianID = &tech
		return j
	}
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
			return shop.DispatchJob(o, j, tech, 4, "B1", t0)
		}, shop.JobDispatched, shop.EventJobDispatched, "", ""},
		{"OKStart", inWork, dispatched(), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, t0)
		}, shop.JobInProgress, shop.EventJobStarted, "", ""},
		{"ErrStartWithoutTechnician", inWork, *jobOf(1, shop.JobRework), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, t0)
		}, "", "", shop.EINVALIDTRANSITION, ""},
		{"ErrStartInQC", qc, dispatched(), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.StartJob(o, j, t0)
		}, "", "", shop.EINVALIDTRANSITION, ""},
		{"OKPause", inWork, *jobOf(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.PauseJob(o, j, shop.PauseWaitingParts, nil, running, t0)
		}, shop.JobPaused, shop.EventJobPaused, "", ""},
		{"ErrPauseOtherWithoutNote", inWork, *jobOf(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.PauseJob(o, j, shop.PauseOther, nil, running, t0)
		}, "", "", shop.EINVALID, "note"},
		{"OKResume", inWork, *jobOf(1, shop.JobPaused), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ResumeJob(o, j, t0)
		}, shop.JobInProgress, shop.EventJobResumed, "", ""},
		{"OKProgress", inWork, *jobOf(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ReportJobProgress(o, j, 60, t0)
		}, shop.JobInProgress, shop.EventJobProgress, "", ""},
		{"ErrProgressOver100", inWork, *jobOf(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.ReportJobProgress(o, j, 101, t0)
		}, "", "", shop.EINVALID, "progress"},
		{"OKFinish", inWork, *jobOf(1, shop.JobInProgress), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.FinishJob(o, j, running, t0)
		}, shop.JobFinished, shop.EventJobFinished, "", ""},
		{"ErrFinishPaused", inWork, *jobOf(1, shop.JobPaused), func(o *shop.Order, j shop.Job) (shop.Job, shop.Event, error) {
			return shop.FinishJob(o, j, nil, t0)
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
	j := *jobOf(1, shop.JobInProgress)
	j.WorkedMinutes = 10
	t.Run("OK", func(t *testing.T) {
		p, _, err := shop.PauseJob(&o, j, shop.PauseBreak, nil, since, t0)
		wantOK(t, err)
		if p.WorkedMinutes != 35 {
			t.Fatalf("worked=%v, want %v", p.WorkedMinutes, 35)
		}
		f, _, err := shop.FinishJob(&o, j, since, t0)
		wantOK(t, err)
		if f.WorkedMinutes != 35 || f.Progress != 100 || !f.FinishedAt.Equal(t0) {
			t.Fatalf("worked=%v progress=%v, want %v 100", f.WorkedMinutes, f.Progress, 35)
		}
		r, _, err := shop.ReportJobProgress(&o, j, 50, t0)
		wantOK(t, err)
		if r.WorkedMinutes != 10 {
			t.Fatalf("worked=%v, want %v (still running)", r.WorkedMinutes, 10)
		}
	})
}

func TestJobChecks(t *testing.T) {
	o := order(shop.OrderInWork)
	t.Run("OK", func(t *testing.T) {
		j, ch, ev, err := shop.SelfCheckJob(&o, *jobOf(1, shop.JobFinished), true, nil, 3, t0)
		wantOK(t, err)
		if j.State != shop.JobSelfChecked || ch.Kind != shop.CheckSelf || !ch.Passed || ev.Summary != "SELF check passed" {
			t.Fatalf("state=%v summary=%q, want %v", j.State, ev.Summary, shop.JobSelfChecked)
		}
		j, ch, _, err = shop.TeamLeadCheckJob(&o, *jobOf(1, shop.JobSelfChecked), true, nil, 4, t0)
		wantOK(t, err)
		if j.State != shop.JobDone || ch.Kind != shop.CheckTeamLead || j.ReworkCount != 0 {
			t.Fatalf("state=%v, want %v", j.State, shop.JobDone)
		}
	})
	t.Run("OKSelfCheckFailed", func(t *testing.T) {
		j, ch, _, err := shop.SelfCheckJob(&o, *jobOf(1, shop.JobFinished), false, ptrTo("螺丝未紧"), 3, t0)
		wantOK(t, err)
		if j.State != shop.JobInProgress || ch.Passed || ch.Notes != "螺丝未紧" || j.ReworkCount != 0 {
			t.Fatalf("state=%v rework=%d, want %v without rework", j.State, j.ReworkCount, shop.JobInProgress)
		}
	})
	t.Run("OKTeamLeadFailedIsRework", func(t *testing.T) {
		in := *jobOf(1, shop.JobSelfChecked)
		in.Progress = 100
		j, _, ev, err := shop.TeamLeadCheckJob(&o, in, false, ptrTo("刹车片装反"), 4, t0)
		wantOK(t, err)
		if j.State != shop.JobRework || j.ReworkCount != 1 || j.ReworkReason != "刹车片装反" || j.Progress != 0 {
			t.Fatalf("state=%v rework=%d progress=%d, want REWORK 1 0", j.State, j.ReworkCount, j.Progress)
		}
		if ev.Summary != "TEAM_LEAD check failed: 刹车片装反" {
			t.Fatalf("summary=%q, want the notes", ev.Summary)
		}
	})
	t.Run("ErrSelfCheckFailedWithoutNotes", func(t *testing.T) {
		_, _, _, err := shop.SelfCheckJob(&o, *jobOf(1, shop.JobFinished), false, nil, 3, t0)
		wantErr(t, err, shop.EINVALID, "notes")
	})
	t.Run("ErrTeamLeadFailedWithoutNotes", func(t *testing.T) {
		j, _, _, err := shop.TeamLeadCheckJob(&o, *jobOf(1, shop.JobSelfChecked), false, ptrTo(" "), 4, t0)
		wantErr(t, err, shop.EINVALID, "notes")
		if shop.ErrorMessage(err) != "A failed check needs notes saying what is wrong." || j.ReworkCount != 0 {
			t.Fatalf("message=%q rework=%d, want the notes message and no rework", shop.ErrorMessage(err), j.ReworkCount)
		}
	})
	t.Run("ErrTeamLeadBeforeSelfCheck", func(t *testing.T) {
		_, _, _, err := shop.TeamLeadCheckJob(&o, *jobOf(1, shop.JobFinished), true, nil, 4, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}
