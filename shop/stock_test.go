package shop_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
)

var stockNow = time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC)

func line(id shop.PartLineID, part shop.PartID, q int, job *shop.JobID) *shop.PartLine {
	return &shop.PartLine{ID: id, OrderID: 7, PartID: &part, PartNumber: "P" + string(rune('0'+part)), Quantity: q, UnitPrice: 1000, JobID: job}
}

func slip(line *shop.PartLineID, q, returned int, cost shop.Money) *shop.PartIssue {
	return &shop.PartIssue{PartLineID: line, Quantity: q, Returned: returned, UnitCost: cost}
}

func TestBilledPartLines(t *testing.T) {
	l1, l2 := shop.PartLineID(1), shop.PartLineID(2)
	bought := &shop.PartLine{ID: 3, PartNumber: "SUBLET", Quantity: 2, UnitPrice: 500}
	for _, tc := range []struct {
		name   string
		lines  []*shop.PartLine
		issues []*shop.PartIssue
		want   map[shop.PartLineID]int
	}{
		{"OK", []*shop.PartLine{line(1, 1, 3, nil)}, []*shop.PartIssue{slip(&l1, 3, 0, 0)}, map[shop.PartLineID]int{1: 3}},
		{"OKIssuedMinusReturned", []*shop.PartLine{line(1, 1, 3, nil)},
			[]*shop.PartIssue{slip(&l1, 2, 1, 0), slip(&l1, 1, 0, 0)}, map[shop.PartLineID]int{1: 2}},
		{"OKNeverTheQuotedQuantity", []*shop.PartLine{line(1, 1, 3, nil), line(2, 2, 1, nil)},
			[]*shop.PartIssue{slip(&l1, 1, 0, 0), slip(&l2, 1, 1, 0), slip(nil, 5, 0, 0)}, map[shop.PartLineID]int{1: 1}},
		{"OKBoughtInAsQuoted", []*shop.PartLine{bought}, nil, map[shop.PartLineID]int{3: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[shop.PartLineID]int{}
			for _, l := range shop.BilledPartLines(tc.lines, tc.issues) {
				got[l.ID] = l.Quantity
			}
			if len(got) != len(tc.want) {
				t.Fatalf("state=%v, want %v", got, tc.want)
			}
			for id, q := range tc.want {
				if got[id] != q {
					t.Fatalf("state=%v, want %v", got, tc.want)
				}
			}
			if tc.lines[0].Quantity != 3 && tc.lines[0].PartID != nil {
				t.Fatalf("state=%v, want the given lines unchanged", tc.lines[0].Quantity)
			}
		})
	}
}

func TestBillingPartLines(t *testing.T) {
	l1 := shop.PartLineID(1)
	bought := &shop.PartLine{ID: 3, PartNumber: "SUBLET", Quantity: 2, UnitPrice: 500}
	for _, tc := range []struct {
		name   string
		lines  []*shop.PartLine
		issues []*shop.PartIssue
		want   map[shop.PartLineID]int
	}{
		{"OKNotDrawnYetAsQuoted", []*shop.PartLine{line(1, 1, 3, nil), line(2, 2, 1, nil)}, nil, map[shop.PartLineID]int{1: 3, 2: 1}},
		{"OKDrawnAsIssuedMinusReturned", []*shop.PartLine{line(1, 1, 3, nil), line(2, 2, 1, nil)},
			[]*shop.PartIssue{slip(&l1, 2, 1, 0)}, map[shop.PartLineID]int{1: 1, 2: 1}},
		{"OKAllReturnedNotBilled", []*shop.PartLine{line(1, 1, 3, nil)}, []*shop.PartIssue{slip(&l1, 3, 3, 0)}, map[shop.PartLineID]int{}},
		{"OKBoughtInAsQuoted", []*shop.PartLine{bought}, nil, map[shop.PartLineID]int{3: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[shop.PartLineID]int{}
			shop.SetDrawn(tc.lines, tc.issues)
			for _, l := range shop.BillingPartLines(tc.lines) {
				got[l.ID] = l.Quantity
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("state=%v, want %v", got, tc.want)
			}
			if tc.lines[0].Quantity != 3 && tc.lines[0].PartID != nil {
				t.Fatalf("state=%v, want the given lines unchanged", tc.lines[0].Quantity)
			}
		})
	}
}

func TestCheckPartsIssued(t *testing.T) {
	l1 := shop.PartLineID(1)
	j1, j2 := shop.JobID(10), shop.JobID(20)
	jobs := []*shop.Job{{ID: j1, State: shop.JobDone}, {ID: j2, State: shop.JobDeclined}}
	for _, tc := range []struct {
		name     string
		lines    []*shop.PartLine
		issues   []*shop.PartIssue
		wantCode string
		wantText string
	}{
		{"OK", []*shop.PartLine{line(1, 1, 2, &j1)}, []*shop.PartIssue{slip(&l1, 2, 0, 0)}, "", ""},
		{"OKIssuedAndAllReturned", []*shop.PartLine{line(1, 1, 2, &j1)}, []*shop.PartIssue{slip(&l1, 2, 2, 0)}, "", ""},
		{"OKDeclinedJobNotIssued", []*shop.PartLine{line(2, 2, 1, &j2)}, nil, "", ""},
		{"OKBoughtIn", []*shop.PartLine{{ID: 5, PartNumber: "SUBLET", Quantity: 1}}, nil, "", ""},
		{"ErrNeverIssued", []*shop.PartLine{line(1, 1, 2, &j1), line(2, 2, 3, nil)}, []*shop.PartIssue{slip(&l1, 1, 0, 0)},
			shop.EINVALID, "never issued: P2 × 3"},
		{"ErrIssuedToDeclinedJob", []*shop.PartLine{line(1, 1, 2, &j2)}, []*shop.PartIssue{slip(&l1, 2, 1, 0)},
			shop.EINVALID, "not billed: P1 × 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := shop.CheckPartsIssued(jobs, tc.lines, tc.issues)
			if got := shop.ErrorCode(err); got != tc.wantCode || !strings.Contains(shop.ErrorMessage(err), tc.wantText) {
				t.Fatalf("state=%v %q, want %v %q", got, shop.ErrorMessage(err), tc.wantCode, tc.wantText)
			}
			if err != nil && shop.ErrorField(err) != "parts" {
				t.Fatalf("state=%v, want field parts", shop.ErrorField(err))
			}
		})
	}
}

func TestPickPartLine(t *testing.T) {
	lines := []*shop.PartLine{line(1, 1, 2, nil), line(2, 1, 4, nil), line(3, 2, 1, nil)}
	for _, tc := range []struct {
		name     string
		named    *shop.PartLineID
		part     shop.PartID
		q        int
		net      map[shop.PartLineID]int
		want     *shop.PartLineID
		wantCode string
		field    string
	}{
		{"OK", nil, 1, 2, nil, ptr(shop.PartLineID(1)), "", ""},
		{"OKFirstWithRoom", nil, 1, 3, nil, ptr(shop.PartLineID(2)), "", ""},
		{"OKFullLineSkipped", nil, 1, 1, map[shop.PartLineID]int{1: 2}, ptr(shop.PartLineID(2)), "", ""},
		{"OKNamed", ptr(shop.PartLineID(2)), 1, 4, nil, ptr(shop.PartLineID(2)), "", ""},
		{"OKNoLineOfThatPart", nil, 9, 1, nil, nil, "", ""},
		{"ErrNoRoom", nil, 1, 5, nil, nil, shop.EINVALID, "quantity"},
		{"ErrNamedFull", ptr(shop.PartLineID(1)), 1, 1, map[shop.PartLineID]int{1: 2}, nil, shop.EINVALID, "quantity"},
		{"ErrNamedOtherPart", ptr(shop.PartLineID(3)), 1, 1, nil, nil, shop.EINVALID, "partLineId"},
		{"ErrNamedNotOnOrder", ptr(shop.PartLineID(99)), 1, 1, nil, nil, shop.ENOTFOUND, "partLineId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := shop.PickPartLine(lines, tc.named, tc.part, tc.q, tc.net)
			if code := shop.ErrorCode(err); code != tc.wantCode || shop.ErrorField(err) != tc.field {
				t.Fatalf("state=%v %v, want %v %v", code, shop.ErrorField(err), tc.wantCode, tc.field)
			}
			if (got == nil) != (tc.want == nil) || (got != nil && *got != *tc.want) {
				t.Fatalf("state=%v, want %v", got, tc.want)
			}
		})
	}
}

func TestReservePartLine(t *testing.T) {
	o := &shop.Order{ID: 7, SiteID: 1, State: shop.OrderDraft}
	part := shop.Part{ID: 1, SiteID: 1, PartNumber: "F1", OnHand: 3, Reserved: 1}
	adopted := &shop.PartReservation{ID: 9, PartID: 1, Quantity: 1, State: shop.ReservationReserved, Version: 1}
	for _, tc := range []struct {
		name         string
		q            int
		free         []*shop.PartReservation
		wantReserved int
		wantNew      shop.ReservationState
		wantTied     bool
	}{
		{"OK", 2, nil, 3, shop.ReservationReserved, false},
		{"OKShortageWaits", 3, nil, 1, shop.ReservationWaiting, false},
		{"OKTiesTheAppointmentsFirst", 2, []*shop.PartReservation{adopted}, 2, shop.ReservationReserved, true},
		{"OKCoveredByTheAppointments", 1, []*shop.PartReservation{adopted}, 1, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl := *line(5, 1, tc.q, nil)
			p, tied, r, ev, ok := shop.ReservePartLine(part, o, pl, tc.free, 3, stockNow)
			if !ok || p.Reserved != tc.wantReserved || (tied != nil) != tc.wantTied {
				t.Fatalf("state=%v tied=%v, want reserved %v tied %v", p.Reserved, tied, tc.wantReserved, tc.wantTied)
			}
			if (r == nil) != (tc.wantNew == "") || (r != nil && (r.State != tc.wantNew || *r.PartLineID != 5)) {
				t.Fatalf("state=%+v, want %v for line 5", r, tc.wantNew)
			}
			if tied != nil && (*tied.PartLineID != 5 || adopted.PartLineID != nil) {
				t.Fatalf("state=%+v, want a copy tied to line 5", tied)
			}
			if ev.OrderID == nil || *ev.OrderID != 7 {
				t.Fatalf("state=%+v, want an event on the order", ev)
			}
		})
	}
	t.Run("OKNoCataloguePart", func(t *testing.T) {
		pl := shop.PartLine{ID: 5, PartNumber: "SUBLET", Quantity: 1}
		if _, _, _, _, ok := shop.ReservePartLine(part, o, pl, nil, 3, stockNow); ok {
			t.Fatalf("state=%v, want false", ok)
		}
	})
}

func TestAdoptAppointmentReservations(t *testing.T) {
	o := &shop.Order{ID: 7, SiteID: 1, State: shop.OrderDraft}
	ap := shop.AppointmentID(4)
	rs := []*shop.PartReservation{
		{ID: 1, AppointmentID: &ap, State: shop.ReservationReserved, Version: 1},
		{ID: 2, AppointmentID: &ap, State: shop.ReservationReleased, Version: 1},
	}
	t.Run("OK", func(t *testing.T) {
		got, _, ok := shop.AdoptAppointmentReservations(o, rs)
		if !ok || len(got) != 1 || *got[0].OrderID != 7 || got[0].AppointmentID != nil || *got[0].FromAppointmentID != ap {
			t.Fatalf("state=%+v, want reservation 1 now the order's", got)
		}
	})
	t.Run("OKNone", func(t *testing.T) {
		if _, _, ok := shop.AdoptAppointmentReservations(o, rs[1:]); ok {
			t.Fatalf("state=%v, want false", ok)
		}
	})
}

func TestDropPartLine(t *testing.T) {
	pl := *line(1, 1, 2, nil)
	for _, tc := range []struct {
		name     string
		state    shop.OrderState
		net      int
		reason   string
		wantCode string
	}{
		{"OK", shop.OrderInWork, 0, "not needed", ""},
		{"ErrIssued", shop.OrderInWork, 1, "not needed", shop.EINVALID},
		{"ErrNoReason", shop.OrderInWork, 0, " ", shop.EINVALID},
		{"ErrDraft", shop.OrderDraft, 0, "x", shop.EINVALIDTRANSITION},
		{"ErrSettled", shop.OrderSettled, 0, "x", shop.EINVALIDTRANSITION},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := shop.DropPartLine(&shop.Order{ID: 7, SiteID: 1, State: tc.state}, pl, tc.net, tc.reason)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("state=%v, want %v", got, tc.wantCode)
			}
		})
	}
}

func TestReturnPartsAfterSettlement(t *testing.T) {
	p := shop.Part{ID: 1, SiteID: 1, PartNumber: "F1", OnHand: 1}
	is := shop.PartIssue{ID: 1, Quantity: 2}
	for _, tc := range []struct {
		name     string
		state    shop.OrderState
		wantCode string
	}{
		{"OK", shop.OrderReady, ""},
		{"OKCancelled", shop.OrderCancelled, ""},
		{"ErrSettled", shop.OrderSettled, shop.EINVALIDTRANSITION},
		{"ErrDelivered", shop.OrderDelivered, shop.EINVALIDTRANSITION},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p2, _, _, err := shop.ReturnParts(p, is, &shop.Order{ID: 7, SiteID: 1, State: tc.state}, 1, stockNow)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("state=%v, want %v", got, tc.wantCode)
			}
			if err != nil && p2.OnHand != 1 {
				t.Fatalf("state=%v, want stock unchanged", p2.OnHand)
			}
		})
	}
}

func TestMovingAverageCost(t *testing.T) {
	for _, tc := range []struct {
		name   string
		onHand int
		avg    shop.Money
		q      int
		cost   shop.Money
		want   shop.Money
	}{
		{"OK", 10, 1000, 10, 2000, 1500},
		{"OKRoundsHalfUp", 2, 100, 1, 101, 100}, // 301/3 = 100.33
		{"OKRoundsUp", 1, 100, 1, 101, 101},     // 100.5
		{"OKEmptyStockTakesTheReceiptsCost", 0, 999, 5, 1200, 1200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.MovingAverageCost(tc.onHand, tc.avg, tc.q, tc.cost); got != tc.want {
				t.Fatalf("state=%v, want %v", got, tc.want)
			}
		})
	}
}

func TestTransferStock(t *testing.T) {
	b1, b2 := shop.StockStoreID(1), shop.StockStoreID(2)
	p := shop.Part{ID: 1, SiteID: 1, PartNumber: "F1", OnHand: 5, Reserved: 2, AvgCost: 700}
	main := shop.StockLevel{PartID: 1, OnHand: 5, Reserved: 2}
	branch := shop.StockLevel{PartID: 1, Store: &b1, OnHand: 4}
	for _, tc := range []struct {
		name     string
		from, to shop.StockLevel
		in       shop.TransferInput
		wantCode string
		field    string
	}{
		{"OK", main, branch, shop.TransferInput{To: &b1, Quantity: 3}, "", ""},
		{"OKBranchToBranch", branch, shop.StockLevel{Store: &b2}, shop.TransferInput{From: &b1, To: &b2, Quantity: 4}, "", ""},
		{"ErrReservedStaysInMain", main, branch, shop.TransferInput{To: &b1, Quantity: 4}, shop.EINVALID, "quantity"},
		{"ErrMoreThanTheBranchHas", branch, main, shop.TransferInput{From: &b1, Quantity: 5}, shop.EINVALID, "quantity"},
		{"ErrSameStore", branch, branch, shop.TransferInput{From: &b1, To: &b1, Quantity: 1}, shop.EINVALID, "toStoreId"},
		{"ErrQuantity", main, branch, shop.TransferInput{To: &b1, Quantity: 0}, shop.EINVALID, "quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, to, _, mv, _, err := shop.TransferStock(p, tc.from, tc.to, tc.in, 3, stockNow)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.field {
				t.Fatalf("state=%v %v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.field)
			}
			if err != nil {
				return
			}
			if mv[0].Quantity+mv[1].Quantity != 0 || f.OnHand+to.OnHand != tc.from.OnHand+tc.to.OnHand || mv[1].Quantity != tc.in.Quantity {
				t.Fatalf("state=%+v, want two movements that balance", mv)
			}
		})
	}
}

func TestPostStocktake(t *testing.T) {
	manager := shop.Actor{UserID: 1, Role: shop.RoleServiceManager}
	clerk := shop.Actor{UserID: 2, Role: shop.RolePartsClerk}
	levels := func() map[shop.PartID]*shop.StockLevel {
		return map[shop.PartID]*shop.StockLevel{1: {PartID: 1, OnHand: 5, Reserved: 2}, 2: {PartID: 2, OnHand: 0}}
	}
	for _, tc := range []struct {
		name      string
		by        shop.Actor
		counts    []shop.StocktakeCount
		wantCode  string
		field     string
		wantMoves int
	}{
		{"OK", manager, []shop.StocktakeCount{{PartID: 1, Counted: 4, Reason: "damaged box"}, {PartID: 2, Counted: 0}}, "", "", 1},
		{"OKClerkCountsWhatTheBookSays", clerk, []shop.StocktakeCount{{PartID: 1, Counted: 5}}, "", "", 0},
		{"ErrForbiddenClerkAdjusts", clerk, []shop.StocktakeCount{{PartID: 1, Counted: 6, Reason: "found one"}}, shop.EFORBIDDEN, "", 0},
		{"ErrNoReason", manager, []shop.StocktakeCount{{PartID: 1, Counted: 4}}, shop.EINVALID, "lines[0].reason", 0},
		{"ErrBelowReserved", manager, []shop.StocktakeCount{{PartID: 1, Counted: 1, Reason: "lost"}}, shop.EINVALID, "lines[0].counted", 0},
		{"ErrNegative", manager, []shop.StocktakeCount{{PartID: 2, Counted: -1, Reason: "x"}}, shop.EINVALID, "lines[0].counted", 0},
		{"ErrTwice", manager, []shop.StocktakeCount{{PartID: 2, Counted: 0}, {PartID: 2, Counted: 0}}, shop.EINVALID, "lines[1].partId", 0},
		{"ErrNotInCatalogue", manager, []shop.StocktakeCount{{PartID: 9, Counted: 0}}, shop.ENOTFOUND, "lines[0].partId", 0},
		{"ErrEmpty", manager, nil, shop.EINVALID, "lines", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lv := levels()
			st, moves, _, err := shop.PostStocktake(tc.by, 1, nil, tc.counts, "", lv, map[shop.PartID]shop.Money{1: 700}, stockNow)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.field {
				t.Fatalf("state=%v %v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.field)
			}
			if err != nil {
				return
			}
			if len(moves) != tc.wantMoves || len(st.Lines) != len(tc.counts) {
				t.Fatalf("state=%+v, want %d movement(s)", moves, tc.wantMoves)
			}
			for _, m := range moves {
				if m.Kind != shop.MoveAdjustment || lv[m.PartID].OnHand != 4 || m.Quantity != -1 || m.Reason == "" {
					t.Fatalf("state=%+v, want an adjustment of -1 with its reason", m)
				}
			}
		})
	}
}

func TestReorder(t *testing.T) {
	for _, tc := range []struct {
		name          string
		p             shop.Part
		incoming      int
		want          bool
		wantSuggested int
	}{
		{"OK", shop.Part{OnHand: 3, Reserved: 1, ReorderPoint: 4}, 0, true, 6},
		{"OKOnOrderCounts", shop.Part{OnHand: 3, Reserved: 1, ReorderPoint: 4}, 5, false, 1},
		{"OKNoPointNeverListed", shop.Part{OnHand: 0}, 0, false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := shop.NeedsReorder(&tc.p, tc.incoming); got != tc.want {
				t.Fatalf("state=%v, want %v", got, tc.want)
			}
			if got := shop.ReorderQuantity(&tc.p, tc.incoming); got != tc.wantSuggested {
				t.Fatalf("state=%v, want %v", got, tc.wantSuggested)
			}
		})
	}
	t.Run("ErrReorderPoint", func(t *testing.T) {
		if _, _, err := shop.SetReorderPoint(shop.Part{}, -1); shop.ErrorField(err) != "reorderPoint" {
			t.Fatalf("state=%v, want INVALID reorderPoint", err)
		}
	})
}

func TestPurchaseOrder(t *testing.T) {
	site := shop.SiteID(1)
	parts := map[shop.PartID]shop.SiteID{1: 1, 2: 2}
	for _, tc := range []struct {
		name     string
		supplier *shop.SiteID
		lines    []shop.PurchaseLineInput
		wantCode string
		field    string
	}{
		{"OK", &site, []shop.PurchaseLineInput{{PartID: 1, Quantity: 10, UnitCost: 650}}, "", ""},
		{"ErrSupplier", nil, []shop.PurchaseLineInput{{PartID: 1, Quantity: 10}}, shop.ENOTFOUND, "supplierId"},
		{"ErrNoLines", &site, nil, shop.EINVALID, "lines"},
		{"ErrOtherSitesPart", &site, []shop.PurchaseLineInput{{PartID: 2, Quantity: 1}}, shop.ENOTFOUND, "lines[0].partId"},
		{"ErrTwice", &site, []shop.PurchaseLineInput{{PartID: 1, Quantity: 1}, {PartID: 1, Quantity: 1}}, shop.EINVALID, "lines[1].partId"},
		{"ErrQuantity", &site, []shop.PurchaseLineInput{{PartID: 1, Quantity: 0}}, shop.EINVALID, "lines[0].quantity"},
		{"ErrCost", &site, []shop.PurchaseLineInput{{PartID: 1, Quantity: 1, UnitCost: -1}}, shop.EINVALID, "lines[0].unitCost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := shop.NewPurchaseOrder(site, 3, tc.supplier, "", tc.lines, parts, 1, stockNow)
			if got := shop.ErrorCode(err); got != tc.wantCode || shop.ErrorField(err) != tc.field {
				t.Fatalf("state=%v %v, want %v %v", got, shop.ErrorField(err), tc.wantCode, tc.field)
			}
		})
	}
}

func TestReceivePurchase(t *testing.T) {
	p := shop.Part{ID: 1, SiteID: 1, PartNumber: "F1", OnHand: 10, AvgCost: 1000}
	po := shop.PurchaseOrder{ID: 1, SiteID: 1, State: shop.PurchaseOpen, Version: 1}
	l1 := &shop.PurchaseOrderLine{ID: 1, PartID: 1, Quantity: 10, UnitCost: 2000}
	l2 := &shop.PurchaseOrderLine{ID: 2, PartID: 2, Quantity: 1, Received: 1}
	for _, tc := range []struct {
		name      string
		po        shop.PurchaseOrder
		q         int
		elsewhere int
		wantCode  string
		wantAvg   shop.Money
		wantState shop.PurchaseOrderState
	}{
		{"OK", po, 4, 0, "", 1286, shop.PurchaseOpen}, // (10×1000 + 4×2000) / 14
		{"OKLastLineClosesIt", po, 10, 0, "", 1500, shop.PurchaseReceived},
		{"OKBranchStockCountsInTheAverage", po, 10, 10, "", 1333, shop.PurchaseReceived},
		{"ErrMoreThanOrdered", po, 11, 0, shop.EINVALID, 0, ""},
		{"ErrCancelled", shop.PurchaseOrder{ID: 1, State: shop.PurchaseCancelled}, 1, 0, shop.EINVALIDTRANSITION, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := shop.ReceivePurchase(p, tc.po, *l1, []*shop.PurchaseOrderLine{l1, l2}, tc.elsewhere, tc.q, "", 1, stockNow)
			if got := shop.ErrorCode(err); got != tc.wantCode {
				t.Fatalf("state=%v, want %v", got, tc.wantCode)
			}
			if err != nil {
				return
			}
			if out.Part.AvgCost != tc.wantAvg || out.Order.State != tc.wantState || out.Part.OnHand != 10+tc.q || out.Movement.Quantity != tc.q {
				t.Fatalf("state=%v %v %v, want %v %v", out.Part.AvgCost, out.Order.State, out.Part.OnHand, tc.wantAvg, tc.wantState)
			}
		})
	}
}

func TestComputePartsMargin(t *testing.T) {
	l1 := shop.PartLineID(1)
	lines := []*shop.PartLine{line(1, 1, 3, nil)}
	issues := []*shop.PartIssue{slip(&l1, 3, 1, 600), slip(nil, 1, 0, 200)}
	m := shop.ComputePartsMargin(lines, issues)
	// revenue 2 × 1000; cost 2 × 600 + 1 × 200 (a consumable with no line costs too)
	if m.Revenue != 2000 || m.Cost != 1400 || m.Margin != 600 || m.MarginBasisPoints != 3000 {
		t.Fatalf("state=%+v, want revenue 2000 cost 1400 margin 600 (30%%)", m)
	}
	if shop.ErrorField(shop.CheckPeriod(stockNow, stockNow)) != "to" {
		t.Fatalf("state=%v, want INVALID to for an empty period", shop.CheckPeriod(stockNow, stockNow))
	}
}

// TestCheckStockInvariants shows each invariant failing on a crafted broken
// state, so the property test's checker cannot pass by accident.
func TestCheckStockInvariants(t *testing.T) {
	b := shop.StockStoreID(4)
	good := shop.LedgerStock{PartID: 1, PartNumber: "F1", OnHand: 5, Reserved: 2, Movements: 5, HeldByOpen: 2}
	billed := func(n int) *int { return &n }
	for _, tc := range []struct {
		name string
		s    shop.StockSnapshot
		want string
	}{
		{"OK", shop.StockSnapshot{Stock: []shop.LedgerStock{good, {PartID: 1, StoreID: &b, OnHand: 3, Movements: 3}},
			DeliveredLines: []shop.LedgerLine{{LineID: 1, Billed: billed(2), NetIssued: 2}}}, ""},
		{"OKReservedCoveredByIncoming", shop.StockSnapshot{Stock: []shop.LedgerStock{
			{PartID: 1, OnHand: 1, Reserved: 3, Incoming: 2, Movements: 1, HeldByOpen: 3}}}, ""},
		{"ErrMovementsDoNotAddUp", shop.StockSnapshot{Stock: []shop.LedgerStock{{PartID: 1, OnHand: 5, Movements: 4}}},
			"movements add up to 4 but on hand is 5"},
		{"ErrBranchMovements", shop.StockSnapshot{Stock: []shop.LedgerStock{{PartID: 1, StoreID: &b, OnHand: 0, Movements: 2}}},
			"branch store 4: movements add up to 2"},
		{"ErrNegative", shop.StockSnapshot{Stock: []shop.LedgerStock{{PartID: 1, OnHand: -1, Movements: -1}}}, "on hand is -1"},
		{"ErrOverReserved", shop.StockSnapshot{Stock: []shop.LedgerStock{{PartID: 1, OnHand: 1, Reserved: 2, Movements: 1, HeldByOpen: 2}}},
			"reserved 2 exceeds on hand 1 + incoming 0"},
		{"ErrReservedCounterDrifts", shop.StockSnapshot{Stock: []shop.LedgerStock{{PartID: 1, OnHand: 5, Reserved: 2, Movements: 5, HeldByOpen: 1}}},
			"open reservations hold 1"},
		{"ErrBilledNotIssued", shop.StockSnapshot{DeliveredLines: []shop.LedgerLine{{LineID: 1, PartNumber: "F1", Billed: billed(3), NetIssued: 2}}},
			"billed 3 but issued minus returned is 2"},
		{"ErrNotBilledAtAll", shop.StockSnapshot{DeliveredLines: []shop.LedgerLine{{LineID: 1, PartNumber: "F1", NetIssued: 2}}},
			"no billed quantity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(shop.CheckStockInvariants(tc.s), "; ")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("state=%q, want %q", got, tc.want)
			}
		})
	}
}
