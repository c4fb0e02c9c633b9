package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestMayAttachAndView(t *testing.T) {
	as := func(r shop.Role) *shop.Actor { return &shop.Actor{UserID: 1, Role: r, SiteIDs: []shop.SiteID{1}} }
	for _, tc := range []struct {
		name       string
		by         *shop.Actor
		owner      shop.AttachmentOwner
		site       shop.SiteID
		attachCode string
		viewCode   string
	}{
		{"OKTechJob", as(shop.RoleTechnician), shop.AttachToJob, 1, "", ""},
		{"OKAdvisorVisit", as(shop.RoleAdvisor), shop.AttachToVisit, 1, "", ""},
		{"OKWarrantyClerkClaim", as(shop.RoleWarrantyClerk), shop.AttachToWarrantyClaim, 1, "", ""},
		{"ErrForbiddenTechVisit", as(shop.RoleTechnician), shop.AttachToVisit, 1, shop.EFORBIDDEN, shop.EFORBIDDEN},
		{"ErrForbiddenBoardJob", as(shop.RoleBoard), shop.AttachToJob, 1, shop.EFORBIDDEN, ""},
		{"ErrForbiddenBoardExtra", as(shop.RoleBoard), shop.AttachToAdditionalWork, 1, shop.EFORBIDDEN, shop.EFORBIDDEN},
		{"ErrForbiddenCashierJob", as(shop.RoleCashier), shop.AttachToJob, 1, shop.EFORBIDDEN, ""},
		{"ErrNotFoundOtherSite", as(shop.RoleTechnician), shop.AttachToJob, 2, shop.ENOTFOUND, shop.ENOTFOUND},
		{"ErrInvalidKind", as(shop.RoleTechnician), "CUSTOMER", 1, shop.EINVALID, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.ErrorCode(shop.MayAttach(tc.by, tc.owner, tc.site)); got != tc.attachCode {
				t.Fatalf("attach=%q, want %q", got, tc.attachCode)
			}
			if tc.attachCode == shop.EINVALID {
				return
			}
			if got := shop.ErrorCode(shop.MayViewAttachment(tc.by, tc.owner, tc.site)); got != tc.viewCode {
				t.Fatalf("view=%q, want %q", got, tc.viewCode)
			}
		})
	}
}

func TestCheckUpload(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sniffed  string
		size     int64
		w, h     int
		wantCode string
	}{
		{"OK", "image/jpeg", 3 << 20, 4000, 3000, ""},
		{"OKPNG", "image/png", 1000, 10, 10, ""},
		{"ErrInvalidEmpty", "image/jpeg", 0, 10, 10, shop.EINVALID},
		{"ErrInvalidTooBig", "image/jpeg", shop.MaxUploadBytes + 1, 10, 10, shop.EINVALID},
		{"ErrInvalidType", "application/pdf", 1000, 0, 0, shop.EINVALID},
		{"ErrInvalidBomb", "image/png", 1000, 20000, 20000, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.ErrorCode(shop.CheckUpload(tc.sniffed, tc.size, tc.w, tc.h)); got != tc.wantCode {
				t.Fatalf("code=%q, want %q", got, tc.wantCode)
			}
		})
	}
}

func TestCheckVideoUpload(t *testing.T) {
	for _, tc := range []struct {
		name     string
		kind     string
		size     int64
		tagged   bool
		wantCode string
	}{
		{"OK", "video/mp4", 20 << 20, false, ""},
		{"OKQuickTime", "video/quicktime", shop.MaxVideoBytes, false, ""},
		{"OKWebM", "video/webm", 1000, false, ""},
		{"ErrInvalidEmpty", "video/mp4", 0, false, shop.EINVALID},
		{"ErrInvalidTooBig", "video/mp4", shop.MaxVideoBytes + 1, false, shop.EINVALID},
		{"ErrInvalidType", "text/plain; charset=utf-8", 1000, false, shop.EINVALID},
		{"ErrInvalidTaggedWebM", "video/webm", 1000, true, shop.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.ErrorCode(shop.CheckVideoUpload(tc.kind, tc.size, tc.tagged)); got != tc.wantCode {
				t.Fatalf("code=%q, want %q", got, tc.wantCode)
			}
		})
	}
}

func TestVideoContentType(t *testing.T) {
	for _, tc := range []struct {
		name   string
		brands []string
		want   string
	}{
		{"OKMP4", []string{"mp42", "isom"}, "video/mp4"},
		{"OKQuickTime", []string{"qt  "}, "video/quicktime"},
		{"OKCompatibleBrand", []string{"XAVC", "mp42"}, "video/mp4"},
		{"ErrInvalidHEIC", []string{"heic", "mif1"}, ""},
		{"ErrInvalidNone", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.VideoContentType(tc.brands...); got != tc.want {
				t.Fatalf("type=%q, want %q", got, tc.want)
			}
		})
	}
}

func TestFitWithin(t *testing.T) {
	for _, tc := range []struct{ w, h, side, ww, wh int }{
		{4000, 3000, 320, 320, 240}, {3000, 4000, 320, 240, 320}, {100, 50, 320, 100, 50}, {5000, 1, 320, 320, 1},
	} {
		if w, h := shop.FitWithin(tc.w, tc.h, tc.side); w != tc.ww || h != tc.wh {
			t.Fatalf("fit(%d×%d)=%d×%d, want %d×%d", tc.w, tc.h, w, h, tc.ww, tc.wh)
		}
	}
}

func TestAttachmentURL(t *testing.T) {
	key := []byte("k")
	now := time.Unix(1_700_000_000, 0)
	q := shop.SignAttachmentURL(key, 7, "thumb", now.Add(time.Minute))
	var exp, sig string
	for _, kv := range []string{q[:len("exp=1700000060")], q[len("exp=1700000060&"):]} {
		if kv[:4] == "exp=" {
			exp = kv[4:]
		} else {
			sig = kv[4:]
		}
	}
	for _, tc := range []struct {
		name     string
		id       shop.AttachmentID
		variant  string
		key      []byte
		at       time.Time
		wantCode string
	}{
		{"OK", 7, "thumb", key, now, ""},
		{"ErrNotFoundOtherPhoto", 8, "thumb", key, now, shop.ENOTFOUND},
		{"ErrNotFoundOtherVariant", 7, "image", key, now, shop.ENOTFOUND},
		{"ErrNotFoundOtherKey", 7, "thumb", []byte("x"), now, shop.ENOTFOUND},
		{"ErrNotFoundExpired", 7, "thumb", key, now.Add(time.Minute), shop.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.ErrorCode(shop.CheckAttachmentURL(tc.key, tc.id, tc.variant, exp, sig, tc.at)); got != tc.wantCode {
				t.Fatalf("code=%q, want %q", got, tc.wantCode)
			}
		})
	}
}
