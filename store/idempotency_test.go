package store_test

import (
	"fmt"
	"strings"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestIdempotencyKeys retries mutations with the same key: the same input
// returns the first result and changes nothing more; another input with the
// same key is rejected with CONFLICT on idempotencyKey.
func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech, cash := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech), storetest.Ctx(f.Cashier)

	// Each case runs one mutation with a key; variant > 0 changes its input.
	// It returns the record's ID and version.
	type result struct{ id, version int64 }
	tests := []struct {
		name string
		run  func(t *testing.T) func(key string, variant int) (result, error)
	}{
		{"receiveVehicle", func(t *testing.T) func(string, int) (result, error) {
			return func(key string, variant int) (result, error) {
				v, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 1000, FuelLevel: 50, KeyTag: "K-9",
					Complaint: fmt.Sprintf("异响 %d", variant), WalkaroundSigned: true, IdempotencyKey: &key,
					Customer: &store.NewCustomerInput{Name: "李女士", Phone: "13900139000"},
					Vehicle:  &store.NewVehicleInput{Plate: "粤B9K9K9", Make: "本田", Model: "雅阁"}})
				if err != nil {
					return result{}, err
				}
				return result{int64(v.ID), int64(v.Version)}, nil
			}
		}},
		{"createRepairOrder", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
			return func(key string, variant int) (result, error) {
				findings := fmt.Sprintf("findings %d", variant)
				o, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: car.Visit.ID, WorkType: shop.WorkRepair,
					Findings: &findings, Jobs: []*store.JobLineInput{{Description: "检查", LabourMinutes: 30}}, IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(o.ID), int64(o.Version)}, nil
			}
		}},
		{"signRepairOrder", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
			return func(key string, variant int) (result, error) {
				o, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: car.Order.ID, SignedBy: fmt.Sprintf("黄先生 %d", variant),
					IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(o.ID), int64(o.Version)}, nil
			}
		}},
		{"reportJobProgress", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
			if _, err := db.StartJob(tech, store.JobRef{JobID: car.Jobs[0].ID}); err != nil {
				t.Fatal(err)
			}
			return func(key string, variant int) (result, error) {
				j, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: car.Jobs[0].ID, Progress: 40 + variant, IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(j.ID), int64(j.Version)}, nil
			}
		}},
		{"requestAdditionalWork", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
			return func(key string, variant int) (result, error) {
				w, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car.Order.ID, Description: "更换雨刮",
					Reason: fmt.Sprintf("老化 %d", variant), LabourMinutes: 10, ExtraMinutes: 10, IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(w.ID), int64(w.Version)}, nil
			}
		}},
		{"approveAdditionalWork", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
			w, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car.Order.ID, Description: "更换雨刮",
				Reason: "老化", LabourMinutes: 10, ExtraMinutes: 10})
			if err != nil {
				t.Fatal(err)
			}
			return func(key string, variant int) (result, error) {
				w, err := db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: w.ID,
					CustomerContact: fmt.Sprintf("李女士 %d", variant), ContactMethod: shop.ContactPhone, IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(w.ID), int64(w.Version)}, nil
			}
		}},
		{"settleRepairOrder", func(t *testing.T) func(string, int) (result, error) {
			car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})
			return func(key string, variant int) (result, error) {
				ref := fmt.Sprintf("WX-%d", variant)
				o, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car.Order.ID, PaymentReference: &ref, IdempotencyKey: &key})
				if err != nil {
					return result{}, err
				}
				return result{int64(o.ID), int64(o.Version)}, nil
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := tt.run(t)
			key := "key-" + tt.name
			first, err := run(key, 0)
			if err != nil {
				t.Fatalf("first call: %v", err)
			}
			after := storetest.Snapshot(t, db)

			t.Run("OK", func(t *testing.T) {
				for range 2 {
					again, err := run(key, 0)
					if err != nil {
						t.Fatalf("retry: %v", err)
					}
					if again != first {
						t.Fatalf("retry=%+v, want the first result %+v", again, first)
					}
				}
				if got := storetest.Snapshot(t, db); got != after {
					t.Fatalf("the retry changed the records:\nbefore %s\nafter  %s", after, got)
				}
			})
			t.Run("ErrConflict", func(t *testing.T) {
				_, err := run(key, 1)
				if shop.ErrorCode(err) != shop.ECONFLICT || shop.ErrorField(err) != "idempotencyKey" {
					t.Fatalf("code=%v field=%q, want CONFLICT on idempotencyKey", shop.ErrorCode(err), shop.ErrorField(err))
				}
				if got := storetest.Snapshot(t, db); got != after {
					t.Fatalf("the rejected call changed the records")
				}
			})
		})
	}
}

// TestIdempotencyKeyScope checks what a key is bound to: one operation, one
// user; and that a failed call does not use it up.
func TestIdempotencyKeyScope(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, mgr := storetest.Ctx(f.Advisor), storetest.Ctx(f.Manager)
	car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})

	t.Run("ErrOtherOperation", func(t *testing.T) {
		key := "reused"
		findings := "刹车异响"
		if _, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: car.Order.ID, Findings: &findings, IdempotencyKey: &key}); err != nil {
			t.Fatal(err)
		}
		before := storetest.Snapshot(t, db)
		_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: car.Order.ID, SignedBy: "黄先生", IdempotencyKey: &key})
		if shop.ErrorCode(err) != shop.ECONFLICT || shop.ErrorField(err) != "idempotencyKey" {
			t.Fatalf("code=%v field=%q, want CONFLICT on idempotencyKey", shop.ErrorCode(err), shop.ErrorField(err))
		}
		if storetest.Snapshot(t, db) != before {
			t.Fatal("the rejected call changed the records")
		}
	})

	t.Run("OKOtherUser", func(t *testing.T) {
		// Keys belong to a user: the manager's "reused" is not the advisor's.
		findings := "经理复核"
		o, err := db.UpdateRepairOrder(mgr, store.UpdateRepairOrderInput{OrderID: car.Order.ID, Findings: &findings, IdempotencyKey: ptr("reused")})
		if err != nil || o.Findings != findings {
			t.Fatalf("findings=%q err=%v, want %q", o.Findings, err, findings)
		}
	})

	t.Run("OKAfterFailure", func(t *testing.T) {
		// A failed call stores nothing: the key stays free for the corrected call.
		key := "after-failure"
		_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: car.Order.ID, SignedBy: "  ", IdempotencyKey: &key})
		if shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%v, want INVALID", shop.ErrorCode(err))
		}
		o, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: car.Order.ID, SignedBy: "黄先生", IdempotencyKey: &key})
		if err != nil || o.State != shop.OrderSigned {
			t.Fatalf("state=%v err=%v, want SIGNED", o.State, err)
		}
	})

	t.Run("ErrTooLong", func(t *testing.T) {
		key := strings.Repeat("k", 201)
		_, err := db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: car.Order.ID, IdempotencyKey: &key})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "idempotencyKey" {
			t.Fatalf("code=%v field=%q, want INVALID on idempotencyKey", shop.ErrorCode(err), shop.ErrorField(err))
		}
	})
}

// TestIdempotencyConcurrent sends the same keyed call from many goroutines at
// once: the work is done once and every caller gets the same result.
func TestIdempotencyConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)

	t.Run("OKCreate", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
		orders := storetest.Count(t, db, "repair_orders")
		ids := make([]shop.OrderID, racers)
		key := "create-once"
		errs := race(racers, func(i int) error {
			o, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: car.Visit.ID, WorkType: shop.WorkRepair,
				Jobs: []*store.JobLineInput{{Description: "检查异响", LabourMinutes: 30}}, IdempotencyKey: &key})
			if err == nil {
				ids[i] = o.ID
			}
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("racer %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Fatalf("racer %d got order %d, want the same order %d", i, ids[i], ids[0])
			}
		}
		if n := storetest.Count(t, db, "repair_orders"); n != orders+1 {
			t.Fatalf("repair orders=%d, want %d (one created)", n, orders+1)
		}
		if n := countEvents(t, db, adv, ids[0], shop.EventOrderCreated); n != 1 {
			t.Fatalf("ORDER_CREATED events=%d, want 1", n)
		}
	})

	t.Run("OKProgress", func(t *testing.T) {
		car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
		id := car.Jobs[0].ID
		if _, err := db.StartJob(tech, store.JobRef{JobID: id}); err != nil {
			t.Fatal(err)
		}
		before, _ := db.FindJobByID(tech, id)
		key := "progress-once"
		errs := race(racers, func(i int) error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: id, Progress: 55, IdempotencyKey: &key})
			return err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("racer %d: %v", i, err)
			}
		}
		after, _ := db.FindJobByID(tech, id)
		if after.Version != before.Version+1 || after.Progress != 55 {
			t.Fatalf("version=%d progress=%d, want %d and 55", after.Version, after.Progress, before.Version+1)
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventJobProgress); n != 1 {
			t.Fatalf("JOB_PROGRESS events=%d, want 1", n)
		}
	})
}
