package shop

import (
	"fmt"
	"slices"
	"time"
)

// Capacity (车间可用工时) is real: the minutes the technicians on shift today
// still have within the opening hours, less the work already booked and the
// appointments still expected today, in total and per skill a job needs.

// OnShift is a technician at work on the day: their shift (minutes after
// local midnight) and skills.
type OnShift struct {
	UserID   UserID
	StartsAt int
	EndsAt   int
	Skills   []string
}

// BookedWork is labour still to do on an open job, and the skill it needs ("" none).
type BookedWork struct {
	Minutes int
	Skill   string
}

// SkillCapacity is the capacity of one skill: the technicians with it on
// shift, their minutes left, the booked work needing it, and what is free.
type SkillCapacity struct {
	Skill         string
	Technicians   int
	ShiftMinutes  int
	BookedMinutes int
	FreeMinutes   int
}

// WorkshopCapacity is a site's capacity at a moment of its day.
type WorkshopCapacity struct {
	// RotaKnown is false when nobody has a rota entry that day: every active
	// technician is then assumed to work the opening hours, and the caller
	// says so (a site that never set up a rota still gets a figure).
	RotaKnown          bool
	Technicians        int // on shift (or, without a rota, active)
	ShiftMinutes       int // their minutes left within the opening hours
	BookedMinutes      int
	AppointmentMinutes int
	FreeMinutes        int // never negative
	BySkill            []SkillCapacity
}

// MinuteOfDay returns the minutes after local midnight of t in loc.
func MinuteOfDay(t time.Time, loc *time.Location) int {
	lt := t.In(loc)
	return lt.Hour()*60 + lt.Minute()
}

// minutesLeft returns the part of [start, end) within [opens, closes) and after minute now.
func minutesLeft(start, end, opens, closes, now int) int {
	from := max(start, opens, now)
	to := min(end, closes)
	return max(to-from, 0)
}

// ComputeCapacity returns the capacity at minute now of the local day (see
// MinuteOfDay) of a site open from opens to closes (minutes after local
// midnight; the caller passes the day's hours, so per-weekday hours plug in
// without changing this rule). shifts are the technicians at work today;
// booked the remaining minutes of open jobs; appointmentMinutes the labour
// the appointments still expected today bring. Free is shift minutes less
// booked work less appointments, never negative; per skill it is the
// minutes of the technicians with that skill less the booked work needing it.
func ComputeCapacity(opens, closes, now int, rotaKnown bool, shifts []OnShift, booked []BookedWork, appointmentMinutes int) WorkshopCapacity {
	c := WorkshopCapacity{RotaKnown: rotaKnown, Technicians: len(shifts), AppointmentMinutes: appointmentMinutes}
	skills := map[string]*SkillCapacity{}
	skill := func(s string) *SkillCapacity {
		if skills[s] == nil {
			skills[s] = &SkillCapacity{Skill: s}
		}
		return skills[s]
	}
	for _, s := range shifts {
		left := minutesLeft(s.StartsAt, s.EndsAt, opens, closes, now)
		c.ShiftMinutes += left
		for _, k := range s.Skills {
			sc := skill(k)
			sc.Technicians++
			sc.ShiftMinutes += left
		}
	}
	for _, b := range booked {
		c.BookedMinutes += b.Minutes
		if b.Skill != "" {
			skill(b.Skill).BookedMinutes += b.Minutes
		}
	}
	c.FreeMinutes = max(c.ShiftMinutes-c.BookedMinutes-c.AppointmentMinutes, 0)
	for _, sc := range skills {
		sc.FreeMinutes = max(sc.ShiftMinutes-sc.BookedMinutes, 0)
		c.BySkill = append(c.BySkill, *sc)
	}
	slices.SortFunc(c.BySkill, func(a, b SkillCapacity) int {
		if a.Skill < b.Skill {
			return -1
		} else if a.Skill > b.Skill {
			return 1
		}
		return 0
	})
	return c
}

// AssumedShifts returns the shifts assumed when a day has no rota: every
// active technician works the opening hours.
func AssumedShifts(technicians []OnShift, opens, closes int) []OnShift {
	out := make([]OnShift, len(technicians))
	for i, t := range technicians {
		t.StartsAt, t.EndsAt = opens, closes
		out[i] = t
	}
	return out
}

// AppointmentCapacity is a site's appointment capacity: appointments are
// booked into slots of SlotMinutes (local time, from midnight), at most
// PerSlot in one slot, and each is expected to bring ExpectedMinutes of labour.
type AppointmentCapacity struct {
	SlotMinutes     int
	PerSlot         int
	ExpectedMinutes int
}

// DefaultAppointmentCapacity applies to a site that has not set its own:
// hourly slots of 4 appointments of an hour's work each.
var DefaultAppointmentCapacity = AppointmentCapacity{SlotMinutes: 60, PerSlot: 4, ExpectedMinutes: 60}

// SlotLengths are the slot lengths a site may choose (they divide a day).
var SlotLengths = []int{15, 20, 30, 60, 120, 240}

// ValidAppointmentCapacity checks a site's appointment capacity.
// Errors: INVALID naming the field.
func ValidAppointmentCapacity(c AppointmentCapacity) error {
	if !slices.Contains(SlotLengths, c.SlotMinutes) {
		return FieldErrorf("slotMinutes", "A slot is 15, 20, 30, 60, 120 or 240 minutes long; %d is not.", c.SlotMinutes)
	}
	if c.PerSlot < 1 || c.PerSlot > 100 {
		return FieldErrorf("perSlot", "A slot takes 1 to 100 appointments; %d is not.", c.PerSlot)
	}
	if c.ExpectedMinutes < 1 || c.ExpectedMinutes > 1440 {
		return FieldErrorf("expectedMinutes", "An appointment brings 1 to 1440 minutes of work; %d is not.", c.ExpectedMinutes)
	}
	return nil
}

// SetAppointmentCapacity decides a change of site's appointment capacity.
// Slots already overbooked by a smaller capacity keep their appointments;
// only new bookings are refused. Errors: INVALID naming the field.
func SetAppointmentCapacity(site SiteID, c AppointmentCapacity) (AppointmentCapacity, Event, error) {
	if err := ValidAppointmentCapacity(c); err != nil {
		return c, Event{}, err
	}
	return c, Event{SiteID: site, Kind: EventAppointmentCapacitySet,
		Summary: fmt.Sprintf("Appointment capacity: %d per %d-minute slot, %d minutes of work each", c.PerSlot, c.SlotMinutes, c.ExpectedMinutes)}, nil
}

// AppointmentSlot returns the slot [from, to) of at: slots start at local
// midnight in loc and are c.SlotMinutes long (a slot across a daylight-saving
// change is as long as the wall clock says).
func AppointmentSlot(at time.Time, loc *time.Location, c AppointmentCapacity) (from, to time.Time) {
	lt := at.In(loc)
	m := (lt.Hour()*60 + lt.Minute()) / c.SlotMinutes * c.SlotMinutes
	y, mo, d := lt.Date()
	from = time.Date(y, mo, d, m/60, m%60, 0, 0, loc)
	end := m + c.SlotMinutes
	to = time.Date(y, mo, d, end/60, end%60, 0, 0, loc)
	return from, to
}

// TakeSlot decides whether an appointment at at may take a place in its
// slot, which already holds booked appointments (BOOKED ones only: a
// cancelled or no-show appointment frees its place). The site must be open
// then: a closed day (春节) or a time outside the day's hours is refused.
// Errors: INVALID on scheduledAt, naming the hours or the slot and its
// capacity.
func TakeSlot(at time.Time, site Site, c AppointmentCapacity, booked int) error {
	loc := site.Location()
	opens, closes, open := site.HoursOn(at)
	lt := at.In(loc)
	if !open {
		return FieldErrorf("scheduledAt", "The workshop is closed on %s; choose another day.", lt.Format(time.DateOnly))
	}
	if m := lt.Hour()*60 + lt.Minute(); m < opens || m >= closes {
		return FieldErrorf("scheduledAt", "%s is outside the workshop's hours that day (%s–%s).", lt.Format("15:04"), clock(opens), clock(closes))
	}
	if booked < c.PerSlot {
		return nil
	}
	from, to := AppointmentSlot(at, loc, c)
	return FieldErrorf("scheduledAt", "The slot %s %s–%s is full (%d of %d appointments booked); choose another time.",
		from.Format(time.DateOnly), from.Format("15:04"), to.Format("15:04"), booked, c.PerSlot)
}

// AppointmentReminderState is where the day-before reminder of an appointment stands.
type AppointmentReminderState string

// Appointment reminder states.
const (
	AppointmentReminderDue       AppointmentReminderState = "DUE"
	AppointmentReminderDone      AppointmentReminderState = "DONE"
	AppointmentReminderMissed    AppointmentReminderState = "MISSED"    // the appointment's day came first
	AppointmentReminderCancelled AppointmentReminderState = "CANCELLED" // the appointment was cancelled
)

// AppointmentReminder is the advisor's task the day before an appointment:
// remind the customer (预约提醒).
type AppointmentReminder struct {
	ID            int64
	SiteID        SiteID
	AppointmentID AppointmentID
	AdvisorID     *UserID
	DueOn         time.Time // local day
	State         AppointmentReminderState
	DoneAt        *time.Time
	DoneBy        *UserID
	Outcome       string
	CreatedAt     time.Time
}

// PlanAppointmentReminder returns the reminder task of appointment ap booked
// at now (site time zone loc): due the local day before it. ok is false when
// that day is already past, e.g. an appointment for today: nobody reminds a
// customer of what they booked this morning.
func PlanAppointmentReminder(ap *Appointment, loc *time.Location, now time.Time) (r AppointmentReminder, ok bool) {
	due := LocalDate(ap.ScheduledAt, loc).AddDate(0, 0, -1)
	if due.Before(LocalDate(now, loc)) {
		return r, false
	}
	return AppointmentReminder{SiteID: ap.SiteID, AppointmentID: ap.ID, AdvisorID: ap.AdvisorID, DueOn: due,
		State: AppointmentReminderDue, CreatedAt: now}, true
}

// RecordAppointmentReminder marks the reminder done with its outcome
// (required). Errors: INVALID_TRANSITION (not due any more), INVALID.
func RecordAppointmentReminder(r AppointmentReminder, outcome string, by UserID, now time.Time) (AppointmentReminder, Event, error) {
	if r.State != AppointmentReminderDue {
		return r, Event{}, Errorf(EINVALIDTRANSITION, "The appointment reminder is %s; only a DUE reminder can be recorded (RECORD).", r.State)
	}
	out, err := CheckText("outcome", outcome, true, MaxLongText)
	if err != nil {
		return r, Event{}, err
	}
	r.State, r.DoneAt, r.DoneBy, r.Outcome = AppointmentReminderDone, &now, &by, out
	return r, Event{SiteID: r.SiteID, Kind: EventAppointmentReminderRecorded, AdvisorID: r.AdvisorID,
		Summary: "Appointment reminder done"}, nil
}

// ExpireAppointmentReminder is the clock's decision on a due reminder at
// local day today: CANCELLED when its appointment is no longer booked,
// MISSED once the appointment's day has come. ok is false when it stays due.
func ExpireAppointmentReminder(r AppointmentReminder, apState AppointmentState, today time.Time, now time.Time) (_ AppointmentReminder, ok bool) {
	if r.State != AppointmentReminderDue {
		return r, false
	}
	switch {
	case apState != AppointmentBooked:
		r.State = AppointmentReminderCancelled
	case today.After(r.DueOn):
		r.State = AppointmentReminderMissed
	default:
		return r, false
	}
	r.DoneAt = &now
	return r, true
}
