package shop_test

import (
	"strings"
	"testing"

	"bayboard/shop"
)

// TestCheckBooks feeds the settlement invariant's checker crafted books, each
// broken in one way a removed rule would break them, and wants it named.
func TestCheckBooks(t *testing.T) {
	appt := shop.AppointmentID(4)
	// A sound settlement: ¥1,000 of labour and parts, ¥50 discount, a ¥200
	// deposit, ¥300 paid at the counter, the rest on account; insurer and
	// maker owe their shares, partly paid.
	good := func() shop.Books {
		s := shop.Settlement{ID: 1, SiteID: 1, OrderID: 10, Labour: 60_000, Parts: 40_000, Discount: 5_000, Total: 95_000,
			CustomerShare: 50_000, AccountShare: 10_000, InsurerShare: 20_000, WarrantyShare: 10_000, InternalShare: 5_000,
			DepositCredited: 20_000, DepositFrom: &appt, Paid: 30_000}
		b := shop.Books{Settlement: s, Deposit: 20_000,
			Payments: []shop.Payment{{Amount: 10_000}, {Amount: 20_000}},
			Receivables: []shop.Receivable{
				{ID: 1, Payer: shop.ReceivableInsurer, Amount: 20_000, Paid: 5_000},
				{ID: 2, Payer: shop.ReceivableWarranty, Amount: 10_000},
				{ID: 3, Payer: shop.ReceivableAccount, Amount: 10_000, Paid: 10_000},
			},
			ReceivablePayments: map[shop.ReceivableID][]shop.ReceivablePayment{1: {{Amount: 5_000}}, 3: {{Amount: 4_000}, {Amount: 6_000}}},
		}
		return b
	}
	for _, tt := range []struct {
		name   string
		break_ func(b *[]shop.Books)
		want   string // "" for OK
	}{
		{"OK", func(*[]shop.Books) {}, ""},
		{"OK/NoDeposit", func(bs *[]shop.Books) {
			s := &(*bs)[0].Settlement
			s.DepositFrom, s.DepositCredited, s.CustomerShare, s.AccountShare, (*bs)[0].Deposit = nil, 0, 30_000, 30_000, 0
			(*bs)[0].Receivables[2].Amount = 30_000
			(*bs)[0].Receivables[2].Paid = 10_000
		}, ""},
		{"ErrSharesDoNotAddUp", func(bs *[]shop.Books) { (*bs)[0].Settlement.CustomerShare += 100 }, "shares add up to"},
		{"ErrDiscountNotInTotal", func(bs *[]shop.Books) { (*bs)[0].Settlement.Discount = 0 }, "total 950.00 ≠ labour"},
		{"ErrDepositCountedTwice", func(bs *[]shop.Books) {
			b := good()
			b.Settlement.OrderID, b.Settlement.ID = 11, 2
			*bs = append(*bs, b)
		}, "already credited to order 10"},
		{"ErrDepositLost", func(bs *[]shop.Books) { (*bs)[0].Deposit = 30_000 }, "≠ the appointment's deposit"},
		{"ErrDepositWithoutAppointment", func(bs *[]shop.Books) { (*bs)[0].Settlement.DepositFrom = nil }, "without an appointment"},
		{"ErrOverpaid", func(bs *[]shop.Books) {
			(*bs)[0].Settlement.Paid += 1
			(*bs)[0].Payments = append((*bs)[0].Payments, shop.Payment{Amount: 1})
		}, "more than the customer's share"},
		{"ErrPaymentsDoNotAddUp", func(bs *[]shop.Books) { (*bs)[0].Payments = (*bs)[0].Payments[:1] }, "payments add up to 100.00"},
		{"ErrReceivableMissing", func(bs *[]shop.Books) { (*bs)[0].Receivables = (*bs)[0].Receivables[:2] }, "ACCOUNT receivables add up to 0.00"},
		{"ErrReceivableOverpaid", func(bs *[]shop.Books) {
			(*bs)[0].Receivables[1].Paid = 10_001
			(*bs)[0].ReceivablePayments[2] = []shop.ReceivablePayment{{Amount: 10_001}}
		}, "balance -0.01"},
		{"ErrReceivablePaymentsDoNotAddUp", func(bs *[]shop.Books) { (*bs)[0].ReceivablePayments[1] = nil }, "INSURER receivable payments add up to 0.00"},
		{"ErrNegativeShare", func(bs *[]shop.Books) {
			s := &(*bs)[0].Settlement
			s.InternalShare, s.WarrantyShare = -5_000, 20_000
			(*bs)[0].Receivables[1].Amount = 20_000
		}, "internal share is negative"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			books := []shop.Books{good()}
			tt.break_(&books)
			err := shop.CheckBooks(books)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("err=%v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err=%v, want it to say %q", err, tt.want)
			}
		})
	}
}
