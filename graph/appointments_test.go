package graph_test

import (
	"database/sql"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestAppointmentsSaysWhenCut: a day with more appointments than one store
// page lists the first page, by time, and the response says in its errors
// that the list was cut, instead of cutting it silently.
func TestAppointmentsSaysWhenCut(t *testing.T) {
	e := newEnv(t)
	f := e.f
	day := time.Date(2026, 12, 10, 0, 0, 0, 0, f.Site.Location())
	e.db.Now = func() time.Time { return day.Add(-24 * time.Hour) }
	const q = `query($id: ID!) { site(id: $id) { appointments(date: "2026-12-10") { id } } }`
	var out struct {
		Site struct{ Appointments []struct{ ID string } }
	}
	list := func(t *testing.T) []gqlError {
		t.Helper()
		out.Site.Appointments = nil
		return e.do(t, f.Advisor, q, map[string]any{"id": gid(shop.TypeSite, int64(f.Site.ID))}, &out)
	}
	ap, err := e.db.BookAppointment(storetest.Ctx(f.Advisor), store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: day.Add(9 * time.Hour),
		Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"},
		Vehicle:  &store.NewVehicleInput{Plate: "粤B24680", Make: "丰田", Model: "凯美瑞"}, RequestedWork: "保养"})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("OK", func(t *testing.T) {
		if errs := list(t); len(errs) != 0 || len(out.Site.Appointments) != 1 {
			t.Fatalf("appointments=%d errors=%v, want 1 and none", len(out.Site.Appointments), errs)
		}
	})
	raw, err := sql.Open("postgres", e.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`
		INSERT INTO appointments (site_id, customer_id, vehicle_id, scheduled_at, requested_work, state, created_at, updated_at)
		SELECT site_id, customer_id, vehicle_id, scheduled_at + n * interval '1 second', requested_work, state, created_at, updated_at
		FROM appointments, generate_series(1, $2) AS n WHERE id = $1`, ap.ID, store.MaxAppointmentPage); err != nil {
		t.Fatal(err)
	}
	t.Run("ErrCut", func(t *testing.T) {
		errs := list(t)
		if got := len(out.Site.Appointments); got != store.MaxAppointmentPage {
			t.Fatalf("appointments=%d, want %d", got, store.MaxAppointmentPage)
		}
		if out.Site.Appointments[0].ID != gid(shop.TypeAppointment, int64(ap.ID)) {
			t.Fatalf("first=%v, want the earliest, %v", out.Site.Appointments[0].ID, ap.ID)
		}
		if len(errs) != 1 || errs[0].code() != shop.EINVALID || errs[0].Extensions["field"] != "date" {
			t.Fatalf("errors=%v, want one INVALID on date saying the list was cut", errs)
		}
	})
}
