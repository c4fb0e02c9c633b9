package shop_test

import (
	"testing"
	"time"

	"bayboard/shop"
)

func TestNewPart(t *testing.T) {
	for _, tc := range []struct {
		name, number, desc string
		price              shop.Money
		wantCode, field    string
	}{
		{"OK", " 04465-33471 ", "Front brake pads", 38000, "", ""},
		{"ErrNoNumber", "", "Pads", 100, shop.EINVALID, "partNumber"},
		{"ErrNoDescription", "P1", "", 100, shop.EINVALID, "description"},
		{"ErrPrice", "P1", "Pads", -1, shop.EINVALID, "unitPrice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ev, err := shop.NewPart(1, tc.number, tc.desc, tc.price)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.field {
				t.Fatalf("code=%v field=%v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.field)
			}
			if err == nil && (p.PartNumber != "04465-33471" || p.OnHand != 0 || ev.Kind != shop.EventStockReceived) {
				t.Fatalf("part=%+v event=%v, want a trimmed number and no stock", p, ev.Kind)
			}
		})
	}
}

func TestReserveParts(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	oid, jid, aid := shop.OrderID(7), shop.JobID(70), shop.AppointmentID(5)
	site, other := shop.SiteID(1), shop.SiteID(2)
	inWork, settledJob, doneJob := &shop.Order{ID: 7, SiteID: 1, State: shop.OrderInWork}, shop.JobCancelled, shop.JobDispatched
	for _, tc := range []struct {
		name      string
		onHand    int
		in        shop.ReserveInput
		target    shop.ReserveTarget
		wantCode  string
		wantField string
		wantState shop.ReservationState
		wantKind  shop.EventKind
	}{
		{"OK", 5, shop.ReserveInput{Quantity: 2, OrderID: &oid, JobID: &jid}, shop.ReserveTarget{Order: inWork, JobState: &doneJob},
			"", "", shop.ReservationReserved, shop.EventPartsReserved},
		{"OKShortageWaits", 1, shop.ReserveInput{Quantity: 2, OrderID: &oid}, shop.ReserveTarget{Order: inWork},
			"", "", shop.ReservationWaiting, shop.EventPartShortage},
		{"OKAppointment", 5, shop.ReserveInput{Quantity: 1, AppointmentID: &aid},
			shop.ReserveTarget{AppointmentSite: &site, AppointmentState: shop.AppointmentBooked}, "", "", shop.ReservationReserved, shop.EventPartsReserved},
		{"ErrQuantity", 5, shop.ReserveInput{Quantity: 0, OrderID: &oid}, shop.ReserveTarget{Order: inWork}, shop.EINVALID, "quantity", "", ""},
		{"ErrBothTargets", 5, shop.ReserveInput{Quantity: 1, OrderID: &oid, AppointmentID: &aid}, shop.ReserveTarget{Order: inWork},
			shop.EINVALID, "orderId", "", ""},
		{"ErrNoTarget", 5, shop.ReserveInput{Quantity: 1}, shop.ReserveTarget{}, shop.EINVALID, "orderId", "", ""},
		{"ErrPartOtherSite", 5, shop.ReserveInput{Quantity: 1, OrderID: &oid},
			shop.ReserveTarget{Order: &shop.Order{ID: 7, SiteID: 2, State: shop.OrderInWork}}, shop.ENOTFOUND, "partId", "", ""},
		{"ErrOrderSettled", 5, shop.ReserveInput{Quantity: 1, OrderID: &oid},
			shop.ReserveTarget{Order: &shop.Order{ID: 7, SiteID: 1, State: shop.OrderSettled}}, shop.EINVALIDTRANSITION, "", "", ""},
		{"ErrJobNotOnOrder", 5, shop.ReserveInput{Quantity: 1, OrderID: &oid, JobID: &jid}, shop.ReserveTarget{Order: inWork},
			shop.ENOTFOUND, "jobId", "", ""},
		{"ErrJobSettled", 5, shop.ReserveInput{Quantity: 1, OrderID: &oid, JobID: &jid}, shop.ReserveTarget{Order: inWork, JobState: &settledJob},
			shop.EINVALIDTRANSITION, "", "", ""},
		{"ErrJobOnAppointment", 5, shop.ReserveInput{Quantity: 1, AppointmentID: &aid, JobID: &jid},
			shop.ReserveTarget{AppointmentSite: &site, AppointmentState: shop.AppointmentBooked}, shop.EINVALID, "jobId", "", ""},
		{"ErrAppointmentOtherSite", 5, shop.ReserveInput{Quantity: 1, AppointmentID: &aid},
			shop.ReserveTarget{AppointmentSite: &other, AppointmentState: shop.AppointmentBooked}, shop.ENOTFOUND, "appointmentId", "", ""},
		{"ErrAppointmentNotBooked", 5, shop.ReserveInput{Quantity: 1, AppointmentID: &aid},
			shop.ReserveTarget{AppointmentSite: &site, AppointmentState: "CANCELLED"}, shop.EINVALIDTRANSITION, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := shop.Part{ID: 3, SiteID: 1, PartNumber: "P1", OnHand: tc.onHand}
			p2, r, ev, err := shop.ReserveParts(p, tc.in, tc.target, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.wantField {
				t.Fatalf("code=%v field=%v, want %v %v (%v)", got, shop.ErrorField(err), tc.wantCode, tc.wantField, err)
			}
			if err != nil {
				return
			}
			if r.State != tc.wantState || ev.Kind != tc.wantKind {
				t.Fatalf("state=%v event=%v, want %v %v", r.State, ev.Kind, tc.wantState, tc.wantKind)
			}
			wantReserved := 0
			if r.State == shop.ReservationReserved {
				wantReserved = tc.in.Quantity
			}
			if p2.Reserved != wantReserved || (tc.in.OrderID != nil) != (ev.OrderID != nil) {
				t.Fatalf("reserved=%d order=%v, want %d", p2.Reserved, ev.OrderID, wantReserved)
			}
		})
	}
}

func TestReceiveStock(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	oid, site, other := shop.OrderID(7), shop.SiteID(1), shop.SiteID(2)
	for _, tc := range []struct {
		name        string
		in          shop.ReceiptInput
		forSite     *shop.SiteID
		wantCode    string
		wantSummary string
	}{
		{"OK", shop.ReceiptInput{Quantity: 4}, nil, "", "Stock received: 4 × P1, on hand 5"},
		{"OKUrgentWarranty", shop.ReceiptInput{Quantity: 1, Urgent: true, Warranty: true, ForOrderID: &oid}, &site, "",
			"Urgent warranty part received: 1 × P1, on hand 2"},
		{"ErrQuantity", shop.ReceiptInput{Quantity: -1}, nil, shop.EINVALID, ""},
		{"ErrOrderOtherSite", shop.ReceiptInput{Quantity: 1, ForOrderID: &oid}, &other, shop.ENOTFOUND, ""},
		{"ErrOrderMissing", shop.ReceiptInput{Quantity: 1, ForOrderID: &oid}, nil, shop.ENOTFOUND, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, _, ev, err := shop.ReceiveStock(shop.Part{ID: 3, SiteID: 1, PartNumber: "P1", OnHand: 1}, tc.in, tc.forSite, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (ev.Summary != tc.wantSummary || p.OnHand != 1+tc.in.Quantity) {
				t.Fatalf("summary=%q onHand=%d, want %q", ev.Summary, p.OnHand, tc.wantSummary)
			}
		})
	}
}

func TestIssueParts(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	jid := shop.JobID(70)
	inWork := &shop.Order{ID: 7, SiteID: 1, State: shop.OrderInWork}
	held := func() []*shop.PartReservation {
		return []*shop.PartReservation{
			{ID: 1, Quantity: 2, State: shop.ReservationReserved, JobID: &jid},
			{ID: 2, Quantity: 3, Issued: 1, State: shop.ReservationReserved},
		}
	}
	for _, tc := range []struct {
		name         string
		o            *shop.Order
		q            int
		jobOnOrder   bool
		wantCode     string
		wantOnHand   int
		wantReserved int
		wantStates   []shop.ReservationState
	}{
		{"OKFromReservations", inWork, 3, true, "", 7, 1, []shop.ReservationState{shop.ReservationIssued, shop.ReservationReserved}},
		{"OKBeyondReservations", inWork, 6, true, "", 4, 0, []shop.ReservationState{shop.ReservationIssued, shop.ReservationIssued}},
		{"ErrTooMany", inWork, 11, true, shop.EINVALID, 0, 0, nil},
		{"ErrJobNotOnOrder", inWork, 1, false, shop.ENOTFOUND, 0, 0, nil},
		{"ErrOtherSite", &shop.Order{ID: 7, SiteID: 2, State: shop.OrderInWork}, 1, true, shop.ENOTFOUND, 0, 0, nil},
		{"ErrOrderNotInWork", &shop.Order{ID: 7, SiteID: 1, State: shop.OrderDelivered}, 1, true, shop.EINVALIDTRANSITION, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := shop.Part{ID: 3, SiteID: 1, PartNumber: "P1", OnHand: 10, Reserved: 4}
			hs := held()
			out, err := shop.IssueParts(p, tc.o, hs, shop.IssueInput{Quantity: tc.q, JobID: &jid, DrawnBy: 50}, tc.jobOnOrder, 30, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v (%v)", got, tc.wantCode, err)
			}
			if err != nil {
				return
			}
			if out.Part.OnHand != tc.wantOnHand || out.Part.Reserved != tc.wantReserved {
				t.Fatalf("stock=%d/%d, want %d/%d", out.Part.OnHand, out.Part.Reserved, tc.wantOnHand, tc.wantReserved)
			}
			if len(out.Reservations) != len(tc.wantStates) {
				t.Fatalf("reservations=%d, want %d", len(out.Reservations), len(tc.wantStates))
			}
			for i, r := range out.Reservations {
				if r.State != tc.wantStates[i] || (r.State == shop.ReservationIssued) != (r.ClosedAt != nil) {
					t.Fatalf("state=%v closed=%v, want %v", r.State, r.ClosedAt, tc.wantStates[i])
				}
			}
			if hs[0].Issued != 0 || *out.Issue.ReservationID != 1 || out.Event.Kind != shop.EventPartsIssued {
				t.Fatalf("input changed or slip=%+v, want the first reservation named", out.Issue)
			}
		})
	}
}

func TestReturnAndReleaseParts(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	o := &shop.Order{ID: 7, SiteID: 1}
	for _, tc := range []struct {
		name     string
		q        int
		wantCode string
	}{{"OK", 2, ""}, {"ErrMoreThanIssued", 4, shop.EINVALID}, {"ErrQuantity", 0, shop.EINVALID}} {
		t.Run("Return"+tc.name, func(t *testing.T) {
			p, is, ev, err := shop.ReturnParts(shop.Part{SiteID: 1, OnHand: 1}, shop.PartIssue{Quantity: 3, Returned: 0}, o, tc.q, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (p.OnHand != 3 || is.Returned != 2 || is.ReturnedAt == nil || ev.Kind != shop.EventPartsReturned) {
				t.Fatalf("onHand=%d returned=%d, want 3, 2", p.OnHand, is.Returned)
			}
		})
	}
	for _, tc := range []struct {
		name         string
		state        shop.ReservationState
		reason       string
		wantCode     string
		wantReserved int
	}{
		{"OKReserved", shop.ReservationReserved, "Customer declined", "", 1},
		{"OKWaiting", shop.ReservationWaiting, "Customer declined", "", 3},
		{"ErrIssued", shop.ReservationIssued, "x", shop.EINVALIDTRANSITION, 3},
		{"ErrNoReason", shop.ReservationReserved, " ", shop.EINVALID, 3},
	} {
		t.Run("Release"+tc.name, func(t *testing.T) {
			p, r, ev, err := shop.ReleaseReservation(shop.Part{SiteID: 1, OnHand: 5, Reserved: 3},
				shop.PartReservation{Quantity: 3, Issued: 1, State: tc.state}, o, tc.reason, now)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("code=%v, want %v", got, tc.wantCode)
			}
			if err == nil && (p.Reserved != tc.wantReserved || r.State != shop.ReservationReleased || ev.Kind != shop.EventPartsReleased) {
				t.Fatalf("reserved=%d state=%v, want %d RELEASED", p.Reserved, r.State, tc.wantReserved)
			}
		})
	}
}

func TestUnavailableParts(t *testing.T) {
	a, b := shop.PartID(1), shop.PartID(2)
	line := func(id *shop.PartID, q int) *shop.PartLine { return &shop.PartLine{PartID: id, Quantity: q} }
	for _, tc := range []struct {
		name  string
		lines []*shop.PartLine
		stock map[shop.PartID]*shop.Part
		want  int
	}{
		{"OK", []*shop.PartLine{line(&a, 2)}, map[shop.PartID]*shop.Part{a: {OnHand: 2}}, 0},
		{"OKFreeTextLine", []*shop.PartLine{line(nil, 9)}, map[shop.PartID]*shop.Part{}, 0},
		{"ErrLinesAddUp", []*shop.PartLine{line(&a, 2), line(&a, 2), line(&b, 1)},
			map[shop.PartID]*shop.Part{a: {OnHand: 3}, b: {OnHand: 1}}, 2},
		{"ErrReservedForOthers", []*shop.PartLine{line(&a, 1)}, map[shop.PartID]*shop.Part{a: {OnHand: 1, Reserved: 1}}, 1},
		{"OKUnknownPart", []*shop.PartLine{line(&b, 1)}, map[shop.PartID]*shop.Part{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.UnavailableParts(tc.lines, tc.stock); len(got) != tc.want {
				t.Fatalf("unavailable=%d, want %d", len(got), tc.want)
			}
		})
	}
}

func TestReleaseForOrder(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	o := &shop.Order{ID: 7, SiteID: 1, VisitID: 3, AdvisorID: 20}
	for _, tc := range []struct {
		name      string
		open      []*shop.PartReservation
		wantFreed []shop.PartID
		wantRes   map[shop.PartID]int
		wantEvent bool
	}{
		{"OK", []*shop.PartReservation{
			{ID: 1, PartID: 2, Quantity: 3, Issued: 1, State: shop.ReservationReserved},
			{ID: 2, PartID: 1, Quantity: 1, State: shop.ReservationReserved},
			{ID: 3, PartID: 2, Quantity: 1, State: shop.ReservationReserved},
		}, []shop.PartID{1, 2}, map[shop.PartID]int{1: 0, 2: 1}, true},
		{"OKWaitingFreesNothing", []*shop.PartReservation{{ID: 1, PartID: 1, Quantity: 5, State: shop.ReservationWaiting}},
			nil, map[shop.PartID]int{1: 1, 2: 4}, true},
		{"OKNothingOpen", nil, nil, map[shop.PartID]int{1: 1, 2: 4}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts := map[shop.PartID]*shop.Part{1: {ID: 1, OnHand: 5, Reserved: 1}, 2: {ID: 2, OnHand: 5, Reserved: 4}}
			freed, ev, ok := shop.ReleaseForOrder(o, nil, tc.open, parts, "order cancelled", now)
			if ok != tc.wantEvent || len(freed) != len(tc.wantFreed) {
				t.Fatalf("freed=%v event=%v, want %v %v", freed, ok, tc.wantFreed, tc.wantEvent)
			}
			for i := range freed {
				if freed[i] != tc.wantFreed[i] {
					t.Fatalf("freed=%v, want %v", freed, tc.wantFreed)
				}
			}
			for id, want := range tc.wantRes {
				if parts[id].Reserved != want {
					t.Fatalf("part %d reserved=%d, want %d", id, parts[id].Reserved, want)
				}
			}
			for _, r := range tc.open {
				if r.State != shop.ReservationReleased || r.ClosedAt == nil {
					t.Fatalf("reservation %d state=%v, want RELEASED", r.ID, r.State)
				}
			}
			if ok && (ev.Kind != shop.EventPartsReleased || *ev.OrderID != 7) {
				t.Fatalf("event=%+v, want PARTS_RELEASED on order 7", ev)
			}
		})
	}
}

func TestPartsArrivedEvent(t *testing.T) {
	p := &shop.Part{SiteID: 1, PartNumber: "P1"}
	r := &shop.PartReservation{Quantity: 2}
	if ev := shop.PartsArrivedEvent(p, r, nil); ev.OrderID != nil || ev.Summary != "Parts arrived for an appointment: 2 × P1 reserved" {
		t.Fatalf("event=%+v, want an appointment's", ev)
	}
	if ev := shop.PartsArrivedEvent(p, r, &shop.Order{ID: 7, SiteID: 1}); *ev.OrderID != 7 || ev.Kind != shop.EventPartsArrived {
		t.Fatalf("event=%+v, want order 7's", ev)
	}
}
