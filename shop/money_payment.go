package shop

import (
	"fmt"
	"io"
	"time"
)

// Money that adds up (issue 15): payments at the counter, receivables from
// the insurer, the maker and account customers, and the events they write.

// Global ID types of the money records.
type (
	PaymentID           int64
	ReceivableID        int64
	ReceivablePaymentID int64
)

// Type names of the money records in global IDs.
const (
	TypePayment           = "Payment"
	TypeReceivable        = "Receivable"
	TypeReceivablePayment = "ReceivablePayment"
)

// MarshalGQL writes the global ID.
func (id PaymentID) MarshalGQL(w io.Writer) { marshalID(w, TypePayment, int64(id)) }

// UnmarshalGQL reads a global ID of a Payment; INVALID for any other.
func (id *PaymentID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypePayment)
	*id = PaymentID(n)
	return err
}

// MarshalGQL writes the global ID.
func (id ReceivableID) MarshalGQL(w io.Writer) { marshalID(w, TypeReceivable, int64(id)) }

// UnmarshalGQL reads a global ID of a Receivable; INVALID for any other.
func (id *ReceivableID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeReceivable)
	*id = ReceivableID(n)
	return err
}

// MarshalGQL writes the global ID.
func (id ReceivablePaymentID) MarshalGQL(w io.Writer) {
	marshalID(w, TypeReceivablePayment, int64(id))
}

// UnmarshalGQL reads a global ID of a ReceivablePayment; INVALID for any other.
func (id *ReceivablePaymentID) UnmarshalGQL(v any) error {
	n, err := unmarshalID(v, TypeReceivablePayment)
	*id = ReceivablePaymentID(n)
	return err
}

// Event kinds of money.
const (
	EventDiscountApproved   EventKind = "DISCOUNT_APPROVED"
	EventBillSignedOff      EventKind = "BILL_SIGNED_OFF"
	EventPaymentReceived    EventKind = "PAYMENT_RECEIVED"
	EventInvoiceRecorded    EventKind = "INVOICE_RECORDED"
	EventReceivablePaid     EventKind = "RECEIVABLE_PAID"
	EventCustomerAccountSet EventKind = "CUSTOMER_ACCOUNT_SET"
)

// Payment is money the customer paid at the counter against a settlement:
// part payments are several of them.
type Payment struct {
	ID           PaymentID
	SiteID       SiteID
	SettlementID SettlementID
	OrderID      OrderID
	Amount       Money
	Method       PaymentMethod
	Reference    string
	ReceivedBy   UserID
	ReceivedAt   time.Time
}

// CounterPayment is the payment taken at settlement itself, ok false when
// nothing was paid then.
func CounterPayment(s Settlement) (Payment, bool) {
	if s.Paid <= 0 {
		return Payment{}, false
	}
	return Payment{SiteID: s.SiteID, SettlementID: s.ID, OrderID: s.OrderID, Amount: s.Paid, Method: s.PaymentMethod,
		Reference: s.PaymentReference, ReceivedBy: s.SettledBy, ReceivedAt: s.SettledAt}, true
}

// RecordPayment takes a payment of the customer's balance on a settled
// order: more than 0, never more than the balance, with a real method.
// Errors: INVALID_TRANSITION unless the order is settled and not delivered,
// INVALID naming amount, method or reference.
func RecordPayment(o *Order, s Settlement, amount Money, method PaymentMethod, reference string, by UserID, now time.Time) (Settlement, Payment, Event, error) {
	if o.State != OrderSettled {
		return s, Payment{}, Event{}, Errorf(EINVALIDTRANSITION, "Repair order %s is %s: payments are taken between settlement and delivery.", o.Number, o.State)
	}
	ref, err := CheckText("reference", reference, false, MaxShortText)
	if err != nil {
		return s, Payment{}, Event{}, err
	}
	if !method.Valid() || method == PayNone {
		return s, Payment{}, Event{}, FieldErrorf("method", "Choose how the customer pays (cash, card, WeChat Pay, Alipay or bank transfer).")
	}
	balance := s.BalanceDue()
	if amount <= 0 || amount > balance {
		return s, Payment{}, Event{}, FieldErrorf("amount", "The customer owes %s; a payment of %s is not possible (more than 0, at most what is owed).", balance, amount)
	}
	s.Paid += amount
	p := Payment{SiteID: s.SiteID, SettlementID: s.ID, OrderID: s.OrderID, Amount: amount, Method: method, Reference: ref,
		ReceivedBy: by, ReceivedAt: now}
	return s, p, OrderEvent(o, EventPaymentReceived, nil,
		fmt.Sprintf("Payment of %s by %s; still owed %s", amount, method, s.BalanceDue())), nil
}

// Valid reports whether m is a known payment method.
func (m PaymentMethod) Valid() bool {
	switch m {
	case PayCash, PayCard, PayWeChat, PayAlipay, PayBankTransfer, PayNone:
		return true
	}
	return false
}

// CheckPaidForDelivery refuses to deliver a car whose customer still owes
// money at the counter: the seeds' cashier hands the exit pass over with the
// change, after the self-paying customer paid (自费顾客到收银台结帐). What the
// insurer, the maker or an account owes does not hold the car. Errors:
// INVALID naming balanceDue.
func CheckPaidForDelivery(s *Settlement) error {
	if s == nil {
		return nil
	}
	if due := s.BalanceDue(); due > 0 {
		return FieldErrorf("balanceDue", "The customer still owes %s of their share of %s: take the payment (recordPayment) before delivery.", due, s.CustomerShare)
	}
	return nil
}
