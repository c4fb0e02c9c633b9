package shop_test

import (
	"strings"
	"testing"

	"bayboard/shop"
)

// wantErr fails t unless err is a shop error of code on field.
func wantErr(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := shop.ErrorCode(err); got != code {
		t.Fatalf("code=%v, want %v (err=%v)", got, code, err)
	}
	if got := shop.ErrorField(err); got != field {
		t.Fatalf("field=%q, want %q", got, field)
	}
}

// wantOK fails t when err is not nil.
func wantOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("err=%v, want nil", err)
	}
}

func TestCheckVersion(t *testing.T) {
	two := 2
	t.Run("OK", func(t *testing.T) {
		wantOK(t, shop.CheckVersion("job", nil, 3))
		wantOK(t, shop.CheckVersion("job", &two, 2))
	})
	t.Run("ErrStale", func(t *testing.T) {
		err := shop.CheckVersion("repair order", &two, 3)
		wantErr(t, err, shop.ECONFLICT, "expectedVersion")
		want := "The repair order was changed by someone else (now version 3, you had 2); reload it and try again."
		if got := shop.ErrorMessage(err); got != want {
			t.Fatalf("message=%q, want %q", got, want)
		}
	})
}

func TestCheckIdempotencyKey(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		wantOK(t, shop.CheckIdempotencyKey(""))
		wantOK(t, shop.CheckIdempotencyKey(strings.Repeat("k", shop.MaxIdempotencyKey)))
	})
	t.Run("ErrTooLong", func(t *testing.T) {
		wantErr(t, shop.CheckIdempotencyKey(strings.Repeat("k", shop.MaxIdempotencyKey+1)), shop.EINVALID, "idempotencyKey")
	})
}

func TestCheckKeyReuse(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		wantOK(t, shop.CheckKeyReuse(true, true))
	})
	t.Run("ErrOtherOperation", func(t *testing.T) {
		wantErr(t, shop.CheckKeyReuse(false, true), shop.ECONFLICT, "idempotencyKey")
	})
	t.Run("ErrOtherInput", func(t *testing.T) {
		wantErr(t, shop.CheckKeyReuse(true, false), shop.ECONFLICT, "idempotencyKey")
	})
}

func TestCheckStaff(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		wantOK(t, shop.CheckStaff("technicianId", true, true, shop.RoleTechnician, shop.RoleTechnician))
	})
	t.Run("ErrMissing", func(t *testing.T) {
		wantErr(t, shop.CheckStaff("technicianId", false, false, "", shop.RoleTechnician), shop.ENOTFOUND, "technicianId")
	})
	t.Run("ErrInactive", func(t *testing.T) {
		wantErr(t, shop.CheckStaff("technicianId", true, false, shop.RoleTechnician, shop.RoleTechnician), shop.ENOTFOUND, "technicianId")
	})
	t.Run("ErrWrongRole", func(t *testing.T) {
		wantErr(t, shop.CheckStaff("advisorId", true, true, shop.RoleCashier, shop.RoleAdvisor), shop.EINVALID, "advisorId")
	})
}
