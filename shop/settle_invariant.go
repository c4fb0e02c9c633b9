package shop

import (
	"errors"
	"fmt"
	"sort"
)

// Books is the money of one settlement as stored: the settlement, the
// deposit of the appointment it credited, the counter payments, and the
// receivables with their payments.
type Books struct {
	Settlement         Settlement
	Deposit            Money
	Payments           []Payment
	Receivables        []Receivable
	ReceivablePayments map[ReceivableID][]ReceivablePayment
}

// CheckBooks checks the settlement invariant over a site's books: for every
// settlement the shares (customer + warranty + insurer + account + internal)
// add up to the total (labour + parts − discount); the deposit is counted
// once (credited + refunded = the deposit, one settlement per appointment,
// never more than the customer's share together with what they paid); the
// counter payments add up to what was paid; every receivable is exactly its
// payer's share and its payments add up to what was paid, between 0 and the
// amount. It returns nil when the books add up, else an error naming every
// breach (an audit, not a user's mistake: no code).
func CheckBooks(books []Books) error {
	var errs []error
	bad := func(s *Settlement, format string, args ...any) {
		errs = append(errs, fmt.Errorf("settlement of order %d: %s", s.OrderID, fmt.Sprintf(format, args...)))
	}
	deposits := map[AppointmentID]OrderID{}
	for i := range books {
		b := &books[i]
		s := &b.Settlement
		if s.Total != s.Labour+s.Parts-s.Discount {
			bad(s, "total %s ≠ labour %s + parts %s − discount %s", s.Total, s.Labour, s.Parts, s.Discount)
		}
		if sum := s.CustomerShare + s.WarrantyShare + s.InsurerShare + s.AccountShare + s.InternalShare; sum != s.Total {
			bad(s, "shares add up to %s, total is %s", sum, s.Total)
		}
		for name, m := range map[string]Money{"customer share": s.CustomerShare, "warranty share": s.WarrantyShare,
			"insurer share": s.InsurerShare, "account share": s.AccountShare, "internal share": s.InternalShare,
			"discount": s.Discount, "deposit credited": s.DepositCredited, "deposit refund": s.DepositRefund, "paid": s.Paid} {
			if m < 0 {
				bad(s, "%s is negative (%s)", name, m)
			}
		}
		if s.DepositFrom == nil {
			if s.DepositCredited != 0 || s.DepositRefund != 0 {
				bad(s, "credits a deposit of %s without an appointment", s.DepositCredited+s.DepositRefund)
			}
		} else {
			if other, dup := deposits[*s.DepositFrom]; dup {
				bad(s, "credits the deposit of appointment %d already credited to order %d", *s.DepositFrom, other)
			}
			deposits[*s.DepositFrom] = s.OrderID
			if s.DepositCredited+s.DepositRefund != b.Deposit {
				bad(s, "deposit credited %s + refunded %s ≠ the appointment's deposit %s", s.DepositCredited, s.DepositRefund, b.Deposit)
			}
		}
		if s.DepositCredited+s.Paid > s.CustomerShare {
			bad(s, "deposit %s + paid %s is more than the customer's share %s", s.DepositCredited, s.Paid, s.CustomerShare)
		}
		var paid Money
		for _, p := range b.Payments {
			if p.Amount <= 0 {
				bad(s, "a payment of %s", p.Amount)
			}
			paid += p.Amount
		}
		if paid != s.Paid {
			bad(s, "payments add up to %s, the settlement says %s paid", paid, s.Paid)
		}
		want := map[ReceivablePayer]Money{ReceivableInsurer: s.InsurerShare, ReceivableWarranty: s.WarrantyShare, ReceivableAccount: s.AccountShare}
		got := map[ReceivablePayer]Money{}
		for _, r := range b.Receivables {
			got[r.Payer] += r.Amount
			var rp Money
			for _, p := range b.ReceivablePayments[r.ID] {
				if p.Amount <= 0 {
					bad(s, "a %s receivable payment of %s", r.Payer, p.Amount)
				}
				rp += p.Amount
			}
			if rp != r.Paid {
				bad(s, "%s receivable payments add up to %s, it says %s paid", r.Payer, rp, r.Paid)
			}
			if r.Paid < 0 || r.Paid > r.Amount {
				bad(s, "%s receivable paid %s of %s (balance %s)", r.Payer, r.Paid, r.Amount, r.Balance())
			}
		}
		payers := make([]string, 0, len(want))
		for p := range want {
			payers = append(payers, string(p))
		}
		sort.Strings(payers)
		for _, p := range payers {
			if g, w := got[ReceivablePayer(p)], want[ReceivablePayer(p)]; g != w {
				bad(s, "%s receivables add up to %s, the share is %s", p, g, w)
			}
		}
	}
	return errors.Join(errs...)
}
