package main

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestAdminCommands creates a user, a second token and revokes one through
// run, as an administrator would from a shell.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustCreateDatabase(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	site := &shop.Site{Code: "SZ01", Name: "深圳福田店"}
	if err := db.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	getenv := env(map[string]string{"DATABASE_URL": dsn})
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, args, getenv, &out)
		return out.String(), err
	}
	tokenRe := regexp.MustCompile(`(?m)^token: (\S+)$`)
	userRe := regexp.MustCompile(`(?m)^user: (\d+)$`)

	var userID, first string
	t.Run("OKUserAdd", func(t *testing.T) {
		out, err := cli("user", "add", "--name", "赵磊", "--role", "technician", "--site", "SZ01", "--short-name", "赵", "--team-lead")
		if err != nil {
			t.Fatalf("err=%v", err)
		}
		m, u := tokenRe.FindStringSubmatch(out), userRe.FindStringSubmatch(out)
		if m == nil || u == nil || !strings.Contains(out, "expires: ") || strings.Contains(out, "expires: never") {
			t.Fatalf("output=%q, want user, token and an expiry", out)
		}
		userID, first = u[1], m[1]
		a, err := db.FindActorByToken(ctx, first)
		if err != nil {
			t.Fatalf("the printed token does not work: %v", err)
		}
		if a.Role != shop.RoleTechnician || !a.TeamLead || len(a.SiteIDs) != 1 || a.SiteIDs[0] != site.ID || a.Name != "赵磊" {
			t.Fatalf("actor=%+v, want a team-lead technician of SZ01", a)
		}
	})
	t.Run("OKTokenAdd", func(t *testing.T) {
		out, err := cli("token", "add", "--user", userID, "--ttl", "1h")
		m := tokenRe.FindStringSubmatch(out)
		if err != nil || m == nil || m[1] == first {
			t.Fatalf("output=%q err=%v, want a new token", out, err)
		}
		if _, err := db.FindActorByToken(ctx, m[1]); err != nil {
			t.Fatalf("the new token does not work: %v", err)
		}
		// An hour later it has expired.
		db.Now = func() time.Time { return time.Now().Add(61 * time.Minute) }
		defer func() { db.Now = time.Now }()
		if _, err := db.FindActorByToken(ctx, m[1]); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v after its ttl, want UNAUTHENTICATED", shop.ErrorCode(err))
		}
	})
	t.Run("OKTokenRevoke", func(t *testing.T) {
		if out, err := cli("token", "revoke", first); err != nil || !strings.Contains(out, "revoked") {
			t.Fatalf("output=%q err=%v", out, err)
		}
		if _, err := db.FindActorByToken(ctx, first); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v, want UNAUTHENTICATED for a revoked token", shop.ErrorCode(err))
		}
	})
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"ErrRole", []string{"user", "add", "--name", "x", "--role", "janitor", "--site", "SZ01"}, "not a role"},
		{"ErrSite", []string{"user", "add", "--name", "x", "--role", "ADVISOR", "--site", "XX99"}, "site XX99"},
		{"ErrNoName", []string{"user", "add", "--role", "ADVISOR", "--site", "SZ01"}, "--name"},
		{"ErrNoUser", []string{"token", "add", "--user", "999999"}, "no user"},
		{"ErrBadUser", []string{"token", "add", "--user", "bob"}, "not a user ID"},
		{"ErrRevokeUnknown", []string{"token", "revoke", "bb_not-a-token-at-all"}, "No active token"},
		{"ErrRevokeTwice", []string{"token", "revoke", first}, "No active token"},
		{"ErrSubcommand", []string{"token", "list"}, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := cli(tc.args...); err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err=%v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}
