package demo

import (
	"context"
	"fmt"
	"time"

	"bayboard/shop"
	"bayboard/store"
)

// person is a customer; id is known once a booking or reception created them.
type person struct {
	name, phone string
	id          shop.CustomerID
}

// auto is a customer's car; id is known once it was first recorded.
type auto struct {
	plate, vin, make, model, colour string
	year                            int
	id                              shop.VehicleID
}

// visit plans one stay of a car, step by step, each step at a time of the
// visit's current day (see on). Job and additional-work indices are those
// of the plan: jobs of the estimate first, then each additional work in the
// order it is requested.
type visit struct {
	s     *seeder
	site  *shop.Site
	who   *person
	car   *auto
	adv   *shop.User
	clk   func(m int) time.Time
	apID  *shop.AppointmentID
	id    shop.VisitID
	order shop.OrderID
	// Filled while the plan runs.
	jobs   []shop.JobID
	extras []shop.AdditionalWorkID
	// Known while planning.
	techs   []*shop.User
	nextras int
}

// visit starts planning a visit of car at site, looked after by advisor adv,
// on the workshop day shown.
func (s *seeder) visit(site *shop.Site, who *person, car *auto, adv string) *visit {
	return &visit{s: s, site: site, who: who, car: car, adv: s.user(adv), clk: s.day(0)}
}

// on moves the visit's clock to the day n days before the one shown.
func (v *visit) on(n int) *visit {
	v.clk = v.s.day(n)
	return v
}

func (v *visit) step(at time.Time, what string, fn func() error) {
	v.s.add(at, v.car.plate+" "+what, fn)
}

// identify names the customer and the vehicle: existing ones by ID, else new.
func (v *visit) identify() (*shop.CustomerID, *shop.VehicleID, *store.NewCustomerInput, *store.NewVehicleInput) {
	var cid *shop.CustomerID
	var vid *shop.VehicleID
	var nc *store.NewCustomerInput
	var nv *store.NewVehicleInput
	if v.who.id != 0 {
		cid = &v.who.id
	} else {
		nc = &store.NewCustomerInput{Name: v.who.name, Phone: v.who.phone}
	}
	if v.car.id != 0 {
		vid = &v.car.id
	} else {
		vin, colour, year := v.car.vin, v.car.colour, v.car.year
		nv = &store.NewVehicleInput{Plate: v.car.plate, VIN: &vin, Make: v.car.make, Model: v.car.model, Year: &year, Colour: &colour}
	}
	return cid, vid, nc, nv
}

// learn records the IDs of a customer and car the store just created.
func (v *visit) learn(c shop.CustomerID, vid shop.VehicleID) {
	if v.who.id == 0 {
		v.who.id = c
		v.s.stats.customers++
	}
	if v.car.id == 0 {
		v.car.id = vid
		v.s.stats.vehicles++
	}
}

// book plans an appointment (预约) booked at at for sched.
func (v *visit) book(at, sched time.Time, work, prepare string, deposit shop.Money) *visit {
	v.step(at, "book", func() error {
		in := store.BookAppointmentInput{SiteID: v.site.ID, ScheduledAt: sched, RequestedWork: work}
		in.CustomerID, in.VehicleID, in.Customer, in.Vehicle = v.identify()
		if prepare != "" {
			in.PartsToPrepare = &prepare
		}
		if deposit > 0 {
			in.Deposit = &deposit
		}
		ap, err := v.s.db.BookAppointment(v.s.as(v.adv), in)
		if err != nil {
			return err
		}
		v.learn(ap.CustomerID, ap.VehicleID)
		v.apID = &ap.ID
		v.s.stats.appointments++
		return nil
	})
	return v
}

// cancelBooking plans the cancellation of the visit's appointment.
func (v *visit) cancelBooking(at time.Time, reason string) *visit {
	v.step(at, "cancel appointment", func() error {
		_, err := v.s.db.CancelAppointment(v.s.as(v.adv), store.CancelAppointmentInput{AppointmentID: *v.apID, Reason: reason})
		return err
	})
	return v
}

// arrival is what the advisor records at reception (接待).
type arrival struct {
	km, fuel   int
	complaint  string
	damages    [][2]string // location, description
	belongings []string
}

// receive plans the reception: from the appointment when there is one.
func (v *visit) receive(m int, a arrival) *visit {
	key := v.s.keyTag(v.site)
	v.step(v.clk(m), "receive", func() error {
		in := store.ReceiveVehicleInput{SiteID: v.site.ID, Mileage: a.km, FuelLevel: a.fuel, KeyTag: key,
			Complaint: a.complaint, Belongings: a.belongings, WalkaroundSigned: true}
		for _, d := range a.damages {
			in.Damages = append(in.Damages, &store.DamageInput{Location: d[0], Description: d[1]})
		}
		if v.apID != nil {
			in.AppointmentID = v.apID
		} else {
			in.CustomerID, in.VehicleID, in.Customer, in.Vehicle = v.identify()
		}
		vis, err := v.s.db.ReceiveVehicle(v.s.as(v.adv), in)
		if err != nil {
			return err
		}
		v.learn(vis.CustomerID, vis.VehicleID)
		v.id = vis.ID
		v.s.stats.visits++
		return nil
	})
	return v
}

// job is a labour line of an estimate; price 0 means the site's rate.
type job struct {
	desc    string
	minutes int
	price   shop.Money
	payer   shop.Payer
}

// part is a part line; catalogue parts need only number and quantity.
type part struct {
	number string
	qty    int
	job    int // index of the job it belongs to, -1 for none
	desc   string
	price  shop.Money
	payer  shop.Payer
}

// estimate is the diagnosis and estimate (问诊 / 估价) of the repair order.
type estimate struct {
	work       shop.WorkType
	findings   string
	warranty   bool
	wash       bool
	pay        shop.PaymentMethod
	oldParts   shop.OldPartsDisposition
	insurer    string
	assessment string
	jobs       []job
	parts      []part
}

func jobInput(j job) *store.JobLineInput {
	in := &store.JobLineInput{Description: j.desc, LabourMinutes: j.minutes}
	if j.price > 0 {
		p := j.price
		in.LabourPrice = &p
	}
	if j.payer != "" {
		p := j.payer
		in.Payer = &p
	}
	return in
}

func partInput(p part, withJob bool) *store.PartLineInput {
	in := &store.PartLineInput{PartNumber: p.number, Quantity: p.qty}
	if p.desc != "" {
		d := p.desc
		in.Description = &d
	}
	if p.price > 0 {
		pr := p.price
		in.UnitPrice = &pr
	}
	if p.payer != "" {
		py := p.payer
		in.Payer = &py
	}
	if withJob && p.job >= 0 {
		i := p.job
		in.JobIndex = &i
	}
	return in
}

// draft plans the repair order's estimate (a DRAFT order).
func (v *visit) draft(m int, e estimate) *visit {
	v.techs = make([]*shop.User, len(e.jobs))
	v.step(v.clk(m), "estimate", func() error {
		in := store.CreateRepairOrderInput{VisitID: v.id, WorkType: e.work, Findings: &e.findings,
			UnderWarranty: &e.warranty, WashRequested: &e.wash}
		if e.pay != "" {
			in.PaymentMethod = &e.pay
		}
		if e.oldParts != "" {
			in.OldParts = &e.oldParts
		}
		if e.insurer != "" {
			yes := true
			in.InsuranceClaim, in.InsurerName = &yes, &e.insurer
		}
		if e.assessment != "" {
			in.AssessmentReference = &e.assessment
		}
		for _, j := range e.jobs {
			in.Jobs = append(in.Jobs, jobInput(j))
		}
		for _, p := range e.parts {
			in.Parts = append(in.Parts, partInput(p, true))
		}
		o, err := v.s.db.CreateRepairOrder(v.s.as(v.adv), in)
		if err != nil {
			return err
		}
		v.order = o.ID
		v.s.stats.orders++
		jobs, err := v.s.db.FindJobsByOrderIDs(v.s.as(v.adv), []shop.OrderID{o.ID})
		if err != nil {
			return err
		}
		for _, j := range jobs[o.ID] {
			v.jobs = append(v.jobs, j.ID)
		}
		if len(v.jobs) != len(e.jobs) {
			return fmt.Errorf("order has %d jobs, planned %d", len(v.jobs), len(e.jobs))
		}
		return nil
	})
	return v
}

// sign plans the customer's signature with the promised time, rounded
// down to ten minutes as an advisor would say it, unless that is too soon.
func (v *visit) sign(m int, promised time.Time) *visit {
	if r := promised.Truncate(10 * time.Minute); r.After(v.clk(m).Add(5 * time.Minute)) {
		promised = r
	}
	v.step(v.clk(m), "sign", func() error {
		_, err := v.s.db.SignRepairOrder(v.s.as(v.adv), store.SignRepairOrderInput{OrderID: v.order, SignedBy: v.who.name, PromisedAt: &promised})
		return err
	})
	return v
}

// handOver plans the hand-over to the workshop.
func (v *visit) handOver(m int, prio shop.Priority) *visit {
	v.step(v.clk(m), "hand over", func() error {
		_, err := v.s.db.HandOverRepairOrder(v.s.as(v.adv), store.HandOverRepairOrderInput{OrderID: v.order, Priority: &prio})
		return err
	})
	return v
}

// assess plans recording the insurer's assessment (定损单) on the order.
func (v *visit) assess(m int, ref string) *visit {
	v.step(v.clk(m), "record assessment", func() error {
		_, err := v.s.db.UpdateRepairOrder(v.s.as(v.adv), store.UpdateRepairOrderInput{OrderID: v.order, AssessmentReference: &ref})
		return err
	})
	return v
}

// repromise plans moving the promised time, with the reason the customer is told.
func (v *visit) repromise(m int, promised time.Time, reason string) *visit {
	v.step(v.clk(m), "move promised time", func() error {
		_, err := v.s.db.UpdateRepairOrder(v.s.as(v.adv), store.UpdateRepairOrderInput{OrderID: v.order, PromisedAt: &promised, Reason: &reason})
		return err
	})
	return v
}

// dispatch plans the foreman giving job i to tech in bay.
func (v *visit) dispatch(m, i int, tech, bay string) *visit {
	t, b := v.s.user(tech), v.s.bay(v.site, bay)
	v.techs[i] = t
	v.step(v.clk(m), "dispatch", func() error {
		_, err := v.s.db.DispatchJob(v.s.as(v.s.staff(v.site, shop.RoleForeman)), store.DispatchJobInput{JobID: v.jobs[i], TechnicianID: t.ID, BayID: b.ID})
		return err
	})
	return v
}

func (v *visit) tech(i int) *shop.User {
	if v.techs[i] == nil {
		panic(fmt.Sprintf("demo: %s job %d worked before dispatch", v.car.plate, i))
	}
	return v.techs[i]
}

// start plans the technician starting job i (or its rework).
func (v *visit) start(m, i int) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "start", func() error {
		if _, err := v.s.db.StartJob(v.s.as(t), store.JobRef{JobID: v.jobs[i]}); err != nil {
			return err
		}
		return v.issueParts(i, t)
	})
	return v
}

// partsDesk is who issues parts at the visit's site: the parts clerk, or
// the service manager where the site has no clerk; nil when it has neither.
func (v *visit) partsDesk() *shop.User {
	for _, role := range []shop.Role{shop.RolePartsClerk, shop.RoleServiceManager} {
		for _, m := range members {
			if m.role == role && v.s.sites[m.site] == v.site {
				return v.s.users[m.name]
			}
		}
	}
	return nil
}

// unissuedLines returns the order's catalogue part lines with no issue slip
// against them, of job (nil: every job and none).
func (v *visit) unissuedLines(ctx context.Context, job *shop.JobID) ([]*shop.PartLine, error) {
	lines, err := v.s.db.FindPartLinesByOrderIDs(ctx, []shop.OrderID{v.order})
	if err != nil {
		return nil, err
	}
	issues, err := v.s.db.FindPartIssuesByOrderIDs(ctx, []shop.OrderID{v.order})
	if err != nil {
		return nil, err
	}
	slipped := map[shop.PartLineID]bool{}
	for _, is := range issues[v.order] {
		if is.PartLineID != nil {
			slipped[*is.PartLineID] = true
		}
	}
	var out []*shop.PartLine
	for _, l := range lines[v.order] {
		if l.PartID != nil && !slipped[l.ID] && (job == nil || l.JobID == nil || *l.JobID == *job) {
			out = append(out, l)
		}
	}
	return out, nil
}

// issueParts issues (出库单) the parts of job i, and the order's parts of no
// job, to the technician who starts it. A part the stock cannot cover stays
// unissued (the demo's shortages) and is dropped before settlement.
func (v *visit) issueParts(i int, t *shop.User) error {
	u := v.partsDesk()
	if u == nil {
		return nil
	}
	desk := v.s.as(u)
	lines, err := v.unissuedLines(desk, &v.jobs[i])
	if err != nil {
		return err
	}
	for _, l := range lines {
		_, err := v.s.db.IssueParts(desk, store.IssuePartsInput{OrderID: v.order, PartID: *l.PartID, PartLineID: &l.ID,
			Quantity: l.Quantity, DrawnBy: t.ID})
		if shop.ErrorCode(err) == shop.EINVALID {
			continue
		} else if err != nil {
			return err
		}
	}
	return nil
}

// progress plans a progress report on job i.
func (v *visit) progress(m, i, pct int) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "progress", func() error {
		_, err := v.s.db.ReportJobProgress(v.s.as(t), store.ReportJobProgressInput{JobID: v.jobs[i], Progress: pct})
		return err
	})
	return v
}

// pause plans pausing job i.
func (v *visit) pause(m, i int, reason shop.PauseReason, note string) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "pause", func() error {
		_, err := v.s.db.PauseJob(v.s.as(t), store.PauseJobInput{JobID: v.jobs[i], Reason: reason, Note: &note})
		return err
	})
	return v
}

// resume plans resuming job i.
func (v *visit) resume(m, i int) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "resume", func() error {
		_, err := v.s.db.ResumeJob(v.s.as(t), store.JobRef{JobID: v.jobs[i]})
		return err
	})
	return v
}

// finish plans the technician finishing job i.
func (v *visit) finish(m, i int) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "finish", func() error {
		_, err := v.s.db.FinishJob(v.s.as(t), store.JobRef{JobID: v.jobs[i]})
		return err
	})
	return v
}

// selfCheck plans the technician's self-check (自检) of job i, passed.
func (v *visit) selfCheck(m, i int) *visit {
	t := v.tech(i)
	v.step(v.clk(m), "self-check", func() error {
		_, err := v.s.db.RecordSelfCheck(v.s.as(t), store.RecordJobCheckInput{JobID: v.jobs[i], Passed: true})
		return err
	})
	return v
}

// leadCheck plans the team lead's check (班组长检验) of job i; notes empty
// means passed, else failed with those notes (rework).
func (v *visit) leadCheck(m, i int, failNotes string) *visit {
	lead := v.s.leadFor(v.site, v.tech(i))
	v.step(v.clk(m), "team-lead check", func() error {
		in := store.RecordJobCheckInput{JobID: v.jobs[i], Passed: failNotes == ""}
		if failNotes != "" {
			in.Notes = &failNotes
		}
		_, err := v.s.db.RecordTeamLeadCheck(v.s.as(lead), in)
		return err
	})
	return v
}

// work plans job i from dispatch to a passed self-check and returns when
// the technician is done: dispatched at m, started 3 minutes later.
func (v *visit) work(m, i int, tech, bay string, minutes int) int {
	v.dispatch(m, i, tech, bay).start(m+3, i).finish(m+3+minutes, i).selfCheck(m+5+minutes, i)
	return m + 5 + minutes
}

// job plans job i through every check (work, then the team lead's check 10
// minutes later) and returns when it is done.
func (v *visit) job(m, i int, tech, bay string, minutes int) int {
	end := v.work(m, i, tech, bay, minutes) + 10
	v.leadCheck(end, i, "")
	return end
}

// extra is additional work (增项) a technician finds.
type extra struct {
	desc    string
	reason  string
	minutes int
	safety  bool
	parts   []part
}

// found plans the technician of job on reporting additional work; it
// returns the plan index of the new job. Its additional-work index is the
// number of extras requested before it.
func (v *visit) found(m, on int, x extra) int {
	t := v.tech(on)
	idx := len(v.techs)
	v.techs = append(v.techs, nil)
	v.nextras++
	v.step(v.clk(m), "report additional work", func() error {
		in := store.RequestAdditionalWorkInput{OrderID: v.order, FoundOnJobID: &v.jobs[on], Description: x.desc,
			Reason: x.reason, LabourMinutes: x.minutes, ExtraMinutes: x.minutes + 15, Safety: x.safety}
		for _, p := range x.parts {
			in.Parts = append(in.Parts, partInput(p, false))
		}
		aw, err := v.s.db.RequestAdditionalWork(v.s.as(t), in)
		if err != nil {
			return err
		}
		v.jobs = append(v.jobs, aw.JobID)
		v.extras = append(v.extras, aw.ID)
		return nil
	})
	return idx
}

// approve plans the advisor recording the customer's approval of extra k.
func (v *visit) approve(m, k int, contact string, promised *time.Time) *visit {
	v.step(v.clk(m), "approve additional work", func() error {
		_, err := v.s.db.ApproveAdditionalWork(v.s.as(v.adv), store.DecideAdditionalWorkInput{AdditionalWorkID: v.extras[k],
			CustomerContact: contact, ContactMethod: shop.ContactPhone, NewPromisedAt: promised})
		return err
	})
	return v
}

// decline plans the advisor recording the customer's refusal of extra k.
func (v *visit) decline(m, k int, contact, note string) *visit {
	v.step(v.clk(m), "decline additional work", func() error {
		_, err := v.s.db.DeclineAdditionalWork(v.s.as(v.adv), store.DecideAdditionalWorkInput{AdditionalWorkID: v.extras[k],
			CustomerContact: contact, ContactMethod: shop.ContactPhone, Note: &note})
		return err
	})
	return v
}

// qc plans the final inspection (总检): passed, or failed sending jobs back.
func (v *visit) qc(m int, notes string, failed ...int) *visit {
	v.step(v.clk(m), "final inspection", func() error {
		in := store.RecordFinalInspectionInput{OrderID: v.order, Passed: len(failed) == 0}
		if notes != "" {
			in.Notes = &notes
		}
		for _, i := range failed {
			in.FailedJobIDs = append(in.FailedJobIDs, v.jobs[i])
		}
		_, err := v.s.db.RecordFinalInspection(v.s.as(v.s.staff(v.site, shop.RoleQCInspector)), in)
		return err
	})
	return v
}

// wash plans the wash (洗车) recorded done by the foreman.
func (v *visit) wash(m int) *visit {
	v.step(v.clk(m), "wash", func() error {
		_, err := v.s.db.FinishWash(v.s.as(v.s.staff(v.site, shop.RoleForeman)), store.OrderRef{OrderID: v.order})
		return err
	})
	return v
}

// settle plans the cashier's settlement (结算).
func (v *visit) settle(m int, ref string) *visit {
	v.step(v.clk(m), "settle", func() error {
		// Parts never issued (short, or of jobs never started) are not billed.
		adv := v.s.as(v.adv)
		lines, err := v.unissuedLines(adv, nil)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if _, err := v.s.db.DropPartLine(adv, store.DropPartLineInput{PartLineID: l.ID, Reason: "未领料"}); err != nil {
				return err
			}
		}
		in := store.SettleRepairOrderInput{OrderID: v.order}
		if ref != "" {
			in.PaymentReference = &ref
		}
		_, err = v.s.db.SettleRepairOrder(v.s.as(v.s.staff(v.site, shop.RoleCashier)), in)
		return err
	})
	return v
}

// deliver plans the delivery (交车) with the next service mileage and date.
func (v *visit) deliver(m, nextKm int) *visit {
	at := v.clk(m)
	next := time.Date(at.In(v.s.loc).Year(), at.In(v.s.loc).Month()+6, at.In(v.s.loc).Day(), 0, 0, 0, 0, time.UTC)
	v.step(at, "deliver", func() error {
		_, err := v.s.db.DeliverVehicle(v.s.as(v.adv), store.DeliverVehicleInput{OrderID: v.order, BelongingsChecked: true,
			NextServiceMileage: &nextKm, NextServiceDate: &next})
		return err
	})
	return v
}
