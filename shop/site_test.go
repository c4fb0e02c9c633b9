package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestNewSite(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        shop.Site
		wantCode  string
		wantField string
		wantZone  string
	}{
		{"OK", shop.Site{Code: "SZ"}, "", "", "Asia/Shanghai"},
		{"OKOwnZone", shop.Site{Code: "HK", TimeZone: "Asia/Hong_Kong", FirstCallbackDays: 7}, "", "", "Asia/Hong_Kong"},
		{"ErrZone", shop.Site{Code: "X", TimeZone: "Mars/Olympus"}, shop.EINVALID, "timeZone", ""},
		{"ErrCallbackDays", shop.Site{Code: "X", FirstCallbackDays: 9}, shop.EINVALID, "firstCallbackDays", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := shop.NewSite(tc.in)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.wantField)
			}
			if err == nil && (s.TimeZone != tc.wantZone || s.Currency != shop.Currency || s.OpensAt != 480 || s.ClosesAt != 1080 || s.FirstCallbackDays < 2) {
				t.Fatalf("site=%+v, want defaults in %s", s, tc.wantZone)
			}
		})
	}
}

func TestNewUserAndBay(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       shop.User
		wantCode string
	}{
		{"OK", shop.User{Name: "Wang Wei", Role: shop.RoleAdvisor}, ""},
		{"ErrRole", shop.User{Name: "Wang Wei", Role: "BOSS"}, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := shop.NewUser(tc.in)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (!u.Active || u.ShortName != u.Name) {
				t.Fatalf("user=%+v, want active with short name", u)
			}
		})
	}
	if b := shop.NewBay(shop.Bay{Code: "B1"}); b.Kind != "GENERAL" {
		t.Fatalf("kind=%v, want GENERAL", b.Kind)
	}
}

func TestTokens(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Hour)
	active := shop.User{ID: 3, Role: shop.RoleAdvisor, Active: true, SiteIDs: []shop.SiteID{1}}
	for _, tc := range []struct {
		name             string
		u                shop.User
		expires, revoked *time.Time
		wantCode         string
	}{
		{"OK", active, nil, nil, ""},
		{"OKNotYetExpired", active, &future, nil, ""},
		{"ErrExpired", active, &now, nil, shop.EUNAUTHENTICATED},
		{"ErrRevoked", active, nil, &past, shop.EUNAUTHENTICATED},
		{"ErrInactive", shop.User{ID: 3, Role: shop.RoleAdvisor}, nil, nil, shop.EUNAUTHENTICATED},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := shop.TokenActor(tc.u, tc.expires, tc.revoked, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (a.UserID != 3 || len(a.SiteIDs) != 1) {
				t.Fatalf("actor=%+v, want user 3 of site 1", a)
			}
		})
	}
	t.Run("ErrShortToken", func(t *testing.T) {
		if got := shop.ErrorCode(shop.ValidToken("short")); got != shop.EINVALID {
			t.Fatalf("code=%v, want %v", got, shop.EINVALID)
		}
	})
	t.Run("OKExpiry", func(t *testing.T) {
		if e := shop.TokenExpiry(now, 0); e != nil {
			t.Fatalf("expiry=%v, want none", e)
		}
		if e := shop.TokenExpiry(now, time.Hour); e == nil || !e.Equal(future) {
			t.Fatalf("expiry=%v, want %v", e, future)
		}
	})
}
