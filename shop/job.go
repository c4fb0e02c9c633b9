package shop

import "time"

// JobState is where one job (a labour line of a repair order) stands.
type JobState string

// A job's states.
const (
	JobPendingApproval JobState = "PENDING_APPROVAL" // additional work waiting for the customer's answer
	JobDeclined        JobState = "DECLINED"         // additional work the customer refused
	JobWaitingDispatch JobState = "WAITING_DISPATCH" // agreed, not yet given to a technician
	JobDispatched      JobState = "DISPATCHED"       // assigned to a technician and bay, not started
	JobInProgress      JobState = "IN_PROGRESS"
	JobPaused          JobState = "PAUSED"
	JobFinished        JobState = "FINISHED"     // technician done, self-check (自检) due
	JobSelfChecked     JobState = "SELF_CHECKED" // team-lead check (班组长检验) due
	JobDone            JobState = "DONE"         // team lead passed it
	JobRework          JobState = "REWORK"       // sent back by a failed check (返工)
	JobCancelled       JobState = "CANCELLED"
)

// JobStates lists every job state.
var JobStates = []JobState{JobPendingApproval, JobDeclined, JobWaitingDispatch, JobDispatched,
	JobInProgress, JobPaused, JobFinished, JobSelfChecked, JobDone, JobRework, JobCancelled}

// JobAction is something that moves a job.
type JobAction string

// Actions on a job.
const (
	JobApprove        JobAction = "APPROVE"
	JobDecline        JobAction = "DECLINE"
	JobDispatch       JobAction = "DISPATCH"
	JobStart          JobAction = "START"
	JobPause          JobAction = "PAUSE"
	JobResume         JobAction = "RESUME"
	JobFinish         JobAction = "FINISH"
	JobReportProgress JobAction = "REPORT_PROGRESS"
	JobSelfCheckPass  JobAction = "SELF_CHECK_PASS"
	JobSelfCheckFail  JobAction = "SELF_CHECK_FAIL"
	JobTeamLeadPass   JobAction = "TEAM_LEAD_PASS"
	JobTeamLeadFail   JobAction = "TEAM_LEAD_FAIL"
	JobSendBack       JobAction = "SEND_BACK" // final inspection failed on this job
	JobCancel         JobAction = "CANCEL"
)

// jobMachine is the job state machine. Every job action also needs its order
// IN_WORK, except SEND_BACK, which needs it in QC (see NextJobState).
var jobMachine = map[JobState]map[JobAction]JobState{
	JobPendingApproval: {JobApprove: JobWaitingDispatch, JobDecline: JobDeclined},
	JobWaitingDispatch: {JobDispatch: JobDispatched, JobCancel: JobCancelled},
	JobDispatched:      {JobDispatch: JobDispatched, JobStart: JobInProgress, JobCancel: JobCancelled},
	JobInProgress:      {JobPause: JobPaused, JobFinish: JobFinished, JobReportProgress: JobInProgress, JobDispatch: JobDispatched},
	JobPaused:          {JobResume: JobInProgress, JobDispatch: JobDispatched},
	JobFinished:        {JobSelfCheckPass: JobSelfChecked, JobSelfCheckFail: JobInProgress},
	JobSelfChecked:     {JobTeamLeadPass: JobDone, JobTeamLeadFail: JobRework},
	JobDone:            {JobSendBack: JobRework},
	JobRework:          {JobStart: JobInProgress, JobDispatch: JobDispatched},
}

// jobOrderState says in which order state a job action may happen.
func jobOrderState(a JobAction) OrderState {
	if a == JobSendBack {
		return OrderQC
	}
	return OrderInWork
}

// NextJobState returns the state action leads a job to, given its order's
// state, or INVALID_TRANSITION naming the current state and the action.
func NextJobState(order OrderState, state JobState, action JobAction) (JobState, error) {
	next, ok := jobMachine[state][action]
	if !ok {
		return state, Errorf(EINVALIDTRANSITION, "The job is %s; it cannot %s now.", state.Describe(), action.Describe())
	}
	if want := jobOrderState(action); order != want {
		return state, Errorf(EINVALIDTRANSITION, "The repair order is %s; a job can %s only while it is %s.", order.Describe(), action.Describe(), want.Describe())
	}
	return next, nil
}

// Describe returns a readable phrase for the state.
func (s JobState) Describe() string {
	switch s {
	case JobPendingApproval:
		return "waiting for the customer's approval (PENDING_APPROVAL)"
	case JobDeclined:
		return "declined by the customer (DECLINED)"
	case JobWaitingDispatch:
		return "waiting for dispatch (WAITING_DISPATCH)"
	case JobDispatched:
		return "dispatched and not started (DISPATCHED)"
	case JobInProgress:
		return "in progress (IN_PROGRESS)"
	case JobPaused:
		return "paused (PAUSED)"
	case JobFinished:
		return "finished and waiting for self-check (FINISHED)"
	case JobSelfChecked:
		return "self-checked and waiting for the team lead's check (SELF_CHECKED)"
	case JobDone:
		return "done (DONE)"
	case JobRework:
		return "sent back for rework (REWORK)"
	case JobCancelled:
		return "cancelled (CANCELLED)"
	}
	return string(s)
}

// Describe returns a readable verb phrase for the action.
func (a JobAction) Describe() string {
	switch a {
	case JobApprove:
		return "be approved (APPROVE)"
	case JobDecline:
		return "be declined (DECLINE)"
	case JobDispatch:
		return "be dispatched (DISPATCH)"
	case JobStart:
		return "be started (START)"
	case JobPause:
		return "be paused (PAUSE)"
	case JobResume:
		return "be resumed (RESUME)"
	case JobFinish:
		return "be finished (FINISH)"
	case JobReportProgress:
		return "report progress (REPORT_PROGRESS)"
	case JobSelfCheckPass, JobSelfCheckFail:
		return "be self-checked (SELF_CHECK)"
	case JobTeamLeadPass, JobTeamLeadFail:
		return "be checked by the team lead (TEAM_LEAD_CHECK)"
	case JobSendBack:
		return "be sent back for rework (SEND_BACK)"
	case JobCancel:
		return "be cancelled (CANCEL)"
	}
	return string(a)
}

// Settled reports whether the job needs no more work: done, declined or cancelled.
func (s JobState) Settled() bool {
	return s == JobDone || s == JobDeclined || s == JobCancelled
}

// Billable reports whether the job's labour and parts are charged.
func (s JobState) Billable() bool {
	return s != JobDeclined && s != JobCancelled && s != JobPendingApproval
}

// PauseReason says why a job stopped.
type PauseReason string

// Pause reasons.
const (
	PauseWaitingParts PauseReason = "WAITING_PARTS"
	PauseBreak        PauseReason = "BREAK"
	PauseOtherJob     PauseReason = "OTHER_JOB"
	PauseOther        PauseReason = "OTHER"
)

// Job is one labour line of a repair order (维修项目).
type Job struct {
	ID          JobID
	SiteID      SiteID
	OrderID     OrderID
	Description string
	State       JobState
	// LabourMinutes is the estimated (sold) labour time (工时).
	LabourMinutes int
	LabourPrice   Money
	Payer         Payer
	Additional    bool
	Safety        bool
	TechnicianID  *UserID
	BayID         *BayID
	Progress      int
	PauseReason   *PauseReason
	PauseNote     string
	ReworkCount   int
	ReworkReason  string
	DispatchedAt  *time.Time
	StartedAt     *time.Time
	FinishedAt    *time.Time
	// WorkedMinutes sums the time in progress over every start/resume.
	WorkedMinutes int
	// PartsShort marks a job with a reservation stock could not cover: it
	// waits for parts (shown on the board) until received stock fills it.
	PartsShort bool
	// RequiredSkill is the skill (技能) the job needs, e.g. ELECTRICAL; nil
	// when any technician may do it (set by SetJobSkill).
	RequiredSkill *string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ValidProgress checks a progress report: a whole percent from 0 to 100.
func ValidProgress(p int) error {
	if p < 0 || p > 100 {
		return FieldErrorf("progress", "Progress is a percentage from 0 to 100; %d is outside it.", p)
	}
	return nil
}

// ReadyForQC reports whether an order's jobs allow final inspection: no job
// outstanding, at least one job done.
func ReadyForQC(jobs []*Job) bool {
	done := 0
	for _, j := range jobs {
		if !j.State.Settled() {
			return false
		}
		if j.State == JobDone {
			done++
		}
	}
	return done > 0
}
