package shop_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"bayboard/shop"
)

// Fuzz targets for every parser of untrusted input. `make test` runs each
// briefly; `go test -fuzz=FuzzX ./shop` runs one for as long as you like.

func FuzzParseGlobalID(f *testing.F) {
	for _, s := range []string{shop.GlobalID(shop.TypeOrder, 42), "", "UmVwYWlyT3JkZXI6MA", "!!", strings.Repeat("A", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, n, err := shop.ParseGlobalID(s)
		if err != nil {
			if shop.ErrorCode(err) != shop.EINVALID {
				t.Fatalf("code=%v, want INVALID", shop.ErrorCode(err))
			}
			return
		}
		if n <= 0 || typ == "" {
			t.Fatalf("accepted %q as %q %d", s, typ, n)
		}
		if typ2, n2, err := shop.ParseGlobalID(shop.GlobalID(typ, n)); err != nil || typ2 != typ || n2 != n {
			t.Fatalf("round trip of %q %d failed", typ, n)
		}
	})
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"0", "1280.50", "-3.2", "1e3", "99999999999999.99", " 1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := shop.ParseMoney(s)
		if err != nil {
			if shop.ErrorCode(err) != shop.EINVALID {
				t.Fatalf("code=%v, want INVALID", shop.ErrorCode(err))
			}
			return
		}
		if m > shop.MaxMoney || m < -shop.MaxMoney {
			t.Fatalf("%q parsed beyond the bound: %d", s, m)
		}
		back, err := shop.ParseMoney(m.String())
		if err != nil || back != m {
			t.Fatalf("round trip of %q: %v %v", s, back, err)
		}
	})
}

func FuzzNormalizePlate(f *testing.F) {
	for _, s := range []string{"粤B12345", "粤B·D12345", "京a 88888", "", "粤"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := shop.NormalizePlate(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(p) || strings.ContainsAny(p, " ·-.") {
			t.Fatalf("normalised %q to %q", s, p)
		}
		if again, err := shop.NormalizePlate(p); err != nil || again != p {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", s, p, again, err)
		}
		if m := shop.MaskPlate(p); strings.Contains(m, p) {
			t.Fatalf("mask %q reveals plate %q", m, p)
		}
	})
}

func FuzzNormalizeVIN(f *testing.F) {
	for _, s := range []string{"1M8GDM9AXKP042788", "11111111111111111", "", "IOQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := shop.NormalizeVIN(s)
		if err != nil {
			return
		}
		if len(v) != 17 || strings.ContainsAny(v, "IOQ") {
			t.Fatalf("accepted %q as %q", s, v)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138-0013-8000", "0755-12345678", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := shop.NormalizePhone(s)
		if err != nil {
			return
		}
		if again, err := shop.NormalizePhone(p); err != nil || again != p {
			t.Fatalf("not idempotent: %q → %q → %q", s, p, again)
		}
	})
}

func FuzzCheckText(f *testing.F) {
	f.Add("刹车有异响", 10)
	f.Add("a\x00b", 200)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 10000 {
			return
		}
		out, err := shop.CheckText("f", s, false, max)
		if err != nil {
			return
		}
		if utf8.RuneCountInString(out) > max || !utf8.ValidString(out) {
			t.Fatalf("accepted %q (max %d)", out, max)
		}
	})
}
