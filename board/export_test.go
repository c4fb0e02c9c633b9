package board

import (
	"context"
	"time"
)

// StartStepped makes h accept subscribers without Run (no listener, no
// timer): the test then drives each read of the log itself with CatchUp, so
// it can place a read exactly between two commits.
func (h *Hub) StartStepped(ctx context.Context) error {
	head, err := h.db.LogHead(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.head, h.started = head, true
	h.mu.Unlock()
	return nil
}

// CatchUp is one read of the log, as Run does on a wake-up: sequence, read
// after the hub's head, fan out. Never call it while Run is running.
func (h *Hub) CatchUp(ctx context.Context) error { return h.catchUp(ctx) }

// HoldPasses makes Run stop before each pass that Coalesce delays, instead
// of waiting out the Coalesce time: it signals held and waits for a value on
// release. Call it before Run. Commits arriving while the hub is held are
// the ones the next pass must read together.
func (h *Hub) HoldPasses() (held <-chan struct{}, release chan<- time.Time) {
	// Buffered: the hub never blocks on a test that has stopped listening.
	heldC, gate := make(chan struct{}, 64), make(chan time.Time)
	h.after = func(time.Duration) <-chan time.Time {
		select {
		case heldC <- struct{}{}:
		default:
		}
		return gate
	}
	return heldC, gate
}
