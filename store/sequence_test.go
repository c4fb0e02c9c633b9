package store_test

import (
	"context"
	"database/sql"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// openBlocker opens a transaction on dsn that has written (so it holds a
// transaction ID, as an import, a migration or another application would)
// and leaves it idle in transaction until the test ends.
func openBlocker(t *testing.T, dsn string) *sql.Tx {
	t.Helper()
	raw, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	tx, err := raw.Begin()
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	if _, err := tx.Exec(`CREATE TEMP TABLE h (x int); INSERT INTO h VALUES (1)`); err != nil {
		t.Fatalf("blocker write: %v", err)
	}
	var xid sql.NullString
	if err := tx.QueryRow(`SELECT pg_current_xact_id_if_assigned()::text`).Scan(&xid); err != nil || !xid.Valid {
		t.Fatalf("blocker has no transaction ID (xid=%v, err=%v): it would hold nothing back", xid, err)
	}
	return tx
}

// TestSequencingIgnoresUnrelatedTransactions: a write transaction left open
// by anyone else on the server — in the same database, or in another one —
// does not hold back the positions of events committed meanwhile, so no
// live feed stalls behind it (issue 14, item 1). Before, positions were
// given only below pg_snapshot_xmin, which such a transaction holds back
// server-wide: every mutation below waited for the blockers to end.
func TestSequencingIgnoresUnrelatedTransactions(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	other := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	ctx := context.Background()
	settle(t, db)

	sameDB := openBlocker(t, db.DSN())
	otherDB := openBlocker(t, other.DSN())

	head, err := db.LogHead(ctx)
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	const mutations = 5
	adv := storetest.Ctx(f.Advisor)
	for i := range mutations {
		reason := "客户要求"
		at := car.Order.CreatedAt.AddDate(0, 0, i+1)
		if _, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: car.Order.ID, PromisedAt: &at, Reason: &reason}); err != nil {
			t.Fatalf("mutation %d: %v", i, err)
		}
		n, err := db.SequenceEvents(ctx)
		if err != nil {
			t.Fatalf("sequence: %v", err)
		}
		if n != 1 {
			t.Fatalf("sequenced=%d after mutation %d with two unrelated transactions open, want 1", n, i)
		}
	}
	evs, err := db.ReadEventLog(ctx, head, 100)
	if err != nil {
		t.Fatalf("read log: %v", err)
	}
	if len(evs) != mutations {
		t.Fatalf("events after head=%d, want %d", len(evs), mutations)
	}
	for i, e := range evs {
		if want := head + int64(i) + 1; e.Pos != want {
			t.Fatalf("position[%d]=%d, want %d (gap-free, in order)", i, e.Pos, want)
		}
	}
	// The blockers were open all along: the positions did not wait for them.
	for name, tx := range map[string]*sql.Tx{"same database": sameDB, "other database": otherDB} {
		var one int
		if err := tx.QueryRow(`SELECT count(*) FROM h`).Scan(&one); err != nil || one != 1 {
			t.Fatalf("blocker in the %s ended early: count=%d err=%v", name, one, err)
		}
	}
}

// TestSequencingFollowsCommitOrder: an event whose transaction began first
// but commits last gets the later position, and nothing already read is
// stepped over: a reader that has read up to a position never later finds an
// event at or below it.
func TestSequencingFollowsCommitOrder(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	ctx := context.Background()
	settle(t, db)
	head, err := db.LogHead(ctx)
	if err != nil {
		t.Fatalf("head: %v", err)
	}

	raw, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	early, err := raw.Begin() // begins first, writes its event first, commits last
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	t.Cleanup(func() { _ = early.Rollback() })
	if _, err := early.Exec(`INSERT INTO events (site_id, kind, order_id, summary, at) VALUES ($1, 'JOB_PROGRESS', $2, 'early', now())`,
		car.Order.SiteID, car.Order.ID); err != nil {
		t.Fatalf("early insert: %v", err)
	}
	if _, err := raw.Exec(`INSERT INTO events (site_id, kind, order_id, summary, at) VALUES ($1, 'JOB_PROGRESS', $2, 'late', now())`,
		car.Order.SiteID, car.Order.ID); err != nil {
		t.Fatalf("late insert: %v", err)
	}
	if n, err := db.SequenceEvents(ctx); err != nil || n != 1 {
		t.Fatalf("sequenced=%d err=%v while the early transaction is open, want 1 (the committed one)", n, err)
	}
	read, err := db.ReadEventLog(ctx, head, 100)
	if err != nil || len(read) != 1 || read[0].Summary != "late" {
		t.Fatalf("read=%v err=%v, want the committed event alone", read, err)
	}
	seen := read[0].Pos
	if err := early.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if n, err := db.SequenceEvents(ctx); err != nil || n != 1 {
		t.Fatalf("sequenced=%d err=%v after the early transaction committed, want 1", n, err)
	}
	next, err := db.ReadEventLog(ctx, seen, 100)
	if err != nil || len(next) != 1 || next[0].Summary != "early" || next[0].Pos != seen+1 {
		t.Fatalf("after position %d: %v err=%v, want the early event at %d", seen, next, err, seen+1)
	}
}

// settle sequences whatever the fixture wrote, so a test starts from a
// log with nothing waiting.
func settle(t *testing.T, db *store.DB) {
	t.Helper()
	for range 10 {
		n, err := db.SequenceEvents(context.Background())
		if err != nil {
			t.Fatalf("sequence: %v", err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatalf("the fixture's events did not settle in 10 passes")
}

// TestSequenceWakesListeners: a run that gives positions wakes the listeners
// of store.ChannelSequenced (the other instances' hubs) once; a run with
// nothing to sequence wakes nobody.
func TestSequenceWakesListeners(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	settle(t, db)
	wakeUps := listenWakeUps(t, db, store.ChannelSequenced) // as in TestEventWakesListeners
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		if n, err := db.SequenceEvents(ctx); err != nil || n == 0 {
			t.Fatalf("sequenced=%d err=%v, want the new car's events", n, err)
		}
		if n := wakeUps(); n != 1 {
			t.Fatalf("wake-ups=%d, want 1", n)
		}
	})
	t.Run("OKNothingToSequence", func(t *testing.T) {
		if n, err := db.SequenceEvents(ctx); err != nil || n != 0 {
			t.Fatalf("sequenced=%d err=%v, want 0", n, err)
		}
		if n := wakeUps(); n != 0 {
			t.Fatalf("wake-ups=%d, want 0", n)
		}
	})
}
