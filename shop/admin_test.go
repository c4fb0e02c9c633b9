package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

var (
	anAdmin   = &shop.Actor{UserID: 1, Role: shop.RoleAdmin, SiteIDs: []shop.SiteID{1, 2}}
	aManager  = &shop.Actor{UserID: 2, Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}}
	anAdvisor = &shop.Actor{UserID: 3, Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}
)

func TestCreateSiteBy(t *testing.T) {
	for _, tc := range []struct {
		name      string
		by        *shop.Actor
		in        shop.SiteInput
		wantCode  string
		wantField string
	}{
		{"OK", anAdmin, shop.SiteInput{Code: "sz02", Name: "深圳南山店", LabourRate: 18000}, "", ""},
		{"OKOwnHours", anAdmin, shop.SiteInput{Code: "GZ01", Name: "广州店", TimeZone: "Asia/Shanghai", OpensAt: ptr(7 * 60), ClosesAt: ptr(20 * 60)}, "", ""},
		{"ErrForbiddenManager", aManager, shop.SiteInput{Code: "SZ02", Name: "x"}, shop.EFORBIDDEN, ""},
		{"ErrCode", anAdmin, shop.SiteInput{Code: "深圳", Name: "x"}, shop.EINVALID, "code"},
		{"ErrName", anAdmin, shop.SiteInput{Code: "SZ02", Name: " "}, shop.EINVALID, "name"},
		{"ErrZone", anAdmin, shop.SiteInput{Code: "SZ02", Name: "x", TimeZone: "Mars/Base"}, shop.EINVALID, "timeZone"},
		{"ErrRate", anAdmin, shop.SiteInput{Code: "SZ02", Name: "x", LabourRate: -1}, shop.EINVALID, "labourRate"},
		{"ErrHours", anAdmin, shop.SiteInput{Code: "SZ02", Name: "x", OpensAt: ptr(600), ClosesAt: ptr(500)}, shop.EINVALID, "closesAt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ev, err := shop.CreateSiteBy(tc.by, tc.in)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (s.Code != strings.ToUpper(tc.in.Code) || s.Version != 1 || s.TimeZone == "" || ev.Kind != shop.EventSiteChanged) {
				t.Fatalf("site=%+v event=%+v, want an upper-case code, version 1 and SITE_CHANGED", s, ev)
			}
		})
	}
}

func TestEditSite(t *testing.T) {
	site := shop.Site{ID: 1, Code: "SZ01", Name: "福田店", TimeZone: "Asia/Shanghai", LabourRate: 15000, OpensAt: 480, ClosesAt: 1080, Version: 2}
	for _, tc := range []struct {
		name      string
		ch        shop.SiteChanges
		wantCode  string
		wantField string
		wantInLog string
	}{
		{"OK", shop.SiteChanges{LabourRate: ptr(shop.Money(16000)), Name: ptr("福田旗舰店")}, "", "", `labourRate "150.00" → "160.00"`},
		{"OKHours", shop.SiteChanges{ClosesAt: ptr(19 * 60)}, "", "", `hours "08:00-18:00" → "08:00-19:00"`},
		{"ErrZone", shop.SiteChanges{TimeZone: ptr("Nowhere")}, shop.EINVALID, "timeZone", ""},
		{"ErrOpensAfterDefaultClose", shop.SiteChanges{OpensAt: ptr(19 * 60)}, shop.EINVALID, "closesAt", ""},
		{"ErrName", shop.SiteChanges{Name: ptr("")}, shop.EINVALID, "name", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ev, err := shop.EditSite(site, tc.ch)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				return
			}
			if next.Version != 3 || !strings.Contains(ev.Summary, tc.wantInLog) {
				t.Fatalf("version=%d summary=%q, want 3 and %q", next.Version, ev.Summary, tc.wantInLog)
			}
		})
	}
}

func TestBays(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        shop.BayInput
		wantKind  string
		wantCode  string
		wantField string
	}{
		{"OK", shop.BayInput{Code: "b03", Name: "举升机 3"}, "GENERAL", "", ""},
		{"OKKind", shop.BayInput{Code: "A1", Kind: "alignment"}, "ALIGNMENT", "", ""},
		{"ErrCode", shop.BayInput{Code: ""}, "", shop.EINVALID, "code"},
		{"ErrKind", shop.BayInput{Code: "B1", Kind: "two words"}, "", shop.EINVALID, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, ev, err := shop.CreateBayAt(1, tc.in)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (b.Kind != tc.wantKind || !b.Active || b.Version != 1 || ev.Kind != shop.EventBayChanged) {
				t.Fatalf("bay=%+v, want kind %s, active, version 1", b, tc.wantKind)
			}
		})
	}
	bay := shop.Bay{ID: 3, SiteID: 1, Code: "B03", Kind: "GENERAL", Active: true, Version: 1}
	t.Run("OKRetire", func(t *testing.T) {
		next, ev, err := shop.EditBay(bay, shop.BayChanges{Active: ptr(false)})
		if err != nil || next.Active || next.Version != 2 || !strings.Contains(ev.Summary, `active "true" → "false"`) {
			t.Fatalf("bay=%+v summary=%q err=%v, want retired at version 2", next, ev.Summary, err)
		}
	})
	t.Run("ErrKind", func(t *testing.T) {
		next, _, err := shop.EditBay(bay, shop.BayChanges{Kind: ptr("!")})
		wantErr(t, err, shop.EINVALID, "kind")
		if next != bay {
			t.Fatalf("bay=%+v, want unchanged", next)
		}
	})
}

func TestLabourRates(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      string
		rname     string
		rate      shop.Money
		wantCode  string
		wantField string
	}{
		{"OK", "body", "钣金", 20000, "", ""},
		{"ErrCode", "", "钣金", 20000, shop.EINVALID, "code"},
		{"ErrName", "BODY", "", 20000, shop.EINVALID, "name"},
		{"ErrRate", "BODY", "钣金", -1, shop.EINVALID, "rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _, err := shop.NewLabourRate(1, tc.code, tc.rname, tc.rate)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (r.Code != "BODY" || r.Version != 1) {
				t.Fatalf("rate=%+v, want BODY at version 1", r)
			}
		})
	}
	r := shop.LabourRate{ID: 1, SiteID: 1, Code: "BODY", Name: "钣金", Rate: 20000, Version: 1}
	t.Run("OKEdit", func(t *testing.T) {
		next, ev, err := shop.EditLabourRate(r, nil, ptr(shop.Money(22000)))
		if err != nil || next.Rate != 22000 || next.Version != 2 || !strings.Contains(ev.Summary, `"200.00" → "220.00"`) {
			t.Fatalf("rate=%+v summary=%q err=%v", next, ev.Summary, err)
		}
	})
	t.Run("ErrEditRate", func(t *testing.T) {
		_, _, err := shop.EditLabourRate(r, nil, ptr(shop.Money(-5)))
		wantErr(t, err, shop.EINVALID, "rate")
	})
}

func TestTeams(t *testing.T) {
	tech := &shop.User{ID: 7, Name: "赵磊", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}, Active: true}
	for _, tc := range []struct {
		name      string
		tname     string
		lead      *shop.User
		wantCode  string
		wantField string
	}{
		{"OK", "机修一组", tech, "", ""},
		{"OKNoLead", "机修二组", nil, "", ""},
		{"ErrName", "", tech, shop.EINVALID, "name"},
		{"ErrLeadNotTechnician", "机修一组", &shop.User{ID: 8, Name: "李", Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}, Active: true}, shop.EINVALID, "leadId"},
		{"ErrLeadInactive", "机修一组", &shop.User{ID: 8, Name: "李", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}, shop.EINVALID, "leadId"},
		{"ErrLeadOtherSite", "机修一组", &shop.User{ID: 8, Name: "李", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{2}, Active: true}, shop.ENOTFOUND, "leadId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			team, ev, err := shop.NewTeam(1, tc.tname, tc.lead)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && ((tc.lead == nil) != (team.LeadID == nil) || ev.Kind != shop.EventTeamChanged) {
				t.Fatalf("team=%+v, want lead %v", team, tc.lead)
			}
		})
	}
	team := shop.Team{ID: 1, SiteID: 1, Name: "机修一组", LeadID: ptr(shop.UserID(7)), Version: 1}
	t.Run("OKClearLead", func(t *testing.T) {
		next, ev, err := shop.EditTeam(team, nil, nil, true, map[shop.UserID]string{7: "赵磊"})
		if err != nil || next.LeadID != nil || !strings.Contains(ev.Summary, `lead "赵磊" → "none"`) {
			t.Fatalf("team=%+v summary=%q err=%v", next, ev.Summary, err)
		}
	})
	t.Run("ErrLeadAndClear", func(t *testing.T) {
		_, _, err := shop.EditTeam(team, nil, tech, true, nil)
		wantErr(t, err, shop.EINVALID, "leadId")
	})
}

func TestNewUserBy(t *testing.T) {
	team1 := &shop.Team{ID: 4, SiteID: 1, Name: "机修一组"}
	team2 := &shop.Team{ID: 5, SiteID: 2, Name: "二店一组"}
	for _, tc := range []struct {
		name      string
		by        *shop.Actor
		in        shop.UserInput
		wantCode  string
		wantField string
	}{
		{"OK", aManager, shop.UserInput{Name: "钱七", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}, Team: team1}, "", ""},
		{"OKAdminMakesAdmin", anAdmin, shop.UserInput{Name: "Root 2", Role: shop.RoleAdmin}, "", ""},
		{"ErrForbiddenAdvisor", anAdvisor, shop.UserInput{Name: "x", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}, shop.EFORBIDDEN, ""},
		{"ErrForbiddenManagerMakesAdmin", aManager, shop.UserInput{Name: "x", Role: shop.RoleAdmin, SiteIDs: []shop.SiteID{1}}, shop.EFORBIDDEN, ""},
		{"ErrNotFoundOtherSite", aManager, shop.UserInput{Name: "x", Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{2}}, shop.ENOTFOUND, ""},
		{"ErrNoSite", aManager, shop.UserInput{Name: "x", Role: shop.RoleAdvisor}, shop.EINVALID, "siteIds"},
		{"ErrRole", aManager, shop.UserInput{Name: "x", Role: "BOSS", SiteIDs: []shop.SiteID{1}}, shop.EINVALID, "role"},
		{"ErrName", aManager, shop.UserInput{Name: "", Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}, shop.EINVALID, "name"},
		{"ErrTeamOfOtherSite", anAdmin, shop.UserInput{Name: "x", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}, Team: team2}, shop.EINVALID, "teamId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, ev, err := shop.NewUserBy(tc.by, tc.in)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (!u.Active || u.Version != 1 || ev.Kind != shop.EventUserChanged || (tc.in.Team != nil && u.Team != tc.in.Team.Name)) {
				t.Fatalf("user=%+v event=%+v", u, ev)
			}
		})
	}
}

func TestEditUser(t *testing.T) {
	tech := shop.User{ID: 7, Name: "赵磊", ShortName: "赵", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}, Active: true, Version: 1,
		TeamID: ptr(shop.TeamID(4)), Team: "机修一组"}
	team1 := &shop.Team{ID: 4, SiteID: 1, Name: "机修一组"}
	for _, tc := range []struct {
		name      string
		by        *shop.Actor
		u         shop.User
		ch        shop.UserChanges
		leads     bool
		wantCode  string
		wantField string
	}{
		{"OKDeactivate", aManager, tech, shop.UserChanges{Active: ptr(false)}, false, "", ""},
		{"OKLeaveTeam", aManager, tech, shop.UserChanges{LeaveTeam: true}, false, "", ""},
		{"ErrSelfDeactivate", aManager, shop.User{ID: 2, Name: "经理", Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{1}, Active: true},
			shop.UserChanges{Active: ptr(false)}, false, shop.EINVALID, "role"},
		{"ErrManagerPromotesToAdmin", aManager, tech, shop.UserChanges{Role: ptr(shop.RoleAdmin)}, false, shop.EFORBIDDEN, ""},
		{"ErrManagerEditsAdmin", aManager, shop.User{ID: 1, Role: shop.RoleAdmin, SiteIDs: []shop.SiteID{1}}, shop.UserChanges{Name: ptr("x")}, false, shop.EFORBIDDEN, ""},
		{"ErrLeadChangesRole", aManager, tech, shop.UserChanges{Role: ptr(shop.RoleForeman)}, true, shop.EINVALID, "role"},
		{"ErrJoinAndLeave", aManager, tech, shop.UserChanges{Team: team1, LeaveTeam: true}, false, shop.EINVALID, "leaveTeam"},
		{"ErrNoSites", aManager, tech, shop.UserChanges{SiteIDs: []shop.SiteID{}}, false, shop.EINVALID, "siteIds"},
		{"ErrForbiddenAdvisor", anAdvisor, tech, shop.UserChanges{Name: ptr("x")}, false, shop.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next, ev, err := shop.EditUser(tc.by, tc.u, tc.ch, team1, tc.leads)
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err != nil {
				if next.Version != tc.u.Version {
					t.Fatalf("version=%d, want unchanged %d", next.Version, tc.u.Version)
				}
				return
			}
			if next.Version != 2 || ev.Kind != shop.EventUserChanged {
				t.Fatalf("user=%+v event=%+v", next, ev)
			}
			if tc.ch.LeaveTeam && (next.TeamID != nil || next.Team != "") {
				t.Fatalf("team=%v %q, want none", next.TeamID, next.Team)
			}
		})
	}
	t.Run("OKMovedSiteDropsTeam", func(t *testing.T) {
		next, _, err := shop.EditUser(anAdmin, tech, shop.UserChanges{SiteIDs: []shop.SiteID{2}}, team1, false)
		if err != nil || next.TeamID != nil {
			t.Fatalf("user=%+v err=%v, want no team at the new site", next, err)
		}
	})
}

func TestIssueAndRevokeToken(t *testing.T) {
	tech := shop.User{ID: 7, Name: "赵磊", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}, Active: true}
	for _, tc := range []struct {
		name      string
		by        *shop.Actor
		u         shop.User
		ttl       time.Duration
		wantTTL   time.Duration
		wantCode  string
		wantField string
	}{
		{"OK", aManager, tech, 24 * time.Hour, 24 * time.Hour, "", ""},
		{"OKDefaultTTL", aManager, tech, 0, shop.MaxTokenTTL, "", ""},
		{"OKOwnToken", &shop.Actor{UserID: 7, Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}, tech, time.Hour, time.Hour, "", ""},
		{"ErrForbiddenAdvisor", anAdvisor, tech, time.Hour, 0, shop.EFORBIDDEN, ""},
		{"ErrManagerForAdmin", aManager, shop.User{ID: 1, Role: shop.RoleAdmin, SiteIDs: []shop.SiteID{1}, Active: true}, time.Hour, 0, shop.EFORBIDDEN, ""},
		{"ErrInactive", aManager, shop.User{ID: 9, Name: "x", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{1}}, time.Hour, 0, shop.EINVALID, "userId"},
		{"ErrTTL", aManager, tech, 400 * 24 * time.Hour, 0, shop.EINVALID, "ttlHours"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ttl, label, ev, err := shop.IssueTokenFor(tc.by, tc.u, tc.ttl, "")
			wantErr(t, err, tc.wantCode, tc.wantField)
			if err == nil && (ttl != tc.wantTTL || label != "api" || ev.Kind != shop.EventTokenIssued) {
				t.Fatalf("ttl=%v label=%q event=%+v, want %v api", ttl, label, ev, tc.wantTTL)
			}
		})
	}
	t.Run("OKRevoke", func(t *testing.T) {
		ev, err := shop.RevokeTokenOf(aManager, tech, "tablet", false)
		if err != nil || ev.Kind != shop.EventTokenRevoked {
			t.Fatalf("event=%+v err=%v", ev, err)
		}
	})
	t.Run("ErrRevokeTwice", func(t *testing.T) {
		_, err := shop.RevokeTokenOf(aManager, tech, "tablet", true)
		wantErr(t, err, shop.ENOTFOUND, "tokenId")
	})
	t.Run("ErrRevokeForbidden", func(t *testing.T) {
		_, err := shop.RevokeTokenOf(anAdvisor, tech, "tablet", false)
		wantErr(t, err, shop.EFORBIDDEN, "")
	})
}

func TestUserEvents(t *testing.T) {
	evs := shop.UserEvents(shop.Event{Kind: shop.EventUserChanged}, []shop.SiteID{1, 2}, []shop.SiteID{9})
	if len(evs) != 2 || evs[0].SiteID != 1 || evs[1].SiteID != 2 {
		t.Fatalf("events=%+v, want one per site", evs)
	}
	if evs := shop.UserEvents(shop.Event{}, nil, []shop.SiteID{9}); len(evs) != 1 || evs[0].SiteID != 9 {
		t.Fatalf("events=%+v, want the fallback site", evs)
	}
}
