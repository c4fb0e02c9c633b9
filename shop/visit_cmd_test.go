package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestBookAppointment(t *testing.T) {
	in := func(f func(*shop.AppointmentRequest)) shop.AppointmentRequest {
		r := shop.AppointmentRequest{SiteID: 1, ScheduledAt: t0.Add(time.Hour), RequestedWork: "40000 km 保养"}
		if f != nil {
			f(&r)
		}
		return r
	}
	t.Run("OK", func(t *testing.T) {
		ap, ev, err := shop.BookAppointment(in(nil), advisor, t0)
		wantOK(t, err)
		if ap.State != shop.AppointmentBooked || ap.AdvisorID == nil || *ap.AdvisorID != advisor.UserID || ev.Kind != shop.EventAppointmentBooked {
			t.Fatalf("state=%v advisor=%v, want BOOKED by the booking advisor", ap.State, ap.AdvisorID)
		}
	})
	t.Run("OKForemanBooksWithoutAdvisor", func(t *testing.T) {
		ap, _, err := shop.BookAppointment(in(nil), shop.Actor{UserID: 2, Role: shop.RoleForeman}, t0)
		wantOK(t, err)
		if ap.AdvisorID != nil {
			t.Fatalf("advisor=%v, want none", *ap.AdvisorID)
		}
	})
	t.Run("OKCustomerAtTheDoor", func(t *testing.T) {
		_, _, err := shop.BookAppointment(in(func(r *shop.AppointmentRequest) { r.ScheduledAt = t0.Add(-59 * time.Minute) }), advisor, t0)
		wantOK(t, err)
	})
	t.Run("ErrInThePast", func(t *testing.T) {
		_, _, err := shop.BookAppointment(in(func(r *shop.AppointmentRequest) { r.ScheduledAt = t0.Add(-61 * time.Minute) }), advisor, t0)
		wantErr(t, err, shop.EINVALID, "scheduledAt")
	})
	t.Run("ErrNoWork", func(t *testing.T) {
		_, _, err := shop.BookAppointment(in(func(r *shop.AppointmentRequest) { r.RequestedWork = " " }), advisor, t0)
		wantErr(t, err, shop.EINVALID, "requestedWork")
	})
	t.Run("ErrNegativeDeposit", func(t *testing.T) {
		_, _, err := shop.BookAppointment(in(func(r *shop.AppointmentRequest) { r.Deposit = ptrTo(shop.Money(-1)) }), advisor, t0)
		wantErr(t, err, shop.EINVALID, "deposit")
	})
}

func TestCancelAppointment(t *testing.T) {
	booked := shop.Appointment{ID: 1, SiteID: 1, State: shop.AppointmentBooked, Version: 3}
	t.Run("OK", func(t *testing.T) {
		ap, ev, err := shop.CancelAppointment(booked, "改期", false, t0)
		wantOK(t, err)
		if ap.State != shop.AppointmentCancelled || ap.Version != 4 || ev.Summary != "Appointment CANCELLED: 改期" {
			t.Fatalf("state=%v summary=%q, want %v", ap.State, ev.Summary, shop.AppointmentCancelled)
		}
	})
	t.Run("OKNoShow", func(t *testing.T) {
		ap, _, err := shop.CancelAppointment(booked, "未到店", true, t0)
		wantOK(t, err)
		if ap.State != shop.AppointmentNoShow {
			t.Fatalf("state=%v, want %v", ap.State, shop.AppointmentNoShow)
		}
	})
	t.Run("ErrArrived", func(t *testing.T) {
		arrived := booked
		arrived.State = shop.AppointmentArrived
		_, _, err := shop.CancelAppointment(arrived, "x", false, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
		if !strings.Contains(shop.ErrorMessage(err), "already received (ARRIVED)") {
			t.Fatalf("message=%q, want the state described", shop.ErrorMessage(err))
		}
	})
	t.Run("ErrNoReason", func(t *testing.T) {
		_, _, err := shop.CancelAppointment(booked, "", false, t0)
		wantErr(t, err, shop.EINVALID, "reason")
	})
}

func TestReceiveVehicle(t *testing.T) {
	ap := &shop.Appointment{ID: 4, SiteID: 1, CustomerID: 11, VehicleID: 12, State: shop.AppointmentBooked}
	in := func(f func(*shop.Reception)) shop.Reception {
		r := shop.Reception{SiteID: 1, AppointmentID: &ap.ID, Mileage: 40210, FuelLevel: 50, KeyTag: "K-017", Complaint: "刹车有异响",
			Damages: []shop.Damage{{Location: "左前门", Description: "划痕 5cm"}}, Belongings: []string{"行车记录仪"}}
		if f != nil {
			f(&r)
		}
		return r
	}
	t.Run("OK", func(t *testing.T) {
		v, err := shop.ReceiveVehicle(in(nil), ap, advisor, t0)
		wantOK(t, err)
		if v.CustomerID != 11 || v.VehicleID != 12 || v.AdvisorID != advisor.UserID || len(v.Belongings) != 1 || v.KeyTag != "K-017" {
			t.Fatalf("visit=%+v, want the appointment's customer and vehicle", v)
		}
		v.ID = 30
		if ev := shop.VehicleReceived(&v); ev.Kind != shop.EventVehicleReceived || *ev.VisitID != 30 || ev.Summary != "Vehicle received, key tag K-017" {
			t.Fatalf("event=%+v, want VEHICLE_RECEIVED of visit 30", ev)
		}
	})
	t.Run("OKWithoutAppointment", func(t *testing.T) {
		_, err := shop.ReceiveVehicle(in(func(r *shop.Reception) { r.AppointmentID, r.NewCustomer, r.NewVehicle = nil, true, true }), nil, advisor, t0)
		wantOK(t, err)
	})
	long := strings.Repeat("x", shop.MaxShortText+1)
	tests := []struct {
		name  string
		in    shop.Reception
		ap    *shop.Appointment
		code  string
		field string
	}{
		{"ErrMileage", in(func(r *shop.Reception) { r.Mileage = -1 }), ap, shop.EINVALID, "mileage"},
		{"ErrFuelLevel", in(func(r *shop.Reception) { r.FuelLevel = 101 }), ap, shop.EINVALID, "fuelLevel"},
		{"ErrNoKeyTag", in(func(r *shop.Reception) { r.KeyTag = "" }), ap, shop.EINVALID, "keyTag"},
		{"ErrNoComplaint", in(func(r *shop.Reception) { r.Complaint = "" }), ap, shop.EINVALID, "complaint"},
		{"ErrLongBelonging", in(func(r *shop.Reception) { r.Belongings = []string{long} }), ap, shop.EINVALID, "belongings[0]"},
		{"ErrTooManyBelongings", in(func(r *shop.Reception) { r.Belongings = make([]string, shop.MaxListItems+1) }), ap, shop.EINVALID, "belongings"},
		{"ErrTooManyDamages", in(func(r *shop.Reception) { r.Damages = make([]shop.Damage, shop.MaxListItems+1) }), ap, shop.EINVALID, "damages"},
		{"ErrDamageWithoutPlace", in(func(r *shop.Reception) { r.Damages = []shop.Damage{{Description: "凹陷"}} }), ap, shop.EINVALID, "damages[0].location"},
		{"ErrAppointmentArrived", in(nil), &shop.Appointment{ID: 4, State: shop.AppointmentArrived}, shop.EINVALIDTRANSITION, ""},
		{"ErrAppointmentWithNewCustomer", in(func(r *shop.Reception) { r.NewCustomer = true }), ap, shop.EINVALID, "appointmentId"},
		{"ErrAppointmentWithOtherVehicle", in(func(r *shop.Reception) { r.VehicleID = ptrTo(shop.VehicleID(99)) }), ap, shop.EINVALID, "appointmentId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shop.ReceiveVehicle(tt.in, tt.ap, advisor, t0)
			wantErr(t, err, tt.code, tt.field)
		})
	}
}
