package shop_test

import (
	"slices"
	"strings"
	"testing"

	"bayboard/shop"
)

// allJobActions lists every job action; the package exports no such list.
var allJobActions = []shop.JobAction{
	shop.JobApprove, shop.JobDecline, shop.JobDispatch, shop.JobStart, shop.JobPause, shop.JobResume,
	shop.JobFinish, shop.JobReportProgress, shop.JobSelfCheckPass, shop.JobSelfCheckFail,
	shop.JobTeamLeadPass, shop.JobTeamLeadFail, shop.JobSendBack, shop.JobCancel,
}

// wantJobMachine is a job's life (DOMAIN.md steps 5–9) written out by hand.
// Every pair not listed here must be refused, whatever the order's state.
var wantJobMachine = map[shop.JobState]map[shop.JobAction]shop.JobState{
	shop.JobPendingApproval: {
		shop.JobApprove: shop.JobWaitingDispatch,
		shop.JobDecline: shop.JobDeclined,
	},
	shop.JobWaitingDispatch: {
		shop.JobDispatch: shop.JobDispatched,
		shop.JobCancel:   shop.JobCancelled,
	},
	shop.JobDispatched: {
		shop.JobDispatch: shop.JobDispatched, // re-dispatch to another technician or bay
		shop.JobStart:    shop.JobInProgress,
		shop.JobCancel:   shop.JobCancelled,
	},
	shop.JobInProgress: {
		shop.JobPause:          shop.JobPaused,
		shop.JobFinish:         shop.JobFinished,
		shop.JobReportProgress: shop.JobInProgress,
		shop.JobDispatch:       shop.JobDispatched, // the foreman takes it from an absent technician
	},
	shop.JobPaused: {
		shop.JobResume:   shop.JobInProgress,
		shop.JobDispatch: shop.JobDispatched,
	},
	shop.JobFinished: {
		shop.JobSelfCheckPass: shop.JobSelfChecked,
		shop.JobSelfCheckFail: shop.JobInProgress,
	},
	shop.JobSelfChecked: {
		shop.JobTeamLeadPass: shop.JobDone,
		shop.JobTeamLeadFail: shop.JobRework,
	},
	shop.JobDone: {shop.JobSendBack: shop.JobRework},
	shop.JobRework: {
		shop.JobStart:    shop.JobInProgress,
		shop.JobDispatch: shop.JobDispatched,
	},
	// DECLINED and CANCELLED are final.
}

// wantJobOrderState is the order state each job action needs: the final
// inspection sends a job back while the order is in QC; everything else,
// including the customer's answer to additional work, happens IN_WORK.
var wantJobOrderState = map[shop.JobAction]shop.OrderState{
	shop.JobApprove:        shop.OrderInWork,
	shop.JobDecline:        shop.OrderInWork,
	shop.JobDispatch:       shop.OrderInWork,
	shop.JobStart:          shop.OrderInWork,
	shop.JobPause:          shop.OrderInWork,
	shop.JobResume:         shop.OrderInWork,
	shop.JobFinish:         shop.OrderInWork,
	shop.JobReportProgress: shop.OrderInWork,
	shop.JobSelfCheckPass:  shop.OrderInWork,
	shop.JobSelfCheckFail:  shop.OrderInWork,
	shop.JobTeamLeadPass:   shop.OrderInWork,
	shop.JobTeamLeadFail:   shop.OrderInWork,
	shop.JobSendBack:       shop.OrderQC,
	shop.JobCancel:         shop.OrderInWork,
}

// jobActionName is the name an error message gives an action: a check is
// named as the check, whatever its outcome.
func jobActionName(a shop.JobAction) string {
	switch a {
	case shop.JobSelfCheckPass, shop.JobSelfCheckFail:
		return "SELF_CHECK"
	case shop.JobTeamLeadPass, shop.JobTeamLeadFail:
		return "TEAM_LEAD_CHECK"
	}
	return string(a)
}

func TestJobStates(t *testing.T) {
	want := []shop.JobState{"PENDING_APPROVAL", "DECLINED", "WAITING_DISPATCH", "DISPATCHED", "IN_PROGRESS",
		"PAUSED", "FINISHED", "SELF_CHECKED", "DONE", "REWORK", "CANCELLED"}
	if !slices.Equal(shop.JobStates, want) {
		t.Fatalf("JobStates=%v, want %v", shop.JobStates, want)
	}
}

func TestNextJobState(t *testing.T) {
	if len(wantJobOrderState) != len(allJobActions) {
		t.Fatalf("order states for %d actions, want %d", len(wantJobOrderState), len(allJobActions))
	}
	legal := 0
	for _, order := range shop.OrderStates {
		for _, s := range shop.JobStates {
			for _, a := range allJobActions {
				next, inMachine := wantJobMachine[s][a]
				orderOK := order == wantJobOrderState[a]
				name := string(order) + "/" + string(s) + "/" + string(a)
				switch {
				case inMachine && orderOK:
					legal++
					t.Run("OK/"+name, func(t *testing.T) {
						got, err := shop.NextJobState(order, s, a)
						if err != nil {
							t.Fatalf("err=%v, want nil", err)
						}
						if got != next {
							t.Fatalf("state=%v, want %v", got, next)
						}
					})
				case !inMachine:
					// The job's own state refuses the action: the message names it.
					t.Run("ErrInvalidTransition/"+name, func(t *testing.T) {
						got, err := shop.NextJobState(order, s, a)
						if code := shop.ErrorCode(err); code != shop.EINVALIDTRANSITION {
							t.Fatalf("code=%q, want %q (err=%v)", code, shop.EINVALIDTRANSITION, err)
						}
						if got != s {
							t.Fatalf("state=%v, want unchanged %v", got, s)
						}
						msg := shop.ErrorMessage(err)
						for _, n := range []string{string(s), jobActionName(a)} {
							if !strings.Contains(msg, "("+n+")") {
								t.Fatalf("message=%q, want it to name %s", msg, n)
							}
						}
					})
				default:
					// Legal for the job, but not while the order is in this state.
					t.Run("ErrOrderState/"+name, func(t *testing.T) {
						got, err := shop.NextJobState(order, s, a)
						if code := shop.ErrorCode(err); code != shop.EINVALIDTRANSITION {
							t.Fatalf("code=%q, want %q (err=%v)", code, shop.EINVALIDTRANSITION, err)
						}
						if got != s {
							t.Fatalf("state=%v, want unchanged %v", got, s)
						}
						msg := shop.ErrorMessage(err)
						for _, n := range []string{string(order), jobActionName(a), string(wantJobOrderState[a])} {
							if !strings.Contains(msg, "("+n+")") {
								t.Fatalf("message=%q, want it to name %s", msg, n)
							}
						}
					})
				}
			}
		}
	}
	if want := 20; legal != want {
		t.Fatalf("legal triples=%d, want %d", legal, want)
	}
}

// TestNextJobState_OrderState spells out the order-state rule on the cases
// people ask about.
func TestNextJobState_OrderState(t *testing.T) {
	for _, tt := range []struct {
		name   string
		order  shop.OrderState
		state  shop.JobState
		action shop.JobAction
		want   shop.JobState
		code   string
	}{
		{"OK/StartInWork", shop.OrderInWork, shop.JobDispatched, shop.JobStart, shop.JobInProgress, ""},
		{"OK/ApproveInWork", shop.OrderInWork, shop.JobPendingApproval, shop.JobApprove, shop.JobWaitingDispatch, ""},
		{"OK/SendBackInQC", shop.OrderQC, shop.JobDone, shop.JobSendBack, shop.JobRework, ""},
		{"ErrStartBeforeHandOver", shop.OrderSigned, shop.JobDispatched, shop.JobStart, shop.JobDispatched, shop.EINVALIDTRANSITION},
		{"ErrDispatchDraft", shop.OrderDraft, shop.JobWaitingDispatch, shop.JobDispatch, shop.JobWaitingDispatch, shop.EINVALIDTRANSITION},
		{"ErrFinishInQC", shop.OrderQC, shop.JobInProgress, shop.JobFinish, shop.JobInProgress, shop.EINVALIDTRANSITION},
		{"ErrApproveAfterSettle", shop.OrderSettled, shop.JobPendingApproval, shop.JobApprove, shop.JobPendingApproval, shop.EINVALIDTRANSITION},
		{"ErrCancelDelivered", shop.OrderDelivered, shop.JobWaitingDispatch, shop.JobCancel, shop.JobWaitingDispatch, shop.EINVALIDTRANSITION},
		{"ErrSendBackInWork", shop.OrderInWork, shop.JobDone, shop.JobSendBack, shop.JobDone, shop.EINVALIDTRANSITION},
		{"ErrSendBackReady", shop.OrderReady, shop.JobDone, shop.JobSendBack, shop.JobDone, shop.EINVALIDTRANSITION},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shop.NextJobState(tt.order, tt.state, tt.action)
			if code := shop.ErrorCode(err); code != tt.code {
				t.Fatalf("code=%q, want %q (err=%v)", code, tt.code, err)
			}
			if got != tt.want {
				t.Fatalf("state=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestJobState_SettledBillable(t *testing.T) {
	for _, tt := range []struct {
		state             shop.JobState
		settled, billable bool
	}{
		{shop.JobPendingApproval, false, false},
		{shop.JobDeclined, true, false},
		{shop.JobWaitingDispatch, false, true},
		{shop.JobDispatched, false, true},
		{shop.JobInProgress, false, true},
		{shop.JobPaused, false, true},
		{shop.JobFinished, false, true},
		{shop.JobSelfChecked, false, true},
		{shop.JobDone, true, true},
		{shop.JobRework, false, true},
		{shop.JobCancelled, true, false},
	} {
		t.Run(string(tt.state), func(t *testing.T) {
			if got := tt.state.Settled(); got != tt.settled {
				t.Fatalf("settled=%v, want %v", got, tt.settled)
			}
			if got := tt.state.Billable(); got != tt.billable {
				t.Fatalf("billable=%v, want %v", got, tt.billable)
			}
		})
	}
}

func TestValidProgress(t *testing.T) {
	for _, p := range []int{0, 1, 50, 99, 100} {
		if err := shop.ValidProgress(p); err != nil {
			t.Fatalf("ValidProgress(%d)=%v, want nil", p, err)
		}
	}
	for _, p := range []int{-1, 101, -100, 1000} {
		err := shop.ValidProgress(p)
		if code := shop.ErrorCode(err); code != shop.EINVALID {
			t.Fatalf("ValidProgress(%d) code=%q, want %q", p, code, shop.EINVALID)
		}
		if f := shop.ErrorField(err); f != "progress" {
			t.Fatalf("field=%q, want progress", f)
		}
	}
}

func jobsIn(states ...shop.JobState) []*shop.Job {
	jobs := make([]*shop.Job, len(states))
	for i, s := range states {
		jobs[i] = &shop.Job{ID: shop.JobID(i + 1), State: s}
	}
	return jobs
}

func TestReadyForQC(t *testing.T) {
	for _, tt := range []struct {
		name string
		jobs []*shop.Job
		want bool
	}{
		{"NoJobs", nil, false},
		{"OneDone", jobsIn(shop.JobDone), true},
		{"DoneDeclinedCancelled", jobsIn(shop.JobDone, shop.JobDeclined, shop.JobCancelled), true},
		{"OnlyDeclined", jobsIn(shop.JobDeclined), false},
		{"OnlyCancelled", jobsIn(shop.JobCancelled, shop.JobDeclined), false},
		{"TeamLeadCheckDue", jobsIn(shop.JobDone, shop.JobSelfChecked), false},
		{"SelfCheckDue", jobsIn(shop.JobDone, shop.JobFinished), false},
		{"Rework", jobsIn(shop.JobDone, shop.JobRework), false},
		{"ApprovalPending", jobsIn(shop.JobDone, shop.JobPendingApproval), false},
		{"InProgress", jobsIn(shop.JobInProgress, shop.JobDone), false},
		{"Paused", jobsIn(shop.JobDone, shop.JobPaused), false},
		{"WaitingDispatch", jobsIn(shop.JobWaitingDispatch, shop.JobDone), false},
		{"Dispatched", jobsIn(shop.JobDispatched, shop.JobDone), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.ReadyForQC(tt.jobs); got != tt.want {
				t.Fatalf("ready=%v, want %v", got, tt.want)
			}
		})
	}
}
