package storetest

import (
	"fmt"
	"sync/atomic"
	"testing"

	"bayboard/shop"
	"bayboard/store"
)

// Car is a visit built for a test: the customer, the vehicle, the visit and
// its repair order with the order's jobs (oldest first) as they stand.
type Car struct {
	Customer shop.CustomerID
	Vehicle  shop.VehicleID
	Visit    *shop.Visit
	Order    *shop.Order
	Jobs     []*shop.Job
	// Extra is the additional work request, when Extra was asked for.
	Extra *shop.AdditionalWork
}

// CarOptions says what MustCar builds.
type CarOptions struct {
	// Customer and Vehicle receive an existing customer's car; zero for a new one.
	Customer shop.CustomerID
	Vehicle  shop.VehicleID
	// Jobs is the number of jobs (default 2), each with one part line.
	Jobs int
	// Extra adds additional work, found and approved while IN_WORK (for
	// states past IN_WORK it is worked and checked like the other jobs).
	Extra bool
	// Wash is whether the customer accepted a wash (the order passes WASH;
	// implied for state WASH).
	Wash bool
	// WorkType is the order's type of work; MAINTENANCE by default.
	WorkType shop.WorkType
	// Appointment receives the car booked under it (its customer, vehicle
	// and deposit); Visit adds the order to a visit already open instead of
	// receiving a car.
	Appointment *shop.AppointmentID
	Visit       *shop.Visit
	// Payers are who pay the jobs' lines, in turn; the order's default when empty.
	Payers []shop.Payer
}

var plateSeq atomic.Int64

// MustCar receives a car at the fixture's site and takes its repair order to
// state (DRAFT … DELIVERED, or CANCELLED), acting as the right role at each
// step. With state IN_WORK the jobs are dispatched, not started.
func (f *Fixture) MustCar(tb testing.TB, db *store.DB, state shop.OrderState, o CarOptions) *Car {
	tb.Helper()
	adv, fm, tech, lead, qc, cash := Ctx(f.Advisor), Ctx(f.Foreman), Ctx(f.Tech), Ctx(f.Lead), Ctx(f.QC), Ctx(f.Cashier)
	must := func(err error, step string) {
		tb.Helper()
		if err != nil {
			tb.Fatalf("%s: %v", step, err)
		}
	}
	if o.Jobs == 0 {
		o.Jobs = 2
	}
	if state == shop.OrderWash {
		o.Wash = true
	}
	in := store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 30000, FuelLevel: 40, KeyTag: "K-1", Complaint: "保养", WalkaroundSigned: true}
	if o.Appointment != nil {
		in.AppointmentID = o.Appointment
	} else if o.Vehicle != 0 {
		in.VehicleID = &o.Vehicle
		if o.Customer != 0 {
			in.CustomerID = &o.Customer
		}
	} else {
		if o.Customer != 0 {
			in.CustomerID = &o.Customer
		} else {
			in.Customer = &store.NewCustomerInput{Name: "黄先生", Phone: "13800138000"}
		}
		in.Vehicle = &store.NewVehicleInput{Plate: fmt.Sprintf("粤B%05d", plateSeq.Add(1)), Make: "丰田", Model: "凯美瑞"}
	}
	v, err := o.Visit, error(nil)
	if v == nil {
		v, err = db.ReceiveVehicle(adv, in)
		must(err, "receive vehicle")
	}
	c := &Car{Customer: v.CustomerID, Vehicle: v.VehicleID, Visit: v}

	pay := shop.PayWeChat
	if o.WorkType == "" {
		o.WorkType = shop.WorkMaintenance
	}
	co := store.CreateRepairOrderInput{VisitID: v.ID, WorkType: o.WorkType, WashRequested: &o.Wash, PaymentMethod: &pay}
	for i := 0; i < o.Jobs; i++ {
		idx, price, desc := i, shop.Money(1234), fmt.Sprintf("零件 %d", i)
		var payer *shop.Payer
		if len(o.Payers) > 0 {
			payer = &o.Payers[i%len(o.Payers)]
		}
		co.Jobs = append(co.Jobs, &store.JobLineInput{Description: fmt.Sprintf("项目 %d", i), LabourMinutes: 60, Payer: payer})
		co.Parts = append(co.Parts, &store.PartLineInput{PartNumber: fmt.Sprintf("P-%d", i), Description: &desc, Quantity: 2, UnitPrice: &price, JobIndex: &idx, Payer: payer})
	}
	c.Order, err = db.CreateRepairOrder(adv, co)
	must(err, "create order")
	refresh := func() {
		tb.Helper()
		var err error
		c.Order, err = db.FindOrderByID(adv, c.Order.ID)
		must(err, "find order")
		jobs, err := db.FindJobsByOrderIDs(adv, []shop.OrderID{c.Order.ID})
		must(err, "find jobs")
		c.Jobs = jobs[c.Order.ID]
	}
	done := func() *Car {
		tb.Helper()
		refresh()
		if c.Order.State != state {
			tb.Fatalf("MustCar: state=%v, want %v", c.Order.State, state)
		}
		return c
	}
	if state == shop.OrderDraft {
		return done()
	}
	if state == shop.OrderCancelled {
		_, err = db.CancelRepairOrder(adv, store.CancelRepairOrderInput{OrderID: c.Order.ID, Reason: "客户改期"})
		must(err, "cancel")
		return done()
	}
	_, err = db.SignRepairOrder(adv, store.SignRepairOrderInput{OrderID: c.Order.ID, SignedBy: "黄先生"})
	must(err, "sign")
	if state == shop.OrderSigned {
		return done()
	}
	_, err = db.HandOverRepairOrder(adv, store.HandOverRepairOrderInput{OrderID: c.Order.ID})
	must(err, "hand over")
	refresh()
	if o.Extra {
		c.Extra, err = db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: c.Order.ID, FoundOnJobID: &c.Jobs[0].ID,
			Description: "更换刹车片", Reason: "刹车片剩 2mm", LabourMinutes: 30, ExtraMinutes: 30, Safety: true})
		must(err, "request additional work")
		c.Extra, err = db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: c.Extra.ID,
			CustomerContact: "黄先生", ContactMethod: shop.ContactPhone})
		must(err, "approve additional work")
		refresh()
	}
	for _, j := range c.Jobs {
		_, err = db.DispatchJob(fm, store.DispatchJobInput{JobID: j.ID, TechnicianID: f.Tech.ID, BayID: f.Bay.ID})
		must(err, "dispatch")
	}
	if state == shop.OrderInWork {
		return done()
	}
	for _, j := range c.Jobs {
		ref := store.JobRef{JobID: j.ID}
		_, err = db.StartJob(tech, ref)
		must(err, "start")
		_, err = db.FinishJob(tech, ref)
		must(err, "finish")
		_, err = db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: j.ID, Passed: true})
		must(err, "self-check")
		_, err = db.RecordTeamLeadCheck(lead, store.RecordJobCheckInput{JobID: j.ID, Passed: true})
		must(err, "team-lead check")
	}
	if state == shop.OrderQC {
		return done()
	}
	_, err = db.RecordFinalInspection(qc, store.RecordFinalInspectionInput{OrderID: c.Order.ID, Passed: true})
	must(err, "final inspection")
	if o.Wash {
		if state == shop.OrderWash {
			return done()
		}
		_, err = db.FinishWash(adv, store.OrderRef{OrderID: c.Order.ID})
		must(err, "wash")
	}
	if state == shop.OrderReady {
		return done()
	}
	_, err = db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: c.Order.ID})
	must(err, "settle")
	if state == shop.OrderSettled {
		return done()
	}
	_, err = db.DeliverVehicle(adv, store.DeliverVehicleInput{OrderID: c.Order.ID, BelongingsChecked: true})
	must(err, "deliver")
	return done()
}
