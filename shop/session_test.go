package shop_test

import (
	"testing"

	"bayboard/shop"
)

func TestSessionStillAllowed(t *testing.T) {
	t.Parallel()
	board := &shop.Actor{UserID: 7, Role: shop.RoleBoard, SiteIDs: []shop.SiteID{1, 2}}
	with := func(f func(a *shop.Actor)) *shop.Actor {
		a := *board
		a.SiteIDs = append([]shop.SiteID(nil), board.SiteIDs...)
		f(&a)
		return &a
	}
	revoked := shop.Errorf(shop.EUNAUTHENTICATED, "The token was revoked.")
	tests := []struct {
		name   string
		now    *shop.Actor
		lookup error
		want   string // error code, "" for allowed
	}{
		{"OK", with(func(*shop.Actor) {}), nil, ""},
		{"OK/SiteGained", with(func(a *shop.Actor) { a.SiteIDs = append(a.SiteIDs, 3) }), nil, ""},
		{"OK/NameChanged", with(func(a *shop.Actor) { a.Name = "Wall 2" }), nil, ""},
		{"ErrUnauthenticated/Revoked", nil, revoked, shop.EUNAUTHENTICATED},
		{"ErrUnauthenticated/OtherUser", with(func(a *shop.Actor) { a.UserID = 8 }), nil, shop.EUNAUTHENTICATED},
		{"ErrUnauthenticated/NoActor", nil, nil, shop.EUNAUTHENTICATED},
		{"ErrForbidden/SiteLost", with(func(a *shop.Actor) { a.SiteIDs = []shop.SiteID{1} }), nil, shop.EFORBIDDEN},
		{"ErrForbidden/AllSitesLost", with(func(a *shop.Actor) { a.SiteIDs = nil }), nil, shop.EFORBIDDEN},
		{"ErrForbidden/RoleChanged", with(func(a *shop.Actor) { a.Role = shop.RoleTechnician }), nil, shop.EFORBIDDEN},
		{"ErrForbidden/TeamLeadChanged", with(func(a *shop.Actor) { a.TeamLead = true }), nil, shop.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := shop.SessionStillAllowed(board, tt.now, tt.lookup)
			if got := shop.ErrorCode(err); got != tt.want {
				t.Fatalf("code=%q (%v), want %q", got, err, tt.want)
			}
			if err != nil && shop.ErrorMessage(err) == "" {
				t.Fatalf("error=%v, want a message a user can read", err)
			}
		})
	}
}
