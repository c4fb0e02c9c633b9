package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestComputePartsFigures(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	later := t0.Add(3 * time.Hour)
	at := func(t time.Time) *time.Time { return &t }
	margin := shop.PartsMargin{Revenue: 30000, Cost: 18000, Margin: 12000, MarginBasisPoints: 4000}
	for _, tc := range []struct {
		name         string
		before, diff shop.Money
		issued       []*shop.PartIssue
		res          []shop.LineReservation
		wantCost     shop.Money
		wantAvg      shop.Money
		wantTurnover float64 // -1: nil
		wantLines    int
		wantFrom     int
	}{
		{name: "OK", before: 100000, diff: -20000,
			// 3 issued at 60.00, 1 returned; 2 at 40.00: cost 200.00.
			issued: []*shop.PartIssue{{UnitCost: 6000, Quantity: 3, Returned: 1}, {UnitCost: 4000, Quantity: 2}},
			// line 1 reserved at once, line 2 waited for a receipt, line 3 issued with no reservation,
			// line 4 has one reservation at once and one still waiting.
			res: []shop.LineReservation{
				{PartLineID: 1, Reserved: true, CreatedAt: at(t0), FilledAt: at(t0)},
				{PartLineID: 2, Reserved: true, CreatedAt: at(t0), FilledAt: at(later)},
				{PartLineID: 3},
				{PartLineID: 4, Reserved: true, CreatedAt: at(t0), FilledAt: at(t0)},
				{PartLineID: 4, Reserved: true, CreatedAt: at(t0)},
			},
			wantCost: 20000, wantAvg: 90000, wantTurnover: 20000.0 / 90000, wantLines: 4, wantFrom: 2},
		{name: "OKHalfRoundsUp", before: 101, diff: 0, wantAvg: 101, wantTurnover: 0},
		{name: "OKOddSum", before: 100, diff: 1, wantAvg: 101, wantTurnover: 0},
		{name: "OKNoStockValue", before: 0, diff: 0, issued: []*shop.PartIssue{{UnitCost: 0, Quantity: 1}}, wantTurnover: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := shop.ComputePartsFigures(tc.before, tc.diff, tc.issued, tc.res, margin)
			if f.IssuedCost != tc.wantCost || f.AverageValue != tc.wantAvg || f.OpeningValue != tc.before || f.ClosingValue != tc.before+tc.diff {
				t.Fatalf("figures=%+v, want cost %v average %v", f, tc.wantCost, tc.wantAvg)
			}
			got := -1.0
			if r := f.Turnover(); r != nil {
				got = *r
			}
			if got != tc.wantTurnover {
				t.Fatalf("turnover=%v, want %v", got, tc.wantTurnover)
			}
			if f.LinesIssued != tc.wantLines || f.LinesFromStock != tc.wantFrom {
				t.Fatalf("lines=%d/%d, want %d/%d", f.LinesFromStock, f.LinesIssued, tc.wantFrom, tc.wantLines)
			}
			if f.Margin != margin {
				t.Fatalf("margin=%+v, want %+v", f.Margin, margin)
			}
			if tc.wantLines == 0 && f.FillRate() != nil {
				t.Fatalf("fill rate=%v, want nil without lines", *f.FillRate())
			}
			if tc.wantLines > 0 && *f.FillRate() != float64(tc.wantFrom)/float64(tc.wantLines) {
				t.Fatalf("fill rate=%v, want %d/%d", *f.FillRate(), tc.wantFrom, tc.wantLines)
			}
		})
	}
}

func TestReceivablesOutstanding(t *testing.T) {
	loc := shop.Zone("Asia/Shanghai")
	asOf := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC) // midnight, 1 December local
	days := func(n int) time.Time { return asOf.Add(-time.Duration(n)*24*time.Hour - time.Minute) }
	c := shop.CustomerID(9)
	rs := []*shop.Receivable{
		{Payer: shop.ReceivableInsurer, Amount: 50000, Paid: 10000, OpenedAt: days(5)},
		{Payer: shop.ReceivableInsurer, Amount: 30000, OpenedAt: days(45)},
		{Payer: shop.ReceivableInsurer, Amount: 20000, Paid: 20000, OpenedAt: days(10)}, // paid by then
		{Payer: shop.ReceivableWarranty, Amount: 12000, OpenedAt: days(100)},
		{Payer: shop.ReceivableAccount, CustomerID: &c, Amount: 8000, OpenedAt: days(70)},
		{Payer: shop.ReceivableAccount, CustomerID: &c, Amount: 9999, OpenedAt: asOf}, // not yet opened
	}
	for _, tc := range []struct {
		name  string
		payer shop.ReceivablePayer
		want  map[shop.AgeBucket]shop.Money
		total shop.Money
		count int
	}{
		{"OKInsurer", shop.ReceivableInsurer, map[shop.AgeBucket]shop.Money{shop.AgeCurrent: 40000, shop.Age31To60: 30000}, 70000, 2},
		{"OKWarranty", shop.ReceivableWarranty, map[shop.AgeBucket]shop.Money{shop.AgeOver90: 12000}, 12000, 1},
		{"OKAccount", shop.ReceivableAccount, map[shop.AgeBucket]shop.Money{shop.Age61To90: 8000}, 8000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := shop.ReceivablesOutstanding(rs, asOf, loc)
			if len(out) != 3 {
				t.Fatalf("payers=%d, want 3", len(out))
			}
			var a *shop.Ageing
			for i := range out {
				if out[i].Payer == tc.payer {
					a = &out[i]
				}
			}
			if a == nil {
				t.Fatalf("payer=%v missing", tc.payer)
			}
			if a.Total != tc.total || a.Count != tc.count {
				t.Fatalf("total=%v count=%d, want %v %d", a.Total, a.Count, tc.total, tc.count)
			}
			for _, b := range shop.AgeBuckets {
				if a.Buckets[b] != tc.want[b] {
					t.Fatalf("bucket %s=%v, want %v", b, a.Buckets[b], tc.want[b])
				}
			}
		})
	}
}

func TestServiceReportCSVParts(t *testing.T) {
	r := &shop.Report{PartsFigures: shop.PartsFigures{IssuedCost: 20000, AverageValue: 80000, LinesIssued: 4, LinesFromStock: 3,
		Margin: shop.PartsMargin{Revenue: 10000, Cost: 12550, Margin: -2550}},
		Receivables: shop.ReceivablesOutstanding(nil, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.UTC)}
	got := shop.ServiceReportCSV(r)
	for _, want := range []string{"parts_turnover,0.250\n", "fill_rate,0.750\n", "parts_margin,-25.50\n",
		"receivables_insurer_days_0_30,0.00\n", "receivables_account_total,0.00\n", "receivables_warranty_count,0\n"} {
		if !strings.Contains(got, want) {
			t.Fatalf("csv=%q, want %q", got, want)
		}
	}
}
