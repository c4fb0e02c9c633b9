package store_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestWarrantyClaim: a job is put under warranty (the bill shows the maker's
// share apart), a claim gathers it, is submitted, rejected, revised,
// approved and paid; the replaced part is retained and shipped back.
func TestWarrantyClaim(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	wc, adv := storetest.Ctx(f.WarrantyClerk), storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 2})
	job := car.Jobs[0]

	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := db.DecideWarranty(adv, store.DecideWarrantyInput{JobID: job.ID, Reason: "三包期内"})
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("err=%v, want FORBIDDEN", err)
		}
	})
	t.Run("Decide", func(t *testing.T) {
		j, err := db.DecideWarranty(wc, store.DecideWarrantyInput{JobID: job.ID, Reason: "三包期内，变速箱异响属质量问题"})
		if err != nil || j.Payer != shop.PayerWarranty {
			t.Fatalf("job=%+v err=%v", j, err)
		}
		if _, err := db.DecideWarranty(wc, store.DecideWarrantyInput{JobID: job.ID, Reason: "again"}); shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("err=%v, want CONFLICT", err)
		}
		jobs, _ := db.FindJobsByOrderIDs(adv, []shop.OrderID{car.Order.ID})
		parts, _ := db.FindPartLinesByOrderIDs(adv, []shop.OrderID{car.Order.ID})
		b := shop.ComputeBill(jobs[car.Order.ID], parts[car.Order.ID])
		// Each job: labour 300.00 (60 min at 300/h), parts 2 × 12.34.
		if b.ByPayer[shop.PayerWarranty] != 30000+2468 || b.ByPayer[shop.PayerCustomer] != 30000+2468 {
			t.Fatalf("byPayer=%v, want 324.68 each", b.ByPayer)
		}
	})
	var claim *shop.WarrantyClaim
	t.Run("ErrNotWarrantyJob", func(t *testing.T) {
		_, err := db.CreateWarrantyClaim(wc, store.CreateWarrantyClaimInput{OrderID: car.Order.ID, JobIDs: []shop.JobID{car.Jobs[1].ID}})
		if shop.ErrorCode(err) != shop.ENOTFOUND || shop.ErrorField(err) != "jobIds[0]" {
			t.Fatalf("err=%v, want NOT_FOUND jobIds[0]", err)
		}
	})
	t.Run("Create", func(t *testing.T) {
		var err error
		claim, err = db.CreateWarrantyClaim(wc, store.CreateWarrantyClaimInput{OrderID: car.Order.ID, JobIDs: []shop.JobID{job.ID},
			Complaint: ptr("换挡异响")})
		if err != nil {
			t.Fatal(err)
		}
		if claim.State != shop.ClaimDraft || claim.LabourAmount != 30000 || claim.PartsAmount != 2468 {
			t.Fatalf("claim=%+v", claim)
		}
	})
	t.Run("ErrIncomplete", func(t *testing.T) {
		_, err := db.SubmitWarrantyClaim(wc, store.WarrantyClaimActionInput{ClaimID: claim.ID})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "cause" {
			t.Fatalf("err=%v, want INVALID cause", err)
		}
	})
	t.Run("Flow", func(t *testing.T) {
		var err error
		claim, err = db.UpdateWarrantyClaim(wc, store.UpdateWarrantyClaimInput{ClaimID: claim.ID, ExpectedVersion: &claim.Version,
			Cause: ptr("同步器磨损"), Correction: ptr("更换同步器"), CausalPartNumber: ptr("33036-12050")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SubmitWarrantyClaim(wc, store.WarrantyClaimActionInput{ClaimID: claim.ID, ExpectedVersion: ptr(1)}); shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("err=%v, want CONFLICT", err)
		}
		if claim, err = db.SubmitWarrantyClaim(wc, store.WarrantyClaimActionInput{ClaimID: claim.ID}); err != nil || claim.State != shop.ClaimSubmitted {
			t.Fatalf("claim=%+v err=%v", claim, err)
		}
		if _, err := db.PayWarrantyClaim(wc, store.PayWarrantyClaimInput{ClaimID: claim.ID}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("err=%v, want INVALID_TRANSITION", err)
		}
		if _, err := db.DecideWarrantyClaim(wc, store.DecideWarrantyClaimInput{ClaimID: claim.ID}); shop.ErrorField(err) != "reason" {
			t.Fatalf("err=%v, want INVALID reason", err)
		}
		if claim, err = db.DecideWarrantyClaim(wc, store.DecideWarrantyClaimInput{ClaimID: claim.ID, Reason: ptr("缺少故障照片")}); err != nil || claim.State != shop.ClaimRejected {
			t.Fatalf("claim=%+v err=%v", claim, err)
		}
		if claim, err = db.ReviseWarrantyClaim(wc, store.WarrantyClaimActionInput{ClaimID: claim.ID}); err != nil || claim.State != shop.ClaimDraft || claim.RejectReason != "" {
			t.Fatalf("claim=%+v err=%v", claim, err)
		}
		if claim, err = db.SubmitWarrantyClaim(wc, store.WarrantyClaimActionInput{ClaimID: claim.ID}); err != nil {
			t.Fatal(err)
		}
		if claim, err = db.DecideWarrantyClaim(wc, store.DecideWarrantyClaimInput{ClaimID: claim.ID, Approved: true, MakerReference: ptr("FAW-88812")}); err != nil || claim.State != shop.ClaimApproved {
			t.Fatalf("claim=%+v err=%v", claim, err)
		}
		if claim, err = db.PayWarrantyClaim(wc, store.PayWarrantyClaimInput{ClaimID: claim.ID}); err != nil || claim.State != shop.ClaimPaid || *claim.PaidAmount != 32468 {
			t.Fatalf("claim=%+v err=%v", claim, err)
		}
		if n := countEvents(t, db, adv, car.Order.ID, shop.EventClaimChanged); n != 8 {
			t.Fatalf("claim events=%d, want 8", n)
		}
	})
	t.Run("RetainedPart", func(t *testing.T) {
		now := time.Date(2026, 11, 24, 17, 0, 0, 0, time.UTC) // 01:00 on the 25th in Shenzhen
		db.Now = func() time.Time { return now }
		r, err := db.RetainWarrantyPart(wc, store.RetainWarrantyPartInput{OrderID: car.Order.ID, ClaimID: &claim.ID,
			PartNumber: "33036-12050", Quantity: 1, Location: "旧件库 A-3"})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 12, 25, 0, 0, 0, 0, time.UTC); !r.Deadline.Equal(want) {
			t.Fatalf("deadline=%v, want %v (30 local days)", r.Deadline, want)
		}
		if _, err := db.UpdateRetainedPart(wc, store.UpdateRetainedPartInput{RetainedPartID: r.ID, Disposition: ptr(shop.DispositionShippedBack)}); shop.ErrorField(err) != "shipmentRef" {
			t.Fatalf("err=%v, want INVALID shipmentRef", err)
		}
		r, err = db.UpdateRetainedPart(wc, store.UpdateRetainedPartInput{RetainedPartID: r.ID, Disposition: ptr(shop.DispositionShippedBack), ShipmentRef: ptr("SF1234")})
		if err != nil || r.Disposition != shop.DispositionShippedBack || r.DisposedAt == nil {
			t.Fatalf("part=%+v err=%v", r, err)
		}
		if _, err := db.UpdateRetainedPart(wc, store.UpdateRetainedPartInput{RetainedPartID: r.ID, Disposition: ptr(shop.DispositionScrapped)}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("err=%v, want INVALID_TRANSITION", err)
		}
		kept, err := db.FindRetainedParts(wc, f.Site.ID, true, store.Page{})
		if err != nil || len(kept) != 0 {
			t.Fatalf("kept=%v err=%v", kept, err)
		}
	})
}
