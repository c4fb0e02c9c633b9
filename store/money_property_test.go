package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestSettlementBooksProperty is the settlement invariant as a property on
// real PostgreSQL: several goroutines interleave settling (with deposits,
// part payments, accounts, invoices), counter payments, discounts,
// sign-offs, deliveries and receivable payments, chosen by a seeded RNG, on
// orders they share. After every few steps and at the end the site's books
// must add up (shop.CheckBooks: shares = total, deposit counted once,
// payments and receivable payments add up, receivable balances ≥ 0), and
// every refusal must be a rule's typed answer naming its field, never the
// database stopping what no rule caught.
//
// BAYBOARD_MONEY_SEED replays a run; BAYBOARD_MONEY_RUNS runs more of them.
func TestSettlementBooksProperty(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("BAYBOARD_MONEY_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("BAYBOARD_MONEY_SEED=%q: %v", s, err)
		}
		seed = n
	}
	runs := 1
	if s := os.Getenv("BAYBOARD_MONEY_RUNS"); s != "" {
		runs, _ = strconv.Atoi(s)
	}
	for r := range runs {
		s := seed + uint64(r)
		t.Run(fmt.Sprintf("seed=%d", s), func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("replay with BAYBOARD_MONEY_SEED=%d", s)
				}
			}()
			runMoneyProperty(t, s)
		})
	}
}

const (
	moneyWorkers = 4
	moneySteps   = 80 // per worker
	checkEvery   = 20 // steps of a worker between checks of the books
)

// moneyWorld is what the workers share: the orders to settle and who acts.
type moneyWorld struct {
	db     *store.DB
	f      *storetest.Fixture
	orders []shop.OrderID
}

func runMoneyProperty(t *testing.T, seed uint64) {
	t.Logf("seed=%d", seed)
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	w := buildMoneyWorld(t, db, f, rand.New(rand.NewPCG(seed, 0)))

	var (
		mu       sync.Mutex
		outcomes = map[string]int{}
		checks   atomic.Int64
		steps    atomic.Int64
	)
	count := func(op string, err error) {
		mu.Lock()
		defer mu.Unlock()
		code := shop.ErrorCode(err)
		if code == "" {
			code = "OK"
		}
		outcomes[op+" "+code]++
	}
	errs := make([]error, moneyWorkers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range moneyWorkers {
		rng := rand.New(rand.NewPCG(seed, uint64(i+1)))
		wg.Go(func() {
			<-start
			for n := range moneySteps {
				op, err := w.step(rng)
				steps.Add(1)
				count(op, err)
				if !expectedRefusal(err) {
					errs[i] = fmt.Errorf("worker %d step %d: %s: unexpected %v (code %s, field %q)", i, n, op, err, shop.ErrorCode(err), shop.ErrorField(err))
					return
				}
				if (n+1)%checkEvery == 0 {
					checks.Add(1)
					if err := w.checkBooks(); err != nil {
						errs[i] = fmt.Errorf("worker %d after step %d: %w", i, n, err)
						return
					}
				}
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("state=%v, want the books to add up (seed=%d)", err, seed)
		}
	}
	checks.Add(1)
	if err := w.checkBooks(); err != nil {
		t.Fatalf("state=%v, want the books to add up at the end (seed=%d)", err, seed)
	}
	books, _ := db.FindBooks(storetest.Ctx(f.Manager), f.Site.ID)
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	summary := ""
	for _, k := range keys {
		summary += fmt.Sprintf(" %s=%d", k, outcomes[k])
	}
	t.Logf("steps=%d checks=%d settlements=%d orders=%d outcomes:%s", steps.Load(), checks.Load(), len(books), len(w.orders), summary)
	if outcomes["settle OK"] == 0 || outcomes["payReceivable OK"] == 0 {
		t.Fatalf("outcomes=%v, want settlements and receivable payments to happen", outcomes)
	}
}

// expectedRefusal says whether err is an answer of the rules: success, a
// refused transition or role, or a typed error naming its field. The
// database's own constraints answer without a field: if one fires, a rule
// in shop/ let through what it should have refused.
func expectedRefusal(err error) bool {
	switch shop.ErrorCode(err) {
	case "", shop.EINVALIDTRANSITION, shop.EFORBIDDEN:
		return true
	case shop.EINVALID, shop.ECONFLICT, shop.ENOTFOUND:
		return shop.ErrorField(err) != ""
	}
	return false
}

// buildMoneyWorld takes orders to READY: plain ones, some split between the
// customer, the insurer and the maker, some booked with a deposit (two of
// those with a second order on the same visit, to spend the deposit once),
// one bill over ¥10,000; and gives some customers an account.
func buildMoneyWorld(t *testing.T, db *store.DB, f *storetest.Fixture, rng *rand.Rand) *moneyWorld {
	w := &moneyWorld{db: db, f: f}
	mgr := storetest.Ctx(f.Manager)
	add := func(c *storetest.Car) { w.orders = append(w.orders, c.Order.ID) }
	split := []shop.Payer{shop.PayerInsurer, shop.PayerWarranty, shop.PayerCustomer}
	for i := range 4 {
		ap := bookWithDeposit(t, db, f, shop.Money(rng.IntN(1200_00)+1), fmt.Sprintf("粤B7P%03d", i))
		c := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Appointment: &ap.ID})
		add(c)
		if i < 2 {
			add(f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Visit: c.Visit, Jobs: 1}))
		}
		if i%2 == 0 {
			if _, err := db.SetCustomerAccount(mgr, store.SetCustomerAccountInput{CustomerID: c.Customer,
				CreditLimit: shop.Money(rng.IntN(1500_00))}); err != nil {
				t.Fatalf("account: %v", err)
			}
		}
	}
	for i := range 12 {
		o := storetest.CarOptions{Jobs: 1 + rng.IntN(3)}
		if i%2 == 0 {
			o.Payers = split
		}
		c := f.MustCar(t, db, shop.OrderReady, o)
		add(c)
		if i == 1 {
			if _, err := db.SetCustomerAccount(mgr, store.SetCustomerAccountInput{CustomerID: c.Customer, CreditLimit: 5000_00}); err != nil {
				t.Fatalf("account: %v", err)
			}
		}
	}
	add(f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 35}))
	return w
}

// step does one random operation as the role that would do it.
func (w *moneyWorld) step(rng *rand.Rand) (string, error) {
	f, db := w.f, w.db
	cash, adv, mgr := storetest.Ctx(f.Cashier), storetest.Ctx(f.Advisor), storetest.Ctx(f.Manager)
	order := w.orders[rng.IntN(len(w.orders))]
	amount := func(max int) shop.Money { return shop.Money(rng.IntN(max) + 1) }
	switch k := rng.IntN(100); {
	case k < 30:
		in := store.SettleRepairOrderInput{OrderID: order}
		if rng.IntN(2) == 0 {
			a := shop.Money(rng.IntN(300_00)) // mostly a part, sometimes more than owed
			in.AmountPaid = &a
		}
		if rng.IntN(3) == 0 {
			yes := true
			in.ChargeToAccount = &yes
		}
		if rng.IntN(3) == 0 {
			inv := fmt.Sprintf("0440%04d", rng.IntN(6))
			in.InvoiceNumber = &inv
		}
		ref := "PICC-2026-" + strconv.Itoa(int(order))
		in.AssessmentReference = &ref
		_, err := db.SettleRepairOrder(cash, in)
		return "settle", err
	case k < 50:
		// Mostly within the balance as it was just read, sometimes above it;
		// another worker may pay first.
		due := shop.Money(100_00)
		if m, err := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{order}); err == nil && m[order] != nil && m[order].BalanceDue() > 0 {
			due = m[order].BalanceDue()
		}
		_, err := db.RecordPayment(cash, store.RecordPaymentInput{OrderID: order, Amount: around(rng, due), Method: shop.PayWeChat})
		return "recordPayment", err
	case k < 70:
		open := rng.IntN(5) > 0 // now and then one already paid
		rs, err := db.FindReceivables(cash, store.ReceivableFilter{SiteID: f.Site.ID, Outstanding: &open})
		if err != nil || len(rs) == 0 {
			return "findReceivables", err
		}
		r := rs[rng.IntN(len(rs))]
		_, err = db.PayReceivable(cash, store.PayReceivableInput{ReceivableID: r.ID, Amount: around(rng, max(r.Balance(), 1))})
		return "payReceivable", err
	case k < 78:
		by := adv
		if rng.IntN(2) == 0 {
			by = mgr
		}
		_, err := db.ApproveDiscount(by, store.ApproveDiscountInput{OrderID: order, Amount: amount(250_00), Reason: "老客户"})
		return "approveDiscount", err
	case k < 84:
		_, err := db.SignOffBill(mgr, store.SignOffBillInput{OrderID: order})
		return "signOffBill", err
	case k < 90:
		_, err := db.RecordInvoice(cash, store.RecordInvoiceInput{OrderID: order, InvoiceNumber: fmt.Sprintf("0440%04d", rng.IntN(12))})
		return "recordInvoice", err
	default:
		_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: order, BelongingsChecked: true})
		return "deliver", err
	}
}

// around returns a payment for a balance: all of it, part of it, or (one
// time in five) a little more than it.
func around(rng *rand.Rand, balance shop.Money) shop.Money {
	switch rng.IntN(5) {
	case 0:
		return balance + shop.Money(rng.IntN(1000)+1)
	case 1, 2:
		return balance
	}
	return shop.Money(rng.Int64N(int64(balance))) + 1
}

// checkBooks reads the site's books as one snapshot and checks them.
func (w *moneyWorld) checkBooks() error {
	books, err := w.db.FindBooks(storetest.Ctx(w.f.Manager), w.f.Site.ID)
	if err != nil {
		return err
	}
	return shop.CheckBooks(books)
}
