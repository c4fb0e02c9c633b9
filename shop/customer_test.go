package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestResolveParty(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	site, other := shop.SiteID(1), shop.SiteID(2)
	cid, vid := shop.CustomerID(4), shop.VehicleID(5)
	newCust := &shop.CustomerInput{Name: "Li Na", Phone: "138-0013-8000"}
	newVeh := &shop.VehicleInput{Plate: "粤B 12345", Make: "Toyota", Model: "Camry", Year: 2020, Mileage: 42000}
	here := shop.PartyFound{CustomerSite: &site, VehicleSite: &site, VehicleCustomer: cid}
	for _, tc := range []struct {
		name      string
		in        shop.PartyInput
		found     shop.PartyFound
		wantCode  string
		wantField string
		wantNewC  bool
		wantNewV  bool
	}{
		{"OKExisting", shop.PartyInput{CustomerID: &cid, VehicleID: &vid}, here, "", "", false, false},
		{"OKVehicleNamesCustomer", shop.PartyInput{VehicleID: &vid}, here, "", "", false, false},
		{"OKNewBoth", shop.PartyInput{NewCustomer: newCust, NewVehicle: newVeh}, shop.PartyFound{}, "", "", true, true},
		{"OKNewVehicleOfCustomer", shop.PartyInput{CustomerID: &cid, NewVehicle: newVeh}, here, "", "", false, true},
		{"ErrBothCustomers", shop.PartyInput{CustomerID: &cid, NewCustomer: newCust}, here, shop.EINVALID, "customer", false, false},
		{"ErrNoCustomer", shop.PartyInput{NewVehicle: newVeh}, here, shop.EINVALID, "customer", false, false},
		{"ErrCustomerOtherSite", shop.PartyInput{CustomerID: &cid, VehicleID: &vid}, shop.PartyFound{CustomerSite: &other}, shop.ENOTFOUND, "customerId", false, false},
		{"ErrCustomerMissing", shop.PartyInput{CustomerID: &cid, VehicleID: &vid}, shop.PartyFound{}, shop.ENOTFOUND, "customerId", false, false},
		{"ErrVehicleMissing", shop.PartyInput{CustomerID: &cid, VehicleID: &vid}, shop.PartyFound{CustomerSite: &site}, shop.ENOTFOUND, "vehicleId", false, false},
		{"ErrVehicleOfAnother", shop.PartyInput{CustomerID: &cid, VehicleID: &vid},
			shop.PartyFound{CustomerSite: &site, VehicleSite: &site, VehicleCustomer: 9}, shop.EINVALID, "vehicleId", false, false},
		{"ErrNewCustomerExistingVehicle", shop.PartyInput{NewCustomer: newCust, VehicleID: &vid}, here, shop.EINVALID, "vehicleId", false, false},
		{"ErrBothVehicles", shop.PartyInput{CustomerID: &cid, VehicleID: &vid, NewVehicle: newVeh}, here, shop.EINVALID, "vehicle", false, false},
		{"ErrNoVehicle", shop.PartyInput{CustomerID: &cid}, here, shop.EINVALID, "vehicle", false, false},
		{"ErrPhone", shop.PartyInput{NewCustomer: &shop.CustomerInput{Name: "Li", Phone: "12"}, NewVehicle: newVeh}, here, shop.EINVALID, "customer.phone", false, false},
		{"ErrPlate", shop.PartyInput{CustomerID: &cid, NewVehicle: &shop.VehicleInput{Plate: "X", Make: "A", Model: "B"}}, here, shop.EINVALID, "vehicle.plate", false, false},
		{"ErrVIN", shop.PartyInput{CustomerID: &cid, NewVehicle: &shop.VehicleInput{Plate: "粤B12345", VIN: "123", Make: "A", Model: "B"}}, here, shop.EINVALID, "vehicle.vin", false, false},
		{"ErrYear", shop.PartyInput{CustomerID: &cid, NewVehicle: &shop.VehicleInput{Plate: "粤B12345", Make: "A", Model: "B", Year: 2028}}, here, shop.EINVALID, "vehicle.year", false, false},
		{"ErrMileage", shop.PartyInput{CustomerID: &cid, NewVehicle: &shop.VehicleInput{Plate: "粤B12345", Make: "A", Model: "B", Mileage: -5}}, here, shop.EINVALID, "vehicle.mileage", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := shop.ResolveParty(site, tc.in, tc.found, now)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v (%v)", got, shop.ErrorField(err), tc.wantCode, tc.wantField, err)
			}
			if err != nil {
				return
			}
			if (p.NewCustomer != nil) != tc.wantNewC || (p.NewVehicle != nil) != tc.wantNewV {
				t.Fatalf("new customer=%v vehicle=%v, want %v %v", p.NewCustomer, p.NewVehicle, tc.wantNewC, tc.wantNewV)
			}
			if p.NewCustomer == nil && p.CustomerID != cid {
				t.Fatalf("customer=%d, want %d", p.CustomerID, cid)
			}
			if p.NewVehicle != nil && (p.NewVehicle.Plate != "粤B12345" || p.NewVehicle.SiteID != site) {
				t.Fatalf("vehicle=%+v, want plate 粤B12345 at site %d", p.NewVehicle, site)
			}
			if p.NewCustomer != nil && p.NewCustomer.Phone != "13800138000" {
				t.Fatalf("phone=%q, want 13800138000", p.NewCustomer.Phone)
			}
		})
	}
}

func TestRedactOrderAndAdditional(t *testing.T) {
	for _, tc := range []struct {
		name        string
		a           *shop.Actor
		wantName    string
		wantContact string
		wantNote    string
	}{
		{"OKAdvisorSeesAll", &shop.Actor{Role: shop.RoleAdvisor}, "王小明", "王小明 by phone", "Agreed on the phone"},
		{"OKTechnicianMasked", &shop.Actor{Role: shop.RoleTechnician}, "王**", "王**", ""},
		{"OKBoardMasked", &shop.Actor{Role: shop.RoleBoard}, "王**", "王**", ""},
		{"OKNoActorMasked", nil, "王**", "王**", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &shop.Order{SignedBy: "王小明"}
			w := &shop.AdditionalWork{CustomerContact: "王小明 by phone", DecisionNote: "Agreed on the phone"}
			shop.RedactOrder(tc.a, o)
			shop.RedactAdditional(tc.a, w)
			if o.SignedBy != tc.wantName || w.CustomerContact != tc.wantContact || w.DecisionNote != tc.wantNote {
				t.Fatalf("signed=%q contact=%q note=%q, want %q %q %q", o.SignedBy, w.CustomerContact, w.DecisionNote,
					tc.wantName, tc.wantContact, tc.wantNote)
			}
		})
	}
	shop.RedactOrder(nil, nil) // nil records are skipped, as the store passes what it found
}

func TestSearchPlate(t *testing.T) {
	for _, tc := range []struct{ name, q, want string }{
		{"OK", "粤b 12·3-4", "粤B1234"},
		{"OKName", "Li", "LI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.SearchPlate(tc.q); got != tc.want {
				t.Fatalf("plate=%q, want %q", got, tc.want)
			}
		})
	}
}
