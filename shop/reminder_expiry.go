package shop

import (
	"fmt"
	"time"
)

// Follow-up tasks do not pile up forever: a callback or reminder task past
// its window closes itself as MISSED, and the report counts them.

// CallbackMissed is the state of a callback nobody finished in its window.
const CallbackMissed CallbackState = "MISSED"

// CallbackWindowDays is how long after its due day a callback may still be
// made: two weeks, twice the span between the first and second callback.
const CallbackWindowDays = 14

// MissCallback is the clock's decision on callback cb at local day today:
// still DUE more than CallbackWindowDays after its day, it closes as MISSED.
// ok is false when nothing is to be done.
func MissCallback(cb Callback, visit VisitID, today, now time.Time) (_ Callback, _ Event, ok bool) {
	if cb.State != CallbackDue || !today.After(cb.DueOn.AddDate(0, 0, CallbackWindowDays)) {
		return cb, Event{}, false
	}
	cb.State, cb.DoneAt = CallbackMissed, &now
	order, advisor := cb.OrderID, cb.AdvisorID
	return cb, Event{SiteID: cb.SiteID, Kind: EventFollowUpMissed, OrderID: &order, VisitID: &visit, AdvisorID: &advisor,
		Summary: fmt.Sprintf("Callback %d due on %s was not made within %d days: closed as missed", cb.Seq, cb.DueOn.Format(time.DateOnly), CallbackWindowDays)}, true
}

// MissReminders is the clock's decision on the reminder tasks of plan p at
// local day today, due its effective day due (EffectiveDue): once that day
// has passed, every task not done closes as MISSED (a letter overtaken by
// the call was not sent either). It returns the tasks it closed.
func MissReminders(rs []*Reminder, p *ServicePlan, due, today, now time.Time) ([]*Reminder, []Event) {
	if !today.After(due) {
		return nil, nil
	}
	var out []*Reminder
	for _, r := range rs {
		if r.PlanID != p.ID || r.DoneAt != nil || r.MissedAt != nil {
			continue
		}
		c := *r
		c.MissedAt = &now
		out = append(out, &c)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, []Event{{SiteID: p.SiteID, Kind: EventFollowUpMissed,
		Summary: fmt.Sprintf("%d reminder task(s) of the %s service due %s were not done: closed as missed", len(out), p.Kind, due.Format(time.DateOnly))}}
}
