package store_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestDecideByLink: the customer's answers go through the advisor's
// decision, recorded as CUSTOMER_LINK with their name; the link shows one
// order only, stops at 72 hours and when revoked.
func TestDecideByLink(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	var mu sync.Mutex
	now := time.Now().UTC()
	db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db.PublicURL = "https://bb.example"
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	request := func(car *storetest.Car, desc string) *shop.AdditionalWork {
		aw, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car.Order.ID, FoundOnJobID: &car.Jobs[0].ID,
			Description: desc, Reason: "磨损", LabourMinutes: 30, ExtraMinutes: 30})
		if err != nil {
			t.Fatalf("request: %v", err)
		}
		return aw
	}
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	other := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	a1, a2, foreign := request(car, "更换刹车片"), request(car, "更换雨刮"), request(other, "更换空滤")
	sent, err := db.SendApprovalLink(adv, store.SendApprovalLinkInput{OrderID: car.Order.ID})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
	token := strings.TrimPrefix(sent.URL, "https://bb.example/approve/")
	t.Run("OKView", func(t *testing.T) {
		v, err := db.FindApprovalView(t.Context(), token)
		if err != nil || len(v.Items) != 2 || v.Order != car.Order.Number || v.Items[0].Price == "" {
			t.Fatalf("view=%+v err=%v, want the order's two items", v, err)
		}
	})
	t.Run("ErrNotFoundOtherOrdersItem", func(t *testing.T) {
		_, err := db.DecideByLink(t.Context(), store.DecideByLinkInput{Token: token, AdditionalWorkID: foreign.ID, Approve: true, Name: "黄先生"})
		if shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("code=%q, want NOT_FOUND", shop.ErrorCode(err))
		}
	})
	t.Run("ErrInvalidNoName", func(t *testing.T) {
		_, err := db.DecideByLink(t.Context(), store.DecideByLinkInput{Token: token, AdditionalWorkID: a1.ID, Approve: true, Name: " "})
		if shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%q, want INVALID", shop.ErrorCode(err))
		}
	})
	t.Run("OK", func(t *testing.T) {
		aw, err := db.DecideByLink(t.Context(), store.DecideByLinkInput{Token: token, AdditionalWorkID: a1.ID, Approve: true, Name: "黄先生"})
		if err != nil || aw.State != shop.AdditionalApproved || aw.ContactMethod == nil || *aw.ContactMethod != shop.ContactCustomerLink || aw.CustomerContact != "黄先生" {
			t.Fatalf("work=%+v err=%v, want APPROVED by CUSTOMER_LINK, 黄先生", aw, err)
		}
		if _, err := db.DecideByLink(t.Context(), store.DecideByLinkInput{Token: token, AdditionalWorkID: a1.ID, Approve: false, Name: "黄先生"}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("second answer: code=%q, want INVALID_TRANSITION", shop.ErrorCode(err))
		}
	})
	t.Run("ErrNotFoundExpired", func(t *testing.T) {
		mu.Lock()
		now = now.Add(72 * time.Hour)
		mu.Unlock()
		defer func() { mu.Lock(); now = now.Add(-72 * time.Hour); mu.Unlock() }()
		if _, err := db.FindApprovalView(t.Context(), token); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("code=%q, want NOT_FOUND after 72 h", shop.ErrorCode(err))
		}
	})
	t.Run("ErrNotFoundRevoked", func(t *testing.T) {
		if n, err := db.RevokeApprovalLinks(adv, store.RevokeApprovalLinksInput{OrderID: car.Order.ID}); err != nil || n != 1 {
			t.Fatalf("revoked=%d err=%v, want 1", n, err)
		}
		_, err := db.DecideByLink(t.Context(), store.DecideByLinkInput{Token: token, AdditionalWorkID: a2.ID, Approve: true, Name: "黄先生"})
		if shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("code=%q, want NOT_FOUND", shop.ErrorCode(err))
		}
	})
}
