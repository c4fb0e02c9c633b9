package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestTokenCache: a resolved token is answered from memory (no statement),
// yet its expiry is still judged by the store's clock and a revocation
// through this store takes effect at once. The store's clock is fixed here;
// the cache keeps entries an hour, longer than any run of this test.
func TestTokenCache(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	db.TokenCacheTTL = time.Hour
	ctx := context.Background()
	const token = "cache-test-token-0001"
	if err := db.StoreToken(ctx, f.Advisor.ID, token, "t", time.Hour); err != nil {
		t.Fatalf("store token: %v", err)
	}

	t.Run("OK/SecondLookupSendsNoStatement", func(t *testing.T) {
		if _, err := db.FindActorByToken(ctx, token); err != nil {
			t.Fatalf("first lookup: %v", err)
		}
		before := db.Statements()
		a, err := db.FindActorByToken(ctx, token)
		if err != nil || a.UserID != f.Advisor.ID {
			t.Fatalf("actor=%v err=%v, want the advisor", a, err)
		}
		if n := db.Statements() - before; n != 0 {
			t.Fatalf("statements=%d, want 0 for a cached token", n)
		}
	})
	t.Run("ErrExpiredWhileCached", func(t *testing.T) {
		defer func(was time.Time) { now = was }(now)
		now = now.Add(time.Hour) // the token's last instant has passed
		before := db.Statements()
		if _, err := db.FindActorByToken(ctx, token); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v, want UNAUTHENTICATED for an expired token", shop.ErrorCode(err))
		}
		if n := db.Statements() - before; n != 0 {
			t.Fatalf("statements=%d, want 0: the cached entry itself knows the expiry", n)
		}
	})
	t.Run("ErrRevokedAtOnce", func(t *testing.T) {
		if _, err := db.FindActorByToken(ctx, token); err != nil {
			t.Fatalf("lookup: %v", err)
		}
		if err := db.RevokeToken(ctx, token); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		if _, err := db.FindActorByToken(ctx, token); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v, want UNAUTHENTICATED right after revocation", shop.ErrorCode(err))
		}
	})
}

// TestCheckTokens: the open sockets' re-check resolves many tokens with one
// statement, past the cache, so a revocation made by another process is
// seen; what it refuses leaves the cache.
func TestCheckTokens(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	db.TokenCacheTTL = time.Hour
	ctx := context.Background()
	tokens := map[string]shop.UserID{"check-token-ok-000001": f.Board.ID, "check-token-revoked-01": f.Tech.ID,
		"check-token-expired-01": f.Advisor.ID}
	for tok, u := range tokens {
		if err := db.StoreToken(ctx, u, tok, "t", 0); err != nil {
			t.Fatalf("store token: %v", err)
		}
		if _, err := db.FindActorByToken(ctx, tok); err != nil { // cached
			t.Fatalf("lookup: %v", err)
		}
	}
	// Behind the cache's back, as `bayboard token revoke` in another process.
	other, err := sql.Open("postgres", db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(ctx, `UPDATE tokens SET revoked_at = now() WHERE hash = $1`, store.HashToken("check-token-revoked-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, `UPDATE tokens SET expires_at = now() - interval '1 hour' WHERE hash = $1`, store.HashToken("check-token-expired-01")); err != nil {
		t.Fatal(err)
	}
	before := db.Statements()
	got, err := db.CheckTokens(ctx, []string{"check-token-ok-000001", "check-token-revoked-01", "check-token-expired-01", "check-token-unknown-01"})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if n := db.Statements() - before; n != 1 {
		t.Fatalf("statements=%d, want 1 for all the tokens", n)
	}
	t.Run("OK", func(t *testing.T) {
		if c := got["check-token-ok-000001"]; c.Err != nil || c.Actor == nil || c.Actor.UserID != f.Board.ID {
			t.Fatalf("check=%+v, want the board", c)
		}
	})
	for tok, msg := range map[string]string{"check-token-revoked-01": "The token was revoked.",
		"check-token-expired-01": "The token has expired.", "check-token-unknown-01": "The token is not valid."} {
		t.Run("ErrUnauthenticated/"+tok, func(t *testing.T) {
			if c := got[tok]; c.Actor != nil || shop.ErrorCode(c.Err) != shop.EUNAUTHENTICATED || shop.ErrorMessage(c.Err) != msg {
				t.Fatalf("check=%+v, want UNAUTHENTICATED %q", c, msg)
			}
			if _, err := db.FindActorByToken(ctx, tok); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
				t.Fatalf("lookup after the check: code=%v, want UNAUTHENTICATED (no stale cache entry)", shop.ErrorCode(err))
			}
		})
	}
}
