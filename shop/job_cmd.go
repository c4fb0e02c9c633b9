package shop

import (
	"fmt"
	"time"
)

// A job's commands as decisions: each takes the job's order (locked by the
// store), the job as it is and the input, and returns the job as it must be
// saved with its event, or a typed error and nothing changed.

// step moves j by action, given its order's state, and stops its clock when
// it leaves IN_PROGRESS: the minutes since runningSince (when it last
// started or resumed) count as worked. Errors: INVALID_TRANSITION.
func step(o *Order, j Job, action JobAction, runningSince *time.Time, now time.Time) (Job, error) {
	next, err := NextJobState(o.State, j.State, action)
	if err != nil {
		return j, err
	}
	if j.State == JobInProgress && next != JobInProgress && runningSince != nil {
		j.WorkedMinutes += int(now.Sub(*runningSince) / time.Minute)
	}
	j.State = next
	return j, nil
}

// DispatchJob assigns (or reassigns) a job to a technician and a bay (bay is
// its code, for the timeline). The store checks that both exist at the site
// (CheckStaff). Errors: INVALID_TRANSITION.
func DispatchJob(o *Order, j Job, tech UserID, bay BayID, bayCode string, now time.Time) (Job, Event, error) {
	j, err := step(o, j, JobDispatch, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	j.TechnicianID, j.BayID, j.DispatchedAt = &tech, &bay, &now
	j.PauseReason, j.PauseNote = nil, ""
	return j, OrderEvent(o, EventJobDispatched, &j.ID, "Dispatched to bay "+bayCode), nil
}

// StartJob starts a dispatched job, or rework after a failed check; a job
// without a technician cannot start. Errors: INVALID_TRANSITION.
func StartJob(o *Order, j Job, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobStart, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	if j2.TechnicianID == nil {
		return j, Event{}, Errorf(EINVALIDTRANSITION, "The job has no technician; dispatch it first.")
	}
	if j2.StartedAt == nil {
		j2.StartedAt = &now
	}
	summary := "Work started"
	if j2.ReworkCount > 0 {
		summary = "Rework started"
	}
	return j2, OrderEvent(o, EventJobStarted, &j2.ID, summary), nil
}

// PauseJob pauses a job in progress, with a reason (OTHER needs a note);
// WAITING_PARTS shows the car as blocked on the board. Errors:
// INVALID_TRANSITION, INVALID (note).
func PauseJob(o *Order, j Job, reason PauseReason, note *string, runningSince *time.Time, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobPause, runningSince, now)
	if err != nil {
		return j, Event{}, err
	}
	n, err := CheckText("note", deref(note), reason == PauseOther, MaxShortText)
	if err != nil {
		return j, Event{}, err
	}
	j2.PauseReason, j2.PauseNote = &reason, n
	return j2, OrderEvent(o, EventJobPaused, &j2.ID, "Paused: "+string(reason)+" "+n), nil
}

// ResumeJob resumes a paused job. Errors: INVALID_TRANSITION.
func ResumeJob(o *Order, j Job, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobResume, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	j2.PauseReason, j2.PauseNote = nil, ""
	return j2, OrderEvent(o, EventJobResumed, &j2.ID, "Work resumed"), nil
}

// ReportJobProgress records how far a job in progress is, 0–100 %.
// Errors: INVALID_TRANSITION, INVALID (progress).
func ReportJobProgress(o *Order, j Job, progress int, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobReportProgress, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	if err := ValidProgress(progress); err != nil {
		return j, Event{}, err
	}
	j2.Progress = progress
	return j2, OrderEvent(o, EventJobProgress, &j2.ID, fmt.Sprintf("Progress %d%%", progress)), nil
}

// FinishJob marks a job's work finished (100 %); the self-check is next.
// Errors: INVALID_TRANSITION.
func FinishJob(o *Order, j Job, runningSince *time.Time, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobFinish, runningSince, now)
	if err != nil {
		return j, Event{}, err
	}
	j2.Progress, j2.FinishedAt = 100, &now
	return j2, OrderEvent(o, EventJobFinished, &j2.ID, "Work finished"), nil
}

// newCheck returns the record of a check by at now and the summary of its
// event; a failed check needs notes. Errors: INVALID (notes).
func newCheck(o *Order, job *JobID, kind CheckKind, passed bool, notes *string, by UserID, now time.Time) (Check, string, error) {
	n, err := CheckText("notes", deref(notes), !passed, MaxLongText)
	if err != nil {
		return Check{}, "", err
	}
	verdict := "passed"
	if !passed {
		verdict = "failed: " + n
	}
	return Check{SiteID: o.SiteID, OrderID: o.ID, JobID: job, Kind: kind, Passed: passed, Notes: n, CheckedBy: by, CheckedAt: now},
		fmt.Sprintf("%s check %s", kind, verdict), nil
}

// SelfCheckJob records the technician's self-check (自检) of a finished
// job: a pass sends it to the team lead, a failure (with notes) back in
// progress. It returns the job, the check to record and the event.
// Errors: INVALID_TRANSITION, INVALID (notes).
func SelfCheckJob(o *Order, j Job, passed bool, notes *string, by UserID, now time.Time) (Job, Check, Event, error) {
	action := JobSelfCheckFail
	if passed {
		action = JobSelfCheckPass
	}
	j2, err := step(o, j, action, nil, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	ch, summary, err := newCheck(o, &j2.ID, CheckSelf, passed, notes, by, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	return j2, ch, OrderEvent(o, EventSelfCheckRecorded, &j2.ID, summary), nil
}

// TeamLeadCheckJob records the team lead's check (班组长检验): a pass makes
// the job done; a failure needs notes saying what is wrong and sends the job
// back as rework (counted, progress back to 0). Errors: INVALID_TRANSITION,
// INVALID (notes).
func TeamLeadCheckJob(o *Order, j Job, passed bool, notes *string, by UserID, now time.Time) (Job, Check, Event, error) {
	action := JobTeamLeadFail
	if passed {
		action = JobTeamLeadPass
	}
	j2, err := step(o, j, action, nil, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	ch, summary, err := newCheck(o, &j2.ID, CheckTeamLead, passed, notes, by, now)
	if err != nil {
		if !passed {
			err = FieldErrorf("notes", "A failed check needs notes saying what is wrong.")
		}
		return j, Check{}, Event{}, err
	}
	if !passed {
		j2.ReworkCount++
		j2.ReworkReason = ch.Notes
		j2.Progress = 0
	}
	return j2, ch, OrderEvent(o, EventTeamLeadCheckRecorded, &j2.ID, summary), nil
}

// CheckStaff says whether a member of staff may be named in field for a
// task needing one of roles: found and active at the site (NOT_FOUND
// otherwise, as for an unknown ID) and in one of the roles (INVALID).
func CheckStaff(field string, found, active bool, role Role, roles ...Role) error {
	if !found || !active {
		return NotFoundf(field, "No active member of staff with that ID works at this site.")
	}
	for _, r := range roles {
		if role == r {
			return nil
		}
	}
	return FieldErrorf(field, "That member of staff is a %s, not a %s.", role, roles[0])
}
