package graph_test

import (
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bayboard/api"
	"bayboard/graph"
	"bayboard/shop"
	"bayboard/store/storetest"
)

// TestDirectListsAsGeneric: the board's cards and a history's repair
// orders written by directLists (render.go) are byte for byte what gqlgen's
// generic execution writes, for every field, aliases, fragments (on the
// type and on Node), @skip and @include, __typename, odd strings, blockers
// and missing times, and a selection directLists leaves to gqlgen. And
// they do take that path: the board reads the clock once for the whole
// list (the generic resolvers of late and minutesLate read it per card),
// and the history allocates a fraction of what the generic execution does.
func TestDirectListsAsGeneric(t *testing.T) {
	e := newEnv(t)
	var reads atomic.Int64
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { reads.Add(1); return now }
	e.db.TokenCacheTTL = time.Hour
	inWork := e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 3, Wash: true})
	e.f.MustCar(t, e.db, shop.OrderInWork, storetest.CarOptions{Jobs: 1, Extra: true})
	e.f.MustCar(t, e.db, shop.OrderQC, storetest.CarOptions{Jobs: 2})
	e.f.MustCar(t, e.db, shop.OrderReady, storetest.CarOptions{Jobs: 1, Wash: true})
	e.f.MustCar(t, e.db, shop.OrderWash, storetest.CarOptions{Jobs: 1})

	// Strings that need escaping, blockers, a car promised earlier (late)
	// and one without a promised time.
	raw, err := sql.Open("postgres", e.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`UPDATE jobs SET description = E'brake "pads" \\ left\nright\ttab\x01\x1f end 检查', state = 'PENDING_APPROVAL' WHERE id = ` + id(inWork.Jobs[0].ID),
		`UPDATE jobs SET state = 'REWORK', rework_count = 1 WHERE id = ` + id(inWork.Jobs[1].ID),
		`UPDATE jobs SET state = 'PAUSED', pause_reason = 'WAITING_PARTS' WHERE id = ` + id(inWork.Jobs[2].ID),
		`UPDATE vehicles SET colour = E'dark \\ "blue"\r' WHERE id = ` + id(inWork.Vehicle),
		`UPDATE repair_orders SET promised_at = '2026-11-24 08:10:00.123456+00' WHERE id = ` + id(inWork.Order.ID),
		`UPDATE repair_orders SET promised_at = NULL WHERE state = 'QC'`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	genericOpts, genericSchema := api.DefaultOptions, graph.GenericLists(graph.NewSchema(e.db, nil))
	genericOpts.Schema = &genericSchema
	generic := api.WithRequestID(api.Authenticate(e.db, api.NewServer(e.db, slog.New(slog.DiscardHandler), genericOpts)))
	token := e.tokens[e.f.Board.ID]
	site := gid(shop.TypeSite, int64(e.f.Site.ID))
	post := func(h http.Handler, query string, vars map[string]any) (string, int64) {
		t.Helper()
		if vars == nil {
			vars = map[string]any{}
		}
		if _, ok := vars["id"]; !ok {
			vars["s"] = site
		}
		body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		req := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		before := reads.Load()
		h.ServeHTTP(w, req)
		b, _ := io.ReadAll(w.Result().Body)
		if w.Code != http.StatusOK {
			t.Fatalf("status %d: %s", w.Code, b)
		}
		return string(b), reads.Load() - before
	}

	all := `__typename orderId number state stage stageSince priority plate make model colour advisor technicians bays
		promisedAt readyAt notifyBy late minutesLate blockers progress jobsDone jobsTotal reworkCount washRequested
		jobs { __typename jobId description state technician bay progress safety }`
	cases := []struct {
		name, query string
		vars        map[string]any
	}{
		{"every field", `query($s: ID!) { board(siteId: $s) { cursor at lateCount cards { ` + all + ` } } }`, nil},
		{"fields in another order", `query($s: ID!) { board(siteId: $s) { cards { jobs { safety progress bay technician state description jobId }
			washRequested reworkCount jobsTotal jobsDone progress blockers minutesLate late notifyBy readyAt promisedAt bays technicians
			advisor colour model make plate priority stageSince stage state number orderId } } }`, nil},
		{"aliases, fragments, directives", `query($s: ID!, $inc: Boolean!, $skip: Boolean!) { board(siteId: $s) { cards {
			...F a: plate n: number ... on BoardCard { stage late } jobs @include(if: $inc) { jobId } plate @skip(if: $skip)
			j2: jobs { state progress description } number t: __typename ... @include(if: $skip) { bays } } } }
			fragment F on BoardCard { jobs { bay technician safety } orderId x: orderId }`, map[string]any{"inc": true, "skip": false}},
		{"the other branches", `query($s: ID!, $inc: Boolean!, $skip: Boolean!) { board(siteId: $s) { cards {
			jobs @include(if: $inc) { jobId } plate @skip(if: $skip) ... @include(if: $skip) { bays colour } } } }`, map[string]any{"inc": false, "skip": true}},
		{"one field", `query($s: ID!) { board(siteId: $s) { cards { late } } }`, nil},
	}
	for _, c := range cases {
		fast, fastReads := post(e.h, c.query, c.vars)
		slow, slowReads := post(generic, c.query, c.vars)
		if fast != slow {
			t.Errorf("%s:\ndirectLists %s\ngeneric     %s", c.name, fast, slow)
		}
		if strings.Contains(fast, `"errors"`) || !strings.Contains(fast, `"cards":[{`) {
			t.Errorf("%s: %s", c.name, fast)
		}
		if c.name == "one field" && (fastReads != 2 || slowReads != 1+5) {
			t.Errorf("clock reads: %d through boardCards, %d generic; want 2 (the snapshot's and the list's) and 6 (one per card)", fastReads, slowReads)
		}
	}
	historyAsGeneric(t, e, generic, post)
	for _, want := range []string{`"APPROVAL_PENDING"`, `"WAITING_PARTS"`, `"QC_FAILED"`, `\"pads\" \\ left\nright\ttab\u0001\u001F end`,
		`"promisedAt":null`, `"late":true`, `"2026-11-24T08:10:00.123456Z"`} {
		if out, _ := post(e.h, cases[0].query, nil); !strings.Contains(out, want) {
			t.Errorf("the board lacks %s: %s", want, out)
		}
	}
}

// history runs TestDirectListsAsGeneric's history half: the orders of a
// customer's visits.
func historyAsGeneric(t *testing.T, e *env, generic http.Handler, post func(http.Handler, string, map[string]any) (string, int64)) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	first := e.f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 3, Extra: true})
	for _, st := range []shop.OrderState{shop.OrderInWork, shop.OrderReady, shop.OrderCancelled} {
		now = now.Add(24 * time.Hour)
		e.f.MustCar(t, e.db, st, storetest.CarOptions{Jobs: 2, Customer: first.Customer, Vehicle: first.Vehicle})
	}
	cust := map[string]any{"id": gid(shop.TypeCustomer, int64(first.Customer))}
	order := `__typename id number state workType priority findings underWarranty washRequested paymentMethod oldParts insuranceClaim
		insurerName assessmentReference promisedAt estimatedAt signedAt signedBy handedOverAt qcPassedAt readyAt notifyBy settledAt
		deliveredAt cancelledAt cancelReason reworkCount stage stageSince version createdAt updatedAt
		jobs { __typename id description state labourMinutes payer additional safety progress partsShort pauseReason pauseNote
			reworkCount reworkReason dispatchedAt startedAt finishedAt workedMinutes version }
		partLines { __typename id partNumber description quantity payer additional }`
	history := func(sel string, fragments ...string) string {
		return `query($id: ID!) { customer(id: $id) { id visits(first: 50) { edges { node { id repairOrders { ` + sel + ` } } } } } } ` +
			strings.Join(fragments, " ")
	}
	visit := `__typename id receivedAt mileage fuelLevel belongings keyTag complaint walkaroundSigned deliveredAt exitPass nextServiceKm version`
	cases := []struct {
		name, query string
		orders      int // lists of orders in the answer ("repairOrders" or "o")
	}{
		{"every field", history(order), 4},
		{"fragments, aliases", history(`... on Node { id } n: number ...O j: jobs { id } jobs { state }
			partLines @skip(if: false) { ... on Node { __typename id } quantity } s: state`, `fragment O on RepairOrder { id state stageSince }`), 4},
		{"the whole page of visits", `query($id: ID!) { customer(id: $id) { id visits(first: 50) { __typename totalCount
			pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor } edges { __typename cursor node { ` + visit +
			` repairOrders { ` + order + ` } } } } } }`, 4},
		{"a short page, fragments", `query($id: ID!) { customer(id: $id) { visits(first: 2) { p: pageInfo { endCursor hasNextPage }
			edges { ... on VisitEdge { node { ...V o: repairOrders { id } } } c: cursor } t: totalCount } } }
			fragment V on Visit { ... on Node { id } mileage repairOrders { jobs { id } } }`, 4},
		{"a visit's vehicle, left to gqlgen", `query($id: ID!) { customer(id: $id) { visits(first: 50) { edges { node { id vehicle { plate }
			repairOrders { id state jobs { id } } } } } } }`, 4},
		{"left to gqlgen", history(`id number bill { total { amount } } jobs { id }`), 4},
		{"a job's own lists, left to gqlgen", history(`id jobs { id partLines { id } }`), 4},
		{"vehicles", `query($id: ID!) { customer(id: $id) { vehicles { __typename id plate vin make model year colour mileage version
			... on Node { id } p: plate } visits(first: 1) { edges { node { repairOrders { id } } } } } }`, 1},
		{"vehicles with their customer, left to gqlgen", `query($id: ID!) { customer(id: $id) { vehicles { id customer { id } }
			visits(first: 1) { edges { node { repairOrders { id } } } } } }`, 1},
	}
	for _, c := range cases {
		fast, _ := post(e.h, c.query, cust)
		slow, _ := post(generic, c.query, cust)
		if fast != slow {
			t.Errorf("history, %s:\ndirectLists %s\ngeneric     %s", c.name, fast, slow)
		}
		if strings.Contains(fast, `"errors"`) || strings.Count(fast, `"repairOrders":[{`)+strings.Count(fast, `"o":[{`) != c.orders {
			t.Errorf("history, %s: %s", c.name, fast)
		}
	}
	allocs := func(h http.Handler) float64 {
		return testing.AllocsPerRun(5, func() { post(h, cases[0].query, cust) })
	}
	if fast, slow := allocs(e.h), allocs(generic); fast > slow*0.7 {
		t.Errorf("history allocations: %.0f through directLists, %.0f generic; want well under", fast, slow)
	}
}

func id[T ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }
