package shop

import "time"

// CallbackState is where a follow-up call after delivery (回访) stands.
type CallbackState string

// Callback states.
const (
	CallbackDue         CallbackState = "DUE"
	CallbackDone        CallbackState = "DONE"        // the customer was reached
	CallbackUnreachable CallbackState = "UNREACHABLE" // given up on the phone: a message or letter goes instead
	CallbackCancelled   CallbackState = "CANCELLED"
)

// Fallback is how an unreachable customer is contacted instead of a call.
type Fallback string

// Fallbacks.
const (
	FallbackMessage Fallback = "MESSAGE" // text message to a mobile
	FallbackLetter  Fallback = "LETTER"  // callback letter (回访信函)
)

// Callback is one follow-up call after delivery: the first 2 days to a week
// after it, the second within 7 days of the first (DOMAIN.md step 14).
type Callback struct {
	ID             CallbackID
	SiteID         SiteID
	OrderID        OrderID
	CustomerID     CustomerID
	AdvisorID      UserID
	Seq            int
	DueOn          time.Time // local day
	State          CallbackState
	Attempts       int
	FirstAttemptAt *time.Time
	LastAttemptAt  *time.Time
	Reached        bool
	Satisfaction   *int
	Remarks        string
	Problem        bool
	Fallback       *Fallback
	DoneBy         *UserID
	DoneAt         *time.Time
	Version        int
	CreatedAt      time.Time
}

// CallbackSettings are a site's callback rules.
type CallbackSettings struct {
	// FirstCallbackDays is how many days after delivery the first callback is due (2 to 7).
	FirstCallbackDays int
	// NotByAdvisor forbids the customer's own advisor to make the callback.
	NotByAdvisor bool
}

// Callback rule constants.
const (
	DefaultFirstCallbackDays = 3
	SecondCallbackDays       = 7 // the second callback within 7 days of the first
	UnreachableDays          = 5 // tries spread over this many days before giving up on the phone
	UnreachableTries         = 2
	ComplaintEscalateAfter   = 48 * time.Hour // unsolved complaints go to the supervisor
	ComplaintCheckDays       = 7              // satisfaction check one week after closing
)

// ValidFirstCallbackDays checks the site setting: 2 days to a week.
func ValidFirstCallbackDays(n int) error {
	if n < 2 || n > 7 {
		return FieldErrorf("firstCallbackDays", "The first callback is due 2 to 7 days after delivery; %d is outside that.", n)
	}
	return nil
}

// FirstCallbackDue returns the local day the first callback is due: days
// after the local day of delivery.
func FirstCallbackDue(deliveredAt time.Time, loc *time.Location, days int) time.Time {
	if days < 2 || days > 7 {
		days = DefaultFirstCallbackDays
	}
	return LocalDate(deliveredAt, loc).AddDate(0, 0, days)
}

// SecondCallbackDue returns the local day the second callback is due: 7 days
// after the day the first one was finished (or, before then, after its due day).
func SecondCallbackDue(first time.Time, loc *time.Location) time.Time {
	return LocalDate(first, loc).AddDate(0, 0, SecondCallbackDays)
}

// MayMakeCallback says whether actor may make a callback on a customer of
// advisor: not where the site forbids the customer's own advisor. FORBIDDEN.
func MayMakeCallback(s CallbackSettings, actor, advisor UserID) error {
	if s.NotByAdvisor && actor == advisor {
		return Errorf(EFORBIDDEN, "At this site the customer's own advisor does not make the callback; leave it to the callback staff.")
	}
	return nil
}

// ValidSatisfaction checks a satisfaction score: 1 (very unhappy) to 5 (very happy).
func ValidSatisfaction(s int) error {
	if s < 1 || s > 5 {
		return FieldErrorf("satisfaction", "Satisfaction is scored 1 to 5; %d is not.", s)
	}
	return nil
}

// SatisfiedFrom is the lowest satisfaction score that counts as satisfied.
const SatisfiedFrom = 4

// Satisfied reports whether a score counts as satisfied (4 or 5).
func Satisfied(score int) bool { return score >= SatisfiedFrom }

// CallbackOutcome is one try to reach the customer.
type CallbackOutcome struct {
	Reached      bool
	Satisfaction *int
	Remarks      string
	Problem      bool
	// HasMobile says whether the customer can get a text message; else a letter goes.
	HasMobile bool
}

// RecordAttempt applies one try to a due callback at now: reached closes it
// DONE with the score; not reached counts the try, and after repeated tries
// spread over 5 local days it becomes UNREACHABLE with a message (mobile) or
// a letter. Errors: INVALID_TRANSITION, INVALID.
func (c *Callback) RecordAttempt(o CallbackOutcome, by UserID, now time.Time, loc *time.Location) error {
	if c.State != CallbackDue {
		return Errorf(EINVALIDTRANSITION, "The callback is %s; only a DUE callback can be recorded (RECORD).", c.State)
	}
	if o.Reached {
		if o.Satisfaction == nil {
			return FieldErrorf("satisfaction", "The customer was reached: record their satisfaction (1 to 5).")
		}
		if err := ValidSatisfaction(*o.Satisfaction); err != nil {
			return err
		}
	} else if o.Satisfaction != nil || o.Problem {
		return FieldErrorf("reached", "Satisfaction and problems are recorded only when the customer was reached.")
	}
	c.Attempts++
	if c.FirstAttemptAt == nil {
		c.FirstAttemptAt = &now
	}
	c.LastAttemptAt = &now
	if o.Remarks != "" {
		c.Remarks = o.Remarks
	}
	if o.Reached {
		c.State, c.Reached, c.Satisfaction, c.Problem = CallbackDone, true, o.Satisfaction, o.Problem
		c.DoneBy, c.DoneAt = &by, &now
		return nil
	}
	if GiveUpCalling(*c.FirstAttemptAt, now, c.Attempts, loc) {
		f := FallbackLetter
		if o.HasMobile {
			f = FallbackMessage
		}
		c.State, c.Fallback, c.DoneBy, c.DoneAt = CallbackUnreachable, &f, &by, &now
	}
	return nil
}

// GiveUpCalling reports whether a customer tried attempts times since first
// counts as unreachable: at least two tries and 5 local days or more between
// the first try and now.
func GiveUpCalling(first, now time.Time, attempts int, loc *time.Location) bool {
	return attempts >= UnreachableTries && DaysBetween(LocalDate(first, loc), LocalDate(now, loc)) >= UnreachableDays
}

// ComplaintState is where a complaint (投诉) stands.
type ComplaintState string

// Complaint states.
const (
	ComplaintOpen      ComplaintState = "OPEN"      // with its first-contact owner
	ComplaintEscalated ComplaintState = "ESCALATED" // with the supervisor
	ComplaintClosed    ComplaintState = "CLOSED"    // resolved; satisfaction check due a week later
	ComplaintVerified  ComplaintState = "VERIFIED"  // the customer confirmed they are satisfied
)

// ComplaintAction is something that moves a complaint.
type ComplaintAction string

// Complaint actions.
const (
	ComplaintEscalate    ComplaintAction = "ESCALATE"
	ComplaintClose       ComplaintAction = "CLOSE"
	ComplaintCheckOK     ComplaintAction = "CHECK_SATISFIED"
	ComplaintCheckFailed ComplaintAction = "CHECK_NOT_SATISFIED" // still unhappy: back to the supervisor
)

var complaintMachine = map[ComplaintState]map[ComplaintAction]ComplaintState{
	ComplaintOpen:      {ComplaintEscalate: ComplaintEscalated, ComplaintClose: ComplaintClosed},
	ComplaintEscalated: {ComplaintClose: ComplaintClosed},
	ComplaintClosed:    {ComplaintCheckOK: ComplaintVerified, ComplaintCheckFailed: ComplaintEscalated},
}

// NextComplaintState returns where action leads a complaint, or INVALID_TRANSITION.
func NextComplaintState(s ComplaintState, a ComplaintAction) (ComplaintState, error) {
	if next, ok := complaintMachine[s][a]; ok {
		return next, nil
	}
	return s, Errorf(EINVALIDTRANSITION, "The complaint is %s; it cannot be %s now (%s).", s, complaintVerb(a), a)
}

func complaintVerb(a ComplaintAction) string {
	switch a {
	case ComplaintEscalate:
		return "escalated"
	case ComplaintClose:
		return "closed"
	}
	return "checked for satisfaction"
}

// Complaint is a customer's complaint. The person who takes it owns it
// (首问责任制); unsolved after two days it goes to the supervisor; a week after
// closing someone checks the customer is really satisfied.
type Complaint struct {
	ID               ComplaintID
	SiteID           SiteID
	CustomerID       CustomerID
	OrderID          *OrderID
	CallbackID       *CallbackID
	OwnerID          UserID
	Description      string
	State            ComplaintState
	PromisedAnswerAt time.Time
	OpenedAt         time.Time
	EscalatedAt      *time.Time
	SupervisorID     *UserID
	Resolution       string
	ClosedAt         *time.Time
	ClosedBy         *UserID
	CheckDueOn       *time.Time // local day of the satisfaction check
	CheckedAt        *time.Time
	Satisfied        *bool
	Version          int
}

// EscalationDue returns when an unsolved complaint goes to the supervisor.
func (c *Complaint) EscalationDue() time.Time { return c.OpenedAt.Add(ComplaintEscalateAfter) }

// NeedsEscalation reports whether the complaint is still with its owner at
// now, two days or more after it was opened.
func (c *Complaint) NeedsEscalation(now time.Time) bool {
	return c.State == ComplaintOpen && !now.Before(c.EscalationDue())
}

// ComplaintCheckDue returns the local day of the satisfaction check after closing at closedAt.
func ComplaintCheckDue(closedAt time.Time, loc *time.Location) time.Time {
	return LocalDate(closedAt, loc).AddDate(0, 0, ComplaintCheckDays)
}

// CheckPromisedAnswer validates the answer time promised to the customer: not
// in the past, and within the two days before escalation.
func CheckPromisedAnswer(at, now time.Time) error {
	if at.Before(now) {
		return FieldErrorf("promisedAnswerAt", "The promised answer time is in the past.")
	}
	if at.After(now.Add(ComplaintEscalateAfter)) {
		return FieldErrorf("promisedAnswerAt", "Promise an answer within two days; what cannot be solved by then goes to the supervisor.")
	}
	return nil
}
