package demo

import (
	"testing"

	"bayboard/shop"
)

func TestVIN(t *testing.T) {
	t.Parallel()
	// The check digit of a published VIN (also used by store/lifecycle_test.go).
	if got := vinCheckDigit([]byte("1M8GDM9AXKP042788")); got != 'X' {
		t.Fatalf("check digit=%c, want X", got)
	}
	for _, tc := range []struct {
		prefix string
		year   int
	}{{"LVGBE40K", 2022}, {"LSVAX63C", 2018}, {"LGXCE4CB", 2030}, {"L6T7844Z", 2026}} {
		v := vin(tc.prefix, tc.year, '8', 123456)
		if _, err := shop.NormalizeVIN(v); err != nil {
			t.Fatalf("vin(%s, %d)=%s: %v", tc.prefix, tc.year, v, err)
		}
	}
	if got := yearCode(2018); got != 'J' {
		t.Fatalf("yearCode(2018)=%c, want J", got)
	}
}
