package shop

import (
	"fmt"
	"time"
)

// A job's commands as decisions: each takes the job's order (locked by the
// store), the job as it is, who sends the command and the input, and returns
// the job as it must be saved with its event, or a typed error and nothing
// changed.
//
// Nobody works another's job: only the technician a job is dispatched to
// starts, pauses, resumes, reports, finishes and self-checks it (a foreman
// reassigns it by dispatching it again); the team-lead check is never done
// by anyone who worked on the job, and the final inspection never by anyone
// who worked on the order (see History). Each refusal is FORBIDDEN and
// names the rule.

// mayWork returns FORBIDDEN unless by is the technician j is dispatched to;
// tech is that technician's name and what says what was refused ("start
// it"), both for the message.
func mayWork(j Job, by Actor, tech, what string) error {
	if j.TechnicianID != nil && *j.TechnicianID == by.UserID {
		return nil
	}
	if j.TechnicianID == nil {
		return Errorf(EFORBIDDEN, "The job is dispatched to nobody; only the technician it is dispatched to may %s, so a foreman must dispatch it first.", what)
	}
	if tech != "" {
		tech = " (" + tech + ")"
	}
	return Errorf(EFORBIDDEN, "Only the technician the job is dispatched to%s may %s; a foreman can reassign it.", tech, what)
}

// History is what was done to a repair order's jobs so far, as the rules of
// who may check them need it: the events of its jobs (their kind, job and
// actor) and the checks recorded. Earlier technicians of a reassigned job
// are in it as the actors of the events of their work.
type History struct {
	Events []*Event
	Checks []*Check
}

// workKinds are the job events whose actor worked on the job: the work
// itself and its self-check. Dispatching a job is not working on it.
var workKinds = map[EventKind]bool{EventJobStarted: true, EventJobPaused: true, EventJobResumed: true,
	EventJobProgress: true, EventJobFinished: true, EventSelfCheckRecorded: true}

// workedOn returns who worked on the jobs that of selects: the technicians
// they are dispatched to, the actors of their work events, whoever recorded
// their self-checks and, with teamLead, their team-lead checks too.
func (h History) workedOn(jobs []*Job, of func(JobID) bool, teamLead bool) map[UserID]bool {
	who := map[UserID]bool{}
	for _, j := range jobs {
		if of(j.ID) && j.TechnicianID != nil {
			who[*j.TechnicianID] = true
		}
	}
	for _, e := range h.Events {
		if e.JobID == nil || e.ActorID == nil || !of(*e.JobID) {
			continue
		}
		if workKinds[e.Kind] || (teamLead && e.Kind == EventTeamLeadCheckRecorded) {
			who[*e.ActorID] = true
		}
	}
	for _, c := range h.Checks {
		if c.JobID == nil || !of(*c.JobID) {
			continue
		}
		if c.Kind == CheckSelf || (teamLead && c.Kind == CheckTeamLead) {
			who[c.CheckedBy] = true
		}
	}
	return who
}

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

// Dispatch names who a job goes to and where, by name for the timeline:
// the technician (and the one it had, when it is reassigned) and the bay.
type Dispatch struct {
	Technician UserID
	// TechnicianName is the new technician's name; PreviousName the name of
	// the technician the job had, "" when it had none.
	TechnicianName, PreviousName string
	Bay                          BayID
	BayCode                      string
	// BayRetired is true for a bay taken out of use (updateBay active: false).
	BayRetired bool
}

// DispatchJob assigns a job to a technician and a bay, or reassigns it
// (waiting to start, paused or sent back for rework): the event of a
// reassignment names the previous and the new technician, and from then on
// only the new one may work the job. The store checks that both exist at
// the site (CheckStaff). A retired bay takes no work. Errors:
// INVALID_TRANSITION, INVALID on bayId.
func DispatchJob(o *Order, j Job, to Dispatch, runningSince *time.Time, now time.Time) (Job, Event, error) {
	if to.BayRetired {
		return j, Event{}, FieldErrorf("bayId", "Bay %s is retired and takes no work; choose another bay.", to.BayCode)
	}
	prev := j.TechnicianID
	j, err := step(o, j, JobDispatch, runningSince, now)
	if err != nil {
		return j, Event{}, err
	}
	tech, bay := to.Technician, to.Bay
	j.TechnicianID, j.BayID, j.DispatchedAt = &tech, &bay, &now
	j.PauseReason, j.PauseNote = nil, ""
	summary := "Dispatched to bay " + to.BayCode
	if prev != nil && *prev != tech {
		summary = fmt.Sprintf("Reassigned from %s to %s, bay %s", staffName(to.PreviousName, *prev), staffName(to.TechnicianName, tech), to.BayCode)
	}
	return j, OrderEvent(o, EventJobDispatched, &j.ID, summary), nil
}

// staffName returns name, or the user's number when the name is unknown.
func staffName(name string, id UserID) string {
	if name != "" {
		return name
	}
	return fmt.Sprintf("user %d", id)
}

// StartJob starts a dispatched job, or rework after a failed check; a job
// without a technician cannot start, and only its technician (tech is
// their name) may start it. Errors: INVALID_TRANSITION, FORBIDDEN.
func StartJob(o *Order, j Job, by Actor, tech string, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobStart, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	if j2.TechnicianID == nil {
		return j, Event{}, Errorf(EINVALIDTRANSITION, "The job has no technician; dispatch it first.")
	}
	if err := mayWork(j, by, tech, "start it"); err != nil {
		return j, Event{}, err
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
// WAITING_PARTS shows the car as blocked on the board. Only its technician
// (tech is their name) may pause it. Errors: INVALID_TRANSITION, FORBIDDEN,
// INVALID (note).
func PauseJob(o *Order, j Job, by Actor, tech string, reason PauseReason, note *string, runningSince *time.Time, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobPause, runningSince, now)
	if err != nil {
		return j, Event{}, err
	}
	if err := mayWork(j, by, tech, "pause it"); err != nil {
		return j, Event{}, err
	}
	n, err := CheckText("note", deref(note), reason == PauseOther, MaxShortText)
	if err != nil {
		return j, Event{}, err
	}
	j2.PauseReason, j2.PauseNote = &reason, n
	return j2, OrderEvent(o, EventJobPaused, &j2.ID, "Paused: "+string(reason)+" "+n), nil
}

// ResumeJob resumes a paused job; only its technician (tech is their name)
// may. Errors: INVALID_TRANSITION, FORBIDDEN.
func ResumeJob(o *Order, j Job, by Actor, tech string, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobResume, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	if err := mayWork(j, by, tech, "resume it"); err != nil {
		return j, Event{}, err
	}
	j2.PauseReason, j2.PauseNote = nil, ""
	return j2, OrderEvent(o, EventJobResumed, &j2.ID, "Work resumed"), nil
}

// ReportJobProgress records how far a job in progress is, 0–100 %, as
// its technician (tech is their name) reports it. Errors:
// INVALID_TRANSITION, FORBIDDEN, INVALID (progress).
func ReportJobProgress(o *Order, j Job, by Actor, tech string, progress int, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobReportProgress, nil, now)
	if err != nil {
		return j, Event{}, err
	}
	if err := mayWork(j, by, tech, "report its progress"); err != nil {
		return j, Event{}, err
	}
	if err := ValidProgress(progress); err != nil {
		return j, Event{}, err
	}
	j2.Progress = progress
	return j2, OrderEvent(o, EventJobProgress, &j2.ID, fmt.Sprintf("Progress %d%%", progress)), nil
}

// FinishJob marks a job's work finished (100 %); the self-check is next.
// Only its technician (tech is their name) may. Errors: INVALID_TRANSITION,
// FORBIDDEN.
func FinishJob(o *Order, j Job, by Actor, tech string, runningSince *time.Time, now time.Time) (Job, Event, error) {
	j2, err := step(o, j, JobFinish, runningSince, now)
	if err != nil {
		return j, Event{}, err
	}
	if err := mayWork(j, by, tech, "finish it"); err != nil {
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
// progress. Only the technician the job is dispatched to (tech is their
// name) records it. It returns the job, the check to record and the event.
// Errors: INVALID_TRANSITION, FORBIDDEN, INVALID (notes).
func SelfCheckJob(o *Order, j Job, by Actor, tech string, passed bool, notes *string, now time.Time) (Job, Check, Event, error) {
	action := JobSelfCheckFail
	if passed {
		action = JobSelfCheckPass
	}
	j2, err := step(o, j, action, nil, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	if err := mayWork(j, by, tech, "record its self-check"); err != nil {
		return j, Check{}, Event{}, err
	}
	ch, summary, err := newCheck(o, &j2.ID, CheckSelf, passed, notes, by.UserID, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	return j2, ch, OrderEvent(o, EventSelfCheckRecorded, &j2.ID, summary), nil
}

// TeamLeadCheckJob records the team lead's check (班组长检验): a pass makes
// the job done; a failure needs notes saying what is wrong and sends the job
// back as rework (counted, progress back to 0). Nobody checks their own
// work: whoever worked on the job (its technician, now or before a
// reassignment, and whoever self-checked it; see History) is refused.
// Errors: INVALID_TRANSITION, FORBIDDEN, INVALID (notes).
func TeamLeadCheckJob(o *Order, j Job, h History, by Actor, passed bool, notes *string, now time.Time) (Job, Check, Event, error) {
	action := JobTeamLeadFail
	if passed {
		action = JobTeamLeadPass
	}
	j2, err := step(o, j, action, nil, now)
	if err != nil {
		return j, Check{}, Event{}, err
	}
	if h.workedOn([]*Job{&j}, func(id JobID) bool { return id == j.ID }, false)[by.UserID] {
		return j, Check{}, Event{}, Errorf(EFORBIDDEN,
			"The team-lead check is never done by anyone who worked on the job, and you did; another team lead or a foreman must check it.")
	}
	ch, summary, err := newCheck(o, &j2.ID, CheckTeamLead, passed, notes, by.UserID, now)
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
