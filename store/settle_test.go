package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// bookWithDeposit books an appointment for a new customer's car with a deposit.
func bookWithDeposit(t *testing.T, db *store.DB, f *storetest.Fixture, deposit shop.Money, plate string) *shop.Appointment {
	t.Helper()
	ap, err := db.BookAppointment(storetest.Ctx(f.Advisor), store.BookAppointmentInput{SiteID: f.Site.ID,
		Customer: &store.NewCustomerInput{Name: "林女士", Phone: "13900139000"}, Vehicle: &store.NewVehicleInput{Plate: plate, Make: "本田", Model: "雅阁"},
		ScheduledAt: f.OpenAt(db.Now().Add(time.Hour)), RequestedWork: "更换刹车片", Deposit: &deposit})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	return ap
}

func TestSettleDepositAndPartPayments(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cash, adv := storetest.Ctx(f.Cashier), storetest.Ctx(f.Advisor)
	ap := bookWithDeposit(t, db, f, 200_00, "粤B9D001")
	car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Appointment: &ap.ID})
	// A second order of the same visit: the deposit is not credited again.
	car2 := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Visit: car.Visit})

	t.Run("ErrInvalid/Overpaid", func(t *testing.T) {
		too := shop.Money(1_000_000)
		_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car.Order.ID, AmountPaid: &too})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "amountPaid" {
			t.Fatalf("err=%v, want INVALID amountPaid", err)
		}
	})
	part := shop.Money(100_00)
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car.Order.ID, AmountPaid: &part}); err != nil {
		t.Fatalf("settle: %v", err)
	}
	s, err := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{car.Order.ID})
	if err != nil {
		t.Fatal(err)
	}
	st := s[car.Order.ID]
	// 2 jobs × ¥300 labour + 2 × 2 × ¥12.34 parts = ¥649.36.
	if st.Total != 649_36 || st.DepositCredited != 200_00 || st.Paid != 100_00 || st.BalanceDue() != 349_36 || st.DepositFrom == nil || *st.DepositFrom != ap.ID {
		t.Fatalf("state=%+v, want total 649.36, deposit 200.00, paid 100.00, due 349.36", st)
	}
	t.Run("ErrInvalid/DeliverWithBalance", func(t *testing.T) {
		_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: car.Order.ID, BelongingsChecked: true})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "balanceDue" {
			t.Fatalf("err=%v, want INVALID balanceDue", err)
		}
	})
	t.Run("ErrInvalid/PayMoreThanOwed", func(t *testing.T) {
		_, err := db.RecordPayment(cash, store.RecordPaymentInput{OrderID: car.Order.ID, Amount: 349_37, Method: shop.PayCash})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "amount" {
			t.Fatalf("err=%v, want INVALID amount", err)
		}
	})
	for _, amt := range []shop.Money{300_00, 49_36} {
		if _, err := db.RecordPayment(cash, store.RecordPaymentInput{OrderID: car.Order.ID, Amount: amt, Method: shop.PayAlipay}); err != nil {
			t.Fatalf("pay %v: %v", amt, err)
		}
	}
	if _, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: car.Order.ID, BelongingsChecked: true}); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	pays, err := db.FindPaymentsBySettlementIDs(cash, []shop.SettlementID{st.ID})
	if err != nil || len(pays[st.ID]) != 3 {
		t.Fatalf("payments=%v (%v), want 3", pays[st.ID], err)
	}

	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car2.Order.ID}); err != nil {
		t.Fatalf("settle second: %v", err)
	}
	s, _ = db.FindSettlementsByOrderIDs(cash, []shop.OrderID{car2.Order.ID})
	if st2 := s[car2.Order.ID]; st2.DepositCredited != 0 || st2.DepositFrom != nil || st2.Paid != st2.CustomerShare {
		t.Fatalf("state=%+v, want no deposit on the visit's second order", st2)
	}
}

func TestSettleSignOffDiscountInvoice(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cash, adv, mgr := storetest.Ctx(f.Cashier), storetest.Ctx(f.Advisor), storetest.Ctx(f.Manager)
	// 35 jobs: ¥10,500 labour + ¥863.80 parts = ¥11,363.80, over ¥10,000.
	big := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 35})
	small := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})

	_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: big.Order.ID})
	if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "managerSignOff" {
		t.Fatalf("err=%v, want INVALID managerSignOff", err)
	}
	if _, err := db.SignOffBill(adv, store.SignOffBillInput{OrderID: big.Order.ID}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("err=%v, want FORBIDDEN for the advisor", err)
	}
	if _, err := db.ApproveDiscount(adv, store.ApproveDiscountInput{OrderID: big.Order.ID, Amount: 500_01, Reason: "老客户"}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("err=%v, want FORBIDDEN over the advisor's ¥500", err)
	}
	if _, err := db.ApproveDiscount(mgr, store.ApproveDiscountInput{OrderID: big.Order.ID, Amount: 1_363_80, Reason: "老客户"}); err != nil {
		t.Fatalf("approve discount: %v", err)
	}
	if _, err := db.SignOffBill(mgr, store.SignOffBillInput{OrderID: big.Order.ID}); err != nil {
		t.Fatalf("sign off: %v", err)
	}
	inv := "04400001"
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: big.Order.ID, InvoiceNumber: &inv}); err != nil {
		t.Fatalf("settle: %v", err)
	}
	s, _ := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{big.Order.ID})
	st := s[big.Order.ID]
	if st.Total != 10_000_00 || st.Discount != 1_363_80 || st.DiscountApprovedBy == nil || *st.DiscountApprovedBy != f.Manager.ID ||
		st.SignedOffBy == nil || st.InvoiceNumber != inv || st.Paid != 10_000_00 {
		t.Fatalf("state=%+v, want ¥10,000.00 after the manager's discount, signed off, invoice %s", st, inv)
	}
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: small.Order.ID, InvoiceNumber: &inv}); shop.ErrorCode(err) != shop.ECONFLICT || shop.ErrorField(err) != "invoiceNumber" {
		t.Fatalf("err=%v, want CONFLICT invoiceNumber", err)
	}
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: small.Order.ID}); err != nil {
		t.Fatalf("settle small: %v", err)
	}
	if _, err := db.RecordInvoice(cash, store.RecordInvoiceInput{OrderID: small.Order.ID, InvoiceNumber: inv}); shop.ErrorCode(err) != shop.ECONFLICT {
		t.Fatalf("err=%v, want CONFLICT for a used number", err)
	}
	if _, err := db.RecordInvoice(cash, store.RecordInvoiceInput{OrderID: small.Order.ID, InvoiceNumber: "04400002"}); err != nil {
		t.Fatalf("record invoice: %v", err)
	}
}

func TestReceivables(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cash, mgr := storetest.Ctx(f.Cashier), storetest.Ctx(f.Manager)
	now := time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	split := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 3,
		Payers: []shop.Payer{shop.PayerInsurer, shop.PayerWarranty, shop.PayerCustomer}})
	acct := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})

	ref := "PICC-2026-1"
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: split.Order.ID, AssessmentReference: &ref}); err != nil {
		t.Fatalf("settle: %v", err)
	}
	yes := true
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: acct.Order.ID, ChargeToAccount: &yes}); shop.ErrorField(err) != "chargeToAccount" {
		t.Fatalf("err=%v, want INVALID chargeToAccount without an account", err)
	}
	if _, err := db.SetCustomerAccount(cash, store.SetCustomerAccountInput{CustomerID: acct.Customer, CreditLimit: 1_000_00}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("err=%v, want FORBIDDEN for the cashier", err)
	}
	if _, err := db.SetCustomerAccount(mgr, store.SetCustomerAccountInput{CustomerID: acct.Customer, CreditLimit: 1_000_00}); err != nil {
		t.Fatalf("account: %v", err)
	}
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: acct.Order.ID, ChargeToAccount: &yes}); err != nil {
		t.Fatalf("settle on account: %v", err)
	}
	if _, err := db.DeliverVehicle(storetest.Ctx(f.Advisor), store.DeliverVehicleInput{OrderID: acct.Order.ID, BelongingsChecked: true}); err != nil {
		t.Fatalf("deliver an account customer's car: %v", err)
	}

	byPayer := map[shop.ReceivablePayer]*shop.Receivable{}
	rs, err := db.FindReceivables(cash, store.ReceivableFilter{SiteID: f.Site.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		byPayer[r.Payer] = r
	}
	// Per job ¥300 labour + ¥24.68 parts = ¥324.68.
	if len(rs) != 3 || byPayer[shop.ReceivableInsurer].Amount != 324_68 || byPayer[shop.ReceivableWarranty].Amount != 324_68 ||
		byPayer[shop.ReceivableAccount].Amount != 649_36 || byPayer[shop.ReceivableWarranty].Debtor != "丰田" {
		t.Fatalf("receivables=%v, want insurer 324.68, warranty 324.68 (丰田), account 649.36", byPayer)
	}
	ins := byPayer[shop.ReceivableInsurer]
	if _, err := db.PayReceivable(cash, store.PayReceivableInput{ReceivableID: ins.ID, Amount: 324_69}); shop.ErrorField(err) != "amount" {
		t.Fatalf("err=%v, want INVALID amount above the balance", err)
	}
	if _, err := db.PayReceivable(cash, store.PayReceivableInput{ReceivableID: ins.ID, Amount: 100_00}); err != nil {
		t.Fatalf("pay: %v", err)
	}

	// 45 days later, by the site's clock: the rest is 31-60 days old.
	now = now.Add(45 * 24 * time.Hour)
	ag, err := db.ReceivablesAgeing(mgr, f.Site.ID, shop.ReceivableInsurer)
	if err != nil {
		t.Fatal(err)
	}
	if ag.Buckets[shop.Age31To60] != 224_68 || ag.Total != 224_68 || ag.Count != 1 {
		t.Fatalf("ageing=%+v, want 224.68 in 31-60 days", ag)
	}
	if _, err := db.ReceivablesAgeing(storetest.Ctx(f.Tech), f.Site.ID, shop.ReceivableInsurer); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("err=%v, want FORBIDDEN for a technician", err)
	}
	payer := shop.ReceivableAccount
	rs, err = db.FindReceivables(mgr, store.ReceivableFilter{SiteID: f.Site.ID, Payer: &payer, CustomerID: &acct.Customer})
	if err != nil || len(rs) != 1 {
		t.Fatalf("account receivables=%v (%v), want 1", rs, err)
	}
	// Over the credit limit: the next bill cannot go on the account.
	more := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Customer: acct.Customer, Vehicle: acct.Vehicle})
	if _, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: more.Order.ID, ChargeToAccount: &yes}); shop.ErrorField(err) != "chargeToAccount" {
		t.Fatalf("err=%v, want INVALID chargeToAccount over the limit", err)
	}
}

// TestSettleSharedDepositRace: two orders of one visit settled at once,
// both waiting for the appointment's lock: the deposit is credited once, to
// the one that got the lock first, and the other settles without it (it
// used to miss the first one's credit, read as of before its wait, and fail
// on the unique index with a bare CONFLICT).
func TestSettleSharedDepositRace(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	cash := storetest.Ctx(f.Cashier)
	ap := bookWithDeposit(t, db, f, 200_00, "粤B9D002")
	car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Appointment: &ap.ID})
	car2 := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Visit: car.Visit})
	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	holder, err := raw.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec(`SELECT 1 FROM appointments WHERE id = $1 FOR UPDATE`, ap.ID); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for _, o := range []shop.OrderID{car.Order.ID, car2.Order.ID} {
		go func() {
			_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: o})
			done <- err
		}()
	}
	waitLockWaiters(t, raw, "%FROM appointments%FOR UPDATE%", 2, done)
	if err := holder.Commit(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("settle after the appointment was released: %v, want both settled", err)
		}
	}
	s, err := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{car.Order.ID, car2.Order.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := s[car.Order.ID].DepositCredited, s[car2.Order.ID].DepositCredited; a+b != 200_00 || (a != 0 && b != 0) {
		t.Fatalf("deposit credited %v and %v, want ¥200.00 once", a, b)
	}
}
