package graph_test

import (
	"testing"
	"time"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestReportPartsAndReceivablesGraphQL: the report carries the parts
// figures and what each payer owes, youngest bucket first.
func TestReportPartsAndReceivablesGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	e.db.Now = func() time.Time { return now }
	c := e.f.MustCar(t, e.db, shop.OrderReady, storetest.CarOptions{Jobs: 1, Payers: []shop.Payer{shop.PayerInsurer}})
	ref := "PICC-9"
	if _, err := e.db.SettleRepairOrder(storetest.Ctx(e.f.Cashier), store.SettleRepairOrderInput{OrderID: c.Order.ID, AssessmentReference: &ref}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	const q = `query($site: ID!) { serviceReport(siteId: $site, period: DAY) {
		partsFigures { issuedCost { amount } turnover linesIssued fillRate margin { revenue { amount } cost { amount } } }
		receivables { payer total { amount } count buckets { bucket amount { amount } } } } }`
	var r struct {
		ServiceReport struct {
			PartsFigures struct {
				IssuedCost  struct{ Amount string }
				Turnover    *float64
				LinesIssued int
				FillRate    *float64
				Margin      struct{ Revenue, Cost struct{ Amount string } }
			}
			Receivables []struct {
				Payer   string
				Total   struct{ Amount string }
				Count   int
				Buckets []struct {
					Bucket string
					Amount struct{ Amount string }
				}
			}
		}
	}
	e.must(t, e.f.Manager, q, map[string]any{"site": gid(shop.TypeSite, int64(e.f.Site.ID))}, &r)
	p, rs := r.ServiceReport.PartsFigures, r.ServiceReport.Receivables
	// The car's parts are bought in for the job (no stock): billed, no cost, no stock figures.
	if p.IssuedCost.Amount != "0.00" || p.Turnover != nil || p.LinesIssued != 0 || p.FillRate != nil ||
		p.Margin.Revenue.Amount != "24.68" || p.Margin.Cost.Amount != "0.00" {
		t.Fatalf("parts=%+v", p)
	}
	if len(rs) != 3 || rs[0].Payer != "INSURER" || rs[0].Total.Amount != "324.68" || rs[0].Count != 1 ||
		len(rs[0].Buckets) != 4 || rs[0].Buckets[0].Bucket != "DAYS_0_30" || rs[0].Buckets[0].Amount.Amount != "324.68" ||
		rs[1].Payer != "WARRANTY" || rs[1].Total.Amount != "0.00" {
		t.Fatalf("receivables=%+v", rs)
	}
}
