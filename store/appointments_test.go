package store_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestFindAppointmentsPages: a day's appointments come a page at a time,
// with one more than the page size when a next page follows, never cut
// silently; the cursor continues after the last one, in time order.
func TestFindAppointmentsPages(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	adv := storetest.Ctx(f.Advisor)
	var cust *shop.CustomerID
	var veh *shop.VehicleID
	var booked []shop.AppointmentID
	for _, h := range []int{5, 2, 3, 2} { // two at 02:00: the ID breaks the tie
		in := store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: now.Add(time.Duration(h) * time.Hour), RequestedWork: "保养",
			CustomerID: cust, VehicleID: veh}
		if cust == nil {
			in.Customer = &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"}
			in.Vehicle = &store.NewVehicleInput{Plate: "粤B54321", Make: "丰田", Model: "凯美瑞"}
		}
		ap, err := db.BookAppointment(adv, in)
		if err != nil {
			t.Fatalf("book: %v", err)
		}
		cust, veh = &ap.CustomerID, &ap.VehicleID
		booked = append(booked, ap.ID)
	}
	want := []shop.AppointmentID{booked[1], booked[3], booked[2], booked[0]}
	day := store.AppointmentFilter{SiteID: f.Site.ID, From: now, To: now.AddDate(0, 0, 1)}

	t.Run("OK", func(t *testing.T) {
		all, err := db.FindAppointments(adv, day)
		if err != nil || len(all) != 4 {
			t.Fatalf("appointments=%d err=%v, want 4", len(all), err)
		}
		var got []shop.AppointmentID
		var after *shop.AppointmentID
		for range 3 {
			page := day
			page.First, page.After = 2, after
			rows, err := db.FindAppointments(adv, page)
			if err != nil {
				t.Fatal(err)
			}
			more := len(rows) > 2
			if more {
				rows = rows[:2]
			}
			for _, ap := range rows {
				got = append(got, ap.ID)
			}
			if !more {
				break
			}
			after = &rows[len(rows)-1].ID
		}
		if len(got) != len(want) {
			t.Fatalf("ids=%v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("ids=%v, want %v", got, want)
			}
		}
	})
}
