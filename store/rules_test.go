package store_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// sqlText matches what must never reach a user: SQL or driver wording.
var sqlText = regexp.MustCompile(`(?i)\b(select|insert|update|delete|violates|constraint|relation|column|pq|sql|syntax)\b`)

// rejected runs call, checks that it fails with code — and with field, unless
// field is "-" — with a readable message, and that it changed nothing.
func rejected(t *testing.T, db *store.DB, code, field string, call func() error) error {
	t.Helper()
	before := storetest.Snapshot(t, db)
	err := call()
	if got := shop.ErrorCode(err); got != code {
		t.Fatalf("code=%v (%v), want %v", got, err, code)
	}
	if got := shop.ErrorField(err); field != "-" && got != field {
		t.Fatalf("field=%q (%s), want %q", got, shop.ErrorMessage(err), field)
	}
	if msg := shop.ErrorMessage(err); msg == "" || sqlText.MatchString(msg) {
		t.Fatalf("message=%q, want a readable sentence without SQL", msg)
	}
	if after := storetest.Snapshot(t, db); after != before {
		t.Fatalf("a rejected call changed the records:\nbefore %s\nafter  %s", before, after)
	}
	return err
}

func ok[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestIllegalTransitions tries every kind of action in a state that does not
// allow it: each gets INVALID_TRANSITION naming the state and the action, and
// nothing changes.
func TestIllegalTransitions(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, fm, tech, lead, qc, cash := storetest.Ctx(f.Advisor), storetest.Ctx(f.Foreman), storetest.Ctx(f.Tech), storetest.Ctx(f.Lead), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier)

	draft := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
	signed := f.MustCar(t, db, shop.OrderSigned, storetest.CarOptions{})
	inWork := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 3})
	qcCar := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{})
	wash := f.MustCar(t, db, shop.OrderWash, storetest.CarOptions{})
	ready := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})
	settled := f.MustCar(t, db, shop.OrderSettled, storetest.CarOptions{})
	delivered := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{})
	cancelled := f.MustCar(t, db, shop.OrderCancelled, storetest.CarOptions{})
	approved := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Extra: true})

	// inWork: job 0 DISPATCHED, job 1 IN_PROGRESS, job 2 FINISHED; one request PENDING_APPROVAL.
	dispatched, running, finished := inWork.Jobs[0].ID, inWork.Jobs[1].ID, inWork.Jobs[2].ID
	ok[*shop.Job](t)(db.StartJob(tech, store.JobRef{JobID: running}))
	ok[*shop.Job](t)(db.StartJob(tech, store.JobRef{JobID: finished}))
	ok[*shop.Job](t)(db.FinishJob(tech, store.JobRef{JobID: finished}))
	pending := ok[*shop.AdditionalWork](t)(db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: inWork.Order.ID,
		Description: "更换空调滤芯", Reason: "滤芯脏", LabourMinutes: 20}))
	ap := ok[*shop.Appointment](t)(db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: f.OpenAt(time.Now().Add(time.Hour)),
		CustomerID: &draft.Customer, VehicleID: &draft.Vehicle, RequestedWork: "保养"}))
	ok[*shop.Visit](t)(db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, AppointmentID: &ap.ID, Mileage: 31000, FuelLevel: 50,
		KeyTag: "K-2", Complaint: "保养", WalkaroundSigned: true}))
	findings := "复查"

	tests := []struct {
		name          string
		call          func() error
		state, action string // both must appear in the message
	}{
		{"SignSigned", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: signed.Order.ID, SignedBy: "黄先生"})
			return err
		}, "(SIGNED)", "(SIGN)"},
		{"SignCancelled", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: cancelled.Order.ID, SignedBy: "黄先生"})
			return err
		}, "(CANCELLED)", "(SIGN)"},
		{"HandOverDraft", func() error {
			_, err := db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: draft.Order.ID})
			return err
		}, "(DRAFT)", "(HAND_OVER)"},
		{"CancelInWork", func() error {
			_, err := db.CancelRepairOrder(adv, store.CancelRepairOrderInput{OrderID: inWork.Order.ID, Reason: "客户取消"})
			return err
		}, "(IN_WORK)", "(CANCEL)"},
		{"AddJobSigned", func() error {
			_, err := db.AddJob(adv, store.AddJobInput{OrderID: signed.Order.ID, Job: store.JobLineInput{Description: "洗车", LabourMinutes: 10}})
			return err
		}, "(SIGNED)", "(EDIT)"},
		{"EditTermsInWork", func() error {
			_, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: inWork.Order.ID, Findings: &findings})
			return err
		}, "(IN_WORK)", "(EDIT)"},
		{"RequestExtraDraft", func() error {
			_, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: draft.Order.ID, Description: "x", Reason: "y", LabourMinutes: 10})
			return err
		}, "(DRAFT)", "(WORK)"},
		{"RequestExtraQC", func() error {
			_, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: qcCar.Order.ID, Description: "x", Reason: "y", LabourMinutes: 10})
			return err
		}, "(QC)", "(WORK)"},
		{"PassQCInWork", func() error {
			_, err := db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: inWork.Order.ID, Passed: true})
			return err
		}, "(IN_WORK)", "(PASS_QC)"},
		{"FailQCReady", func() error {
			_, err := db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: ready.Order.ID, Notes: ptr("漏油"), FailedJobIDs: []shop.JobID{ready.Jobs[0].ID}})
			return err
		}, "(READY)", "(FAIL_QC)"},
		{"FinishWashQC", func() error {
			_, err := db.FinishWash(adv, store.OrderRef{OrderID: qcCar.Order.ID})
			return err
		}, "(QC)", "(FINISH_WASH)"},
		{"SettleWash", func() error {
			_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: wash.Order.ID})
			return err
		}, "(WASH)", "(SETTLE)"},
		{"SettleSettled", func() error {
			_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: settled.Order.ID})
			return err
		}, "(SETTLED)", "(SETTLE)"},
		{"DeliverReady", func() error {
			_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: ready.Order.ID, BelongingsChecked: true})
			return err
		}, "(READY)", "(DELIVER)"},
		{"DeliverDelivered", func() error {
			_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: delivered.Order.ID, BelongingsChecked: true})
			return err
		}, "(DELIVERED)", "(DELIVER)"},
		{"DispatchJobOfSignedOrder", func() error {
			_, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: signed.Jobs[0].ID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID})
			return err
		}, "(SIGNED)", "(DISPATCH)"},
		{"FinishDispatched", func() error { _, err := db.FinishJob(tech, store.JobRef{JobID: dispatched}); return err },
			"(DISPATCHED)", "(FINISH)"},
		{"PauseDispatched", func() error {
			_, err := db.PauseJob(tech, store.PauseJobInput{JobID: dispatched, Reason: shop.PauseBreak})
			return err
		}, "(DISPATCHED)", "(PAUSE)"},
		{"ResumeInProgress", func() error { _, err := db.ResumeJob(tech, store.JobRef{JobID: running}); return err },
			"(IN_PROGRESS)", "(RESUME)"},
		{"SelfCheckInProgress", func() error {
			_, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: running, Passed: true})
			return err
		}, "(IN_PROGRESS)", "(SELF_CHECK)"},
		{"TeamLeadCheckFinished", func() error {
			_, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: finished, Passed: true})
			return err
		}, "(FINISHED)", "(TEAM_LEAD_CHECK)"},
		{"ProgressFinished", func() error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: finished, Progress: 50})
			return err
		}, "(FINISHED)", "(REPORT_PROGRESS)"},
		{"ProgressDoneInQC", func() error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: qcCar.Jobs[0].ID, Progress: 50})
			return err
		}, "(DONE)", "(REPORT_PROGRESS)"},
		{"StartPendingApproval", func() error { _, err := db.StartJob(tech, store.JobRef{JobID: pending.JobID}); return err },
			"(PENDING_APPROVAL)", "(START)"},
		{"DispatchPendingApproval", func() error {
			_, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: pending.JobID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID})
			return err
		}, "(PENDING_APPROVAL)", "(DISPATCH)"},
		{"DeclineApproved", func() error {
			_, err := db.DeclineAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: approved.Extra.ID, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone})
			return err
		}, "(APPROVED)", "(DECLINE)"},
		{"ApproveApproved", func() error {
			_, err := db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: approved.Extra.ID, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone})
			return err
		}, "(APPROVED)", "(APPROVE)"},
		{"CreateOrderDeliveredVisit", func() error {
			_, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: delivered.Visit.ID, WorkType: shop.WorkRepair})
			return err
		}, "(DELIVERED)", "(CREATE_ORDER)"},
		{"MovePromiseDelivered", func() error {
			_, err := db.UpdateRepairOrder(adv, store.UpdateRepairOrderInput{OrderID: delivered.Order.ID, PromisedAt: ptr(time.Now().Add(time.Hour)), Reason: ptr("x")})
			return err
		}, "(DELIVERED)", "(EDIT)"},
		{"CancelArrivedAppointment", func() error {
			_, err := db.CancelAppointment(adv, store.CancelAppointmentInput{AppointmentID: ap.ID, Reason: "改期"})
			return err
		}, "(ARRIVED)", "(CANCEL)"},
		{"ReceiveArrivedAppointment", func() error {
			_, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, AppointmentID: &ap.ID, Mileage: 31000, FuelLevel: 50,
				KeyTag: "K-3", Complaint: "保养", WalkaroundSigned: true})
			return err
		}, "(ARRIVED)", "(RECEIVE)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rejected(t, db, shop.EINVALIDTRANSITION, "-", tt.call)
			if msg := shop.ErrorMessage(err); !strings.Contains(msg, tt.state) || !strings.Contains(msg, tt.action) {
				t.Fatalf("message=%q, want it to name the state %s and the action %s", msg, tt.state, tt.action)
			}
		})
	}
}

// TestBadInput sends malformed or impossible input: each gets a typed error
// naming the field, never INTERNAL or SQL text, and nothing changes.
func TestBadInput(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, fm, tech, lead, qc, cash := storetest.Ctx(f.Advisor), storetest.Ctx(f.Foreman), storetest.Ctx(f.Tech), storetest.Ctx(f.Lead), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier)

	draft := f.MustCar(t, db, shop.OrderDraft, storetest.CarOptions{})
	inWork := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 3})
	qcCar := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{})
	ready := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})
	settled := f.MustCar(t, db, shop.OrderSettled, storetest.CarOptions{})
	running, finished := inWork.Jobs[0].ID, inWork.Jobs[1].ID
	ok[*shop.Job](t)(db.StartJob(tech, store.JobRef{JobID: running}))
	ok[*shop.Job](t)(db.StartJob(tech, store.JobRef{JobID: finished}))
	ok[*shop.Job](t)(db.FinishJob(tech, store.JobRef{JobID: finished}))
	ok[*shop.Job](t)(db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: finished, Passed: true}))
	pending := ok[*shop.AdditionalWork](t)(db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: inWork.Order.ID,
		Description: "更换空调滤芯", Reason: "滤芯脏", LabourMinutes: 20}))
	otherBay := &shop.Bay{SiteID: f.Other.ID, Code: "G01"}
	if err := db.CreateBay(context.Background(), otherBay); err != nil {
		t.Fatal(err)
	}
	ok[*shop.Visit](t)(db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 1, FuelLevel: 1, KeyTag: "K", Complaint: "x",
		Customer: &store.NewCustomerInput{Name: "钱先生", Phone: "13700137000"},
		Vehicle:  &store.NewVehicleInput{Plate: "粤BTAKEN", VIN: ptr("1M8GDM9AXKP042788"), Make: "丰田", Model: "卡罗拉"}}))

	const unknown = 987654321
	long := strings.Repeat("很", 5000)
	newCar := func(mod func(in *store.ReceiveVehicleInput)) func() error {
		return func() error {
			in := store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 1000, FuelLevel: 50, KeyTag: "K-1", Complaint: "异响", WalkaroundSigned: true,
				Customer: &store.NewCustomerInput{Name: "赵女士", Phone: "13600136000"},
				Vehicle:  &store.NewVehicleInput{Plate: "粤B7B7B7", VIN: ptr("1HGCM82633A004352"), Make: "本田", Model: "思域"}}
			mod(&in)
			_, err := db.ReceiveVehicle(adv, in)
			return err
		}
	}
	newOrder := func(mod func(in *store.CreateRepairOrderInput)) func() error {
		return func() error {
			in := store.CreateRepairOrderInput{VisitID: draft.Visit.ID, WorkType: shop.WorkRepair,
				Jobs:  []*store.JobLineInput{{Description: "检查", LabourMinutes: 30}},
				Parts: []*store.PartLineInput{{PartNumber: "P-9", Description: ptr("滤清器"), Quantity: 1, UnitPrice: ptr(shop.Money(100))}}}
			mod(&in)
			_, err := db.CreateRepairOrder(adv, in)
			return err
		}
	}
	extra := func(mod func(in *store.RequestAdditionalWorkInput)) func() error {
		return func() error {
			in := store.RequestAdditionalWorkInput{OrderID: inWork.Order.ID, Description: "更换刹车片", Reason: "磨损", LabourMinutes: 30, ExtraMinutes: 30}
			mod(&in)
			_, err := db.RequestAdditionalWork(tech, in)
			return err
		}
	}

	tests := []struct {
		name        string
		code, field string
		call        func() error
	}{
		// Unknown IDs.
		{"ErrUnknownOrder", shop.ENOTFOUND, "orderId", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: unknown, SignedBy: "黄先生"})
			return err
		}},
		{"ErrUnknownJob", shop.ENOTFOUND, "jobId", func() error { _, err := db.StartJob(tech, store.JobRef{JobID: unknown}); return err }},
		{"ErrUnknownVisit", shop.ENOTFOUND, "visitId", newOrder(func(in *store.CreateRepairOrderInput) { in.VisitID = unknown })},
		{"ErrUnknownAdditionalWork", shop.ENOTFOUND, "additionalWorkId", func() error {
			_, err := db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: unknown, CustomerContact: "x", ContactMethod: shop.ContactPhone})
			return err
		}},
		{"ErrUnknownAppointment", shop.ENOTFOUND, "appointmentId", func() error {
			_, err := db.CancelAppointment(adv, store.CancelAppointmentInput{AppointmentID: unknown, Reason: "x"})
			return err
		}},
		{"ErrUnknownCustomer", shop.ENOTFOUND, "customerId", newCar(func(in *store.ReceiveVehicleInput) {
			in.Customer, in.CustomerID = nil, ptr(shop.CustomerID(unknown))
		})},
		{"ErrUnknownVehicle", shop.ENOTFOUND, "vehicleId", newCar(func(in *store.ReceiveVehicleInput) {
			in.Customer, in.Vehicle, in.VehicleID = nil, nil, ptr(shop.VehicleID(unknown))
		})},
		{"ErrUnknownTechnician", shop.ENOTFOUND, "technicianId", func() error {
			_, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: inWork.Jobs[2].ID, TechnicianID: unknown, BayID: f.Bay.ID})
			return err
		}},
		{"ErrBayOfOtherSite", shop.ENOTFOUND, "bayId", func() error {
			_, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: inWork.Jobs[2].ID, TechnicianID: f.Tech.ID, BayID: otherBay.ID})
			return err
		}},
		{"ErrNotATechnician", shop.EINVALID, "technicianId", func() error {
			_, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: inWork.Jobs[2].ID, TechnicianID: f.Cashier.ID, BayID: f.Bay.ID})
			return err
		}},
		{"ErrFailedJobOfOtherOrder", shop.ENOTFOUND, "failedJobIds[0]", func() error {
			_, err := db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: qcCar.Order.ID, Notes: ptr("漏油"), FailedJobIDs: []shop.JobID{running}})
			return err
		}},
		{"ErrPartLineOnJobOfOtherOrder", shop.ENOTFOUND, "jobId", func() error {
			_, err := db.AddPartLine(adv, store.AddPartLineInput{OrderID: draft.Order.ID, JobID: &running,
				Part: store.PartLineInput{PartNumber: "P-1", Description: ptr("x"), Quantity: 1, UnitPrice: ptr(shop.Money(1))}})
			return err
		}},
		{"ErrRemoveUnknownLine", shop.ENOTFOUND, "jobId", func() error {
			_, err := db.RemoveOrderLine(adv, store.RemoveOrderLineInput{OrderID: draft.Order.ID, JobID: ptr(shop.JobID(unknown))})
			return err
		}},

		// Quantities, times and money.
		{"ErrNegativeQuantity", shop.EINVALID, "parts[0].quantity", newOrder(func(in *store.CreateRepairOrderInput) { in.Parts[0].Quantity = -1 })},
		{"ErrZeroQuantity", shop.EINVALID, "part.quantity", func() error {
			_, err := db.AddPartLine(adv, store.AddPartLineInput{OrderID: draft.Order.ID,
				Part: store.PartLineInput{PartNumber: "P-1", Description: ptr("x"), Quantity: 0, UnitPrice: ptr(shop.Money(1))}})
			return err
		}},
		{"ErrZeroLabour", shop.EINVALID, "jobs[0].labourMinutes", newOrder(func(in *store.CreateRepairOrderInput) { in.Jobs[0].LabourMinutes = 0 })},
		{"ErrNegativeLabourAddJob", shop.EINVALID, "job.labourMinutes", func() error {
			_, err := db.AddJob(adv, store.AddJobInput{OrderID: draft.Order.ID, Job: store.JobLineInput{Description: "x", LabourMinutes: -5}})
			return err
		}},
		{"ErrNegativeLabourPrice", shop.EINVALID, "jobs[0].labourPrice", newOrder(func(in *store.CreateRepairOrderInput) {
			in.Jobs[0].LabourPrice = ptr(shop.Money(-1))
		})},
		{"ErrNegativeUnitPrice", shop.EINVALID, "parts[0].unitPrice", newOrder(func(in *store.CreateRepairOrderInput) {
			in.Parts[0].UnitPrice = ptr(shop.Money(-320))
		})},
		{"ErrTooMuchMoney", shop.EINVALID, "parts[0].unitPrice", newOrder(func(in *store.CreateRepairOrderInput) {
			in.Parts[0].UnitPrice = ptr(shop.MaxMoney + 1)
		})},
		{"ErrUnpricedPart", shop.EINVALID, "parts[0].unitPrice", newOrder(func(in *store.CreateRepairOrderInput) { in.Parts[0].UnitPrice = nil })},
		{"ErrJobIndex", shop.EINVALID, "parts[0].jobIndex", newOrder(func(in *store.CreateRepairOrderInput) { in.Parts[0].JobIndex = ptr(3) })},
		{"ErrNegativeDeposit", shop.EINVALID, "deposit", func() error {
			_, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, CustomerID: &draft.Customer, VehicleID: &draft.Vehicle,
				ScheduledAt: f.OpenAt(time.Now().Add(time.Hour)), RequestedWork: "保养", Deposit: ptr(shop.Money(-100))})
			return err
		}},
		{"ErrBookedInThePast", shop.EINVALID, "scheduledAt", func() error {
			_, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, CustomerID: &draft.Customer, VehicleID: &draft.Vehicle,
				ScheduledAt: time.Now().Add(-48 * time.Hour), RequestedWork: "保养"})
			return err
		}},
		{"ErrProgress101", shop.EINVALID, "progress", func() error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: running, Progress: 101})
			return err
		}},
		{"ErrProgressNegative", shop.EINVALID, "progress", func() error {
			_, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: running, Progress: -1})
			return err
		}},
		{"ErrNegativeMileage", shop.EINVALID, "mileage", newCar(func(in *store.ReceiveVehicleInput) { in.Mileage = -1 })},
		{"ErrVehicleMileage", shop.EINVALID, "vehicle.mileage", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Mileage = ptr(-3) })},
		{"ErrFuel101", shop.EINVALID, "fuelLevel", newCar(func(in *store.ReceiveVehicleInput) { in.FuelLevel = 101 })},
		{"ErrModelYear", shop.EINVALID, "vehicle.year", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Year = ptr(1800) })},
		{"ErrNextServiceMileage", shop.EINVALID, "nextServiceMileage", func() error {
			_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: settled.Order.ID, BelongingsChecked: true, NextServiceMileage: ptr(-5)})
			return err
		}},
		{"ErrNegativeExtraMinutes", shop.EINVALID, "extraMinutes", extra(func(in *store.RequestAdditionalWorkInput) { in.ExtraMinutes = -1 })},
		{"ErrExtraLabour", shop.EINVALID, "labourMinutes", extra(func(in *store.RequestAdditionalWorkInput) { in.LabourMinutes = 0 })},
		{"ErrExtraLabourPrice", shop.EINVALID, "labourPrice", extra(func(in *store.RequestAdditionalWorkInput) { in.LabourPrice = ptr(shop.Money(-1)) })},
		{"ErrExtraPartQuantity", shop.EINVALID, "parts[1].quantity", extra(func(in *store.RequestAdditionalWorkInput) {
			in.Parts = []*store.PartLineInput{{PartNumber: "A", Description: ptr("a"), Quantity: 1, UnitPrice: ptr(shop.Money(1))},
				{PartNumber: "B", Description: ptr("b"), Quantity: -2, UnitPrice: ptr(shop.Money(1))}}
		})},

		// Identities of cars and people.
		{"ErrMalformedVIN", shop.EINVALID, "vehicle.vin", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.VIN = ptr("12345") })},
		{"ErrVINWithO", shop.EINVALID, "vehicle.vin", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.VIN = ptr("1HGCM82633AOO4352") })},
		{"ErrVINCheckDigit", shop.EINVALID, "vehicle.vin", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.VIN = ptr("1HGCM82643A004352") })},
		{"ErrMalformedPlate", shop.EINVALID, "vehicle.plate", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Plate = "ABC-123" })},
		{"ErrEmptyPlate", shop.EINVALID, "vehicle.plate", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Plate = "" })},
		{"ErrMalformedPhone", shop.EINVALID, "customer.phone", newCar(func(in *store.ReceiveVehicleInput) { in.Customer.Phone = "12345" })},
		{"ErrDuplicatePlate", shop.ECONFLICT, "vehicle.plate", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Plate = "粤B·TAKEN" })},
		{"ErrDuplicateVIN", shop.ECONFLICT, "vehicle.vin", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.VIN = ptr("1m8gdm9axkp042788") })},
		{"ErrCustomerTwice", shop.EINVALID, "customer", newCar(func(in *store.ReceiveVehicleInput) { in.CustomerID = &draft.Customer })},
		{"ErrNoVehicle", shop.EINVALID, "vehicle", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle = nil })},
		{"ErrVehicleOfAnotherCustomer", shop.EINVALID, "vehicleId", newCar(func(in *store.ReceiveVehicleInput) {
			in.Customer, in.Vehicle, in.CustomerID, in.VehicleID = nil, nil, &draft.Customer, &ready.Vehicle
		})},

		// Required and oversized text.
		{"ErrEmptyComplaint", shop.EINVALID, "complaint", newCar(func(in *store.ReceiveVehicleInput) { in.Complaint = "  \n " })},
		{"ErrLongComplaint", shop.EINVALID, "complaint", newCar(func(in *store.ReceiveVehicleInput) { in.Complaint = long })},
		{"ErrControlCharacter", shop.EINVALID, "complaint", newCar(func(in *store.ReceiveVehicleInput) { in.Complaint = "刹车\x00异响" })},
		{"ErrEmptyKeyTag", shop.EINVALID, "keyTag", newCar(func(in *store.ReceiveVehicleInput) { in.KeyTag = "" })},
		{"ErrEmptyCustomerName", shop.EINVALID, "customer.name", newCar(func(in *store.ReceiveVehicleInput) { in.Customer.Name = " " })},
		{"ErrLongCustomerName", shop.EINVALID, "customer.name", newCar(func(in *store.ReceiveVehicleInput) { in.Customer.Name = long[:900] })},
		{"ErrLongMake", shop.EINVALID, "vehicle.make", newCar(func(in *store.ReceiveVehicleInput) { in.Vehicle.Make = long })},
		{"ErrEmptyDamage", shop.EINVALID, "damages[1].description", newCar(func(in *store.ReceiveVehicleInput) {
			in.Damages = []*store.DamageInput{{Location: "左前门", Description: "划痕"}, {Location: "后保险杠", Description: ""}}
		})},
		{"ErrLongBelonging", shop.EINVALID, "belongings[0]", newCar(func(in *store.ReceiveVehicleInput) { in.Belongings = []string{long} })},
		{"ErrTooManyBelongings", shop.EINVALID, "belongings", newCar(func(in *store.ReceiveVehicleInput) {
			in.Belongings = make([]string, shop.MaxListItems+1)
		})},
		{"ErrLongFindings", shop.EINVALID, "findings", newOrder(func(in *store.CreateRepairOrderInput) { in.Findings = &long })},
		{"ErrEmptyJobDescription", shop.EINVALID, "jobs[0].description", newOrder(func(in *store.CreateRepairOrderInput) { in.Jobs[0].Description = "" })},
		{"ErrEmptyPartNumber", shop.EINVALID, "parts[0].partNumber", newOrder(func(in *store.CreateRepairOrderInput) { in.Parts[0].PartNumber = "" })},
		{"ErrInsurerMissing", shop.EINVALID, "insurerName", newOrder(func(in *store.CreateRepairOrderInput) { in.InsuranceClaim = ptr(true) })},
		{"ErrEmptySignature", shop.EINVALID, "signedBy", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: draft.Order.ID, SignedBy: ""})
			return err
		}},
		{"ErrPromisedInThePast", shop.EINVALID, "promisedAt", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: draft.Order.ID, SignedBy: "黄先生", PromisedAt: ptr(time.Now().Add(-time.Hour))})
			return err
		}},
		{"ErrEmptyExtraDescription", shop.EINVALID, "description", extra(func(in *store.RequestAdditionalWorkInput) { in.Description = "" })},
		{"ErrLongExtraReason", shop.EINVALID, "reason", extra(func(in *store.RequestAdditionalWorkInput) { in.Reason = long })},
		{"ErrEmptyCustomerContact", shop.EINVALID, "customerContact", func() error {
			_, err := db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: pending.ID, ContactMethod: shop.ContactPhone})
			return err
		}},
		{"ErrPauseWithoutNote", shop.EINVALID, "note", func() error {
			_, err := db.PauseJob(tech, store.PauseJobInput{JobID: running, Reason: shop.PauseOther})
			return err
		}},
		{"ErrFailedCheckWithoutNotes", shop.EINVALID, "notes", func() error {
			_, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: finished, Passed: false})
			return err
		}},
		{"ErrFailedQCWithoutJobs", shop.EINVALID, "failedJobIds", func() error {
			_, err := db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: qcCar.Order.ID, Notes: ptr("漏油")})
			return err
		}},
		{"ErrCancelWithoutReason", shop.EINVALID, "reason", func() error {
			_, err := db.CancelRepairOrder(adv, store.CancelRepairOrderInput{OrderID: draft.Order.ID, Reason: " "})
			return err
		}},
		{"ErrSettleWithoutPayment", shop.EINVALID, "paymentMethod", func() error {
			_, err := db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: ready.Order.ID, PaymentMethod: ptr(shop.PayNone)})
			return err
		}},
		{"ErrDeliverUnchecked", shop.EINVALID, "belongingsChecked", func() error {
			_, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: settled.Order.ID})
			return err
		}},
		{"ErrStaleVersion", shop.ECONFLICT, "expectedVersion", func() error {
			_, err := db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: draft.Order.ID, SignedBy: "黄先生", ExpectedVersion: ptr(draft.Order.Version - 1)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected(t, db, tt.code, tt.field, tt.call)
		})
	}
}

// TestSiteIsolation: an advisor of the other site cannot read or change this
// site's records, and gets the same answer as for an ID that does not exist.
func TestSiteIsolation(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	other := storetest.Ctx(f.OtherAdvisor)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Extra: true})
	signed := f.MustCar(t, db, shop.OrderSigned, storetest.CarOptions{})

	t.Run("ErrRead", func(t *testing.T) {
		if _, err := db.FindOrderByID(other, car.Order.ID); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("order: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		_, errMissing := db.FindOrderByID(other, 987654321)
		if _, err := db.FindOrderByID(other, car.Order.ID); shop.ErrorMessage(err) != shop.ErrorMessage(errMissing) {
			t.Fatalf("message=%q, want the same as for a missing order %q", shop.ErrorMessage(err), shop.ErrorMessage(errMissing))
		}
		if _, err := db.FindJobByID(other, car.Jobs[0].ID); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("job: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindCustomerByID(other, car.Customer); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("customer: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindVehicleByID(other, car.Vehicle); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("vehicle: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindVisitByID(other, car.Visit.ID); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("visit: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindAdditionalWorkByID(other, car.Extra.ID); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("additional work: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindOrders(other, store.OrderFilter{SiteID: f.Site.ID, First: 10}); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("orders of the site: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		if _, err := db.FindCustomers(other, store.CustomerFilter{SiteID: f.Site.ID, Query: "黄", First: 10}); shop.ErrorCode(err) != shop.ENOTFOUND {
			t.Fatalf("customer search: code=%v, want NOT_FOUND", shop.ErrorCode(err))
		}
		evs, err := db.FindEventsByOrder(other, car.Order.ID, 0, 100)
		if err != nil || len(evs) != 0 {
			t.Fatalf("timeline=%d events (err %v), want none", len(evs), err)
		}
		visits, err := db.FindVisitsByCustomer(other, car.Customer, nil, 10)
		if err != nil || len(visits) != 0 {
			t.Fatalf("visits=%d (err %v), want none", len(visits), err)
		}
		jobs, _ := db.FindJobsByOrderIDs(other, []shop.OrderID{car.Order.ID})
		parts, _ := db.FindPartLinesByOrderIDs(other, []shop.OrderID{car.Order.ID})
		extra, _ := db.FindAdditionalWorkByOrderIDs(other, []shop.OrderID{car.Order.ID})
		orders, _ := db.FindOrdersByVisitIDs(other, []shop.VisitID{car.Visit.ID})
		if len(jobs)+len(parts)+len(extra)+len(orders) != 0 {
			t.Fatalf("batched reads returned %d records of the other site, want none", len(jobs)+len(parts)+len(extra)+len(orders))
		}
	})

	tests := []struct {
		name, field string
		call        func() error
	}{
		{"ErrUpdateOrder", "orderId", func() error {
			_, err := db.UpdateRepairOrder(other, store.UpdateRepairOrderInput{OrderID: car.Order.ID, PromisedAt: ptr(time.Now().Add(time.Hour)), Reason: ptr("x")})
			return err
		}},
		{"ErrHandOver", "orderId", func() error {
			_, err := db.HandOverRepairOrder(other, store.HandOverRepairOrderInput{OrderID: signed.Order.ID})
			return err
		}},
		{"ErrApprove", "additionalWorkId", func() error {
			_, err := db.DeclineAdditionalWork(other, store.DecideAdditionalWorkInput{AdditionalWorkID: car.Extra.ID, CustomerContact: "x", ContactMethod: shop.ContactPhone})
			return err
		}},
		{"ErrCreateOrder", "visitId", func() error {
			_, err := db.CreateRepairOrder(other, store.CreateRepairOrderInput{VisitID: car.Visit.ID, WorkType: shop.WorkRepair})
			return err
		}},
		{"ErrReceiveTheirCustomer", "customerId", func() error {
			_, err := db.ReceiveVehicle(other, store.ReceiveVehicleInput{SiteID: f.Other.ID, CustomerID: &car.Customer, Mileage: 1, FuelLevel: 1,
				KeyTag: "K", Complaint: "x", Vehicle: &store.NewVehicleInput{Plate: "粤A12345", Make: "x", Model: "y"}})
			return err
		}},
		{"ErrBookAtTheirSite", "-", func() error {
			_, err := db.BookAppointment(other, store.BookAppointmentInput{SiteID: f.Site.ID, CustomerID: &car.Customer, VehicleID: &car.Vehicle,
				ScheduledAt: f.OpenAt(time.Now().Add(time.Hour)), RequestedWork: "x"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected(t, db, shop.ENOTFOUND, tt.field, tt.call)
		})
	}
	t.Run("ErrJobActions", func(t *testing.T) {
		// Even a manager of the other site: the site decides, not the role.
		mgr := &shop.User{Name: "钱经理", Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{f.Other.ID}}
		if err := db.CreateUser(context.Background(), mgr); err != nil {
			t.Fatal(err)
		}
		m := storetest.Ctx(mgr)
		rejected(t, db, shop.ENOTFOUND, "jobId", func() error { _, err := db.StartJob(m, store.JobRef{JobID: car.Jobs[0].ID}); return err })
		rejected(t, db, shop.ENOTFOUND, "jobId", func() error {
			_, err := db.ReportJobProgress(m, store.ReportJobProgressInput{JobID: car.Jobs[0].ID, Progress: 10})
			return err
		})
	})
}

// TestRoles: each role may do its own steps only; others get FORBIDDEN
// naming the role, and nothing changes.
func TestRoles(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv, tech := storetest.Ctx(f.Advisor), storetest.Ctx(f.Tech)
	inWork := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{})
	qcCar := f.MustCar(t, db, shop.OrderQC, storetest.CarOptions{})
	ready := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{})
	signed := f.MustCar(t, db, shop.OrderSigned, storetest.CarOptions{})
	ok[*shop.Job](t)(db.StartJob(tech, store.JobRef{JobID: inWork.Jobs[1].ID}))
	ok[*shop.Job](t)(db.FinishJob(tech, store.JobRef{JobID: inWork.Jobs[1].ID}))
	ok[*shop.Job](t)(db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: inWork.Jobs[1].ID, Passed: true}))
	pending := ok[*shop.AdditionalWork](t)(db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: inWork.Order.ID,
		Description: "更换空调滤芯", Reason: "滤芯脏", LabourMinutes: 20}))

	approve := func(u *shop.User) func() error {
		return func() error {
			_, err := db.ApproveAdditionalWork(storetest.Ctx(u), store.DecideAdditionalWorkInput{AdditionalWorkID: pending.ID, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone})
			return err
		}
	}
	dispatch := func(u *shop.User) func() error {
		return func() error {
			_, err := db.DispatchJob(storetest.Ctx(u), store.DispatchJobInput{JobID: inWork.Jobs[0].ID, TechnicianID: f.Tech.ID, BayID: f.Bay2.ID})
			return err
		}
	}
	settle := func(u *shop.User) func() error {
		return func() error {
			_, err := db.SettleRepairOrder(storetest.Ctx(u), store.SettleRepairOrderInput{OrderID: ready.Order.ID})
			return err
		}
	}
	tests := []struct {
		name string
		user *shop.User
		call func() error
	}{
		{"ErrTechnicianApproves", f.Tech, approve(f.Tech)},
		{"ErrForemanApproves", f.Foreman, approve(f.Foreman)},
		{"ErrBoardApproves", f.Board, approve(f.Board)},
		{"ErrCashierDispatches", f.Cashier, dispatch(f.Cashier)},
		{"ErrAdvisorDispatches", f.Advisor, dispatch(f.Advisor)},
		{"ErrTechnicianDispatches", f.Tech, dispatch(f.Tech)},
		{"ErrForemanSettles", f.Foreman, settle(f.Foreman)},
		{"ErrQCSettles", f.QC, settle(f.QC)},
		{"ErrAdvisorSettles", f.Advisor, settle(f.Advisor)},
		{"ErrTechnicianPassesQC", f.Tech, func() error {
			_, err := db.RecordFinalInspection(tech, store.RecordFinalInspectionInput{OrderID: qcCar.Order.ID, Passed: true})
			return err
		}},
		{"ErrAdvisorPassesQC", f.Advisor, func() error {
			_, err := db.RecordFinalInspection(adv, store.RecordFinalInspectionInput{OrderID: qcCar.Order.ID, Passed: true})
			return err
		}},
		{"ErrTechnicianTeamLeadCheck", f.Tech, func() error {
			_, err := db.RecordTeamLeadCheck(tech, store.RecordJobCheckInput{JobID: inWork.Jobs[1].ID, Passed: true})
			return err
		}},
		{"ErrCashierStartsJob", f.Cashier, func() error {
			_, err := db.StartJob(storetest.Ctx(f.Cashier), store.JobRef{JobID: inWork.Jobs[0].ID})
			return err
		}},
		{"ErrTechnicianSigns", f.Tech, func() error {
			_, err := db.SignRepairOrder(tech, store.SignRepairOrderInput{OrderID: signed.Order.ID, SignedBy: "黄先生"})
			return err
		}},
		{"ErrBoardHandsOver", f.Board, func() error {
			_, err := db.HandOverRepairOrder(storetest.Ctx(f.Board), store.HandOverRepairOrderInput{OrderID: signed.Order.ID})
			return err
		}},
		{"ErrBoardReceives", f.Board, func() error {
			_, err := db.ReceiveVehicle(storetest.Ctx(f.Board), store.ReceiveVehicleInput{SiteID: f.Site.ID, CustomerID: &inWork.Customer,
				VehicleID: &inWork.Vehicle, Mileage: 1, FuelLevel: 1, KeyTag: "K", Complaint: "x"})
			return err
		}},
		{"ErrBoardSearchesCustomers", f.Board, func() error {
			_, err := db.FindCustomers(storetest.Ctx(f.Board), store.CustomerFilter{SiteID: f.Site.ID, First: 10})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rejected(t, db, shop.EFORBIDDEN, "-", tt.call)
			if !strings.Contains(shop.ErrorMessage(err), string(tt.user.Role)) {
				t.Fatalf("message=%q, want it to name the role %s", shop.ErrorMessage(err), tt.user.Role)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		// The same steps by the right roles.
		if err := approve(f.Advisor)(); err != nil {
			t.Fatalf("advisor approves: %v", err)
		}
		if err := dispatch(f.Foreman)(); err != nil {
			t.Fatalf("foreman dispatches: %v", err)
		}
		if _, err := db.RecordTeamLeadCheck(storetest.Ctx(f.Lead), store.RecordJobCheckInput{JobID: inWork.Jobs[1].ID, Passed: true}); err != nil {
			t.Fatalf("team lead checks: %v", err)
		}
		if _, err := db.RecordFinalInspection(storetest.Ctx(f.QC), store.RecordFinalInspectionInput{OrderID: qcCar.Order.ID, Passed: true}); err != nil {
			t.Fatalf("QC passes: %v", err)
		}
		if err := settle(f.Cashier)(); err != nil {
			t.Fatalf("cashier settles: %v", err)
		}
	})
	t.Run("ErrUnauthenticated", func(t *testing.T) {
		rejected(t, db, shop.EUNAUTHENTICATED, "-", func() error {
			_, err := db.StartJob(context.Background(), store.JobRef{JobID: inWork.Jobs[0].ID})
			return err
		})
		if _, err := db.FindOrderByID(context.Background(), inWork.Order.ID); shop.ErrorCode(err) != shop.EUNAUTHENTICATED {
			t.Fatalf("code=%v, want UNAUTHENTICATED", shop.ErrorCode(err))
		}
	})
}

// TestRedaction: a board display sees customers' personal data masked; an
// advisor sees it whole.
func TestRedaction(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Extra: true})
	board, adv := storetest.Ctx(f.Board), storetest.Ctx(f.Advisor)

	full := ok[*shop.Vehicle](t)(db.FindVehicleByID(adv, car.Vehicle))
	tests := []struct {
		name               string
		ctx                context.Context
		cust, phone, plate string
	}{
		{"OKAdvisor", adv, "黄先生", "13800138000", full.Plate},
		{"OKBoard", board, "黄**", "138****8000", shop.MaskPlate(full.Plate)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok[*shop.Customer](t)(db.FindCustomerByID(tt.ctx, car.Customer))
			if c.Name != tt.cust || c.Phone != tt.phone {
				t.Fatalf("name=%q phone=%q, want %q %q", c.Name, c.Phone, tt.cust, tt.phone)
			}
			cs, _ := db.FindCustomersByIDs(tt.ctx, []shop.CustomerID{car.Customer})
			if c := cs[car.Customer]; c == nil || c.Name != tt.cust || c.Phone != tt.phone {
				t.Fatalf("batched customer=%+v, want name %q phone %q", c, tt.cust, tt.phone)
			}
			// The customer's name as signed and as the one who answered for the extra work.
			o := ok[*shop.Order](t)(db.FindOrderByID(tt.ctx, car.Order.ID))
			os, _ := db.FindOrdersByVisitIDs(tt.ctx, []shop.VisitID{car.Visit.ID})
			w := ok[*shop.AdditionalWork](t)(db.FindAdditionalWorkByID(tt.ctx, car.Extra.ID))
			ws, _ := db.FindAdditionalWorkByOrderIDs(tt.ctx, []shop.OrderID{car.Order.ID})
			if o.SignedBy != tt.cust || os[car.Visit.ID][0].SignedBy != tt.cust || w.CustomerContact != tt.cust || ws[car.Order.ID][0].CustomerContact != tt.cust {
				t.Fatalf("signedBy=%q contact=%q, want %q", o.SignedBy, w.CustomerContact, tt.cust)
			}
			v := ok[*shop.Vehicle](t)(db.FindVehicleByID(tt.ctx, car.Vehicle))
			vs, _ := db.FindVehiclesByCustomerIDs(tt.ctx, []shop.CustomerID{car.Customer})
			if v.Plate != tt.plate || len(vs[car.Customer]) != 1 || vs[car.Customer][0].Plate != tt.plate {
				t.Fatalf("plate=%q, want %q", v.Plate, tt.plate)
			}
		})
	}
	t.Run("OKTimeline", func(t *testing.T) {
		// The timeline feeds the boards: no customer's name in it.
		for _, e := range ok[[]*shop.Event](t)(db.FindEventsByOrder(board, car.Order.ID, 0, 1000)) {
			if strings.Contains(e.Summary, "黄先生") {
				t.Fatalf("%s summary=%q, want no customer's name", e.Kind, e.Summary)
			}
		}
	})
	if strings.Contains(shop.MaskPlate(full.Plate), full.Plate[len("粤B"):len(full.Plate)-2]) {
		t.Fatalf("masked plate %q shows the middle of %q", shop.MaskPlate(full.Plate), full.Plate)
	}
}

// TestAuditTrail: the order's timeline answers who requested and approved the
// additional work and who passed each check; every event has an actor.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Extra: true})

	evs := ok[[]*shop.Event](t)(db.FindEventsByOrder(adv, car.Order.ID, 0, 1000))
	byKind := map[shop.EventKind][]shop.UserID{}
	for _, e := range evs {
		if e.ActorID == nil || e.At.IsZero() {
			t.Fatalf("event %s has actor=%v at=%v, want both", e.Kind, e.ActorID, e.At)
		}
		byKind[e.Kind] = append(byKind[e.Kind], *e.ActorID)
	}
	tests := []struct {
		kind shop.EventKind
		want *shop.User
	}{
		{shop.EventOrderCreated, f.Advisor},
		{shop.EventOrderSigned, f.Advisor},
		{shop.EventAdditionalRequested, f.Tech},
		{shop.EventAdditionalApproved, f.Advisor},
		{shop.EventJobDispatched, f.Foreman},
		{shop.EventSelfCheckRecorded, f.Tech},
		{shop.EventTeamLeadCheckRecorded, f.Lead},
		{shop.EventQCPassed, f.QC},
		{shop.EventOrderSettled, f.Cashier},
		{shop.EventOrderDelivered, f.Advisor},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			actors := byKind[tt.kind]
			if len(actors) == 0 {
				t.Fatalf("no %s event in the timeline", tt.kind)
			}
			for _, a := range actors {
				if a != tt.want.ID {
					t.Fatalf("actor=%v, want %v (%s)", a, tt.want.ID, tt.want.Role)
				}
			}
		})
	}
	w := ok[*shop.AdditionalWork](t)(db.FindAdditionalWorkByID(adv, car.Extra.ID))
	if w.RequestedBy != f.Tech.ID || w.DecidedBy == nil || *w.DecidedBy != f.Advisor.ID || w.DecidedAt == nil || w.CustomerContact != "黄先生" {
		t.Fatalf("additional work requested by %v, decided by %v at %v with %q; want the technician, the advisor, a time and the customer",
			w.RequestedBy, w.DecidedBy, w.DecidedAt, w.CustomerContact)
	}
	checks := ok[map[shop.OrderID][]*shop.Check](t)(db.FindChecksByOrderIDs(adv, []shop.OrderID{car.Order.ID}))
	want := map[shop.CheckKind]shop.UserID{shop.CheckSelf: f.Tech.ID, shop.CheckTeamLead: f.Lead.ID, shop.CheckFinal: f.QC.ID}
	for _, c := range checks[car.Order.ID] {
		if c.CheckedBy != want[c.Kind] {
			t.Fatalf("%s check by %v, want %v", c.Kind, c.CheckedBy, want[c.Kind])
		}
	}
	if n := len(checks[car.Order.ID]); n != 2*len(car.Jobs)+1 {
		t.Fatalf("checks=%d, want a self and a team-lead check per job and one final inspection (%d)", n, 2*len(car.Jobs)+1)
	}
}

// TestMoneyExact settles a bill of odd amounts: cents add up exactly and
// labour is priced from the hourly rate rounded half up to the fen.
func TestMoneyExact(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	bg := context.Background()
	site := &shop.Site{Code: "SZ09", Name: "测试店", LabourRate: 10001} // 100.01 an hour
	if err := db.CreateSite(bg, site); err != nil {
		t.Fatal(err)
	}
	mgr := &shop.User{Name: "孙经理", Role: shop.RoleServiceManager, SiteIDs: []shop.SiteID{site.ID}}
	tech := &shop.User{Name: "张伟", Role: shop.RoleTechnician, SiteIDs: []shop.SiteID{site.ID}}
	qc := &shop.User{Name: "陈静", Role: shop.RoleQCInspector, SiteIDs: []shop.SiteID{site.ID}}
	for _, u := range []*shop.User{mgr, tech, qc} {
		if err := db.CreateUser(bg, u); err != nil {
			t.Fatal(err)
		}
	}
	bay := &shop.Bay{SiteID: site.ID, Code: "B1"}
	if err := db.CreateBay(bg, bay); err != nil {
		t.Fatal(err)
	}
	m := storetest.Ctx(mgr)
	v := ok[*shop.Visit](t)(db.ReceiveVehicle(m, store.ReceiveVehicleInput{SiteID: site.ID, Mileage: 1, FuelLevel: 1, KeyTag: "K", Complaint: "x",
		Customer: &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"}, Vehicle: &store.NewVehicleInput{Plate: "粤B12345", Make: "x", Model: "y"}}))
	cent, dime, fifth := shop.Money(1), shop.Money(10), shop.Money(20)
	warranty := shop.PayerWarranty
	pay := shop.PayCash
	o := ok[*shop.Order](t)(db.CreateRepairOrder(m, store.CreateRepairOrderInput{VisitID: v.ID, WorkType: shop.WorkRepair, PaymentMethod: &pay,
		Jobs: []*store.JobLineInput{
			{Description: "7 分钟", LabourMinutes: 7},   // 100.01 × 7/60 = 11.6678… → 11.67
			{Description: "1 分钟", LabourMinutes: 1},   // 1.6668… → 1.67
			{Description: "30 分钟", LabourMinutes: 30}, // 50.005 → 50.01 (half up)
		},
		Parts: []*store.PartLineInput{
			{PartNumber: "C1", Description: ptr("垫片"), Quantity: 1, UnitPrice: &cent},
			{PartNumber: "C2", Description: ptr("垫片"), Quantity: 1, UnitPrice: &cent},
			{PartNumber: "C3", Description: ptr("垫片"), Quantity: 1, UnitPrice: &cent, Payer: &warranty},
			{PartNumber: "C4", Description: ptr("螺丝"), Quantity: 3, UnitPrice: &cent},
			{PartNumber: "D1", Description: ptr("卡子"), Quantity: 1, UnitPrice: &dime},
			{PartNumber: "D2", Description: ptr("卡子"), Quantity: 1, UnitPrice: &fifth},
		}}))
	ok[*shop.Order](t)(db.SignRepairOrder(m, store.SignRepairOrderInput{OrderID: o.ID, SignedBy: "黄先生"}))
	ok[*shop.Order](t)(db.HandOverRepairOrder(m, store.HandOverRepairOrderInput{OrderID: o.ID}))
	jobs := ok[map[shop.OrderID][]*shop.Job](t)(db.FindJobsByOrderIDs(m, []shop.OrderID{o.ID}))[o.ID]
	wantLabour := []shop.Money{1167, 167, 5001}
	for i, j := range jobs {
		if j.LabourPrice != wantLabour[i] {
			t.Fatalf("job %d labour=%v, want %v", i, j.LabourPrice, wantLabour[i])
		}
		ref := store.JobRef{JobID: j.ID}
		ok[*shop.Job](t)(db.DispatchJob(m, store.DispatchJobInput{JobID: j.ID, TechnicianID: tech.ID, BayID: bay.ID}))
		// Only the technician works a job; the manager, who checked it,
		// leaves the final inspection to the inspector.
		ok[*shop.Job](t)(db.StartJob(storetest.Ctx(tech), ref))
		ok[*shop.Job](t)(db.FinishJob(storetest.Ctx(tech), ref))
		ok[*shop.Job](t)(db.RecordSelfCheck(storetest.Ctx(tech), store.RecordJobCheckInput{JobID: j.ID, Passed: true}))
		ok[*shop.Job](t)(db.RecordTeamLeadCheck(m, store.RecordJobCheckInput{JobID: j.ID, Passed: true}))
	}
	ok[*shop.Order](t)(db.RecordFinalInspection(storetest.Ctx(qc), store.RecordFinalInspectionInput{OrderID: o.ID, Passed: true}))
	ok[*shop.Order](t)(db.SettleRepairOrder(m, store.SettleRepairOrderInput{OrderID: o.ID}))
	s := ok[map[shop.OrderID]*shop.Settlement](t)(db.FindSettlementsByOrderIDs(m, []shop.OrderID{o.ID}))[o.ID]
	got := []shop.Money{s.Labour, s.Parts, s.Total, s.CustomerShare, s.WarrantyShare, s.InsurerShare, s.InternalShare}
	want := []shop.Money{6335, 36, 6371, 6370, 1, 0, 0}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("settlement labour, parts, total, customer, warranty, insurer, internal = %v, want %v", got, want)
		}
	}
	if s.Total.String() != "63.71" || s.Parts.String() != "0.36" {
		t.Fatalf("total=%s parts=%s, want 63.71 and 0.36", s.Total, s.Parts)
	}
}
