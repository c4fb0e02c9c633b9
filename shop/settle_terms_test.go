package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

var moneyNow = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func customerBill(shares map[shop.Payer]shop.Money) shop.Bill {
	b := shop.Bill{ByPayer: shares}
	for _, m := range shares {
		b.Total += m
	}
	b.Labour = b.Total
	return b
}

func TestPriceSettlement(t *testing.T) {
	paying := &shop.Order{ID: 7, Number: "RO1", State: shop.OrderReady, PaymentMethod: shop.PayWeChat}
	noMethod := &shop.Order{ID: 7, Number: "RO1", State: shop.OrderReady, PaymentMethod: shop.PayNone}
	assessed := &shop.Order{ID: 7, State: shop.OrderReady, PaymentMethod: shop.PayCash, AssessmentReference: "PICC-1"}
	appt := shop.AppointmentID(3)
	other := shop.OrderID(8)
	self := shop.OrderID(7)
	m := func(v shop.Money) *shop.Money { return &v }
	cust := func(v shop.Money) shop.Bill { return customerBill(map[shop.Payer]shop.Money{shop.PayerCustomer: v}) }
	big := cust(1_200_000)
	signOff := &shop.Approval{Kind: shop.ApprovalSignOff, Amount: 1_200_000, ApprovedBy: 9, ApproverRole: shop.RoleServiceManager}
	staleSignOff := &shop.Approval{Kind: shop.ApprovalSignOff, Amount: 1_100_000, ApprovedBy: 9, ApproverRole: shop.RoleServiceManager}
	mgrDiscount := &shop.Approval{Kind: shop.ApprovalDiscount, Amount: 10_000, ApprovedBy: 9, ApproverRole: shop.RoleServiceManager, Reason: "老客户"}
	advDiscount := &shop.Approval{Kind: shop.ApprovalDiscount, Amount: 3_000, ApprovedBy: 4, ApproverRole: shop.RoleAdvisor, Reason: "等待时间长"}
	account := &shop.CustomerAccount{CreditLimit: 100_000}

	type want struct {
		customer, account, deposit, refund, paid, discount, total, due shop.Money
	}
	for _, tt := range []struct {
		name  string
		order *shop.Order
		bill  shop.Bill
		terms shop.SettleTerms
		want  want
		code  string // "" for OK
		field string
	}{
		{name: "OK/PaidInFull", order: paying, bill: cust(50_800),
			want: want{customer: 50_800, paid: 50_800, total: 50_800}},
		{name: "OK/DepositCreditedOnce", order: paying, bill: cust(50_800), terms: shop.SettleTerms{Deposit: 20_000, DepositFrom: &appt},
			want: want{customer: 50_800, deposit: 20_000, paid: 30_800, total: 50_800}},
		{name: "OK/DepositLargerThanShareIsRefunded", order: paying, bill: cust(15_000), terms: shop.SettleTerms{Deposit: 20_000, DepositFrom: &appt},
			want: want{customer: 15_000, deposit: 15_000, refund: 5_000, total: 15_000}},
		{name: "OK/DepositCoversAllNoMethodNeeded", order: noMethod, bill: cust(15_000), terms: shop.SettleTerms{Deposit: 20_000, DepositFrom: &appt},
			want: want{customer: 15_000, deposit: 15_000, refund: 5_000, total: 15_000}},
		{name: "OK/PartPayment", order: paying, bill: cust(50_800), terms: shop.SettleTerms{AmountPaid: m(10_000)},
			want: want{customer: 50_800, paid: 10_000, total: 50_800, due: 40_800}},
		{name: "OK/NothingPaidNowNeedsNoMethod", order: noMethod, bill: cust(50_800), terms: shop.SettleTerms{AmountPaid: m(0)},
			want: want{customer: 50_800, total: 50_800, due: 50_800}},
		{name: "OK/ManagerDiscount", order: paying, bill: cust(50_000), terms: shop.SettleTerms{Discount: mgrDiscount},
			want: want{customer: 40_000, paid: 40_000, discount: 10_000, total: 40_000}},
		{name: "OK/SignedOffBigBill", order: paying, bill: big, terms: shop.SettleTerms{SignOff: signOff},
			want: want{customer: 1_200_000, paid: 1_200_000, total: 1_200_000}},
		{name: "OK/ExactlyTenThousandNeedsNoSignOff", order: paying, bill: cust(1_000_000),
			want: want{customer: 1_000_000, paid: 1_000_000, total: 1_000_000}},
		{name: "OK/ChargeToAccount", order: noMethod, bill: cust(50_000),
			terms: shop.SettleTerms{Account: account, AccountOwed: 40_000, ChargeToAccount: true, Deposit: 10_000, DepositFrom: &appt},
			want:  want{customer: 10_000, account: 40_000, deposit: 10_000, total: 50_000}},
		{name: "OK/InvoiceOwnNumber", order: paying, bill: cust(100), terms: shop.SettleTerms{InvoiceNumber: " 04400001 ", InvoiceUsedBy: &self},
			want: want{customer: 100, paid: 100, total: 100}},
		{name: "OK/WarrantyAndInsurer", order: assessed, bill: customerBill(map[shop.Payer]shop.Money{shop.PayerWarranty: 3_000, shop.PayerInsurer: 2_000, shop.PayerCustomer: 500}),
			want: want{customer: 500, paid: 500, total: 5_500}},
		{name: "ErrInvalid/BigBillWithoutSignOff", order: paying, bill: big, code: shop.EINVALID, field: "managerSignOff"},
		{name: "ErrInvalid/BigBillSignedOffForAnotherTotal", order: paying, bill: big, terms: shop.SettleTerms{SignOff: staleSignOff}, code: shop.EINVALID, field: "managerSignOff"},
		{name: "ErrInvalid/OverpaidAtCounter", order: paying, bill: cust(50_800), terms: shop.SettleTerms{AmountPaid: m(50_801)}, code: shop.EINVALID, field: "amountPaid"},
		{name: "ErrInvalid/NegativePayment", order: paying, bill: cust(50_800), terms: shop.SettleTerms{AmountPaid: m(-1)}, code: shop.EINVALID, field: "amountPaid"},
		{name: "ErrInvalid/PaymentWithoutMethod", order: noMethod, bill: cust(50_800), code: shop.EINVALID, field: "paymentMethod"},
		{name: "ErrInvalid/DiscountBeyondApproverAfterBillShrank", order: paying, bill: cust(40_000), terms: shop.SettleTerms{Discount: advDiscount}, code: shop.EINVALID, field: "discount"},
		{name: "ErrInvalid/NoAccount", order: noMethod, bill: cust(50_000), terms: shop.SettleTerms{ChargeToAccount: true}, code: shop.EINVALID, field: "chargeToAccount"},
		{name: "ErrInvalid/OverCreditLimit", order: noMethod, bill: cust(60_001), terms: shop.SettleTerms{Account: account, AccountOwed: 40_000, ChargeToAccount: true}, code: shop.EINVALID, field: "chargeToAccount"},
		{name: "ErrInvalid/InsurerWithoutAssessment", order: paying, bill: customerBill(map[shop.Payer]shop.Money{shop.PayerInsurer: 2_000}), code: shop.EINVALID, field: "assessmentReference"},
		{name: "ErrConflict/InvoiceOfAnotherOrder", order: paying, bill: cust(100), terms: shop.SettleTerms{InvoiceNumber: "04400001", InvoiceUsedBy: &other}, code: shop.ECONFLICT, field: "invoiceNumber"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, err := shop.PriceSettlement(tt.order, tt.bill, tt.terms)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				return
			}
			wantOK(t, err)
			got := want{customer: s.CustomerShare, account: s.AccountShare, deposit: s.DepositCredited, refund: s.DepositRefund,
				paid: s.Paid, discount: s.Discount, total: s.Total, due: s.BalanceDue()}
			if got != tt.want {
				t.Fatalf("state=%+v, want %+v", got, tt.want)
			}
			s.SiteID, s.OrderID = 1, tt.order.ID
			if err := shop.CheckBooks([]shop.Books{booksOf(s, tt.terms.Deposit)}); err != nil {
				t.Fatalf("books: %v", err)
			}
		})
	}
}

// booksOf returns the books a store would write for s: its counter payment
// and one receivable per payer's share.
func booksOf(s shop.Settlement, deposit shop.Money) shop.Books {
	b := shop.Books{Settlement: s, Deposit: deposit}
	if p, ok := shop.CounterPayment(s); ok {
		b.Payments = append(b.Payments, p)
	}
	b.Receivables = shop.ReceivablesOf(s, 5, "PICC", "丰田")
	return b
}

func TestDiscountLimit(t *testing.T) {
	for _, tt := range []struct {
		role shop.Role
		owed shop.Money
		want shop.Money
	}{
		{shop.RoleAdvisor, 100_000, 5_000},
		{shop.RoleAdvisor, 2_000_000, 50_000}, // 5% capped at ¥500
		{shop.RoleServiceManager, 100_000, 30_000},
		{shop.RoleAdmin, 100_000, 30_000},
		{shop.RoleCashier, 100_000, 0},
		{shop.RoleTechnician, 100_000, 0},
	} {
		t.Run("OK/"+string(tt.role), func(t *testing.T) {
			if got := shop.DiscountLimit(tt.role, tt.owed); got != tt.want {
				t.Fatalf("limit=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestApproveDiscount(t *testing.T) {
	ready := &shop.Order{ID: 1, Number: "RO1", State: shop.OrderReady}
	settled := &shop.Order{ID: 1, Number: "RO1", State: shop.OrderSettled}
	bill := customerBill(map[shop.Payer]shop.Money{shop.PayerCustomer: 100_000, shop.PayerWarranty: 50_000})
	adv := &shop.Actor{UserID: 4, Name: "王芳", Role: shop.RoleAdvisor}
	mgr := &shop.Actor{UserID: 9, Name: "孙经理", Role: shop.RoleServiceManager}
	cashier := &shop.Actor{UserID: 6, Name: "刘洋", Role: shop.RoleCashier}
	for _, tt := range []struct {
		name   string
		order  *shop.Order
		by     *shop.Actor
		amount shop.Money
		reason string
		code   string
		field  string
	}{
		{"OK/AdvisorWithinLimit", ready, adv, 5_000, "等待时间长", "", ""},
		{"OK/ManagerWithinLimit", ready, mgr, 30_000, "老客户", "", ""},
		{"ErrForbidden/AdvisorOverLimit", ready, adv, 5_001, "老客户", shop.EFORBIDDEN, "amount"},
		{"ErrForbidden/CashierGivesNone", ready, cashier, 100, "零头", shop.EFORBIDDEN, "amount"},
		{"ErrInvalid/MoreThanCustomerShare", ready, mgr, 100_001, "全免", shop.EINVALID, "amount"},
		{"ErrInvalid/Zero", ready, mgr, 0, "无", shop.EINVALID, "amount"},
		{"ErrInvalid/NoReason", ready, mgr, 1_000, " ", shop.EINVALID, "reason"},
		{"ErrInvalidTransition/Settled", settled, mgr, 1_000, "老客户", shop.EINVALIDTRANSITION, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, ev, err := shop.ApproveDiscount(tt.order, bill, tt.by, tt.amount, tt.reason, moneyNow)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				return
			}
			wantOK(t, err)
			if a.Amount != tt.amount || a.ApprovedBy != tt.by.UserID || a.ApproverRole != tt.by.Role || ev.Kind != shop.EventDiscountApproved {
				t.Fatalf("state=%+v %v, want amount %v by %v", a, ev.Kind, tt.amount, tt.by.UserID)
			}
		})
	}
}

func TestSignOffBill(t *testing.T) {
	ready := &shop.Order{ID: 1, Number: "RO1", State: shop.OrderReady}
	bill := customerBill(map[shop.Payer]shop.Money{shop.PayerCustomer: 1_500_000})
	for _, tt := range []struct {
		name  string
		order *shop.Order
		role  shop.Role
		code  string
	}{
		{"OK/ServiceManager", ready, shop.RoleServiceManager, ""},
		{"ErrForbidden/Advisor", ready, shop.RoleAdvisor, shop.EFORBIDDEN},
		{"ErrForbidden/Admin", ready, shop.RoleAdmin, shop.EFORBIDDEN},
		{"ErrInvalidTransition/Delivered", &shop.Order{State: shop.OrderDelivered}, shop.RoleServiceManager, shop.EINVALIDTRANSITION},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := shop.SignOffBill(tt.order, bill, &shop.Actor{UserID: 9, Role: tt.role}, moneyNow)
			if tt.code != "" {
				wantErr(t, err, tt.code, "")
				return
			}
			wantOK(t, err)
			if a.Amount != bill.Total {
				t.Fatalf("amount=%v, want %v", a.Amount, bill.Total)
			}
			wantOK(t, shop.CheckSignOff(bill, &a))
		})
	}
}

func TestCreditDeposit(t *testing.T) {
	for _, tt := range []struct {
		name                     string
		deposit, owed            shop.Money
		wantCredited, wantRefund shop.Money
	}{
		{"OK/LessThanShare", 20_000, 50_000, 20_000, 0},
		{"OK/MoreThanShare", 20_000, 5_000, 5_000, 15_000},
		{"OK/NothingOwed", 20_000, 0, 0, 20_000},
		{"OK/NoDeposit", 0, 50_000, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, r := shop.CreditDeposit(tt.deposit, tt.owed)
			if c != tt.wantCredited || r != tt.wantRefund || c+r != tt.deposit {
				t.Fatalf("state=%v+%v, want %v+%v", c, r, tt.wantCredited, tt.wantRefund)
			}
		})
	}
}

func TestRecordInvoice(t *testing.T) {
	o := &shop.Order{ID: 1, Number: "RO1", State: shop.OrderSettled}
	other, self := shop.OrderID(2), shop.OrderID(1)
	for _, tt := range []struct {
		name   string
		s      shop.Settlement
		number string
		usedBy *shop.OrderID
		code   string
	}{
		{"OK/First", shop.Settlement{OrderID: 1}, "04400001", nil, ""},
		{"OK/UsedByItself", shop.Settlement{OrderID: 1}, "04400001", &self, ""},
		{"ErrConflict/UsedByAnother", shop.Settlement{OrderID: 1}, "04400001", &other, shop.ECONFLICT},
		{"ErrConflict/AlreadyRecorded", shop.Settlement{OrderID: 1, InvoiceNumber: "04400000"}, "04400001", nil, shop.ECONFLICT},
		{"ErrInvalid/Empty", shop.Settlement{OrderID: 1}, "  ", nil, shop.EINVALID},
		{"ErrInvalid/TooLong", shop.Settlement{OrderID: 1}, "0123456789012345678901234567890123456789X", nil, shop.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := shop.RecordInvoice(o, tt.s, tt.number, tt.usedBy)
			if tt.code != "" {
				wantErr(t, err, tt.code, "invoiceNumber")
				return
			}
			wantOK(t, err)
			if s.InvoiceNumber != tt.number {
				t.Fatalf("invoice=%q, want %q", s.InvoiceNumber, tt.number)
			}
		})
	}
}
