package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func strp(s string) *string { return &s }

func TestDecideWarranty(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		order    shop.OrderState
		job      shop.JobState
		decided  bool
		reason   string
		wantCode string
	}{
		{"OK", shop.OrderInWork, shop.JobInProgress, false, "Within 3 years / 100,000 km", ""},
		{"ErrOrderSettled", shop.OrderSettled, shop.JobDone, false, "x", shop.EINVALIDTRANSITION},
		{"ErrOrderDelivered", shop.OrderDelivered, shop.JobDone, false, "x", shop.EINVALIDTRANSITION},
		{"ErrJobDeclined", shop.OrderInWork, shop.JobDeclined, false, "x", shop.EINVALIDTRANSITION},
		{"ErrNoReason", shop.OrderInWork, shop.JobInProgress, false, "", shop.EINVALID},
		{"ErrAlreadyDecided", shop.OrderInWork, shop.JobInProgress, true, "x", shop.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := shop.Job{ID: 70, OrderID: 7, State: tc.job, Payer: shop.PayerCustomer, Description: "Replace pump"}
			o := shop.Order{ID: 7, SiteID: 1, State: tc.order}
			j2, o2, w, ev, err := shop.DecideWarranty(j, o, tc.decided, tc.reason, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err != nil {
				return
			}
			if j2.Payer != shop.PayerWarranty || !o2.UnderWarranty || w.DecidedBy != 30 || ev.Kind != shop.EventWarrantyDecided || *ev.JobID != 70 {
				t.Fatalf("payer=%v underWarranty=%v decision=%+v event=%v, want WARRANTY", j2.Payer, o2.UnderWarranty, w, ev.Kind)
			}
		})
	}
}

func TestClaimCommands(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	o := &shop.Order{ID: 7, SiteID: 1, VisitID: 3, AdvisorID: 20}
	wj := &shop.Job{ID: 70, State: shop.JobDone, Payer: shop.PayerWarranty, LabourPrice: 20000}
	jid := wj.ID
	jobs := func(on bool) shop.ClaimJobs {
		return shop.ClaimJobs{IDs: []shop.JobID{70}, Jobs: []*shop.Job{wj}, OnOtherClaim: []bool{on},
			Parts: []*shop.PartLine{{JobID: &jid, Quantity: 1, UnitPrice: 5000, Payer: shop.PayerWarranty}}}
	}
	full := shop.ClaimTexts{Complaint: strp("Leak"), Cause: strp("Seal"), Correction: strp("Replaced"), CausalPartNumber: strp("P1")}
	draft := func() shop.WarrantyClaim {
		cl, _, err := shop.NewClaim(o, full, jobs(false), 123456, 30, now)
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	with := func(st shop.ClaimState) shop.WarrantyClaim { cl := draft(); cl.State = st; return cl }
	for _, tc := range []struct {
		name      string
		run       func() (shop.WarrantyClaim, shop.Event, error)
		wantCode  string
		wantField string
		wantState shop.ClaimState
	}{
		{"OKNew", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, shop.ClaimTexts{}, jobs(false), 7, 30, now)
		}, "", "", shop.ClaimDraft},
		{"ErrNewWithoutJobs", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, full, shop.ClaimJobs{}, 7, 30, now)
		}, shop.EINVALID, "jobIds", ""},
		{"ErrNewJobNotWarranty", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, full, shop.ClaimJobs{IDs: []shop.JobID{71}, Jobs: []*shop.Job{nil}, OnOtherClaim: []bool{false}}, 7, 30, now)
		}, shop.ENOTFOUND, "jobIds[0]", ""},
		{"ErrNewJobOnOtherClaim", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, full, jobs(true), 7, 30, now)
		}, shop.ECONFLICT, "jobIds[0]", ""},
		{"ErrNewJobTwice", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, full, shop.ClaimJobs{IDs: []shop.JobID{70, 70}, Jobs: []*shop.Job{wj, wj}, OnOtherClaim: []bool{false, false}}, 7, 30, now)
		}, shop.ECONFLICT, "jobIds[1]", ""},
		{"ErrNewTextTooLong", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.NewClaim(o, shop.ClaimTexts{CausalPartNumber: strp(string(make([]byte, 61)))}, jobs(false), 7, 30, now)
		}, shop.EINVALID, "causalPartNumber", ""},
		{"OKUpdate", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.UpdateClaim(draft(), o, shop.ClaimTexts{Cause: strp("Worn seal")}, nil, now)
		}, "", "", shop.ClaimDraft},
		{"ErrUpdateSubmitted", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.UpdateClaim(with(shop.ClaimSubmitted), o, full, nil, now)
		}, shop.EINVALIDTRANSITION, "", ""},
		{"OKSubmit", func() (shop.WarrantyClaim, shop.Event, error) { return shop.SubmitClaim(draft(), o, 1, now) }, "", "", shop.ClaimSubmitted},
		{"ErrSubmitIncomplete", func() (shop.WarrantyClaim, shop.Event, error) {
			cl := draft()
			cl.Cause = ""
			return shop.SubmitClaim(cl, o, 1, now)
		}, shop.EINVALID, "cause", ""},
		{"OKApprove", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.DecideClaim(with(shop.ClaimSubmitted), o, true, "", "MK-1", now)
		}, "", "", shop.ClaimApproved},
		{"OKReject", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.DecideClaim(with(shop.ClaimSubmitted), o, false, "Out of warranty", "", now)
		}, "", "", shop.ClaimRejected},
		{"ErrRejectWithoutReason", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.DecideClaim(with(shop.ClaimSubmitted), o, false, "", "", now)
		}, shop.EINVALID, "reason", ""},
		{"ErrApproveDraft", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.DecideClaim(draft(), o, true, "", "", now)
		}, shop.EINVALIDTRANSITION, "", ""},
		{"OKRevise", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.ReviseClaim(with(shop.ClaimRejected), o, now)
		}, "", "", shop.ClaimDraft},
		{"OKPay", func() (shop.WarrantyClaim, shop.Event, error) {
			return shop.PayClaim(with(shop.ClaimApproved), o, nil, now)
		}, "", "", shop.ClaimPaid},
		{"ErrPayNegative", func() (shop.WarrantyClaim, shop.Event, error) {
			m := shop.Money(-1)
			return shop.PayClaim(with(shop.ClaimApproved), o, &m, now)
		}, shop.EINVALID, "amount", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl, ev, err := tc.run()
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v (%v)", got, shop.ErrorField(err), tc.wantCode, tc.wantField, err)
			}
			if err != nil {
				return
			}
			if cl.State != tc.wantState || ev.Kind != shop.EventClaimChanged || *ev.OrderID != o.ID {
				t.Fatalf("state=%v event=%v, want %v", cl.State, ev.Kind, tc.wantState)
			}
			if cl.Total() != 25000 {
				t.Fatalf("total=%v, want 250.00", cl.Total())
			}
		})
	}
	if cl := draft(); cl.Number != "WC261124-23456" || cl.Version != 1 {
		t.Fatalf("number=%q version=%d, want WC261124-23456, 1", cl.Number, cl.Version)
	}
}

func TestRetainPart(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	today := date(2026, 11, 24)
	o := &shop.Order{ID: 7, SiteID: 1}
	cid := shop.WarrantyClaimID(4)
	in := func(f func(*shop.RetainInput)) shop.RetainInput {
		r := shop.RetainInput{PartNumber: "P1", Quantity: 1, Location: "Shelf W3"}
		if f != nil {
			f(&r)
		}
		return r
	}
	for _, tc := range []struct {
		name         string
		warrantyJobs int
		claimOfOrder bool
		in           shop.RetainInput
		wantCode     string
		wantDeadline time.Time
	}{
		{"OK", 1, false, in(nil), "", date(2026, 12, 24)},
		{"OKDeadline", 1, true, in(func(r *shop.RetainInput) { r.ClaimID, r.Deadline = &cid, ptime(date(2026, 12, 1)) }), "", date(2026, 12, 1)},
		{"ErrNoWarrantyJob", 0, false, in(nil), shop.EINVALIDTRANSITION, time.Time{}},
		{"ErrClaimOfOtherOrder", 1, false, in(func(r *shop.RetainInput) { r.ClaimID = &cid }), shop.ENOTFOUND, time.Time{}},
		{"ErrNoLocation", 1, false, in(func(r *shop.RetainInput) { r.Location = "" }), shop.EINVALID, time.Time{}},
		{"ErrQuantity", 1, false, in(func(r *shop.RetainInput) { r.Quantity = 0 }), shop.EINVALID, time.Time{}},
		{"ErrDeadlinePast", 1, false, in(func(r *shop.RetainInput) { r.Deadline = ptime(date(2026, 11, 23)) }), shop.EINVALID, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ev, err := shop.RetainPart(o, tc.warrantyJobs, tc.claimOfOrder, tc.in, today, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err == nil && (!r.Deadline.Equal(tc.wantDeadline) || r.Disposition != shop.DispositionKept || ev.Kind != shop.EventPartRetained) {
				t.Fatalf("deadline=%v disposition=%v, want %v KEPT", r.Deadline, r.Disposition, tc.wantDeadline)
			}
		})
	}
}

func TestUpdateRetainedPart(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	shipped, scrapped := shop.DispositionShippedBack, shop.DispositionScrapped
	for _, tc := range []struct {
		name     string
		from     shop.Disposition
		location *string
		d        *shop.Disposition
		ref      string
		wantCode string
		want     shop.Disposition
	}{
		{"OKMove", shop.DispositionKept, strp("Shelf W4"), nil, "", "", shop.DispositionKept},
		{"OKShip", shop.DispositionKept, nil, &shipped, "SF123", "", shop.DispositionShippedBack},
		{"OKScrap", shop.DispositionKept, nil, &scrapped, "", "", shop.DispositionScrapped},
		{"ErrNothing", shop.DispositionKept, nil, nil, "", shop.EINVALID, ""},
		{"ErrShipWithoutRef", shop.DispositionKept, nil, &shipped, "", shop.EINVALID, ""},
		{"ErrMoveScrapped", shop.DispositionScrapped, strp("Shelf W4"), nil, "", shop.EINVALIDTRANSITION, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ev, err := shop.UpdateRetainedPart(shop.RetainedPart{OrderID: 7, Disposition: tc.from, Version: 1}, tc.location, tc.d, tc.ref, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err == nil && (r.Disposition != tc.want || r.Version != 2 || ev.Kind != shop.EventRetainedPartDisposed) {
				t.Fatalf("disposition=%v version=%d, want %v 2", r.Disposition, r.Version, tc.want)
			}
		})
	}
}
