package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"bayboard/api"
	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// env is a GraphQL server over a fresh database, reached the way clients
// reach it: through the request-ID and bearer-token middleware, with a real
// token for every member of the fixture's staff.
type env struct {
	db     *store.DB
	f      *storetest.Fixture
	h      http.Handler
	c      *client.Client
	tokens map[shop.UserID]string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storetest.MustOpenDB(t)
	f := storetest.MustFixture(t, db)
	srv := api.NewServer(db, slog.New(slog.DiscardHandler), api.DefaultOptions)
	h := api.WithRequestID(api.Authenticate(db, srv))
	e := &env{db: db, f: f, h: h, c: client.New(h), tokens: map[shop.UserID]string{}}
	for _, u := range []*shop.User{f.Advisor, f.Foreman, f.Tech, f.Lead, f.QC, f.Cashier, f.Manager, f.Board, f.OtherAdvisor} {
		tok := fmt.Sprintf("test-%s-%d-token", strings.ToLower(string(u.Role)), u.ID)
		if err := db.StoreToken(context.Background(), u.ID, tok, "test", 0); err != nil {
			t.Fatal(err)
		}
		e.tokens[u.ID] = tok
	}
	return e
}

// gqlError is an entry of a response's top-level errors.
type gqlError struct {
	Message    string
	Path       []any
	Extensions map[string]any
}

func (e gqlError) code() string { s, _ := e.Extensions["code"].(string); return s }

// userError is an entry of a payload's userErrors.
type userError struct {
	Code    string
	Field   []string
	Message string
}

// do runs an operation as u (nil: anonymous), decodes data into out and
// returns the top-level errors.
func (e *env) do(t *testing.T, u *shop.User, query string, vars map[string]any, out any, opts ...client.Option) []gqlError {
	t.Helper()
	for k, v := range vars {
		opts = append(opts, client.Var(k, v))
	}
	if u != nil {
		opts = append(opts, client.AddHeader("Authorization", "Bearer "+e.tokens[u.ID]))
	}
	resp, err := e.c.RawPost(query, opts...)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if out != nil && resp.Data != nil {
		b, _ := json.Marshal(resp.Data)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("decode data: %v\n%s", err, b)
		}
	}
	var errs []gqlError
	if len(resp.Errors) > 0 {
		if err := json.Unmarshal(resp.Errors, &errs); err != nil {
			t.Fatalf("decode errors: %v", err)
		}
	}
	return errs
}

// must runs an operation that must not fail at the top level.
func (e *env) must(t *testing.T, u *shop.User, query string, vars map[string]any, out any) {
	t.Helper()
	if errs := e.do(t, u, query, vars, out); len(errs) > 0 {
		t.Fatalf("errors=%+v, want none", errs)
	}
}

// mutate runs a mutation whose payload is the only root field; it fails on
// top-level errors and decodes the payload into out. It returns the
// payload's userErrors.
func (e *env) mutate(t *testing.T, u *shop.User, name string, input map[string]any, out any) []userError {
	t.Helper()
	var data map[string]json.RawMessage
	e.must(t, u, mutations[name], map[string]any{"input": input}, &data)
	var p struct{ UserErrors []userError }
	if err := json.Unmarshal(data[name], &p); err != nil {
		t.Fatalf("%s: decode payload: %v", name, err)
	}
	if out != nil {
		if err := json.Unmarshal(data[name], out); err != nil {
			t.Fatalf("%s: decode payload: %v", name, err)
		}
	}
	return p.UserErrors
}

// ok runs a mutation that must succeed.
func (e *env) ok(t *testing.T, u *shop.User, name string, input map[string]any, out any) {
	t.Helper()
	if ues := e.mutate(t, u, name, input, out); len(ues) > 0 {
		t.Fatalf("%s as %s: userErrors=%+v, want none", name, u.Role, ues)
	}
}

// failed runs a mutation that must fail with one userError of code and
// field (nil: no check of the field).
func (e *env) failed(t *testing.T, u *shop.User, name string, input map[string]any, code string, field []string) userError {
	t.Helper()
	ues := e.mutate(t, u, name, input, nil)
	if len(ues) != 1 {
		t.Fatalf("%s: userErrors=%+v, want one %s", name, ues, code)
	}
	ue := ues[0]
	if ue.Code != code || (field != nil && !slices.Equal(ue.Field, field)) {
		t.Fatalf("%s: code=%v field=%q (%s), want %v %q", name, ue.Code, ue.Field, ue.Message, code, field)
	}
	if ue.Message == "" || sqlText.MatchString(ue.Message) || ue.Message == "Internal error." {
		t.Fatalf("%s: message=%q, want a readable sentence", name, ue.Message)
	}
	return ue
}

var sqlText = regexp.MustCompile(`(?i)\b(select|insert|update|delete|violates|constraint|relation|column|pq|sql|syntax)\b`)

// The fields tests read back. Go's JSON decoding matches names without case.
const orderFields = `
fragment O on RepairOrder {
  id number state version reworkCount notifyBy stage blockers signedBy
  jobs { id state version additional progress technician { id } bay { code } }
  partLines { id quantity unitPrice { amount } total { amount } }
  bill { labour { amount minorUnits currency } parts { amount } total { amount } customerShare { amount } warrantyShare { amount } }
  settlement { total { amount } customerShare { amount } settledBy { id } }
  visit { id deliveredAt exitPass }
}`

const jobFields = `fragment J on Job { id state version progress technician { id } bay { code } }`

var mutations = map[string]string{
	"bookAppointment": `mutation($input: BookAppointmentInput!) { bookAppointment(input: $input) {
		appointment { id state customer { id } vehicle { id } } userErrors { code field message } } }`,
	"cancelAppointment": `mutation($input: CancelAppointmentInput!) { cancelAppointment(input: $input) {
		appointment { id state version } userErrors { code field message } } }`,
	"receiveVehicle": `mutation($input: ReceiveVehicleInput!) { receiveVehicle(input: $input) {
		visit { id customer { id } vehicle { id plate vin } } userErrors { code field message } } }`,
}

func init() {
	for _, m := range []struct{ name, input string }{
		{"createRepairOrder", "CreateRepairOrderInput"}, {"updateRepairOrder", "UpdateRepairOrderInput"},
		{"addJob", "AddJobInput"}, {"addPartLine", "AddPartLineInput"}, {"signRepairOrder", "SignRepairOrderInput"},
		{"handOverRepairOrder", "HandOverRepairOrderInput"}, {"cancelRepairOrder", "CancelRepairOrderInput"},
		{"recordFinalInspection", "RecordFinalInspectionInput"}, {"finishWash", "OrderActionInput"},
		{"settleRepairOrder", "SettleRepairOrderInput"}, {"deliverVehicle", "DeliverVehicleInput"},
	} {
		mutations[m.name] = fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { repairOrder { ...O } userErrors { code field message } } }`,
			m.input, m.name) + orderFields
	}
	for _, m := range []struct{ name, input string }{
		{"dispatchJob", "DispatchJobInput"}, {"startJob", "JobActionInput"}, {"pauseJob", "PauseJobInput"},
		{"resumeJob", "JobActionInput"}, {"reportJobProgress", "ReportJobProgressInput"}, {"finishJob", "JobActionInput"},
		{"recordSelfCheck", "RecordJobCheckInput"}, {"recordTeamLeadCheck", "RecordJobCheckInput"},
	} {
		mutations[m.name] = fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { job { ...J } repairOrder { id state version stage } userErrors { code field message } } }`,
			m.input, m.name) + jobFields
	}
	for _, name := range []string{"requestAdditionalWork", "approveAdditionalWork", "declineAdditionalWork"} {
		input := "DecideAdditionalWorkInput"
		if name == "requestAdditionalWork" {
			input = "RequestAdditionalWorkInput"
		}
		mutations[name] = fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) {
			additionalWork { id state version total { amount } job { id state } requestedBy { id } decidedBy { id } decidedAt }
			repairOrder { id state blockers } userErrors { code field message } } }`, input, name)
	}
}

type money struct {
	Amount     string
	MinorUnits int64
	Currency   string
}

type jobOut struct {
	ID         string
	State      string
	Version    int
	Additional bool
	Progress   int
	Technician *struct{ ID string }
	Bay        *struct{ Code string }
}

type orderOut struct {
	ID, Number, State, SignedBy string
	Version, ReworkCount        int
	NotifyBy, Stage             *string
	Blockers                    []string
	Jobs                        []jobOut
	PartLines                   []struct {
		ID       string
		Quantity int
		Total    money
	}
	Bill struct {
		Labour, Parts, Total, CustomerShare, WarrantyShare money
	}
	Settlement *struct {
		Total, CustomerShare money
		SettledBy            struct{ ID string }
	}
	Visit struct {
		ID          string
		DeliveredAt *string
		ExitPass    string
	}
}

type orderPayload struct{ RepairOrder *orderOut }

type jobPayload struct {
	Job         *jobOut
	RepairOrder *struct {
		ID, State string
		Version   int
		Stage     *string
	}
}

type extraPayload struct {
	AdditionalWork *struct {
		ID, State   string
		Version     int
		Total       money
		Job         struct{ ID, State string }
		RequestedBy *struct{ ID string }
		DecidedBy   *struct{ ID string }
		DecidedAt   *string
	}
	RepairOrder *struct {
		ID, State string
		Blockers  []string
	}
}

func gid(typ string, n int64) string { return shop.GlobalID(typ, n) }

func userID(u *shop.User) string { return gid(shop.TypeUser, int64(u.ID)) }

// TestVisitLifecycle takes a car through a whole visit over GraphQL, each
// step by the role that does it, from the appointment to delivery.
func TestVisitLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	site := gid(shop.TypeSite, int64(f.Site.ID))

	var ap struct {
		Appointment struct {
			ID, State string
			Customer  struct{ ID string }
		}
	}
	e.ok(t, f.Advisor, "bookAppointment", map[string]any{"siteId": site, "scheduledAt": f.OpenAt(time.Now().Add(2 * time.Hour)).Format(time.RFC3339),
		"customer":      map[string]any{"name": "黄先生", "phone": "138 0013 8000"},
		"vehicle":       map[string]any{"plate": "粤B·12345", "vin": "1M8GDM9AXKP042788", "make": "丰田", "model": "凯美瑞"},
		"requestedWork": "40000 km 保养，刹车异响", "deposit": "240.50"}, &ap)
	if ap.Appointment.State != "BOOKED" {
		t.Fatalf("appointment state=%v, want BOOKED", ap.Appointment.State)
	}

	var visit struct {
		Visit struct {
			ID      string
			Vehicle struct{ Plate, VIN string }
		}
	}
	e.ok(t, f.Advisor, "receiveVehicle", map[string]any{"siteId": site, "appointmentId": ap.Appointment.ID, "mileage": 40210, "fuelLevel": 50,
		"damages": []any{map[string]any{"location": "左前门", "description": "划痕 5cm"}}, "belongings": []string{"行车记录仪"},
		"keyTag": "K-017", "complaint": "刹车有异响", "walkaroundSigned": true}, &visit)
	if visit.Visit.Vehicle.Plate != "粤B12345" {
		t.Fatalf("plate=%q, want the normalised 粤B12345", visit.Visit.Vehicle.Plate)
	}

	var o orderPayload
	e.ok(t, f.Advisor, "createRepairOrder", map[string]any{"visitId": visit.Visit.ID, "workType": "MAINTENANCE", "washRequested": true,
		"paymentMethod": "WECHAT_PAY", "findings": "前刹车片磨损",
		"jobs":  []any{map[string]any{"description": "40000 km 保养", "labourMinutes": 90}, map[string]any{"description": "检查前刹车", "labourMinutes": 30}},
		"parts": []any{map[string]any{"partNumber": "04152-YZZA1", "description": "机油滤清器", "quantity": 1, "unitPrice": "85.00", "jobIndex": 0}}}, &o)
	order := o.RepairOrder
	if order.State != "DRAFT" || len(order.Jobs) != 2 || order.Bill.Total.Amount != "685.00" {
		t.Fatalf("state=%v jobs=%d total=%v, want DRAFT, 2 jobs, 685.00 (2 h at 300.00 + 85.00)", order.State, len(order.Jobs), order.Bill.Total.Amount)
	}
	e.ok(t, f.Advisor, "signRepairOrder", map[string]any{"orderId": order.ID, "signedBy": "黄先生", "expectedVersion": order.Version}, &o)
	e.ok(t, f.Advisor, "handOverRepairOrder", map[string]any{"orderId": order.ID, "priority": "HIGH"}, &o)
	if o.RepairOrder.State != "IN_WORK" {
		t.Fatalf("state=%v, want IN_WORK", o.RepairOrder.State)
	}
	j0, j1 := order.Jobs[0].ID, order.Jobs[1].ID
	tech, bay := userID(f.Tech), gid(shop.TypeBay, int64(f.Bay.ID))

	var jp jobPayload
	e.failed(t, f.Cashier, "dispatchJob", map[string]any{"jobId": j0, "technicianId": tech, "bayId": bay}, "FORBIDDEN", []string{})
	for _, j := range []string{j0, j1} {
		e.ok(t, f.Foreman, "dispatchJob", map[string]any{"jobId": j, "technicianId": tech, "bayId": bay}, &jp)
		if jp.Job.State != "DISPATCHED" || jp.Job.Technician.ID != tech || jp.Job.Bay.Code != "B01" {
			t.Fatalf("job=%+v, want DISPATCHED to the technician in B01", jp.Job)
		}
	}
	e.ok(t, f.Tech, "startJob", map[string]any{"jobId": j0}, &jp)
	e.ok(t, f.Tech, "pauseJob", map[string]any{"jobId": j0, "reason": "WAITING_PARTS"}, &jp)
	if jp.Job.State != "PAUSED" || jp.RepairOrder.Stage == nil || *jp.RepairOrder.Stage != "WAITING_PARTS" {
		t.Fatalf("job state=%v stage=%v, want PAUSED and the car WAITING_PARTS", jp.Job.State, jp.RepairOrder.Stage)
	}
	e.ok(t, f.Tech, "resumeJob", map[string]any{"jobId": j0}, &jp)
	e.ok(t, f.Tech, "startJob", map[string]any{"jobId": j1}, &jp)
	e.ok(t, f.Tech, "reportJobProgress", map[string]any{"jobId": j0, "progress": 60}, &jp)
	if jp.Job.Progress != 60 {
		t.Fatalf("progress=%d, want 60", jp.Job.Progress)
	}

	// Additional work: found by the technician, approved by the advisor after
	// a call to the customer; it cannot start before.
	var xp extraPayload
	e.ok(t, f.Tech, "requestAdditionalWork", map[string]any{"orderId": order.ID, "foundOnJobId": j1, "description": "更换前刹车片",
		"reason": "刹车片剩 2mm", "labourMinutes": 60, "extraMinutes": 60, "safety": true,
		"parts": []any{map[string]any{"partNumber": "04465-33471", "description": "前刹车片", "quantity": 1, "unitPrice": "480.00"}}}, &xp)
	extra := xp.AdditionalWork
	if extra.State != "REQUESTED" || extra.Job.State != "PENDING_APPROVAL" || extra.Total.Amount != "780.00" ||
		!slices.Contains(xp.RepairOrder.Blockers, "APPROVAL_PENDING") {
		t.Fatalf("additional work=%+v blockers=%v, want REQUESTED, job PENDING_APPROVAL, 780.00, blocker APPROVAL_PENDING", extra, xp.RepairOrder.Blockers)
	}
	ue := e.failed(t, f.Tech, "startJob", map[string]any{"jobId": extra.Job.ID}, "INVALID_TRANSITION", []string{})
	if !strings.Contains(ue.Message, "PENDING_APPROVAL") || !strings.Contains(ue.Message, "START") {
		t.Fatalf("message=%q, want the state and the action", ue.Message)
	}
	e.failed(t, f.Tech, "approveAdditionalWork", map[string]any{"additionalWorkId": extra.ID, "customerContact": "黄先生", "contactMethod": "PHONE"},
		"FORBIDDEN", []string{})
	e.ok(t, f.Advisor, "approveAdditionalWork", map[string]any{"additionalWorkId": extra.ID, "customerContact": "黄先生", "contactMethod": "PHONE",
		"expectedVersion": extra.Version}, &xp)
	if xp.AdditionalWork.State != "APPROVED" || xp.AdditionalWork.DecidedBy.ID != userID(f.Advisor) || xp.AdditionalWork.DecidedAt == nil {
		t.Fatalf("additional work=%+v, want APPROVED by the advisor, with a time", xp.AdditionalWork)
	}
	e.ok(t, f.Foreman, "dispatchJob", map[string]any{"jobId": extra.Job.ID, "technicianId": tech, "bayId": bay}, nil)
	e.ok(t, f.Tech, "startJob", map[string]any{"jobId": extra.Job.ID}, nil)

	checkAll := func(jobs ...string) {
		t.Helper()
		for _, j := range jobs {
			e.ok(t, f.Tech, "finishJob", map[string]any{"jobId": j}, nil)
			e.ok(t, f.Tech, "recordSelfCheck", map[string]any{"jobId": j, "passed": true}, nil)
			e.ok(t, f.Lead, "recordTeamLeadCheck", map[string]any{"jobId": j, "passed": true, "notes": "OK"}, &jp)
		}
	}
	checkAll(j0, j1, extra.Job.ID)
	if jp.RepairOrder.State != "QC" {
		t.Fatalf("state=%v, want QC once every job is checked", jp.RepairOrder.State)
	}
	e.ok(t, f.QC, "recordFinalInspection", map[string]any{"orderId": order.ID, "passed": false, "notes": "机油液位偏低", "failedJobIds": []string{j0}}, &o)
	if o.RepairOrder.State != "IN_WORK" || o.RepairOrder.ReworkCount != 1 || o.RepairOrder.Jobs[0].State != "REWORK" {
		t.Fatalf("state=%v rework=%d job=%v, want IN_WORK, 1, REWORK", o.RepairOrder.State, o.RepairOrder.ReworkCount, o.RepairOrder.Jobs[0].State)
	}
	e.ok(t, f.Tech, "startJob", map[string]any{"jobId": j0}, nil)
	checkAll(j0)
	e.ok(t, f.QC, "recordFinalInspection", map[string]any{"orderId": order.ID, "passed": true}, &o)
	if o.RepairOrder.State != "WASH" {
		t.Fatalf("state=%v, want WASH (the customer accepted a wash)", o.RepairOrder.State)
	}
	e.ok(t, f.Tech, "finishWash", map[string]any{"orderId": order.ID}, &o)
	if o.RepairOrder.State != "READY" || o.RepairOrder.NotifyBy == nil {
		t.Fatalf("state=%v notifyBy=%v, want READY with a notify-by time", o.RepairOrder.State, o.RepairOrder.NotifyBy)
	}
	e.failed(t, f.Advisor, "settleRepairOrder", map[string]any{"orderId": order.ID}, "FORBIDDEN", []string{})
	e.ok(t, f.Cashier, "settleRepairOrder", map[string]any{"orderId": order.ID, "paymentReference": "WX20261124001"}, &o)
	// 3 h of labour at 300.00 = 900.00, parts 85.00 + 480.00.
	if s := o.RepairOrder.Settlement; o.RepairOrder.State != "SETTLED" || s == nil || s.Total.Amount != "1465.00" ||
		s.CustomerShare.Amount != "1465.00" || s.SettledBy.ID != userID(f.Cashier) {
		t.Fatalf("state=%v settlement=%+v, want SETTLED, 1465.00 paid by the customer, settled by the cashier", o.RepairOrder.State, s)
	}
	e.ok(t, f.Advisor, "deliverVehicle", map[string]any{"orderId": order.ID, "belongingsChecked": true, "nextServiceMileage": 50000,
		"nextServiceDate": "2027-05-24"}, &o)
	if o.RepairOrder.State != "DELIVERED" || o.RepairOrder.Visit.DeliveredAt == nil || o.RepairOrder.Visit.ExitPass == "" {
		t.Fatalf("state=%v visit=%+v, want DELIVERED and the visit closed with an exit pass", o.RepairOrder.State, o.RepairOrder.Visit)
	}

	// The timeline answers who did what.
	var tl struct {
		RepairOrder struct {
			Timeline struct {
				Edges []struct {
					Node struct {
						Kind  string
						At    string
						Actor *struct{ ID string }
						Order *struct{ ID string }
					}
				}
			}
		}
	}
	e.must(t, f.Advisor, `query($id: ID!) { repairOrder(id: $id) { timeline(first: 200) { edges { node { kind at actor { id } order { id } } } } } }`,
		map[string]any{"id": order.ID}, &tl)
	actors := map[string][]string{}
	for _, ed := range tl.RepairOrder.Timeline.Edges {
		if ed.Node.Actor == nil || ed.Node.At == "" {
			t.Fatalf("event %s has actor=%v at=%q, want both", ed.Node.Kind, ed.Node.Actor, ed.Node.At)
		}
		// The typed fields a screen renders its own text from.
		if ed.Node.Order == nil || ed.Node.Order.ID != order.ID {
			t.Fatalf("event %s has order=%v, want %s", ed.Node.Kind, ed.Node.Order, order.ID)
		}
		actors[ed.Node.Kind] = append(actors[ed.Node.Kind], ed.Node.Actor.ID)
	}
	for kind, want := range map[string]*shop.User{"ADDITIONAL_WORK_REQUESTED": f.Tech, "ADDITIONAL_WORK_APPROVED": f.Advisor,
		"QC_FAILED": f.QC, "QC_PASSED": f.QC, "ORDER_SETTLED": f.Cashier, "ORDER_DELIVERED": f.Advisor, "JOB_DISPATCHED": f.Foreman} {
		got := actors[kind]
		if len(got) == 0 {
			t.Fatalf("no %s event on the timeline", kind)
		}
		for _, a := range got {
			if a != userID(want) {
				t.Fatalf("%s by %v, want %v (%s)", kind, a, userID(want), want.Role)
			}
		}
	}
}

// TestUserErrors: expected failures of mutations come back in userErrors with
// a code, the path of the input field and a readable message, and change nothing.
func TestUserErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	draft := f.MustCar(t, e.db, shop.OrderDraft, storetest.CarOptions{})
	inWork := f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{})
	if _, err := e.db.StartJob(storetest.Ctx(f.Tech), store.JobRef{JobID: inWork.Jobs[0].ID}); err != nil {
		t.Fatal(err)
	}
	site := gid(shop.TypeSite, int64(f.Site.ID))
	orderID, visitID := gid(shop.TypeOrder, int64(draft.Order.ID)), gid(shop.TypeVisit, int64(draft.Visit.ID))
	running := gid(shop.TypeJob, int64(inWork.Jobs[0].ID))
	receive := func(mod func(in map[string]any)) map[string]any {
		in := map[string]any{"siteId": site, "mileage": 1000, "fuelLevel": 50, "keyTag": "K-1", "complaint": "异响", "walkaroundSigned": true,
			"customer": map[string]any{"name": "赵女士", "phone": "13600136000"},
			"vehicle":  map[string]any{"plate": "粤B7B7B7", "make": "本田", "model": "思域"}}
		mod(in)
		return in
	}
	create := func(mod func(in map[string]any, job, part map[string]any)) map[string]any {
		job := map[string]any{"description": "检查", "labourMinutes": 30}
		part := map[string]any{"partNumber": "P-9", "description": "滤清器", "quantity": 1, "unitPrice": "1.00"}
		in := map[string]any{"visitId": visitID, "workType": "REPAIR", "jobs": []any{job}, "parts": []any{part}}
		mod(in, job, part)
		return in
	}
	tests := []struct {
		name     string
		mutation string
		user     *shop.User
		input    map[string]any
		code     string
		field    []string
	}{
		{"ErrMalformedVIN", "receiveVehicle", f.Advisor, receive(func(in map[string]any) { in["vehicle"].(map[string]any)["vin"] = "WVWZZZ1JZXW00000" }),
			"INVALID", []string{"input", "vehicle", "vin"}},
		{"ErrMalformedPlate", "receiveVehicle", f.Advisor, receive(func(in map[string]any) { in["vehicle"].(map[string]any)["plate"] = "B12345" }),
			"INVALID", []string{"input", "vehicle", "plate"}},
		{"ErrLongComplaint", "receiveVehicle", f.Advisor, receive(func(in map[string]any) { in["complaint"] = strings.Repeat("x", 5000) }),
			"INVALID", []string{"input", "complaint"}},
		{"ErrEmptyKeyTag", "receiveVehicle", f.Advisor, receive(func(in map[string]any) { in["keyTag"] = "" }),
			"INVALID", []string{"input", "keyTag"}},
		{"ErrEmptyDamage", "receiveVehicle", f.Advisor, receive(func(in map[string]any) {
			in["damages"] = []any{map[string]any{"location": "左前门", "description": ""}}
		}), "INVALID", []string{"input", "damages", "0", "description"}},
		{"ErrFuel", "receiveVehicle", f.Advisor, receive(func(in map[string]any) { in["fuelLevel"] = -1 }),
			"INVALID", []string{"input", "fuelLevel"}},
		{"ErrNegativeQuantity", "createRepairOrder", f.Advisor, create(func(in, job, part map[string]any) { part["quantity"] = -2 }),
			"INVALID", []string{"input", "parts", "0", "quantity"}},
		{"ErrNegativeMoney", "createRepairOrder", f.Advisor, create(func(in, job, part map[string]any) { part["unitPrice"] = "-0.01" }),
			"INVALID", []string{"input", "parts", "0", "unitPrice"}},
		{"ErrZeroLabour", "createRepairOrder", f.Advisor, create(func(in, job, part map[string]any) { job["labourMinutes"] = 0 }),
			"INVALID", []string{"input", "jobs", "0", "labourMinutes"}},
		{"ErrUnknownVisit", "createRepairOrder", f.Advisor, create(func(in, job, part map[string]any) { in["visitId"] = gid(shop.TypeVisit, 99999999) }),
			"NOT_FOUND", []string{"input", "visitId"}},
		{"ErrUnknownOrder", "signRepairOrder", f.Advisor, map[string]any{"orderId": gid(shop.TypeOrder, 99999999), "signedBy": "黄先生"},
			"NOT_FOUND", []string{"input", "orderId"}},
		{"ErrEmptySignature", "signRepairOrder", f.Advisor, map[string]any{"orderId": orderID, "signedBy": " "},
			"INVALID", []string{"input", "signedBy"}},
		{"ErrHandOverDraft", "handOverRepairOrder", f.Advisor, map[string]any{"orderId": orderID},
			"INVALID_TRANSITION", []string{}},
		{"ErrProgress101", "reportJobProgress", f.Tech, map[string]any{"jobId": running, "progress": 101},
			"INVALID", []string{"input", "progress"}},
		{"ErrStaleVersion", "reportJobProgress", f.Tech, map[string]any{"jobId": running, "progress": 10, "expectedVersion": 1},
			"CONFLICT", []string{"input", "expectedVersion"}},
		{"ErrBoardWrites", "updateRepairOrder", f.Board, map[string]any{"orderId": orderID, "findings": "x"},
			"FORBIDDEN", []string{}},
		{"ErrOtherSite", "updateRepairOrder", f.OtherAdvisor, map[string]any{"orderId": orderID, "findings": "x"},
			"NOT_FOUND", []string{"input", "orderId"}},
		{"ErrUnauthenticated", "updateRepairOrder", nil, map[string]any{"orderId": orderID, "findings": "x"},
			"UNAUTHENTICATED", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := storetest.Snapshot(t, e.db)
			var data map[string]json.RawMessage
			e.must(t, tt.user, mutations[tt.mutation], map[string]any{"input": tt.input}, &data)
			var p struct {
				UserErrors []userError
			}
			var record map[string]any
			_ = json.Unmarshal(data[tt.mutation], &p)
			_ = json.Unmarshal(data[tt.mutation], &record)
			if len(p.UserErrors) != 1 || p.UserErrors[0].Code != tt.code || !slices.Equal(p.UserErrors[0].Field, tt.field) {
				t.Fatalf("userErrors=%+v, want one %s on %q", p.UserErrors, tt.code, tt.field)
			}
			if msg := p.UserErrors[0].Message; msg == "" || msg == "Internal error." || sqlText.MatchString(msg) {
				t.Fatalf("message=%q, want a readable sentence", msg)
			}
			for k, v := range record {
				if k != "userErrors" && v != nil && tt.code != "CONFLICT" {
					t.Fatalf("%s=%v, want null on failure", k, v)
				}
			}
			if storetest.Snapshot(t, e.db) != before {
				t.Fatal("a rejected mutation changed the records")
			}
		})
	}
}

// TestTypedInputErrors: input GraphQL itself rejects — an ID of another type,
// a malformed ID or amount — is a typed INVALID error, never INTERNAL.
func TestTypedInputErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderDraft, storetest.CarOptions{})
	jobID := gid(shop.TypeJob, int64(car.Jobs[0].ID))
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		field string // the last element of the error's path, or extensions.field
	}{
		{"ErrIDOfAnotherType", mutations["signRepairOrder"], map[string]any{"input": map[string]any{"orderId": jobID, "signedBy": "黄先生"}}, "orderId"},
		{"ErrMalformedID", mutations["signRepairOrder"], map[string]any{"input": map[string]any{"orderId": "not-an-id", "signedBy": "黄先生"}}, "orderId"},
		{"ErrMalformedMoney", mutations["addPartLine"], map[string]any{"input": map[string]any{"orderId": gid(shop.TypeOrder, int64(car.Order.ID)),
			"part": map[string]any{"partNumber": "P", "description": "x", "quantity": 1, "unitPrice": "1.005"}}}, "unitPrice"},
		{"ErrMoneyExponent", mutations["addPartLine"], map[string]any{"input": map[string]any{"orderId": gid(shop.TypeOrder, int64(car.Order.ID)),
			"part": map[string]any{"partNumber": "P", "description": "x", "quantity": 1, "unitPrice": "1e3"}}}, "unitPrice"},
		{"ErrQueryIDOfAnotherType", `query($id: ID!) { repairOrder(id: $id) { id } }`, map[string]any{"id": jobID}, "id"},
		{"ErrNodeOfUnknownType", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Nope", 1)}, "id"},
		{"ErrPageSize", `query($id: ID!) { customer(id: $id) { visits(first: 101) { edges { cursor } } } }`,
			map[string]any{"id": gid(shop.TypeCustomer, int64(car.Customer))}, "first"},
		{"ErrCursor", `query($id: ID!) { customer(id: $id) { visits(after: "bm9wZQ") { edges { cursor } } } }`,
			map[string]any{"id": gid(shop.TypeCustomer, int64(car.Customer))}, "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := storetest.Snapshot(t, e.db)
			errs := e.do(t, f.Advisor, tt.query, tt.vars, nil)
			if len(errs) == 0 {
				t.Fatal("no error, want INVALID")
			}
			if errs[0].code() != "INVALID" || errs[0].Message == "Internal error." || sqlText.MatchString(errs[0].Message) {
				t.Fatalf("error=%+v, want code INVALID with a readable message", errs[0])
			}
			if p := errs[0].Path; (len(p) == 0 || p[len(p)-1] != tt.field) && errs[0].Extensions["field"] != tt.field {
				t.Fatalf("path=%v field=%v, want the error to name %s", p, errs[0].Extensions["field"], tt.field)
			}
			if storetest.Snapshot(t, e.db) != before {
				t.Fatal("a rejected call changed the records")
			}
		})
	}
}

// TestConflictPayload: a stale expectedVersion gets CONFLICT, and the payload
// carries the record as it stands now.
func TestConflictPayload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{})
	orderID, jobID := gid(shop.TypeOrder, int64(car.Order.ID)), gid(shop.TypeJob, int64(car.Jobs[0].ID))
	stale := car.Order.Version
	e.ok(t, f.Manager, "updateRepairOrder", map[string]any{"orderId": orderID, "expectedVersion": stale,
		"promisedAt": time.Now().Add(5 * time.Hour).Format(time.RFC3339), "reason": "等配件"}, nil)

	t.Run("ErrConflictOrder", func(t *testing.T) {
		var p struct {
			RepairOrder *orderOut
			UserErrors  []userError
		}
		e.mutate(t, f.Advisor, "updateRepairOrder", map[string]any{"orderId": orderID, "expectedVersion": stale,
			"promisedAt": time.Now().Add(6 * time.Hour).Format(time.RFC3339), "reason": "x"}, &p)
		if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "CONFLICT" || !slices.Equal(p.UserErrors[0].Field, []string{"input", "expectedVersion"}) {
			t.Fatalf("userErrors=%+v, want CONFLICT on expectedVersion", p.UserErrors)
		}
		if p.RepairOrder == nil || p.RepairOrder.ID != orderID || p.RepairOrder.Version != stale+1 {
			t.Fatalf("repairOrder=%+v, want the current order at version %d", p.RepairOrder, stale+1)
		}
	})
	t.Run("ErrConflictJob", func(t *testing.T) {
		var p struct {
			Job        *jobOut
			UserErrors []userError
		}
		v := car.Jobs[0].Version
		e.ok(t, f.Tech, "startJob", map[string]any{"jobId": jobID, "expectedVersion": v}, nil)
		e.mutate(t, f.Tech, "reportJobProgress", map[string]any{"jobId": jobID, "expectedVersion": v, "progress": 30}, &p)
		if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "CONFLICT" {
			t.Fatalf("userErrors=%+v, want CONFLICT", p.UserErrors)
		}
		if p.Job == nil || p.Job.Version != v+1 || p.Job.State != "IN_PROGRESS" {
			t.Fatalf("job=%+v, want the current job: IN_PROGRESS at version %d", p.Job, v+1)
		}
	})
	t.Run("ErrConflictAdditionalWork", func(t *testing.T) {
		var xp extraPayload
		e.ok(t, f.Tech, "requestAdditionalWork", map[string]any{"orderId": orderID, "description": "更换雨刮", "reason": "老化",
			"labourMinutes": 10, "extraMinutes": 0, "safety": false}, &xp)
		var p struct {
			AdditionalWork *struct {
				ID, State string
				Version   int
			}
			UserErrors []userError
		}
		e.mutate(t, f.Advisor, "approveAdditionalWork", map[string]any{"additionalWorkId": xp.AdditionalWork.ID, "customerContact": "黄先生",
			"contactMethod": "PHONE", "expectedVersion": xp.AdditionalWork.Version + 1}, &p)
		if len(p.UserErrors) != 1 || p.UserErrors[0].Code != "CONFLICT" || p.AdditionalWork == nil ||
			p.AdditionalWork.State != "REQUESTED" || p.AdditionalWork.Version != xp.AdditionalWork.Version {
			t.Fatalf("payload=%+v, want CONFLICT with the current request", p)
		}
	})
}

// TestIdempotencyKey over GraphQL: a retried mutation returns the first
// result and does nothing twice; another input with the key is rejected.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderDraft, storetest.CarOptions{})
	in := map[string]any{"orderId": gid(shop.TypeOrder, int64(car.Order.ID)), "idempotencyKey": "add-wiper-1",
		"job": map[string]any{"description": "更换雨刮", "labourMinutes": 10}}
	var first, again orderPayload
	e.ok(t, f.Advisor, "addJob", in, &first)
	events := storetest.Count(t, e.db, "events")
	snap := storetest.Snapshot(t, e.db)

	t.Run("OK", func(t *testing.T) {
		e.ok(t, f.Advisor, "addJob", in, &again)
		if len(again.RepairOrder.Jobs) != len(first.RepairOrder.Jobs) || again.RepairOrder.Version != first.RepairOrder.Version {
			t.Fatalf("retry: jobs=%d version=%d, want the first result (%d jobs, version %d)",
				len(again.RepairOrder.Jobs), again.RepairOrder.Version, len(first.RepairOrder.Jobs), first.RepairOrder.Version)
		}
		if n := storetest.Count(t, e.db, "events"); n != events || storetest.Snapshot(t, e.db) != snap {
			t.Fatalf("events=%d, want %d: the retry must change nothing", n, events)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		in["job"] = map[string]any{"description": "更换雨刮", "labourMinutes": 20}
		e.failed(t, f.Advisor, "addJob", in, "CONFLICT", []string{"input", "idempotencyKey"})
		if storetest.Snapshot(t, e.db) != snap {
			t.Fatal("the rejected call changed the records")
		}
	})
}

// TestNode fetches records of several types by global ID; IDs of another
// site's records, unknown IDs and guessed IDs give null.
func TestNode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderSettled, storetest.CarOptions{Extra: true})
	ids := map[string]string{
		"RepairOrder":           gid(shop.TypeOrder, int64(car.Order.ID)),
		"Job":                   gid(shop.TypeJob, int64(car.Jobs[0].ID)),
		"Visit":                 gid(shop.TypeVisit, int64(car.Visit.ID)),
		"Customer":              gid(shop.TypeCustomer, int64(car.Customer)),
		"Vehicle":               gid(shop.TypeVehicle, int64(car.Vehicle)),
		"AdditionalWorkRequest": gid(shop.TypeAdditionalWork, int64(car.Extra.ID)),
		"User":                  userID(f.Tech),
		"Bay":                   gid(shop.TypeBay, int64(f.Bay.ID)),
		"Site":                  gid(shop.TypeSite, int64(f.Site.ID)),
	}
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
			e.must(t, f.Advisor, q, map[string]any{"id": id}, &out)
			if out.Node == nil || out.Node.Typename != typ || out.Node.ID != id {
				t.Fatalf("node=%+v, want %s %s", out.Node, typ, id)
			}
		})
		t.Run("ErrOtherSite"+typ, func(t *testing.T) {
			var out nodeOut
			e.must(t, f.OtherAdvisor, q, map[string]any{"id": id}, &out)
			if out.Node != nil {
				t.Fatalf("node=%+v, want null for another site's record", out.Node)
			}
		})
	}
	t.Run("ErrGuessedID", func(t *testing.T) {
		// The other site's advisor guesses the IDs next to their own order's.
		var out struct {
			Nodes []*struct{ ID string }
		}
		var guesses []string
		for n := int64(1); n <= int64(car.Order.ID)+2; n++ {
			guesses = append(guesses, gid(shop.TypeOrder, n))
		}
		e.must(t, f.OtherAdvisor, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": guesses}, &out)
		for i, n := range out.Nodes {
			if n != nil {
				t.Fatalf("nodes[%d]=%+v, want null", i, n)
			}
		}
	})
	t.Run("OKNodes", func(t *testing.T) {
		var out struct {
			Nodes []*struct{ ID string }
		}
		list := []string{ids["RepairOrder"], gid(shop.TypeOrder, 99999999), ids["Customer"]}
		e.must(t, f.Advisor, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": list}, &out)
		if len(out.Nodes) != 3 || out.Nodes[0] == nil || out.Nodes[0].ID != list[0] || out.Nodes[1] != nil || out.Nodes[2] == nil {
			t.Fatalf("nodes=%+v, want [order, null, customer]", out.Nodes)
		}
	})
}

// TestSiteIsolationGraphQL: a user of the other site reads null and cannot
// change anything.
func TestSiteIsolationGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{})
	orderID := gid(shop.TypeOrder, int64(car.Order.ID))
	var out struct {
		RepairOrder *struct{ ID string }
		Customer    *struct{ ID string }
	}
	e.must(t, f.OtherAdvisor, `query($o: ID!, $c: ID!) { repairOrder(id: $o) { id } customer(id: $c) { id } }`,
		map[string]any{"o": orderID, "c": gid(shop.TypeCustomer, int64(car.Customer))}, &out)
	if out.RepairOrder != nil || out.Customer != nil {
		t.Fatalf("read %+v, want nulls", out)
	}
	errs := e.do(t, f.OtherAdvisor, `query($s: ID!) { customers(siteId: $s) { edges { node { id } } } }`,
		map[string]any{"s": gid(shop.TypeSite, int64(f.Site.ID))}, nil)
	if len(errs) != 1 || errs[0].code() != "NOT_FOUND" {
		t.Fatalf("errors=%+v, want NOT_FOUND", errs)
	}
	before := storetest.Snapshot(t, e.db)
	e.failed(t, f.OtherAdvisor, "startJob", map[string]any{"jobId": gid(shop.TypeJob, int64(car.Jobs[0].ID))}, "NOT_FOUND", []string{"input", "jobId"})
	if storetest.Snapshot(t, e.db) != before {
		t.Fatal("the rejected call changed the records")
	}
}

// TestBoardMasking: a board display's token reads customers' names, phones
// and plates masked.
func TestBoardMasking(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Extra: true})
	const q = `query($id: ID!) { repairOrder(id: $id) {
		signedBy additionalWork { customerContact } timeline { edges { node { summary } } }
		visit { customer { name phone email vehicles { plate } } vehicle { plate vin } } } }`
	type out struct {
		RepairOrder struct {
			SignedBy       string
			AdditionalWork []struct{ CustomerContact string }
			Timeline       struct {
				Edges []struct{ Node struct{ Summary string } }
			}
			Visit struct {
				Customer struct {
					Name, Phone, Email string
					Vehicles           []struct{ Plate string }
				}
				Vehicle struct{ Plate, VIN string }
			}
		}
	}
	var adv, board out
	vars := map[string]any{"id": gid(shop.TypeOrder, int64(car.Order.ID))}
	e.must(t, f.Advisor, q, vars, &adv)
	e.must(t, f.Board, q, vars, &board)
	plate := adv.RepairOrder.Visit.Vehicle.Plate
	c, v := board.RepairOrder.Visit.Customer, board.RepairOrder.Visit.Vehicle
	if adv.RepairOrder.Visit.Customer.Name != "黄先生" || adv.RepairOrder.Visit.Customer.Phone != "13800138000" {
		t.Fatalf("advisor reads %+v, want the whole name and phone", adv.RepairOrder.Visit.Customer)
	}
	if c.Name != "黄**" || c.Phone != "138****8000" || v.Plate != shop.MaskPlate(plate) || c.Vehicles[0].Plate != shop.MaskPlate(plate) {
		t.Fatalf("board reads name=%q phone=%q plate=%q/%q, want 黄** 138****8000 %s", c.Name, c.Phone, v.Plate, c.Vehicles[0].Plate, shop.MaskPlate(plate))
	}
	if o := board.RepairOrder; o.SignedBy != "黄**" || o.AdditionalWork[0].CustomerContact != "黄**" {
		t.Fatalf("board reads signedBy=%q customerContact=%q, want 黄**", o.SignedBy, o.AdditionalWork[0].CustomerContact)
	}
	for _, ed := range board.RepairOrder.Timeline.Edges {
		if strings.Contains(ed.Node.Summary, "黄先生") {
			t.Fatalf("board reads summary %q, want no customer's name", ed.Node.Summary)
		}
	}
}

// TestVisitsPagination pages through a customer's visits, newest first.
func TestVisitsPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	now := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	first := f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1})
	want := []string{gid(shop.TypeVisit, int64(first.Visit.ID))}
	for range 6 {
		now = now.Add(24 * time.Hour)
		c := f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 1, Customer: first.Customer, Vehicle: first.Vehicle})
		want = append(want, gid(shop.TypeVisit, int64(c.Visit.ID)))
	}
	slices.Reverse(want) // newest first
	const q = `query($id: ID!, $after: String) { customer(id: $id) { visits(first: 3, after: $after) {
		totalCount edges { cursor node { id receivedAt } } pageInfo { hasNextPage endCursor } } } }`
	var got []string
	var after any
	for page := 0; ; page++ {
		var out struct {
			Customer struct {
				Visits struct {
					TotalCount int
					Edges      []struct {
						Cursor string
						Node   struct{ ID, ReceivedAt string }
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
				}
			}
		}
		e.must(t, f.Advisor, q, map[string]any{"id": gid(shop.TypeCustomer, int64(first.Customer)), "after": after}, &out)
		v := out.Customer.Visits
		if v.TotalCount != len(want) {
			t.Fatalf("totalCount=%d, want %d", v.TotalCount, len(want))
		}
		for _, ed := range v.Edges {
			got = append(got, ed.Node.ID)
		}
		if len(v.Edges) > 0 && (v.PageInfo.EndCursor == nil || *v.PageInfo.EndCursor != v.Edges[len(v.Edges)-1].Cursor) {
			t.Fatalf("endCursor=%v, want the last edge's cursor", v.PageInfo.EndCursor)
		}
		if wantNext := len(got) < len(want); v.PageInfo.HasNextPage != wantNext {
			t.Fatalf("page %d: hasNextPage=%v, want %v", page, v.PageInfo.HasNextPage, wantNext)
		}
		if !v.PageInfo.HasNextPage {
			break
		}
		if page > len(want) {
			t.Fatal("pagination does not end")
		}
		after = *v.PageInfo.EndCursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("visits=%v, want %v (newest first, each once)", got, want)
	}
}

// TestMoneyGraphQL: amounts are exact decimal strings; cents add up.
func TestMoneyGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderDraft, storetest.CarOptions{Jobs: 1})
	var o orderPayload
	part := func(n, price string, qty int, payer string) map[string]any {
		return map[string]any{"partNumber": n, "description": "件", "quantity": qty, "unitPrice": price, "payer": payer}
	}
	e.ok(t, f.Advisor, "createRepairOrder", map[string]any{"visitId": gid(shop.TypeVisit, int64(car.Visit.ID)), "workType": "REPAIR",
		"jobs": []any{
			map[string]any{"description": "7 分钟", "labourMinutes": 7},                      // 300.00 × 7/60 = 35.00
			map[string]any{"description": "议价", "labourMinutes": 1, "labourPrice": "0.01"}, // explicit price
		},
		"parts": []any{part("A", "0.01", 1, "CUSTOMER"), part("B", "0.01", 1, "CUSTOMER"), part("C", "0.01", 1, "WARRANTY"),
			part("D", "0.01", 3, "CUSTOMER"), part("E", "0.1", 1, "CUSTOMER"), part("F", "0.20", 1, "CUSTOMER")}}, &o)
	b := o.RepairOrder.Bill
	got := []string{b.Labour.Amount, b.Parts.Amount, b.Total.Amount, b.CustomerShare.Amount, b.WarrantyShare.Amount}
	want := []string{"35.01", "0.36", "35.37", "35.36", "0.01"}
	if !slices.Equal(got, want) {
		t.Fatalf("labour, parts, total, customer, warranty = %v, want %v", got, want)
	}
	if b.Labour.MinorUnits != 3501 || b.Labour.Currency != "CNY" {
		t.Fatalf("labour=%+v, want 3501 fen in CNY", b.Labour)
	}
	if o.RepairOrder.PartLines[3].Total.Amount != "0.03" {
		t.Fatalf("0.01 × 3 = %s, want 0.03", o.RepairOrder.PartLines[3].Total.Amount)
	}
}

// TestErrorsPresented: requests without a token, with a bad one, and
// failures that are not the shop's own.
func TestErrorsPresented(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	car := f.MustCar(t, e.db, shop.OrderDraft, storetest.CarOptions{})
	orderID := gid(shop.TypeOrder, int64(car.Order.ID))

	t.Run("ErrUnauthenticated", func(t *testing.T) {
		errs := e.do(t, nil, `{ viewer { id } }`, nil, nil)
		if len(errs) != 1 || errs[0].code() != "UNAUTHENTICATED" {
			t.Fatalf("errors=%+v, want UNAUTHENTICATED", errs)
		}
		var out struct{ RepairOrder *struct{ ID string } }
		errs = e.do(t, nil, `query($id: ID!) { repairOrder(id: $id) { id } }`, map[string]any{"id": orderID}, &out)
		if len(errs) != 1 || errs[0].code() != "UNAUTHENTICATED" || out.RepairOrder != nil {
			t.Fatalf("errors=%+v order=%v, want UNAUTHENTICATED and no order", errs, out.RepairOrder)
		}
	})
	t.Run("ErrBadToken", func(t *testing.T) {
		for _, h := range []string{"Bearer not-a-real-token-at-all", "Basic dXNlcjpwYXNz"} {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"query":"{ viewer { id } }"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", h)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, req)
			var body struct{ Errors []gqlError }
			_ = json.Unmarshal(w.Body.Bytes(), &body)
			if w.Code != http.StatusUnauthorized || len(body.Errors) != 1 || body.Errors[0].code() != "UNAUTHENTICATED" {
				t.Fatalf("status=%d body=%s, want 401 UNAUTHENTICATED", w.Code, w.Body)
			}
		}
	})
	t.Run("ErrRevokedToken", func(t *testing.T) {
		tok := "revoked-token-for-the-test"
		if err := e.db.StoreToken(context.Background(), f.Advisor.ID, tok, "test", 0); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RevokeToken(context.Background(), tok); err != nil {
			t.Fatal(err)
		}
		_, err := e.c.RawPost(`{ viewer { id } }`, client.AddHeader("Authorization", "Bearer "+tok))
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Fatalf("err=%v, want 401", err)
		}
	})
	t.Run("ErrInternal", func(t *testing.T) {
		// A failure that is not a shop error (here: the database went away)
		// is shown as "Internal error." with the request ID, nothing more.
		down, err := store.Open(context.Background(), e.db.DSN(), 1)
		if err != nil {
			t.Fatal(err)
		}
		down.Close()
		h := api.WithRequestID(api.Authenticate(down, api.NewServer(down, slog.New(slog.DiscardHandler), api.DefaultOptions)))
		c := client.New(h)
		actor := func(r *client.Request) { r.HTTP = r.HTTP.WithContext(storetest.Ctx(f.Advisor)) }
		resp, err := c.RawPost(`query($id: ID!) { repairOrder(id: $id) { id } }`, client.Var("id", orderID), actor,
			client.AddHeader("X-Request-ID", "req-internal-1"))
		if err != nil {
			t.Fatal(err)
		}
		var errs []gqlError
		_ = json.Unmarshal(resp.Errors, &errs)
		if len(errs) != 1 || errs[0].Message != "Internal error." || errs[0].code() != "INTERNAL" || errs[0].Extensions["requestId"] != "req-internal-1" {
			t.Fatalf("errors=%+v, want one \"Internal error.\" with code INTERNAL and requestId req-internal-1", errs)
		}

		// Nor is it mistaken for a bad token: that would sign the user out.
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"query":"{ viewer { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.tokens[f.Advisor.ID])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		var body struct{ Errors []gqlError }
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != http.StatusInternalServerError || len(body.Errors) != 1 || body.Errors[0].code() != "INTERNAL" || body.Errors[0].Extensions["requestId"] == "" {
			t.Fatalf("status=%d body=%s, want 500 INTERNAL with a requestId", w.Code, w.Body)
		}
	})
}
