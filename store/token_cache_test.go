package store_test

import (
	"context"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

func TestTokenCache(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	db.TokenCacheTTL = time.Minute
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
		real := db.Now
		db.Now = func() time.Time { return real().Add(2 * time.Hour) }
		defer func() { db.Now = real }()
		if _, err := db.FindActorByToken(ctx, token); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v, want UNAUTHENTICATED for an expired token", shop.ErrorCode(err))
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
