package shop

import "time"

// PlanKind is the kind of a planned service.
type PlanKind string

// Service plan kinds.
const (
	PlanFirstService PlanKind = "FIRST_SERVICE" // a new car's first service (首保)
	PlanRoutine      PlanKind = "ROUTINE"       // routine maintenance (定期保养)
)

// PlanState is where a service plan stands.
type PlanState string

// Service plan states.
const (
	PlanOpen      PlanState = "OPEN"
	PlanDone      PlanState = "DONE"
	PlanCancelled PlanState = "CANCELLED"
)

// Channel is how a reminder reaches the customer.
type Channel string

// Reminder channels.
const (
	ChannelLetter  Channel = "LETTER"
	ChannelMessage Channel = "MESSAGE"
	ChannelCall    Channel = "CALL"
)

// ServicePlan is a vehicle's next service, by date and mileage.
type ServicePlan struct {
	ID         ServicePlanID
	SiteID     SiteID
	VehicleID  VehicleID
	Kind       PlanKind
	DueOn      time.Time // local day
	DueMileage *int
	State      PlanState
	CreatedBy  UserID
	CreatedAt  time.Time
}

// Reminder is one reminder task of a plan: send or call on a day.
type Reminder struct {
	ID      ReminderID
	SiteID  SiteID
	PlanID  ServicePlanID
	Step    int
	Channel Channel
	DueOn   time.Time // local day
	DoneAt  *time.Time
	DoneBy  *UserID
	Outcome string
	// MissedAt is when the clock closed the task undone: its plan's service
	// day passed first (see MissReminders).
	MissedAt *time.Time
}

// ReminderStep is one step of a reminder schedule.
type ReminderStep struct {
	DaysBefore int
	Channel    Channel
}

// ReminderSchedule returns the steps for a kind of plan (DOMAIN.md step 16):
// a first service gets a letter 4 weeks, a message 2 weeks and a call 1 week
// before; routine service a letter 2 weeks, a message 1 week and a call 3 days before.
func ReminderSchedule(k PlanKind) []ReminderStep {
	if k == PlanFirstService {
		return []ReminderStep{{28, ChannelLetter}, {14, ChannelMessage}, {7, ChannelCall}}
	}
	return []ReminderStep{{14, ChannelLetter}, {7, ChannelMessage}, {3, ChannelCall}}
}

// ReminderLeadDays is how many days before its service day a plan's first
// reminder comes, the longest of ReminderSchedule's leads: plans further
// away have nothing due yet.
func ReminderLeadDays() int {
	n := 0
	for _, k := range []PlanKind{PlanFirstService, PlanRoutine} {
		for _, s := range ReminderSchedule(k) {
			n = max(n, s.DaysBefore)
		}
	}
	return n
}

// PlanReminders returns the reminder tasks of a plan, step 1 first.
func PlanReminders(p *ServicePlan) []*Reminder {
	steps := ReminderSchedule(p.Kind)
	out := make([]*Reminder, len(steps))
	for i, s := range steps {
		out[i] = &Reminder{SiteID: p.SiteID, PlanID: p.ID, Step: i + 1, Channel: s.Channel, DueOn: p.DueOn.AddDate(0, 0, -s.DaysBefore)}
	}
	return out
}

// RemindersDue returns the reminder tasks to do on local day today: of each
// plan, the latest step whose day has come, if it is not done. An earlier
// step overtaken by a later one is not sent any more (a letter 4 weeks ahead
// makes no sense a week before), and nothing is due after the service day.
func RemindersDue(rs []*Reminder, planDue map[ServicePlanID]time.Time, today time.Time) []*Reminder {
	latest := map[ServicePlanID]*Reminder{}
	for _, r := range rs {
		if r.DueOn.After(today) {
			continue
		}
		if d, ok := planDue[r.PlanID]; ok && today.After(d) {
			continue
		}
		if cur := latest[r.PlanID]; cur == nil || r.Step > cur.Step {
			latest[r.PlanID] = r
		}
	}
	var out []*Reminder
	for _, r := range rs {
		if latest[r.PlanID] == r && r.DoneAt == nil && r.MissedAt == nil {
			out = append(out, r)
		}
	}
	return out
}

// ValidPlanDue checks a plan's due day against today: not in the past.
func ValidPlanDue(due, today time.Time) error {
	if due.Before(today) {
		return FieldErrorf("dueOn", "The service date %s is in the past.", due.Format(time.DateOnly))
	}
	return nil
}

// InvitationMonths is how long a customer may stay away before being invited back.
const InvitationMonths = 3

// InvitationCutoff returns the instant before which a last visit makes a
// customer due for an invitation on local day today in loc: a visit on the
// same day 3 months earlier (clamped to that month's end) or before counts,
// so the cutoff is the start of the local day after it.
func InvitationCutoff(today time.Time, loc *time.Location) time.Time {
	y, m, d := today.Date()
	first := time.Date(y, m-InvitationMonths, 1, 0, 0, 0, 0, loc)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d+1, 0, 0, 0, 0, loc)
}
