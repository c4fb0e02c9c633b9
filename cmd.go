package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// defaultTokenTTL is how long a token made by the CLI lives unless --ttl says.
const defaultTokenTTL = 720 * time.Hour

// adminUsage lists the user and token commands.
const adminUsage = `usage:
  bayboard user add --name NAME --role ROLE --site CODE [--site CODE…] [--short-name NAME] [--team-lead] [--team NAME] [--ttl 720h]
      (--site may be left out for the first ADMIN of a fresh install, who then sets up sites with the setUpSite mutation)
  bayboard token add --user ID [--ttl 720h] [--label TEXT]
  bayboard token revoke TOKEN
each also takes --database-url (env DATABASE_URL); --ttl 0 means no expiry
`

// runAdmin runs `user add`, `token add` and `token revoke`: the set-up of
// identities, which no GraphQL mutation offers. A new token is printed once;
// only its hash is stored.
func runAdmin(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%s: name a subcommand\n\n%s", cmd, adminUsage)
	}
	sub, args := cmd+" "+args[0], args[1:]
	fs := flag.NewFlagSet("bayboard "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dsn := fs.String("database-url", getenv("DATABASE_URL"), "PostgreSQL URL")
	ttl := fs.Duration("ttl", defaultTokenTTL, "token lifetime; 0 never expires")
	label := fs.String("label", "cli", "what the token is for")
	var (
		name, shortName, role, team *string
		teamLead                    *bool
		userID                      *string
		sites                       []string
	)
	switch sub {
	case "user add":
		name = fs.String("name", "", "full name")
		shortName = fs.String("short-name", "", "name on the board (default: the name)")
		role = fs.String("role", "", "role, e.g. ADVISOR")
		team = fs.String("team", "", "team of a technician")
		teamLead = fs.Bool("team-lead", false, "a technician who leads a team")
		fs.Func("site", "site code (repeat or comma-separate for several)", func(s string) error {
			for _, c := range strings.Split(s, ",") {
				if c = strings.TrimSpace(c); c != "" {
					sites = append(sites, c)
				}
			}
			return nil
		})
	case "token add":
		userID = fs.String("user", "", "the user's ID")
	case "token revoke":
	default:
		return fmt.Errorf("unknown command %q\n\n%s", sub, adminUsage)
	}
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%s: %w\n\n%s", sub, err, adminUsage)
	}
	if *dsn == "" {
		return errors.New("DATABASE_URL (or --database-url) is required")
	}
	if *ttl < 0 {
		return fmt.Errorf("--ttl must not be negative")
	}
	// Validate the arguments before connecting.
	var u *shop.User
	var uid shop.UserID
	var token string
	switch sub {
	case "user add":
		r := shop.Role(strings.ToUpper(strings.TrimSpace(*role)))
		switch {
		case strings.TrimSpace(*name) == "":
			return errors.New("user add: --name is required")
		case !r.Valid():
			return fmt.Errorf("user add: --role %q is not a role; one of %v", *role, shop.Roles)
		case len(sites) == 0 && r != shop.RoleAdmin:
			// An administrator of a fresh install has no site yet: they set up
			// the first one through GraphQL (setUpSite) and work there from then on.
			return errors.New("user add: --site is required (a site code, e.g. SZ01); only an ADMIN may start without one")
		}
		u = &shop.User{Name: strings.TrimSpace(*name), ShortName: strings.TrimSpace(*shortName), Role: r,
			TeamLead: *teamLead, Team: *team}
	case "token add":
		n, err := strconv.ParseInt(*userID, 10, 64)
		if err != nil {
			n, err = shop.ParseTypedID("user", shop.TypeUser, *userID)
		}
		if err != nil || n <= 0 {
			return fmt.Errorf("token add: --user %q is not a user ID", *userID)
		}
		uid = shop.UserID(n)
	case "token revoke":
		if fs.NArg() != 1 {
			return errors.New("token revoke: give the token to revoke")
		}
		token = fs.Arg(0)
	}

	db, err := store.Open(ctx, *dsn, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))); err != nil {
		return err
	}
	switch sub {
	case "user add":
		for _, code := range sites {
			s, err := db.FindSiteByCode(ctx, code)
			if err != nil {
				return fmt.Errorf("user add: site %s: %s", code, shop.ErrorMessage(err))
			}
			u.SiteIDs = append(u.SiteIDs, s.ID)
		}
		if err := db.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("user add: %s", shop.ErrorMessage(err))
		}
		fmt.Fprintf(stdout, "user: %d\n", u.ID)
		return printToken(ctx, db, stdout, u.ID, *label, *ttl)
	case "token add":
		return printToken(ctx, db, stdout, uid, *label, *ttl)
	default: // token revoke
		if err := db.RevokeToken(ctx, token); err != nil {
			return fmt.Errorf("token revoke: %s", shop.ErrorMessage(err))
		}
		// Running servers learn of it from the database: their token cache
		// forgets it, and their open sockets re-check it, within the TTL.
		fmt.Fprintln(stdout, "revoked; running servers refuse it, and close its open websockets and streams, within --token-cache-ttl (10s)")
		return nil
	}
}

// printToken issues a token for user and prints it with its expiry.
func printToken(ctx context.Context, db *store.DB, stdout io.Writer, user shop.UserID, label string, ttl time.Duration) error {
	token, err := db.CreateToken(ctx, user, label, ttl)
	if shop.ErrorCode(err) == shop.ENOTFOUND {
		return fmt.Errorf("token add: no user %d", user)
	} else if err != nil {
		return err
	}
	exp := "never"
	if ttl > 0 {
		exp = db.Now().Add(ttl).UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "token: %s\nexpires: %s\n", token, exp)
	return nil
}
