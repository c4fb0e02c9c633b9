package graph_test

import (
	"encoding/json"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// TestBoardSnapshotReads: the board reads the site, capacity and arrivals
// only when they are selected, and what it returns for the cards is the
// same either way.
func TestBoardSnapshotReads(t *testing.T) {
	e := newEnv(t)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	e.db.TokenCacheTTL = time.Hour
	e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 2})
	e.f.MustCar(t, e.db, shop.OrderReady, storetest.CarOptions{Jobs: 1})
	vars := map[string]any{"s": gid(shop.TypeSite, int64(e.f.Site.ID))}
	e.must(t, e.f.Board, `{ viewer { id } }`, nil, nil) // the token, once
	run := func(sel string) (map[string]json.RawMessage, int64) {
		t.Helper()
		var out struct{ Board map[string]json.RawMessage }
		before := e.db.Statements()
		e.must(t, e.f.Board, `query($s: ID!) { board(siteId: $s) { `+sel+` } }`, vars, &out)
		return out.Board, e.db.Statements() - before
	}
	cards := `cursor lateCount cards { orderId stage plate progress jobs { jobId state } }`
	lean, nLean := run(cards)
	full, nFull := run(cards + ` siteName capacity { technicians } arrivals { plate }`)
	aliased, nAliased := run(cards + ` name: siteName free: capacity { technicians } ... on BoardSnapshot { arrivals { plate } }`)
	for _, k := range []string{"cursor", "lateCount", "cards"} {
		if string(lean[k]) != string(full[k]) || string(lean[k]) != string(aliased[k]) {
			t.Fatalf("%s differs: %s / %s / %s", k, lean[k], full[k], aliased[k])
		}
	}
	if string(full["siteName"]) != string(aliased["name"]) || string(full["capacity"]) != string(aliased["free"]) ||
		string(full["siteName"]) == `""` || len(full["capacity"]) < 3 {
		t.Fatalf("site and capacity: %s %s / %s %s", full["siteName"], full["capacity"], aliased["name"], aliased["free"])
	}
	// The site, the capacity and the arrivals are one statement each.
	if nFull != nLean+3 || nAliased != nFull {
		t.Fatalf("statements: %d without site, capacity and arrivals, %d with, %d aliased; want 3 more with", nLean, nFull, nAliased)
	}
}
