package shop

import (
	"fmt"
	"time"
)

// AdditionalRequest is additional work (增项) found during repair, as the
// technician or advisor reports it.
type AdditionalRequest struct {
	FoundOnJobID  *JobID
	Description   string
	Reason        string
	LabourMinutes int
	LabourPrice   *Money
	ExtraMinutes  int
	Safety        bool
	Payer         *Payer
}

// RequestAdditionalWork records additional work on an order in work: its job
// waits in PENDING_APPROVAL until the customer agrees. rate is the site's
// labour rate. It returns the job and the request, both without IDs and the
// request without its parts' price (PriceAdditionalWork). Errors:
// INVALID_TRANSITION, INVALID naming the field, NOT_FOUND (foundOnJobId).
func RequestAdditionalWork(o Order, jobs []*Job, in AdditionalRequest, rate Money, by UserID, now time.Time) (Job, AdditionalWork, error) {
	if _, err := NextOrderState(o.State, OrderWork); err != nil {
		return Job{}, AdditionalWork{}, err
	}
	reason, err := CheckText("reason", in.Reason, true, MaxLongText)
	if err != nil {
		return Job{}, AdditionalWork{}, err
	}
	if in.ExtraMinutes < 0 || in.ExtraMinutes > 60*24*30 {
		return Job{}, AdditionalWork{}, FieldErrorf("extraMinutes", "Extra time must be between 0 minutes and 30 days.")
	}
	if err := jobOnOrder(jobs, in.FoundOnJobID, "foundOnJobId"); err != nil {
		return Job{}, AdditionalWork{}, err
	}
	j, err := NewJob(&o, JobLineInput{Description: in.Description, LabourMinutes: in.LabourMinutes, LabourPrice: in.LabourPrice,
		Payer: in.Payer}, rate, "", now)
	if err != nil {
		return Job{}, AdditionalWork{}, err
	}
	j.State, j.Additional, j.Safety = JobPendingApproval, true, in.Safety
	aw := AdditionalWork{SiteID: o.SiteID, OrderID: o.ID, FoundOnJobID: in.FoundOnJobID, Description: j.Description,
		Reason: reason, LabourPrice: j.LabourPrice, ExtraMinutes: in.ExtraMinutes, Safety: in.Safety,
		State: AdditionalRequested, RequestedBy: by, RequestedAt: now, Version: 1}
	return j, aw, nil
}

// PriceAdditionalWork adds the parts of additional work (its job saved, the
// parts built with NewPartLine) to its price and returns the event that
// asks the advisor to call the customer.
func PriceAdditionalWork(o *Order, j *Job, aw AdditionalWork, parts []PartLine) (AdditionalWork, Event) {
	aw.JobID, aw.PartsPrice = j.ID, 0
	for i := range parts {
		aw.PartsPrice += parts[i].Total()
	}
	safety := ""
	if aw.Safety {
		safety = " (safety-relevant)"
	}
	return aw, OrderEvent(o, EventAdditionalRequested, &j.ID,
		fmt.Sprintf("Additional work found%s: %s, %s, +%d min; waiting for the customer", safety, j.Description, aw.Total(), aw.ExtraMinutes))
}

// AdditionalDecision is the customer's answer to additional work.
type AdditionalDecision struct {
	Approve bool
	// CustomerContact is who on the customer's side answered.
	CustomerContact string
	ContactMethod   ContactMethod
	Note            *string
	// NewPromisedAt moves the promised time; by default approval adds the extra minutes.
	NewPromisedAt *time.Time
}

// ReleasesParts reports whether the answer frees the parts reserved for the
// additional work's job: a refusal does, and the store releases them in the
// same transaction.
func (d AdditionalDecision) ReleasesParts() bool { return !d.Approve }

// ReservesParts tells store/ that the decision makes the job's part lines
// real work, so their stock is set aside (and the parts locked first).
func (d AdditionalDecision) ReservesParts() bool { return d.Approve }

// DecideAdditionalWork records the customer's answer to additional work
// still REQUESTED (who answered, how, when). Approval lets its job be
// dispatched and moves the promised time by the extra time (or to the one
// given); a refusal declines the job. It returns the order, the job and the
// request as they must be saved. Errors: INVALID_TRANSITION, INVALID naming the field.
func DecideAdditionalWork(o Order, j Job, aw AdditionalWork, in AdditionalDecision, by UserID, now time.Time) (Order, Job, AdditionalWork, Event, error) {
	action, state, kind := JobDecline, AdditionalDeclined, EventAdditionalDeclined
	if in.Approve {
		action, state, kind = JobApprove, AdditionalApproved, EventAdditionalApproved
	}
	fail := func(err error) (Order, Job, AdditionalWork, Event, error) { return o, j, aw, Event{}, err }
	if aw.State != AdditionalRequested {
		return fail(Errorf(EINVALIDTRANSITION, "The additional work was already decided (%s); it cannot %s now.", aw.State, action.Describe()))
	}
	contact, err := CheckText("customerContact", in.CustomerContact, true, MaxShortText)
	if err != nil {
		return fail(err)
	}
	note, err := CheckText("note", deref(in.Note), false, MaxLongText)
	if err != nil {
		return fail(err)
	}
	j2, err := step(&o, j, action, nil, now)
	if err != nil {
		return fail(err)
	}
	method := in.ContactMethod
	aw2 := aw
	aw2.State, aw2.DecidedBy, aw2.DecidedAt, aw2.CustomerContact, aw2.ContactMethod, aw2.DecisionNote, aw2.Version =
		state, &by, &now, contact, &method, note, aw.Version+1
	// No customer's name in summaries: the timeline feeds the boards.
	summary := fmt.Sprintf("The customer declined the additional work (asked by %s): %s", method, aw.Description)
	o2 := o
	if in.Approve {
		summary = fmt.Sprintf("The customer approved the additional work (asked by %s): %s, %s", method, aw.Description, aw.Total())
		switch {
		case in.NewPromisedAt != nil:
			t := in.NewPromisedAt.UTC()
			o2.PromisedAt = &t
		case o2.PromisedAt != nil && aw.ExtraMinutes > 0:
			t := o2.PromisedAt.Add(time.Duration(aw.ExtraMinutes) * time.Minute)
			o2.PromisedAt = &t
		}
		if o2.PromisedAt != nil {
			summary += "; promised time now " + o2.PromisedAt.UTC().Format(time.RFC3339)
		}
	}
	return o2, j2, aw2, OrderEvent(&o2, kind, &j2.ID, summary), nil
}
