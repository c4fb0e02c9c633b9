package shop

import (
	"slices"
	"time"
)

// Stage is a lane of the workshop board (维修管理看板).
type Stage string

// Board lanes, in the order they appear.
const (
	StageWaitingDispatch Stage = "WAITING_DISPATCH"
	StageInWork          Stage = "IN_WORK"
	StageWaitingParts    Stage = "WAITING_PARTS"
	StageWaitingApproval Stage = "WAITING_APPROVAL"
	StageChecks          Stage = "CHECKS"
	StageWash            Stage = "WASH"
	StageReady           Stage = "READY"
)

// Stages lists the board lanes in display order.
var Stages = []Stage{StageWaitingDispatch, StageInWork, StageWaitingParts, StageWaitingApproval,
	StageChecks, StageWash, StageReady}

// Blocker is something that holds a car up, shown on its card.
type Blocker string

// Blockers.
const (
	BlockerApproval Blocker = "APPROVAL_PENDING"
	BlockerParts    Blocker = "WAITING_PARTS"
	BlockerQCFailed Blocker = "QC_FAILED"
)

// StageOf derives the board lane of an order from its state and jobs. ok is
// false for orders that are not on the board (not yet handed over, delivered,
// cancelled).
func StageOf(o *Order, jobs []*Job) (stage Stage, ok bool) {
	switch o.State {
	case OrderQC:
		return StageChecks, true
	case OrderWash:
		return StageWash, true
	case OrderReady, OrderSettled:
		return StageReady, true
	case OrderInWork:
	default:
		return "", false
	}
	var active, pending, parts, waiting, checking, open int
	for _, j := range jobs {
		switch j.State {
		case JobInProgress:
			active++
		case JobPendingApproval:
			pending++
		case JobPaused:
			if j.PauseReason != nil && *j.PauseReason == PauseWaitingParts || j.PartsShort {
				parts++
			}
		case JobWaitingDispatch, JobDispatched, JobRework:
			if j.PartsShort {
				parts++
			} else if j.State == JobWaitingDispatch {
				waiting++
			}
		case JobFinished, JobSelfChecked:
			checking++
		}
		if !j.State.Settled() && j.State != JobPendingApproval {
			open++
		}
	}
	switch {
	case active > 0:
		return StageInWork, true
	case parts > 0:
		return StageWaitingParts, true
	case pending > 0 && open == 0:
		return StageWaitingApproval, true
	case pending > 0 && open == waiting:
		return StageWaitingApproval, true
	case open > 0 && open == waiting:
		return StageWaitingDispatch, true
	case open > 0 && open == checking:
		return StageChecks, true
	}
	return StageInWork, true
}

// BlockersOf lists what holds an order up.
func BlockersOf(o *Order, jobs []*Job) []Blocker {
	var bs []Blocker
	var pending, parts, rework bool
	for _, j := range jobs {
		switch {
		case j.State == JobPendingApproval:
			pending = true
		case j.State == JobPaused && j.PauseReason != nil && *j.PauseReason == PauseWaitingParts:
			parts = true
		case j.State == JobRework:
			rework = true
		}
		if j.PartsShort && !j.State.Settled() && j.State != JobInProgress {
			parts = true
		}
	}
	if pending {
		bs = append(bs, BlockerApproval)
	}
	if parts {
		bs = append(bs, BlockerParts)
	}
	if rework && o.State == OrderInWork {
		bs = append(bs, BlockerQCFailed)
	}
	return bs
}

// JobsProgress returns the share of an order's billable labour that is done,
// as a percentage weighted by labour minutes.
func JobsProgress(jobs []*Job) int {
	total, done := 0, 0
	for _, j := range jobs {
		if !j.State.Billable() {
			continue
		}
		total += j.LabourMinutes
		switch j.State {
		case JobFinished, JobSelfChecked, JobDone:
			done += j.LabourMinutes
		case JobInProgress, JobPaused, JobRework:
			done += j.LabourMinutes * j.Progress / 100
		}
	}
	if total == 0 {
		return 0
	}
	return done * 100 / total
}

// RemainingMinutes returns the labour still to do on a job.
func RemainingMinutes(j *Job) int {
	switch j.State {
	case JobWaitingDispatch, JobDispatched, JobPendingApproval:
		return j.LabourMinutes
	case JobInProgress, JobPaused, JobRework:
		return j.LabourMinutes * (100 - j.Progress) / 100
	}
	return 0
}

// Workshop is what capacity planning needs to know of a site: its time
// zone and hours, its technicians and who works when.
type Workshop struct {
	Location *time.Location
	// OpensAt and ClosesAt are the default hours (minutes after local
	// midnight); Hours the weekly hours and ClosedDays the closed dates
	// (春节), as Site.HoursOn reads them.
	OpensAt    int
	ClosesAt   int
	Hours      []DayHours
	ClosedDays []ClosedDay
	// Technicians counts the site's active technicians: the crew of a day
	// the rota does not plan, on shift through its opening hours
	// (AssumedShifts), as capacity assumes.
	Technicians int
	// Rota holds the planned days by local date ("2006-01-02"): the
	// technicians' WORK shifts of every date with any rota entry (empty
	// when everyone is on leave).
	Rota map[string][]OnShift
}

// site is the workshop's hours as a Site, for HoursOn.
func (w Workshop) site() Site {
	return Site{TimeZone: w.Location.String(), OpensAt: w.OpensAt, ClosesAt: w.ClosesAt, Hours: w.Hours, ClosedDays: w.ClosedDays}
}

// shiftsOn returns who works on the local date of midnight: the rota's
// shifts when it plans the date, else the whole crew (at least one, so an
// estimate never runs forever) through the opening hours.
func (w Workshop) shiftsOn(midnight time.Time, opens, closes int) []OnShift {
	if s, ok := w.Rota[midnight.Format(time.DateOnly)]; ok {
		return s
	}
	return AssumedShifts(make([]OnShift, max(w.Technicians, 1)), opens, closes)
}

// openMinutesLeft returns the workshop minutes left on the local day of t.
func (w Workshop) openMinutesLeft(t time.Time) int {
	lt := t.In(w.Location)
	m := lt.Hour()*60 + lt.Minute()
	if m < w.OpensAt {
		m = w.OpensAt
	}
	if m >= w.ClosesAt {
		return 0
	}
	return w.ClosesAt - m
}

// FreeLabourMinutes returns the technician minutes left today (车间可用工时)
// after the remaining work of the open jobs; never negative.
func (w Workshop) FreeLabourMinutes(now time.Time, backlogMinutes int) int {
	free := w.Technicians*w.openMinutesLeft(now) - backlogMinutes
	if free < 0 {
		return 0
	}
	return free
}

// EstimateCompletion returns when a new job of jobMinutes would be done if it
// started after the backlog: the backlog is worked by everyone on shift
// (the rota's shifts of each day, or the whole crew through the opening
// hours of a day it does not plan), then the job by one technician, only
// while the site is open and someone is on shift. A closed day (春节, a
// weekday without hours) or a day with nobody on shift adds nothing: the
// work goes on the next open day.
func (w Workshop) EstimateCompletion(now time.Time, backlogMinutes, jobMinutes int) time.Time {
	site := w.site()
	loc := site.Location()
	backlog, job := time.Duration(max(backlogMinutes, 0))*time.Minute, time.Duration(max(jobMinutes, 0))*time.Minute
	t := now.In(loc)
	for i := 0; i < 3660; i++ { // at most ten years of days
		y, mo, d := t.Date()
		midnight := time.Date(y, mo, d, 0, 0, 0, 0, loc)
		if opens, closes, open := site.HoursOn(midnight); open {
			if at, done := workDay(w.shiftsOn(midnight, opens, closes), opens, closes, t.Sub(midnight), &backlog, &job); done {
				return midnight.Add(at)
			}
		}
		t = time.Date(y, mo, d+1, 0, 0, 0, 0, loc)
	}
	return t
}

// workDay works the backlog, then the job, through one day from offset from
// (since local midnight) within the opening hours, in the stretches where
// the number of technicians on shift does not change. It returns the offset
// at which the job is done, or false with what is left of both.
func workDay(shifts []OnShift, opens, closes int, from time.Duration, backlog, job *time.Duration) (time.Duration, bool) {
	minute := func(m int) time.Duration { return time.Duration(m) * time.Minute }
	start, end := max(minute(opens), from), minute(closes)
	if start >= end {
		return 0, false
	}
	cuts := []time.Duration{start, end}
	for _, s := range shifts {
		for _, c := range []time.Duration{minute(s.StartsAt), minute(s.EndsAt)} {
			if c > start && c < end {
				cuts = append(cuts, c)
			}
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		n := 0
		for _, s := range shifts {
			if minute(s.StartsAt) <= a && minute(s.EndsAt) >= b {
				n++
			}
		}
		if n == 0 {
			continue
		}
		if *backlog > 0 {
			if *backlog > time.Duration(n)*(b-a) {
				*backlog -= time.Duration(n) * (b - a)
				continue
			}
			// Whole minutes, as the backlog shared over the crew always was.
			a += (*backlog / time.Minute / time.Duration(n)) * time.Minute
			*backlog = 0
		}
		if *job <= b-a {
			return a + *job, true
		}
		*job -= b - a
	}
	return 0, false
}

// Card is an order as the wall board shows it: no customer personal data,
// a masked plate, staff by short name.
type Card struct {
	OrderID       OrderID
	SiteID        SiteID
	Number        string
	State         OrderState
	Stage         Stage
	StageSince    time.Time
	Priority      Priority
	Plate         string // masked
	Make          string
	Model         string
	Colour        string
	Advisor       string
	AdvisorID     UserID
	Technicians   []string
	Bays          []string
	PromisedAt    *time.Time
	ReadyAt       *time.Time
	NotifyBy      *time.Time
	Blockers      []Blocker
	Progress      int
	JobsDone      int
	JobsTotal     int
	ReworkCount   int
	WashRequested bool
	Jobs          []CardJob
	// Late and MinutesLate are the card's lateness when it was read (see
	// NewCard): plain values, so a list of cards is written without a
	// resolver per card.
	Late        bool
	MinutesLate int
	// DwellLimitMinutes is how long the car may stay in its lane before the
	// board flags it (DwellLimit).
	DwellLimitMinutes int
}

// CardJob is one job on a card.
type CardJob struct {
	JobID       JobID
	Description string
	State       JobState
	Technician  string
	Bay         string
	Progress    int
	Safety      bool
}

// DwellLimit returns how long a car may stay in a board lane before the
// board flags it as stuck there: long where work is expected to take long
// (in work, ready for pick-up), short where someone only has to act
// (dispatch, the customer's approval). A lane without a limit of its own
// gets two hours.
func DwellLimit(s Stage) time.Duration {
	switch s {
	case StageWaitingDispatch, StageWaitingApproval:
		return 30 * time.Minute
	case StageChecks, StageWash:
		return 45 * time.Minute
	case StageWaitingParts:
		return 2 * time.Hour
	case StageInWork, StageReady:
		return 4 * time.Hour
	}
	return 2 * time.Hour
}

// LateCount returns how many of the cards are late (the board's headline).
func LateCount(cards []*Card) int {
	n := 0
	for _, c := range cards {
		if c.Late {
			n++
		}
	}
	return n
}

// ArrivalsWindow returns the span of appointments the welcome board shows
// at now: from two hours ago (a car booked for earlier that has not come
// yet may still arrive) to the end of the site's local day.
func ArrivalsWindow(now time.Time, loc *time.Location) (from, to time.Time) {
	lt := now.In(loc)
	return now.Add(-2 * time.Hour), time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
}

// NewCard builds the board card of an order from its jobs, vehicle and the
// short names of staff and bays, with its lateness at now. ok is false when
// the order is not on the board. A card is what the wall screen shows, the
// same for every role (its plate is masked for all): the jobs' descriptions
// are scrubbed (Scrub) of personal data, with names (the customer's, the
// signer's) and the order's own signer. Returns no error.
func NewCard(o *Order, jobs []*Job, v *Vehicle, shortName func(UserID) string, bayCode func(BayID) string, now time.Time, names ...string) (*Card, bool) {
	stage, ok := StageOf(o, jobs)
	if !ok {
		return nil, false
	}
	c := &Card{OrderID: o.ID, SiteID: o.SiteID, Number: o.Number, State: o.State, Stage: stage, StageSince: o.StageSince,
		Priority: o.Priority, Advisor: shortName(o.AdvisorID), AdvisorID: o.AdvisorID, PromisedAt: o.PromisedAt,
		ReadyAt: o.ReadyAt, NotifyBy: o.NotifyBy, Blockers: BlockersOf(o, jobs), Progress: JobsProgress(jobs),
		ReworkCount: o.ReworkCount, WashRequested: o.WashRequested, Technicians: []string{}, Bays: []string{}, Jobs: []CardJob{},
		Late: o.Late(now), MinutesLate: o.MinutesLate(now), DwellLimitMinutes: int(DwellLimit(stage) / time.Minute)}
	if v != nil {
		c.Plate, c.Make, c.Model, c.Colour = MaskPlate(v.Plate), v.Make, v.Model, v.Colour
	}
	names = append(names[:len(names):len(names)], o.SignedBy)
	seenT, seenB := map[string]bool{}, map[string]bool{}
	for _, j := range jobs {
		if !j.State.Billable() && j.State != JobPendingApproval {
			continue
		}
		cj := CardJob{JobID: j.ID, Description: Scrub(j.Description, names...), State: j.State, Progress: j.Progress, Safety: j.Safety}
		if j.TechnicianID != nil {
			cj.Technician = shortName(*j.TechnicianID)
			if !seenT[cj.Technician] {
				seenT[cj.Technician] = true
				c.Technicians = append(c.Technicians, cj.Technician)
			}
		}
		if j.BayID != nil {
			cj.Bay = bayCode(*j.BayID)
			if !seenB[cj.Bay] {
				seenB[cj.Bay] = true
				c.Bays = append(c.Bays, cj.Bay)
			}
		}
		c.Jobs = append(c.Jobs, cj)
		c.JobsTotal++
		if j.State == JobDone || j.State == JobFinished || j.State == JobSelfChecked {
			c.JobsDone++
		}
	}
	if c.Blockers == nil {
		c.Blockers = []Blocker{}
	}
	return c, true
}

// Arrival is an appointment on the welcome board (欢迎看板): masked plate, no names.
type Arrival struct {
	AppointmentID AppointmentID
	ScheduledAt   time.Time
	Plate         string // masked
	Make          string
	Model         string
	Advisor       string
}
