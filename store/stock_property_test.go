package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestStockInvariantsProperty runs a random interleaving of the parts
// operations (orders with catalogue lines that reserve, issues, returns,
// receipts, purchase orders, transfers, stocktakes, reservations and their
// release, settlement and delivery, cancellation) from several goroutines
// on real PostgreSQL, and checks the stock invariants
// (shop.CheckStockInvariants) while it runs and at the end. The seed is
// printed; BAYBOARD_STOCK_SEED replays a worker's choices (the interleaving
// itself is the scheduler's). BAYBOARD_STOCK_STEPS sets the steps per worker.
func TestStockInvariantsProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BAYBOARD_STOCK_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BAYBOARD_STOCK_SEED=%q: %v", s, err)
		}
		seed = n
	}
	steps := 100
	if s := os.Getenv("BAYBOARD_STOCK_STEPS"); s != "" {
		steps, _ = strconv.Atoi(s)
	}
	if testing.Short() {
		steps = 25
	}
	const workers = 4
	t.Logf("seed=%d workers=%d steps per worker=%d (replay with BAYBOARD_STOCK_SEED=%d)", seed, workers, steps, seed)

	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	w := newStockWorld(t, db, f)
	var wg sync.WaitGroup
	errs := make(chan string, workers)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(i)))
			for n := range steps {
				op := w.pick(rng)
				if msg := op.run(w, rng); msg != "" {
					errs <- fmt.Sprintf("seed=%d worker %d step %d %s: %s", seed, i, n, op.name, msg)
					return
				}
				w.counts[op.name].Add(1)
				if n%20 == 19 {
					if bad := w.check(); len(bad) > 0 {
						errs <- fmt.Sprintf("seed=%d worker %d after step %d: invariants broken:\n  %s", seed, i, n, strings.Join(bad, "\n  "))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if bad := w.check(); len(bad) > 0 {
		t.Fatalf("seed=%d at the end: invariants broken:\n  %s", seed, strings.Join(bad, "\n  "))
	}
	var report []string
	for _, op := range stockOps {
		report = append(report, fmt.Sprintf("%s=%d", op.name, w.counts[op.name].Load()))
	}
	t.Logf("seed=%d ops: %s; refused as expected: %d; conflicts: %d; delivered orders: %d",
		seed, strings.Join(report, " "), w.refused.Load(), w.conflicts.Load(), w.delivered.Load())
	if w.delivered.Load() == 0 || w.counts["issue"].Load() == 0 {
		t.Fatalf("seed=%d: no order was delivered or nothing issued; the run proves nothing", seed)
	}
}

type stockWorld struct {
	t                                         *testing.T
	db                                        *store.DB
	f                                         *storetest.Fixture
	adv, clerk, mgr, cash, tech, lead, qc, fm context.Context
	parts                                     []*shop.Part
	branch                                    shop.StockStoreID
	supplier                                  shop.SupplierID
	mu                                        sync.Mutex
	orders                                    []*stockOrder
	counts                                    map[string]*atomic.Int64
	refused, conflicts, delivered             atomic.Int64
	plate                                     atomic.Int64
}

type stockOrder struct {
	id   shop.OrderID
	jobs []shop.JobID
	done atomic.Bool
}

type stockOp struct {
	name   string
	weight int
	run    func(w *stockWorld, rng *rand.Rand) string
}

var stockOps []stockOp

func init() {
	stockOps = []stockOp{
		{"newOrder", 3, (*stockWorld).newOrder},
		{"issue", 6, (*stockWorld).issue},
		{"return", 3, (*stockWorld).giveBack},
		{"receive", 2, (*stockWorld).receive},
		{"purchase", 2, (*stockWorld).purchase},
		{"transfer", 2, (*stockWorld).transfer},
		{"stocktake", 1, (*stockWorld).stocktake},
		{"reserve", 1, (*stockWorld).reserve},
		{"release", 1, (*stockWorld).release},
		{"complete", 3, (*stockWorld).complete},
		{"cancelDraft", 1, (*stockWorld).cancelDraft},
	}
}

func newStockWorld(t *testing.T, db *store.DB, f *storetest.Fixture) *stockWorld {
	w := &stockWorld{t: t, db: db, f: f, adv: storetest.Ctx(f.Advisor), clerk: storetest.Ctx(f.PartsClerk), mgr: storetest.Ctx(f.Manager),
		cash: storetest.Ctx(f.Cashier), tech: storetest.Ctx(f.Tech), lead: storetest.Ctx(f.Lead), qc: storetest.Ctx(f.QC),
		fm: storetest.Ctx(f.Foreman), counts: map[string]*atomic.Int64{}}
	for _, op := range stockOps {
		w.counts[op.name] = &atomic.Int64{}
	}
	for i, n := range []int{6, 3, 0} {
		w.parts = append(w.parts, mustPart(t, db, w.clerk, f.Site.ID, fmt.Sprintf("PROP-%d", i), n))
	}
	s, err := db.CreateStockStore(w.clerk, store.CreateStockStoreInput{SiteID: f.Site.ID, Name: "二号库"})
	if err != nil {
		t.Fatal(err)
	}
	w.branch = s.ID
	sup, err := db.CreateSupplier(w.clerk, store.CreateSupplierInput{SiteID: f.Site.ID, Name: "广汽配件"})
	if err != nil {
		t.Fatal(err)
	}
	w.supplier = sup.ID
	return w
}

func (w *stockWorld) pick(rng *rand.Rand) stockOp {
	total := 0
	for _, op := range stockOps {
		total += op.weight
	}
	n := rng.IntN(total)
	for _, op := range stockOps {
		if n < op.weight {
			return op
		}
		n -= op.weight
	}
	return stockOps[0]
}

// expect accepts the refusals a random operation may meet (no stock, wrong
// state, a concurrent change) and reports anything else. An INVALID must
// name its field: a bare one is a database CHECK that caught what a rule
// in shop/ should have refused first.
func (w *stockWorld) expect(err error) string {
	switch shop.ErrorCode(err) {
	case "":
		return ""
	case shop.EINVALID:
		if shop.ErrorField(err) == "" {
			return "unexpected INVALID with no field (a database constraint caught it): " + err.Error()
		}
		w.refused.Add(1)
		return ""
	case shop.EINVALIDTRANSITION:
		w.refused.Add(1)
		return ""
	case shop.ECONFLICT:
		w.conflicts.Add(1)
		return ""
	}
	return fmt.Sprintf("unexpected error: %v (code %s)", err, shop.ErrorCode(err))
}

func (w *stockWorld) check() []string {
	s, err := w.db.StockSnapshot(w.mgr)
	if err != nil {
		return []string{"snapshot: " + err.Error()}
	}
	return shop.CheckStockInvariants(s)
}

func (w *stockWorld) order(rng *rand.Rand) *stockOrder {
	w.mu.Lock()
	defer w.mu.Unlock()
	var open []*stockOrder
	for _, o := range w.orders {
		if !o.done.Load() {
			open = append(open, o)
		}
	}
	if len(open) == 0 {
		return nil
	}
	return open[rng.IntN(len(open))]
}

func (w *stockWorld) part(rng *rand.Rand) *shop.Part { return w.parts[rng.IntN(len(w.parts))] }

func (w *stockWorld) draft(rng *rand.Rand) (*shop.Order, string) {
	v, err := w.db.ReceiveVehicle(w.adv, store.ReceiveVehicleInput{SiteID: w.f.Site.ID, Mileage: 1000, FuelLevel: 50, KeyTag: "K",
		Complaint: "保养", WalkaroundSigned: true, Customer: &store.NewCustomerInput{Name: "林先生", Phone: "13900139000"},
		Vehicle: &store.NewVehicleInput{Plate: fmt.Sprintf("粤S%05d", w.plate.Add(1)), Make: "本田", Model: "雅阁"}})
	if err != nil {
		return nil, "receive vehicle: " + err.Error()
	}
	pay, idx := shop.PayWeChat, 0
	in := store.CreateRepairOrderInput{VisitID: v.ID, WorkType: shop.WorkMaintenance, PaymentMethod: &pay,
		Jobs: []*store.JobLineInput{{Description: "保养", LabourMinutes: 30}}}
	first := rng.IntN(len(w.parts))
	for k := range 1 + rng.IntN(2) {
		p := w.parts[(first+k)%len(w.parts)]
		in.Parts = append(in.Parts, &store.PartLineInput{PartNumber: p.PartNumber, Quantity: 1 + rng.IntN(3), JobIndex: &idx})
	}
	o, err := w.db.CreateRepairOrder(w.adv, in)
	if err != nil {
		return nil, "create order: " + err.Error()
	}
	return o, ""
}

func (w *stockWorld) newOrder(rng *rand.Rand) string {
	o, msg := w.draft(rng)
	if msg != "" {
		return msg
	}
	if _, err := w.db.SignRepairOrder(w.adv, store.SignRepairOrderInput{OrderID: o.ID, SignedBy: "林先生"}); err != nil {
		return "sign: " + err.Error()
	}
	if _, err := w.db.HandOverRepairOrder(w.adv, store.HandOverRepairOrderInput{OrderID: o.ID}); err != nil {
		return "hand over: " + err.Error()
	}
	jobs, err := w.db.FindJobsByOrderIDs(w.adv, []shop.OrderID{o.ID})
	if err != nil {
		return err.Error()
	}
	so := &stockOrder{id: o.ID}
	for _, j := range jobs[o.ID] {
		if _, err := w.db.DispatchJob(w.fm, store.DispatchJobInput{JobID: j.ID, TechnicianID: w.f.Tech.ID, BayID: w.f.Bay.ID}); err != nil {
			return "dispatch: " + err.Error()
		}
		so.jobs = append(so.jobs, j.ID)
	}
	w.mu.Lock()
	w.orders = append(w.orders, so)
	w.mu.Unlock()
	return ""
}

func (w *stockWorld) issue(rng *rand.Rand) string {
	o := w.order(rng)
	if o == nil {
		return ""
	}
	_, err := w.db.IssueParts(w.clerk, store.IssuePartsInput{OrderID: o.id, PartID: w.part(rng).ID, Quantity: 1 + rng.IntN(3), DrawnBy: w.f.Tech.ID})
	return w.expect(err)
}

func (w *stockWorld) giveBack(rng *rand.Rand) string {
	w.mu.Lock()
	if len(w.orders) == 0 {
		w.mu.Unlock()
		return ""
	}
	o := w.orders[rng.IntN(len(w.orders))] // settled ones too: the return must be refused
	w.mu.Unlock()
	issues, err := w.db.FindPartIssuesByOrderIDs(w.clerk, []shop.OrderID{o.id})
	if err != nil {
		return err.Error()
	}
	var open []*shop.PartIssue
	for _, is := range issues[o.id] {
		if is.Returned < is.Quantity {
			open = append(open, is)
		}
	}
	if len(open) == 0 {
		return ""
	}
	is := open[rng.IntN(len(open))]
	_, err = w.db.ReturnParts(w.clerk, store.ReturnPartsInput{IssueID: is.ID, Quantity: 1 + rng.IntN(is.Quantity-is.Returned)})
	return w.expect(err)
}

func (w *stockWorld) receive(rng *rand.Rand) string {
	_, err := w.db.ReceiveStock(w.clerk, store.ReceiveStockInput{PartID: w.part(rng).ID, Quantity: 1 + rng.IntN(4)})
	return w.expect(err)
}

func (w *stockWorld) purchase(rng *rand.Rand) string {
	p := w.part(rng)
	po, err := w.db.CreatePurchaseOrder(w.clerk, store.CreatePurchaseOrderInput{SiteID: w.f.Site.ID, SupplierID: w.supplier,
		Lines: []shop.PurchaseLineInput{{PartID: p.ID, Quantity: 2 + rng.IntN(5), UnitCost: shop.Money(500 + rng.IntN(1000))}}})
	if err != nil {
		return "purchase order: " + err.Error()
	}
	lines, err := w.db.FindPurchaseOrderLines(w.clerk, []shop.PurchaseOrderID{po.ID})
	if err != nil {
		return err.Error()
	}
	l := lines[po.ID][0]
	if rng.IntN(4) == 0 {
		return "" // stays on order: incoming
	}
	_, err = w.db.ReceivePurchase(w.clerk, store.ReceivePurchaseInput{PurchaseOrderLineID: l.ID, Quantity: 1 + rng.IntN(l.Quantity)})
	return w.expect(err)
}

func (w *stockWorld) transfer(rng *rand.Rand) string {
	in := store.TransferStockInput{PartID: w.part(rng).ID, Quantity: 1 + rng.IntN(3)}
	if rng.IntN(2) == 0 {
		in.ToStoreID = &w.branch
	} else {
		in.FromStoreID = &w.branch
	}
	_, err := w.db.TransferStock(w.clerk, in)
	return w.expect(err)
}

func (w *stockWorld) stocktake(rng *rand.Rand) string {
	p, err := w.db.FindPartByID(w.mgr, w.part(rng).ID)
	if err != nil {
		return err.Error()
	}
	// Counted against a book read before: a concurrent change makes the
	// difference another one, which is exactly what a count booked late does.
	counted := max(p.OnHand+rng.IntN(3)-1, 0)
	in := store.StocktakeInput{SiteID: w.f.Site.ID, Lines: []shop.StocktakeCount{{PartID: p.ID, Counted: counted, Reason: "盘点差异"}}}
	if rng.IntN(3) == 0 {
		in.StoreID = &w.branch
		in.Lines[0].Counted = rng.IntN(3)
	}
	_, err = w.db.PostStocktake(w.mgr, in)
	return w.expect(err)
}

func (w *stockWorld) reserve(rng *rand.Rand) string {
	o := w.order(rng)
	if o == nil {
		return ""
	}
	_, err := w.db.ReserveParts(w.adv, store.ReservePartsInput{PartID: w.part(rng).ID, Quantity: 1 + rng.IntN(2), OrderID: &o.id})
	return w.expect(err)
}

func (w *stockWorld) release(rng *rand.Rand) string {
	o := w.order(rng)
	if o == nil {
		return ""
	}
	rs, err := w.db.FindReservations(w.adv, nil, &o.id, nil, store.Page{})
	if err != nil {
		return err.Error()
	}
	for _, r := range rs {
		if r.State.Open() {
			_, err := w.db.ReleasePartReservation(w.adv, store.ReleasePartReservationInput{ReservationID: r.ID, Reason: "客户自带"})
			return w.expect(err)
		}
	}
	return ""
}

// complete takes an order through to delivery: settlement is tried first
// while lines may be unissued (it must refuse them by name), then the lines
// never issued are dropped and it is settled and delivered.
func (w *stockWorld) complete(rng *rand.Rand) string {
	o := w.order(rng)
	if o == nil || !o.done.CompareAndSwap(false, true) {
		return ""
	}
	for _, j := range o.jobs {
		ref := store.JobRef{JobID: j}
		for _, step := range []func() error{
			func() error { _, err := w.db.StartJob(w.tech, ref); return err },
			func() error { _, err := w.db.FinishJob(w.tech, ref); return err },
			func() error {
				_, err := w.db.RecordSelfCheck(w.tech, store.RecordJobCheckInput{JobID: j, Passed: true})
				return err
			},
			func() error {
				_, err := w.db.RecordTeamLeadCheck(w.lead, store.RecordJobCheckInput{JobID: j, Passed: true})
				return err
			},
		} {
			if err := step(); err != nil {
				return "work the job: " + err.Error()
			}
		}
	}
	if _, err := w.db.RecordFinalInspection(w.qc, store.RecordFinalInspectionInput{OrderID: o.id, Passed: true}); err != nil {
		return "final inspection: " + err.Error()
	}
	lines, err := w.db.FindPartLinesByOrderIDs(w.adv, []shop.OrderID{o.id})
	if err != nil {
		return err.Error()
	}
	issues, err := w.db.FindPartIssuesByOrderIDs(w.adv, []shop.OrderID{o.id})
	if err != nil {
		return err.Error()
	}
	slipped := map[shop.PartLineID]bool{}
	for _, is := range issues[o.id] {
		if is.PartLineID != nil {
			slipped[*is.PartLineID] = true
		}
	}
	var unissued []shop.PartLineID
	for _, l := range lines[o.id] {
		if !slipped[l.ID] {
			unissued = append(unissued, l.ID)
		}
	}
	_, err = w.db.SettleRepairOrder(w.cash, store.SettleRepairOrderInput{OrderID: o.id})
	if len(unissued) > 0 {
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "parts" {
			return fmt.Sprintf("settled with %d line(s) never issued: err=%v, want INVALID parts", len(unissued), err)
		}
		for _, id := range unissued {
			if _, err := w.db.DropPartLine(w.adv, store.DropPartLineInput{PartLineID: id, Reason: "不需要"}); err != nil {
				return "drop line: " + err.Error()
			}
		}
		if _, err = w.db.SettleRepairOrder(w.cash, store.SettleRepairOrderInput{OrderID: o.id}); err != nil {
			return "settle: " + err.Error()
		}
	} else if err != nil {
		return "settle: " + err.Error()
	}
	if _, err := w.db.DeliverVehicle(w.adv, store.DeliverVehicleInput{OrderID: o.id, BelongingsChecked: true}); err != nil {
		return "deliver: " + err.Error()
	}
	w.delivered.Add(1)
	return ""
}

func (w *stockWorld) cancelDraft(rng *rand.Rand) string {
	o, msg := w.draft(rng)
	if msg != "" {
		return msg
	}
	_, err := w.db.CancelRepairOrder(w.adv, store.CancelRepairOrderInput{OrderID: o.ID, Reason: "客户改期"})
	if err != nil {
		return "cancel: " + err.Error()
	}
	return ""
}
