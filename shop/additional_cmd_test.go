package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

func TestRequestAdditionalWork(t *testing.T) {
	jobs := []*shop.Job{jobOf(1, shop.JobInProgress)}
	req := func(f func(*shop.AdditionalRequest)) shop.AdditionalRequest {
		r := shop.AdditionalRequest{FoundOnJobID: ptrTo(shop.JobID(1)), Description: "更换刹车盘", Reason: "刹车盘磨损超限",
			LabourMinutes: 60, ExtraMinutes: 90, Safety: true}
		if f != nil {
			f(&r)
		}
		return r
	}
	t.Run("OK", func(t *testing.T) {
		j, aw, err := shop.RequestAdditionalWork(order(shop.OrderInWork), jobs, req(nil), 20000, 3, t0)
		wantOK(t, err)
		if j.State != shop.JobPendingApproval || !j.Additional || !j.Safety || j.LabourPrice != 20000 {
			t.Fatalf("state=%v, want %v, additional and safety", j.State, shop.JobPendingApproval)
		}
		if aw.State != shop.AdditionalRequested || aw.RequestedBy != 3 || aw.LabourPrice != 20000 {
			t.Fatalf("state=%v, want %v", aw.State, shop.AdditionalRequested)
		}
		j.ID = 8
		parts := []shop.PartLine{{Quantity: 2, UnitPrice: 30000}}
		aw, ev := shop.PriceAdditionalWork(ptrTo(order(shop.OrderInWork)), &j, aw, parts)
		if aw.PartsPrice != 60000 || aw.JobID != 8 || ev.Kind != shop.EventAdditionalRequested || !strings.Contains(ev.Summary, "(safety-relevant)") {
			t.Fatalf("parts=%v summary=%q, want 600.00 and a safety-relevant event", aw.PartsPrice, ev.Summary)
		}
	})
	tests := []struct {
		name  string
		state shop.OrderState
		in    shop.AdditionalRequest
		code  string
		field string
	}{
		{"ErrNotInWork", shop.OrderQC, req(nil), shop.EINVALIDTRANSITION, ""},
		{"ErrNoReason", shop.OrderInWork, req(func(r *shop.AdditionalRequest) { r.Reason = "" }), shop.EINVALID, "reason"},
		{"ErrExtraMinutes", shop.OrderInWork, req(func(r *shop.AdditionalRequest) { r.ExtraMinutes = -1 }), shop.EINVALID, "extraMinutes"},
		{"ErrFoundOnOtherJob", shop.OrderInWork, req(func(r *shop.AdditionalRequest) { r.FoundOnJobID = ptrTo(shop.JobID(9)) }), shop.ENOTFOUND, "foundOnJobId"},
		{"ErrNoLabour", shop.OrderInWork, req(func(r *shop.AdditionalRequest) { r.LabourMinutes = 0 }), shop.EINVALID, "labourMinutes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := shop.RequestAdditionalWork(order(tt.state), jobs, tt.in, 20000, 3, t0)
			wantErr(t, err, tt.code, tt.field)
		})
	}
}

func TestDecideAdditionalWork(t *testing.T) {
	aw := shop.AdditionalWork{ID: 2, OrderID: 10, JobID: 8, Description: "更换刹车盘", LabourPrice: 20000, PartsPrice: 60000,
		ExtraMinutes: 90, State: shop.AdditionalRequested, Version: 1}
	pending := *jobOf(8, shop.JobPendingApproval)
	yes := shop.AdditionalDecision{Approve: true, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone}
	t.Run("OK", func(t *testing.T) {
		o, j, got, ev, err := shop.DecideAdditionalWork(order(shop.OrderInWork), pending, aw, yes, 7, t0)
		wantOK(t, err)
		if j.State != shop.JobWaitingDispatch || got.State != shop.AdditionalApproved || got.Version != 2 || *got.DecidedBy != 7 {
			t.Fatalf("state=%v, want %v", got.State, shop.AdditionalApproved)
		}
		if want := t0.Add(4*time.Hour + 90*time.Minute); !o.PromisedAt.Equal(want) {
			t.Fatalf("promisedAt=%v, want %v", o.PromisedAt, want)
		}
		if ev.Kind != shop.EventAdditionalApproved || strings.Contains(ev.Summary, "黄先生") {
			t.Fatalf("summary=%q, want ADDITIONAL_WORK_APPROVED without the customer's name", ev.Summary)
		}
	})
	t.Run("OKNewPromise", func(t *testing.T) {
		in := yes
		in.NewPromisedAt = ptrTo(t0.Add(24 * time.Hour))
		o, _, _, _, err := shop.DecideAdditionalWork(order(shop.OrderInWork), pending, aw, in, 7, t0)
		wantOK(t, err)
		if !o.PromisedAt.Equal(t0.Add(24 * time.Hour)) {
			t.Fatalf("promisedAt=%v, want %v", o.PromisedAt, t0.Add(24*time.Hour))
		}
	})
	t.Run("OKDeclined", func(t *testing.T) {
		no := yes
		no.Approve = false
		o, j, got, ev, err := shop.DecideAdditionalWork(order(shop.OrderInWork), pending, aw, no, 7, t0)
		wantOK(t, err)
		if !no.ReleasesParts() || yes.ReleasesParts() {
			t.Fatalf("releasesParts=%v/%v, want a refusal only", no.ReleasesParts(), yes.ReleasesParts())
		}
		if j.State != shop.JobDeclined || got.State != shop.AdditionalDeclined || !o.PromisedAt.Equal(t0.Add(4*time.Hour)) || ev.Kind != shop.EventAdditionalDeclined {
			t.Fatalf("state=%v promised=%v, want DECLINED and the promise kept", got.State, o.PromisedAt)
		}
	})
	t.Run("ErrAlreadyDecided", func(t *testing.T) {
		done := aw
		done.State = shop.AdditionalApproved
		_, _, _, _, err := shop.DecideAdditionalWork(order(shop.OrderInWork), pending, done, yes, 7, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
	t.Run("ErrNoContact", func(t *testing.T) {
		in := yes
		in.CustomerContact = ""
		_, j, got, _, err := shop.DecideAdditionalWork(order(shop.OrderInWork), pending, aw, in, 7, t0)
		wantErr(t, err, shop.EINVALID, "customerContact")
		if got.State != shop.AdditionalRequested || j.State != shop.JobPendingApproval {
			t.Fatalf("state=%v, want %v unchanged", got.State, shop.AdditionalRequested)
		}
	})
	t.Run("ErrOrderInQC", func(t *testing.T) {
		_, _, _, _, err := shop.DecideAdditionalWork(order(shop.OrderQC), pending, aw, yes, 7, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}
