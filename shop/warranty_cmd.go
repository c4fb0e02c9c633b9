package shop

import (
	"fmt"
	"time"
)

// The warranty commands (索赔): the warranty decision on a job, claims to
// the maker and the replaced parts kept for it. Each decision takes the
// records the store locked (the order first), the input, the actor and now,
// and returns the changed records and the event.

// DecideWarranty puts job j of order o under warranty (质保范围判定) with the
// reason: the job and its part lines are then paid by the maker and the
// order is marked as having warranty work. decided says whether the job was
// put under warranty already. Errors: INVALID_TRANSITION (order final, job
// not billed), INVALID, CONFLICT (already decided).
func DecideWarranty(j Job, o Order, decided bool, reason string, by UserID, now time.Time) (Job, Order, WarrantyDecision, Event, error) {
	fail := func(err error) (Job, Order, WarrantyDecision, Event, error) {
		return j, o, WarrantyDecision{}, Event{}, err
	}
	if !o.State.Open() || o.State == OrderSettled {
		return fail(Errorf(EINVALIDTRANSITION, "The repair order is %s; its bill is final and the warranty decision can no longer change it (DECIDE_WARRANTY).", o.State.Describe()))
	}
	if !j.State.Billable() {
		return fail(Errorf(EINVALIDTRANSITION, "The job is %s; only a job that is billed can be put under warranty (DECIDE_WARRANTY).", j.State.Describe()))
	}
	why, err := CheckText("reason", reason, true, MaxLongText)
	if err != nil {
		return fail(err)
	}
	if decided {
		return fail(&Error{Code: ECONFLICT, Field: "jobId", Message: "This job was already put under warranty."})
	}
	j.Payer, o.UnderWarranty = PayerWarranty, true
	w := WarrantyDecision{JobID: j.ID, SiteID: o.SiteID, OrderID: o.ID, Reason: why, DecidedBy: by, DecidedAt: now}
	return j, o, w, eventOnOrder(o.SiteID, &o, EventWarrantyDecided, &j.ID, "Under warranty: "+j.Description), nil
}

// ClaimTexts are the texts of a claim to change; nil keeps one.
type ClaimTexts struct {
	Complaint, Cause, Correction, CausalPartNumber *string
}

func (t ClaimTexts) apply(cl *WarrantyClaim) error {
	var err error
	for _, f := range []struct {
		field string
		in    *string
		out   *string
		max   int
	}{
		{"complaint", t.Complaint, &cl.Complaint, MaxLongText},
		{"cause", t.Cause, &cl.Cause, MaxLongText},
		{"correction", t.Correction, &cl.Correction, MaxLongText},
		{"causalPartNumber", t.CausalPartNumber, &cl.CausalPartNumber, 60},
	} {
		if f.in == nil {
			continue
		}
		if *f.out, err = CheckText(f.field, *f.in, false, f.max); err != nil {
			return err
		}
	}
	return nil
}

// ClaimJobs are the jobs a claim is to cover, as the store found them:
// Jobs[i] is the job IDs[i] names when it is a warranty job of the claim's
// order (nil otherwise), OnOtherClaim[i] whether another claim covers it
// already; Parts are the order's part lines.
type ClaimJobs struct {
	IDs          []JobID
	Jobs         []*Job
	OnOtherClaim []bool
	Parts        []*PartLine
}

// setJobs checks the jobs of a claim and recomputes its amounts.
func (cj ClaimJobs) setJobs(cl *WarrantyClaim) error {
	if len(cj.IDs) == 0 {
		return FieldErrorf("jobIds", "A claim needs at least one warranty job.")
	}
	seen := map[JobID]bool{}
	for i, id := range cj.IDs {
		field := fmt.Sprintf("jobIds[%d]", i)
		if cj.Jobs[i] == nil {
			return &Error{Code: ENOTFOUND, Field: field, Message: "That job is not a warranty job of this repair order; decide the warranty first."}
		}
		if cj.OnOtherClaim[i] || seen[id] {
			return &Error{Code: ECONFLICT, Field: field, Message: "That job is already on a warranty claim."}
		}
		seen[id] = true
	}
	cl.LabourAmount, cl.PartsAmount = ClaimAmounts(cj.Jobs, cj.Parts)
	return nil
}

// NewClaim drafts a claim (索赔单) over warranty jobs of order o; seq numbers
// it (WCyymmdd-nnnnn). Errors: INVALID, NOT_FOUND (a job that is not a
// warranty job of o), CONFLICT (a job on another claim).
func NewClaim(o *Order, texts ClaimTexts, jobs ClaimJobs, seq int64, by UserID, now time.Time) (WarrantyClaim, Event, error) {
	cl := WarrantyClaim{SiteID: o.SiteID, OrderID: o.ID, State: ClaimDraft, CreatedBy: by, Version: 1, CreatedAt: now, UpdatedAt: now,
		Number: fmt.Sprintf("WC%s-%05d", now.Format("060102"), seq%100000)}
	if err := texts.apply(&cl); err != nil {
		return cl, Event{}, err
	}
	if err := jobs.setJobs(&cl); err != nil {
		return cl, Event{}, err
	}
	return cl, claimEvent(&cl, o, "drafted: "+cl.Total().String()), nil
}

func claimEvent(cl *WarrantyClaim, o *Order, what string) Event {
	return eventOnOrder(cl.SiteID, o, EventClaimChanged, nil, fmt.Sprintf("Warranty claim %s %s", cl.Number, what))
}

// move applies action to cl and stamps the change.
func (cl *WarrantyClaim) move(a ClaimAction, now time.Time) error {
	next, err := NextClaimState(cl.State, a)
	if err != nil {
		return err
	}
	cl.State, cl.UpdatedAt = next, now
	cl.Version++
	return nil
}

// UpdateClaim changes a DRAFT claim's texts and, when jobs is not nil, its
// jobs. Errors: INVALID_TRANSITION, INVALID, NOT_FOUND, CONFLICT.
func UpdateClaim(cl WarrantyClaim, o *Order, texts ClaimTexts, jobs *ClaimJobs, now time.Time) (WarrantyClaim, Event, error) {
	if err := cl.move(ClaimEdit, now); err != nil {
		return cl, Event{}, err
	}
	if err := texts.apply(&cl); err != nil {
		return cl, Event{}, err
	}
	if jobs != nil {
		if err := jobs.setJobs(&cl); err != nil {
			return cl, Event{}, err
		}
	}
	return cl, claimEvent(&cl, o, "changed: "+cl.Total().String()), nil
}

// SubmitClaim sends a complete draft (CheckClaimComplete; jobs is how many
// it covers) to the maker. Errors: INVALID_TRANSITION, INVALID naming the
// missing field.
func SubmitClaim(cl WarrantyClaim, o *Order, jobs int, now time.Time) (WarrantyClaim, Event, error) {
	if err := cl.move(ClaimSubmit, now); err != nil {
		return cl, Event{}, err
	}
	if err := CheckClaimComplete(&cl, jobs); err != nil {
		return cl, Event{}, err
	}
	cl.SubmittedAt = &now
	return cl, claimEvent(&cl, o, "submitted to the maker: "+cl.Total().String()), nil
}

// ReviseClaim takes a rejected claim back to draft for correction.
// Errors: INVALID_TRANSITION.
func ReviseClaim(cl WarrantyClaim, o *Order, now time.Time) (WarrantyClaim, Event, error) {
	if err := cl.move(ClaimRevise, now); err != nil {
		return cl, Event{}, err
	}
	cl.RejectReason, cl.DecidedAt, cl.SubmittedAt = "", nil, nil
	return cl, claimEvent(&cl, o, "back to draft for correction"), nil
}

// DecideClaim records the maker's approval or rejection of a submitted
// claim; a rejection needs the maker's reason. Errors: INVALID_TRANSITION,
// INVALID.
func DecideClaim(cl WarrantyClaim, o *Order, approved bool, reason, makerRef string, now time.Time) (WarrantyClaim, Event, error) {
	a := ClaimReject
	if approved {
		a = ClaimApprove
	}
	if err := cl.move(a, now); err != nil {
		return cl, Event{}, err
	}
	ref, err := CheckText("makerReference", makerRef, false, MaxShortText)
	if err != nil {
		return cl, Event{}, err
	}
	cl.MakerReference, cl.DecidedAt = ref, &now
	if approved {
		return cl, claimEvent(&cl, o, "approved by the maker"), nil
	}
	why, err := CheckText("reason", reason, true, MaxLongText)
	if err != nil {
		return cl, Event{}, FieldErrorf("reason", "A rejection needs the maker's reason.")
	}
	cl.RejectReason = why
	return cl, claimEvent(&cl, o, "rejected by the maker: "+why), nil
}

// PayClaim marks an approved claim paid: amount, or the claimed total when
// nil. Errors: INVALID_TRANSITION, INVALID.
func PayClaim(cl WarrantyClaim, o *Order, amount *Money, now time.Time) (WarrantyClaim, Event, error) {
	if err := cl.move(ClaimPay, now); err != nil {
		return cl, Event{}, err
	}
	paid := cl.Total()
	if amount != nil {
		paid = *amount
	}
	if err := ValidPrice("amount", paid); err != nil {
		return cl, Event{}, err
	}
	cl.PaidAmount, cl.PaidAt = &paid, &now
	return cl, claimEvent(&cl, o, "paid: "+paid.String()), nil
}

// RetainInput is a replaced warranty part kept for the maker (保修件).
type RetainInput struct {
	ClaimID     *WarrantyClaimID
	PartNumber  string
	Description string
	Quantity    int
	Location    string
	// Deadline is the local day by which it must be shipped back or
	// scrapped; DefaultRetentionDays from today when nil.
	Deadline *time.Time
}

// RetainPart decides a retained part of order o on local day today. Only
// orders with warranty work keep parts (warrantyJobs: how many of its jobs
// are under warranty); claimOfOrder says whether the named claim is o's.
// Errors: INVALID_TRANSITION, NOT_FOUND, INVALID.
func RetainPart(o *Order, warrantyJobs int, claimOfOrder bool, in RetainInput, today time.Time, by UserID, now time.Time) (RetainedPart, Event, error) {
	fail := func(err error) (RetainedPart, Event, error) { return RetainedPart{}, Event{}, err }
	if warrantyJobs == 0 {
		return fail(Errorf(EINVALIDTRANSITION, "No job of this repair order is under warranty; only warranty parts are retained (RETAIN)."))
	}
	if in.ClaimID != nil && !claimOfOrder {
		return fail(&Error{Code: ENOTFOUND, Field: "claimId", Message: "That claim is not of this repair order."})
	}
	num, err := CheckText("partNumber", in.PartNumber, true, 60)
	if err != nil {
		return fail(err)
	}
	desc, err := CheckText("description", in.Description, false, MaxShortText)
	if err != nil {
		return fail(err)
	}
	loc, err := CheckText("location", in.Location, true, MaxShortText)
	if err != nil {
		return fail(err)
	}
	if err := ValidQuantity(in.Quantity); err != nil {
		return fail(err)
	}
	deadline := today.AddDate(0, 0, DefaultRetentionDays)
	if in.Deadline != nil {
		deadline = LocalDate(*in.Deadline, time.UTC)
		if deadline.Before(today) {
			return fail(FieldErrorf("deadline", "The deadline %s is in the past.", deadline.Format(time.DateOnly)))
		}
	}
	r := RetainedPart{SiteID: o.SiteID, OrderID: o.ID, ClaimID: in.ClaimID, PartNumber: num, Description: desc,
		Quantity: in.Quantity, Location: loc, Disposition: DispositionKept, Deadline: deadline,
		RetainedBy: by, RetainedAt: now, Version: 1}
	return r, eventOnOrder(o.SiteID, o, EventPartRetained, nil, fmt.Sprintf("Warranty part %s × %d retained at %s until %s",
		num, r.Quantity, loc, deadline.Format(time.DateOnly))), nil
}

// UpdateRetainedPart moves a kept part to a new location, or settles its
// disposition (shipped back with the shipment reference, or scrapped).
// Errors: INVALID, INVALID_TRANSITION.
func UpdateRetainedPart(r RetainedPart, location *string, d *Disposition, shipmentRef string, by UserID, now time.Time) (RetainedPart, Event, error) {
	if location == nil && d == nil {
		return r, Event{}, FieldErrorf("location", "Give a new location or a disposition.")
	}
	summary := ""
	if location != nil {
		if r.Disposition != DispositionKept {
			return r, Event{}, Errorf(EINVALIDTRANSITION, "The part is already %s; it has no location to change (MOVE).", r.Disposition)
		}
		loc, err := CheckText("location", *location, true, MaxShortText)
		if err != nil {
			return r, Event{}, err
		}
		r.Location, summary = loc, "moved to "+loc
	}
	if d != nil {
		ref, err := CheckText("shipmentRef", shipmentRef, false, MaxShortText)
		if err != nil {
			return r, Event{}, err
		}
		if err := r.Dispose(*d, ref, by, now); err != nil {
			return r, Event{}, err
		}
		summary = string(r.Disposition)
	}
	r.Version++
	order := r.OrderID
	return r, Event{SiteID: r.SiteID, Kind: EventRetainedPartDisposed, OrderID: &order,
		Summary: fmt.Sprintf("Retained warranty part %s %s", r.PartNumber, summary)}, nil
}
