package shop

import "time"

// WarrantyDecision records that a job is under warranty (质保范围判定): who
// decided and why. Its labour and parts are then billed to the maker.
type WarrantyDecision struct {
	JobID     JobID
	SiteID    SiteID
	OrderID   OrderID
	Reason    string
	DecidedBy UserID
	DecidedAt time.Time
}

// ClaimState is where a warranty claim (索赔单) stands.
type ClaimState string

// Claim states.
const (
	ClaimDraft     ClaimState = "DRAFT"     // being prepared; lines and texts may change
	ClaimSubmitted ClaimState = "SUBMITTED" // sent to the maker
	ClaimApproved  ClaimState = "APPROVED"  // the maker accepted it
	ClaimRejected  ClaimState = "REJECTED"  // the maker refused it, with a reason
	ClaimPaid      ClaimState = "PAID"      // the maker paid
)

// ClaimAction is something that moves a claim.
type ClaimAction string

// Claim actions.
const (
	ClaimEdit    ClaimAction = "EDIT"
	ClaimSubmit  ClaimAction = "SUBMIT"
	ClaimApprove ClaimAction = "APPROVE"
	ClaimReject  ClaimAction = "REJECT"
	ClaimPay     ClaimAction = "PAY"
	// ClaimRevise takes a rejected claim back to draft to correct and resubmit it.
	ClaimRevise ClaimAction = "REVISE"
)

var claimMachine = map[ClaimState]map[ClaimAction]ClaimState{
	ClaimDraft:     {ClaimEdit: ClaimDraft, ClaimSubmit: ClaimSubmitted},
	ClaimSubmitted: {ClaimApprove: ClaimApproved, ClaimReject: ClaimRejected},
	ClaimApproved:  {ClaimPay: ClaimPaid},
	ClaimRejected:  {ClaimRevise: ClaimDraft},
}

// NextClaimState returns the state action leads a claim to, or
// INVALID_TRANSITION naming the state and the action.
func NextClaimState(s ClaimState, a ClaimAction) (ClaimState, error) {
	if next, ok := claimMachine[s][a]; ok {
		return next, nil
	}
	return s, Errorf(EINVALIDTRANSITION, "The warranty claim is %s; it cannot %s now.", s.Describe(), a.Describe())
}

// Describe returns a readable phrase for the state.
func (s ClaimState) Describe() string {
	switch s {
	case ClaimDraft:
		return "a draft (DRAFT)"
	case ClaimSubmitted:
		return "submitted to the maker (SUBMITTED)"
	case ClaimApproved:
		return "approved by the maker (APPROVED)"
	case ClaimRejected:
		return "rejected by the maker (REJECTED)"
	case ClaimPaid:
		return "paid (PAID)"
	}
	return string(s)
}

// Describe returns a readable verb phrase for the action.
func (a ClaimAction) Describe() string {
	switch a {
	case ClaimEdit:
		return "be changed (EDIT)"
	case ClaimSubmit:
		return "be submitted (SUBMIT)"
	case ClaimApprove:
		return "be approved (APPROVE)"
	case ClaimReject:
		return "be rejected (REJECT)"
	case ClaimPay:
		return "be marked paid (PAY)"
	case ClaimRevise:
		return "be revised (REVISE)"
	}
	return string(a)
}

// WarrantyClaim gathers warranty jobs of a repair order for the maker, with
// complaint / cause / correction and the causal part.
type WarrantyClaim struct {
	ID               WarrantyClaimID
	SiteID           SiteID
	OrderID          OrderID
	Number           string
	State            ClaimState
	Complaint        string
	Cause            string
	Correction       string
	CausalPartNumber string
	LabourAmount     Money
	PartsAmount      Money
	PaidAmount       *Money
	RejectReason     string
	MakerReference   string
	CreatedBy        UserID
	SubmittedAt      *time.Time
	DecidedAt        *time.Time
	PaidAt           *time.Time
	Version          int
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Total returns the amount claimed.
func (c *WarrantyClaim) Total() Money { return c.LabourAmount + c.PartsAmount }

// ClaimAmounts adds up the warranty share of the claimed jobs: their labour
// and their part lines, where the maker pays. Jobs that are not billable
// (declined, cancelled) claim nothing.
func ClaimAmounts(jobs []*Job, parts []*PartLine) (labour, partsAmount Money) {
	claimed := map[JobID]bool{}
	for _, j := range jobs {
		if j.State.Billable() && j.Payer == PayerWarranty {
			claimed[j.ID] = true
			labour += j.LabourPrice
		}
	}
	for _, p := range parts {
		if p.JobID != nil && claimed[*p.JobID] && p.Payer == PayerWarranty {
			partsAmount += p.Total()
		}
	}
	return labour, partsAmount
}

// CheckClaimComplete says whether a claim may be submitted: complaint, cause,
// correction and causal part filled in, and something claimed. INVALID names
// the missing field.
func CheckClaimComplete(c *WarrantyClaim, jobs int) error {
	switch {
	case jobs == 0:
		return FieldErrorf("jobIds", "A claim needs at least one warranty job.")
	case c.Complaint == "":
		return FieldErrorf("complaint", "Describe the customer's complaint before submitting the claim.")
	case c.Cause == "":
		return FieldErrorf("cause", "State the cause before submitting the claim.")
	case c.Correction == "":
		return FieldErrorf("correction", "State the correction made before submitting the claim.")
	case c.CausalPartNumber == "":
		return FieldErrorf("causalPartNumber", "Name the causal part before submitting the claim.")
	case c.Total() <= 0:
		return FieldErrorf("jobIds", "The claimed jobs carry no warranty amount.")
	}
	return nil
}

// Disposition is what becomes of a retained warranty part (保修件).
type Disposition string

// Dispositions: kept in the warranty store until the deadline, then shipped
// back to the maker or scrapped as the maker instructs.
const (
	DispositionKept        Disposition = "KEPT"
	DispositionShippedBack Disposition = "SHIPPED_BACK"
	DispositionScrapped    Disposition = "SCRAPPED"
)

// RetainedPart is a replaced part of a warranty job kept for the maker.
type RetainedPart struct {
	ID          RetainedPartID
	SiteID      SiteID
	OrderID     OrderID
	ClaimID     *WarrantyClaimID
	PartNumber  string
	Description string
	Quantity    int
	Location    string
	Disposition Disposition
	// Deadline is the local day by which the part must be shipped back or scrapped.
	Deadline    time.Time
	ShipmentRef string
	RetainedBy  UserID
	RetainedAt  time.Time
	DisposedBy  *UserID
	DisposedAt  *time.Time
	Version     int
}

// DefaultRetentionDays is how long a retained part is kept when no deadline is given.
const DefaultRetentionDays = 30

// Dispose moves a retained part to its final disposition. Only a KEPT part
// can move; shipping back needs the shipment reference. Errors:
// INVALID_TRANSITION, INVALID.
func (r *RetainedPart) Dispose(d Disposition, ref string, by UserID, now time.Time) error {
	if r.Disposition != DispositionKept {
		return Errorf(EINVALIDTRANSITION, "The retained part is already %s; it cannot become %s.", r.Disposition, d)
	}
	switch d {
	case DispositionShippedBack:
		if ref == "" {
			return FieldErrorf("shipmentRef", "Give the shipment reference of the parts shipped back to the maker.")
		}
	case DispositionScrapped:
	default:
		return FieldErrorf("disposition", "A retained part can be SHIPPED_BACK or SCRAPPED; %q is not a final disposition.", d)
	}
	r.Disposition, r.ShipmentRef, r.DisposedBy, r.DisposedAt = d, ref, &by, &now
	return nil
}

// Overdue reports whether the part is still kept after its deadline day, in loc.
func (r *RetainedPart) Overdue(now time.Time, loc *time.Location) bool {
	return r.Disposition == DispositionKept && LocalDate(now, loc).After(r.Deadline)
}

// LocalDate returns the calendar day of t in loc, as midnight UTC of that
// date: the form DATE columns and the Date scalar use.
func LocalDate(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DaysBetween returns the number of calendar days from date a to date b (both as from LocalDate).
func DaysBetween(a, b time.Time) int {
	return int(b.Sub(a).Hours() / 24)
}
