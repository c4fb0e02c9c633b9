package store_test

import (
	"context"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// receive opens a visit for a new customer and vehicle.
func receive(t *testing.T, db *store.DB, f *storetest.Fixture, name, phone, plate string) *shop.Visit {
	t.Helper()
	v, err := db.ReceiveVehicle(storetest.Ctx(f.Advisor), store.ReceiveVehicleInput{SiteID: f.Site.ID,
		Customer: &store.NewCustomerInput{Name: name, Phone: phone},
		Vehicle:  &store.NewVehicleInput{Plate: plate, Make: "Toyota", Model: "卡罗拉"},
		Mileage:  12000, FuelLevel: 50, KeyTag: "K" + plate[len(plate)-2:], Complaint: "保养", WalkaroundSigned: true})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return v
}

func TestMergeCustomers(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	a := receive(t, db, f, "刘女士", "13974100000", "粤B11111")
	b := receive(t, db, f, "刘女士", "13974100000", "粤B22222")
	in := store.MergeCustomersInput{SurvivorID: a.CustomerID, DuplicateID: b.CustomerID}

	t.Run("ErrForbiddenAdvisor", func(t *testing.T) {
		_, err := db.MergeCustomers(storetest.Ctx(f.Advisor), in)
		if shop.ErrorCode(err) != shop.EFORBIDDEN {
			t.Fatalf("code=%v, want FORBIDDEN", shop.ErrorCode(err))
		}
	})
	t.Run("ErrConflictStaleDuplicate", func(t *testing.T) {
		stale := in
		stale.DuplicateVersion = new(int) // 0: never current
		if _, err := db.MergeCustomers(mgr, stale); shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("code=%v, want CONFLICT", shop.ErrorCode(err))
		}
		if m, _ := db.FindCustomerMerges(mgr, []shop.CustomerID{b.CustomerID}); len(m) != 0 {
			t.Fatalf("merges=%v after a refused merge, want none", m)
		}
	})
	t.Run("OK", func(t *testing.T) {
		c, err := db.MergeCustomers(mgr, in)
		if err != nil || c.ID != a.CustomerID || c.Version != 2 {
			t.Fatalf("survivor=%+v err=%v, want customer %d at version 2", c, err, a.CustomerID)
		}
		vs, err := db.FindVehiclesByCustomerIDs(mgr, []shop.CustomerID{a.CustomerID, b.CustomerID})
		if err != nil || len(vs[a.CustomerID]) != 2 || len(vs[b.CustomerID]) != 0 {
			t.Fatalf("vehicles=%v err=%v, want both with the survivor", vs, err)
		}
		if n, err := db.CountVisitsByCustomer(mgr, a.CustomerID); err != nil || n != 2 {
			t.Fatalf("visits=%d err=%v, want 2 with the survivor", n, err)
		}
		if m, err := db.FindCustomerMerges(mgr, []shop.CustomerID{a.CustomerID, b.CustomerID}); err != nil || len(m) != 1 || m[b.CustomerID] != a.CustomerID {
			t.Fatalf("merges=%v err=%v, want the duplicate pointing at the survivor", m, err)
		}
		found, err := db.FindCustomers(mgr, store.CustomerFilter{SiteID: f.Site.ID, Query: "刘", First: 10})
		if err != nil || len(found) != 1 || found[0].ID != a.CustomerID {
			t.Fatalf("search=%v err=%v, want only the survivor", found, err)
		}
		evs, err := db.FindEvents(mgr, store.EventFilter{SiteID: f.Site.ID, Kind: ptr(shop.EventCustomersMerged), First: 10})
		if err != nil || len(evs) != 1 {
			t.Fatalf("events=%v err=%v, want one CUSTOMERS_MERGED", evs, err)
		}
	})
	t.Run("ErrEditMerged", func(t *testing.T) {
		_, err := db.UpdateCustomer(mgr, store.UpdateCustomerInput{CustomerID: b.CustomerID, Customer: store.CustomerChangesInput{Name: ptr("x")}})
		if shop.ErrorCode(err) != shop.EINVALID || shop.ErrorField(err) != "customerId" {
			t.Fatalf("code=%v field=%v, want INVALID customerId", shop.ErrorCode(err), shop.ErrorField(err))
		}
	})
	t.Run("ErrMergeAgain", func(t *testing.T) {
		if _, err := db.MergeCustomers(mgr, in); shop.ErrorCode(err) != shop.EINVALID {
			t.Fatalf("code=%v, want INVALID", shop.ErrorCode(err))
		}
	})
}

func TestUpdateVehicleConflicts(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	a := receive(t, db, f, "刘女士", "13974100000", "粤B11111")
	receive(t, db, f, "张先生", "13974100001", "粤B22222")
	t.Run("ErrPlateTaken", func(t *testing.T) {
		_, err := db.UpdateVehicle(mgr, store.UpdateVehicleInput{VehicleID: a.VehicleID, Vehicle: store.VehicleChangesInput{Plate: ptr("粤B22222")}})
		if shop.ErrorCode(err) != shop.ECONFLICT || shop.ErrorField(err) != "vehicle.plate" {
			t.Fatalf("code=%v field=%v, want CONFLICT vehicle.plate", shop.ErrorCode(err), shop.ErrorField(err))
		}
	})
	before, err := db.FindVehicleByID(mgr, a.VehicleID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		v, err := db.UpdateVehicle(mgr, store.UpdateVehicleInput{VehicleID: a.VehicleID, ExpectedVersion: ptr(before.Version),
			Vehicle: store.VehicleChangesInput{Plate: ptr("粤B33333"), ContactName: ptr("司机小王"), ContactPhone: ptr("13700137000")}})
		if err != nil || v.Plate != "粤B33333" || v.Version != before.Version+1 {
			t.Fatalf("vehicle=%+v err=%v", v, err)
		}
		c, err := db.FindVehicleContact(storetest.Ctx(f.Tech), a.VehicleID)
		if err != nil || c.Name != "司**" || c.Phone != "137****7000" {
			t.Fatalf("contact=%+v err=%v, want it masked for a technician", c, err)
		}
	})
	t.Run("ErrConflictStale", func(t *testing.T) {
		_, err := db.UpdateVehicle(mgr, store.UpdateVehicleInput{VehicleID: a.VehicleID, ExpectedVersion: ptr(before.Version), Vehicle: store.VehicleChangesInput{Colour: ptr("白")}})
		if shop.ErrorCode(err) != shop.ECONFLICT {
			t.Fatalf("code=%v, want CONFLICT", shop.ErrorCode(err))
		}
	})
}

func TestRevokeTokenByID(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	issued, err := db.IssueToken(mgr, store.IssueTokenInput{UserID: f.Tech.ID, TTLHours: ptr(8), Label: ptr("tablet")})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if _, err := db.FindActorByToken(context.Background(), issued.Token); err != nil {
		t.Fatalf("the new token does not work: %v", err)
	}
	if _, err := db.RevokeTokenByID(storetest.Ctx(f.Advisor), store.RevokeTokenInput{TokenID: issued.Info.ID}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("advisor revoking: code=%v, want FORBIDDEN", shop.ErrorCode(err))
	}
	if _, err := db.RevokeTokenByID(mgr, store.RevokeTokenInput{TokenID: issued.Info.ID}); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	// The open sockets' re-check (CheckTokens) now refuses it, as after a CLI revocation.
	checks, err := db.CheckTokens(context.Background(), []string{issued.Token})
	if err != nil || shop.ErrorCode(checks[issued.Token].Err) != shop.EUNAUTHENTICATED {
		t.Fatalf("check=%+v err=%v, want UNAUTHENTICATED", checks[issued.Token], err)
	}
	if _, err := db.RevokeTokenByID(mgr, store.RevokeTokenInput{TokenID: issued.Info.ID}); shop.ErrorCode(err) != shop.ENOTFOUND {
		t.Fatalf("revoking twice: code=%v, want NOT_FOUND", shop.ErrorCode(err))
	}
}

func TestTeamLeadFlag(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	team, err := db.AddTeam(mgr, store.AddTeamInput{SiteID: f.Site.ID, Name: "机修二组", LeadID: &f.Tech.ID})
	if err != nil {
		t.Fatalf("add team: %v", err)
	}
	lead := func(id shop.UserID) bool {
		m, err := db.FindUsersByIDs(mgr, []shop.UserID{id})
		if err != nil {
			t.Fatal(err)
		}
		return m[id].TeamLead
	}
	if !lead(f.Tech.ID) {
		t.Fatalf("team lead flag=false after leading a team, want true")
	}
	if _, err := db.UpdateTeam(mgr, store.UpdateTeamInput{TeamID: team.ID, ClearLead: ptr(true)}); err != nil {
		t.Fatalf("clear lead: %v", err)
	}
	if lead(f.Tech.ID) {
		t.Fatalf("team lead flag=true after the lead was cleared, want false")
	}
	if _, err := db.UpdateUser(mgr, store.UpdateUserInput{UserID: f.Manager.ID, Active: ptr(false)}); shop.ErrorCode(err) != shop.EINVALID {
		t.Fatalf("self-deactivation: code=%v, want INVALID", shop.ErrorCode(err))
	}
}

func TestMasterDataCodesTaken(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	mgr := storetest.Ctx(f.Manager)
	for _, tc := range []struct {
		name      string
		do        func() error
		wantField string
	}{
		{"ErrBayCode", func() error {
			_, err := db.AddBay(mgr, store.AddBayInput{SiteID: f.Site.ID, Code: "b01"})
			return err
		}, "code"},
		{"ErrRateCode", func() error {
			_, err := db.AddLabourRate(mgr, store.AddLabourRateInput{SiteID: f.Site.ID, Code: "BODY", Name: "钣金", Rate: 20000})
			if err != nil {
				return err
			}
			_, err = db.AddLabourRate(mgr, store.AddLabourRateInput{SiteID: f.Site.ID, Code: "body", Name: "钣金2", Rate: 20000})
			return err
		}, "code"},
		{"ErrTeamName", func() error {
			_, err := db.AddTeam(mgr, store.AddTeamInput{SiteID: f.Site.ID, Name: "一组"})
			if err != nil {
				return err
			}
			_, err = db.AddTeam(mgr, store.AddTeamInput{SiteID: f.Site.ID, Name: "一组"})
			return err
		}, "name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			if shop.ErrorCode(err) != shop.ECONFLICT || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want CONFLICT %s", shop.ErrorCode(err), shop.ErrorField(err), tc.wantField)
			}
		})
	}
}
