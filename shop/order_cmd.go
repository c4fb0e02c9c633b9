package shop

import (
	"fmt"
	"time"
)

// The repair order's commands as decisions: each takes the order as it is
// (and what else it needs), the input and the time, and returns the order as
// it must be saved with the events that say so, or a typed error and nothing
// changed. The store loads, locks, saves and appends; it decides nothing.

// Terms are the terms of a repair order agreed with the customer; a nil
// field leaves that term as it is.
type Terms struct {
	Findings            *string
	UnderWarranty       *bool
	WashRequested       *bool
	PaymentMethod       *PaymentMethod
	OldParts            *OldPartsDisposition
	InsuranceClaim      *bool
	InsurerName         *string
	AssessmentReference *string
}

// changesEstimate reports whether t changes more than the insurer's
// assessment, which may still arrive after signing.
func (t Terms) changesEstimate() bool {
	return t.Findings != nil || t.UnderWarranty != nil || t.WashRequested != nil || t.PaymentMethod != nil ||
		t.OldParts != nil || t.InsuranceClaim != nil || t.InsurerName != nil
}

// apply sets the given terms on o. Errors: INVALID naming the field.
func (t Terms) apply(o *Order) error {
	var err error
	if t.Findings != nil {
		if o.Findings, err = CheckText("findings", *t.Findings, false, MaxLongText); err != nil {
			return err
		}
	}
	if t.UnderWarranty != nil {
		o.UnderWarranty = *t.UnderWarranty
	}
	if t.WashRequested != nil {
		o.WashRequested = *t.WashRequested
	}
	if t.PaymentMethod != nil {
		o.PaymentMethod = *t.PaymentMethod
	}
	if t.OldParts != nil {
		o.OldParts = *t.OldParts
	}
	if t.InsuranceClaim != nil {
		o.InsuranceClaim = *t.InsuranceClaim
	}
	if t.InsurerName != nil {
		if o.InsurerName, err = CheckText("insurerName", *t.InsurerName, false, MaxShortText); err != nil {
			return err
		}
	}
	if t.AssessmentReference != nil {
		if o.AssessmentReference, err = CheckText("assessmentReference", *t.AssessmentReference, false, MaxShortText); err != nil {
			return err
		}
	}
	if o.InsuranceClaim && o.InsurerName == "" {
		return FieldErrorf("insurerName", "An insurance claim needs the insurer's name.")
	}
	return nil
}

// OrderVisit is what drafting an order needs to know of its visit.
type OrderVisit struct {
	ID          VisitID
	SiteID      SiteID
	DeliveredAt *time.Time
}

// DraftOrder drafts the repair order of a visit (问诊 / 估价) for the advisor
// by, with the default terms (customer pays nothing yet, old parts shown)
// overridden by terms. Its Number and ID are the store's to give. Errors:
// INVALID_TRANSITION when the visit's car was delivered, INVALID naming the field.
func DraftOrder(v OrderVisit, by Actor, work WorkType, terms Terms, now time.Time) (Order, error) {
	if v.DeliveredAt != nil {
		return Order{}, Errorf(EINVALIDTRANSITION,
			"The visit is closed: its car was delivered (DELIVERED); a repair order cannot be created for it (CREATE_ORDER).")
	}
	o := Order{
		SiteID: v.SiteID, VisitID: v.ID, State: OrderDraft, WorkType: work, Priority: PriorityNormal,
		PaymentMethod: PayNone, OldParts: OldPartsShowToCustomer, AdvisorID: by.UserID,
		StageSince: now, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := terms.apply(&o); err != nil {
		return Order{}, err
	}
	return o, nil
}

// OrderNumber returns the number printed on a repair order: RO, the date
// at the site (its time zone: an order made at 03:00 on 4 December in
// Shenzhen is RO261204, whatever the server's clock says) and the last five
// digits of the store's sequence.
func OrderNumber(now time.Time, site *time.Location, seq int64) string {
	return fmt.Sprintf("RO%s-%05d", now.In(site).Format("060102"), seq%100000)
}

// OrderCreated returns the event of a drafted order, once it has its ID and number.
func OrderCreated(o *Order) Event {
	return OrderEvent(o, EventOrderCreated, nil, "Repair order "+o.Number+" drafted")
}

// KeepsEstimate reports whether the order's estimated completion follows
// its lines and the workshop's load: only while it is a draft estimate.
func (o *Order) KeepsEstimate() bool { return o.State == OrderDraft }

// OrderChanges changes an order's terms and promised time.
type OrderChanges struct {
	Terms
	PromisedAt *time.Time
	// Reason is what the customer is told when a promised time moves.
	Reason *string
}

// EditOrder changes an order's terms: any term while it is a DRAFT, later
// only the insurer's assessment and the promised time, and never once it is
// settled or closed. Moving a promised time the customer was given needs
// the reason they are told. Errors: INVALID_TRANSITION, INVALID naming the field.
func EditOrder(o Order, in OrderChanges) (Order, Event, error) {
	if in.changesEstimate() {
		if _, err := NextOrderState(o.State, OrderEdit); err != nil {
			return o, Event{}, err
		}
	}
	if !o.State.Open() || o.State == OrderSettled {
		return o, Event{}, Errorf(EINVALIDTRANSITION, "The repair order is %s; its terms can no longer change (EDIT).", o.State.Describe())
	}
	next := o
	if err := in.apply(&next); err != nil {
		return o, Event{}, err
	}
	summary := "Repair order terms changed"
	if in.PromisedAt != nil {
		if next.State != OrderDraft && next.PromisedAt != nil {
			reason, err := CheckText("reason", deref(in.Reason), true, MaxShortText)
			if err != nil {
				return o, Event{}, FieldErrorf("reason", "Moving a promised time needs the reason the customer is told.")
			}
			summary = fmt.Sprintf("Promised time moved from %s to %s: %s", next.PromisedAt.UTC().Format(time.RFC3339),
				in.PromisedAt.UTC().Format(time.RFC3339), reason)
		}
		t := in.PromisedAt.UTC()
		next.PromisedAt = &t
	}
	return next, OrderEvent(&next, EventOrderEdited, nil, summary), nil
}

// JobLineInput is a labour line of an estimate or of additional work.
type JobLineInput struct {
	Description   string
	LabourMinutes int
	// LabourPrice defaults to the site's labour rate times the minutes.
	LabourPrice *Money
	Payer       *Payer
}

// NewJob returns the job of line in for order o, waiting for dispatch:
// priced at rate per hour unless a price is given, paid by whoever pays the
// order's work unless a payer is given. field is the line's path in the
// input. Its ID is the store's to give. Errors: INVALID naming the field.
func NewJob(o *Order, in JobLineInput, rate Money, field string, now time.Time) (Job, error) {
	desc, err := CheckText(fieldPath(field, "description"), in.Description, true, MaxShortText)
	if err != nil {
		return Job{}, err
	}
	if err := ValidLabourMinutes(in.LabourMinutes); err != nil {
		return Job{}, atField(fieldPath(field, "labourMinutes"), err)
	}
	price := LabourCharge(rate, in.LabourMinutes)
	if in.LabourPrice != nil {
		price = *in.LabourPrice
	}
	if err := ValidPrice(fieldPath(field, "labourPrice"), price); err != nil {
		return Job{}, err
	}
	return Job{SiteID: o.SiteID, OrderID: o.ID, Description: desc, State: JobWaitingDispatch, LabourMinutes: in.LabourMinutes,
		LabourPrice: price, Payer: o.DefaultPayer(in.Payer), Version: 1, CreatedAt: now, UpdatedAt: now}, nil
}

// DefaultPayer returns who pays a line: p when given, else the warranty for
// a warranty order, the insurer for an insurance claim, the customer otherwise.
func (o *Order) DefaultPayer(p *Payer) Payer {
	switch {
	case p != nil:
		return *p
	case o.UnderWarranty:
		return PayerWarranty
	case o.InsuranceClaim:
		return PayerInsurer
	}
	return PayerCustomer
}

// PartLineInput is a part of an estimate. Catalogue parts are priced from the
// catalogue unless UnitPrice is given.
type PartLineInput struct {
	PartNumber  string
	Description *string
	Quantity    int
	UnitPrice   *Money
	Payer       *Payer
	// JobIndex ties the part to the job at that index of the same input.
	JobIndex *int
}

// CheckPartNumber checks the part number of the line at field and returns it
// trimmed, as the catalogue knows it. Errors: INVALID on field.partNumber.
func CheckPartNumber(field, number string) (string, error) {
	return CheckText(fieldPath(field, "partNumber"), number, true, 60)
}

// NewPartLine returns the part line of in for order o (and job, if any):
// a catalogue part (catalogue non-nil: the site's part of that number) takes
// its description and price unless the input gives them; any other part must
// be described and priced. field is the line's path. Its ID is the store's
// to give. Errors: INVALID naming the field.
func NewPartLine(o *Order, job *JobID, in PartLineInput, catalogue *Part, field string, now time.Time) (PartLine, error) {
	number, err := CheckPartNumber(field, in.PartNumber)
	if err != nil {
		return PartLine{}, err
	}
	if err := ValidQuantity(in.Quantity); err != nil {
		return PartLine{}, atField(fieldPath(field, "quantity"), err)
	}
	pl := PartLine{SiteID: o.SiteID, OrderID: o.ID, JobID: job, PartNumber: number, Quantity: in.Quantity,
		Payer: o.DefaultPayer(in.Payer), CreatedAt: now}
	if catalogue != nil {
		id := catalogue.ID
		pl.PartID, pl.Description, pl.UnitPrice = &id, catalogue.Description, catalogue.UnitPrice
	}
	if in.Description != nil {
		if pl.Description, err = CheckText(fieldPath(field, "description"), *in.Description, false, MaxShortText); err != nil {
			return PartLine{}, err
		}
	}
	if in.UnitPrice != nil {
		pl.UnitPrice = *in.UnitPrice
	} else if catalogue == nil {
		return PartLine{}, FieldErrorf(fieldPath(field, "unitPrice"), "Part %s is not in the catalogue; give its unit price.", number)
	}
	if err := ValidPrice(fieldPath(field, "unitPrice"), pl.UnitPrice); err != nil {
		return PartLine{}, err
	}
	if pl.Description == "" {
		return PartLine{}, FieldErrorf(fieldPath(field, "description"), "Part %s is not in the catalogue; describe it.", number)
	}
	return pl, nil
}

// LineJob returns the job a part line of a new order's input is tied to:
// the job at index among jobs (the input's jobs, in order), or none.
// field is the line's path. Errors: INVALID on field.jobIndex.
func LineJob(field string, index *int, jobs []JobID) (*JobID, error) {
	if index == nil {
		return nil, nil
	}
	if *index < 0 || *index >= len(jobs) {
		return nil, FieldErrorf(fieldPath(field, "jobIndex"), "jobIndex %d names no job of this input.", *index)
	}
	return &jobs[*index], nil
}

// findJob returns the job of id among jobs, or nil.
func findJob(jobs []*Job, id JobID) *Job {
	for _, j := range jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// jobOnOrder checks that a job named by field is one of the order's jobs.
// Errors: NOT_FOUND on field.
func jobOnOrder(jobs []*Job, id *JobID, field string) error {
	if id != nil && findJob(jobs, *id) == nil {
		return NotFoundf(field, "That job is not on this repair order.")
	}
	return nil
}

// AddJob adds a job to a draft estimate (rate is the site's labour rate).
// Errors: INVALID_TRANSITION, INVALID naming the field.
func AddJob(o Order, in JobLineInput, rate Money, now time.Time) (Job, Event, error) {
	if _, err := NextOrderState(o.State, OrderEdit); err != nil {
		return Job{}, Event{}, err
	}
	j, err := NewJob(&o, in, rate, "job", now)
	if err != nil {
		return Job{}, Event{}, err
	}
	return j, OrderEvent(&o, EventOrderEdited, nil, "Job added: "+j.Description), nil
}

// AddPartLine adds a part to a draft estimate, tied to one of the order's
// jobs when job is given; catalogue as for NewPartLine.
// Errors: INVALID_TRANSITION, NOT_FOUND (jobId), INVALID naming the field.
func AddPartLine(o Order, jobs []*Job, job *JobID, in PartLineInput, catalogue *Part, now time.Time) (PartLine, Event, error) {
	if _, err := NextOrderState(o.State, OrderEdit); err != nil {
		return PartLine{}, Event{}, err
	}
	if err := jobOnOrder(jobs, job, "jobId"); err != nil {
		return PartLine{}, Event{}, err
	}
	pl, err := NewPartLine(&o, job, in, catalogue, "part", now)
	if err != nil {
		return PartLine{}, Event{}, err
	}
	return pl, OrderEvent(&o, EventOrderEdited, nil, fmt.Sprintf("Part added: %s × %d", pl.PartNumber, pl.Quantity)), nil
}

// RemoveOrderLine says whether a line may be removed from a draft estimate:
// exactly one of a job (one of the order's) or a part line. Errors:
// INVALID_TRANSITION, INVALID (jobId), NOT_FOUND (jobId).
func RemoveOrderLine(o Order, jobs []*Job, job *JobID, part *PartLineID) (Event, error) {
	if _, err := NextOrderState(o.State, OrderEdit); err != nil {
		return Event{}, err
	}
	if (job == nil) == (part == nil) {
		return Event{}, FieldErrorf("jobId", "Name exactly one line to remove: a jobId or a partLineId.")
	}
	if err := jobOnOrder(jobs, job, "jobId"); err != nil {
		return Event{}, NotFoundf("jobId", "That line is not on this repair order.")
	}
	return OrderEvent(&o, EventOrderEdited, nil, "Line removed"), nil
}

// SignOrder records the customer's signature (nothing is worked on before):
// the order needs at least one job, and the promised time is the one given
// (in the future), else the one already promised if still ahead, else the
// estimate. Errors: INVALID_TRANSITION, INVALID naming the field.
func SignOrder(o Order, jobs []*Job, signedBy string, promisedAt *time.Time, now time.Time) (Order, Event, error) {
	next, err := NextOrderState(o.State, OrderSign)
	if err != nil {
		return o, Event{}, err
	}
	name, err := CheckText("signedBy", signedBy, true, MaxShortText)
	if err != nil {
		return o, Event{}, err
	}
	if len(jobs) == 0 {
		return o, Event{}, Errorf(EINVALID, "A repair order needs at least one job before the customer signs it.")
	}
	promised := o.EstimatedAt
	if promisedAt != nil {
		if !promisedAt.After(now) {
			return o, Event{}, FieldErrorf("promisedAt", "The promised time must be in the future.")
		}
		t := promisedAt.UTC()
		promised = &t
	} else if o.PromisedAt != nil && o.PromisedAt.After(now) {
		promised = o.PromisedAt
	}
	o.State, o.PromisedAt, o.SignedAt, o.SignedBy = next, promised, &now, name
	return o, OrderEvent(&o, EventOrderSigned, nil, "Signed by the customer"), nil
}

// HandOverOrder hands a signed order to the workshop (派工 begins), at the
// priority given or the one it has. Errors: INVALID_TRANSITION.
func HandOverOrder(o Order, priority *Priority, now time.Time) (Order, Event, error) {
	next, err := NextOrderState(o.State, OrderHandOver)
	if err != nil {
		return o, Event{}, err
	}
	o.State = next
	if priority != nil {
		o.Priority = *priority
	}
	o.HandedOverAt = &now
	return o, OrderEvent(&o, EventOrderHandedOver, nil, "Handed over to the workshop, priority "+string(o.Priority)), nil
}

// CancelOrder withdraws a draft or signed order, with the reason.
// Errors: INVALID_TRANSITION, INVALID (reason).
func CancelOrder(o Order, reason string, now time.Time) (Order, Event, error) {
	next, err := NextOrderState(o.State, OrderCancel)
	if err != nil {
		return o, Event{}, err
	}
	r, err := CheckText("reason", reason, true, MaxShortText)
	if err != nil {
		return o, Event{}, err
	}
	o.State, o.CancelledAt, o.CancelReason = next, &now, r
	return o, OrderEvent(&o, EventOrderCancelled, nil, "Cancelled: "+r), nil
}

// Inspection is the result of the 100% final inspection (总检).
type Inspection struct {
	Passed       bool
	Notes        *string
	FailedJobIDs []JobID
}

// FinalInspection records the final inspection of an order in QC. A pass
// names no failed jobs and sends the car to the wash when the customer
// accepted one, else makes it ready. A failure needs notes and the failed
// jobs (the order's own), which go back as rework with the notes as reason;
// it counts as rework of the order. Nobody inspects work they had a hand
// in: whoever worked on any of the order's jobs or recorded their
// self-checks or team-lead checks (h, see History) is refused. It returns
// the order, the jobs sent back, the check to record and the events.
// Errors: INVALID_TRANSITION, FORBIDDEN, INVALID naming the field,
// NOT_FOUND (failedJobIds[i]).
func FinalInspection(o Order, jobs []*Job, h History, in Inspection, by UserID, now time.Time) (Order, []Job, Check, []Event, error) {
	action, kind := OrderFailQC, EventQCFailed
	if in.Passed {
		action, kind = OrderPassQC, EventQCPassed
	}
	next, err := NextOrderState(o.State, action)
	if err != nil {
		return o, nil, Check{}, nil, err
	}
	if h.workedOn(jobs, func(JobID) bool { return true }, true)[by] {
		return o, nil, Check{}, nil, Errorf(EFORBIDDEN,
			"The final inspection is never done by anyone who worked on the repair order (its jobs, their self-checks or team-lead checks), and you did; another inspector must record it.")
	}
	check, summary, err := newCheck(&o, nil, CheckFinal, in.Passed, in.Notes, by, now)
	if err != nil {
		return o, nil, Check{}, nil, err
	}
	if in.Passed {
		if len(in.FailedJobIDs) > 0 {
			return o, nil, Check{}, nil, FieldErrorf("failedJobIds", "A passed inspection names no failed jobs.")
		}
		o.State, o.QCPassedAt = next, &now
		evs := []Event{OrderEvent(&o, kind, nil, "Final inspection passed")}
		if o.WashRequested {
			o.State = OrderWash
			return o, nil, check, evs, nil
		}
		o, ready := markReady(o, now)
		return o, nil, check, append(evs, ready), nil
	}
	if len(in.FailedJobIDs) == 0 {
		return o, nil, Check{}, nil, FieldErrorf("failedJobIds", "Name the jobs that failed the inspection; they go back for rework.")
	}
	var back []Job
	at := map[JobID]int{}
	for i, id := range in.FailedJobIDs {
		k, seen := at[id]
		if !seen {
			j := findJob(jobs, id)
			if j == nil {
				return o, nil, Check{}, nil, NotFoundf(fmt.Sprintf("failedJobIds[%d]", i), "That job is not on this repair order.")
			}
			back = append(back, *j)
			k = len(back) - 1
			at[id] = k
		}
		j := &back[k]
		if j.State, err = NextJobState(o.State, j.State, JobSendBack); err != nil {
			return o, nil, Check{}, nil, err
		}
		j.ReworkCount++
		j.ReworkReason = deref(in.Notes)
		j.Progress = 0
	}
	o.State = next
	o.ReworkCount++
	return o, back, check, []Event{OrderEvent(&o, kind, nil, summary)}, nil
}

// markReady makes an order READY at now, with the time the customer must be
// told by (1 h / 4 h rule), and returns the event that tells the advisor.
func markReady(o Order, now time.Time) (Order, Event) {
	o.State = OrderReady
	o.ReadyAt = &now
	promised, handed := now, now
	if o.PromisedAt != nil {
		promised = *o.PromisedAt
	}
	if o.HandedOverAt != nil {
		handed = *o.HandedOverAt
	}
	t := NotifyBy(handed, promised, now)
	o.NotifyBy = &t
	return o, OrderEvent(&o, EventOrderReady, nil, "Ready for pick-up: tell the customer by "+t.UTC().Format(time.RFC3339))
}

// FinishWash records the wash (洗车) done: the car is parked in the
// completed area and ready. Errors: INVALID_TRANSITION.
func FinishWash(o Order, now time.Time) (Order, []Event, error) {
	if _, err := NextOrderState(o.State, OrderFinishWash); err != nil {
		return o, nil, err
	}
	washed := OrderEvent(&o, EventWashFinished, nil, "Washed and parked in the completed area")
	o, ready := markReady(o, now)
	return o, []Event{washed, ready}, nil
}

// SettleInput is what the cashier gives when settling.
type SettleInput struct {
	PaymentMethod       *PaymentMethod
	PaymentReference    *string
	AssessmentReference *string
	// Terms are the deposit, approvals, account and money inputs (see PriceSettlement).
	Terms SettleTerms
}

// SettleOrder settles (结算) a ready order from its jobs and part lines:
// the itemised bill split by payer (see CheckSettlement). Errors:
// INVALID_TRANSITION, INVALID naming the field.
func SettleOrder(o Order, jobs []*Job, parts []*PartLine, in SettleInput, by UserID, now time.Time) (Order, Settlement, Event, error) {
	next, err := NextOrderState(o.State, OrderSettle)
	if err != nil {
		return o, Settlement{}, Event{}, err
	}
	n := o
	if in.PaymentMethod != nil {
		n.PaymentMethod = *in.PaymentMethod
	}
	if in.AssessmentReference != nil {
		if n.AssessmentReference, err = CheckText("assessmentReference", *in.AssessmentReference, false, MaxShortText); err != nil {
			return o, Settlement{}, Event{}, err
		}
	}
	ref, err := CheckText("paymentReference", deref(in.PaymentReference), false, MaxShortText)
	if err != nil {
		return o, Settlement{}, Event{}, err
	}
	bill := ComputeBill(jobs, parts)
	s, err := PriceSettlement(&n, bill, in.Terms)
	if err != nil {
		return o, Settlement{}, Event{}, err
	}
	n.State, n.SettledAt = next, &now
	s.SiteID, s.OrderID, s.PaymentMethod, s.PaymentReference, s.SettledBy, s.SettledAt = n.SiteID, n.ID, n.PaymentMethod, ref, by, now
	return n, s, OrderEvent(&n, EventOrderSettled, nil, SettledSummary(s)), nil
}

// DeliveryInput is what the advisor gives when handing the car back (交车).
type DeliveryInput struct {
	BelongingsChecked  bool
	ExitPass           *string
	NextServiceDate    *time.Time
	NextServiceMileage *int
}

// Delivery is what handing a car back decides besides the order.
type Delivery struct {
	ExitPass string
	// ClosesVisit says the visit ends: no other order of it is still open.
	ClosesVisit bool
}

// DeliverOrder hands a settled order's car back: only once the belongings
// were checked with the customer. The exit pass defaults to EX- and the
// order number; the visit closes with its last open order (others are the
// states of the visit's other orders). Errors: INVALID_TRANSITION, INVALID
// naming the field.
func DeliverOrder(o Order, in DeliveryInput, others []OrderState, now time.Time) (Order, Delivery, Event, error) {
	next, err := NextOrderState(o.State, OrderDeliver)
	if err != nil {
		return o, Delivery{}, Event{}, err
	}
	if !in.BelongingsChecked {
		return o, Delivery{}, Event{}, FieldErrorf("belongingsChecked", "Check the belongings list with the customer before delivery.")
	}
	exit, err := CheckText("exitPass", deref(in.ExitPass), false, 40)
	if err != nil {
		return o, Delivery{}, Event{}, err
	}
	if exit == "" {
		exit = "EX-" + o.Number
	}
	if in.NextServiceMileage != nil {
		if err := ValidMileage(*in.NextServiceMileage); err != nil {
			return o, Delivery{}, Event{}, atField("nextServiceMileage", err)
		}
	}
	d := Delivery{ExitPass: exit, ClosesVisit: true}
	for _, s := range others {
		if s.Open() {
			d.ClosesVisit = false
		}
	}
	o.State, o.DeliveredAt = next, &now
	return o, d, OrderEvent(&o, EventOrderDelivered, nil, "Delivered to the customer, exit pass "+exit), nil
}

// Restage returns o in the board lane its jobs put it in (StageOf), the lane
// timed from now when it changed.
func Restage(o Order, jobs []*Job, now time.Time) Order {
	var stage *Stage
	if s, ok := StageOf(&o, jobs); ok {
		stage = &s
	}
	if (stage == nil) != (o.Stage == nil) || (stage != nil && *stage != *o.Stage) {
		o.StageSince = now
	}
	o.Stage = stage
	return o
}

// AfterJobs moves an order in work to final inspection once every job is
// checked (ReadyForQC) and keeps its board lane current. changed says
// whether the order must be saved; the events say what happened.
func AfterJobs(o Order, jobs []*Job, now time.Time) (next Order, changed bool, evs []Event) {
	next = o
	if next.State == OrderInWork && ReadyForQC(jobs) {
		next.State, _ = NextOrderState(next.State, OrderSubmitQC)
		evs = append(evs, OrderEvent(&next, EventOrderSubmittedQC, nil, "Every job checked: waiting for final inspection"))
	}
	next = Restage(next, jobs, now)
	changed = len(evs) > 0 || !next.StageSince.Equal(o.StageSince) || (o.Stage == nil) != (next.Stage == nil)
	return next, changed, evs
}

// deref returns *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// fieldPath joins the path of an input object and a field name.
func fieldPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// atField returns err naming the input field at path: a check names a bare
// field ("quantity"); the command knows where in its input it sits
// ("parts[0].quantity").
func atField(path string, err error) error {
	e, ok := err.(*Error)
	if err == nil || !ok {
		return err
	}
	c := *e
	c.Field = path
	return &c
}
