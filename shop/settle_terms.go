package shop

import (
	"fmt"
	"time"
)

// SignOffThreshold is the bill above which the service manager signs the
// settlement off first. The seeds' service manager "takes part in the work
// of customers paying more than ten thousand yuan" (万元以上付出金额的客户);
// we read that as a bill (labour + parts, before any discount) over ¥10,000.
const SignOffThreshold Money = 10_000_00

// SettleTerms is everything a settlement needs besides the bill: what the
// store loaded (the appointment's deposit, the approvals, the customer's
// account) and the cashier's money inputs. The zero value settles as before
// issue 15: no deposit, no discount, the customer's share paid in full now.
type SettleTerms struct {
	// Deposit is the appointment's deposit (定金) still to be credited; zero
	// when the visit had none or another order of the visit already took it.
	Deposit Money
	// DepositFrom is the appointment that took the deposit, nil when none.
	DepositFrom *AppointmentID
	// Discount is the discount approved for the order, nil when none.
	Discount *Approval
	// SignOff is the service manager's sign-off of the bill, nil when none.
	SignOff *Approval
	// Account is the customer's account (签单), nil when they have none;
	// AccountOwed is what the account owes already.
	Account     *CustomerAccount
	AccountOwed Money
	// ChargeToAccount puts the customer's share (less the deposit) on the account.
	ChargeToAccount bool
	// AmountPaid is what the customer pays at the counter now; nil pays the
	// balance in full, as a cashier settling with a payment method always has.
	AmountPaid *Money
	// InvoiceNumber is the invoice (发票) number, "" when it comes later;
	// InvoiceUsedBy is the order already holding that number at the site.
	InvoiceNumber string
	InvoiceUsedBy *OrderID
}

// ApprovalKind is what an approval on a repair order's bill is for.
type ApprovalKind string

// Approval kinds.
const (
	ApprovalDiscount ApprovalKind = "DISCOUNT"
	ApprovalSignOff  ApprovalKind = "SIGN_OFF"
)

// Approval is a discount approved, or a bill signed off, before settlement:
// who, in which role, for how much (the discount, or the bill total signed
// off), and why.
type Approval struct {
	OrderID      OrderID
	SiteID       SiteID
	Kind         ApprovalKind
	Amount       Money
	Reason       string
	ApprovedBy   UserID
	ApproverRole Role
	ApprovedAt   time.Time
}

// DiscountLimit is the largest discount role may approve on a customer share
// of owed: an advisor 5% up to ¥500, the service manager (or an
// administrator) 30%; nobody else any. A larger cut is a price change on the
// lines, not a discount.
func DiscountLimit(role Role, owed Money) Money {
	switch role {
	case RoleAdvisor:
		return min(owed*5/100, 500_00)
	case RoleServiceManager, RoleAdmin:
		return owed * 30 / 100
	}
	return 0
}

// settleable reports whether an order can still have its bill approved.
func settleable(o *Order) error {
	switch o.State {
	case OrderSettled, OrderDelivered, OrderCancelled:
		return Errorf(EINVALIDTRANSITION, "Repair order %s is %s: its bill can no longer be approved.", o.Number, o.State)
	}
	return nil
}

// ApproveDiscount records the discount the approver gives on the customer's
// share of the bill, with the reason; it replaces an earlier approval.
// Errors: INVALID_TRANSITION once settled, INVALID naming amount or reason,
// FORBIDDEN beyond what the approver's role may give (DiscountLimit).
func ApproveDiscount(o *Order, b Bill, by *Actor, amount Money, reason string, now time.Time) (Approval, Event, error) {
	if err := settleable(o); err != nil {
		return Approval{}, Event{}, err
	}
	reason, err := CheckText("reason", reason, true, MaxShortText)
	if err != nil {
		return Approval{}, Event{}, err
	}
	owed := b.ByPayer[PayerCustomer]
	if amount <= 0 || amount > owed {
		return Approval{}, Event{}, FieldErrorf("amount", "A discount must be more than 0 and at most the customer's share of %s; %s is not.", owed, amount)
	}
	if limit := DiscountLimit(by.Role, owed); amount > limit {
		return Approval{}, Event{}, &Error{Code: EFORBIDDEN, Field: "amount", Message: fmt.Sprintf(
			"Your role (%s) may approve a discount of at most %s on this bill; %s needs the service manager.", by.Role, limit, amount)}
	}
	a := Approval{OrderID: o.ID, SiteID: o.SiteID, Kind: ApprovalDiscount, Amount: amount, Reason: reason,
		ApprovedBy: by.UserID, ApproverRole: by.Role, ApprovedAt: now}
	return a, OrderEvent(o, EventDiscountApproved, nil, fmt.Sprintf("Discount of %s approved by %s: %s", amount, by.Name, reason)), nil
}

// SignOffBill records the service manager's sign-off of the bill as it
// stands (its total before discount); a bill that changes afterwards needs a
// new one. Errors: INVALID_TRANSITION once settled, FORBIDDEN for anyone but
// the service manager.
func SignOffBill(o *Order, b Bill, by *Actor, now time.Time) (Approval, Event, error) {
	if err := settleable(o); err != nil {
		return Approval{}, Event{}, err
	}
	if by.Role != RoleServiceManager {
		return Approval{}, Event{}, Errorf(EFORBIDDEN, "Only the service manager signs off a bill; your role is %s.", by.Role)
	}
	a := Approval{OrderID: o.ID, SiteID: o.SiteID, Kind: ApprovalSignOff, Amount: b.Total, ApprovedBy: by.UserID,
		ApproverRole: by.Role, ApprovedAt: now}
	return a, OrderEvent(o, EventBillSignedOff, nil, fmt.Sprintf("Bill of %s signed off by %s", b.Total, by.Name)), nil
}

// CheckSignOff says whether a bill may be settled as signed off: a bill over
// SignOffThreshold needs the service manager's sign-off of this very total.
// It returns INVALID naming managerSignOff, saying what is missing.
func CheckSignOff(b Bill, s *Approval) error {
	if b.Total <= SignOffThreshold {
		return nil
	}
	if s == nil {
		return FieldErrorf("managerSignOff", "The bill is %s, over %s: the service manager must sign it off (signOffBill) before settlement.", b.Total, SignOffThreshold)
	}
	if s.Amount != b.Total {
		return FieldErrorf("managerSignOff", "The service manager signed off %s, but the bill is now %s: ask for a new sign-off.", s.Amount, b.Total)
	}
	return nil
}

// CheckDiscount returns the discount to apply: none without an approval,
// else the approved amount if it still fits the customer's share and the
// approver's limit on the bill as it is now. Errors: INVALID naming discount.
func CheckDiscount(b Bill, d *Approval) (Money, error) {
	if d == nil {
		return 0, nil
	}
	owed := b.ByPayer[PayerCustomer]
	if d.Amount > owed || d.Amount > DiscountLimit(d.ApproverRole, owed) {
		return 0, FieldErrorf("discount", "The approved discount of %s no longer fits the customer's share of %s (the bill changed): ask for a new approval.", d.Amount, owed)
	}
	return d.Amount, nil
}

// CreditDeposit splits the appointment's deposit against what the customer
// owes: credited up to the share, the rest refunded. credited + refund is
// always the deposit, so it is counted exactly once.
func CreditDeposit(deposit, owed Money) (credited, refund Money) {
	credited = min(max(owed, 0), deposit)
	return credited, deposit - credited
}

// CheckInsurerAssessment refuses insurer lines without the insurer's
// assessment (定损单): an insurance car is not released without it.
// Errors: INVALID naming assessmentReference.
func CheckInsurerAssessment(o *Order, b Bill) error {
	if b.ByPayer[PayerInsurer] > 0 && o.AssessmentReference == "" {
		return FieldErrorf("assessmentReference", "Lines are billed to the insurer, but the insurer's assessment (定损单) is not recorded; an insurance car is not released without it.")
	}
	return nil
}

// PriceSettlement turns a bill into the settlement's amounts under the
// terms: the service manager's sign-off, the discount off the customer's
// share, the deposit credited once, the customer's share charged to their
// account (签单) within its credit limit, and what is paid now (never more
// than the balance; a payment method when anything is). Every payer's
// share adds up to the total. Errors: INVALID naming the field at fault,
// CONFLICT naming invoiceNumber when another order holds the number.
func PriceSettlement(o *Order, b Bill, t SettleTerms) (Settlement, error) {
	if err := CheckSignOff(b, t.SignOff); err != nil {
		return Settlement{}, err
	}
	if err := CheckInsurerAssessment(o, b); err != nil {
		return Settlement{}, err
	}
	discount, err := CheckDiscount(b, t.Discount)
	if err != nil {
		return Settlement{}, err
	}
	invoice, err := CheckInvoiceNumber(t.InvoiceNumber, t.InvoiceUsedBy, o.ID)
	if err != nil {
		return Settlement{}, err
	}
	owed := b.ByPayer[PayerCustomer] - discount
	s := Settlement{Labour: b.Labour, Parts: b.Parts, Discount: discount, Total: b.Total - discount,
		WarrantyShare: b.ByPayer[PayerWarranty], InsurerShare: b.ByPayer[PayerInsurer], InternalShare: b.ByPayer[PayerInternal],
		CustomerShare: owed, InvoiceNumber: invoice}
	if t.Deposit > 0 {
		s.DepositCredited, s.DepositRefund = CreditDeposit(t.Deposit, owed)
		s.DepositFrom = t.DepositFrom
	}
	if t.Discount != nil {
		s.DiscountApprovedBy = &t.Discount.ApprovedBy
		s.DiscountReason = t.Discount.Reason
	}
	if t.SignOff != nil && b.Total > SignOffThreshold {
		s.SignedOffBy = &t.SignOff.ApprovedBy
	}
	if t.ChargeToAccount {
		if t.Account == nil {
			return Settlement{}, FieldErrorf("chargeToAccount", "This customer has no account (签单): they pay at the counter, or the service manager opens an account first.")
		}
		s.AccountShare, s.CustomerShare = owed-s.DepositCredited, s.DepositCredited
		if after := t.AccountOwed + s.AccountShare; s.AccountShare > 0 && after > t.Account.CreditLimit {
			return Settlement{}, FieldErrorf("chargeToAccount", "Charging %s would bring the account to %s, over its credit limit of %s: take payment instead.", s.AccountShare, after, t.Account.CreditLimit)
		}
	}
	balance := s.BalanceDue()
	paid := balance
	if t.AmountPaid != nil {
		paid = *t.AmountPaid
		if paid < 0 || paid > balance {
			return Settlement{}, FieldErrorf("amountPaid", "The customer owes %s now; a payment of %s is not possible (at least 0, at most what is owed).", balance, paid)
		}
	}
	if paid > 0 && (o.PaymentMethod == PayNone || o.PaymentMethod == "") {
		return Settlement{}, FieldErrorf("paymentMethod", "The customer owes %s; choose how they pay.", paid)
	}
	s.Paid = paid
	return s, nil
}

// BalanceDue is what the customer still owes at the counter: their share
// less the deposit credited and what they paid.
func (s *Settlement) BalanceDue() Money {
	return s.CustomerShare - s.DepositCredited - s.Paid
}

// CheckInvoiceNumber validates an invoice (发票) number: optional, at most 40
// characters, and not held by another order of the site (usedBy). Errors:
// INVALID or CONFLICT naming invoiceNumber.
func CheckInvoiceNumber(n string, usedBy *OrderID, self OrderID) (string, error) {
	n, err := CheckText("invoiceNumber", n, false, 40)
	if err != nil {
		return "", err
	}
	if n != "" && usedBy != nil && *usedBy != self {
		return "", Conflictf("invoiceNumber", "Invoice %s is already recorded on another repair order of this site.", n)
	}
	return n, nil
}

// RecordInvoice records the invoice (发票) number on a settlement that has
// none yet (a wrong invoice is voided in the tax system, not overwritten
// here). Errors: INVALID or CONFLICT naming invoiceNumber.
func RecordInvoice(o *Order, s Settlement, number string, usedBy *OrderID) (Settlement, Event, error) {
	n, err := CheckInvoiceNumber(number, usedBy, s.OrderID)
	if err != nil {
		return s, Event{}, err
	}
	if n == "" {
		return s, Event{}, FieldErrorf("invoiceNumber", "Invoice number must not be empty.")
	}
	if s.InvoiceNumber != "" {
		return s, Event{}, Conflictf("invoiceNumber", "Invoice %s is already recorded on this settlement.", s.InvoiceNumber)
	}
	s.InvoiceNumber = n
	return s, OrderEvent(o, EventInvoiceRecorded, nil, "Invoice "+n+" recorded"), nil
}

// DepositDue is the appointment's deposit a settlement credits: all of it,
// unless a settlement of the visit's other order already took it, for a
// deposit is counted once.
func DepositDue(deposit Money, alreadyCredited bool) Money {
	if alreadyCredited {
		return 0
	}
	return deposit
}
