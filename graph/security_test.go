package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// staff returns every role of the fixture (and an admin) with a token each.
func (e *env) staff(t *testing.T) []*shop.User {
	t.Helper()
	f := e.f
	admin := &shop.User{Name: "管理员", Role: shop.RoleAdmin, SiteIDs: []shop.SiteID{f.Site.ID}}
	if err := e.db.CreateUser(context.Background(), admin); err != nil {
		t.Fatal(err)
	}
	users := []*shop.User{f.Advisor, f.Foreman, f.Tech, f.Lead, f.QC, f.PartsClerk, f.WarrantyClerk, f.Cashier,
		f.Callback, f.Manager, admin, f.Board}
	for _, u := range users {
		if _, ok := e.tokens[u.ID]; ok {
			continue
		}
		tok := fmt.Sprintf("test-%s-%d-token", strings.ToLower(string(u.Role)), u.ID)
		if err := e.db.StoreToken(context.Background(), u.ID, tok, "test", 0); err != nil {
			t.Fatal(err)
		}
		e.tokens[u.ID] = tok
	}
	return users
}

// TestRoleMatrix runs every role (and a user of another site) against each
// mutation: a role the matrix allows is not refused; any other gets
// FORBIDDEN (NOT_FOUND for the other site: IDs of other sites reveal
// nothing), and nothing changes. A job's own commands are its technician's
// alone: others whose role may work jobs get FORBIDDEN naming that rule.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	db := e.db
	users := e.staff(t)
	tech := storetest.Ctx(f.Tech)
	site := gid(shop.TypeSite, int64(f.Site.ID))
	future := f.OpenAt(time.Now().Add(72 * time.Hour)).UTC().Format(time.RFC3339)
	car := func(state shop.OrderState) *storetest.Car {
		return f.MustCar(t, db, state, storetest.CarOptions{Jobs: 1})
	}
	order := func(c *storetest.Car) string { return gid(shop.TypeOrder, int64(c.Order.ID)) }
	job := func(c *storetest.Car) string { return gid(shop.TypeJob, int64(c.Jobs[0].ID)) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	finished := func() *storetest.Car {
		c := car(shop.OrderInWork)
		_, err := db.StartJob(tech, store.JobRef{JobID: c.Jobs[0].ID})
		must(err)
		_, err = db.FinishJob(tech, store.JobRef{JobID: c.Jobs[0].ID})
		must(err)
		return c
	}

	tests := []struct {
		name, input string
		act         shop.Action
		in          func() map[string]any
	}{
		{"bookAppointment", "BookAppointmentInput", shop.ActBookAppointment, func() map[string]any {
			c := car(shop.OrderDelivered)
			return map[string]any{"siteId": site, "customerId": gid(shop.TypeCustomer, int64(c.Customer)),
				"vehicleId": gid(shop.TypeVehicle, int64(c.Vehicle)), "scheduledAt": future, "requestedWork": "保养"}
		}},
		{"receiveVehicle", "ReceiveVehicleInput", shop.ActReceive, func() map[string]any {
			c := car(shop.OrderDelivered)
			return map[string]any{"siteId": site, "customerId": gid(shop.TypeCustomer, int64(c.Customer)),
				"vehicleId": gid(shop.TypeVehicle, int64(c.Vehicle)), "mileage": 40000, "fuelLevel": 50, "keyTag": "K-9",
				"complaint": "异响", "walkaroundSigned": true}
		}},
		{"createRepairOrder", "CreateRepairOrderInput", shop.ActEstimate, func() map[string]any {
			return map[string]any{"visitId": gid(shop.TypeVisit, int64(car(shop.OrderDraft).Visit.ID)), "workType": "REPAIR",
				"jobs": []any{map[string]any{"description": "检查", "labourMinutes": 30}}}
		}},
		{"signRepairOrder", "SignRepairOrderInput", shop.ActEstimate, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderDraft)), "signedBy": "黄先生"}
		}},
		{"handOverRepairOrder", "HandOverRepairOrderInput", shop.ActHandOver, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderSigned))}
		}},
		{"dispatchJob", "DispatchJobInput", shop.ActDispatch, func() map[string]any {
			return map[string]any{"jobId": job(car(shop.OrderInWork)), "technicianId": userID(f.Lead), "bayId": gid(shop.TypeBay, int64(f.Bay2.ID))}
		}},
		{"startJob", "JobActionInput", shop.ActWorkJob, func() map[string]any {
			return map[string]any{"jobId": job(car(shop.OrderInWork))}
		}},
		{"requestAdditionalWork", "RequestAdditionalWorkInput", shop.ActRequestExtra, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderInWork)), "description": "更换刹车片", "reason": "磨损",
				"labourMinutes": 30, "extraMinutes": 30, "safety": true}
		}},
		{"approveAdditionalWork", "DecideAdditionalWorkInput", shop.ActDecideExtra, func() map[string]any {
			w, err := db.RequestAdditionalWork(tech, store.RequestAdditionalWorkInput{OrderID: car(shop.OrderInWork).Order.ID,
				Description: "更换空调滤芯", Reason: "滤芯脏", LabourMinutes: 20})
			must(err)
			return map[string]any{"additionalWorkId": gid(shop.TypeAdditionalWork, int64(w.ID)), "customerContact": "黄先生", "contactMethod": "PHONE"}
		}},
		{"recordSelfCheck", "RecordJobCheckInput", shop.ActSelfCheck, func() map[string]any {
			return map[string]any{"jobId": job(finished()), "passed": true}
		}},
		{"recordTeamLeadCheck", "RecordJobCheckInput", shop.ActTeamLeadCheck, func() map[string]any {
			c := finished()
			_, err := db.RecordSelfCheck(tech, store.RecordJobCheckInput{JobID: c.Jobs[0].ID, Passed: true})
			must(err)
			return map[string]any{"jobId": job(c), "passed": true}
		}},
		{"recordFinalInspection", "RecordFinalInspectionInput", shop.ActFinalInspection, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderQC)), "passed": true}
		}},
		{"finishWash", "OrderActionInput", shop.ActWash, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderWash))}
		}},
		{"settleRepairOrder", "SettleRepairOrderInput", shop.ActSettle, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderReady))}
		}},
		{"deliverVehicle", "DeliverVehicleInput", shop.ActDeliver, func() map[string]any {
			return map[string]any{"orderId": order(car(shop.OrderSettled)), "belongingsChecked": true}
		}},
		{"createPart", "CreatePartInput", shop.ActManageParts, func() map[string]any {
			return map[string]any{"siteId": site, "partNumber": "FLT-001", "description": "机油滤芯", "unitPrice": "45.00"}
		}},
		{"reserveParts", "ReservePartsInput", shop.ActReserveParts, func() map[string]any {
			p := &shop.Part{SiteID: f.Site.ID, PartNumber: "BRK-001", Description: "刹车片", UnitPrice: 30000, OnHand: 50}
			must(db.CreatePart(context.Background(), p))
			return map[string]any{"partId": gid(shop.TypePart, int64(p.ID)), "quantity": 1, "orderId": order(car(shop.OrderInWork))}
		}},
		{"decideWarranty", "DecideWarrantyInput", shop.ActWarranty, func() map[string]any {
			return map[string]any{"jobId": job(car(shop.OrderInWork)), "reason": "质保期内的故障"}
		}},
		{"openComplaint", "OpenComplaintInput", shop.ActComplaint, func() map[string]any {
			return map[string]any{"customerId": gid(shop.TypeCustomer, int64(car(shop.OrderDelivered).Customer)), "description": "等了太久"}
		}},
		{"updateCallbackSettings", "UpdateCallbackSettingsInput", shop.ActSiteSettings, func() map[string]any {
			return map[string]any{"siteId": site, "firstCallbackDays": 4}
		}},
	}
	// owners: who alone may do what is a job technician's own (the others
	// whose role may work jobs are refused by that rule, not their role).
	owners := map[string]*shop.User{"startJob": f.Tech, "recordSelfCheck": f.Tech}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.in()
			q := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { userErrors { code field message } } }`, tt.input, tt.name)
			call := func(u *shop.User) []userError {
				var data map[string]struct{ UserErrors []userError }
				if errs := e.do(t, u, q, map[string]any{"input": input}, &data); len(errs) > 0 {
					t.Fatalf("%s as %s: errors=%+v", tt.name, u.Role, errs)
				}
				return data[tt.name].UserErrors
			}
			allowed := func(u *shop.User) bool {
				return shop.Allowed(u.Role, tt.act) || tt.act == shop.ActTeamLeadCheck && u.Role == shop.RoleTechnician && u.TeamLead
			}
			// Refusals first, while the record is in the state the call needs.
			refused := append([]*shop.User{f.OtherAdvisor}, users...)
			for _, u := range refused {
				if u != f.OtherAdvisor && allowed(u) {
					continue
				}
				want := "FORBIDDEN"
				if u == f.OtherAdvisor {
					want = "NOT_FOUND"
				}
				before := storetest.Snapshot(t, db)
				ues := call(u)
				if len(ues) != 1 || ues[0].Code != want {
					t.Fatalf("%s as %s: userErrors=%+v, want %s", tt.name, u.Role, ues, want)
				}
				if storetest.Snapshot(t, db) != before {
					t.Fatalf("%s as %s: the refused call changed the records", tt.name, u.Role)
				}
			}
			for _, u := range users {
				if !allowed(u) {
					continue
				}
				// The first allowed call may succeed and change the state, so
				// the next may fail otherwise; never for its role.
				for _, ue := range call(u) {
					if ue.Code != "FORBIDDEN" {
						continue
					}
					if owner := owners[tt.name]; owner == nil || u == owner || !strings.HasPrefix(ue.Message, "Only the technician the job is dispatched to") {
						t.Fatalf("%s as %s (%s): %s, want it allowed", tt.name, u.Role, u.Name, ue.Message)
					}
				}
			}
		})
	}
}

// TestCrossSiteGuessing: a user of the other site who guesses the global IDs
// of every kind of record reads nothing, neither directly nor through the
// nested edges of what they may see, nor through the site-wide lists.
func TestCrossSiteGuessing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderSettled, storetest.CarOptions{Extra: true})
	maxID := int64(car.Extra.ID) + int64(car.Order.ID) + int64(car.Visit.ID) + 10
	var guesses []string
	for _, typ := range []string{shop.TypeOrder, shop.TypeJob, shop.TypeVisit, shop.TypeCustomer, shop.TypeVehicle,
		shop.TypeAdditionalWork, shop.TypeUser, shop.TypeBay, shop.TypeSite, shop.TypeAppointment, shop.TypePart} {
		for n := int64(1); n <= maxID && len(guesses) < 100; n++ {
			guesses = append(guesses, gid(typ, n))
		}
		t.Run("ErrNodes"+typ, func(t *testing.T) {
			var out struct {
				Nodes []*struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
			e.must(t, f.OtherAdvisor, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": guesses}, &out)
			for i, n := range out.Nodes {
				// The other site's own advisor (their User) and site may be seen.
				if n != nil && n.ID != userID(f.OtherAdvisor) && n.ID != gid(shop.TypeSite, int64(f.Other.ID)) {
					t.Fatalf("nodes[%d]=%+v, want null for the other site's record", i, n)
				}
			}
		})
		guesses = guesses[:0]
	}
	t.Run("ErrSiteLists", func(t *testing.T) {
		site := gid(shop.TypeSite, int64(f.Site.ID))
		for _, q := range []string{
			`query($s: ID!) { repairOrders(siteId: $s) { edges { node { id } } } }`,
			`query($s: ID!) { customers(siteId: $s) { edges { node { id } } } }`,
			`query($s: ID!) { board(siteId: $s) { cursor } }`,
			`query($s: ID!) { auditTrail(siteId: $s) { edges { node { id } } } }`,
			`query($s: ID!) { parts(siteId: $s) { edges { node { id } } } }`,
		} {
			errs := e.do(t, f.OtherAdvisor, q, map[string]any{"s": site}, nil)
			if len(errs) != 1 || errs[0].code() != "NOT_FOUND" {
				t.Fatalf("%s: errors=%+v, want NOT_FOUND", q, errs)
			}
		}
		var out struct{ Site *struct{ ID string } }
		e.must(t, f.OtherAdvisor, `query($s: ID!) { site(id: $s) { id } }`, map[string]any{"s": site}, &out)
		if out.Site != nil {
			t.Fatalf("site=%+v, want null", out.Site)
		}
	})
	t.Run("ErrNestedEdges", func(t *testing.T) {
		// Everything the other advisor can reach from their own viewer and
		// site: none of it is ours.
		var out map[string]any
		e.must(t, f.OtherAdvisor, `{ viewer { id } sites { id name bays { id } } }`, nil, &out)
		b, _ := json.Marshal(out)
		for _, id := range []string{gid(shop.TypeSite, int64(f.Site.ID)), userID(f.Advisor), gid(shop.TypeBay, int64(f.Bay.ID))} {
			if strings.Contains(string(b), id) {
				t.Fatalf("the other site's user reaches %s: %s", id, b)
			}
		}
	})
}

// TestPrivacyPaths: a role without READ_PERSONAL never reads a customer's
// whole name, phone, plate, VIN or address, whichever path leads to them:
// node(id:), nested edges, the repair order's signature, the additional
// work's contact and note, the timeline and the audit trail. The advisor
// reads them all (so the query does reach them).
func TestPrivacyPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	e.staff(t)
	adv := storetest.Ctx(f.Advisor)
	const (
		name, phone, vin = "欧阳娜娜", "13912345678", "1HGCM82633A004352"
		plate, address   = "粤B7K3Q9", "深圳市福田区深南大道 1 号"
		note             = "欧阳娜娜 13912345678 同意"
	)
	v, err := e.db.ReceiveVehicle(adv, store.ReceiveVehicleInput{SiteID: f.Site.ID, Mileage: 1000, FuelLevel: 50, KeyTag: "K-7",
		Complaint: "保养", WalkaroundSigned: true,
		Customer: &store.NewCustomerInput{Name: name, Phone: phone, Address: ptr(address)},
		Vehicle:  &store.NewVehicleInput{Plate: plate, VIN: ptr(vin), Make: "本田", Model: "雅阁"}})
	if err != nil {
		t.Fatal(err)
	}
	car := f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1})
	// Our customer signs the car's order and answers for its additional work.
	if _, err := e.db.RequestAdditionalWork(storetest.Ctx(f.Tech), store.RequestAdditionalWorkInput{OrderID: car.Order.ID,
		Description: "更换雨刮", Reason: "老化", LabourMinutes: 10}); err != nil {
		t.Fatal(err)
	}
	ws, _ := e.db.FindAdditionalWorkByOrderIDs(adv, []shop.OrderID{car.Order.ID})
	if _, err := e.db.ApproveAdditionalWork(adv, store.DecideAdditionalWorkInput{AdditionalWorkID: ws[car.Order.ID][0].ID,
		CustomerContact: name, ContactMethod: shop.ContactPhone, Note: ptr(note)}); err != nil {
		t.Fatal(err)
	}
	const q = `query($c: ID!, $v: ID!, $visit: ID!, $o: ID!, $s: ID!) {
		c: node(id: $c) { ... on Customer { name phone email address vehicles { plate vin } } }
		v: node(id: $v) { ... on Vehicle { plate vin customer { name phone address } } }
		visit: node(id: $visit) { ... on Visit { customer { name phone } vehicle { plate vin } } }
		customer(id: $c) { name phone visits { edges { node { vehicle { plate vin } customer { name phone } } } } }
		repairOrder(id: $o) { signedBy
			additionalWork { customerContact decisionNote }
			timeline(first: 200) { edges { node { summary } } }
			visit { customer { name phone address } vehicle { plate vin } } }
		board(siteId: $s) { cards { plate } }
	}`
	vars := map[string]any{"c": gid(shop.TypeCustomer, int64(v.CustomerID)), "v": gid(shop.TypeVehicle, int64(v.VehicleID)),
		"visit": gid(shop.TypeVisit, int64(v.ID)), "o": gid(shop.TypeOrder, int64(car.Order.ID)), "s": gid(shop.TypeSite, int64(f.Site.ID))}
	secrets := []string{name, phone, vin, plate, address, "同意"}
	read := func(u *shop.User) string {
		t.Helper()
		var out map[string]any
		e.must(t, u, q, vars, &out)
		b, _ := json.Marshal(out)
		return string(b)
	}
	// The car's order was signed by 黄先生 (MustCar); our customer answered for the extra work.
	if got := read(f.Advisor); !strings.Contains(got, phone) || !strings.Contains(got, vin) || !strings.Contains(got, plate) ||
		!strings.Contains(got, address) || !strings.Contains(got, note) {
		t.Fatalf("the advisor reads %s, want every personal datum", got)
	}
	for _, u := range []*shop.User{f.Board, f.Tech, f.Foreman, f.QC, f.PartsClerk} {
		t.Run("OK"+string(u.Role), func(t *testing.T) {
			got := read(u)
			for _, s := range append(secrets, "黄先生") {
				if strings.Contains(got, s) {
					t.Fatalf("%s reads %q in %s", u.Role, s, got)
				}
			}
			if !strings.Contains(got, "欧**") || !strings.Contains(got, "139****5678") {
				t.Fatalf("%s reads %s, want the masked name and phone", u.Role, got)
			}
		})
	}
	t.Run("ErrSearch", func(t *testing.T) {
		errs := e.do(t, f.Board, `query($s: ID!) { customers(siteId: $s, query: "欧阳") { edges { node { id } } } }`,
			map[string]any{"s": vars["s"]}, nil)
		if len(errs) != 1 || errs[0].code() != "FORBIDDEN" {
			t.Fatalf("errors=%+v, want FORBIDDEN: a board may not search customers", errs)
		}
	})
}

// TestAuditTrail: a manager pages through who did what to which record,
// filtered by actor, order, kind and time; other roles are refused.
func TestAuditTrailQuery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	f.MustCar(t, e.db, shop.OrderSigned, storetest.CarOptions{Jobs: 1})
	site := gid(shop.TypeSite, int64(f.Site.ID))
	const q = `query($s: ID!, $actor: ID, $order: ID, $kind: EventKind, $from: DateTime, $to: DateTime, $first: Int, $after: String) {
		auditTrail(siteId: $s, actorId: $actor, orderId: $order, kind: $kind, from: $from, to: $to, first: $first, after: $after) {
			edges { cursor node { id kind summary at actor { id role } repairOrder { id } } }
			pageInfo { hasNextPage endCursor } } }`
	type page struct {
		AuditTrail struct {
			Edges []struct {
				Cursor string
				Node   struct {
					ID, Kind, Summary, At string
					Actor                 *struct{ ID, Role string }
					RepairOrder           *struct{ ID string }
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	all := func(vars map[string]any) []string {
		t.Helper()
		var ids []string
		vars["s"], vars["first"] = site, 5
		for i := 0; ; i++ {
			var p page
			e.must(t, f.Manager, q, vars, &p)
			for _, ed := range p.AuditTrail.Edges {
				ids = append(ids, ed.Node.ID)
				if ed.Node.Actor == nil {
					t.Fatalf("event %s has no actor", ed.Node.Kind)
				}
			}
			if !p.AuditTrail.PageInfo.HasNextPage || i > 100 {
				return ids
			}
			vars["after"] = *p.AuditTrail.PageInfo.EndCursor
		}
	}
	total := storetest.Count(t, e.db, "events")
	t.Run("OKPages", func(t *testing.T) {
		ids := all(map[string]any{})
		if len(ids) != total {
			t.Fatalf("events=%d, want all %d", len(ids), total)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("event %s twice", id)
			}
			seen[id] = true
		}
	})
	t.Run("OKFilters", func(t *testing.T) {
		order := gid(shop.TypeOrder, int64(car.Order.ID))
		var p page
		e.must(t, f.Manager, q, map[string]any{"s": site, "actor": userID(f.Cashier), "order": order, "kind": "ORDER_SETTLED"}, &p)
		if n := p.AuditTrail.Edges; len(n) != 1 || n[0].Node.Actor.ID != userID(f.Cashier) || n[0].Node.RepairOrder == nil || n[0].Node.RepairOrder.ID != order {
			t.Fatalf("edges=%+v, want the one settlement, by the cashier, of the order", n)
		}
		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		if ids := all(map[string]any{"from": future}); len(ids) != 0 {
			t.Fatalf("events from the future=%d, want 0", len(ids))
		}
		if ids := all(map[string]any{"to": future}); len(ids) != total {
			t.Fatalf("events before the future=%d, want %d", len(ids), total)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		for _, u := range []*shop.User{f.Advisor, f.Foreman, f.Tech, f.Cashier, f.Board} {
			errs := e.do(t, u, q, map[string]any{"s": site}, nil)
			if len(errs) != 1 || errs[0].code() != "FORBIDDEN" {
				t.Fatalf("%s: errors=%+v, want FORBIDDEN", u.Role, errs)
			}
		}
	})
	t.Run("ErrCursor", func(t *testing.T) {
		errs := e.do(t, f.Manager, q, map[string]any{"s": site, "after": "bm90LWEtY3Vyc29y"}, nil)
		if len(errs) != 1 || errs[0].code() != "INVALID" {
			t.Fatalf("errors=%+v, want INVALID", errs)
		}
	})
}

func ptr[T any](v T) *T { return &v }
