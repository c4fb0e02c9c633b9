package store_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestReportParts issues parts bought at a known cost on one local day
// (25 November 2026 in Shenzhen), settles the order and checks the day's
// parts turnover, fill rate, margin and receivables by hand.
func TestReportParts(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, clerk, fm, tech, lead, qc, cash, mgr := storetest.Ctx(f.Advisor), storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Foreman),
		storetest.Ctx(f.Tech), storetest.Ctx(f.Lead), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier), storetest.Ctx(f.Manager)
	var now time.Time
	db.Now = func() time.Time { return now }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	// The 24th: 10 oil at ¥40.00 and 2 pads at ¥150.00 bought (stock worth ¥700.00);
	// an insurer's car settled (¥324.68 owed).
	now = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	oil := mustPart(t, db, clerk, f.Site.ID, "OIL-0W20", 0)
	pads := mustPart(t, db, clerk, f.Site.ID, "PADS-F", 0)
	sup, err := db.CreateSupplier(clerk, store.CreateSupplierInput{SiteID: f.Site.ID, Name: "配件供应商"})
	must(err)
	buy := func(p *shop.Part, q int, cost shop.Money) {
		t.Helper()
		po, err := db.CreatePurchaseOrder(clerk, store.CreatePurchaseOrderInput{SiteID: f.Site.ID, SupplierID: sup.ID,
			Lines: []shop.PurchaseLineInput{{PartID: p.ID, Quantity: q, UnitCost: cost}}})
		must(err)
		lines, err := db.FindPurchaseOrderLines(clerk, []shop.PurchaseOrderID{po.ID})
		must(err)
		_, err = db.ReceivePurchase(clerk, store.ReceivePurchaseInput{PurchaseOrderLineID: lines[po.ID][0].ID, Quantity: q})
		must(err)
	}
	buy(oil, 10, 4000)
	buy(pads, 2, 15000)
	ins := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1, Payers: []shop.Payer{shop.PayerInsurer}})
	ref := "PICC-1"
	_, err = db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: ins.Order.ID, AssessmentReference: &ref})
	must(err)

	// The day, 09:00 local: an order for 4 oil (in stock) and 3 pads (2 in stock: a shortage).
	now = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
	v, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 50000, FuelLevel: 50,
		KeyTag: "K-9", Complaint: "保养", WalkaroundSigned: true, Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"},
		Vehicle: &store.NewVehicleInput{Plate: "粤B12345", Make: "丰田", Model: "凯美瑞"}})
	must(err)
	pay, idx := shop.PayWeChat, 0
	o, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: v.ID, WorkType: shop.WorkMaintenance, PaymentMethod: &pay,
		Jobs:  []*store.JobLineInput{{Description: "保养与刹车", LabourMinutes: 60}},
		Parts: []*store.PartLineInput{{PartNumber: "OIL-0W20", Quantity: 4, JobIndex: &idx}, {PartNumber: "PADS-F", Quantity: 3, JobIndex: &idx}}})
	must(err)
	_, err = db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: o.ID, SignedBy: "黄先生"})
	must(err)
	_, err = db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: o.ID})
	must(err)
	jobs, err := db.FindJobsByOrderIDs(adv, []shop.OrderID{o.ID})
	must(err)
	job := jobs[o.ID][0]
	_, err = db.DispatchJob(fm, store.DispatchJobInput{JobID: job.ID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID})
	must(err)
	// 10:00: 4 oil issued, 1 comes back; the insurer pays ¥100.00.
	now = now.Add(time.Hour)
	slip, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: o.ID, PartID: oil.ID, Quantity: 4, DrawnBy: f.Tech.ID})
	must(err)
	_, err = db.ReturnParts(clerk, store.ReturnPartsInput{IssueID: slip.ID, Quantity: 1})
	must(err)
	rs, err := db.FindReceivables(cash, store.ReceivableFilter{SiteID: f.Site.ID})
	must(err)
	if len(rs) != 1 {
		t.Fatalf("receivables=%d, want 1", len(rs))
	}
	_, err = db.PayReceivable(cash, store.PayReceivableInput{ReceivableID: rs[0].ID, Amount: 100_00})
	must(err)
	// 11:00: 1 pad arrives at ¥150.00 and fills the shortage; 3 pads issued.
	now = now.Add(time.Hour)
	buy(pads, 1, 15000)
	_, err = db.IssueParts(clerk, store.IssuePartsInput{OrderID: o.ID, PartID: pads.ID, Quantity: 3, DrawnBy: f.Tech.ID})
	must(err)
	for _, step := range []func() error{
		func() error { _, err := db.StartJob(tech, store.JobRef{JobID: job.ID}); return err },
		func() error { _, err := db.FinishJob(tech, store.JobRef{JobID: job.ID}); return err },
		func() error {
			_, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: job.ID, Passed: true})
			return err
		},
		func() error {
			_, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: job.ID, Passed: true})
			return err
		},
		func() error {
			_, err := db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: o.ID, Passed: true})
			return err
		},
		func() error {
			_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: o.ID})
			return err
		},
	} {
		must(step())
	}
	// The 26th: the insurer pays another ¥50.00; the day's report still shows what was owed at its end.
	now = time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	_, err = db.PayReceivable(cash, store.PayReceivableInput{ReceivableID: rs[0].ID, Amount: 50_00})
	must(err)

	r, err := db.FindReport(mgr, f.Site.ID, shop.PeriodDay, day(2026, 11, 25))
	must(err)
	p := r.PartsFigures
	rate := func(x *float64) float64 {
		if x == nil {
			return -1
		}
		return *x
	}
	// Ledger: opening 10×40.00 + 2×150.00 = 700.00; the day +150.00 (a pad) −160.00 (4 oil)
	// +40.00 (1 back) −450.00 (3 pads) = −420.00; closing 280.00 (7 oil); average 490.00.
	// Issued cost 3×40.00 + 3×150.00 = 570.00; turnover 570/490. Billed 6 × 123.45 = 740.70,
	// margin 740.70 − 570.00 = 170.70. Lines: oil from stock, pads waited: 1 of 2.
	for _, tc := range []struct {
		name      string
		got, want any
	}{
		{"opening value", p.OpeningValue, shop.Money(70000)},
		{"closing value", p.ClosingValue, shop.Money(28000)},
		{"average value", p.AverageValue, shop.Money(49000)},
		{"issued cost", p.IssuedCost, shop.Money(57000)},
		{"turnover", rate(p.Turnover()), 57000.0 / 49000},
		{"lines issued", p.LinesIssued, 2},
		{"lines from stock", p.LinesFromStock, 1},
		{"fill rate", rate(p.FillRate()), 0.5},
		{"parts revenue", p.Margin.Revenue, shop.Money(6 * 12345)},
		{"parts cost", p.Margin.Cost, shop.Money(57000)},
		{"parts margin", p.Margin.Margin, shop.Money(6*12345 - 57000)},
		{"payers", len(r.Receivables), 3},
		{"insurer owed", r.Receivables[0].Total, shop.Money(324_68 - 100_00)},
		{"insurer 0-30 days", r.Receivables[0].Buckets[shop.AgeCurrent], shop.Money(324_68 - 100_00)},
		{"insurer count", r.Receivables[0].Count, 1},
		{"warranty owed", r.Receivables[1].Total, shop.Money(0)},
	} {
		if tc.got != tc.want {
			t.Fatalf("%s=%v, want %v", tc.name, tc.got, tc.want)
		}
	}
	csv, err := db.FindReportCSV(mgr, f.Site.ID, shop.ReportService, shop.PeriodDay, day(2026, 11, 25))
	must(err)
	for _, want := range []string{"parts_margin,170.70\n", "fill_rate,0.500\n", "receivables_insurer_total,224.68\n", "parts_turnover,1.163\n"} {
		if !strings.Contains(csv, want) {
			t.Fatalf("csv=%q, want %q", csv, want)
		}
	}
}
