package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestEditCustomer(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := shop.Customer{ID: 4, SiteID: 1, Name: "王小明", Phone: "13800138000", Version: 2}
	for _, tc := range []struct {
		name      string
		merged    *shop.CustomerID
		ch        shop.CustomerChanges
		wantCode  string
		wantField string
		wantInLog string
	}{
		{"OKPhone", nil, shop.CustomerChanges{Phone: ptr("139-0013-9000")}, "", "", `phone "13800138000" → "13900139000"`},
		{"OKName", nil, shop.CustomerChanges{Name: ptr("王晓明")}, "", "", `name "王小明" → "王晓明"`},
		{"ErrPhone", nil, shop.CustomerChanges{Phone: ptr("12345")}, shop.EINVALID, "customer.phone", ""},
		{"ErrName", nil, shop.CustomerChanges{Name: ptr(" ")}, shop.EINVALID, "customer.name", ""},
		{"ErrMerged", ptr(shop.CustomerID(9)), shop.CustomerChanges{Name: ptr("x")}, shop.EINVALID, "customerId", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ev, err := shop.EditCustomer(c, tc.merged, tc.ch, now)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				if next != c {
					t.Fatalf("customer=%+v, want unchanged", next)
				}
				return
			}
			if next.Version != 3 || ev.Kind != shop.EventCustomerEdited || !strings.Contains(ev.Summary, tc.wantInLog) {
				t.Fatalf("version=%d summary=%q, want 3 and %q", next.Version, ev.Summary, tc.wantInLog)
			}
		})
	}
}

func TestEditVehicle(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	v := shop.Vehicle{ID: 6, SiteID: 1, CustomerID: 4, Plate: "粤B12345", Make: "Toyota", Model: "凯美瑞", Year: 2020, Mileage: 40000, Version: 1}
	site1, site2 := shop.SiteID(1), shop.SiteID(2)
	vin := []byte("LVGBE40K0NG123456")
	vin[8] = shop.VINCheckDigit(string(vin))
	for _, tc := range []struct {
		name      string
		ch        shop.VehicleChanges
		owner     shop.VehicleOwner
		wantCode  string
		wantField string
		check     func(shop.Vehicle, shop.VehicleContact) bool
	}{
		{"OKNewPlate", shop.VehicleChanges{Plate: ptr("粤B 54321")}, shop.VehicleOwner{}, "", "",
			func(n shop.Vehicle, _ shop.VehicleContact) bool { return n.Plate == "粤B54321" }},
		{"OKNewOwner", shop.VehicleChanges{OwnerID: ptr(shop.CustomerID(5))}, shop.VehicleOwner{SiteID: &site1}, "", "",
			func(n shop.Vehicle, _ shop.VehicleContact) bool { return n.CustomerID == 5 }},
		{"OKContact", shop.VehicleChanges{ContactName: ptr("司机小李"), ContactPhone: ptr("13700137000")}, shop.VehicleOwner{}, "", "",
			func(_ shop.Vehicle, c shop.VehicleContact) bool {
				return c.Name == "司机小李" && c.Phone == "13700137000"
			}},
		{"OKVIN", shop.VehicleChanges{VIN: ptr(string(vin))}, shop.VehicleOwner{}, "", "",
			func(n shop.Vehicle, _ shop.VehicleContact) bool { return n.VIN == string(vin) }},
		{"ErrVINCheckDigit", shop.VehicleChanges{VIN: ptr("1M8GDM9A1KP042788")}, shop.VehicleOwner{}, shop.EINVALID, "vehicle.vin", nil},
		{"ErrPlate", shop.VehicleChanges{Plate: ptr("ABC")}, shop.VehicleOwner{}, shop.EINVALID, "vehicle.plate", nil},
		{"ErrOwnerOtherSite", shop.VehicleChanges{OwnerID: ptr(shop.CustomerID(5))}, shop.VehicleOwner{SiteID: &site2}, shop.ENOTFOUND, "ownerId", nil},
		{"ErrOwnerMissing", shop.VehicleChanges{OwnerID: ptr(shop.CustomerID(5))}, shop.VehicleOwner{}, shop.ENOTFOUND, "ownerId", nil},
		{"ErrOwnerMerged", shop.VehicleChanges{OwnerID: ptr(shop.CustomerID(5))}, shop.VehicleOwner{SiteID: &site1, MergedInto: ptr(shop.CustomerID(4))}, shop.EINVALID, "ownerId", nil},
		{"ErrContactPhone", shop.VehicleChanges{ContactName: ptr("x"), ContactPhone: ptr("1")}, shop.VehicleOwner{}, shop.EINVALID, "vehicle.contactPhone", nil},
		{"ErrPhoneWithoutName", shop.VehicleChanges{ContactPhone: ptr("13700137000")}, shop.VehicleOwner{}, shop.EINVALID, "vehicle.contactName", nil},
		{"ErrMileage", shop.VehicleChanges{Mileage: ptr(-1)}, shop.VehicleOwner{}, shop.EINVALID, "vehicle.mileage", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, c, ev, err := shop.EditVehicle(v, shop.VehicleContact{}, tc.ch, tc.owner, now)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				if next != v {
					t.Fatalf("vehicle=%+v, want unchanged", next)
				}
				return
			}
			if !tc.check(next, c) || next.Version != 2 || ev.Kind != shop.EventVehicleEdited || !strings.Contains(ev.Summary, "→") {
				t.Fatalf("vehicle=%+v contact=%+v summary=%q", next, c, ev.Summary)
			}
		})
	}
}

func TestMergeCustomers(t *testing.T) {
	now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	survivor := shop.Customer{ID: 4, SiteID: 1, Name: "王小明", Phone: "13800138000", Version: 3}
	dup := shop.Customer{ID: 9, SiteID: 1, Name: "王小明", Phone: "13800138000", Email: "w@example.cn", Version: 1}
	for _, tc := range []struct {
		name      string
		s, d      shop.Customer
		sm, dm    *shop.CustomerID
		wantCode  string
		wantField string
	}{
		{"OK", survivor, dup, nil, nil, "", ""},
		{"ErrSame", survivor, survivor, nil, nil, shop.EINVALID, "duplicateId"},
		{"ErrOtherSite", survivor, shop.Customer{ID: 10, SiteID: 2}, nil, nil, shop.ENOTFOUND, "duplicateId"},
		{"ErrSurvivorMerged", survivor, dup, ptr(shop.CustomerID(1)), nil, shop.EINVALID, "survivorId"},
		{"ErrDuplicateMerged", survivor, dup, nil, ptr(shop.CustomerID(1)), shop.EINVALID, "duplicateId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ev, err := shop.MergeCustomers(tc.s, tc.d, tc.sm, tc.dm, now)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				return
			}
			if next.Email != dup.Email || next.Version != 4 || ev.Kind != shop.EventCustomersMerged || ev.SiteID != 1 {
				t.Fatalf("survivor=%+v event=%+v, want the duplicate's e-mail taken at version 4", next, ev)
			}
		})
	}
}

func TestMasterDataSummaryMasked(t *testing.T) {
	c := shop.Customer{ID: 4, SiteID: 1, Name: "王小明", Phone: "13800138000", Version: 1}
	_, ev, err := shop.EditCustomer(c, nil, shop.CustomerChanges{Phone: ptr("13900139000")}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	board := &shop.Actor{UserID: 9, Role: shop.RoleBoard, SiteIDs: []shop.SiteID{1}}
	for _, tc := range []struct {
		name  string
		actor *shop.Actor
		want  string
	}{
		{"OKManagerSeesBeforeAfter", &shop.Actor{UserID: 2, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}}, `phone "13800138000" → "13900139000"`},
		{"OKBoardSeesSentence", board, "Customer record corrected."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ev.SummaryFor(tc.actor); !strings.Contains(got, tc.want) || (tc.actor == board && strings.Contains(got, "138")) {
				t.Fatalf("summary=%q, want %q", got, tc.want)
			}
		})
	}
}
