package shop

import (
	"testing"
	"time"
)

// TestZone: known zones load (the same *Location each time), unknown ones are UTC.
func TestZone(t *testing.T) {
	a, b := Zone("Asia/Shanghai"), Zone("Asia/Shanghai")
	if a.String() != "Asia/Shanghai" || a != b {
		t.Fatalf("Zone(Asia/Shanghai)=%v, %v: want one loaded zone", a, b)
	}
	if got := Zone("Mars/Olympus"); got != time.UTC {
		t.Fatalf("unknown zone=%v, want UTC", got)
	}
	if got := (&Site{TimeZone: "America/New_York"}).Location(); got.String() != "America/New_York" {
		t.Fatalf("site location=%v", got)
	}
}
