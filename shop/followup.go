package shop

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The follow-up commands after delivery: callbacks (回访), complaints (投诉),
// service plans and their reminders (招揽). Each is a decision: it takes the
// records the store loaded and locked, the actor, the input and now, and
// returns the changed records and the events, or a typed error. The store
// saves what it returns in one transaction.

// IsMobile reports whether phone is a mainland mobile number (11 digits
// starting with 1, "+86" allowed in front): only a mobile can get a text
// message when the customer cannot be reached; anyone else gets a letter.
func IsMobile(phone string) bool {
	p := strings.TrimPrefix(phone, "+86")
	return len(p) == 11 && p[0] == '1'
}

// withField returns err naming field, when it is an *Error: a shared check
// names a bare field ("mileage") the command's input calls otherwise.
func withField(err error, field string) error {
	var e *Error
	if err == nil || !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field = field
	return &c
}

// eventOnOrder builds an event tied to order o (nil: the site only) and, for
// the advisor's feed, its visit and advisor. No personal data.
func eventOnOrder(site SiteID, o *Order, kind EventKind, job *JobID, summary string) Event {
	ev := Event{SiteID: site, Kind: kind, JobID: job, Summary: summary}
	if o != nil {
		id, visit, advisor := o.ID, o.VisitID, o.AdvisorID
		ev.SiteID, ev.OrderID, ev.VisitID, ev.AdvisorID = o.SiteID, &id, &visit, &advisor
	}
	return ev
}

// CallbackSchedule is what a delivery plans: the order's two callbacks and,
// when the next service date was told and is not past, the routine service
// plan (its reminders come from PlanReminders once it has an ID).
type CallbackSchedule struct {
	Callbacks [2]Callback
	Event     Event
	// Plan is nil when no next service was told or its day is past. The
	// store drops it, and PlanEvent, when another order of the visit planned
	// the same service already.
	Plan      *ServicePlan
	PlanEvent Event
}

// ScheduleCallbacks decides the follow-up of order o delivered at now to
// customer (vehicle) at site s: the first callback FirstCallbackDays local
// days later, the second 7 days after it; and the routine service plan on
// nextService unless that day is past. It returns no error: a delivery
// never fails on its follow-up.
func ScheduleCallbacks(o *Order, s *Site, customer CustomerID, vehicle VehicleID, nextService *time.Time, nextKm *int,
	by UserID, now time.Time) CallbackSchedule {
	loc := s.Location()
	first := FirstCallbackDue(now, loc, s.FirstCallbackDays)
	second := first.AddDate(0, 0, SecondCallbackDays)
	out := CallbackSchedule{}
	for i, due := range []time.Time{first, second} {
		out.Callbacks[i] = Callback{SiteID: o.SiteID, OrderID: o.ID, CustomerID: customer, AdvisorID: o.AdvisorID,
			Seq: i + 1, DueOn: due, State: CallbackDue, Version: 1, CreatedAt: now}
	}
	out.Event = eventOnOrder(o.SiteID, o, EventCallbacksScheduled, nil,
		"Callbacks scheduled: first on "+first.Format(time.DateOnly)+", second within 7 days of it")
	if nextService == nil {
		return out
	}
	due := LocalDate(*nextService, time.UTC)
	if due.Before(LocalDate(now, loc)) {
		return out // a date already past plans nothing; the visit still records it
	}
	out.Plan = &ServicePlan{SiteID: o.SiteID, VehicleID: vehicle, Kind: PlanRoutine, DueOn: due, DueMileage: nextKm,
		State: PlanOpen, CreatedBy: by, CreatedAt: now}
	out.PlanEvent = servicePlanned(out.Plan)
	return out
}

// CallbackTry is one try of a callback as the caller records it.
type CallbackTry struct {
	Reached      bool
	Satisfaction *int
	Remarks      string
	// Problem flags a problem the customer raised: it becomes a complaint
	// owned by the caller (first-contact responsibility, 首问责任制).
	Problem            bool
	ProblemDescription string
	PromisedAnswerAt   *time.Time
}

// CallbackRecorded is what recording a try changes.
type CallbackRecorded struct {
	Callback Callback
	// SecondDueOn is the second callback's new local day when this try
	// finished the first one: 7 days after the first was finished, not after
	// its due day.
	SecondDueOn *time.Time
	// Complaint is the complaint the try opened, if the customer raised a problem.
	Complaint *Complaint
	Events    []Event
}

// RecordCallback decides one try of callback cb on order o at site s by
// actor by: whether by may make it (not the customer's own advisor where the
// site forbids it), the outcome (Callback.RecordAttempt: an unreachable
// customer gets a message on a mobile phone, else a letter), the second
// callback's new day and the complaint a problem opens. phone is the
// customer's number. Errors: FORBIDDEN, INVALID, INVALID_TRANSITION.
func RecordCallback(cb Callback, o *Order, s *Site, phone string, try CallbackTry, by *Actor, now time.Time) (CallbackRecorded, error) {
	out := CallbackRecorded{}
	if err := MayMakeCallback(s.CallbackSettings(), by.UserID, cb.AdvisorID); err != nil {
		return out, err
	}
	remarks, err := CheckText("remarks", try.Remarks, false, MaxLongText)
	if err != nil {
		return out, err
	}
	loc := s.Location()
	if err := cb.RecordAttempt(CallbackOutcome{Reached: try.Reached, Satisfaction: try.Satisfaction, Remarks: remarks,
		Problem: try.Problem, HasMobile: IsMobile(phone)}, by.UserID, now, loc); err != nil {
		return out, err
	}
	if cb.Seq == 1 && cb.State != CallbackDue {
		second := SecondCallbackDue(now, loc)
		out.SecondDueOn = &second
	}
	var summary string
	switch cb.State {
	case CallbackDone:
		summary = fmt.Sprintf("Callback %d: reached, satisfaction %d/5", cb.Seq, *cb.Satisfaction)
	case CallbackUnreachable:
		summary = fmt.Sprintf("Callback %d: unreachable after %d tries; send a %s", cb.Seq, cb.Attempts, strings.ToLower(string(*cb.Fallback)))
	default:
		summary = fmt.Sprintf("Callback %d: not reached (try %d)", cb.Seq, cb.Attempts)
	}
	out.Callback = cb
	out.Events = append(out.Events, eventOnOrder(o.SiteID, o, EventCallbackRecorded, nil, summary))
	if !try.Problem {
		return out, nil
	}
	desc, err := CheckText("problemDescription", try.ProblemDescription, true, MaxLongText)
	if err != nil {
		return out, err
	}
	id := cb.ID
	k, ev, err := newComplaint(o.SiteID, cb.CustomerID, o, &id, desc, try.PromisedAnswerAt, by, now)
	if err != nil {
		return out, err
	}
	out.Complaint = &k
	out.Events = append(out.Events, ev)
	return out, nil
}

// ComplaintInput is a complaint as the person who takes it records it.
type ComplaintInput struct {
	SiteID           SiteID
	CustomerID       CustomerID
	OrderID          *OrderID
	Description      string
	PromisedAnswerAt *time.Time
}

// OpenComplaint decides a complaint taken by by. o is the repair order it
// names, loaded only when it is this customer's (nil otherwise). The answer
// is promised within a day unless the taker promised a time (not past,
// within the two days before escalation). Errors: NOT_FOUND (the order is
// not this customer's), INVALID.
func OpenComplaint(in ComplaintInput, o *Order, by *Actor, now time.Time) (Complaint, Event, error) {
	if in.OrderID != nil && (o == nil || o.ID != *in.OrderID) {
		return Complaint{}, Event{}, &Error{Code: ENOTFOUND, Field: "orderId", Message: "That repair order is not this customer's."}
	}
	desc, err := CheckText("description", in.Description, true, MaxLongText)
	if err != nil {
		return Complaint{}, Event{}, err
	}
	return newComplaint(in.SiteID, in.CustomerID, o, nil, desc, in.PromisedAnswerAt, by, now)
}

func newComplaint(site SiteID, customer CustomerID, o *Order, cb *CallbackID, desc string, promised *time.Time,
	by *Actor, now time.Time) (Complaint, Event, error) {
	at := now.Add(24 * time.Hour)
	if promised != nil {
		if err := CheckPromisedAnswer(*promised, now); err != nil {
			return Complaint{}, Event{}, err
		}
		at = promised.UTC()
	}
	k := Complaint{SiteID: site, CustomerID: customer, CallbackID: cb, OwnerID: by.UserID, Description: desc,
		State: ComplaintOpen, PromisedAnswerAt: at, OpenedAt: now, Version: 1}
	if o != nil {
		id := o.ID
		k.OrderID = &id
	}
	return k, eventOnOrder(site, o, EventComplaintOpened, nil, "Complaint opened; answer promised by "+at.Format(time.RFC3339)), nil
}

// EscalateComplaint hands complaint k (of order o, nil when it names none)
// to the site's supervisor (nil when the site has none yet).
// Errors: INVALID_TRANSITION.
func EscalateComplaint(k Complaint, o *Order, supervisor *UserID, now time.Time) (Complaint, Event, error) {
	var err error
	if k.State, err = NextComplaintState(k.State, ComplaintEscalate); err != nil {
		return k, Event{}, err
	}
	k.EscalatedAt, k.SupervisorID = &now, supervisor
	return k, eventOnOrder(k.SiteID, o, EventComplaintEscalated, nil, "Complaint escalated to the supervisor"), nil
}

// EscalateLateComplaint is the clock's decision on complaint k: still with
// its owner two days after it was opened, it goes to the supervisor. ok is
// false when nothing is to be done.
func EscalateLateComplaint(k Complaint, o *Order, supervisor *UserID, now time.Time) (_ Complaint, _ Event, ok bool) {
	if !k.NeedsEscalation(now) {
		return k, Event{}, false
	}
	k.State, k.EscalatedAt, k.SupervisorID = ComplaintEscalated, &now, supervisor
	return k, eventOnOrder(k.SiteID, o, EventComplaintEscalated, nil, "Complaint unsolved after two days: escalated to the supervisor"), true
}

// CloseComplaint records the resolution of complaint k by by; the
// satisfaction check is due a week later (local day in loc). Only the
// owner, the supervisor it went to, a service manager or an admin may close
// it. Errors: INVALID_TRANSITION, FORBIDDEN, INVALID.
func CloseComplaint(k Complaint, o *Order, by *Actor, resolution string, loc *time.Location, now time.Time) (Complaint, Event, error) {
	var err error
	if k.State, err = NextComplaintState(k.State, ComplaintClose); err != nil {
		return k, Event{}, err
	}
	if by.UserID != k.OwnerID && (k.SupervisorID == nil || *k.SupervisorID != by.UserID) &&
		by.Role != RoleServiceManager && by.Role != RoleAdmin {
		return k, Event{}, Errorf(EFORBIDDEN, "The complaint belongs to whoever took it first (首问责任制) or the supervisor it went to; they close it.")
	}
	res, err := CheckText("resolution", resolution, true, MaxLongText)
	if err != nil {
		return k, Event{}, err
	}
	due := ComplaintCheckDue(now, loc)
	user := by.UserID
	k.Resolution, k.ClosedAt, k.ClosedBy, k.CheckDueOn = res, &now, &user, &due
	return k, eventOnOrder(k.SiteID, o, EventComplaintClosed, nil, "Complaint closed; satisfaction check on "+due.Format(time.DateOnly)), nil
}

// CheckComplaintSatisfaction records the check a week after closing
// (satisfied is required): satisfied closes complaint k for good; not
// satisfied reopens it with the supervisor. Not before the check's local
// day (in loc). Errors: INVALID, INVALID_TRANSITION.
func CheckComplaintSatisfaction(k Complaint, o *Order, satisfied *bool, supervisor *UserID, loc *time.Location, now time.Time) (Complaint, Event, error) {
	if satisfied == nil {
		return k, Event{}, FieldErrorf("satisfied", "Say whether the customer is satisfied.")
	}
	act := ComplaintCheckFailed
	if *satisfied {
		act = ComplaintCheckOK
	}
	var err error
	if k.State, err = NextComplaintState(k.State, act); err != nil {
		return k, Event{}, err
	}
	if k.CheckDueOn != nil && LocalDate(now, loc).Before(*k.CheckDueOn) {
		return k, Event{}, Errorf(EINVALIDTRANSITION, "The satisfaction check is due on %s, a week after closing; it cannot be recorded before (CHECK).", k.CheckDueOn.Format(time.DateOnly))
	}
	ok := *satisfied
	k.CheckedAt, k.Satisfied = &now, &ok
	if ok {
		return k, eventOnOrder(k.SiteID, o, EventComplaintChecked, nil, "Complaint checked: the customer is satisfied"), nil
	}
	k.ClosedAt, k.ClosedBy, k.CheckDueOn = nil, nil, nil
	k.EscalatedAt, k.SupervisorID = &now, supervisor
	return k, eventOnOrder(k.SiteID, o, EventComplaintEscalated, nil,
		"Complaint checked: the customer is still not satisfied; escalated to the supervisor"), nil
}

// CallbackDueNow reports whether callback cb's day has come at now, in the
// site's time zone loc: the callback staff are told once, when it does.
func CallbackDueNow(cb *Callback, now time.Time, loc *time.Location) bool {
	return cb.State == CallbackDue && !cb.DueOn.After(LocalDate(now, loc))
}

// CallbackDueEvent is the clock's event when callback cb's day comes (once
// per callback; the store remembers it told).
func CallbackDueEvent(cb *Callback, visit VisitID) Event {
	order, advisor := cb.OrderID, cb.AdvisorID
	return Event{SiteID: cb.SiteID, Kind: EventCallbackDue, OrderID: &order, VisitID: &visit, AdvisorID: &advisor,
		Summary: fmt.Sprintf("Callback %d due on %s", cb.Seq, cb.DueOn.Format(time.DateOnly))}
}

// PlanInput plans a vehicle's next service by date and mileage.
type PlanInput struct {
	SiteID     SiteID
	VehicleID  VehicleID
	Kind       PlanKind
	DueOn      time.Time
	DueMileage *int
}

// PlanService decides a service plan on local day today: the day not past
// and the mileage plausible. The store adds the reminders (PlanReminders)
// once the plan has its ID, and answers ErrServicePlanned when the vehicle
// has a plan of that kind that day already. Errors: INVALID.
func PlanService(in PlanInput, today time.Time, by UserID, now time.Time) (ServicePlan, Event, error) {
	due := LocalDate(in.DueOn, time.UTC)
	if err := ValidPlanDue(due, today); err != nil {
		return ServicePlan{}, Event{}, err
	}
	if in.DueMileage != nil {
		if err := ValidMileage(*in.DueMileage); err != nil {
			return ServicePlan{}, Event{}, withField(err, "dueMileage")
		}
	}
	p := ServicePlan{SiteID: in.SiteID, VehicleID: in.VehicleID, Kind: in.Kind, DueOn: due, DueMileage: in.DueMileage,
		State: PlanOpen, CreatedBy: by, CreatedAt: now}
	return p, servicePlanned(&p), nil
}

// ErrServicePlanned is the CONFLICT of a second plan of the same kind for a
// vehicle on the same day (the database's unique key decides, so two
// requests at once cannot both plan it).
func ErrServicePlanned() error {
	return &Error{Code: ECONFLICT, Field: "dueOn", Message: "This vehicle already has that service planned on that day."}
}

func servicePlanned(p *ServicePlan) Event {
	return Event{SiteID: p.SiteID, Kind: EventServicePlanned,
		Summary: fmt.Sprintf("%s service planned for %s", p.Kind, p.DueOn.Format(time.DateOnly))}
}

// RecordReminder marks reminder r done by by with its outcome (required).
// Errors: INVALID_TRANSITION (already done), INVALID.
func RecordReminder(r Reminder, outcome string, by UserID, now time.Time) (Reminder, Event, error) {
	if r.DoneAt != nil {
		return r, Event{}, Errorf(EINVALIDTRANSITION, "The reminder was already done on %s (RECORD).", r.DoneAt.Format(time.RFC3339))
	}
	out, err := CheckText("outcome", outcome, true, MaxLongText)
	if err != nil {
		return r, Event{}, err
	}
	r.DoneAt, r.DoneBy, r.Outcome = &now, &by, out
	return r, Event{SiteID: r.SiteID, Kind: EventReminderRecorded, Summary: fmt.Sprintf("Reminder %d (%s) done", r.Step, r.Channel)}, nil
}

// UpdateCallbackSettings applies a change of site s's callback rules: the
// first callback 2 to 7 days after delivery, and whether the customer's own
// advisor may make it. Callbacks already scheduled keep their day.
// Errors: INVALID.
func UpdateCallbackSettings(s Site, firstDays *int, notByAdvisor *bool) (Site, Event, error) {
	if firstDays != nil {
		if err := ValidFirstCallbackDays(*firstDays); err != nil {
			return s, Event{}, err
		}
		s.FirstCallbackDays = *firstDays
	}
	if notByAdvisor != nil {
		s.CallbackNotByAdvisor = *notByAdvisor
	}
	return s, Event{SiteID: s.ID, Kind: EventCallbacksScheduled,
		Summary: fmt.Sprintf("Callback settings: first callback %d days after delivery, own advisor excluded: %v", s.FirstCallbackDays, s.CallbackNotByAdvisor)}, nil
}
