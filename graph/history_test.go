package graph_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store/storetest"
)

// historyQuery is the advisor's "show me everything about this customer".
const historyQuery = `query History($id: ID!) {
  customer(id: $id) {
    id name phone
    vehicles { id plate vin make model mileage }
    visits(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id receivedAt mileage complaint
        vehicle { plate }
        advisor { id name }
        repairOrders {
          id number state promisedAt
          jobs { id description state labourPrice { amount } technician { id name } bay { code } }
          partLines { id partNumber quantity total { amount } }
          additionalWork { id state total { amount } requestedBy { id } decidedBy { id } }
          checks { kind passed checkedBy { id name } }
          settlement { total { amount } customerShare { amount } settledBy { id } }
          bill { labour { amount } parts { amount } total { amount } customerShare { amount } }
        }
      } }
    }
  }
}`

// maxHistoryStatements bounds the SQL statements of one history query: the
// token lookup, the customer, the customer's vehicles, the first page of
// visits with their count, then one statement per kind of record below the
// page (the visits' vehicles, orders, jobs, part lines, additional work,
// checks, settlements, staff and bays).
const maxHistoryStatements = 13

// TestHistoryStatementCount runs the customer-history query for a customer
// with 3 visits and one with 15 (each visit with an order of several jobs,
// parts, additional work, checks and a settlement): the number of SQL
// statements must not depend on the number of visits.
func TestHistoryStatementCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := e.f
	now := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	customer := func(visits int) shop.CustomerID {
		first := f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 3, Extra: true})
		for range visits - 1 {
			now = now.Add(24 * time.Hour)
			f.MustCar(t, e.db, shop.OrderDelivered, storetest.CarOptions{Jobs: 3, Extra: true, Customer: first.Customer, Vehicle: first.Vehicle})
		}
		return first.Customer
	}
	few, many := customer(3), customer(15)

	type history struct {
		Customer struct {
			Visits struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						RepairOrders []struct {
							Jobs []struct {
								Technician *struct{ ID string }
								Bay        *struct{ Code string }
							}
							PartLines, AdditionalWork, Checks []struct{}
							Settlement                        *struct{}
						}
					}
				}
			}
		}
	}
	count := func(id shop.CustomerID, visits int) int64 {
		t.Helper()
		var out history
		before := e.db.Statements()
		e.must(t, f.Advisor, historyQuery, map[string]any{"id": gid(shop.TypeCustomer, int64(id))}, &out)
		n := e.db.Statements() - before
		v := out.Customer.Visits
		if v.TotalCount != visits || len(v.Edges) != visits {
			t.Fatalf("visits=%d of %d, want %d", len(v.Edges), v.TotalCount, visits)
		}
		for _, ed := range v.Edges {
			o := ed.Node.RepairOrders
			if len(o) != 1 || len(o[0].Jobs) != 4 || len(o[0].PartLines) != 3 || len(o[0].AdditionalWork) != 1 ||
				len(o[0].Checks) != 9 || o[0].Settlement == nil || o[0].Jobs[0].Technician == nil || o[0].Jobs[0].Bay == nil {
				t.Fatalf("visit=%+v, want one order with 4 jobs (technician, bay), 3 part lines, 1 additional work, 9 checks, a settlement", ed.Node)
			}
		}
		return n
	}
	// Run each a few times: batching must not depend on timing either.
	var counts []int64
	for range 3 {
		counts = append(counts, count(few, 3), count(many, 15))
	}
	assertSameBoundedCount(t, "history query", "3 visits", "15 visits", counts, maxHistoryStatements)
}

// assertSameBoundedCount checks statement counts measured alternately for a
// small and a large case: all equal (no growth with the data) and within bound.
func assertSameBoundedCount(t *testing.T, what, small, large string, counts []int64, bound int64) {
	t.Helper()
	t.Logf("%s: %d SQL statements for %s, %d for %s (bound %d)", what, counts[0], small, counts[1], large, bound)
	for _, n := range counts {
		if n != counts[0] {
			t.Fatalf("statements=%v, want the same count for %s and %s", counts, small, large)
		}
	}
	if counts[0] > bound {
		t.Fatalf("statements=%d, want at most %d", counts[0], bound)
	}
}
