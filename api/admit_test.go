package api

import (
	"context"
	"sync"
	"testing"
	"time"
)

// handClock is a Clock whose AfterFuncs the test fires by hand (fire), in
// the order they were made; Timer and Ticker are not used by admission.
type handClock struct {
	mu    sync.Mutex
	funcs []handFunc
	made  chan time.Duration
}

type handFunc struct {
	d       time.Duration
	f       func()
	stopped *bool
}

func newHandClock() *handClock { return &handClock{made: make(chan time.Duration, 64)} }

func (h *handClock) Timer(time.Duration) (<-chan time.Time, func())  { panic("not used") }
func (h *handClock) Ticker(time.Duration) (<-chan time.Time, func()) { panic("not used") }

func (h *handClock) AfterFunc(d time.Duration, f func()) func() {
	stopped := new(bool)
	h.mu.Lock()
	h.funcs = append(h.funcs, handFunc{d, f, stopped})
	h.mu.Unlock()
	h.made <- d
	return func() {
		h.mu.Lock()
		*stopped = true
		h.mu.Unlock()
	}
}

// fire runs, in this goroutine, every unstopped func made with duration d.
func (h *handClock) fire(d time.Duration) {
	h.mu.Lock()
	var due []func()
	for _, x := range h.funcs {
		if x.d == d && !*x.stopped {
			*x.stopped = true
			due = append(due, x.f)
		}
	}
	h.mu.Unlock()
	for _, f := range due {
		f()
	}
}

// TestAdmission: slots are taken up to the limit; the next upgrade waits
// for a release, for a slot's hold to pass, or for its own wait to pass
// (then it goes ahead without a slot); a client that goes while it waits
// is told so; a release given twice frees one slot; no limit, no pacing.
func TestAdmission(t *testing.T) {
	const hold, wait = 2 * time.Second, 5 * time.Second
	enterAsync := func(a *admission, ctx context.Context) chan func() {
		got := make(chan func(), 1)
		go func() {
			release, ok := a.enter(ctx)
			if !ok {
				release = nil
			}
			got <- release
		}()
		return got
	}
	full := func(t *testing.T, n int) (*admission, *handClock, []func()) {
		clock := newHandClock()
		a := newAdmission(n, clock, hold, wait)
		var rel []func()
		for range n {
			release, ok := a.enter(context.Background())
			if !ok {
				t.Fatal("enter with free slots refused")
			}
			if d := <-clock.made; d != hold {
				t.Fatalf("a slot's timer=%v, want the hold %v", d, hold)
			}
			rel = append(rel, release)
		}
		return a, clock, rel
	}
	waiting := func(t *testing.T, a *admission, clock *handClock, ctx context.Context) chan func() {
		got := enterAsync(a, ctx)
		if d := <-clock.made; d != wait {
			t.Fatalf("the waiting upgrade's timer=%v, want the wait %v", d, wait)
		}
		select {
		case <-got:
			t.Fatal("an upgrade got in past the limit")
		default:
		}
		return got
	}
	t.Run("ReleaseLetsTheNextIn", func(t *testing.T) {
		a, clock, rel := full(t, 2)
		got := waiting(t, a, clock, context.Background())
		rel[0]()
		rel[0]() // twice: frees one slot, not two
		if r := <-got; r == nil {
			t.Fatal("the waiting upgrade was refused")
		}
		if d := <-clock.made; d != hold {
			t.Fatalf("the admitted upgrade's timer=%v, want the hold", d)
		}
		third := waiting(t, a, clock, context.Background())
		rel[1]()
		<-third
		if n := a.Waited.Load(); n != 2 {
			t.Fatalf("waited=%d, want 2", n)
		}
	})
	t.Run("HoldPasses", func(t *testing.T) {
		a, clock, _ := full(t, 1)
		got := waiting(t, a, clock, context.Background())
		clock.fire(hold) // the holder never said it is in
		if r := <-got; r == nil {
			t.Fatal("the waiting upgrade was refused")
		}
		if a.Unpaced.Load() != 0 {
			t.Fatal("counted unpaced, want admitted with the freed slot")
		}
	})
	t.Run("WaitPasses", func(t *testing.T) {
		a, clock, _ := full(t, 1)
		got := waiting(t, a, clock, context.Background())
		clock.fire(wait)
		r := <-got
		if r == nil {
			t.Fatal("the upgrade that waited its wait was refused, want it to go ahead")
		}
		r() // holds no slot: frees none
		if len(a.slots) != 1 || a.Unpaced.Load() != 1 {
			t.Fatalf("slots taken=%d unpaced=%d, want 1 and 1", len(a.slots), a.Unpaced.Load())
		}
	})
	t.Run("ClientGoes", func(t *testing.T) {
		a, clock, _ := full(t, 1)
		ctx, cancel := context.WithCancel(context.Background())
		got := waiting(t, a, clock, ctx)
		cancel()
		if r := <-got; r != nil {
			t.Fatal("enter=ok after the client went, want false")
		}
		if len(a.slots) != 1 {
			t.Fatalf("slots taken=%d, want 1", len(a.slots))
		}
	})
	t.Run("Off", func(t *testing.T) {
		a := newAdmission(0, newHandClock(), hold, wait)
		if a != nil {
			t.Fatal("admission of 0 slots, want nil (no pacing)")
		}
		for range 3 {
			if r, ok := a.enter(context.Background()); !ok {
				t.Fatal("nil admission refused")
			} else {
				r()
			}
		}
	})
}
