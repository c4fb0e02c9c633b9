package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// The examples of free text carrying personal data (issue 14, item 2).
const (
	privName    = "司马萱涵"
	privPhone   = "13910726241"
	privPlate   = "京A7Q321"
	privVIN     = "1HGCM82633A004352"
	privPlate2  = "京B5K862"
	privVIN2    = "1M8GDM9AXKP042788"
	privMail    = "simaxh@example.com"
	privPause   = "等客户" + privName + "电话确认 " + privPhone
	privMarker  = 77 // the last progress: the feeds have replayed everything before it
	privFeedCap = 400
)

// privSecrets are the strings no masked role may read anywhere.
var privSecrets = []string{privName, privPhone, privPlate, privVIN, privPlate2, privVIN2, privMail}

// privEnv is a server with a hub whose log holds the free text.
type privEnv struct {
	*wsEnv
	tokens           map[shop.Role]string
	orderA, orderB   string // A in work (paused, additional work), B cancelled
	visitB, jobA     string
	appointment      string
	complaint, tomor string
}

// post runs a GraphQL request over HTTP as the holder of token and returns
// the whole response body.
func (e *privEnv) post(t *testing.T, token, query string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(b)
}

// ok runs a mutation as token and returns the field's payload; it fails on
// errors and userErrors.
func (e *privEnv) ok(t *testing.T, token, query string, vars map[string]any, field string) map[string]any {
	t.Helper()
	var out struct {
		Data   map[string]map[string]any
		Errors []any
	}
	b := e.post(t, token, query, vars)
	if err := json.Unmarshal([]byte(b), &out); err != nil || len(out.Errors) > 0 || out.Data[field] == nil {
		t.Fatalf("%s: %s", field, b)
	}
	if ue, _ := out.Data[field]["userErrors"].([]any); len(ue) > 0 {
		t.Fatalf("%s: userErrors %v", field, ue)
	}
	return out.Data[field]
}

func idOf(m map[string]any, key string) string {
	o, _ := m[key].(map[string]any)
	s, _ := o["id"].(string)
	return s
}

func newPrivEnv(t *testing.T) *privEnv {
	t.Helper()
	w := newWSEnv(t, nil).start()
	f := w.f
	e := &privEnv{wsEnv: w, tokens: map[shop.Role]string{}}
	for _, u := range []*shop.User{f.Advisor, f.Board, f.Tech, f.Foreman, f.QC, f.PartsClerk} {
		e.tokens[u.Role] = wsToken(t, w.db, u)
	}
	adv, tech := e.tokens[shop.RoleAdvisor], e.tokens[shop.RoleTechnician]

	// An appointment for tomorrow, booked with a new customer.
	var site struct {
		Data struct{ Site struct{ TimeZone string } }
	}
	_ = json.Unmarshal([]byte(e.post(t, adv, `query($s: ID!) { site(id: $s) { timeZone } }`, map[string]any{"s": w.site})), &site)
	loc, err := time.LoadLocation(site.Data.Site.TimeZone)
	if err != nil {
		t.Fatalf("site time zone %q: %v", site.Data.Site.TimeZone, err)
	}
	now := time.Now().In(loc)
	at := time.Date(now.Year(), now.Month(), now.Day()+1, 10, 0, 0, 0, loc)
	e.tomor = at.Format(time.DateOnly)
	p := e.ok(t, adv, `mutation($i: BookAppointmentInput!) { bookAppointment(input: $i) {
		appointment { id customer { id } vehicle { id } } userErrors { message } } }`, map[string]any{"i": map[string]any{
		"siteId": w.site, "scheduledAt": at.Format(time.RFC3339),
		"customer":      map[string]any{"name": privName, "phone": privPhone, "email": privMail},
		"vehicle":       map[string]any{"plate": privPlate, "vin": privVIN, "make": "大众", "model": "帕萨特"},
		"requestedWork": privName + "女士要求检查刹车，到店前打 " + privPhone + "，车牌 " + privPlate + "，邮件 " + privMail,
	}}, "bookAppointment")
	ap := p["appointment"].(map[string]any)
	e.appointment = ap["id"].(string)
	cust, veh := idOf(ap, "customer"), idOf(ap, "vehicle")

	// Car B: received with a complaint, an order with findings and a job
	// naming the customer's phone and plate, then cancelled with a reason.
	p = e.ok(t, adv, `mutation($i: ReceiveVehicleInput!) { receiveVehicle(input: $i) { visit { id } userErrors { message } } }`,
		map[string]any{"i": map[string]any{"siteId": w.site, "customerId": cust,
			"vehicle": map[string]any{"plate": privPlate2, "vin": privVIN2, "make": "大众", "model": "途观"},
			"mileage": 12000, "fuelLevel": 50, "keyTag": "K-9", "walkaroundSigned": true,
			"damages":    []any{map[string]any{"location": "左前门", "description": privName + "自述刮伤，电话 " + privPhone}},
			"belongings": []any{"行驶证 " + privPlate2, "钥匙"},
			"complaint":  privName + "说刹车异响，电话 " + privPhone + "，VIN " + privVIN2}}, "receiveVehicle")
	e.visitB = idOf(p, "visit")
	p = e.ok(t, adv, `mutation($i: CreateRepairOrderInput!) { createRepairOrder(input: $i) { repairOrder { id } userErrors { message } } }`,
		map[string]any{"i": map[string]any{"visitId": e.visitB, "workType": "REPAIR",
			"findings": "前刹车片磨损，" + privName + "同意报价，回电 " + privPhone,
			"jobs":     []any{map[string]any{"description": "更换刹车片（" + privPlate2 + "，联系 " + privPhone + "）", "labourMinutes": 60}}}},
		"createRepairOrder")
	e.orderB = idOf(p, "repairOrder")
	e.ok(t, adv, `mutation($i: CancelRepairOrderInput!) { cancelRepairOrder(input: $i) { repairOrder { id } userErrors { message } } }`,
		map[string]any{"i": map[string]any{"orderId": e.orderB, "reason": privName + "改约下周，电话 " + privPhone}}, "cancelRepairOrder")

	// A complaint.
	p = e.ok(t, adv, `mutation($i: OpenComplaintInput!) { openComplaint(input: $i) { complaint { id } userErrors { message } } }`,
		map[string]any{"i": map[string]any{"customerId": cust,
			"description": privName + "投诉等待太久，请回电 " + privPhone + " 或发邮件 " + privMail}}, "openComplaint")
	e.complaint = idOf(p, "complaint")

	// Car A in the workshop: paused with the note, additional work
	// found and approved on the phone, resumed, and a last progress.
	car := f.MustCar(t, w.db, shop.OrderInWork, storetest.CarOptions{Customer: shop.CustomerID(mustInt(t, cust, shop.TypeCustomer)),
		Vehicle: shop.VehicleID(mustInt(t, veh, shop.TypeVehicle)), Jobs: 1})
	e.orderA = shop.GlobalID(shop.TypeOrder, int64(car.Order.ID))
	e.jobA = shop.GlobalID(shop.TypeJob, int64(car.Jobs[0].ID))
	job := map[string]any{"jobId": e.jobA}
	e.ok(t, tech, `mutation($i: JobActionInput!) { startJob(input: $i) { userErrors { message } } }`, map[string]any{"i": job}, "startJob")
	e.ok(t, tech, `mutation($i: PauseJobInput!) { pauseJob(input: $i) { userErrors { message } } }`,
		map[string]any{"i": map[string]any{"jobId": e.jobA, "reason": "OTHER", "note": privPause}}, "pauseJob")
	p = e.ok(t, tech, `mutation($i: RequestAdditionalWorkInput!) { requestAdditionalWork(input: $i) { additionalWork { id } userErrors { message } } }`,
		map[string]any{"i": map[string]any{"orderId": e.orderA, "description": "更换雨刮 " + privPlate + " 车主 " + privPhone,
			"reason": privName + "自己提的", "labourMinutes": 10, "extraMinutes": 10, "safety": false}}, "requestAdditionalWork")
	e.ok(t, adv, `mutation($i: DecideAdditionalWorkInput!) { approveAdditionalWork(input: $i) { userErrors { message } } }`,
		map[string]any{"i": map[string]any{"additionalWorkId": idOf(p, "additionalWork"), "customerContact": privName,
			"contactMethod": "PHONE", "note": privName + "同意，" + privPhone}}, "approveAdditionalWork")
	e.ok(t, tech, `mutation($i: JobActionInput!) { resumeJob(input: $i) { userErrors { message } } }`, map[string]any{"i": job}, "resumeJob")
	e.ok(t, tech, `mutation($i: ReportJobProgressInput!) { reportJobProgress(input: $i) { userErrors { message } } }`,
		map[string]any{"i": map[string]any{"jobId": e.jobA, "progress": privMarker}}, "reportJobProgress")
	return e
}

func mustInt(t *testing.T, id, typ string) int64 {
	t.Helper()
	got, n, err := shop.ParseGlobalID(id)
	if err != nil || got != typ {
		t.Fatalf("id %q: %v, want a %s", id, err, typ)
	}
	return n
}

// privQuery reads every free text of the fixture a role may reach by query.
const privQuery = `query($s: ID!, $a: ID!, $b: ID!, $visit: ID!, $job: ID!, $ap: ID!, $day: Date!) {
	a: repairOrder(id: $a) { findings cancelReason signedBy
		jobs { description pauseNote reworkReason }
		additionalWork { description reason customerContact decisionNote }
		checks { notes }
		timeline(first: 200) { edges { node { kind summary } } }
		visit { complaint } }
	b: repairOrder(id: $b) { findings cancelReason jobs { description } partLines { description }
		timeline(first: 200) { edges { node { summary } } }
		visit { complaint belongings damages { location description } } }
	n: nodes(ids: [$a, $b, $visit, $job, $ap]) { id
		... on RepairOrder { findings cancelReason jobs { description pauseNote } }
		... on Visit { complaint belongings damages { description } }
		... on Job { description pauseNote }
		... on Appointment { requestedWork partsToPrepare } }
	site(id: $s) { appointments(date: $day) { requestedWork partsToPrepare } }
	board(siteId: $s) { cards { plate jobs { description } } }
}`

// privFeeds are the subscriptions a role may follow, with the update field.
var privFeeds = []struct{ name, query string }{
	{"boardFeed", `subscription($s: ID!, $after: String) { boardFeed(siteId: $s, after: $after) {
		cursor kind summary card { plate jobs { description } } } }`},
	{"repairOrderTimeline", `subscription($o: ID!, $after: String) { repairOrderTimeline(orderId: $o, after: $after) {
		cursor kind summary card { plate jobs { description } } } }`},
	// A masked role may not follow the advisor's feed, which carries the
	// summaries as typed: refused at once.
	{"advisorFeed", `subscription($s: ID!, $adv: ID!, $after: String) { advisorFeed(siteId: $s, advisorId: $adv, after: $after) {
		cursor kind summary card { plate jobs { description } } } }`},
}

// feed follows a subscription over SSE from the start of the log until the
// last progress of car A and returns what came: every data line, or the
// error response when the subscription was refused.
func (e *privEnv) feed(t *testing.T, token, name, query string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // a bound, not an assertion
	defer cancel()
	vars := map[string]any{}
	for k, v := range map[string]any{"s": e.site, "o": e.orderA, "adv": userID(e.f.Advisor), "after": "0"} {
		if strings.Contains(query, "$"+k+":") {
			vars[k] = v
		}
	}
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: subscribe: %v", name, err)
	}
	defer res.Body.Close()
	s := &sseStream{t: t, res: res}
	s.scan = bufio.NewScanner(res.Body)
	s.scan.Buffer(make([]byte, 0, 1<<16), 1<<22)
	var all strings.Builder
	for i := 0; i < privFeedCap; i++ {
		ev, data := s.event()
		all.WriteString(data)
		all.WriteByte('\n')
		if ev == "" || ev == "complete" || strings.Contains(data, `"errors"`) {
			return all.String()
		}
		var u struct {
			Data map[string]struct{ Kind, Summary string }
		}
		if json.Unmarshal([]byte(data), &u) == nil && u.Data[name].Kind == string(shop.EventJobProgress) &&
			strings.Contains(u.Data[name].Summary, "77") {
			return all.String()
		}
	}
	t.Fatalf("%s: no end after %d events", name, privFeedCap)
	return ""
}

// leaks returns the secrets found in body.
func leaks(body string) []string {
	var out []string
	for _, s := range privSecrets {
		if strings.Contains(body, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestFreeTextPrivacy writes the free text (a pause note, a cancel
// reason, a complaint, an appointment's requested work, findings, a job's
// description, additional work) through the API and reads it back as every
// role that sees personal data masked, by query, node, the board snapshot
// and the live feeds: none of them reads a phone number, the customer's
// name, a plate, a VIN or an e-mail address; the advisor still reads them
// all. A board lists no complaints, callbacks or reminders.
func TestFreeTextPrivacy(t *testing.T) {
	t.Parallel()
	e := newPrivEnv(t)
	vars := map[string]any{"s": e.site, "a": e.orderA, "b": e.orderB, "visit": e.visitB, "job": e.jobA,
		"ap": e.appointment, "day": e.tomor}
	complaints := `query($s: ID!, $c: ID!) { complaints(siteId: $s) { description resolution } c: node(id: $c) { ... on Complaint { description } } }`
	cvars := map[string]any{"s": e.site, "c": e.complaint}

	t.Run("OKAdvisor", func(t *testing.T) {
		body := e.post(t, e.tokens[shop.RoleAdvisor], privQuery, vars)
		body += e.post(t, e.tokens[shop.RoleAdvisor], complaints, cvars)
		body += e.feed(t, e.tokens[shop.RoleAdvisor], "repairOrderTimeline", privFeeds[1].query)
		for _, s := range []string{privPause, privName, privPhone, privPlate2, privMail, "行驶证 " + privPlate2} {
			if !strings.Contains(body, s) {
				t.Fatalf("the advisor reads no %q in %s", s, body)
			}
		}
	})
	for _, role := range []shop.Role{shop.RoleBoard, shop.RoleTechnician, shop.RoleForeman, shop.RoleQCInspector, shop.RolePartsClerk} {
		t.Run("OK"+string(role), func(t *testing.T) {
			tok := e.tokens[role]
			bodies := map[string]string{"query": e.post(t, tok, privQuery, vars)}
			if role != shop.RoleBoard {
				bodies["complaints"] = e.post(t, tok, complaints, cvars)
				if !strings.Contains(bodies["complaints"], "投诉等待太久") {
					t.Fatalf("%s reads complaints %s, want the scrubbed description", role, bodies["complaints"])
				}
			}
			for _, f := range privFeeds {
				bodies[f.name] = e.feed(t, tok, f.name, f.query)
			}
			if !strings.Contains(bodies["query"], `"findings":"前刹车片磨损，***同意报价，回电 ***"`) ||
				!strings.Contains(bodies["query"], `{"kind":"JOB_PAUSED","summary":"Work paused."}`) {
				t.Fatalf("%s reads %s, want the findings scrubbed and the pause without its note", role, bodies["query"])
			}
			if !strings.Contains(bodies["boardFeed"], "Work paused.") {
				t.Fatalf("%s follows %s, want the pause without its note", role, bodies["boardFeed"])
			}
			if !strings.Contains(bodies["advisorFeed"], "FORBIDDEN") {
				t.Fatalf("%s follows the advisor's feed: %s, want FORBIDDEN", role, bodies["advisorFeed"])
			}
			for what, body := range bodies {
				if l := leaks(body); len(l) > 0 {
					t.Fatalf("%s reads %q through %s: %s", role, l, what, body)
				}
			}
		})
	}
	t.Run("ErrBoardFollowUps", func(t *testing.T) {
		for _, q := range []string{
			`query($s: ID!) { complaints(siteId: $s) { id } }`,
			`query($s: ID!) { callbacksDue(siteId: $s) { id } }`,
			`query($s: ID!) { remindersDue(siteId: $s) { reminder { id } } }`,
			`query($s: ID!) { invitations(siteId: $s) { lastVisitAt } }`,
			`query($c: ID!) { node(id: $c) { id } }`,
			`query($o: ID!) { repairOrder(id: $o) { callbacks { id } } }`,
		} {
			var out struct {
				Errors []struct{ Extensions struct{ Code string } }
			}
			vars := map[string]any{}
			for k, v := range map[string]any{"s": e.site, "c": e.complaint, "o": e.orderA} {
				if strings.Contains(q, "$"+k+":") {
					vars[k] = v
				}
			}
			body := e.post(t, e.tokens[shop.RoleBoard], q, vars)
			if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Errors) != 1 || out.Errors[0].Extensions.Code != "FORBIDDEN" {
				t.Fatalf("%s answers %s, want FORBIDDEN", q, body)
			}
		}
	})
}
