package store_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestPartsMoveWithTheWork replays issue 15's findings: a part reserved for
// the appointment is issued to the car's own order; the order's part lines
// reserve; settlement refuses lines never issued and bills issued minus
// returned; delivery releases what is left; the books reconcile.
func TestPartsMoveWithTheWork(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, clerk, fm, tech, lead, qc, cash := storetest.Ctx(f.Advisor), storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Foreman),
		storetest.Ctx(f.Tech), storetest.Ctx(f.Lead), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier)
	filter := mustPart(t, db, clerk, f.Site.ID, "04152-YZZA1", 2)
	pads := mustPart(t, db, clerk, f.Site.ID, "04465-33471", 1)
	oil := mustPart(t, db, clerk, f.Site.ID, "MOBIL1-0W20-4L", 5)

	ap, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: f.OpenAt(time.Now().Add(2 * time.Hour)),
		Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"},
		Vehicle:  &store.NewVehicleInput{Plate: "粤B88888", Make: "丰田", Model: "凯美瑞"}, RequestedWork: "换刹车片"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: pads.ID, Quantity: 1, AppointmentID: &ap.ID}); err != nil {
		t.Fatal(err)
	}
	v, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, AppointmentID: &ap.ID, Mileage: 50000, FuelLevel: 50,
		KeyTag: "K-1", Complaint: "刹车异响", WalkaroundSigned: true})
	if err != nil {
		t.Fatal(err)
	}
	pay, idx := shop.PayWeChat, 0
	o, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: v.ID, WorkType: shop.WorkMaintenance, PaymentMethod: &pay,
		Jobs: []*store.JobLineInput{{Description: "保养与刹车", LabourMinutes: 60}},
		Parts: []*store.PartLineInput{
			{PartNumber: "04152-YZZA1", Quantity: 3, JobIndex: &idx}, // 3 filters, 2 in stock: a shortage
			{PartNumber: "04465-33471", Quantity: 1, JobIndex: &idx}, // the appointment's pads
			{PartNumber: "MOBIL1-0W20-4L", Quantity: 2, JobIndex: &idx},
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("LinesReserve", func(t *testing.T) {
		rs, err := db.FindReservations(clerk, nil, &o.ID, nil, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		states := map[shop.PartID]shop.ReservationState{}
		for _, r := range rs {
			if r.PartLineID == nil {
				t.Fatalf("reservation=%+v, want it tied to a line", r)
			}
			states[r.PartID] = r.State
			if r.PartID == pads.ID && (r.FromAppointmentID == nil || *r.FromAppointmentID != ap.ID) {
				t.Fatalf("reservation=%+v, want the appointment's, now the order's", r)
			}
		}
		if states[filter.ID] != shop.ReservationWaiting || states[pads.ID] != shop.ReservationReserved || states[oil.ID] != shop.ReservationReserved || len(rs) != 3 {
			t.Fatalf("state=%v, want filter WAITING, pads and oil RESERVED", states)
		}
		if got := stock(t, db, clerk, pads.ID); got.Reserved != 1 {
			t.Fatalf("state=%+v, want the pads reserved once", got)
		}
	})
	if _, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: o.ID, SignedBy: "黄先生"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: o.ID}); err != nil {
		t.Fatal(err)
	}
	jobs, err := db.FindJobsByOrderIDs(adv, []shop.OrderID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	job := jobs[o.ID][0]
	if _, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: job.ID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID}); err != nil {
		t.Fatal(err)
	}
	lines, err := db.FindPartLinesByOrderIDs(adv, []shop.OrderID{o.ID})
	if err != nil {
		t.Fatal(err)
	}
	lineOf := map[shop.PartID]*shop.PartLine{}
	for _, l := range lines[o.ID] {
		lineOf[*l.PartID] = l
	}
	issue := func(p *shop.Part, q int) (*shop.PartIssue, error) {
		return db.IssueParts(clerk, store.IssuePartsInput{OrderID: o.ID, PartID: p.ID, Quantity: q, DrawnBy: f.Tech.ID})
	}
	t.Run("AppointmentsPartIssuesToTheCarsOwnOrder", func(t *testing.T) {
		is, err := issue(pads, 1)
		if err != nil {
			t.Fatalf("state=%v, want the pads issued (reserved for this car, not for others)", err)
		}
		if is.PartLineID == nil || *is.PartLineID != lineOf[pads.ID].ID {
			t.Fatalf("state=%+v, want the slip against the pads line", is)
		}
	})
	t.Run("ErrNotBeyondTheLine", func(t *testing.T) {
		if _, err := issue(oil, 3); shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "quantity" {
			t.Fatalf("state=%v, want INVALID quantity (2 on the line)", err)
		}
	})
	var oilSlip *shop.PartIssue
	t.Run("IssueAndReturn", func(t *testing.T) {
		if oilSlip, err = issue(oil, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReturnParts(clerk, store.ReturnPartsInput{IssueID: oilSlip.ID, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
		// The order's lines read what was drawn: 2 issued, 1 back; the filter not drawn yet.
		lines, err := db.FindPartLinesByOrderIDs(adv, []shop.OrderID{o.ID})
		if err != nil {
			t.Fatal(err)
		}
		drawn := map[shop.PartID]string{}
		for _, l := range lines[o.ID] {
			drawn[*l.PartID] = "nil"
			if l.Drawn != nil {
				drawn[*l.PartID] = fmt.Sprint(*l.Drawn)
			}
		}
		if drawn[oil.ID] != "1" || drawn[pads.ID] != "1" || drawn[filter.ID] != "nil" {
			t.Fatalf("drawn=%v, want oil 1, pads 1, filter nil", drawn)
		}
	})
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
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("ErrSettleWithLinesNeverIssued", func(t *testing.T) {
		_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: o.ID})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "parts" || !strings.Contains(shop.ErrorMessage(err), "04152-YZZA1 × 3") {
			t.Fatalf("state=%v, want INVALID parts naming the filters", err)
		}
	})
	t.Run("DropTheFiltersAndSettle", func(t *testing.T) {
		if _, err := db.DropPartLine(adv, store.DropPartLineInput{PartLineID: lineOf[filter.ID].ID, Reason: " "}); shop.ErrorField(err) != "reason" {
			t.Fatalf("state=%v, want INVALID reason", err)
		}
		if _, err := db.DropPartLine(adv, store.DropPartLineInput{PartLineID: lineOf[filter.ID].ID, Reason: "客户自带滤芯"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: o.ID}); err != nil {
			t.Fatal(err)
		}
		s, err := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{o.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Catalogue price 12345 each (mustPart): 1 pad, and oil 2 issued − 1 returned.
		if want := shop.Money(12345 * 2); s[o.ID].Parts != want {
			t.Fatalf("state=%v, want parts billed %v (1 pad + 1 oil: issued minus returned)", s[o.ID].Parts, want)
		}
		if got := stock(t, db, clerk, filter.ID); got.Reserved != 0 {
			t.Fatalf("state=%+v, want the dropped line's reservation released", got)
		}
	})
	t.Run("ErrReturnAfterSettlement", func(t *testing.T) {
		_, err := db.ReturnParts(clerk, store.ReturnPartsInput{IssueID: oilSlip.ID, Quantity: 1})
		if shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("state=%v, want INVALID_TRANSITION", err)
		}
	})
	t.Run("DeliveredBooksReconcile", func(t *testing.T) {
		if _, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: o.ID, BelongingsChecked: true}); err != nil {
			t.Fatal(err)
		}
		s, err := db.StockSnapshot(storetest.Ctx(f.Manager))
		if err != nil {
			t.Fatal(err)
		}
		if bad := shop.CheckStockInvariants(s); len(bad) > 0 || len(s.DeliveredLines) != 2 {
			t.Fatalf("state=%v lines=%+v, want the books to reconcile", bad, s.DeliveredLines)
		}
		if err := shop.CheckBooks(mustBooks(t, db, f)); err != nil {
			t.Fatalf("state=%v, want the settlement's books to add up", err)
		}
	})
	// Each invariant fails when the rule it guards is taken away: each case
	// writes what the command would have written without its rule, checks
	// that exactly that breach is reported, and puts the row back.
	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, tc := range []struct {
		name, without, undo, want string
		args                      []any
		books                     bool
	}{
		{"ErrIssueWithoutItsMovement", `UPDATE parts SET on_hand = on_hand - 1 WHERE id = $1`, `UPDATE parts SET on_hand = on_hand + 1 WHERE id = $1`,
			"movements add up to", []any{oil.ID}, false},
		{"ErrReserveWithoutAReservation", `UPDATE parts SET reserved = reserved + 1 WHERE id = $1`, `UPDATE parts SET reserved = reserved - 1 WHERE id = $1`,
			"open reservations hold 0", []any{oil.ID}, false},
		{"ErrBillTheQuoteNotTheIssue", `UPDATE part_lines SET billed_quantity = quantity WHERE id = $1`, `UPDATE part_lines SET billed_quantity = 1 WHERE id = $1`,
			"billed 2 but issued minus returned is 1", []any{lineOf[oil.ID].ID}, false},
		{"ErrSharesNotTheTotal", `UPDATE settlements SET customer_share = customer_share + 100 WHERE order_id = $1`,
			`UPDATE settlements SET customer_share = customer_share - 100 WHERE order_id = $1`, "", []any{o.ID}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := raw.Exec(tc.without, tc.args...); tc.books {
				// The schema's CHECK refuses shares that miss the total before
				// shop.CheckBooks would see them (its own table test shows it).
				if pe, ok := err.(*pq.Error); !ok || pe.Code != "23514" {
					t.Fatalf("state=%v, want the settlements CHECK to refuse", err)
				}
				return
			} else if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := raw.Exec(tc.undo, tc.args...); err != nil {
					t.Fatal(err)
				}
			}()
			s, err := db.StockSnapshot(storetest.Ctx(f.Manager))
			if err != nil {
				t.Fatal(err)
			}
			if bad := strings.Join(shop.CheckStockInvariants(s), "; "); !strings.Contains(bad, tc.want) {
				t.Fatalf("state=%q, want a breach saying %q", bad, tc.want)
			}
		})
	}
}

func mustBooks(t *testing.T, db *store.DB, f *storetest.Fixture) []shop.Books {
	t.Helper()
	books, err := db.FindBooks(storetest.Ctx(f.Manager), f.Site.ID)
	if err != nil {
		t.Fatal(err)
	}
	return books
}

// TestStockLedgerCommands: purchase order received at cost (average cost
// moves), reorder list, transfer to a branch, stocktake by a manager, margin.
func TestStockLedgerCommands(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	clerk, mgr := storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Manager)
	p := mustPart(t, db, clerk, f.Site.ID, "06L115562B", 0)
	sup, err := db.CreateSupplier(clerk, store.CreateSupplierInput{SiteID: f.Site.ID, Name: "一汽大众配件"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Reorder", func(t *testing.T) {
		if _, err := db.SetReorderPoint(clerk, store.SetReorderPointInput{PartID: p.ID, ReorderPoint: 4}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.FindReorderParts(clerk, f.Site.ID)
		if err != nil || len(rows) != 1 || rows[0].Suggested != 8 {
			t.Fatalf("state=%+v err=%v, want the part, suggested 8", rows, err)
		}
	})
	t.Run("PurchaseAtCost", func(t *testing.T) {
		po, err := db.CreatePurchaseOrder(clerk, store.CreatePurchaseOrderInput{SiteID: f.Site.ID, SupplierID: sup.ID,
			Lines: []shop.PurchaseLineInput{{PartID: p.ID, Quantity: 10, UnitCost: 6000}}})
		if err != nil {
			t.Fatal(err)
		}
		if rows, _ := db.FindReorderParts(clerk, f.Site.ID); len(rows) != 0 {
			t.Fatalf("state=%+v, want none: 10 are on order", rows)
		}
		lines, err := db.FindPurchaseOrderLines(clerk, []shop.PurchaseOrderID{po.ID})
		if err != nil {
			t.Fatal(err)
		}
		l := lines[po.ID][0]
		for _, q := range []int{4, 6} {
			if _, err := db.ReceivePurchase(clerk, store.ReceivePurchaseInput{PurchaseOrderLineID: l.ID, Quantity: q}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ReceivePurchase(clerk, store.ReceivePurchaseInput{PurchaseOrderLineID: l.ID, Quantity: 1}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("state=%v, want INVALID_TRANSITION (received in full)", err)
		}
		po2, err := db.CreatePurchaseOrder(clerk, store.CreatePurchaseOrderInput{SiteID: f.Site.ID, SupplierID: sup.ID,
			Lines: []shop.PurchaseLineInput{{PartID: p.ID, Quantity: 10, UnitCost: 9000}}})
		if err != nil {
			t.Fatal(err)
		}
		lines, _ = db.FindPurchaseOrderLines(clerk, []shop.PurchaseOrderID{po2.ID})
		if _, err := db.ReceivePurchase(clerk, store.ReceivePurchaseInput{PurchaseOrderLineID: lines[po2.ID][0].ID, Quantity: 5}); err != nil {
			t.Fatal(err)
		}
		if got := stock(t, db, clerk, p.ID); got.OnHand != 15 || got.AvgCost != 7000 {
			t.Fatalf("state=%+v, want 15 on hand at 70.00", got)
		}
	})
	branch, err := db.CreateStockStore(clerk, store.CreateStockStoreInput{SiteID: f.Site.ID, Name: "钣喷库"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Transfer", func(t *testing.T) {
		if _, err := db.TransferStock(clerk, store.TransferStockInput{PartID: p.ID, ToStoreID: &branch.ID, Quantity: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TransferStock(clerk, store.TransferStockInput{PartID: p.ID, FromStoreID: &branch.ID, Quantity: 6}); shop.ErrorField(err) != "quantity" {
			t.Fatalf("state=%v, want INVALID quantity (5 in the branch)", err)
		}
		if got := stock(t, db, clerk, p.ID); got.OnHand != 10 {
			t.Fatalf("state=%+v, want 10 left in the main store", got)
		}
	})
	t.Run("Stocktake", func(t *testing.T) {
		in := store.StocktakeInput{SiteID: f.Site.ID, Lines: []shop.StocktakeCount{{PartID: p.ID, Counted: 9, Reason: "包装破损报废"}}}
		if _, err := db.PostStocktake(clerk, in); shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("state=%v, want FORBIDDEN for the clerk", err)
		}
		st, err := db.PostStocktake(mgr, in)
		if err != nil || len(st.Lines) != 1 || st.Lines[0].Difference() != -1 {
			t.Fatalf("state=%+v err=%v, want an adjustment of -1", st, err)
		}
		mv, err := db.FindStockMovements(clerk, p.ID, store.Page{})
		if err != nil || len(mv) != 6 || mv[0].Kind != shop.MoveAdjustment || mv[0].Quantity != -1 {
			t.Fatalf("state=%d movements, first %+v, err=%v; want 6, newest the adjustment", len(mv), mv[0], err)
		}
		s, err := db.StockSnapshot(mgr)
		if err != nil {
			t.Fatal(err)
		}
		if bad := shop.CheckStockInvariants(s); len(bad) > 0 {
			t.Fatalf("state=%v, want the books to reconcile", bad)
		}
	})
	t.Run("Margin", func(t *testing.T) {
		m, err := db.FindPartsMargin(mgr, f.Site.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
		if err != nil || m.Revenue != 0 {
			t.Fatalf("state=%+v err=%v, want nothing settled", m, err)
		}
		at := time.Now()
		if _, err := db.FindPartsMargin(mgr, f.Site.ID, at, at); shop.ErrorField(err) != "to" {
			t.Fatalf("state=%v, want INVALID to", err)
		}
	})
}
