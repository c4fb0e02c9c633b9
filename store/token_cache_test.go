package store_test

import (
	"context"
	"testing"
	"time"

	"bayboard/shop"
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
