package shop_test

import (
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

var (
	t0      = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	advisor = shop.Actor{UserID: 7, Role: shop.RoleAdvisor, SiteIDs: []shop.SiteID{1}}
)

func ptrTo[T any](v T) *T { return &v }

// order returns an order of site 1 in state, promised in four hours.
func order(state shop.OrderState) shop.Order {
	return shop.Order{ID: 10, SiteID: 1, VisitID: 5, Number: "RO261124-00001", State: state, AdvisorID: 7,
		PaymentMethod: shop.PayNone, PromisedAt: ptrTo(t0.Add(4 * time.Hour)), EstimatedAt: ptrTo(t0.Add(3 * time.Hour)), Version: 4}
}

func jobOf(id shop.JobID, state shop.JobState) *shop.Job {
	return &shop.Job{ID: id, SiteID: 1, OrderID: 10, State: state, LabourMinutes: 60, LabourPrice: 12000, Payer: shop.PayerCustomer}
}

func TestDraftOrder(t *testing.T) {
	visit := shop.OrderVisit{ID: 5, SiteID: 1}
	t.Run("OK", func(t *testing.T) {
		o, err := shop.DraftOrder(visit, advisor, shop.WorkRepair, shop.Terms{WashRequested: ptrTo(true), Findings: ptrTo("  刹车异响 ")}, t0)
		wantOK(t, err)
		if o.State != shop.OrderDraft || o.AdvisorID != 7 || !o.WashRequested || o.Findings != "刹车异响" ||
			o.PaymentMethod != shop.PayNone || o.OldParts != shop.OldPartsShowToCustomer || o.Priority != shop.PriorityNormal {
			t.Fatalf("order=%+v, want a DRAFT of advisor 7 with the defaults and the terms", o)
		}
	})
	t.Run("ErrVisitClosed", func(t *testing.T) {
		v := visit
		v.DeliveredAt = &t0
		_, err := shop.DraftOrder(v, advisor, shop.WorkRepair, shop.Terms{}, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
	t.Run("ErrInsurerMissing", func(t *testing.T) {
		_, err := shop.DraftOrder(visit, advisor, shop.WorkAccident, shop.Terms{InsuranceClaim: ptrTo(true)}, t0)
		wantErr(t, err, shop.EINVALID, "insurerName")
	})
}

func TestOrderNumber(t *testing.T) {
	shanghai := shop.Zone("Asia/Shanghai")
	if shanghai == time.UTC {
		t.Fatalf("no zone data for Asia/Shanghai")
	}
	for _, tt := range []struct {
		name string
		now  time.Time
		loc  *time.Location
		seq  int64
		want string
	}{
		{"OK/site's date", time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC), shanghai, 1234567, "RO261124-34567"},
		{"OK/03:00 on 12/4 in Shenzhen is 12/4, not UTC's 12/3", time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC), shanghai, 7, "RO261204-00007"},
		{"OK/UTC site", time.Date(2026, 12, 3, 19, 0, 0, 0, time.UTC), time.UTC, 100000, "RO261203-00000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := shop.OrderNumber(tt.now, tt.loc, tt.seq); got != tt.want {
				t.Fatalf("number=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestEditOrder(t *testing.T) {
	later := t0.Add(6 * time.Hour)
	tests := []struct {
		name  string
		state shop.OrderState
		in    shop.OrderChanges
		code  string
		field string
	}{
		{"OK", shop.OrderDraft, shop.OrderChanges{Terms: shop.Terms{WashRequested: ptrTo(true)}, PromisedAt: &later}, "", ""},
		{"OKAssessmentAfterSigning", shop.OrderReady, shop.OrderChanges{Terms: shop.Terms{AssessmentReference: ptrTo("DS-1")}}, "", ""},
		{"OKMovePromiseWithReason", shop.OrderInWork, shop.OrderChanges{PromisedAt: &later, Reason: ptrTo("等配件")}, "", ""},
		{"ErrTermsAfterSigning", shop.OrderSigned, shop.OrderChanges{Terms: shop.Terms{WashRequested: ptrTo(true)}}, shop.EINVALIDTRANSITION, ""},
		{"ErrSettled", shop.OrderSettled, shop.OrderChanges{PromisedAt: &later, Reason: ptrTo("x")}, shop.EINVALIDTRANSITION, ""},
		{"ErrDelivered", shop.OrderDelivered, shop.OrderChanges{Terms: shop.Terms{AssessmentReference: ptrTo("DS-1")}}, shop.EINVALIDTRANSITION, ""},
		{"ErrMovePromiseWithoutReason", shop.OrderInWork, shop.OrderChanges{PromisedAt: &later}, shop.EINVALID, "reason"},
		{"ErrMovePromiseBlankReason", shop.OrderSigned, shop.OrderChanges{PromisedAt: &later, Reason: ptrTo("  ")}, shop.EINVALID, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(tt.state)
			got, ev, err := shop.EditOrder(o, tt.in)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if got.PromisedAt != o.PromisedAt || got.WashRequested != o.WashRequested {
					t.Fatalf("order=%+v, want it unchanged", got)
				}
				return
			}
			wantOK(t, err)
			if ev.Kind != shop.EventOrderEdited || *ev.OrderID != o.ID {
				t.Fatalf("event=%+v, want ORDER_EDITED of order %d", ev, o.ID)
			}
			if tt.in.PromisedAt != nil && !got.PromisedAt.Equal(later) {
				t.Fatalf("promisedAt=%v, want %v", got.PromisedAt, later)
			}
			if tt.in.Reason != nil && !strings.Contains(ev.Summary, "Promised time moved") {
				t.Fatalf("summary=%q, want the moved promise", ev.Summary)
			}
		})
	}
}

func TestNewJobAndPartLine(t *testing.T) {
	o := order(shop.OrderDraft)
	o.UnderWarranty = true
	t.Run("OK", func(t *testing.T) {
		j, err := shop.NewJob(&o, shop.JobLineInput{Description: "换刹车片", LabourMinutes: 90}, 20000, "jobs[0]", t0)
		wantOK(t, err)
		if j.LabourPrice != 30000 || j.Payer != shop.PayerWarranty || j.State != shop.JobWaitingDispatch {
			t.Fatalf("job=%+v, want 300.00 at the rate, paid by the warranty, WAITING_DISPATCH", j)
		}
		pl, err := shop.NewPartLine(&o, &j.ID, shop.PartLineInput{PartNumber: " 04465-33450 ", Quantity: 2},
			&shop.Part{ID: 3, Description: "刹车片", UnitPrice: 45000}, "parts[0]", t0)
		wantOK(t, err)
		if pl.PartNumber != "04465-33450" || pl.UnitPrice != 45000 || pl.Description != "刹车片" || *pl.PartID != 3 || pl.Total() != 90000 {
			t.Fatalf("line=%+v, want the catalogue's price and description", pl)
		}
	})
	t.Run("ErrLabourMinutes", func(t *testing.T) {
		_, err := shop.NewJob(&o, shop.JobLineInput{Description: "x", LabourMinutes: 0}, 20000, "jobs[1]", t0)
		wantErr(t, err, shop.EINVALID, "jobs[1].labourMinutes")
	})
	t.Run("ErrNoDescription", func(t *testing.T) {
		_, err := shop.NewJob(&o, shop.JobLineInput{LabourMinutes: 10}, 20000, "job", t0)
		wantErr(t, err, shop.EINVALID, "job.description")
	})
	t.Run("ErrQuantity", func(t *testing.T) {
		_, err := shop.NewPartLine(&o, nil, shop.PartLineInput{PartNumber: "P", Quantity: 0}, &shop.Part{ID: 3}, "parts[2]", t0)
		wantErr(t, err, shop.EINVALID, "parts[2].quantity")
	})
	t.Run("ErrUnpricedOffCatalogue", func(t *testing.T) {
		_, err := shop.NewPartLine(&o, nil, shop.PartLineInput{PartNumber: "P", Quantity: 1, Description: ptrTo("x")}, nil, "part", t0)
		wantErr(t, err, shop.EINVALID, "part.unitPrice")
	})
	t.Run("ErrUndescribedOffCatalogue", func(t *testing.T) {
		_, err := shop.NewPartLine(&o, nil, shop.PartLineInput{PartNumber: "P", Quantity: 1, UnitPrice: ptrTo(shop.Money(100))}, nil, "part", t0)
		wantErr(t, err, shop.EINVALID, "part.description")
	})
	t.Run("ErrNoPartNumber", func(t *testing.T) {
		_, err := shop.NewPartLine(&o, nil, shop.PartLineInput{Quantity: 1}, nil, "parts[1]", t0)
		wantErr(t, err, shop.EINVALID, "parts[1].partNumber")
	})
	t.Run("ErrJobIndex", func(t *testing.T) {
		_, err := shop.LineJob("parts[0]", ptrTo(2), []shop.JobID{1, 2})
		wantErr(t, err, shop.EINVALID, "parts[0].jobIndex")
	})
}

func TestOrderLines(t *testing.T) {
	jobs := []*shop.Job{jobOf(1, shop.JobWaitingDispatch)}
	t.Run("OK", func(t *testing.T) {
		_, ev, err := shop.AddJob(order(shop.OrderDraft), shop.JobLineInput{Description: "四轮定位", LabourMinutes: 30}, 20000, t0)
		wantOK(t, err)
		if ev.Summary != "Job added: 四轮定位" {
			t.Fatalf("summary=%q, want %q", ev.Summary, "Job added: 四轮定位")
		}
		_, _, err = shop.AddPartLine(order(shop.OrderDraft), jobs, ptrTo(shop.JobID(1)), shop.PartLineInput{PartNumber: "P", Quantity: 1}, &shop.Part{ID: 2, Description: "d"}, t0)
		wantOK(t, err)
		_, err = shop.RemoveOrderLine(order(shop.OrderDraft), jobs, ptrTo(shop.JobID(1)), nil)
		wantOK(t, err)
	})
	t.Run("ErrPartOnSignedOrder", func(t *testing.T) {
		_, _, err := shop.AddPartLine(order(shop.OrderSigned), jobs, nil, shop.PartLineInput{Quantity: 1}, nil, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
	t.Run("ErrNotDraft", func(t *testing.T) {
		_, _, err := shop.AddJob(order(shop.OrderSigned), shop.JobLineInput{Description: "x", LabourMinutes: 30}, 0, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
	t.Run("ErrPartOfOtherJob", func(t *testing.T) {
		_, _, err := shop.AddPartLine(order(shop.OrderDraft), jobs, ptrTo(shop.JobID(9)), shop.PartLineInput{PartNumber: "P", Quantity: 1}, &shop.Part{ID: 2}, t0)
		wantErr(t, err, shop.ENOTFOUND, "jobId")
	})
	t.Run("ErrRemoveTwoLines", func(t *testing.T) {
		_, err := shop.RemoveOrderLine(order(shop.OrderDraft), jobs, ptrTo(shop.JobID(1)), ptrTo(shop.PartLineID(1)))
		wantErr(t, err, shop.EINVALID, "jobId")
	})
	t.Run("ErrRemoveNoLine", func(t *testing.T) {
		_, err := shop.RemoveOrderLine(order(shop.OrderDraft), jobs, nil, nil)
		wantErr(t, err, shop.EINVALID, "jobId")
	})
	t.Run("ErrRemoveOtherJob", func(t *testing.T) {
		_, err := shop.RemoveOrderLine(order(shop.OrderDraft), jobs, ptrTo(shop.JobID(9)), nil)
		wantErr(t, err, shop.ENOTFOUND, "jobId")
	})
}

func TestSignOrder(t *testing.T) {
	jobs := []*shop.Job{jobOf(1, shop.JobWaitingDispatch)}
	tests := []struct {
		name     string
		jobs     []*shop.Job
		signedBy string
		promised *time.Time
		prior    *time.Time
		want     time.Time
		code     string
		field    string
	}{
		{"OK", jobs, "黄先生", nil, nil, t0.Add(3 * time.Hour), "", ""},
		{"OKGivenPromise", jobs, "黄先生", ptrTo(t0.Add(5 * time.Hour)), nil, t0.Add(5 * time.Hour), "", ""},
		{"OKKeepsFuturePromise", jobs, "黄先生", nil, ptrTo(t0.Add(8 * time.Hour)), t0.Add(8 * time.Hour), "", ""},
		{"OKPastPromiseFallsBackToEstimate", jobs, "黄先生", nil, ptrTo(t0.Add(-time.Hour)), t0.Add(3 * time.Hour), "", ""},
		{"ErrNoJobs", nil, "黄先生", nil, nil, time.Time{}, shop.EINVALID, ""},
		{"ErrUnsigned", jobs, " ", nil, nil, time.Time{}, shop.EINVALID, "signedBy"},
		{"ErrPromiseInThePast", jobs, "黄先生", ptrTo(t0.Add(-time.Minute)), nil, time.Time{}, shop.EINVALID, "promisedAt"},
		{"ErrPromiseNow", jobs, "黄先生", ptrTo(t0), nil, time.Time{}, shop.EINVALID, "promisedAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := order(shop.OrderDraft)
			o.PromisedAt = tt.prior
			got, ev, err := shop.SignOrder(o, tt.jobs, tt.signedBy, tt.promised, t0)
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if got.State != shop.OrderDraft {
					t.Fatalf("state=%v, want %v", got.State, shop.OrderDraft)
				}
				return
			}
			wantOK(t, err)
			if got.State != shop.OrderSigned || !got.PromisedAt.Equal(tt.want) || got.SignedBy != "黄先生" || ev.Kind != shop.EventOrderSigned {
				t.Fatalf("state=%v promised=%v, want %v promised %v", got.State, got.PromisedAt, shop.OrderSigned, tt.want)
			}
		})
	}
	t.Run("ErrSigned", func(t *testing.T) {
		_, _, err := shop.SignOrder(order(shop.OrderSigned), jobs, "黄先生", nil, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}

func TestHandOverAndCancel(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		o, ev, err := shop.HandOverOrder(order(shop.OrderSigned), ptrTo(shop.PriorityUrgent), t0)
		wantOK(t, err)
		if o.State != shop.OrderInWork || o.Priority != shop.PriorityUrgent || !o.HandedOverAt.Equal(t0) || ev.Kind != shop.EventOrderHandedOver {
			t.Fatalf("state=%v priority=%v, want %v %v", o.State, o.Priority, shop.OrderInWork, shop.PriorityUrgent)
		}
		o, ev, err = shop.CancelOrder(order(shop.OrderSigned), " 客户取消 ", t0)
		wantOK(t, err)
		if o.State != shop.OrderCancelled || o.CancelReason != "客户取消" || ev.Summary != "Cancelled: 客户取消" {
			t.Fatalf("state=%v reason=%q, want %v", o.State, o.CancelReason, shop.OrderCancelled)
		}
	})
	t.Run("ErrHandOverDraft", func(t *testing.T) {
		_, _, err := shop.HandOverOrder(order(shop.OrderDraft), nil, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
	t.Run("ErrCancelWithoutReason", func(t *testing.T) {
		_, _, err := shop.CancelOrder(order(shop.OrderDraft), "", t0)
		wantErr(t, err, shop.EINVALID, "reason")
	})
	t.Run("ErrCancelInWork", func(t *testing.T) {
		_, _, err := shop.CancelOrder(order(shop.OrderInWork), "x", t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}

func TestFinalInspection(t *testing.T) {
	jobs := func() []*shop.Job {
		return []*shop.Job{jobOf(1, shop.JobDone), jobOf(2, shop.JobDone), jobOf(3, shop.JobDeclined)}
	}
	t.Run("OKWash", func(t *testing.T) {
		o := order(shop.OrderQC)
		o.WashRequested = true
		got, back, check, evs, err := shop.FinalInspection(o, jobs(), shop.History{}, shop.Inspection{Passed: true}, 9, t0)
		wantOK(t, err)
		if got.State != shop.OrderWash || len(back) != 0 || !check.Passed || check.Kind != shop.CheckFinal || len(evs) != 1 || evs[0].Kind != shop.EventQCPassed {
			t.Fatalf("state=%v events=%d, want %v and QC_PASSED only", got.State, len(evs), shop.OrderWash)
		}
	})
	t.Run("OKReady", func(t *testing.T) {
		o := order(shop.OrderQC)
		o.HandedOverAt = ptrTo(t0.Add(-2 * time.Hour))
		got, _, _, evs, err := shop.FinalInspection(o, jobs(), shop.History{}, shop.Inspection{Passed: true}, 9, t0)
		wantOK(t, err)
		if got.State != shop.OrderReady || !got.ReadyAt.Equal(t0) || got.NotifyBy == nil || len(evs) != 2 || evs[1].Kind != shop.EventOrderReady {
			t.Fatalf("state=%v events=%v, want %v with ORDER_READY", got.State, evs, shop.OrderReady)
		}
		if want := t0.Add(3 * time.Hour); !got.NotifyBy.Equal(want) {
			t.Fatalf("notifyBy=%v, want %v", got.NotifyBy, want)
		}
	})
	t.Run("OKFailedIsRework", func(t *testing.T) {
		o := order(shop.OrderQC)
		got, back, check, evs, err := shop.FinalInspection(o, jobs(), shop.History{}, shop.Inspection{Notes: ptrTo("漏油"), FailedJobIDs: []shop.JobID{2}}, 9, t0)
		wantOK(t, err)
		if got.State != shop.OrderInWork || got.ReworkCount != 1 || len(back) != 1 || back[0].ID != 2 ||
			back[0].State != shop.JobRework || back[0].ReworkCount != 1 || back[0].ReworkReason != "漏油" || check.Passed {
			t.Fatalf("state=%v back=%+v, want IN_WORK with job 2 in REWORK", got.State, back)
		}
		if evs[0].Kind != shop.EventQCFailed || evs[0].Summary != "FINAL check failed: 漏油" {
			t.Fatalf("event=%+v, want QC_FAILED with the notes", evs[0])
		}
	})
	tests := []struct {
		name  string
		state shop.OrderState
		in    shop.Inspection
		code  string
		field string
	}{
		{"ErrPassedNamesFailedJobs", shop.OrderQC, shop.Inspection{Passed: true, FailedJobIDs: []shop.JobID{1}}, shop.EINVALID, "failedJobIds"},
		{"ErrFailedWithoutNotes", shop.OrderQC, shop.Inspection{FailedJobIDs: []shop.JobID{1}}, shop.EINVALID, "notes"},
		{"ErrFailedWithoutJobs", shop.OrderQC, shop.Inspection{Notes: ptrTo("漏油")}, shop.EINVALID, "failedJobIds"},
		{"ErrFailedJobOfOtherOrder", shop.OrderQC, shop.Inspection{Notes: ptrTo("漏油"), FailedJobIDs: []shop.JobID{1, 99}}, shop.ENOTFOUND, "failedJobIds[1]"},
		{"ErrFailedDeclinedJob", shop.OrderQC, shop.Inspection{Notes: ptrTo("漏油"), FailedJobIDs: []shop.JobID{3}}, shop.EINVALIDTRANSITION, ""},
		{"ErrFailedJobTwice", shop.OrderQC, shop.Inspection{Notes: ptrTo("漏油"), FailedJobIDs: []shop.JobID{1, 1}}, shop.EINVALIDTRANSITION, ""},
		{"ErrNotInQC", shop.OrderInWork, shop.Inspection{Passed: true}, shop.EINVALIDTRANSITION, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := jobs()
			got, back, _, _, err := shop.FinalInspection(order(tt.state), js, shop.History{}, tt.in, 9, t0)
			wantErr(t, err, tt.code, tt.field)
			if got.State != tt.state || back != nil || js[0].State != shop.JobDone {
				t.Fatalf("state=%v, want %v and no job changed", got.State, tt.state)
			}
		})
	}
}

func TestFinishWash(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got, evs, err := shop.FinishWash(order(shop.OrderWash), t0)
		wantOK(t, err)
		if got.State != shop.OrderReady || len(evs) != 2 || evs[0].Kind != shop.EventWashFinished || evs[1].Kind != shop.EventOrderReady {
			t.Fatalf("state=%v events=%v, want READY, WASH_FINISHED then ORDER_READY", got.State, evs)
		}
	})
	t.Run("ErrNotWashing", func(t *testing.T) {
		_, _, err := shop.FinishWash(order(shop.OrderQC), t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}

func TestSettleOrder(t *testing.T) {
	jobs := []*shop.Job{jobOf(1, shop.JobDone)}
	parts := []*shop.PartLine{{JobID: ptrTo(shop.JobID(1)), Quantity: 2, UnitPrice: 500, Payer: shop.PayerCustomer}}
	t.Run("OK", func(t *testing.T) {
		got, s, ev, err := shop.SettleOrder(order(shop.OrderReady), jobs, parts, shop.SettleInput{PaymentMethod: ptrTo(shop.PayCard), PaymentReference: ptrTo("T-1")}, 8, t0)
		wantOK(t, err)
		if got.State != shop.OrderSettled || s.Total != 13000 || s.CustomerShare != 13000 || s.PaymentReference != "T-1" || ev.Kind != shop.EventOrderSettled {
			t.Fatalf("state=%v settlement=%+v, want SETTLED for 130.00", got.State, s)
		}
	})
	t.Run("ErrNoPaymentMethod", func(t *testing.T) {
		got, _, _, err := shop.SettleOrder(order(shop.OrderReady), jobs, parts, shop.SettleInput{}, 8, t0)
		wantErr(t, err, shop.EINVALID, "paymentMethod")
		if got.State != shop.OrderReady {
			t.Fatalf("state=%v, want %v", got.State, shop.OrderReady)
		}
	})
	t.Run("ErrNotReady", func(t *testing.T) {
		_, _, _, err := shop.SettleOrder(order(shop.OrderQC), jobs, parts, shop.SettleInput{PaymentMethod: ptrTo(shop.PayCard)}, 8, t0)
		wantErr(t, err, shop.EINVALIDTRANSITION, "")
	})
}

func TestDeliverOrder(t *testing.T) {
	tests := []struct {
		name  string
		state shop.OrderState
		in    shop.DeliveryInput
		exit  string
		code  string
		field string
	}{
		{"OK", shop.OrderSettled, shop.DeliveryInput{BelongingsChecked: true}, "EX-RO261124-00001", "", ""},
		{"OKGivenExitPass", shop.OrderSettled, shop.DeliveryInput{BelongingsChecked: true, ExitPass: ptrTo(" P-9 ")}, "P-9", "", ""},
		{"ErrBelongingsUnchecked", shop.OrderSettled, shop.DeliveryInput{}, "", shop.EINVALID, "belongingsChecked"},
		{"ErrExitPassTooLong", shop.OrderSettled, shop.DeliveryInput{BelongingsChecked: true, ExitPass: ptrTo(strings.Repeat("x", 41))}, "", shop.EINVALID, "exitPass"},
		{"ErrNextServiceMileage", shop.OrderSettled, shop.DeliveryInput{BelongingsChecked: true, NextServiceMileage: ptrTo(-5)}, "", shop.EINVALID, "nextServiceMileage"},
		{"ErrNotSettled", shop.OrderReady, shop.DeliveryInput{BelongingsChecked: true}, "", shop.EINVALIDTRANSITION, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, dv, ev, err := shop.DeliverOrder(order(tt.state), tt.in, nil, t0)
			exit := dv.ExitPass
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.field)
				if got.State != tt.state {
					t.Fatalf("state=%v, want %v", got.State, tt.state)
				}
				return
			}
			wantOK(t, err)
			if got.State != shop.OrderDelivered || exit != tt.exit || !dv.ClosesVisit || ev.Summary != "Delivered to the customer, exit pass "+tt.exit {
				t.Fatalf("state=%v exit=%q, want %v %q", got.State, exit, shop.OrderDelivered, tt.exit)
			}
		})
	}
}

func TestAfterJobs(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		o := order(shop.OrderInWork)
		got, changed, evs := shop.AfterJobs(o, []*shop.Job{jobOf(1, shop.JobDone), jobOf(2, shop.JobCancelled)}, t0)
		if got.State != shop.OrderQC || !changed || len(evs) != 1 || evs[0].Kind != shop.EventOrderSubmittedQC {
			t.Fatalf("state=%v changed=%v, want %v with ORDER_SUBMITTED_TO_QC", got.State, changed, shop.OrderQC)
		}
	})
	t.Run("OKStillWorking", func(t *testing.T) {
		o := shop.Restage(order(shop.OrderInWork), []*shop.Job{jobOf(1, shop.JobInProgress)}, t0)
		got, changed, evs := shop.AfterJobs(o, []*shop.Job{jobOf(1, shop.JobInProgress)}, t0.Add(time.Minute))
		if got.State != shop.OrderInWork || changed || len(evs) != 0 {
			t.Fatalf("state=%v changed=%v, want %v unchanged", got.State, changed, shop.OrderInWork)
		}
	})
}

func TestDeliveryClosesVisit(t *testing.T) {
	in := shop.DeliveryInput{BelongingsChecked: true}
	tests := []struct {
		name   string
		others []shop.OrderState
		closes bool
	}{
		{"OK", nil, true},
		{"OKOthersClosed", []shop.OrderState{shop.OrderDelivered, shop.OrderCancelled}, true},
		{"OKOtherStillOpen", []shop.OrderState{shop.OrderCancelled, shop.OrderReady}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, dv, _, err := shop.DeliverOrder(order(shop.OrderSettled), in, tt.others, t0)
			wantOK(t, err)
			if dv.ClosesVisit != tt.closes {
				t.Fatalf("closesVisit=%v, want %v", dv.ClosesVisit, tt.closes)
			}
		})
	}
}
