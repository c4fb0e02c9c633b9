// Package watch runs the timers that apply time-based rules: orders past
// their promised time are marked late, callbacks fall due, unsolved
// complaints escalate, and callbacks and reminder tasks past their window
// close as MISSED. What is late or due is decided in shop and applied by
// store in one transaction each; this package only decides when to ask. It
// may import store and shop; never gqlgen, graph or board.
package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"bayboard/store"
)

// Options tune a Watcher; zero values take the defaults.
type Options struct {
	// Interval is the time between two passes (default 30s): a late car
	// shows on the board at most that long after its promised time.
	Interval time.Duration
	// Ticks, when set, replaces the interval's ticker: one pass per value
	// received. Tests send the ticks themselves, so none waits for a clock.
	Ticks <-chan time.Time
}

// Stats are the watcher's counters, for metrics and tests.
type Stats struct {
	Passes    atomic.Int64 // passes finished, failed or not
	Late      atomic.Int64 // ORDER_LATE events written
	FollowUps atomic.Int64 // CALLBACK_DUE and COMPLAINT_ESCALATED events written
	Failures  atomic.Int64 // passes with an error (logged)
}

// Watcher applies the time-based rules on a timer. Every instance runs one:
// the store's passes lock what they change (SKIP LOCKED) and write each
// event once, however many instances pass at the same time.
type Watcher struct {
	db   *store.DB
	log  *slog.Logger
	opts Options
	// Stats counts what the watcher did.
	Stats Stats
}

// New returns a watcher over db; call Run to start it.
func New(db *store.DB, log *slog.Logger, opts Options) *Watcher {
	if opts.Interval <= 0 {
		opts.Interval = 30 * time.Second
	}
	return &Watcher{db: db, log: log, opts: opts}
}

// Run makes a pass at every tick until ctx ends, then returns nil. A failed
// pass is logged and the next tick tries again; it returns no error code.
func (w *Watcher) Run(ctx context.Context) error {
	return Every(ctx, w.opts.Ticks, w.opts.Interval, w.Pass, w.log, "time-based rules")
}

// Every calls pass at every tick (of ticks, or of a ticker of interval when
// ticks is nil, as tests inject theirs) until ctx ends or ticks closes, then
// returns nil. A failed pass is logged as what and the next tick tries again.
func Every(ctx context.Context, ticks <-chan time.Time, interval time.Duration, pass func(context.Context) error, log *slog.Logger, what string) error {
	if ticks == nil {
		t := time.NewTicker(interval)
		defer t.Stop()
		ticks = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-ticks:
			if !ok {
				return nil
			}
			if err := pass(ctx); err != nil && ctx.Err() == nil {
				log.Error(what, "error", err)
			}
		}
	}
}

// Pass applies every time-based rule once, at the store's clock: late
// orders, then callbacks and complaints. It runs both even when the first
// fails, and returns the errors of both (store's codes, INTERNAL mostly).
func (w *Watcher) Pass(ctx context.Context) error {
	defer w.Stats.Passes.Add(1)
	late, lateErr := w.db.MarkLateOrders(ctx)
	w.Stats.Late.Add(int64(late))
	if lateErr != nil {
		lateErr = fmt.Errorf("mark late orders: %w", lateErr)
	}
	due, dueErr := w.db.RunFollowUpRules(ctx)
	w.Stats.FollowUps.Add(int64(due))
	if dueErr != nil {
		dueErr = fmt.Errorf("callback and complaint rules: %w", dueErr)
	}
	err := errors.Join(lateErr, dueErr)
	if err != nil {
		w.Stats.Failures.Add(1)
	}
	return err
}
