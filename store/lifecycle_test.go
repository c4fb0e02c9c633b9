package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// TestLifecycle takes one car through every step of a visit, steps 1–13.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	now := time.Date(2026, 11, 24, 1, 30, 0, 0, time.UTC) // 09:30 in Shenzhen
	db.Now = func() time.Time { return now }
	adv, fm, tech, lead, qc, cash := storetest.Ctx(f.Advisor), storetest.Ctx(f.Foreman), storetest.Ctx(f.Tech), storetest.Ctx(f.Lead), storetest.Ctx(f.QC), storetest.Ctx(f.Cashier)

	ap, err := db.BookAppointment(adv, store.BookAppointmentInput{SiteID: f.Site.ID, ScheduledAt: now.Add(time.Hour),
		Customer:      &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"},
		Vehicle:       &store.NewVehicleInput{Plate: "粤B12345", VIN: ptr("1M8GDM9AXKP042788"), Make: "丰田", Model: "凯美瑞"},
		RequestedWork: "40000 km service, brake noise"})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	now = now.Add(time.Hour)
	v, err := db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, AppointmentID: &ap.ID, Mileage: 40210, FuelLevel: 50,
		Damages: []*store.DamageInput{{Location: "左前门", Description: "划痕 5cm"}}, Belongings: []string{"行车记录仪"},
		KeyTag: "K-017", Complaint: "刹车有异响", WalkaroundSigned: true})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	o, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: v.ID, WorkType: shop.WorkMaintenance, WashRequested: ptr(true),
		PaymentMethod: ptr(shop.PayWeChat), Jobs: []*store.JobLineInput{{Description: "40000 km 保养", LabourMinutes: 90}, {Description: "检查前刹车", LabourMinutes: 30}},
		Parts: []*store.PartLineInput{{PartNumber: "04152-YZZA1", Description: ptr("机油滤清器"), Quantity: 1, UnitPrice: ptr(shop.Money(8500)), JobIndex: ptr(0)}}})
	if err != nil {
		t.Fatalf("create order: %v", err)
	}
	if o.State != shop.OrderDraft || o.EstimatedAt == nil {
		t.Fatalf("state=%v estimated=%v, want DRAFT with estimate", o.State, o.EstimatedAt)
	}
	o, err = db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: o.ID, SignedBy: "黄先生", ExpectedVersion: &o.Version})
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	o, err = db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: o.ID, Priority: ptr(shop.PriorityHigh)})
	if err != nil {
		t.Fatalf("hand over: %v", err)
	}
	jobs, err := db.FindJobsByOrderIDs(adv, []shop.OrderID{o.ID})
	if err != nil || len(jobs[o.ID]) != 2 {
		t.Fatalf("jobs=%v err=%v", jobs, err)
	}
	for _, j := range jobs[o.ID] {
		if _, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: j.ID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID}); err != nil {
			t.Fatalf("dispatch: %v", err)
		}
		if _, err := db.StartJob(tech, store.JobRef{JobID: j.ID}); err != nil {
			t.Fatalf("start: %v", err)
		}
	}
	j0 := jobs[o.ID][0]
	if _, err := db.PauseJob(tech, store.PauseJobInput{JobID: j0.ID, Reason: shop.PauseWaitingParts}); err != nil {
		t.Fatalf("pause: %v", err)
	}
	if _, err := db.ResumeJob(tech, store.JobRef{JobID: j0.ID}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := db.ReportJobProgress(tech, store.ReportJobProgressInput{JobID: j0.ID, Progress: 60}); err != nil {
		t.Fatalf("progress: %v", err)
	}
	aw, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: o.ID, FoundOnJobID: &jobs[o.ID][1].ID,
		Description: "更换前刹车片", Reason: "刹车片剩 2mm", LabourMinutes: 60, ExtraMinutes: 60, Safety: true,
		Parts: []*store.PartLineInput{{PartNumber: "04465-33471", Description: ptr("前刹车片"), Quantity: 1, UnitPrice: ptr(shop.Money(48000))}}})
	if err != nil {
		t.Fatalf("request additional: %v", err)
	}
	if _, err := db.StartJob(tech, store.JobRef{JobID: aw.JobID}); shop.ErrorCode(err) != shop.EINVALIDTRANSITION {
		t.Fatalf("start before approval: code=%v, want INVALID_TRANSITION", shop.ErrorCode(err))
	}
	if _, err := db.ApproveAdditionalWork(tech, store.DecideAdditionalWorkInput{AdditionalWorkID: aw.ID, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone}); shop.ErrorCode(err) != shop.EFORBIDDEN {
		t.Fatalf("technician approving: code=%v, want FORBIDDEN", shop.ErrorCode(err))
	}
	aw, err = db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: aw.ID, CustomerContact: "黄先生", ContactMethod: shop.ContactPhone})
	if err != nil || aw.State != shop.AdditionalApproved || aw.DecidedBy == nil || *aw.DecidedBy != f.Advisor.ID {
		t.Fatalf("approve: %+v %v", aw, err)
	}
	if _, err := db.DispatchJob(fm, store.DispatchJobInput{JobID: aw.JobID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID}); err != nil {
		t.Fatalf("dispatch extra: %v", err)
	}
	if _, err := db.StartJob(tech, store.JobRef{JobID: aw.JobID}); err != nil {
		t.Fatalf("start extra: %v", err)
	}
	all := append(jobs[o.ID], &shop.Job{ID: aw.JobID})
	for _, j := range all {
		if _, err := db.FinishJob(tech, store.JobRef{JobID: j.ID}); err != nil {
			t.Fatalf("finish: %v", err)
		}
		if _, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: j.ID, Passed: true}); err != nil {
			t.Fatalf("self check: %v", err)
		}
		if _, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: j.ID, Passed: true, Notes: ptr("OK")}); err != nil {
			t.Fatalf("lead check: %v", err)
		}
	}
	o, _ = db.FindOrderByID(adv, o.ID)
	if o.State != shop.OrderQC {
		t.Fatalf("state=%v, want QC", o.State)
	}
	o, err = db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: o.ID, Passed: false, Notes: ptr("机油液位偏低"), FailedJobIDs: []shop.JobID{j0.ID}})
	if err != nil || o.State != shop.OrderInWork || o.ReworkCount != 1 {
		t.Fatalf("fail QC: state=%v rework=%d err=%v", o.State, o.ReworkCount, err)
	}
	if _, err := db.StartJob(tech, store.JobRef{JobID: j0.ID}); err != nil {
		t.Fatalf("start rework: %v", err)
	}
	if _, err := db.FinishJob(tech, store.JobRef{JobID: j0.ID}); err != nil {
		t.Fatalf("finish rework: %v", err)
	}
	if _, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: j0.ID, Passed: true}); err != nil {
		t.Fatalf("self check: %v", err)
	}
	if _, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: j0.ID, Passed: true}); err != nil {
		t.Fatalf("lead check: %v", err)
	}
	o, err = db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: o.ID, Passed: true})
	if err != nil || o.State != shop.OrderWash {
		t.Fatalf("pass QC: state=%v err=%v", o.State, err)
	}
	o, err = db.FinishWash(adv, store.OrderRef{OrderID: o.ID})
	if err != nil || o.State != shop.OrderReady || o.NotifyBy == nil {
		t.Fatalf("wash: state=%v notify=%v err=%v", o.State, o.NotifyBy, err)
	}
	o, err = db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: o.ID})
	if err != nil || o.State != shop.OrderSettled {
		t.Fatalf("settle: state=%v err=%v", o.State, err)
	}
	st, err := db.FindSettlementsByOrderIDs(cash, []shop.OrderID{o.ID})
	if err != nil || st[o.ID] == nil {
		t.Fatalf("settlement: %v", err)
	}
	// 3h of labour at 300/h = 900 + 85 + 480 parts.
	if got, want := st[o.ID].Total, shop.Money(90000+8500+48000); got != want {
		t.Fatalf("total=%v, want %v", got, want)
	}
	o, err = db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: o.ID, BelongingsChecked: true, NextServiceMileage: ptr(50000)})
	if err != nil || o.State != shop.OrderDelivered {
		t.Fatalf("deliver: state=%v err=%v", o.State, err)
	}
	evs, err := db.FindEventsByOrder(adv, o.ID, 0, 200)
	if err != nil || len(evs) < 20 {
		t.Fatalf("timeline has %d events (err %v), want every step", len(evs), err)
	}
}

// TestDeliveryClosesVisitLast: delivering one order of a visit whose other
// order is still open leaves the visit open, with no exit pass; the order
// event and the order row are saved all the same.
func TestDeliveryClosesVisitLast(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	adv := storetest.Ctx(f.Advisor)
	car := f.MustCar(t, db, shop.OrderSettled, storetest.CarOptions{Jobs: 1})
	second, err := db.CreateRepairOrder(adv, store.CreateRepairOrderInput{VisitID: car.Visit.ID, WorkType: shop.WorkRepair,
		Jobs: []*store.JobLineInput{{Description: "补漆", LabourMinutes: 60}}})
	if err != nil {
		t.Fatalf("second order: %v", err)
	}
	o, err := db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: car.Order.ID, BelongingsChecked: true})
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	if o.State != shop.OrderDelivered {
		t.Fatalf("state=%v, want %v", o.State, shop.OrderDelivered)
	}
	if got := countEvents(t, db, adv, o.ID, shop.EventOrderDelivered); got != 1 {
		t.Fatalf("ORDER_DELIVERED events=%d, want 1", got)
	}
	v, err := db.FindVisitByID(adv, car.Visit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.DeliveredAt != nil || v.ExitPass != "" {
		t.Fatalf("visit delivered=%v exitPass=%q, want open while order %d is %v", v.DeliveredAt, v.ExitPass, second.ID, second.State)
	}
}

// TestNobodyWorksAnothersJob (issue 14, item 3): technician B cannot start
// A's job (FORBIDDEN, nothing changed, no event); the foreman reassigns it
// to B (an event names both) and then B can, and A no longer; a team lead
// cannot pass his own job; an inspector who did a team-lead check on the
// order cannot do its final inspection.
func TestNobodyWorksAnothersJob(t *testing.T) {
	t.Parallel()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	bg := context.Background()
	adv, fm, a, lead := storetest.Ctx(f.Advisor), storetest.Ctx(f.Foreman), storetest.Ctx(f.Tech), storetest.Ctx(f.Lead)
	staff := func(name, short string, role shop.Role, teamLead bool) *shop.User {
		u := &shop.User{Name: name, ShortName: short, Role: role, TeamLead: teamLead, Team: "A", SiteIDs: []shop.SiteID{f.Site.ID}}
		if err := db.CreateUser(bg, u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	userB := staff("吴俊", "吴工", shop.RoleTechnician, false)
	b := storetest.Ctx(userB)
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	job := store.JobRef{JobID: car.Jobs[0].ID}

	t.Run("ErrAnotherTechnicianStarts", func(t *testing.T) {
		err := rejected(t, db, shop.EFORBIDDEN, "", func() error { _, err := db.StartJob(b, job); return err })
		if want := "Only the technician the job is dispatched to (张伟) may start it; a foreman can reassign it."; shop.ErrorMessage(err) != want {
			t.Fatalf("message=%q, want %q", shop.ErrorMessage(err), want)
		}
		rejected(t, db, shop.EFORBIDDEN, "", func() error { _, err := db.StartJob(fm, job); return err })
		rejected(t, db, shop.EFORBIDDEN, "", func() error { _, err := db.StartJob(storetest.Ctx(f.Manager), job); return err })
	})
	t.Run("OKForemanReassigns", func(t *testing.T) {
		j := ok[*shop.Job](t)(db.DispatchJob(fm, store.DispatchJobInput{JobID: job.JobID, TechnicianID: userB.ID, BayID: f.Bay2.ID}))
		if *j.TechnicianID != userB.ID || j.State != shop.JobDispatched {
			t.Fatalf("technician=%v state=%v, want %v DISPATCHED", *j.TechnicianID, j.State, userB.ID)
		}
		evs := ok[[]*shop.Event](t)(db.FindEventsByOrder(adv, car.Order.ID, 0, 100))
		last := evs[len(evs)-1]
		if last.Kind != shop.EventJobDispatched || last.Summary != "Reassigned from 张伟 to 吴工, bay B02" || *last.ActorID != f.Foreman.ID {
			t.Fatalf("event=%v %q by %v, want JOB_DISPATCHED naming both technicians, by the foreman", last.Kind, last.Summary, *last.ActorID)
		}
		err := rejected(t, db, shop.EFORBIDDEN, "", func() error { _, err := db.StartJob(a, job); return err })
		if !strings.Contains(shop.ErrorMessage(err), "(吴工)") {
			t.Fatalf("message=%q, want it to name the new technician", shop.ErrorMessage(err))
		}
		ok[*shop.Job](t)(db.StartJob(b, job))
		rejected(t, db, shop.EFORBIDDEN, "", func() error {
			_, err := db.ReportJobProgress(a, store.ReportJobProgressInput{JobID: job.JobID, Progress: 50})
			return err
		})
		ok[*shop.Job](t)(db.FinishJob(b, job))
		rejected(t, db, shop.EFORBIDDEN, "", func() error {
			_, err := db.RecordSelfCheck(a, store.RecordJobCheckInput{JobID: job.JobID, Passed: true})
			return err
		})
		ok[*shop.Job](t)(db.RecordSelfCheck(b, store.RecordJobCheckInput{JobID: job.JobID, Passed: true}))
	})
	t.Run("ErrTeamLeadPassesOwnJob", func(t *testing.T) {
		own := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
		ref := store.JobRef{JobID: own.Jobs[0].ID}
		ok[*shop.Job](t)(db.DispatchJob(fm, store.DispatchJobInput{JobID: ref.JobID, TechnicianID: f.Lead.ID, BayID: f.Bay.ID}))
		ok[*shop.Job](t)(db.StartJob(lead, ref))
		ok[*shop.Job](t)(db.FinishJob(lead, ref))
		ok[*shop.Job](t)(db.RecordSelfCheck(lead, store.RecordJobCheckInput{JobID: ref.JobID, Passed: true}))
		err := rejected(t, db, shop.EFORBIDDEN, "", func() error {
			_, err := db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: ref.JobID, Passed: true})
			return err
		})
		if !strings.Contains(shop.ErrorMessage(err), "team-lead check is never done by anyone who worked on the job") {
			t.Fatalf("message=%q, want the rule", shop.ErrorMessage(err))
		}
		ok[*shop.Job](t)(db.RecordTeamLeadCheck(fm, store.RecordJobCheckInput{JobID: ref.JobID, Passed: true}))
	})
	t.Run("ErrInspectorWhoCheckedTheWork", func(t *testing.T) {
		// 钱检 led a team and passed B's job, then became a QC inspector.
		userX := staff("钱检", "钱工", shop.RoleTechnician, true)
		ok[*shop.Job](t)(db.RecordTeamLeadCheck(storetest.Ctx(userX), store.RecordJobCheckInput{JobID: job.JobID, Passed: true}))
		raw, err := sql.Open("postgres", db.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		if _, err := raw.Exec(`UPDATE users SET role = 'QC_INSPECTOR', team_lead = FALSE WHERE id = $1`, userX.ID); err != nil {
			t.Fatal(err)
		}
		userX.Role, userX.TeamLead = shop.RoleQCInspector, false
		inspect := func(u *shop.User) func() error {
			return func() error {
				_, err := db.RecordFinalInspection(storetest.Ctx(u), store.RecordFinalInspectionInput{OrderID: car.Order.ID, Passed: true})
				return err
			}
		}
		err = rejected(t, db, shop.EFORBIDDEN, "", inspect(userX))
		if !strings.Contains(shop.ErrorMessage(err), "final inspection is never done by anyone who worked on the repair order") {
			t.Fatalf("message=%q, want the rule", shop.ErrorMessage(err))
		}
		if err := inspect(f.QC)(); err != nil {
			t.Fatalf("an inspector who did not work on the order: %v", err)
		}
	})
}
