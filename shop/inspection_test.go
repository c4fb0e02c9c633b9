package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestDefineChecklist(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	mgr := &shop.Actor{UserID: 5, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}}
	tech := &shop.Actor{UserID: 6, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
	ok := []shop.ChecklistEntry{{Name: "刹车片", LabourMinutes: 60, PartNumber: "04465-33471"}, {Name: "轮胎"}}
	for _, tc := range []struct {
		name     string
		wt       shop.WorkType
		entries  []shop.ChecklistEntry
		by       *shop.Actor
		wantCode string
	}{
		{"OK", shop.WorkMaintenance, ok, mgr, ""},
		{"ErrForbidden", shop.WorkMaintenance, ok, tech, shop.EFORBIDDEN},
		{"ErrInvalidWorkType", "CARWASH", ok, mgr, shop.EINVALID},
		{"ErrInvalidEmpty", shop.WorkMaintenance, nil, mgr, shop.EINVALID},
		{"ErrInvalidTwice", shop.WorkMaintenance, []shop.ChecklistEntry{{Name: "轮胎"}, {Name: " 轮胎 "}}, mgr, shop.EINVALID},
		{"ErrInvalidMinutes", shop.WorkMaintenance, []shop.ChecklistEntry{{Name: "轮胎", LabourMinutes: 601}}, mgr, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, err := shop.DefineChecklist(1, "35000 km 保养", tc.wt, tc.entries, tc.by, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", got, tc.wantCode, err)
			}
			if err == nil && (len(cl.Entries) != 2 || cl.Entries[0].Quantity != 1 || cl.Entries[1].Quantity != 0) {
				t.Fatalf("entries=%+v, want a part line's quantity 1 by default, none without a part", cl.Entries)
			}
		})
	}
}

func TestInspectionItems(t *testing.T) {
	now := time.Date(2026, 12, 3, 16, 30, 0, 0, time.UTC)
	tech := &shop.Actor{UserID: 6, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}
	cashier := &shop.Actor{UserID: 7, Role: shop.RoleCashier, SiteIDs: []shop.SiteID{1}}
	inWork := &shop.Order{ID: 3, SiteID: 1, Number: "RO1", State: shop.OrderInWork}
	ready := &shop.Order{ID: 3, SiteID: 1, Number: "RO1", State: shop.OrderReady}
	item := shop.InspectionItem{ID: 9, SiteID: 1, OrderID: 3, Name: "刹车片", LabourMinutes: 60, PartNumber: "P-1", Quantity: 2, Version: 1}
	red, green := shop.ItemRed, shop.ItemGreen
	aw := shop.AdditionalWorkID(4)
	for _, tc := range []struct {
		name     string
		it       shop.InspectionItem
		o        *shop.Order
		by       *shop.Actor
		status   shop.ItemStatus
		note     string
		wantCode string
	}{
		{"OKGreenNoNote", item, inWork, tech, shop.ItemGreen, "", ""},
		{"OKRed", item, inWork, tech, shop.ItemRed, "剩 2mm", ""},
		{"ErrInvalidRedWithoutNote", item, inWork, tech, shop.ItemRed, "", shop.EINVALID},
		{"ErrInvalidStatus", item, inWork, tech, "BLUE", "", shop.EINVALID},
		{"ErrForbidden", item, inWork, cashier, shop.ItemGreen, "", shop.EFORBIDDEN},
		{"ErrInvalidTransitionReady", item, ready, tech, shop.ItemGreen, "", shop.EINVALIDTRANSITION},
		{"ErrInvalidTransitionProposed", shop.InspectionItem{Name: "x", Status: &red, AdditionalWorkID: &aw}, inWork, tech, shop.ItemGreen, "", shop.EINVALIDTRANSITION},
	} {
		t.Run("Record/"+tc.name, func(t *testing.T) {
			got, err := shop.RecordInspectionItem(tc.it, tc.o, tc.status, tc.note, tc.by, now)
			if code := shop.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", code, tc.wantCode, err)
			}
			if err == nil && (got.Status == nil || *got.Status != tc.status || got.Version != 2 || got.RecordedAt == nil) {
				t.Fatalf("item=%+v, want status %s, version 2 and the time", got, tc.status)
			}
		})
	}
	for _, tc := range []struct {
		name     string
		status   *shop.ItemStatus
		proposed *shop.AdditionalWorkID
		wantCode string
	}{
		{"OK", &red, nil, ""},
		{"ErrInvalidGreen", &green, nil, shop.EINVALID},
		{"ErrInvalidUnchecked", nil, nil, shop.EINVALID},
		{"ErrInvalidTransitionTwice", &red, &aw, shop.EINVALIDTRANSITION},
	} {
		t.Run("Propose/"+tc.name, func(t *testing.T) {
			it := item
			it.Status, it.AdditionalWorkID, it.Note = tc.status, tc.proposed, "剩 2mm"
			req, parts, err := shop.ProposeFromItem(it, inWork, tech)
			if code := shop.ErrorCode(err); code != tc.wantCode {
				t.Fatalf("code=%q, want %q (err %v)", code, tc.wantCode, err)
			}
			if err == nil && (!req.Safety || req.LabourMinutes != 60 || req.Reason != "剩 2mm" || len(parts) != 1 || parts[0].Quantity != 2) {
				t.Fatalf("request=%+v parts=%+v, want a safety matter of 60 minutes with 2 of P-1", req, parts)
			}
		})
	}
}
