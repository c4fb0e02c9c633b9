package board

import (
	"testing"

	"bayboard/shop"
)

// TestRecentUpdates: the store keeps the latest size updates by position,
// the first one kept for a position wins, and the oldest go first.
func TestRecentUpdates(t *testing.T) {
	t.Parallel()
	r := recentUpdates{size: 3}
	up := func(pos int64) *Update { return &Update{Event: &shop.Event{Pos: pos}} }
	first := up(1)
	if got := r.add(first); got != first {
		t.Fatalf("add returned another update")
	}
	if got := r.add(up(1)); got != first {
		t.Fatalf("a second update of position 1 replaced the first")
	}
	for pos := int64(2); pos <= 5; pos++ {
		r.add(up(pos))
	}
	for pos, kept := range map[int64]bool{1: false, 2: false, 3: true, 4: true, 5: true} {
		if (r.get(pos) != nil) != kept {
			t.Fatalf("position %d kept=%v, want %v", pos, r.get(pos) != nil, kept)
		}
	}
	if reset := (&Update{Reset: true}); r.add(reset) != reset || len(r.byPos) != 3 {
		t.Fatalf("a reset update was kept")
	}
}
