package store_test

import (
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestInspection: a manager defines a checklist, a technician fills it in
// on an order in work, and a red finding becomes proposed additional work
// (waiting for the customer's answer) in one tap, once.
func TestInspection(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	tech := storetest.Ctx(f.Tech)
	cl, err := db.CreateChecklist(storetest.Ctx(f.Manager), store.CreateInspectionChecklistInput{SiteID: f.Site.ID, Name: "35000 km 保养",
		WorkType: shop.WorkMaintenance, Entries: []*shop.ChecklistEntry{{Name: "刹车片", LabourMinutes: 60}, {Name: "雨刮"}}})
	if err != nil {
		t.Fatalf("checklist: %v", err)
	}
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	ins, err := db.StartInspection(tech, store.StartInspectionInput{OrderID: car.Order.ID, ChecklistID: cl.ID})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Run("ErrConflictStartedTwice", func(t *testing.T) {
		if _, err := db.StartInspection(tech, store.StartInspectionInput{OrderID: car.Order.ID, ChecklistID: cl.ID}); shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("code=%q, want CONFLICT", shop.ErrorCode(err))
		}
	})
	items, err := db.FindInspectionItems(tech, ins.ID)
	if err != nil || len(items) != 2 || items[0].Name != "刹车片" || items[0].Status != nil {
		t.Fatalf("items=%+v err=%v, want two unchecked lines", items, err)
	}
	note := "刹车片剩 2mm"
	if _, err := db.RecordInspectionItem(tech, store.RecordInspectionItemInput{ItemID: items[0].ID, Status: shop.ItemRed, Note: &note}); err != nil {
		t.Fatalf("record red: %v", err)
	}
	if _, err := db.RecordInspectionItem(tech, store.RecordInspectionItemInput{ItemID: items[1].ID, Status: shop.ItemGreen}); err != nil {
		t.Fatalf("record green: %v", err)
	}
	t.Run("ErrInvalidGreen", func(t *testing.T) {
		if _, err := db.ProposeFromInspectionItem(tech, store.ProposeFromInspectionItemInput{ItemID: items[1].ID}); shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%q, want INVALID", shop.ErrorCode(err))
		}
	})
	t.Run("OK", func(t *testing.T) {
		aw, err := db.ProposeFromInspectionItem(tech, store.ProposeFromInspectionItemInput{ItemID: items[0].ID})
		if err != nil {
			t.Fatalf("propose: %v", err)
		}
		if aw.State != shop.AdditionalRequested || !aw.Safety || aw.Description != "刹车片" || aw.Reason != note {
			t.Fatalf("request=%+v, want a requested safety matter for the brake pads", aw)
		}
		items, _ := db.FindInspectionItems(tech, ins.ID)
		if items[0].AdditionalWorkID == nil || *items[0].AdditionalWorkID != aw.ID {
			t.Fatalf("item=%+v, want it tied to request %d", items[0], aw.ID)
		}
		if _, err := db.ProposeFromInspectionItem(tech, store.ProposeFromInspectionItemInput{ItemID: items[0].ID}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
			t.Fatalf("second tap: code=%q, want INVALID_TRANSITION", shop.ErrorCode(err))
		}
	})
	t.Run("ErrNotFoundOtherSite", func(t *testing.T) {
		if _, err := db.RecordInspectionItem(storetest.Ctx(f.OtherAdvisor), store.RecordInspectionItemInput{ItemID: items[1].ID, Status: shop.ItemGreen}); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("code=%q, want NOT_FOUND", shop.ErrorCode(err))
		}
	})
}
