package shop_test

import (
	"testing"

	"bayboard/shop"
)

func TestRecordPayment(t *testing.T) {
	settled := &shop.Order{ID: 1, Number: "RO1", State: shop.OrderSettled}
	owing := shop.Settlement{ID: 3, OrderID: 1, CustomerShare: 50_000, DepositCredited: 20_000, Paid: 10_000} // owes 200.00
	for _, tt := range []struct {
		name   string
		order  *shop.Order
		amount shop.Money
		method shop.PaymentMethod
		code   string
		field  string
	}{
		{"OK/Part", settled, 5_000, shop.PayCash, "", ""},
		{"OK/Rest", settled, 20_000, shop.PayAlipay, "", ""},
		{"ErrInvalid/MoreThanOwed", settled, 20_001, shop.PayCash, shop.EINVALID, "amount"},
		{"ErrInvalid/Zero", settled, 0, shop.PayCash, shop.EINVALID, "amount"},
		{"ErrInvalid/Negative", settled, -100, shop.PayCash, shop.EINVALID, "amount"},
		{"ErrInvalid/MethodNone", settled, 100, shop.PayNone, shop.EINVALID, "method"},
		{"ErrInvalid/MethodUnknown", settled, 100, "GOLD", shop.EINVALID, "method"},
		{"ErrInvalidTransition/Ready", &shop.Order{State: shop.OrderReady}, 100, shop.PayCash, shop.EINVALIDTRANSITION, ""},
		{"ErrInvalidTransition/Delivered", &shop.Order{State: shop.OrderDelivered}, 100, shop.PayCash, shop.EINVALIDTRANSITION, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, p, ev, err := shop.RecordPayment(tt.order, owing, tt.amount, tt.method, "R-1", 6, moneyNow)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if s != owing {
					t.Fatalf("state=%+v, want unchanged", s)
				}
				return
			}
			wantOK(t, err)
			if s.Paid != owing.Paid+tt.amount || p.Amount != tt.amount || p.SettlementID != 3 || ev.Kind != shop.EventPaymentReceived {
				t.Fatalf("state=%+v %+v, want paid %v", s, p, owing.Paid+tt.amount)
			}
		})
	}
}

func TestCheckPaidForDelivery(t *testing.T) {
	for _, tt := range []struct {
		name string
		s    *shop.Settlement
		ok   bool
	}{
		{"OK/PaidInFull", &shop.Settlement{CustomerShare: 500, Paid: 500}, true},
		{"OK/DepositAndPayment", &shop.Settlement{CustomerShare: 500, DepositCredited: 200, Paid: 300}, true},
		{"OK/OnAccount", &shop.Settlement{CustomerShare: 0, AccountShare: 900}, true},
		{"OK/NoSettlement", nil, true},
		{"ErrInvalid/Owes", &shop.Settlement{CustomerShare: 500, DepositCredited: 200, Paid: 100}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := shop.CheckPaidForDelivery(tt.s)
			if tt.ok {
				wantOK(t, err)
				return
			}
			wantErr(t, err, shop.EINVALID, "balanceDue")
		})
	}
}
