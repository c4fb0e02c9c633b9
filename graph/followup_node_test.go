package graph_test

import (
	"slices"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// followUps builds one record of every kind of issue 5 through the store and
// returns their global IDs by GraphQL type name.
func followUps(t *testing.T, e *env) map[string]string {
	t.Helper()
	f, db := e.f, e.db
	adv, clerk, wc, cbs := storetest.Ctx(f.Advisor), storetest.Ctx(f.PartsClerk), storetest.Ctx(f.WarrantyClerk), storetest.Ctx(f.Callback)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	job := car.Jobs[0].ID
	p, err := db.AddPart(clerk, store.CreatePartInput{SiteID: f.Site.ID, PartNumber: "90915-YZZE1", Description: "机油滤清器", UnitPrice: 4500})
	must(err)
	rc, err := db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: p.ID, Quantity: 3})
	must(err)
	res, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: p.ID, Quantity: 2, OrderID: &car.Order.ID, JobID: &job})
	must(err)
	is, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, JobID: &job, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID})
	must(err)
	_, err = db.DecideWarranty(wc, store.DecideWarrantyInput{JobID: job, Reason: "三包期内"})
	must(err)
	claim, err := db.CreateWarrantyClaim(wc, store.CreateWarrantyClaimInput{OrderID: car.Order.ID, JobIDs: []shop.JobID{job}})
	must(err)
	kept, err := db.RetainWarrantyPart(wc, store.RetainWarrantyPartInput{OrderID: car.Order.ID, ClaimID: &claim.ID,
		PartNumber: "90915-YZZE1", Quantity: 1, Location: "保修件库 A-3"})
	must(err)

	done := f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	cbm, err := db.FindCallbacksByOrderIDs(adv, []shop.OrderID{done.Order.ID})
	must(err)
	if len(cbm[done.Order.ID]) == 0 {
		t.Fatal("no callbacks scheduled on delivery")
	}
	k, err := db.OpenComplaint(cbs, store.OpenComplaintInput{CustomerID: done.Customer, OrderID: &done.Order.ID, Description: "异响未解决"})
	must(err)
	plan, err := db.CreateServicePlan(adv, store.CreateServicePlanInput{VehicleID: done.Vehicle, Kind: shop.PlanRoutine,
		DueOn: time.Now().AddDate(0, 2, 0)})
	must(err)
	rs, err := db.FindRemindersByPlan(adv, plan.ID)
	must(err)
	if len(rs) == 0 {
		t.Fatal("no reminders for the plan")
	}
	return map[string]string{
		"PartReservation": gid(shop.TypePartReservation, int64(res.ID)),
		"PartIssue":       gid(shop.TypePartIssue, int64(is.ID)),
		"StockReceipt":    gid(shop.TypeStockReceipt, int64(rc.ID)),
		"WarrantyClaim":   gid(shop.TypeWarrantyClaim, int64(claim.ID)),
		"RetainedPart":    gid(shop.TypeRetainedPart, int64(kept.ID)),
		"Callback":        gid(shop.TypeCallback, int64(cbm[done.Order.ID][0].ID)),
		"Complaint":       gid(shop.TypeComplaint, int64(k.ID)),
		"ServicePlan":     gid(shop.TypeServicePlan, int64(plan.ID)),
		"Reminder":        gid(shop.TypeReminder, int64(rs[0].ID)),
	}
}

// TestFollowUpNode: the records of parts, warranty, callbacks, complaints
// and reminders are Nodes: node(id:) fetches them for their site and gives
// null to a user of another site.
func TestFollowUpNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := followUps(t, e)
	const q = `query($id: ID!) { node(id: $id) { __typename id } }`
	type nodeOut struct {
		Node *struct {
			Typename string `json:"__typename"`
			ID       string
		}
	}
	for typ, id := range ids {
		t.Run("OK"+typ, func(t *testing.T) {
			var out nodeOut
			e.must(t, e.f.Advisor, q, map[string]any{"id": id}, &out)
			if out.Node == nil || out.Node.Typename != typ || out.Node.ID != id {
				t.Fatalf("node=%+v, want %s %s", out.Node, typ, id)
			}
		})
		t.Run("ErrOtherSite"+typ, func(t *testing.T) {
			var out nodeOut
			e.must(t, e.f.OtherAdvisor, q, map[string]any{"id": id}, &out)
			if out.Node != nil {
				t.Fatalf("node=%+v, want null for another site's record", out.Node)
			}
		})
	}
	t.Run("OKNodes", func(t *testing.T) {
		var out struct {
			Nodes []*struct{ ID string }
		}
		list := []string{ids["Callback"], gid(shop.TypeCallback, 99999999), ids["Complaint"]}
		e.must(t, e.f.Advisor, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": list}, &out)
		if len(out.Nodes) != 3 || out.Nodes[0] == nil || out.Nodes[1] != nil || out.Nodes[2] == nil || out.Nodes[2].ID != list[2] {
			t.Fatalf("nodes=%+v, want [callback, null, complaint]", out.Nodes)
		}
	})
}

// TestFollowUpConflictPayload: a stale expectedVersion on the new mutations
// gets CONFLICT, and the payload carries the record as it stands now.
func TestFollowUpConflictPayload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.token(t, e.f.WarrantyClerk)
	e.token(t, e.f.Callback)
	ids := followUps(t, e)
	conflict := func(t *testing.T, ues []userError) {
		t.Helper()
		if len(ues) != 1 || ues[0].Code != "CONFLICT" || !slices.Equal(ues[0].Field, []string{"input", "expectedVersion"}) {
			t.Fatalf("userErrors=%+v, want CONFLICT on expectedVersion", ues)
		}
	}
	type rec struct {
		ID, State string
		Version   int
	}

	t.Run("ErrConflictReservation", func(t *testing.T) {
		var p struct {
			ReleasePartReservation struct {
				Reservation *rec
				UserErrors  []userError
			}
		}
		e.must(t, e.f.Advisor, `mutation($in: ReleasePartReservationInput!) { releasePartReservation(input: $in) {
			reservation { id state version } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"reservationId": ids["PartReservation"], "expectedVersion": 1, "reason": "客户自带配件"}}, &p)
		conflict(t, p.ReleasePartReservation.UserErrors)
		// The issue took one of the two reserved units: version 2, still RESERVED.
		if r := p.ReleasePartReservation.Reservation; r == nil || r.ID != ids["PartReservation"] || r.Version != 2 || r.State != "RESERVED" {
			t.Fatalf("reservation=%+v, want the current one: RESERVED at version 2", r)
		}
	})
	t.Run("ErrConflictClaim", func(t *testing.T) {
		const m = `mutation($in: UpdateWarrantyClaimInput!) { updateWarrantyClaim(input: $in) {
			claim { id state version cause } userErrors { code field message } } }`
		var ok, p struct {
			UpdateWarrantyClaim struct {
				Claim *struct {
					rec
					Cause string
				}
				UserErrors []userError
			}
		}
		e.must(t, e.f.WarrantyClerk, m, map[string]any{"in": map[string]any{"claimId": ids["WarrantyClaim"], "expectedVersion": 1, "cause": "同步器磨损"}}, &ok)
		if len(ok.UpdateWarrantyClaim.UserErrors) > 0 {
			t.Fatalf("userErrors=%+v", ok.UpdateWarrantyClaim.UserErrors)
		}
		e.must(t, e.f.WarrantyClerk, m, map[string]any{"in": map[string]any{"claimId": ids["WarrantyClaim"], "expectedVersion": 1, "cause": "其他"}}, &p)
		conflict(t, p.UpdateWarrantyClaim.UserErrors)
		if c := p.UpdateWarrantyClaim.Claim; c == nil || c.Version != 2 || c.Cause != "同步器磨损" {
			t.Fatalf("claim=%+v, want the current one at version 2", c)
		}
	})
	t.Run("ErrConflictComplaint", func(t *testing.T) {
		var p struct {
			EscalateComplaint struct {
				Complaint  *rec
				UserErrors []userError
			}
		}
		e.must(t, e.f.Callback, `mutation($in: ComplaintActionInput!) { escalateComplaint(input: $in) {
			complaint { id state version } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"complaintId": ids["Complaint"], "expectedVersion": 7}}, &p)
		conflict(t, p.EscalateComplaint.UserErrors)
		if k := p.EscalateComplaint.Complaint; k == nil || k.ID != ids["Complaint"] || k.State != "OPEN" || k.Version != 1 {
			t.Fatalf("complaint=%+v, want the current one: OPEN at version 1", k)
		}
	})
	t.Run("ErrConflictCallback", func(t *testing.T) {
		var p struct {
			RecordCallback struct {
				Callback   *rec
				UserErrors []userError
			}
		}
		e.must(t, e.f.Callback, `mutation($in: RecordCallbackInput!) { recordCallback(input: $in) {
			callback { id state version } userErrors { code field message } } }`,
			map[string]any{"in": map[string]any{"callbackId": ids["Callback"], "expectedVersion": 3, "reached": false}}, &p)
		conflict(t, p.RecordCallback.UserErrors)
		if c := p.RecordCallback.Callback; c == nil || c.ID != ids["Callback"] || c.State != "DUE" || c.Version != 1 {
			t.Fatalf("callback=%+v, want the current one: DUE at version 1", c)
		}
	})
}

// followUpHistoryQuery reads the parts, warranty and callback lists of every
// repair order of a customer's visits.
const followUpHistoryQuery = `query History($id: ID!) {
  customer(id: $id) {
    visits(first: 20) {
      totalCount
      edges { node { id repairOrders {
        id
        jobs { id warrantyDecision { reason decidedBy { id } } }
        partReservations { id state part { partNumber } reservedBy { id } job { id } }
        partIssues { id quantity part { partNumber } drawnBy { id } issuedBy { id } }
        warrantyClaims { id number jobs { id } createdBy { id } }
        callbacks { id seq dueOn advisor { id } }
      } } }
    }
  }
}`

// maxFollowUpStatements bounds the statements of followUpHistoryQuery: the
// token lookup, the customer, the page of visits and its count, the orders,
// their jobs, reservations, issue slips, claims, the claims' jobs, callbacks,
// the jobs' warranty decisions, then the staff and the parts referred to.
const maxFollowUpStatements = 14

// TestFollowUpStatementCount: the lists added for parts, warranty and
// callbacks are batched, so a customer history selecting them runs the same
// number of SQL statements for 2 visits and for 8.
func TestFollowUpStatementCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f, db := e.f, e.db
	adv, clerk, wc := storetest.Ctx(f.Advisor), storetest.Ctx(f.PartsClerk), storetest.Ctx(f.WarrantyClerk)
	p, err := db.AddPart(clerk, store.CreatePartInput{SiteID: f.Site.ID, PartNumber: "04152-YZZA1", Description: "机滤", UnitPrice: 6000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: p.ID, Quantity: 50}); err != nil {
		t.Fatal(err)
	}
	// Each pair of visits: a car in work with a reservation, an issue slip,
	// a warranty decision and a claim; and a delivered car with its callbacks.
	customer := func(pairs int) shop.CustomerID {
		var cust shop.CustomerID
		for range pairs {
			car := f.MustCar(t, db, shop.OrderInWork, storetest.CarOptions{Jobs: 1, Customer: cust})
			cust = car.Customer
			job := car.Jobs[0].ID
			if _, err := db.ReserveParts(adv, store.ReservePartsInput{PartID: p.ID, Quantity: 2, OrderID: &car.Order.ID, JobID: &job}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.IssueParts(clerk, store.IssuePartsInput{OrderID: car.Order.ID, JobID: &job, PartID: p.ID, Quantity: 1, DrawnBy: f.Tech.ID}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.DecideWarranty(wc, store.DecideWarrantyInput{JobID: job, Reason: "三包期内"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.CreateWarrantyClaim(wc, store.CreateWarrantyClaimInput{OrderID: car.Order.ID, JobIDs: []shop.JobID{job}}); err != nil {
				t.Fatal(err)
			}
			f.MustCar(t, db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, Customer: cust})
		}
		return cust
	}
	few, many := customer(1), customer(4)

	type history struct {
		Customer struct {
			Visits struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						RepairOrders []struct {
							Jobs []struct {
								WarrantyDecision *struct{ DecidedBy *struct{ ID string } }
							}
							PartReservations []struct{ Part struct{ PartNumber string } }
							PartIssues       []struct{ DrawnBy *struct{ ID string } }
							WarrantyClaims   []struct{ Jobs []struct{ ID string } }
							Callbacks        []struct{ Advisor *struct{ ID string } }
						}
					}
				}
			}
		}
	}
	count := func(id shop.CustomerID, visits int) int64 {
		t.Helper()
		var out history
		before := db.Statements()
		e.must(t, f.Advisor, followUpHistoryQuery, map[string]any{"id": gid(shop.TypeCustomer, int64(id))}, &out)
		n := db.Statements() - before
		v := out.Customer.Visits
		if v.TotalCount != visits || len(v.Edges) != visits {
			t.Fatalf("visits=%d of %d, want %d", len(v.Edges), v.TotalCount, visits)
		}
		var worked, delivered int
		for _, ed := range v.Edges {
			o := ed.Node.RepairOrders[0]
			switch {
			case len(o.Callbacks) == 2 && o.Callbacks[0].Advisor != nil:
				delivered++
			case len(o.PartReservations) == 1 && o.PartReservations[0].Part.PartNumber == "04152-YZZA1" &&
				len(o.PartIssues) == 1 && o.PartIssues[0].DrawnBy != nil && len(o.WarrantyClaims) == 1 &&
				len(o.WarrantyClaims[0].Jobs) == 1 && o.Jobs[0].WarrantyDecision != nil && o.Jobs[0].WarrantyDecision.DecidedBy != nil:
				worked++
			default:
				t.Fatalf("order=%+v, want either a worked order with its lists or a delivered one with callbacks", o)
			}
		}
		if worked != visits/2 || delivered != visits/2 {
			t.Fatalf("worked=%d delivered=%d, want %d each", worked, delivered, visits/2)
		}
		return n
	}
	var counts []int64
	for range 3 {
		counts = append(counts, count(few, 2), count(many, 8))
	}
	assertSameBoundedCount(t, "follow-up history query", "2 visits", "8 visits", counts, maxFollowUpStatements)
}
