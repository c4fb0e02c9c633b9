package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestPayReceivable(t *testing.T) {
	r := shop.Receivable{ID: 1, Payer: shop.ReceivableInsurer, Amount: 100_000, Paid: 40_000, Version: 1}
	for _, tt := range []struct {
		name   string
		amount shop.Money
		code   string
		field  string
	}{
		{"OK/Partial", 10_000, "", ""},
		{"OK/Rest", 60_000, "", ""},
		{"ErrInvalid/MoreThanOwed", 60_001, shop.EINVALID, "amount"},
		{"ErrInvalid/Zero", 0, shop.EINVALID, "amount"},
		{"ErrInvalid/Negative", -1, shop.EINVALID, "amount"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, p, ev, err := shop.PayReceivable(r, tt.amount, "转账 001", 6, moneyNow)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if got != r {
					t.Fatalf("state=%+v, want unchanged", got)
				}
				return
			}
			wantOK(t, err)
			if got.Paid != r.Paid+tt.amount || got.Balance() < 0 || p.Amount != tt.amount || ev.Kind != shop.EventReceivablePaid {
				t.Fatalf("state=%+v, want paid %v", got, r.Paid+tt.amount)
			}
		})
	}
	t.Run("ErrInvalid/FullyPaid", func(t *testing.T) {
		_, _, _, err := shop.PayReceivable(shop.Receivable{Amount: 100, Paid: 100}, 1, "", 6, moneyNow)
		wantErr(t, err, shop.EINVALID, "amount")
	})
}

func TestReceivablesOf(t *testing.T) {
	s := shop.Settlement{ID: 2, SiteID: 1, OrderID: 3, InsurerShare: 300, WarrantyShare: 200, AccountShare: 100, CustomerShare: 50, SettledAt: moneyNow}
	rs := shop.ReceivablesOf(s, 9, "PICC", "丰田")
	var got []string
	for _, r := range rs {
		got = append(got, string(r.Payer)+":"+r.Amount.String()+":"+r.Debtor)
		if r.Payer == shop.ReceivableAccount && (r.CustomerID == nil || *r.CustomerID != 9) {
			t.Fatalf("customer=%v, want 9", r.CustomerID)
		}
	}
	if g, w := strings.Join(got, ","), "INSURER:3.00:PICC,WARRANTY:2.00:丰田,ACCOUNT:1.00:"; g != w {
		t.Fatalf("receivables=%v, want %v", g, w)
	}
	if n := len(shop.ReceivablesOf(shop.Settlement{CustomerShare: 100}, 9, "", "")); n != 0 {
		t.Fatalf("receivables=%v, want 0 for a customer-only bill", n)
	}
}

func TestAgeing(t *testing.T) {
	sh := shop.Zone("Asia/Shanghai")
	// 2026-12-03 00:10 in Shanghai is 2026-12-02 16:10 UTC.
	now := time.Date(2026, 12, 2, 16, 10, 0, 0, time.UTC)
	day := func(daysAgo int) time.Time { return now.Add(-time.Duration(daysAgo) * 24 * time.Hour) }
	for _, tt := range []struct {
		name   string
		opened time.Time
		days   int
		bucket shop.AgeBucket
	}{
		{"OK/Today", now, 0, shop.AgeCurrent},
		{"OK/LastNightLocal", time.Date(2026, 12, 2, 15, 50, 0, 0, time.UTC), 1, shop.AgeCurrent}, // 23:50 local the day before
		{"OK/ThirtyDays", day(30), 30, shop.AgeCurrent},
		{"OK/ThirtyOneDays", day(31), 31, shop.Age31To60},
		{"OK/SixtyDays", day(60), 60, shop.Age31To60},
		{"OK/SixtyOneDays", day(61), 61, shop.Age61To90},
		{"OK/NinetyDays", day(90), 90, shop.Age61To90},
		{"OK/NinetyOneDays", day(91), 91, shop.AgeOver90},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := shop.AgeInDays(tt.opened, now, sh)
			if d != tt.days || shop.BucketOf(d) != tt.bucket {
				t.Fatalf("state=%d %v, want %d %v", d, shop.BucketOf(d), tt.days, tt.bucket)
			}
		})
	}
	t.Run("OK/Summary", func(t *testing.T) {
		rs := []*shop.Receivable{
			{Amount: 1000, Paid: 400, OpenedAt: day(5)},
			{Amount: 500, OpenedAt: day(45)},
			{Amount: 700, Paid: 700, OpenedAt: day(45)}, // paid: not outstanding
			{Amount: 300, OpenedAt: day(200)},
		}
		a := shop.AgeReceivables(shop.ReceivableInsurer, rs, now, sh)
		if a.Buckets[shop.AgeCurrent] != 600 || a.Buckets[shop.Age31To60] != 500 || a.Buckets[shop.Age61To90] != 0 ||
			a.Buckets[shop.AgeOver90] != 300 || a.Total != 1400 || a.Count != 3 {
			t.Fatalf("state=%+v, want 600/500/0/300 of 1400 in 3", a)
		}
	})
}

func TestSetCustomerAccount(t *testing.T) {
	for _, tt := range []struct {
		name  string
		role  shop.Role
		limit shop.Money
		code  string
	}{
		{"OK/Manager", shop.RoleServiceManager, 5_000_000, ""},
		{"OK/ZeroStopsCharges", shop.RoleAdmin, 0, ""},
		{"ErrForbidden/Cashier", shop.RoleCashier, 100, shop.EFORBIDDEN},
		{"ErrInvalid/Negative", shop.RoleServiceManager, -1, shop.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _, err := shop.SetCustomerAccount(1, 2, tt.limit, &shop.Actor{UserID: 9, Role: tt.role}, moneyNow)
			if tt.code != "" {
				if shop.ErrorCode(err) != tt.code {
					t.Fatalf("code=%v, want %v", shop.ErrorCode(err), tt.code)
				}
				return
			}
			wantOK(t, err)
			if a.CreditLimit != tt.limit {
				t.Fatalf("limit=%v, want %v", a.CreditLimit, tt.limit)
			}
		})
	}
}
