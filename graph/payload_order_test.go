package graph_test

import (
	"encoding/json"
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// progressBenchQuery is the mutation the benchmark sends: the job only.
const progressBenchQuery = `mutation Progress($in: ReportJobProgressInput!) { reportJobProgress(input: $in) { job { id progress } userErrors { code message } } }`

// payloadOrderFields is what the payload tests read of an order: its own
// columns (signedBy masked by role), derived fields and what loaders add.
const payloadOrderFields = `
fragment PO on RepairOrder {
  id number state version workType priority findings signedBy signedAt handedOverAt promisedAt estimatedAt
  stage stageSince blockers progress late minutesLate reworkCount notifyBy cancelReason
  advisor { id } visit { id }
  jobs { id state version progress technician { id } bay { code } }
  partLines { id quantity total { amount } }
  additionalWork { id state customerContact }
  bill { labour { amount } parts { amount } total { amount } customerShare { amount } }
}`

// payloadEnv is a GraphQL env with a fixed clock (late, minutesLate and
// estimatedAt depend on it) and an order IN_WORK whose first job is started.
type payloadEnv struct {
	*env
	car  *storetest.Car
	job  string // the started job
	next int    // the next progress to report
}

func newPayloadEnv(t *testing.T) *payloadEnv {
	t.Helper()
	e := newEnv(t)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	// Tokens resolved once, as in production: the counts below are the
	// mutation's own, without the bearer token's lookup.
	e.db.TokenCacheTTL = time.Hour
	car := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 2, Extra: true})
	p := &payloadEnv{env: e, car: car, job: gid(shop.TypeJob, int64(car.Jobs[0].ID)), next: 1}
	p.ok(t, e.f.Tech, "startJob", map[string]any{"jobId": p.job}, nil)
	// Every token once, so that no count below includes its lookup.
	for _, u := range []*shop.User{e.f.Advisor, e.f.Foreman, e.f.Tech} {
		p.must(t, u, `{ viewer { id } }`, nil, nil)
	}
	return p
}

// counted runs an operation as u and returns its data and the SQL
// statements it sent.
func (p *payloadEnv) counted(t *testing.T, u *shop.User, query string, vars map[string]any) (map[string]map[string]json.RawMessage, int64) {
	t.Helper()
	var data map[string]map[string]json.RawMessage
	before := p.db.Statements()
	p.must(t, u, query, vars, &data)
	return data, p.db.Statements() - before
}

// progress returns the input of the next reportJobProgress of the started job.
func (p *payloadEnv) progress() map[string]any {
	p.next++
	return map[string]any{"jobId": p.job, "progress": p.next}
}

// freshOrder reads the car's order as u with payloadOrderFields, as JSON.
func (p *payloadEnv) freshOrder(t *testing.T, u *shop.User) string {
	t.Helper()
	var out struct{ RepairOrder json.RawMessage }
	p.must(t, u, `query($id: ID!) { repairOrder(id: $id) { ...PO } }`+payloadOrderFields,
		map[string]any{"id": gid(shop.TypeOrder, int64(p.car.Order.ID))}, &out)
	return canonical(t, out.RepairOrder)
}

// freshJob reads the started job as u, as JSON.
func (p *payloadEnv) freshJob(t *testing.T, u *shop.User) string {
	t.Helper()
	var out struct{ Node json.RawMessage }
	p.must(t, u, `query($id: ID!) { node(id: $id) { ... on Job { id state version progress } } }`, map[string]any{"id": p.job}, &out)
	return canonical(t, out.Node)
}

// canonical re-encodes JSON with sorted keys, for comparison.
func canonical(t *testing.T, b json.RawMessage) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// payloadErrors decodes a payload's userErrors.
func payloadErrors(t *testing.T, payload map[string]json.RawMessage) []userError {
	t.Helper()
	var ues []userError
	if err := json.Unmarshal(payload["userErrors"], &ues); err != nil {
		t.Fatalf("decode userErrors: %v", err)
	}
	return ues
}

// TestJobPayloadStatements counts the SQL statements of reportJobProgress:
// the payload reads the job's order only when the client selects it,
// however it selects it (directly, under an alias, in a fragment, through
// @include), and then returns the order exactly as a fresh read does.
func TestJobPayloadStatements(t *testing.T) {
	t.Parallel()
	p := newPayloadEnv(t)
	tech := p.f.Tech

	data, base := p.counted(t, tech, progressBenchQuery, map[string]any{"in": p.progress()})
	pl := data["reportJobProgress"]
	if ues := payloadErrors(t, pl); len(ues) > 0 {
		t.Fatalf("userErrors=%+v, want none", ues)
	}
	if _, ok := pl["repairOrder"]; ok {
		t.Fatalf("payload=%s, want no repairOrder", pl)
	}
	var job struct {
		ID       string
		Progress int
	}
	if err := json.Unmarshal(pl["job"], &job); err != nil || job.ID != p.job || job.Progress != p.next {
		t.Fatalf("job=%s (%v), want %s at %d%%", pl["job"], err, p.job, p.next)
	}
	t.Logf("reportJobProgress without its order: %d SQL statements", base)
	// The job's lock row with its order, then the job saved with its event
	// and the order's other jobs read; the order itself is not saved, its
	// lane does not change with the progress.
	if base > 2 {
		t.Fatalf("statements=%d, want at most 2", base)
	}

	for _, tc := range []struct {
		name, query string
		vars        map[string]any
		key         string // where the order is in the payload; "" when not selected
	}{
		{"Selected", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) {
			job { id progress } repairOrder { ...PO } userErrors { code message } } }` + payloadOrderFields, nil, "repairOrder"},
		{"Alias", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) {
			job { id progress } ro: repairOrder { ...PO } userErrors { code message } } }` + payloadOrderFields, nil, "ro"},
		{"FragmentSpread", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) { ...P } }
			fragment P on JobPayload { job { id progress } repairOrder { ...PO } userErrors { code message } }` + payloadOrderFields, nil, "repairOrder"},
		{"InlineFragment", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) {
			job { id } ... on JobPayload { repairOrder { ...PO } } userErrors { code } } }` + payloadOrderFields, nil, "repairOrder"},
		{"IncludeTrue", `mutation($in: ReportJobProgressInput!, $o: Boolean!) { reportJobProgress(input: $in) {
			job { id } repairOrder @include(if: $o) { ...PO } userErrors { code } } }` + payloadOrderFields, map[string]any{"o": true}, "repairOrder"},
		{"IncludeFalse", `mutation($in: ReportJobProgressInput!, $o: Boolean!) { reportJobProgress(input: $in) {
			job { id } repairOrder @include(if: $o) { ...PO } userErrors { code } } }` + payloadOrderFields, map[string]any{"o": false}, ""},
		{"Skip", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) {
			job { id } repairOrder @skip(if: true) { id } userErrors { code } } }`, nil, ""},
		{"TypenameOnly", `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) { __typename userErrors { code } } }`, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := map[string]any{"in": p.progress()}
			for k, v := range tc.vars {
				vars[k] = v
			}
			before := p.db.Statements()
			var data map[string]map[string]json.RawMessage
			p.must(t, tech, tc.query, vars, &data)
			pl := data["reportJobProgress"]
			if ues := payloadErrors(t, pl); len(ues) > 0 {
				t.Fatalf("userErrors=%+v, want none", ues)
			}
			if tc.key == "" {
				// Without the order, only the statements of the benchmark's query
				// (measured on the same data: the loaders below the order add their
				// own when it is selected).
				if n := p.db.Statements() - before; n != base {
					t.Fatalf("statements=%d, want %d (the order not read)", n, base)
				}
				if _, ok := pl["repairOrder"]; ok {
					t.Fatalf("payload=%s, want no repairOrder", pl)
				}
				return
			}
			got := canonical(t, pl[tc.key])
			if want := p.freshOrder(t, tech); got != want {
				t.Fatalf("repairOrder=%s\nwant the fresh read %s", got, want)
			}
		})
	}

	// The order's own read costs exactly one statement: with a selection that
	// needs no loader, one more than the benchmark's query.
	_, n := p.counted(t, tech, `mutation($in: ReportJobProgressInput!) { reportJobProgress(input: $in) {
		job { id progress } repairOrder { id state version stage signedBy } userErrors { code message } } }`, map[string]any{"in": p.progress()})
	t.Logf("reportJobProgress with its order: %d SQL statements", n)
	if n != base+1 {
		t.Fatalf("statements=%d, want %d (one to read the order)", n, base+1)
	}
}

// TestJobPayloadOrderAsFreshRead checks the order a job payload carries,
// when selected, for several job mutations and roles: after a change of the
// order's lane (pauseJob), with its personal data masked for roles that may
// not read it, and on CONFLICT, where the payload carries the job and its
// order as they stand.
func TestJobPayloadOrderAsFreshRead(t *testing.T) {
	t.Parallel()
	p := newPayloadEnv(t)
	f := p.f
	withOrder := `{ job { id state version progress } repairOrder { ...PO } userErrors { code field message } } }` + payloadOrderFields
	jobOnly := `{ job { id state version progress } userErrors { code field message } } }`
	run := func(t *testing.T, u *shop.User, name, input, sel string, in map[string]any) (map[string]json.RawMessage, int64) {
		t.Helper()
		data, n := p.counted(t, u, `mutation($in: `+input+`!) { `+name+`(input: $in) `+sel, map[string]any{"in": in})
		return data[name], n
	}

	t.Run("OK", func(t *testing.T) {
		other := gid(shop.TypeJob, int64(p.car.Jobs[1].ID))
		for _, tc := range []struct {
			u           *shop.User
			name, input string
			in          map[string]any
		}{
			{f.Tech, "reportJobProgress", "ReportJobProgressInput", map[string]any{"jobId": p.job, "progress": 40}},
			{f.Tech, "pauseJob", "PauseJobInput", map[string]any{"jobId": p.job, "reason": "WAITING_PARTS"}},
			{f.Tech, "resumeJob", "JobActionInput", map[string]any{"jobId": p.job}},
			{f.Foreman, "dispatchJob", "DispatchJobInput", map[string]any{"jobId": other, "technicianId": userID(f.Tech),
				"bayId": gid(shop.TypeBay, int64(f.Bay2.ID))}},
		} {
			pl, _ := run(t, tc.u, tc.name, tc.input, withOrder, tc.in)
			if ues := payloadErrors(t, pl); len(ues) > 0 {
				t.Fatalf("%s: userErrors=%+v, want none", tc.name, ues)
			}
			if got, want := canonical(t, pl["repairOrder"]), p.freshOrder(t, tc.u); got != want {
				t.Fatalf("%s: repairOrder=%s\nwant the fresh read %s", tc.name, got, want)
			}
			var o struct{ SignedBy string }
			_ = json.Unmarshal(pl["repairOrder"], &o)
			if o.SignedBy == "" || o.SignedBy == "黄先生" {
				t.Fatalf("%s as %s: signedBy=%q, want the customer's name masked", tc.name, tc.u.Role, o.SignedBy)
			}
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		stale := map[string]any{"jobId": p.job, "progress": 77, "expectedVersion": 0}
		full, _ := run(t, f.Tech, "reportJobProgress", "ReportJobProgressInput", withOrder, stale)
		if ues := payloadErrors(t, full); len(ues) != 1 || ues[0].Code != "CONFLICT" {
			t.Fatalf("userErrors=%+v, want one CONFLICT", ues)
		}
		if got, want := canonical(t, full["job"]), p.freshJob(t, f.Tech); got != want {
			t.Fatalf("job=%s, want the job as it stands %s", got, want)
		}
		if got, want := canonical(t, full["repairOrder"]), p.freshOrder(t, f.Tech); got != want {
			t.Fatalf("repairOrder=%s\nwant the fresh read %s", got, want)
		}
		// Counted with an order selection that needs no loader.
		_, nFull := run(t, f.Tech, "reportJobProgress", "ReportJobProgressInput",
			`{ job { id state version progress } repairOrder { id version signedBy } userErrors { code field message } } }`, stale)
		job, nJob := run(t, f.Tech, "reportJobProgress", "ReportJobProgressInput", jobOnly, stale)
		if got, want := canonical(t, job["job"]), p.freshJob(t, f.Tech); got != want {
			t.Fatalf("job=%s, want the job as it stands %s", got, want)
		}
		if _, ok := job["repairOrder"]; ok {
			t.Fatalf("payload=%s, want no repairOrder", job)
		}
		errs, nErrs := run(t, f.Tech, "reportJobProgress", "ReportJobProgressInput", `{ userErrors { code field message } } }`, stale)
		if ues := payloadErrors(t, errs); len(ues) != 1 || ues[0].Code != "CONFLICT" {
			t.Fatalf("userErrors=%+v, want one CONFLICT", ues)
		}
		t.Logf("reportJobProgress CONFLICT: %d statements with job and order, %d with the job, %d with userErrors only", nFull, nJob, nErrs)
		if nJob != nFull-1 || nErrs != nJob-1 {
			t.Fatalf("statements=%d, %d, %d, want one fewer without the order, one fewer again without the job", nFull, nJob, nErrs)
		}
	})
}

// TestAdditionalPayloadStatements: the additional-work payload reads its
// order only when selected, and it is then the order as a fresh read shows
// it, on success and on CONFLICT.
func TestAdditionalPayloadStatements(t *testing.T) {
	t.Parallel()
	p := newPayloadEnv(t)
	f := p.f
	const work = `{ additionalWork { id state version customerContact } `
	const errs = `userErrors { code field message } } }`
	orderID := gid(shop.TypeOrder, int64(p.car.Order.ID))
	request := func(t *testing.T, sel string) (map[string]json.RawMessage, int64) {
		t.Helper()
		data, n := p.counted(t, f.Tech, `mutation($in: RequestAdditionalWorkInput!) { requestAdditionalWork(input: $in) `+sel,
			map[string]any{"in": map[string]any{"orderId": orderID, "foundOnJobId": p.job, "description": "更换雨刮",
				"reason": "雨刮老化", "labourMinutes": 10, "extraMinutes": 10, "safety": false}})
		pl := data["requestAdditionalWork"]
		if ues := payloadErrors(t, pl); len(ues) > 0 {
			t.Fatalf("userErrors=%+v, want none", ues)
		}
		return pl, n
	}
	with, _ := request(t, work+`repairOrder { ...PO } `+errs+payloadOrderFields)
	if got, want := canonical(t, with["repairOrder"]), p.freshOrder(t, f.Tech); got != want {
		t.Fatalf("repairOrder=%s\nwant the fresh read %s", got, want)
	}
	// Counted with an order selection that needs no loader.
	_, nWith := request(t, work+`repairOrder { id state version signedBy } `+errs)
	without, nWithout := request(t, work+errs)
	if _, ok := without["repairOrder"]; ok {
		t.Fatalf("payload=%s, want no repairOrder", without)
	}
	t.Logf("requestAdditionalWork: %d statements with its order, %d without", nWith, nWithout)
	if nWithout != nWith-1 {
		t.Fatalf("statements=%d, want %d (the order not read)", nWithout, nWith-1)
	}

	// A decision on a stale version: the request as it stands, and its order.
	var w struct{ ID string }
	_ = json.Unmarshal(with["additionalWork"], &w)
	stale := map[string]any{"in": map[string]any{"additionalWorkId": w.ID, "expectedVersion": 0, "customerContact": "黄先生", "contactMethod": "PHONE"}}
	const approve = `mutation($in: DecideAdditionalWorkInput!) { approveAdditionalWork(input: $in) `
	data, _ := p.counted(t, f.Advisor, approve+work+`repairOrder { ...PO } `+errs+payloadOrderFields, stale)
	pl := data["approveAdditionalWork"]
	if ues := payloadErrors(t, pl); len(ues) != 1 || ues[0].Code != "CONFLICT" {
		t.Fatalf("userErrors=%+v, want one CONFLICT", ues)
	}
	if got, want := canonical(t, pl["repairOrder"]), p.freshOrder(t, f.Advisor); got != want {
		t.Fatalf("repairOrder=%s\nwant the fresh read %s", got, want)
	}
	var o struct{ SignedBy string }
	_ = json.Unmarshal(pl["repairOrder"], &o)
	if o.SignedBy != "黄先生" {
		t.Fatalf("signedBy=%q, want the name unmasked for an advisor", o.SignedBy)
	}
	_, nFull := p.counted(t, f.Advisor, approve+work+`repairOrder { id state } `+errs, stale)
	data, nWork := p.counted(t, f.Advisor, approve+work+errs, stale)
	if s := canonical(t, data["approveAdditionalWork"]["additionalWork"]); s == "null" {
		t.Fatalf("additionalWork=%s, want the request as it stands", s)
	}
	_, nErrs := p.counted(t, f.Advisor, approve+`{ `+errs, stale)
	t.Logf("approveAdditionalWork CONFLICT: %d statements with request and order, %d with the request, %d with userErrors only", nFull, nWork, nErrs)
	if nWork != nFull-1 || nErrs != nWork-1 {
		t.Fatalf("statements=%d, %d, %d, want one fewer without the order, one fewer again without the request", nFull, nWork, nErrs)
	}
}

// TestOrderPayloadConflictStatements: on CONFLICT an order payload reads
// the order as it stands only when the client selects it.
func TestOrderPayloadConflictStatements(t *testing.T) {
	t.Parallel()
	p := newPayloadEnv(t)
	stale := map[string]any{"in": map[string]any{"orderId": gid(shop.TypeOrder, int64(p.car.Order.ID)), "expectedVersion": 0, "findings": "x"}}
	const update = `mutation($in: UpdateRepairOrderInput!) { updateRepairOrder(input: $in) `
	data, _ := p.counted(t, p.f.Advisor, update+`{ repairOrder { ...PO } userErrors { code field message } } }`+payloadOrderFields, stale)
	pl := data["updateRepairOrder"]
	if ues := payloadErrors(t, pl); len(ues) != 1 || ues[0].Code != "CONFLICT" {
		t.Fatalf("userErrors=%+v, want one CONFLICT", ues)
	}
	if got, want := canonical(t, pl["repairOrder"]), p.freshOrder(t, p.f.Advisor); got != want {
		t.Fatalf("repairOrder=%s\nwant the fresh read %s", got, want)
	}
	_, nWith := p.counted(t, p.f.Advisor, update+`{ repairOrder { id version signedBy } userErrors { code } } }`, stale)
	_, nWithout := p.counted(t, p.f.Advisor, update+`{ userErrors { code } } }`, stale)
	t.Logf("updateRepairOrder CONFLICT: %d statements with the order, %d without", nWith, nWithout)
	if nWithout != nWith-1 {
		t.Fatalf("statements=%d, want %d (the order not read)", nWithout, nWith-1)
	}
}
