package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// TestFreshInstall starts the server on an empty database without the
// demo, bootstraps one ADMIN token with the CLI, and sets up a working site
// through GraphQL alone: the site with its hours and a closed day, bays, a
// labour rate, staff with a team and tokens, the labour catalogue, a
// maintenance package and its part; then the advisor receives a car whose
// make comes from its VIN, drafts an order and writes the estimate from the
// package, and the records are corrected with the change in the audit
// trail. Revoking the advisor's token locks them out.
func TestFreshInstall(t *testing.T) {
	t.Parallel()
	dsn := storetest.MustCreateDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	getenv := env(map[string]string{"DATABASE_URL": dsn})

	// Bootstrap: the CLI makes the first administrator, of no site yet.
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "add", "--name", "系统管理员", "--role", "ADMIN", "--ttl", "1h"}, getenv, &out); err != nil {
		t.Fatalf("bootstrap: %v (%s)", err, out.String())
	}
	m := regexp.MustCompile(`(?m)^token: (\S+)$`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("bootstrap printed no token: %q", out.String())
	}
	adminToken := m[1]

	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, getenv, pw)
		pw.Close()
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run returned %v after shutdown, want nil", err)
		}
	}()
	urlRe := regexp.MustCompile(`GraphQL\s+(http://\S+)/query`)
	var base string
	sc := bufio.NewScanner(pr)
	for base == "" && sc.Scan() {
		if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
		}
	}
	go io.Copy(io.Discard, pr)
	if base == "" {
		t.Fatalf("the server printed no GraphQL URL")
	}

	// gql posts a query with token and returns its data. want "" expects no
	// errors and no userErrors; "payload:CODE" a payload userError of CODE;
	// any other want the first top-level error's code.
	gql := func(token, query string, vars map[string]any, want string) map[string]any {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req, _ := http.NewRequest("POST", base+"/query", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST /query: %v", err)
		}
		defer res.Body.Close()
		var r struct {
			Data   map[string]any
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
			t.Fatalf("decode: %v (status %s)", err, res.Status)
		}
		payloadCode, inPayload := strings.CutPrefix(want, "payload:")
		switch {
		case (want == "" || inPayload) && len(r.Errors) > 0:
			t.Fatalf("query %.60q: errors=%+v", query, r.Errors)
		case want != "" && !inPayload && (len(r.Errors) == 0 || r.Errors[0].Extensions.Code != want):
			t.Fatalf("query %.60q: errors=%+v, want %s", query, r.Errors, want)
		}
		for name, v := range r.Data {
			p, ok := v.(map[string]any)
			if !ok {
				continue
			}
			ues, _ := p["userErrors"].([]any)
			switch {
			case want == "" && len(ues) > 0:
				t.Fatalf("%s: userErrors=%v", name, ues)
			case inPayload && (len(ues) == 0 || !strings.Contains(fmt.Sprint(ues), payloadCode)):
				t.Fatalf("%s: userErrors=%v, want %s", name, ues, payloadCode)
			}
		}
		return r.Data
	}
	get := func(v any, path ...string) any {
		for _, p := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("no %q in %v", p, v)
			}
			v = m[p]
		}
		return v
	}
	str := func(v any, path ...string) string { s, _ := get(v, path...).(string); return s }

	// The site, its hours, a holiday, bays and a body-shop rate.
	d := gql(adminToken, `mutation($in: SetUpSiteInput!) { setUpSite(input: $in) { site { id code version } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"code": "cs01", "name": "长沙岳麓店", "timeZone": "Asia/Shanghai", "labourRate": "160.00",
			"opensAt": 8 * 60, "closesAt": 18*60 + 30}}, "")
	site := str(d, "setUpSite", "site", "id")
	if str(d, "setUpSite", "site", "code") != "CS01" {
		t.Fatalf("site=%v, want code CS01", get(d, "setUpSite", "site"))
	}
	gql(adminToken, `mutation($in: SetSiteHoursInput!) { setSiteHours(input: $in) { site { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "expectedVersion": 1, "hours": []any{
			map[string]any{"day": "SATURDAY", "opensAt": 9 * 60, "closesAt": 16 * 60},
			map[string]any{"day": "SUNDAY", "closed": true}}}}, "")
	gql(adminToken, `mutation($in: SetClosedDayInput!) { setClosedDay(input: $in) { site { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "day": "2027-02-06", "closed": true, "reason": "春节"}}, "")
	d = gql(adminToken, `query($id: ID!) { site(id: $id) { version
		sat: hoursOn(date: "2026-12-05") { open opensAt closesAt }
		sun: hoursOn(date: "2026-12-06") { open }
		cny: hoursOn(date: "2027-02-06") { open }
		wed: hoursOn(date: "2026-12-02") { open opensAt closesAt } } }`, map[string]any{"id": site}, "")
	if fmt.Sprint(get(d, "site", "sat")) != "map[closesAt:960 open:true opensAt:540]" || get(d, "site", "sun", "open") != false ||
		get(d, "site", "cny", "open") != false || fmt.Sprint(get(d, "site", "wed")) != "map[closesAt:1110 open:true opensAt:480]" ||
		get(d, "site", "version") != 3.0 {
		t.Fatalf("hours=%v, want Saturday 09:00-16:00, Sunday and 春节 closed, Wednesday the default, version 3", d)
	}
	for _, code := range []string{"B01", "B02"} {
		gql(adminToken, `mutation($in: AddBayInput!) { addBay(input: $in) { bay { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"siteId": site, "code": code, "kind": "LIFT"}}, "")
	}
	gql(adminToken, `mutation($in: AddLabourRateInput!) { addLabourRate(input: $in) { labourRate { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "code": "BODY", "name": "钣金喷漆", "rate": "220.00"}}, "")

	// Staff: a manager, an advisor, a technician leading a team; tokens.
	addUser := func(name, role string) string {
		d := gql(adminToken, `mutation($in: AddUserInput!) { addUser(input: $in) { user { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"name": name, "role": role, "siteIds": []string{site}}}, "")
		return str(d, "addUser", "user", "id")
	}
	issue := func(token, user string) (string, string) {
		d := gql(token, `mutation($in: IssueTokenInput!) { issueToken(input: $in) { token tokenInfo { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{"userId": user, "ttlHours": 8, "label": "fresh install"}}, "")
		return str(d, "issueToken", "token"), str(d, "issueToken", "tokenInfo", "id")
	}
	managerToken, _ := issue(adminToken, addUser("周经理", "SERVICE_MANAGER"))
	advisor := addUser("陈顾问", "ADVISOR")
	advisorToken, advisorTokenID := issue(managerToken, advisor)
	tech := addUser("赵师傅", "TECHNICIAN")
	d = gql(managerToken, `mutation($in: AddTeamInput!) { addTeam(input: $in) { team { id name lead { name teamLead } members { name } } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "name": "机修一组", "leadId": tech}}, "")
	if str(d, "addTeam", "team", "lead", "name") != "赵师傅" || get(d, "addTeam", "team", "lead", "teamLead") != true ||
		fmt.Sprint(get(d, "addTeam", "team", "members")) != "[map[name:赵师傅]]" {
		t.Fatalf("team=%v, want 赵师傅 leading and a member", get(d, "addTeam", "team"))
	}
	// A service manager may not make an administrator.
	d = gql(managerToken, `mutation($in: AddUserInput!) { addUser(input: $in) { user { id } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"name": "x", "role": "ADMIN", "siteIds": []string{site}}}, "payload:FORBIDDEN")

	// The catalogue: an oil change (longer on a Camry), an inspection at a
	// fixed price, the oil filter, and the 10,000 km package.
	addOp := func(in map[string]any) string {
		in["siteId"] = site
		d := gql(managerToken, `mutation($in: AddLabourOperationInput!) { addLabourOperation(input: $in) { labourOperation { id } userErrors { message } } }`,
			map[string]any{"in": in}, "")
		return str(d, "addLabourOperation", "labourOperation", "id")
	}
	oil := addOp(map[string]any{"code": "OIL-CHG", "name": "更换机油机滤", "standardMinutes": 30,
		"models": []any{map[string]any{"model": "凯美瑞", "standardMinutes": 36}}})
	insp := addOp(map[string]any{"code": "INSP-10K", "name": "10000公里检查", "standardMinutes": 45, "price": "120.00"})
	gql(managerToken, `mutation($in: CreatePartInput!) { createPart(input: $in) { part { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "partNumber": "90915-YZZE1", "description": "机油滤清器", "unitPrice": "45.00"}}, "")
	d = gql(managerToken, `mutation($in: AddServicePackageInput!) { addServicePackage(input: $in) { servicePackage { id operations { code } } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"siteId": site, "code": "MAINT-10K", "name": "10,000 km 保养", "mileageKm": 10000,
			"operationIds": []string{oil, insp}, "parts": []any{map[string]any{"partNumber": "90915-YZZE1", "quantity": 1}}}}, "")
	pkg := str(d, "addServicePackage", "servicePackage", "id")

	// Day one: the advisor receives a Camry at 50,000 km. Its make comes
	// from the VIN (LVG: GAC Toyota); a wrong check digit names the field.
	vin := []byte("LVGBE40K0NG123456")
	vin[8] = shop.VINCheckDigit(string(vin))
	receive := `mutation($in: ReceiveVehicleInput!) { receiveVehicle(input: $in) { visit { id vehicle { id make suggestedPackage { code } } customer { id } } userErrors { code field message } } }`
	recv := func(v string) map[string]any {
		return map[string]any{"in": map[string]any{"siteId": site,
			"customer": map[string]any{"name": "刘女士", "phone": "13974100000"},
			"vehicle":  map[string]any{"plate": "湘A12345", "vin": v, "make": "", "model": "凯美瑞", "mileage": 50000},
			"mileage":  50000, "fuelLevel": 60, "keyTag": "K01", "complaint": "10000公里保养", "walkaroundSigned": true}}
	}
	bad := []byte(string(vin))
	bad[8] = map[bool]byte{true: '1', false: '2'}[vin[8] != '1']
	d = gql(advisorToken, receive, recv(string(bad)), "payload:INVALID")
	if ue := fmt.Sprint(get(d, "receiveVehicle", "userErrors")); !strings.Contains(ue, "vin") {
		t.Fatalf("userErrors=%s, want the VIN named", ue)
	}
	d = gql(advisorToken, receive, recv(string(vin)), "")
	visit := str(d, "receiveVehicle", "visit", "id")
	vehicle := str(d, "receiveVehicle", "visit", "vehicle", "id")
	customer := str(d, "receiveVehicle", "visit", "customer", "id")
	if str(d, "receiveVehicle", "visit", "vehicle", "make") != "Toyota" ||
		str(d, "receiveVehicle", "visit", "vehicle", "suggestedPackage", "code") != "MAINT-10K" {
		t.Fatalf("vehicle=%v, want make Toyota from the VIN and MAINT-10K due at 50,000 km", get(d, "receiveVehicle", "visit", "vehicle"))
	}
	d = gql(advisorToken, `mutation($in: CreateRepairOrderInput!) { createRepairOrder(input: $in) { repairOrder { id version } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"visitId": visit, "workType": "MAINTENANCE"}}, "")
	order := str(d, "createRepairOrder", "repairOrder", "id")
	d = gql(advisorToken, `mutation($in: AddCatalogueLinesInput!) { addCatalogueLines(input: $in) {
			repairOrder { jobs { description labourMinutes labourPrice { amount } } bill { total { amount } }
				partReservations { quantity state part { partNumber } } } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"orderId": order, "packageId": pkg}}, "")
	// Oil change on a Camry: 36 min at ¥160/h = ¥96; inspection ¥120 fixed; filter ¥45.
	if got := str(d, "addCatalogueLines", "repairOrder", "bill", "total", "amount"); got != "261.00" {
		t.Fatalf("estimate=%v, want 261.00 (96 + 120 + 45)", get(d, "addCatalogueLines", "repairOrder"))
	}
	// The package's filter is set aside for the car: none in stock yet, so it waits for delivery.
	if got := fmt.Sprint(get(d, "addCatalogueLines", "repairOrder", "partReservations")); got != "[map[part:map[partNumber:90915-YZZE1] quantity:1 state:WAITING]]" {
		t.Fatalf("reservations=%s, want the filter WAITING", got)
	}

	// Corrections, with their before and after in the audit trail.
	gql(managerToken, `mutation($in: UpdateCustomerInput!) { updateCustomer(input: $in) { customer { phone version } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"customerId": customer, "expectedVersion": 1, "customer": map[string]any{"phone": "13974100001"}}}, "")
	d = gql(managerToken, `mutation($in: UpdateCustomerInput!) { updateCustomer(input: $in) { customer { phone } userErrors { code } } }`,
		map[string]any{"in": map[string]any{"customerId": customer, "expectedVersion": 1, "customer": map[string]any{"phone": "13974100002"}}}, "payload:CONFLICT")
	gql(managerToken, `mutation($in: UpdateVehicleInput!) { updateVehicle(input: $in) { vehicle { plate } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"vehicleId": vehicle, "vehicle": map[string]any{"plate": "湘A54321", "contactName": "刘先生", "contactPhone": "13974100009"}}}, "")
	d = gql(managerToken, `query($id: ID!) { auditTrail(siteId: $id, first: 100) { edges { node { kind summary } } } }`, map[string]any{"id": site}, "")
	trail := fmt.Sprint(get(d, "auditTrail", "edges"))
	for _, want := range []string{`phone "13974100000" → "13974100001"`, `plate "湘A12345" → "湘A54321"`, "SITE_CHANGED", "TEAM_CHANGED",
		"USER_CHANGED", "TOKEN_ISSUED", "CATALOGUE_CHANGED", "BAY_CHANGED", "LABOUR_RATE_CHANGED"} {
		if !strings.Contains(trail, want) {
			t.Fatalf("audit trail lacks %q: %s", want, trail)
		}
	}

	// The same customer entered again with her second car: merged, the
	// duplicate resolves to the survivor and its car moves there.
	second := recv(string(vin))
	in := second["in"].(map[string]any)
	in["customer"] = map[string]any{"name": "刘女士", "phone": "13974100001"}
	vin2 := []byte("LSVAX63C0J2123456")
	vin2[8] = shop.VINCheckDigit(string(vin2))
	in["vehicle"] = map[string]any{"plate": "湘A77777", "vin": string(vin2), "make": "", "model": "朗逸", "mileage": 30000}
	in["keyTag"] = "K02"
	d = gql(advisorToken, receive, second, "")
	dup := str(d, "receiveVehicle", "visit", "customer", "id")
	gql(managerToken, `mutation($in: MergeCustomersInput!) { mergeCustomers(input: $in) { customer { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"survivorId": customer, "duplicateId": dup}}, "")
	d = gql(managerToken, `query($dup: ID!, $c: ID!) { dup: customer(id: $dup) { mergedInto { id } vehicles { plate } }
		survivor: customer(id: $c) { mergedInto { id } vehicles { plate make } visits { totalCount } } }`,
		map[string]any{"dup": dup, "c": customer}, "")
	if str(d, "dup", "mergedInto", "id") != customer || fmt.Sprint(get(d, "dup", "vehicles")) != "[]" ||
		get(d, "survivor", "mergedInto") != nil || fmt.Sprint(get(d, "survivor", "vehicles")) != "[map[make:Toyota plate:湘A54321] map[make:Volkswagen plate:湘A77777]]" ||
		get(d, "survivor", "visits", "totalCount") != 2.0 {
		t.Fatalf("after the merge: %v", d)
	}

	// Revoking the advisor's token locks them out at once.
	gql(managerToken, `mutation($in: RevokeTokenInput!) { revokeToken(input: $in) { tokenInfo { revokedAt } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"tokenId": advisorTokenID}}, "")
	gql(advisorToken, `{ viewer { name } }`, nil, "UNAUTHENTICATED")
}
