// Package storetest gives tests a fresh, migrated PostgreSQL database each:
// real PostgreSQL, never a mock. It may import store and shop.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver for the admin connection

	"bayboard/migrations"
	"bayboard/shop"
	"bayboard/store"
)

// URL returns the server URL tests use: $DATABASE_URL, else the private
// server of scripts/pg.sh.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:54329/bayboard?sslmode=disable"
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

// MustOpenDB returns a store on a new database cloned from a migrated
// template, dropped when the test ends. Without a reachable server the test
// is skipped, unless BAYBOARD_TEST_DB=require (set by make test): then it fails.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	dsn := MustCreateDatabase(tb)
	db, err := store.Open(context.Background(), dsn, 10)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustCreateDatabase creates a fresh migrated database and returns its URL.
func MustCreateDatabase(tb testing.TB) string {
	tb.Helper()
	admin, err := sql.Open("postgres", URL())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("BAYBOARD_TEST_DB") == "require" {
			tb.Fatalf("no PostgreSQL at %s (BAYBOARD_TEST_DB=require): %v", URL(), err)
		}
		tb.Skipf("no PostgreSQL at %s: %v (run make test, or set DATABASE_URL)", URL(), err)
	}
	defer admin.Close()
	tmplOnce.Do(func() { tmplName, tmplErr = ensureTemplate(admin) })
	if tmplErr != nil {
		tb.Fatalf("template database: %v", tmplErr)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "bbtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tmplName); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	dsn := withDB(URL(), name)
	tb.Cleanup(func() {
		closeRawDB(dsn)
		a, err := sql.Open("postgres", URL())
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	return dsn
}

// ensureTemplate creates (once per set of migrations, across test processes)
// a migrated template database.
func ensureTemplate(admin *sql.DB) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", err
	}
	name := "bbtmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
	ctx := context.Background()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(424242)`); err != nil {
		return "", err
	}
	defer conn.ExecContext(ctx, `SELECT pg_advisory_unlock(424242)`)
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_wip"
	_, _ = conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	db, err := store.Open(ctx, withDB(URL(), building), 2)
	if err != nil {
		return "", err
	}
	err = db.Migrate(ctx, slog.New(slog.DiscardHandler))
	db.Close()
	if err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Fixture is a small workshop for tests: one site with staff and bays, and a
// second site to prove isolation. Each actor's context carries that actor.
type Fixture struct {
	Site, Other                                               *shop.Site
	Advisor, Foreman, Tech, Lead, QC, Cashier, Manager, Board *shop.User
	OtherAdvisor                                              *shop.User
	PartsClerk, WarrantyClerk, Callback                       *shop.User
	Bay, Bay2                                                 *shop.Bay
}

// Ctx returns a context acting as u.
func Ctx(u *shop.User) context.Context {
	return shop.NewContextWithActor(context.Background(), &shop.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamLead: u.TeamLead, SiteIDs: u.SiteIDs})
}

// MustFixture creates the fixture workshop in db.
func MustFixture(tb testing.TB, db *store.DB) *Fixture {
	tb.Helper()
	ctx := context.Background()
	f := &Fixture{
		Site:  &shop.Site{Code: "SZ01", Name: "深圳福田店", TimeZone: "Asia/Shanghai", LabourRate: 30000},
		Other: &shop.Site{Code: "GZ01", Name: "广州天河店", TimeZone: "Asia/Shanghai", LabourRate: 28000},
	}
	for _, s := range []*shop.Site{f.Site, f.Other} {
		if err := db.CreateSite(ctx, s); err != nil {
			tb.Fatalf("create site: %v", err)
		}
	}
	user := func(name string, role shop.Role, lead bool, site *shop.Site) *shop.User {
		u := &shop.User{Name: name, ShortName: name, Role: role, TeamLead: lead, Team: "A", SiteIDs: []shop.SiteID{site.ID}}
		if err := db.CreateUser(ctx, u); err != nil {
			tb.Fatalf("create user: %v", err)
		}
		return u
	}
	f.Advisor = user("王芳", shop.RoleAdvisor, false, f.Site)
	f.Foreman = user("李强", shop.RoleForeman, false, f.Site)
	f.Tech = user("张伟", shop.RoleTechnician, false, f.Site)
	f.Lead = user("赵磊", shop.RoleTechnician, true, f.Site)
	f.QC = user("陈静", shop.RoleQCInspector, false, f.Site)
	f.Cashier = user("刘洋", shop.RoleCashier, false, f.Site)
	f.Manager = user("孙经理", shop.RoleServiceManager, false, f.Site)
	f.Board = user("车间看板", shop.RoleBoard, false, f.Site)
	f.OtherAdvisor = user("周敏", shop.RoleAdvisor, false, f.Other)
	f.PartsClerk = user("吴配件", shop.RolePartsClerk, false, f.Site)
	f.WarrantyClerk = user("郑索赔", shop.RoleWarrantyClerk, false, f.Site)
	f.Callback = user("冯回访", shop.RoleCallbackStaff, false, f.Site)
	f.Bay = &shop.Bay{SiteID: f.Site.ID, Code: "B01", Name: "一号工位"}
	f.Bay2 = &shop.Bay{SiteID: f.Site.ID, Code: "B02", Name: "二号工位"}
	for _, b := range []*shop.Bay{f.Bay, f.Bay2} {
		if err := db.CreateBay(ctx, b); err != nil {
			tb.Fatalf("create bay: %v", err)
		}
	}
	return f
}

var _ = fmt.Sprint

// OpenAt returns at when the fixture site is open then, else an hour after
// the site next opens: a test booking an appointment "soon" books it inside
// the workshop's hours whatever hour of the day the test runs.
func (f *Fixture) OpenAt(at time.Time) time.Time {
	loc := f.Site.Location()
	for day := 0; day < 370; day++ {
		d := at.In(loc).AddDate(0, 0, day)
		opens, closes, open := f.Site.HoursOn(d)
		if !open {
			continue
		}
		y, m, dd := d.Date()
		midnight := time.Date(y, m, dd, 0, 0, 0, 0, loc)
		first := midnight.Add(time.Duration(opens+60) * time.Minute)
		last := midnight.Add(time.Duration(closes) * time.Minute)
		if day == 0 {
			if lt := at.In(loc); lt.Before(last) && !lt.Before(midnight.Add(time.Duration(opens)*time.Minute)) {
				return at
			}
			if !at.Before(last) {
				continue
			}
		}
		return first
	}
	panic("storetest: the fixture site is never open")
}
