package graph_test

import (
	"testing"

	"bayboard/api"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestRevokeTokenThroughAPIClosesSockets: a token revoked with the
// revokeToken mutation's store command, and a user deactivated with
// updateUser's, close the open sockets of that token (4403) at the next
// token check, as a revocation by the CLI does.
func TestRevokeTokenThroughAPIClosesSockets(t *testing.T) {
	t.Parallel()
	clock := newManualClock()
	e := newWSEnv(t, func(o *api.Options) { o.WebsocketClock = clock }).start()
	every := api.DefaultOptions.TokenCheckInterval
	head := e.head(t)
	ws := e.dial(t, protoTransportWS, nil)
	ws.init(e.boardToken)
	ws.subscribe(protoTransportWS, "feed", e.site, &head)
	tech := e.dial(t, protoTransportWS, nil)
	tech.init(e.techToken)
	clock.wait(t, every)

	mgr := storetest.Ctx(e.f.Manager)
	tokens, err := e.db.FindTokens(mgr, e.f.Board.ID)
	if err != nil || len(tokens) == 0 {
		t.Fatalf("tokens=%v err=%v, want the board's", tokens, err)
	}
	for _, tok := range tokens {
		if tok.RevokedAt == nil {
			if _, err := e.db.RevokeTokenByID(mgr, store.RevokeTokenInput{TokenID: tok.ID}); err != nil {
				t.Fatalf("revoke: %v", err)
			}
		}
	}
	clock.Advance(every)
	ws.expectClose(4403, "The token was revoked.")
	tech.alive()

	off := false
	if _, err := e.db.UpdateUser(mgr, store.UpdateUserInput{UserID: e.f.Tech.ID, Active: &off}); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	clock.Advance(every)
	tech.expectClose(4403, "The user of this token is deactivated.")
}
