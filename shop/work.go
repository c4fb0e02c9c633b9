package shop

import "time"

// PartLine is a part on a repair order: estimated at the estimate, drawn from
// stock (领料) during work.
type PartLine struct {
	ID          PartLineID
	SiteID      SiteID
	OrderID     OrderID
	JobID       *JobID
	PartID      *PartID
	PartNumber  string
	Description string
	Quantity    int
	UnitPrice   Money
	Payer       Payer
	// Additional marks parts of additional work; they count once approved.
	Additional bool
	CreatedAt  time.Time
	// Drawn is what was issued against the line less what came back, nil
	// while nothing was ever issued. Not a column: read with the line where
	// a bill is computed (see BillingPartLines).
	Drawn *int `db:"-"`
}

// Total returns the line's price.
func (p *PartLine) Total() Money { return p.UnitPrice.Times(p.Quantity) }

// Part is a catalogue part with stock (备品库存).
type Part struct {
	ID          PartID
	SiteID      SiteID
	PartNumber  string
	Description string
	UnitPrice   Money
	OnHand      int
	Reserved    int
	// ReorderPoint lists the part for reordering at or below it (0: never).
	ReorderPoint int
	// AvgCost is the moving average cost of a unit in stock.
	AvgCost Money
}

// Available returns the quantity that can still be promised.
func (p *Part) Available() int { return p.OnHand - p.Reserved }

// ValidQuantity checks a part quantity.
func ValidQuantity(q int) error {
	if q <= 0 || q > 10_000 {
		return FieldErrorf("quantity", "Quantity must be between 1 and 10,000; %d is not.", q)
	}
	return nil
}

// ValidLabourMinutes checks an estimated labour time.
func ValidLabourMinutes(m int) error {
	if m <= 0 || m > 60*24*30 {
		return FieldErrorf("labourMinutes", "Labour time must be between 1 minute and 30 days; %d minutes is not.", m)
	}
	return nil
}

// ValidPrice checks a price: zero or more, at most MaxMoney.
func ValidPrice(field string, m Money) error {
	if m < 0 || m > MaxMoney {
		return FieldErrorf(field, "A price cannot be negative or larger than %s; %s is not allowed.", MaxMoney, m)
	}
	return nil
}

// AdditionalWorkState is where a request for additional work stands.
type AdditionalWorkState string

// Additional work states.
const (
	AdditionalRequested AdditionalWorkState = "REQUESTED"
	AdditionalApproved  AdditionalWorkState = "APPROVED"
	AdditionalDeclined  AdditionalWorkState = "DECLINED"
)

// ContactMethod is how the customer was asked.
type ContactMethod string

// Contact methods.
const (
	ContactPhone    ContactMethod = "PHONE"
	ContactInPerson ContactMethod = "IN_PERSON"
	ContactMessage  ContactMethod = "MESSAGE"
)

// AdditionalWork is additional work (增项) found during repair. Its job waits
// in PENDING_APPROVAL until the customer agrees; work cannot start before.
type AdditionalWork struct {
	ID           AdditionalWorkID
	SiteID       SiteID
	OrderID      OrderID
	FoundOnJobID *JobID
	JobID        JobID
	Description  string
	Reason       string
	LabourPrice  Money
	PartsPrice   Money
	ExtraMinutes int
	Safety       bool
	State        AdditionalWorkState
	RequestedBy  UserID
	RequestedAt  time.Time
	DecidedBy    *UserID
	DecidedAt    *time.Time
	// CustomerContact is who on the customer's side answered, and how.
	CustomerContact string
	ContactMethod   *ContactMethod
	DecisionNote    string
	Version         int
}

// Total returns the additional work's price.
func (a *AdditionalWork) Total() Money { return a.LabourPrice + a.PartsPrice }

// CheckKind is which of the three checks (自检, 班组长检验, 总检) a check is.
type CheckKind string

// Check kinds.
const (
	CheckSelf     CheckKind = "SELF"
	CheckTeamLead CheckKind = "TEAM_LEAD"
	CheckFinal    CheckKind = "FINAL"
)

// Check is the record of one check: who, when, pass or fail, notes.
type Check struct {
	ID        CheckID
	SiteID    SiteID
	OrderID   OrderID
	JobID     *JobID
	Kind      CheckKind
	Passed    bool
	Notes     string
	CheckedBy UserID
	CheckedAt time.Time
}

// Settlement is the itemised bill of a repair order (结算单).
type Settlement struct {
	ID               SettlementID
	SiteID           SiteID
	OrderID          OrderID
	Labour           Money
	Parts            Money
	Total            Money
	CustomerShare    Money
	WarrantyShare    Money
	InsurerShare     Money
	InternalShare    Money
	PaymentMethod    PaymentMethod
	PaymentReference string
	SettledBy        UserID
	SettledAt        time.Time

	// Money that adds up (issue 15, see shop/settle_terms.go): Total is
	// Labour + Parts − Discount and equals the sum of the five shares.
	Discount           Money
	DiscountReason     string
	DiscountApprovedBy *UserID
	AccountShare       Money // the customer's share put on their account (签单)
	DepositCredited    Money
	DepositRefund      Money
	DepositFrom        *AppointmentID
	Paid               Money // paid at the counter, besides the deposit
	InvoiceNumber      string
	SignedOffBy        *UserID
}
