package shop

import "time"

// ReservationState is where a reservation of parts stands.
type ReservationState string

// Reservation states. Only RESERVED counts in a part's reserved quantity: a
// WAITING reservation is a shortage (the stock could not cover it) and its job
// shows as waiting for parts until received stock fills it.
const (
	ReservationWaiting  ReservationState = "WAITING"
	ReservationReserved ReservationState = "RESERVED"
	ReservationIssued   ReservationState = "ISSUED"
	ReservationReleased ReservationState = "RELEASED"
)

// Open reports whether the reservation still holds or waits for stock.
func (s ReservationState) Open() bool { return s == ReservationWaiting || s == ReservationReserved }

// PartReservation sets parts aside for an appointment (预约备件) or a repair
// order, optionally for one job of it.
type PartReservation struct {
	ID            PartReservationID
	SiteID        SiteID
	PartID        PartID
	OrderID       *OrderID
	JobID         *JobID
	AppointmentID *AppointmentID
	// PartLineID is the order's part line the reservation holds stock for.
	PartLineID *PartLineID
	// FromAppointmentID is the appointment it was made for before the car
	// came in and it became the order's.
	FromAppointmentID *AppointmentID
	Quantity          int
	// Issued is how much of it was drawn already.
	Issued     int
	State      ReservationState
	ReservedBy UserID
	Note       string
	CreatedAt  time.Time
	FilledAt   *time.Time
	ClosedAt   *time.Time
	Version    int
}

// Outstanding returns the quantity still held or awaited.
func (r *PartReservation) Outstanding() int { return r.Quantity - r.Issued }

// PartIssue is an issue slip (出库单): parts drawn (领料) against a repair order.
type PartIssue struct {
	ID            PartIssueID
	SiteID        SiteID
	PartID        PartID
	OrderID       OrderID
	JobID         *JobID
	ReservationID *PartReservationID
	// PartLineID is the order's part line the slip counts for: the bill
	// charges a line what was issued against it minus what came back. nil
	// for parts drawn with no line (not billed).
	PartLineID *PartLineID
	// UnitCost is the part's average cost when issued.
	UnitCost Money
	Quantity int
	// Returned is how many unused units came back to stock.
	Returned   int
	DrawnBy    UserID
	IssuedBy   UserID
	IssuedAt   time.Time
	ReturnedAt *time.Time
}

// StockReceipt is goods received into stock, e.g. an urgent warranty part.
type StockReceipt struct {
	ID         StockReceiptID
	SiteID     SiteID
	PartID     PartID
	Quantity   int
	Urgent     bool
	Warranty   bool
	ForOrderID *OrderID
	Reference  string
	ReceivedBy UserID
	ReceivedAt time.Time
	// PurchaseOrderLineID is the purchase order line received against, if any.
	PurchaseOrderLineID *PurchaseOrderLineID
	// UnitCost is what a unit cost, when known (purchase orders).
	UnitCost *Money
}

// Reserve sets q units of p aside when the available stock covers them and
// returns RESERVED; otherwise nothing is set aside and it returns WAITING.
func Reserve(p *Part, q int) ReservationState {
	if p.Available() >= q {
		p.Reserved += q
		return ReservationReserved
	}
	return ReservationWaiting
}

// Issue takes q units of p out of stock. held is how many of them were
// reserved for this draw (they stop counting as reserved). Stock never goes
// below zero or below what stays reserved for others: INVALID on "quantity".
func Issue(p *Part, q, held int) error {
	if err := ValidQuantity(q); err != nil {
		return err
	}
	if held < 0 || held > q || held > p.Reserved {
		return FieldErrorf("quantity", "The reservation does not match the stock of part %s.", p.PartNumber)
	}
	if can := p.Available() + held; can < q {
		return FieldErrorf("quantity", "Only %d of part %s can be issued (on hand %d, reserved for others %d); %d were asked for.",
			max(can, 0), p.PartNumber, p.OnHand, p.Reserved-held, q)
	}
	p.OnHand -= q
	p.Reserved -= held
	return nil
}

// ReturnToStock puts q unused units of an issue back into stock.
func ReturnToStock(p *Part, is *PartIssue, q int) error {
	if err := ValidQuantity(q); err != nil {
		return err
	}
	if left := is.Quantity - is.Returned; q > left {
		return FieldErrorf("quantity", "Only %d of the %d units issued can still be returned; %d were given.", left, is.Quantity, q)
	}
	is.Returned += q
	p.OnHand += q
	return nil
}

// FillWaiting reserves received stock for waiting reservations, first come
// first served: it stops at the first one the stock cannot cover, so a large
// early request is not overtaken forever by small later ones. It returns the
// reservations it filled, now RESERVED.
func FillWaiting(p *Part, waiting []*PartReservation, now time.Time) []*PartReservation {
	var filled []*PartReservation
	for _, r := range waiting {
		if r.State != ReservationWaiting {
			continue
		}
		if p.Available() < r.Outstanding() {
			break
		}
		p.Reserved += r.Outstanding()
		r.State = ReservationReserved
		t := now
		r.FilledAt = &t
		filled = append(filled, r)
	}
	return filled
}
