package api

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// admission paces websocket upgrades: at most a fixed number of sockets at
// once between their upgrade and the first delivery of their first
// operation (a resuming board's replay written, a new board's feed started,
// a query answered). When every board of a dealer group reconnects at once
// (a restart, a deploy), the first ones through are live in a few round
// trips instead of sharing the cores with thousands of handshakes: the
// rest wait, cheaply, in their HTTP handler before the upgrade.
//
// It paces, never refuses: an upgrade that has waited wait goes ahead
// without a slot, and a socket holds its slot at most hold (a client slow
// to send connection_init or to subscribe does not keep others out).
type admission struct {
	slots chan struct{}
	clock Clock
	hold  time.Duration
	wait  time.Duration

	// Waited counts the upgrades that found every slot taken, and Unpaced
	// those of them that went ahead without one after wait.
	Waited, Unpaced atomic.Int64
}

// newAdmission returns the pacing of n sockets at once; nil (no pacing)
// when n <= 0.
func newAdmission(n int, clock Clock, hold, wait time.Duration) *admission {
	if n <= 0 {
		return nil
	}
	return &admission{slots: make(chan struct{}, n), clock: clock, hold: hold, wait: wait}
}

// enter takes a slot, waiting for one at most a.wait. It returns the
// slot's release (idempotent; a no-op when no slot was taken, and on a nil
// admission), and false when ctx ended first (the client went).
func (a *admission) enter(ctx context.Context) (release func(), ok bool) {
	if a == nil {
		return func() {}, true
	}
	select {
	case a.slots <- struct{}{}:
		return a.held(), true
	default:
	}
	a.Waited.Add(1)
	expired := make(chan struct{})
	stop := a.clock.AfterFunc(a.wait, func() { close(expired) })
	defer stop()
	select {
	case a.slots <- struct{}{}:
		return a.held(), true
	case <-expired:
		a.Unpaced.Add(1)
		return func() {}, true
	case <-ctx.Done():
		return func() {}, false
	}
}

// held returns the release of a slot just taken, which also fires by
// itself after a.hold. A socket calls it at every pass of its feeds: after
// the first call, one is an atomic load.
func (a *admission) held() func() {
	var once sync.Once
	release := func() { once.Do(func() { <-a.slots }) }
	stop := a.clock.AfterFunc(a.hold, release)
	var done atomic.Bool
	return func() {
		if done.Load() || done.Swap(true) {
			return
		}
		release()
		stop()
	}
}

// How long a socket holds its admission slot at most, and how long an
// upgrade waits for one before it goes ahead without.
const (
	admitHold = 2 * time.Second
	admitWait = 5 * time.Second
)
