package shop_test

import (
	"strings"
	"testing"

	"bayboard/shop"
)

// allActions lists every authorised action; the package exports no such list.
var allActions = []shop.Action{
	shop.ActRead, shop.ActReadPersonal, shop.ActBookAppointment, shop.ActReceive, shop.ActEstimate,
	shop.ActHandOver, shop.ActDispatch, shop.ActWorkJob, shop.ActRequestExtra, shop.ActDecideExtra,
	shop.ActSelfCheck, shop.ActTeamLeadCheck, shop.ActFinalInspection, shop.ActWash, shop.ActSettle,
	shop.ActDeliver, shop.ActManageParts, shop.ActAdmin,
}

// everything but ADMIN, for the service manager.
var allButAdmin = allActions[:len(allActions)-1]

// wantAllowed is the role × action matrix from DOMAIN.md's table, by hand.
var wantAllowed = map[shop.Role][]shop.Action{
	shop.RoleAdvisor: {shop.ActRead, shop.ActReadPersonal, shop.ActBookAppointment, shop.ActReceive,
		shop.ActEstimate, shop.ActHandOver, shop.ActDecideExtra, shop.ActWash, shop.ActDeliver},
	shop.RoleForeman: {shop.ActRead, shop.ActHandOver, shop.ActDispatch, shop.ActWorkJob,
		shop.ActRequestExtra, shop.ActTeamLeadCheck, shop.ActWash},
	shop.RoleTechnician:     {shop.ActRead, shop.ActWorkJob, shop.ActRequestExtra, shop.ActSelfCheck, shop.ActWash},
	shop.RoleQCInspector:    {shop.ActRead, shop.ActFinalInspection, shop.ActRequestExtra},
	shop.RolePartsClerk:     {shop.ActRead, shop.ActManageParts},
	shop.RoleWarrantyClerk:  {shop.ActRead, shop.ActReadPersonal},
	shop.RoleCashier:        {shop.ActRead, shop.ActReadPersonal, shop.ActSettle, shop.ActDeliver},
	shop.RoleCallbackStaff:  {shop.ActRead, shop.ActReadPersonal},
	shop.RoleServiceManager: allButAdmin,
	shop.RoleAdmin:          allActions,
	shop.RoleBoard:          {shop.ActRead},
}

func allows(role shop.Role, act shop.Action) bool {
	for _, a := range wantAllowed[role] {
		if a == act {
			return true
		}
	}
	return false
}

func TestAllowed(t *testing.T) {
	if allButAdmin[len(allButAdmin)-1] == shop.ActAdmin {
		t.Fatal("allButAdmin includes ADMIN")
	}
	if len(wantAllowed) != len(shop.Roles) {
		t.Fatalf("matrix has %d roles, want %d", len(wantAllowed), len(shop.Roles))
	}
	for _, role := range shop.Roles {
		for _, act := range allActions {
			t.Run(string(role)+"/"+string(act), func(t *testing.T) {
				if got, want := shop.Allowed(role, act), allows(role, act); got != want {
					t.Fatalf("allowed=%v, want %v", got, want)
				}
			})
		}
	}
	t.Run("UnknownRole", func(t *testing.T) {
		if shop.Allowed("JANITOR", shop.ActRead) {
			t.Fatal("allowed=true, want false")
		}
	})
}

func TestAuthorize(t *testing.T) {
	const site, otherSite = shop.SiteID(1), shop.SiteID(2)
	actor := func(role shop.Role) *shop.Actor {
		return &shop.Actor{UserID: 10, Role: role, SiteIDs: []shop.SiteID{site}}
	}

	t.Run("Matrix", func(t *testing.T) {
		for _, role := range shop.Roles {
			for _, act := range allActions {
				t.Run(string(role)+"/"+string(act), func(t *testing.T) {
					err := shop.Authorize(actor(role), site, act)
					want := ""
					if !allows(role, act) {
						want = shop.EFORBIDDEN
					}
					if code := shop.ErrorCode(err); code != want {
						t.Fatalf("code=%q, want %q (err=%v)", code, want, err)
					}
				})
			}
		}
	})

	teamLead := &shop.Actor{UserID: 11, Role: shop.RoleTechnician, TeamLead: true, SiteIDs: []shop.SiteID{site}}
	twoSites := &shop.Actor{UserID: 12, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{site, otherSite}}
	for _, tt := range []struct {
		name  string
		actor *shop.Actor
		site  shop.SiteID
		act   shop.Action
		code  string
	}{
		{"OK/AdvisorDecidesExtra", actor(shop.RoleAdvisor), site, shop.ActDecideExtra, ""},
		{"OK/TeamLeadTechnicianChecks", teamLead, site, shop.ActTeamLeadCheck, ""},
		{"OK/TeamLeadStillSelfChecks", teamLead, site, shop.ActSelfCheck, ""},
		{"OK/BoardReads", actor(shop.RoleBoard), site, shop.ActRead, ""},
		{"OK/ManagerOfBothSites", twoSites, otherSite, shop.ActSettle, ""},
		{"ErrForbidden/TechnicianDecidesExtra", actor(shop.RoleTechnician), site, shop.ActDecideExtra, shop.EFORBIDDEN},
		{"ErrForbidden/TechnicianTeamLeadCheck", actor(shop.RoleTechnician), site, shop.ActTeamLeadCheck, shop.EFORBIDDEN},
		{"ErrForbidden/TeamLeadDecidesExtra", teamLead, site, shop.ActDecideExtra, shop.EFORBIDDEN},
		{"ErrForbidden/BoardReadsPersonal", actor(shop.RoleBoard), site, shop.ActReadPersonal, shop.EFORBIDDEN},
		{"ErrForbidden/BoardWorks", actor(shop.RoleBoard), site, shop.ActWorkJob, shop.EFORBIDDEN},
		{"ErrForbidden/ManagerAdministers", actor(shop.RoleServiceManager), site, shop.ActAdmin, shop.EFORBIDDEN},
		{"ErrForbidden/UnknownRole", actor("JANITOR"), site, shop.ActRead, shop.EFORBIDDEN},
		{"ErrNotFound/OtherSite", actor(shop.RoleAdvisor), otherSite, shop.ActRead, shop.ENOTFOUND},
		{"ErrNotFound/AdminOfOtherSite", actor(shop.RoleAdmin), otherSite, shop.ActRead, shop.ENOTFOUND},
		{"ErrNotFound/BoardOfOtherSite", actor(shop.RoleBoard), otherSite, shop.ActReadPersonal, shop.ENOTFOUND},
		{"ErrNotFound/NoSites", &shop.Actor{UserID: 13, Role: shop.RoleAdmin}, site, shop.ActRead, shop.ENOTFOUND},
		{"ErrUnauthenticated/NilActor", nil, site, shop.ActRead, shop.EUNAUTHENTICATED},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := shop.Authorize(tt.actor, tt.site, tt.act)
			if code := shop.ErrorCode(err); code != tt.code {
				t.Fatalf("code=%q, want %q (err=%v)", code, tt.code, err)
			}
		})
	}

	t.Run("ErrForbiddenMessage", func(t *testing.T) {
		err := shop.Authorize(actor(shop.RoleTechnician), site, shop.ActDecideExtra)
		if msg := shop.ErrorMessage(err); !strings.Contains(msg, "TECHNICIAN") {
			t.Fatalf("message=%q, want it to name the role", msg)
		}
	})
}

func TestRole_Valid(t *testing.T) {
	for _, r := range shop.Roles {
		if !r.Valid() {
			t.Fatalf("valid(%s)=false, want true", r)
		}
	}
	for _, r := range []shop.Role{"", "advisor", "JANITOR"} {
		if r.Valid() {
			t.Fatalf("valid(%q)=true, want false", r)
		}
	}
}
