package shop

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The rota (排班): who works which local day and shift, who is on leave, and
// the skills (技能) of technicians a job may need. Managed by the service
// manager and the foreman (ActDispatch); capacity (capacity.go) reads it.

// ShiftKind says whether a rota entry is a shift or leave.
type ShiftKind string

// Rota entry kinds.
const (
	ShiftWork  ShiftKind = "WORK"
	ShiftLeave ShiftKind = "LEAVE" // 请假 / 休假: not at work that day
)

// Event kinds of the rota, the appointment reminders and the follow-up
// clock (the enum lives here beside the rules that write them).
const (
	EventRotaChanged                 EventKind = "ROTA_CHANGED"
	EventSkillsSet                   EventKind = "SKILLS_SET"
	EventJobSkillSet                 EventKind = "JOB_SKILL_SET"
	EventAppointmentCapacitySet      EventKind = "APPOINTMENT_CAPACITY_SET"
	EventAppointmentReminderRecorded EventKind = "APPOINTMENT_REMINDER_RECORDED"
	EventFollowUpMissed              EventKind = "FOLLOW_UP_MISSED" // a callback or reminder task passed its window undone
)

// Shift is one user's rota entry on one local day of a site: a shift from
// StartsAt to EndsAt (minutes after local midnight) or leave.
type Shift struct {
	SiteID   SiteID
	UserID   UserID
	Day      time.Time // local day
	Kind     ShiftKind
	StartsAt *int
	EndsAt   *int
	Note     string
	SetBy    UserID
	SetAt    time.Time
}

// ShiftInput is a rota entry as the foreman sets it.
type ShiftInput struct {
	SiteID   SiteID
	UserID   UserID
	Day      time.Time
	Leave    bool
	StartsAt *int
	EndsAt   *int
	Note     string
}

// Rota limits.
const (
	MinShiftMinutes = 30
	MaxShiftMinutes = 16 * 60
	// RotaDaysAhead is how far ahead a rota may be planned.
	RotaDaysAhead = 366
)

// PlanShift decides a rota entry set by by on local day today: a shift has a
// start and an end within the day (at least 30 minutes, at most 16 hours);
// leave has neither; the day is neither past nor more than a year ahead.
// The store checks the user works at the site. Errors: INVALID naming the field.
func PlanShift(in ShiftInput, today time.Time, by UserID, now time.Time) (Shift, Event, error) {
	day := LocalDate(in.Day, time.UTC)
	if day.Before(today) {
		return Shift{}, Event{}, FieldErrorf("day", "The rota of %s is past; plan today or later.", day.Format(time.DateOnly))
	}
	if day.After(today.AddDate(0, 0, RotaDaysAhead)) {
		return Shift{}, Event{}, FieldErrorf("day", "The rota can be planned at most a year ahead.")
	}
	note, err := CheckText("note", in.Note, false, MaxShortText)
	if err != nil {
		return Shift{}, Event{}, err
	}
	s := Shift{SiteID: in.SiteID, UserID: in.UserID, Day: day, Note: note, SetBy: by, SetAt: now}
	if in.Leave {
		if in.StartsAt != nil || in.EndsAt != nil {
			return Shift{}, Event{}, FieldErrorf("startsAt", "Leave has no shift times; leave them out.")
		}
		s.Kind = ShiftLeave
		return s, rotaEvent(s), nil
	}
	switch {
	case in.StartsAt == nil:
		return Shift{}, Event{}, FieldErrorf("startsAt", "Give the shift's start (minutes after midnight).")
	case in.EndsAt == nil:
		return Shift{}, Event{}, FieldErrorf("endsAt", "Give the shift's end (minutes after midnight).")
	case *in.StartsAt < 0 || *in.StartsAt > 1440:
		return Shift{}, Event{}, FieldErrorf("startsAt", "A shift starts between 00:00 and 24:00; %d minutes is not.", *in.StartsAt)
	case *in.EndsAt < 0 || *in.EndsAt > 1440:
		return Shift{}, Event{}, FieldErrorf("endsAt", "A shift ends between 00:00 and 24:00; %d minutes is not.", *in.EndsAt)
	case *in.EndsAt-*in.StartsAt < MinShiftMinutes:
		return Shift{}, Event{}, FieldErrorf("endsAt", "A shift ends at least %d minutes after it starts.", MinShiftMinutes)
	case *in.EndsAt-*in.StartsAt > MaxShiftMinutes:
		return Shift{}, Event{}, FieldErrorf("endsAt", "A shift is at most %d hours long.", MaxShiftMinutes/60)
	}
	start, end := *in.StartsAt, *in.EndsAt
	s.Kind, s.StartsAt, s.EndsAt = ShiftWork, &start, &end
	return s, rotaEvent(s), nil
}

func rotaEvent(s Shift) Event {
	what := "on leave"
	if s.Kind == ShiftWork {
		what = "works " + ClockTime(*s.StartsAt) + "–" + ClockTime(*s.EndsAt)
	}
	return Event{SiteID: s.SiteID, Kind: EventRotaChanged, Summary: fmt.Sprintf("Rota: user %d %s on %s", s.UserID, what, s.Day.Format(time.DateOnly))}
}

// ClockTime writes minutes after midnight as HH:MM.
func ClockTime(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// MaxSkills is the most skills a technician may have.
const MaxSkills = 20

// ValidSkill checks a skill code, e.g. ELECTRICAL: an upper-case letter then
// up to 31 upper-case letters, digits or underscores. Errors: INVALID.
func ValidSkill(field, s string) error {
	ok := len(s) >= 1 && len(s) <= 32 && s[0] >= 'A' && s[0] <= 'Z'
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
	}
	if !ok {
		return FieldErrorf(field, "%q is not a skill code: use capitals, digits and _ (e.g. ELECTRICAL), at most 32.", s)
	}
	return nil
}

// SetSkills decides a technician's skills: u must be an active technician;
// the codes are trimmed, upper-cased, de-duplicated and sorted, at most 20.
// An empty list clears them. Errors: INVALID naming the field.
func SetSkills(u User, skills []string) ([]string, Event, error) {
	if u.Role != RoleTechnician {
		return nil, Event{}, FieldErrorf("userId", "Skills are a technician's; this user is %s.", u.Role)
	}
	if !u.Active {
		return nil, Event{}, FieldErrorf("userId", "This user is deactivated.")
	}
	out := make([]string, 0, len(skills))
	for _, s := range skills {
		s = strings.ToUpper(strings.TrimSpace(s))
		if err := ValidSkill("skills", s); err != nil {
			return nil, Event{}, err
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > MaxSkills {
		return nil, Event{}, FieldErrorf("skills", "A technician has at most %d skills.", MaxSkills)
	}
	slices.Sort(out)
	return out, Event{Kind: EventSkillsSet, Summary: fmt.Sprintf("Skills of user %d: %s", u.ID, strings.Join(out, ", "))}, nil
}

// SetJobSkill decides the skill job j needs (nil: none). Only a job not yet
// finished may change it: the work it describes is still to do.
// Errors: INVALID, INVALID_TRANSITION.
func SetJobSkill(j Job, o *Order, skill *string) (*string, Event, error) {
	switch j.State {
	case JobWaitingDispatch, JobDispatched, JobInProgress, JobPaused, JobRework, JobPendingApproval:
	default:
		return nil, Event{}, Errorf(EINVALIDTRANSITION, "The job is %s; only work still to do can need a skill.", j.State)
	}
	var out *string
	summary := "No particular skill needed"
	if skill != nil && strings.TrimSpace(*skill) != "" {
		s := strings.ToUpper(strings.TrimSpace(*skill))
		if err := ValidSkill("skill", s); err != nil {
			return nil, Event{}, err
		}
		out, summary = &s, "Needs skill "+s
	}
	id := j.ID
	return out, OrderEvent(o, EventJobSkillSet, &id, summary), nil
}

// MaxRotaDays is the longest span of rota one question reads.
const MaxRotaDays = 62

// ValidRotaRange checks the local days [from, to] of a rota question: to
// not before from, at most MaxRotaDays. Errors: INVALID on to.
func ValidRotaRange(from, to time.Time) error {
	if to.Before(from) {
		return FieldErrorf("to", "The last day comes before the first.")
	}
	if DaysBetween(from, to) >= MaxRotaDays {
		return FieldErrorf("to", "Ask for at most %d days of rota at a time.", MaxRotaDays)
	}
	return nil
}
