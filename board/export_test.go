package board

import "context"

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
