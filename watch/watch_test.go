package watch_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
	"bayboard/watch"
)

// ticks returns n ticks already sent and the channel closed: Run makes n
// passes and returns, so the test knows every pass has finished without
// waiting for anything.
func ticks(n int) <-chan time.Time {
	c := make(chan time.Time, n)
	for range n {
		c <- time.Time{}
	}
	close(c)
	return c
}

// events counts the order's events of kind.
func events(t *testing.T, db *store.DB, ctx context.Context, id shop.OrderID, kind shop.EventKind) int {
	t.Helper()
	evs, err := db.FindEventsByOrder(ctx, id, 0, 1000)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// TestWatcher: each tick applies the time-based rules at the store's clock,
// once: a car past its promised time gets one ORDER_LATE event, a delivered
// car's callback one CALLBACK_DUE when its day comes, whatever the number of
// ticks; nothing before.
func TestWatcher(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	// The test changes the clock only while no watcher runs (Run returns
	// when its ticks are spent); the lock keeps -race sure of it.
	var mu sync.Mutex
	now := time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC) // 09:30 in Shenzhen
	db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }

	inWork := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	delivered := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	if inWork.Order.PromisedAt == nil {
		t.Fatalf("promised=nil, want the estimate as the promised time")
	}
	promised := *inWork.Order.PromisedAt

	run := func(n int) *watch.Watcher {
		t.Helper()
		w := watch.New(db, slog.New(slog.DiscardHandler), watch.Options{Ticks: ticks(n)})
		if err := w.Run(context.Background()); err != nil {
			t.Fatalf("run: %v", err)
		}
		if got := w.Stats.Passes.Load(); got != int64(n) {
			t.Fatalf("passes=%d, want %d (one per tick)", got, n)
		}
		if got := w.Stats.Failures.Load(); got != 0 {
			t.Fatalf("failures=%d, want 0", got)
		}
		return w
	}

	t.Run("OKNothingDue", func(t *testing.T) {
		setNow(promised.Add(-time.Minute))
		w := run(2)
		if late, due := w.Stats.Late.Load(), w.Stats.FollowUps.Load(); late != 0 || due != 0 {
			t.Fatalf("late=%d followUps=%d before the promised time, want 0 and 0", late, due)
		}
		if n := events(t, db, adv, inWork.Order.ID, shop.EventOrderLate); n != 0 {
			t.Fatalf("ORDER_LATE events=%d, want 0", n)
		}
	})
	t.Run("OKLate", func(t *testing.T) {
		setNow(promised.Add(time.Minute))
		w := run(3)
		if late := w.Stats.Late.Load(); late != 1 {
			t.Fatalf("late=%d over 3 ticks, want 1", late)
		}
		if n := events(t, db, adv, inWork.Order.ID, shop.EventOrderLate); n != 1 {
			t.Fatalf("ORDER_LATE events=%d, want 1", n)
		}
	})
	t.Run("OKCallbackDue", func(t *testing.T) {
		// The first callback is due three local days after delivery.
		setNow(now.Add(4 * 24 * time.Hour))
		w := run(2)
		if due := w.Stats.FollowUps.Load(); due != 1 {
			t.Fatalf("followUps=%d, want 1 (the first callback)", due)
		}
		if n := events(t, db, adv, delivered.Order.ID, shop.EventCallbackDue); n != 1 {
			t.Fatalf("CALLBACK_DUE events=%d, want 1", n)
		}
		if late := w.Stats.Late.Load(); late != 0 {
			t.Fatalf("late=%d, want 0 (the late car was marked already)", late)
		}
	})
}

// TestWatcherStops: Run returns nil once its context ends, between ticks,
// so the server's shutdown can wait for it.
func TestWatcherStops(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	tc := make(chan time.Time)
	w := watch.New(db, slog.New(slog.DiscardHandler), watch.Options{Ticks: tc})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	tc <- time.Time{} // taken: Run is in its loop
	tc <- time.Time{} // taken again: the first pass is over
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run=%v after cancel, want nil", err)
	}
	if got := w.Stats.Passes.Load(); got < 1 || got > 2 {
		t.Fatalf("passes=%d, want 1 or 2", got)
	}
}

// TestWatcherFailure: a pass the database refuses is logged and counted, and
// the next tick tries again rather than ending the loop.
func TestWatcherFailure(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustOpenDB(t).DSN()
	db, err := store.Open(context.Background(), dsn, 2)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	db.Close() // every statement now fails
	var logged bytes.Buffer
	w := watch.New(db, slog.New(slog.NewTextHandler(&logged, nil)), watch.Options{Ticks: ticks(2)})
	if err := w.Run(context.Background()); err != nil {
		t.Fatalf("run=%v, want nil: a failed pass does not end the loop", err)
	}
	if p, f := w.Stats.Passes.Load(), w.Stats.Failures.Load(); p != 2 || f != 2 {
		t.Fatalf("passes=%d failures=%d, want 2 and 2", p, f)
	}
	if got := strings.Count(logged.String(), "time-based rules"); got != 2 {
		t.Fatalf("logged %d errors, want 2:\n%s", got, logged.String())
	}
	for _, want := range []string{"mark late orders", "callback and complaint rules"} {
		if !strings.Contains(logged.String(), want) {
			t.Fatalf("log lacks %q:\n%s", want, logged.String())
		}
	}
}
