package graph_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// token gives u a bearer token in the env (the fixture's clerks have none by default).
func (e *env) token(t *testing.T, u *shop.User) {
	t.Helper()
	tok := fmt.Sprintf("test-follow-%d-token", u.ID)
	if err := e.db.StoreToken(context.Background(), u.ID, tok, "test", 0); err != nil {
		t.Fatal(err)
	}
	e.tokens[u.ID] = tok
}

// TestPartsGraphQL: a shortage blocks the car on the board and in the order,
// received stock unblocks it, and a bad issue is a typed user error.
func TestPartsGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.token(t, e.f.PartsClerk)
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	orderID, jobID := gid(shop.TypeOrder, int64(car.Order.ID)), gid(shop.TypeJob, int64(car.Jobs[0].ID))
	siteID := gid(shop.TypeSite, int64(e.f.Site.ID))

	var created struct {
		CreatePart struct {
			Part       struct{ ID string }
			UserErrors []userError
		}
	}
	e.must(t, e.f.PartsClerk, `mutation($in: CreatePartInput!) { createPart(input: $in) { part { id } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"siteId": siteID, "partNumber": "04465-33471", "description": "前刹车片", "unitPrice": "480.00"}}, &created)
	if len(created.CreatePart.UserErrors) > 0 {
		t.Fatalf("userErrors=%+v", created.CreatePart.UserErrors)
	}
	partID := created.CreatePart.Part.ID

	var res struct {
		ReserveParts struct {
			Reservation struct{ State string }
			UserErrors  []userError
		}
	}
	e.must(t, e.f.Advisor, `mutation($in: ReservePartsInput!) { reserveParts(input: $in) { reservation { state } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"partId": partID, "quantity": 1, "orderId": orderID, "jobId": jobID}}, &res)
	if res.ReserveParts.Reservation.State != "WAITING" {
		t.Fatalf("reservation=%+v, want WAITING", res.ReserveParts)
	}
	type orderView struct {
		RepairOrder struct {
			Stage    string
			Blockers []string
			Jobs     []struct{ PartsShort bool }
			Timeline struct {
				Edges []struct{ Node struct{ Kind string } }
			}
		}
	}
	read := func() orderView {
		var v orderView
		e.must(t, e.f.Advisor, `query($id: ID!) { repairOrder(id: $id) { stage blockers jobs { partsShort } timeline { edges { node { kind } } } } }`,
			map[string]any{"id": orderID}, &v)
		return v
	}
	v := read()
	if v.RepairOrder.Stage != "WAITING_PARTS" || len(v.RepairOrder.Blockers) != 1 || !v.RepairOrder.Jobs[0].PartsShort {
		t.Fatalf("order=%+v, want WAITING_PARTS", v.RepairOrder)
	}
	e.must(t, e.f.PartsClerk, `mutation($in: ReceiveStockInput!) { receiveStock(input: $in) { receipt { quantity part { onHand reserved } } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"partId": partID, "quantity": 1, "urgent": true, "warranty": true, "forOrderId": orderID}}, nil)
	v = read()
	if v.RepairOrder.Stage == "WAITING_PARTS" || len(v.RepairOrder.Blockers) != 0 || v.RepairOrder.Jobs[0].PartsShort {
		t.Fatalf("order=%+v, want unblocked", v.RepairOrder)
	}
	kinds := map[string]bool{}
	for _, ed := range v.RepairOrder.Timeline.Edges {
		kinds[ed.Node.Kind] = true
	}
	if !kinds["PART_SHORTAGE"] || !kinds["PARTS_ARRIVED"] || !kinds["STOCK_RECEIVED"] {
		t.Fatalf("timeline kinds=%v", kinds)
	}

	var bad struct {
		IssueParts struct{ UserErrors []userError }
	}
	e.must(t, e.f.PartsClerk, `mutation($in: IssuePartsInput!) { issueParts(input: $in) { issue { id } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"orderId": orderID, "partId": partID, "quantity": 2, "drawnBy": userID(e.f.Tech)}}, &bad)
	if ues := bad.IssueParts.UserErrors; len(ues) != 1 || ues[0].Code != "INVALID" || fmt.Sprint(ues[0].Field) != "[input quantity]" {
		t.Fatalf("userErrors=%+v, want INVALID input.quantity", ues)
	}
	var good struct {
		IssueParts struct {
			Issue struct {
				Quantity int
				DrawnBy  struct{ ID string }
				IssuedBy struct{ ID string }
				Part     struct{ OnHand, Reserved int }
			}
			UserErrors []userError
		}
	}
	e.must(t, e.f.PartsClerk, `mutation($in: IssuePartsInput!) { issueParts(input: $in) {
		issue { quantity drawnBy { id } issuedBy { id } part { onHand reserved } } userErrors { code field message } } }`,
		map[string]any{"in": map[string]any{"orderId": orderID, "jobId": jobID, "partId": partID, "quantity": 1, "drawnBy": userID(e.f.Tech)}}, &good)
	is := good.IssueParts.Issue
	if len(good.IssueParts.UserErrors) > 0 || is.DrawnBy.ID != userID(e.f.Tech) || is.IssuedBy.ID != userID(e.f.PartsClerk) || is.Part.OnHand != 0 {
		t.Fatalf("issue=%+v userErrors=%+v", is, good.IssueParts.UserErrors)
	}
}

// TestReportGraphQL: the manager reads the day's figures; an advisor may not.
func TestReportGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	e.f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	siteID := gid(shop.TypeSite, int64(e.f.Site.ID))
	const q = `query($site: ID!) { serviceReport(siteId: $site, period: DAY) {
		period received { workType count } delivered { workType count } total { amount } customerShare { amount }
		labourMinutesSold deliveriesPromised deliveriesOnTime onTimeRate inspections reworkRate reachRate averageSatisfaction } }`
	var r struct {
		ServiceReport struct {
			Period   string
			Received []struct {
				WorkType string
				Count    int
			}
			Total             struct{ Amount string }
			LabourMinutesSold int
			OnTimeRate        *float64
			ReworkRate        *float64
			ReachRate         *float64
		}
	}
	e.must(t, e.f.Manager, q, map[string]any{"site": siteID}, &r)
	s := r.ServiceReport
	if s.Period != "DAY" || len(s.Received) != 4 || s.Received[0].WorkType != "MAINTENANCE" || s.Received[0].Count != 1 ||
		s.Total.Amount != "324.68" || s.LabourMinutesSold != 60 || s.OnTimeRate == nil || *s.OnTimeRate != 1 ||
		s.ReworkRate == nil || *s.ReworkRate != 0 || s.ReachRate != nil {
		t.Fatalf("report=%+v", s)
	}
	if errs := e.do(t, e.f.Advisor, q, map[string]any{"site": siteID}, nil); len(errs) != 1 || errs[0].code() != "FORBIDDEN" {
		t.Fatalf("errors=%+v, want FORBIDDEN", errs)
	}
	var due struct {
		CallbacksDue []struct {
			Seq   int
			DueOn string
		}
	}
	e.must(t, e.f.Advisor, `query($site: ID!) { callbacksDue(siteId: $site, date: "2026-11-27") { seq dueOn } }`, map[string]any{"site": siteID}, &due)
	if len(due.CallbacksDue) != 1 || due.CallbacksDue[0].DueOn != "2026-11-27" {
		t.Fatalf("due=%+v, want the first callback on 2026-11-27", due.CallbacksDue)
	}
}
