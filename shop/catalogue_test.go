package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestNewOperation(t *testing.T) {
	rates := map[string]shop.Money{"BODY": 20000}
	for _, tc := range []struct {
		name      string
		in        shop.OperationInput
		wantCode  string
		wantField string
	}{
		{"OK", shop.OperationInput{Code: "oil-chg", Name: "更换机油机滤", StandardMinutes: 30}, "", ""},
		{"OKFixedPriceAndModel", shop.OperationInput{Code: "OIL-CHG", Name: "更换机油", StandardMinutes: 30, Price: ptr(shop.Money(8000)),
			Models: []shop.OperationModel{{Model: "凯美瑞", StandardMinutes: 36}}}, "", ""},
		{"OKRate", shop.OperationInput{Code: "PNL", Name: "钣金", StandardMinutes: 120, RateCode: "body"}, "", ""},
		{"ErrCode", shop.OperationInput{Code: "", Name: "x", StandardMinutes: 30}, shop.EINVALID, "code"},
		{"ErrMinutes", shop.OperationInput{Code: "X", Name: "x", StandardMinutes: 0}, shop.EINVALID, "standardMinutes"},
		{"ErrPrice", shop.OperationInput{Code: "X", Name: "x", StandardMinutes: 30, Price: ptr(shop.Money(-1))}, shop.EINVALID, "price"},
		{"ErrUnknownRate", shop.OperationInput{Code: "X", Name: "x", StandardMinutes: 30, RateCode: "PAINT"}, shop.ENOTFOUND, "rateCode"},
		{"ErrModelTwice", shop.OperationInput{Code: "X", Name: "x", StandardMinutes: 30,
			Models: []shop.OperationModel{{Model: "A6", StandardMinutes: 1}, {Model: "a6", StandardMinutes: 2}}}, shop.EINVALID, "models[1].model"},
		{"ErrModelMinutes", shop.OperationInput{Code: "X", Name: "x", StandardMinutes: 30,
			Models: []shop.OperationModel{{Model: "A6", StandardMinutes: -1}}}, shop.EINVALID, "models[0].standardMinutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, ev, err := shop.NewOperation(1, tc.in, rates)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (op.Code != strings.ToUpper(tc.in.Code) || !op.Active || op.Version != 1 || ev.Kind != shop.EventCatalogueChanged) {
				t.Fatalf("operation=%+v event=%+v", op, ev)
			}
		})
	}
}

func TestEditOperation(t *testing.T) {
	op := shop.LabourOperation{ID: 1, SiteID: 1, Code: "OIL-CHG", Name: "更换机油", StandardMinutes: 30, Price: ptr(shop.Money(8000)), Active: true, Version: 1}
	for _, tc := range []struct {
		name      string
		ch        shop.OperationChanges
		wantCode  string
		wantField string
		check     func(shop.LabourOperation) bool
	}{
		{"OKClearPrice", shop.OperationChanges{ClearPrice: true}, "", "", func(o shop.LabourOperation) bool { return o.Price == nil }},
		{"OKRetire", shop.OperationChanges{Active: ptr(false)}, "", "", func(o shop.LabourOperation) bool { return !o.Active && o.Code == "OIL-CHG" }},
		{"ErrPriceAndClear", shop.OperationChanges{Price: ptr(shop.Money(1)), ClearPrice: true}, shop.EINVALID, "price", nil},
		{"ErrMinutes", shop.OperationChanges{StandardMinutes: ptr(0)}, shop.EINVALID, "standardMinutes", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, _, err := shop.EditOperation(op, tc.ch, nil)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (next.Version != 2 || !tc.check(next)) {
				t.Fatalf("operation=%+v", next)
			}
		})
	}
}

func TestOperationFor(t *testing.T) {
	op := shop.LabourOperation{StandardMinutes: 60, Models: []shop.OperationModel{
		{Model: "凯美瑞", StandardMinutes: 90},
		{Model: "A6L", StandardMinutes: 75, Price: ptr(shop.Money(50000))},
	}}
	for _, tc := range []struct {
		name        string
		op          shop.LabourOperation
		model       string
		wantMinutes int
		wantPrice   shop.Money
	}{
		{"OKStandardAtRate", op, "卡罗拉", 60, 15000},
		{"OKModelMinutesAtRate", op, "凯美瑞", 90, 22500},
		{"OKModelFixedPrice", op, "a6l", 75, 50000},
		{"OKFixedPrice", shop.LabourOperation{StandardMinutes: 30, Price: ptr(shop.Money(8000))}, "凯美瑞", 30, 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, p := tc.op.For(tc.model, 15000)
			if m != tc.wantMinutes || p != tc.wantPrice {
				t.Fatalf("minutes=%d price=%v, want %d %v", m, p, tc.wantMinutes, tc.wantPrice)
			}
		})
	}
}

func TestNewPackage(t *testing.T) {
	ops := map[shop.OperationID]*shop.LabourOperation{
		1: {ID: 1, SiteID: 1, Code: "OIL-CHG", Active: true},
		2: {ID: 2, SiteID: 1, Code: "OLD", Active: false},
		3: {ID: 3, SiteID: 2, Code: "ELSEWHERE", Active: true},
	}
	parts := []shop.PackagePart{{PartNumber: "90915-YZZE1", Quantity: 1}}
	for _, tc := range []struct {
		name      string
		in        shop.PackageInput
		wantCode  string
		wantField string
	}{
		{"OK", shop.PackageInput{Code: "MAINT-5K", Name: "5,000 km 保养", MileageKm: 5000, OperationIDs: []shop.OperationID{1}, Parts: parts}, "", ""},
		{"ErrEmpty", shop.PackageInput{Code: "P", Name: "x", MileageKm: 5000}, shop.EINVALID, "operationIds"},
		{"ErrMileage", shop.PackageInput{Code: "P", Name: "x", MileageKm: 0, Parts: parts}, shop.EINVALID, "mileageKm"},
		{"ErrRetiredOperation", shop.PackageInput{Code: "P", Name: "x", MileageKm: 5000, OperationIDs: []shop.OperationID{2}}, shop.EINVALID, "operationIds[0]"},
		{"ErrOtherSiteOperation", shop.PackageInput{Code: "P", Name: "x", MileageKm: 5000, OperationIDs: []shop.OperationID{1, 3}}, shop.ENOTFOUND, "operationIds[1]"},
		{"ErrPartQuantity", shop.PackageInput{Code: "P", Name: "x", MileageKm: 5000, Parts: []shop.PackagePart{{PartNumber: "X1", Quantity: 0}}}, shop.EINVALID, "parts[0].quantity"},
		{"ErrPartNumber", shop.PackageInput{Code: "P", Name: "x", MileageKm: 5000, Parts: []shop.PackagePart{{PartNumber: " ", Quantity: 1}}}, shop.EINVALID, "parts[0].partNumber"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ev, err := shop.NewPackage(1, tc.in, ops)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (p.Version != 1 || !p.Active || !strings.Contains(ev.Summary, "OIL-CHG, 90915-YZZE1 × 1")) {
				t.Fatalf("package=%+v summary=%q", p, ev.Summary)
			}
		})
	}
	pkg := shop.ServicePackage{ID: 9, SiteID: 1, Code: "MAINT-5K", Name: "5K", MileageKm: 5000, Active: true, Version: 1, OperationIDs: []shop.OperationID{1}}
	t.Run("OKEditParts", func(t *testing.T) {
		next, _, err := shop.EditPackage(pkg, shop.PackageChanges{Parts: &parts}, ops)
		if err != nil || len(next.Parts) != 1 || next.Version != 2 || next.Code != "MAINT-5K" {
			t.Fatalf("package=%+v err=%v", next, err)
		}
	})
	t.Run("ErrEditMileage", func(t *testing.T) {
		_, _, err := shop.EditPackage(pkg, shop.PackageChanges{MileageKm: ptr(-1)}, ops)
		wantErr(t, err, shop.EINVALID, "mileageKm")
	})
}

func TestSuggestPackage(t *testing.T) {
	minor := &shop.ServicePackage{Code: "5K", MileageKm: 5000, Active: true}
	major := &shop.ServicePackage{Code: "10K", MileageKm: 10000, Active: true}
	retired := &shop.ServicePackage{Code: "20K", MileageKm: 20000}
	pkgs := []*shop.ServicePackage{minor, major, retired}
	for _, tc := range []struct {
		name    string
		mileage int
		want    *shop.ServicePackage
	}{
		{"OKMajorAt50000", 50_000, major},
		{"OKMinorAt45000", 45_000, minor},
		{"OKRoundsToNearest", 49_100, major},
		{"OKRetiredIgnoredAt40000", 40_000, major},
		{"OKNoneWhenNew", 1_000, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.SuggestPackage(pkgs, tc.mileage); got != tc.want {
				t.Fatalf("package=%+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAddCatalogueLines(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	draft := shop.Order{ID: 5, SiteID: 1, VisitID: 3, AdvisorID: 2, State: shop.OrderDraft}
	oil := &shop.LabourOperation{ID: 1, Code: "OIL-CHG", Name: "更换机油", StandardMinutes: 30, Active: true,
		Models: []shop.OperationModel{{Model: "凯美瑞", StandardMinutes: 36}}}
	old := &shop.LabourOperation{ID: 2, Code: "OLD", Name: "旧", StandardMinutes: 30}
	filter := &shop.Part{ID: 8, Description: "机滤", UnitPrice: 4500}
	for _, tc := range []struct {
		name      string
		o         shop.Order
		in        shop.CatalogueLines
		wantCode  string
		wantField string
		wantTotal shop.Money
	}{
		{"OK", draft, shop.CatalogueLines{Operations: []*shop.LabourOperation{oil}, Rates: []shop.Money{15000},
			Parts: []shop.PackagePart{{PartNumber: "90915-YZZE1", Quantity: 2}}, Catalogue: []*shop.Part{filter}, Source: "package MAINT-5K"}, "", "", 9000 + 9000},
		{"ErrNotDraft", shop.Order{ID: 5, SiteID: 1, State: shop.OrderInWork}, shop.CatalogueLines{Operations: []*shop.LabourOperation{oil}, Rates: []shop.Money{15000}},
			shop.EINVALIDTRANSITION, "", 0},
		{"ErrNothing", draft, shop.CatalogueLines{}, shop.EINVALID, "operationIds", 0},
		{"ErrRetired", draft, shop.CatalogueLines{Operations: []*shop.LabourOperation{oil, old}, Rates: []shop.Money{15000, 15000}}, shop.EINVALID, "operationIds[1]", 0},
		{"ErrPartNotInCatalogue", draft, shop.CatalogueLines{Parts: []shop.PackagePart{{PartNumber: "X-1", Quantity: 1}}, Catalogue: []*shop.Part{nil}},
			shop.EINVALID, "parts[0].partNumber", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jobs, parts, ev, err := shop.AddCatalogueLines(tc.o, "凯美瑞", tc.in, now)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				return
			}
			var total shop.Money
			for _, j := range jobs {
				total += j.LabourPrice
				if j.LabourMinutes != 36 || j.State != shop.JobWaitingDispatch {
					t.Fatalf("job=%+v, want the model's 36 minutes, waiting for dispatch", j)
				}
			}
			for _, p := range parts {
				total += p.Total()
			}
			if total != tc.wantTotal || ev.Kind != shop.EventOrderEdited || ev.OrderID == nil {
				t.Fatalf("total=%v event=%+v, want %v and ORDER_EDITED", total, ev, tc.wantTotal)
			}
		})
	}
}
