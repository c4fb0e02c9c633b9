package shop

import (
	"fmt"
	"slices"
	"time"
)

// The parts commands (配件): catalogue, reservations, shortages, issue slips,
// returns and goods received. Each decision takes the records the store
// locked (the part row first, then the order: see store/parts.go), the
// input, the actor and now, and returns the changed records and the event.

// NewPart decides a catalogue entry of site: number (at most 60
// characters), description and a valid price; no stock until goods are
// received. Errors: INVALID.
func NewPart(site SiteID, number, description string, price Money) (Part, Event, error) {
	num, err := CheckText("partNumber", number, true, 60)
	if err != nil {
		return Part{}, Event{}, err
	}
	desc, err := CheckText("description", description, true, MaxShortText)
	if err != nil {
		return Part{}, Event{}, err
	}
	if err := ValidPrice("unitPrice", price); err != nil {
		return Part{}, Event{}, err
	}
	return Part{SiteID: site, PartNumber: num, Description: desc, UnitPrice: price},
		Event{SiteID: site, Kind: EventStockReceived, Summary: "Part " + num + " added to the catalogue"}, nil
}

// ErrPartOtherSite is the NOT_FOUND of a part used on a repair order of
// another site: parts belong to one site's catalogue.
func ErrPartOtherSite() error {
	return &Error{Code: ENOTFOUND, Field: "partId", Message: "That part is not in this site's catalogue."}
}

// ErrJobNotOnOrder is the NOT_FOUND of a job named with a repair order it is not on.
func ErrJobNotOnOrder() error {
	return &Error{Code: ENOTFOUND, Field: "jobId", Message: "That job is not on this repair order."}
}

// ReserveInput sets Quantity units of a part aside for an order (and
// optionally one of its jobs) or for an appointment.
type ReserveInput struct {
	Quantity      int
	Note          string
	OrderID       *OrderID
	JobID         *JobID
	AppointmentID *AppointmentID
}

// ReserveTarget is what a reservation is for, as the store found it: the
// locked order, the state of the named job when it is on that order (nil
// when it is not), or the named appointment's site and state (nil when it
// does not exist).
type ReserveTarget struct {
	Order            *Order
	JobState         *JobState
	AppointmentSite  *SiteID
	AppointmentState AppointmentState
}

// ReserveParts decides a reservation of p: for exactly one of an open
// order of p's site (and a job of it not settled yet) or a BOOKED
// appointment of p's site. When the available stock covers it, it is
// RESERVED and counted in p.Reserved; otherwise it WAITS (a shortage: its
// job shows as waiting for parts). Errors: INVALID, NOT_FOUND,
// INVALID_TRANSITION.
func ReserveParts(p Part, in ReserveInput, t ReserveTarget, by UserID, now time.Time) (Part, PartReservation, Event, error) {
	r := PartReservation{SiteID: p.SiteID, PartID: p.ID, OrderID: in.OrderID, JobID: in.JobID, AppointmentID: in.AppointmentID,
		Quantity: in.Quantity, ReservedBy: by, CreatedAt: now, Version: 1}
	fail := func(err error) (Part, PartReservation, Event, error) { return p, r, Event{}, err }
	if err := ValidQuantity(in.Quantity); err != nil {
		return fail(err)
	}
	note, err := CheckText("note", in.Note, false, MaxShortText)
	if err != nil {
		return fail(err)
	}
	r.Note = note
	if (in.OrderID == nil) == (in.AppointmentID == nil) {
		return fail(FieldErrorf("orderId", "Reserve for exactly one thing: a repair order (orderId) or an appointment (appointmentId)."))
	}
	o := t.Order
	if in.OrderID != nil {
		if o.SiteID != p.SiteID {
			return fail(ErrPartOtherSite())
		}
		if !o.State.Open() || o.State == OrderSettled {
			return fail(Errorf(EINVALIDTRANSITION, "The repair order is %s; parts can no longer be reserved for it (RESERVE).", o.State.Describe()))
		}
		if in.JobID != nil {
			if t.JobState == nil {
				return fail(ErrJobNotOnOrder())
			}
			if t.JobState.Settled() {
				return fail(Errorf(EINVALIDTRANSITION, "The job is %s; parts can no longer be reserved for it (RESERVE).", t.JobState.Describe()))
			}
		}
	} else {
		if in.JobID != nil {
			return fail(FieldErrorf("jobId", "A job belongs to a repair order; reserve for the order, not the appointment."))
		}
		if t.AppointmentSite == nil || *t.AppointmentSite != p.SiteID {
			return fail(&Error{Code: ENOTFOUND, Field: "appointmentId", Message: "No appointment with that ID exists at this part's site."})
		}
		if t.AppointmentState != AppointmentBooked {
			return fail(Errorf(EINVALIDTRANSITION, "The appointment is %s; parts are reserved only for BOOKED appointments (RESERVE).", t.AppointmentState))
		}
	}
	r.State = Reserve(&p, in.Quantity)
	if r.State == ReservationReserved {
		r.FilledAt = &now
	}
	kind, summary := EventPartsReserved, fmt.Sprintf("Reserved %d × %s", r.Quantity, p.PartNumber)
	if r.State == ReservationWaiting {
		kind = EventPartShortage
		summary = fmt.Sprintf("Part shortage: %d × %s needed, %d available", r.Quantity, p.PartNumber, max(p.Available(), 0))
	}
	if in.OrderID == nil {
		return p, r, Event{SiteID: p.SiteID, Kind: kind, Summary: summary + " for an appointment"}, nil
	}
	return p, r, eventOnOrder(p.SiteID, o, kind, r.JobID, summary), nil
}

// ReceiptInput is goods received into stock.
type ReceiptInput struct {
	Quantity   int
	Urgent     bool
	Warranty   bool
	ForOrderID *OrderID
	Reference  string
}

// ReceiveStock decides goods received for p. forOrderSite is the site of the
// order named by ForOrderID (nil when it does not exist); it must be p's.
// The store then fills waiting reservations (FillWaiting). Errors: INVALID,
// NOT_FOUND.
func ReceiveStock(p Part, in ReceiptInput, forOrderSite *SiteID, by UserID, now time.Time) (Part, StockReceipt, Event, error) {
	if err := ValidQuantity(in.Quantity); err != nil {
		return p, StockReceipt{}, Event{}, err
	}
	ref, err := CheckText("reference", in.Reference, false, MaxShortText)
	if err != nil {
		return p, StockReceipt{}, Event{}, err
	}
	if in.ForOrderID != nil && (forOrderSite == nil || *forOrderSite != p.SiteID) {
		return p, StockReceipt{}, Event{}, &Error{Code: ENOTFOUND, Field: "forOrderId", Message: "No repair order with that ID exists at this part's site."}
	}
	rc := StockReceipt{SiteID: p.SiteID, PartID: p.ID, Quantity: in.Quantity, Urgent: in.Urgent, Warranty: in.Warranty,
		ForOrderID: in.ForOrderID, Reference: ref, ReceivedBy: by, ReceivedAt: now}
	p.OnHand += in.Quantity
	what := "Stock received"
	if rc.Urgent && rc.Warranty {
		what = "Urgent warranty part received"
	} else if rc.Urgent {
		what = "Urgent part received"
	}
	return p, rc, Event{SiteID: p.SiteID, Kind: EventStockReceived, OrderID: rc.ForOrderID,
		Summary: fmt.Sprintf("%s: %d × %s, on hand %d", what, rc.Quantity, p.PartNumber, p.OnHand)}, nil
}

// IssueInput draws Quantity units against a repair order (领料 / 出库).
type IssueInput struct {
	Quantity int
	JobID    *JobID
	DrawnBy  UserID
	// PartLineID is the line the slip counts for (see PickPartLine).
	PartLineID *PartLineID
	// UnitCost is the part's average cost now: the cost of what is issued.
	UnitCost Money
}

// PartIssued is what issuing changes: the part's stock, the reservations
// drawn from (with their new Issued and State) and the issue slip.
type PartIssued struct {
	Part         Part
	Reservations []*PartReservation
	Issue        PartIssue
	Event        Event
}

// IssueParts decides an issue slip of p against order o (p's site, in
// work). held are the order's RESERVED reservations of p, the job's own
// first: they are drawn from before the free stock, and stock never goes
// below zero or below what stays reserved for others. jobOnOrder says
// whether the named job is on o. Errors: INVALID, NOT_FOUND,
// INVALID_TRANSITION.
func IssueParts(p Part, o *Order, held []*PartReservation, in IssueInput, jobOnOrder bool, by UserID, now time.Time) (PartIssued, error) {
	out := PartIssued{}
	if o.SiteID != p.SiteID {
		return out, ErrPartOtherSite()
	}
	if _, err := NextOrderState(o.State, OrderWork); err != nil {
		return out, err
	}
	if err := ValidQuantity(in.Quantity); err != nil {
		return out, err
	}
	if in.JobID != nil && !jobOnOrder {
		return out, ErrJobNotOnOrder()
	}
	use, left := map[PartReservationID]int{}, in.Quantity
	var first *PartReservationID
	for _, r := range held {
		if left == 0 {
			break
		}
		n := min(left, r.Outstanding())
		use[r.ID], left = n, left-n
		if first == nil {
			id := r.ID
			first = &id
		}
	}
	if err := Issue(&p, in.Quantity, in.Quantity-left); err != nil {
		return out, err
	}
	for _, r := range held {
		if n := use[r.ID]; n > 0 {
			c := *r
			c.Issued += n
			c.State = ReservationReserved
			if c.Issued == c.Quantity {
				c.State, c.ClosedAt = ReservationIssued, &now
			}
			out.Reservations = append(out.Reservations, &c)
		}
	}
	out.Part = p
	out.Issue = PartIssue{SiteID: p.SiteID, PartID: p.ID, OrderID: o.ID, JobID: in.JobID, ReservationID: first,
		PartLineID: in.PartLineID, UnitCost: in.UnitCost, Quantity: in.Quantity, DrawnBy: in.DrawnBy, IssuedBy: by, IssuedAt: now}
	out.Event = eventOnOrder(p.SiteID, o, EventPartsIssued, in.JobID, fmt.Sprintf("Issued %d × %s (on hand %d)", in.Quantity, p.PartNumber, p.OnHand))
	return out, nil
}

// ReturnParts decides that q unused units of issue slip is (of order o)
// come back into p's stock. Once the order is settled its bill charged what
// was issued, so nothing comes back against it any more (the bill would no
// longer match the slips). The store then fills waiting reservations.
// Errors: INVALID, INVALID_TRANSITION.
func ReturnParts(p Part, is PartIssue, o *Order, q int, now time.Time) (Part, PartIssue, Event, error) {
	if o.State == OrderSettled || o.State == OrderDelivered {
		return p, is, Event{}, Errorf(EINVALIDTRANSITION, "The repair order is %s and its bill charged these parts; they can no longer be returned against it (RETURN).", o.State.Describe())
	}
	if err := ReturnToStock(&p, &is, q); err != nil {
		return p, is, Event{}, err
	}
	is.ReturnedAt = &now
	return p, is, eventOnOrder(p.SiteID, o, EventPartsReturned, is.JobID, fmt.Sprintf("Returned %d unused × %s", q, p.PartNumber)), nil
}

// ReleaseReservation decides the release of what reservation r still holds
// or awaits, with a reason; o is its order (nil for an appointment's). Held
// stock becomes available again. Errors: INVALID_TRANSITION, INVALID.
func ReleaseReservation(p Part, r PartReservation, o *Order, reason string, now time.Time) (Part, PartReservation, Event, error) {
	if !r.State.Open() {
		return p, r, Event{}, Errorf(EINVALIDTRANSITION, "The reservation is %s; it cannot be released (RELEASE).", r.State)
	}
	why, err := CheckText("reason", reason, true, MaxShortText)
	if err != nil {
		return p, r, Event{}, err
	}
	if r.State == ReservationReserved {
		p.Reserved -= r.Outstanding()
	}
	r.State, r.ClosedAt = ReservationReleased, &now
	summary := fmt.Sprintf("Reservation of %d × %s released: %s", r.Outstanding(), p.PartNumber, why)
	return p, r, eventOnOrder(p.SiteID, o, EventPartsReleased, r.JobID, summary), nil
}

// UnavailableParts returns the part lines of a bill whose part's stock
// cannot cover the bill's whole demand for it: the lines of one part add up
// (two lines of 2 need 4 available), and every line of a short part is
// listed. Lines without a catalogue part, or whose part is not in stock
// (unknown to the caller), are not listed.
func UnavailableParts(lines []*PartLine, stock map[PartID]*Part) []*PartLine {
	need := map[PartID]int{}
	for _, l := range lines {
		if l.PartID != nil {
			need[*l.PartID] += l.Quantity
		}
	}
	out := []*PartLine{}
	for _, l := range lines {
		if l.PartID == nil {
			continue
		}
		if p := stock[*l.PartID]; p != nil && p.Available() < need[*l.PartID] {
			out = append(out, l)
		}
	}
	return out
}

// PartsArrivedEvent is the event of stock of p filling waiting reservation
// r; o is its order (nil for an appointment's).
func PartsArrivedEvent(p *Part, r *PartReservation, o *Order) Event {
	if o == nil {
		return Event{SiteID: p.SiteID, Kind: EventPartsArrived,
			Summary: fmt.Sprintf("Parts arrived for an appointment: %d × %s reserved", r.Quantity, p.PartNumber)}
	}
	return eventOnOrder(p.SiteID, o, EventPartsArrived, r.JobID, fmt.Sprintf("Parts arrived: %d × %s reserved", r.Quantity, p.PartNumber))
}

// ReleaseForOrder releases the open reservations of order o, or of its job
// (nil: the whole order), once the work they were for will not be done (the
// order cancelled or delivered, the job declined): stock they held becomes
// available again in parts (by ID); waiting ones leave the queue, so stock
// received later is not set aside for them. It returns the parts whose
// stock was freed, in ID order (the order they were locked in), and the
// event; ok is false when nothing was open.
func ReleaseForOrder(o *Order, job *JobID, open []*PartReservation, parts map[PartID]*Part, why string, now time.Time) (freed []PartID, ev Event, ok bool) {
	if len(open) == 0 {
		return nil, Event{}, false
	}
	seen := map[PartID]bool{}
	for _, r := range open {
		if p := parts[r.PartID]; r.State == ReservationReserved && p != nil {
			p.Reserved -= r.Outstanding()
			if !seen[p.ID] {
				seen[p.ID] = true
				freed = append(freed, p.ID)
			}
		}
		r.State, r.ClosedAt = ReservationReleased, &now
	}
	slices.Sort(freed)
	return freed, eventOnOrder(o.SiteID, o, EventPartsReleased, job, fmt.Sprintf("%d reservation(s) of parts released: %s", len(open), why)), true
}

// ReservePartLine decides the stock a new catalogue part line pl of order o
// holds: an open reservation of the order for that part not yet tied to a
// line (e.g. an appointment's that became the order's) is tied to it first;
// what it does not cover is reserved anew, or waits as a shortage when the
// stock cannot cover it. It returns the changed part, the reservation tied
// to the line (nil: none was free), the new one (nil: none needed) and the
// event; ok is false for a line without a catalogue part, which holds no stock.
func ReservePartLine(p Part, o *Order, pl PartLine, free []*PartReservation, by UserID, now time.Time) (Part, *PartReservation, *PartReservation, Event, bool) {
	if pl.PartID == nil || *pl.PartID != p.ID {
		return p, nil, nil, Event{}, false
	}
	need := pl.Quantity
	var tied *PartReservation
	for _, r := range free {
		if r.PartID == p.ID && r.State.Open() && r.PartLineID == nil {
			c := *r
			id := pl.ID
			c.PartLineID = &id
			if c.JobID == nil {
				c.JobID = pl.JobID
			}
			c.Version++
			tied = &c
			need -= c.Outstanding()
			break
		}
	}
	if need <= 0 {
		return p, tied, nil, eventOnOrder(p.SiteID, o, EventPartsReserved, pl.JobID,
			fmt.Sprintf("Reserved %d × %s (already set aside)", pl.Quantity, p.PartNumber)), true
	}
	id := pl.ID
	r := PartReservation{SiteID: p.SiteID, PartID: p.ID, OrderID: &o.ID, JobID: pl.JobID, PartLineID: &id, Quantity: need,
		ReservedBy: by, CreatedAt: now, Version: 1}
	r.State = Reserve(&p, need)
	kind, summary := EventPartsReserved, fmt.Sprintf("Reserved %d × %s", need, p.PartNumber)
	if r.State == ReservationReserved {
		r.FilledAt = &now
	} else {
		kind = EventPartShortage
		summary = fmt.Sprintf("Part shortage: %d × %s needed, %d available", need, p.PartNumber, max(p.Available(), 0))
	}
	return p, tied, &r, eventOnOrder(p.SiteID, o, kind, pl.JobID, summary), true
}

// AdoptAppointmentReservations makes the open reservations of the
// appointment the car came in for the reservations of its first repair
// order o: what was set aside for the car is issued to the car's own order,
// not counted as "reserved for others". ok is false when there were none.
func AdoptAppointmentReservations(o *Order, rs []*PartReservation) (adopted []*PartReservation, ev Event, ok bool) {
	for _, r := range rs {
		if !r.State.Open() || r.AppointmentID == nil {
			continue
		}
		c := *r
		c.FromAppointmentID, c.AppointmentID = r.AppointmentID, nil
		c.OrderID = &o.ID
		c.Version++
		adopted = append(adopted, &c)
	}
	if len(adopted) == 0 {
		return nil, Event{}, false
	}
	return adopted, eventOnOrder(o.SiteID, o, EventPartsReserved, nil,
		fmt.Sprintf("%d reservation(s) of the appointment now held for this order", len(adopted))), true
}

// DropPartLine decides the removal of part line pl from order o once work
// began (a draft's lines go through RemoveOrderLine): the part turned out
// not to be needed. Only a line with nothing issued against it, or all of it
// returned, may go, so the bill never loses parts the car got; the store
// releases what the line still holds. Errors: INVALID_TRANSITION, INVALID.
func DropPartLine(o *Order, pl PartLine, net int, reason string) (Event, error) {
	if !o.State.Open() || o.State == OrderSettled || o.State == OrderDraft {
		return Event{}, Errorf(EINVALIDTRANSITION, "The repair order is %s; a part line is dropped only from a signed order not yet settled (DROP).", o.State.Describe())
	}
	why, err := CheckText("reason", reason, true, MaxShortText)
	if err != nil {
		return Event{}, err
	}
	if net > 0 {
		return Event{}, FieldErrorf("partLineId", "%d × %s were issued against this line and not returned; return them first.", net, pl.PartNumber)
	}
	return eventOnOrder(o.SiteID, o, EventOrderEdited, pl.JobID, fmt.Sprintf("Part line %s × %d dropped: %s", pl.PartNumber, pl.Quantity, why)), nil
}
