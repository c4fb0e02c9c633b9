package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// FindReport computes a site's business statistics (业务统计) for the period
// containing local day day, in the site's time zone, from the records: one
// statement, counting by shop's rules (labour sold of billable jobs, a
// satisfied score from shop.SatisfiedFrom). Errors: INVALID (period), NOT_FOUND, FORBIDDEN.
func (d *DB) FindReport(ctx context.Context, site shop.SiteID, period shop.Period, day time.Time) (*shop.Report, error) {
	s, err := d.siteDay(ctx, site, shop.ActReport)
	if err != nil {
		return nil, err
	}
	from, to, err := shop.PeriodBounds(period, day, s.Location())
	if err != nil {
		return nil, err
	}
	r := &shop.Report{SiteID: site, Period: period, From: from, To: to,
		Received: map[shop.WorkType]int{}, Delivered: map[shop.WorkType]int{}, ByPayer: map[shop.Payer]shop.Money{}}
	var byType []struct {
		Kind     string
		WorkType shop.WorkType
		N        int
	}
	if err := d.db.SelectContext(ctx, &byType, `
		SELECT 'received' AS kind, o.work_type, count(*) AS n
		FROM repair_orders o JOIN visits v ON v.id = o.visit_id
		WHERE o.site_id = $1 AND o.state <> 'CANCELLED' AND v.received_at >= $2 AND v.received_at < $3
		GROUP BY o.work_type
		UNION ALL
		SELECT 'delivered', work_type, count(*) FROM repair_orders
		WHERE site_id = $1 AND delivered_at >= $2 AND delivered_at < $3
		GROUP BY work_type`, site, from, to); err != nil {
		return nil, translate(err)
	}
	for _, t := range byType {
		if t.Kind == "received" {
			r.Received[t.WorkType] = t.N
		} else {
			r.Delivered[t.WorkType] = t.N
		}
	}
	var f struct {
		Labour, Parts, Total, Customer, Warranty, Insurer, Internal shop.Money
		Minutes, Promised, OnTime, Inspections, Failed              int
		Finished, Reached, SatSum, Satisfied, Opened, Closed        int
	}
	if err := d.db.GetContext(ctx, &f, `
		SELECT
			COALESCE(sum(st.labour), 0) AS labour, COALESCE(sum(st.parts), 0) AS parts, COALESCE(sum(st.total), 0) AS total,
			COALESCE(sum(st.customer_share), 0) AS customer, COALESCE(sum(st.warranty_share), 0) AS warranty,
			COALESCE(sum(st.insurer_share), 0) AS insurer, COALESCE(sum(st.internal_share), 0) AS internal,
			(SELECT COALESCE(sum(j.labour_minutes), 0) FROM jobs j JOIN settlements s2 ON s2.order_id = j.order_id
			 WHERE s2.site_id = $1 AND s2.settled_at >= $2 AND s2.settled_at < $3
			   AND j.state = ANY($4)) AS minutes,
			(SELECT count(*) FROM repair_orders WHERE site_id = $1 AND delivered_at >= $2 AND delivered_at < $3
			   AND promised_at IS NOT NULL) AS promised,
			(SELECT count(*) FROM repair_orders WHERE site_id = $1 AND delivered_at >= $2 AND delivered_at < $3
			   AND promised_at IS NOT NULL AND ready_at <= promised_at) AS on_time,
			(SELECT count(*) FROM checks WHERE site_id = $1 AND kind = 'FINAL' AND checked_at >= $2 AND checked_at < $3) AS inspections,
			(SELECT count(*) FROM checks WHERE site_id = $1 AND kind = 'FINAL' AND NOT passed AND checked_at >= $2 AND checked_at < $3) AS failed,
			(SELECT count(*) FROM callbacks WHERE site_id = $1 AND state IN ('DONE', 'UNREACHABLE') AND done_at >= $2 AND done_at < $3) AS finished,
			(SELECT count(*) FROM callbacks WHERE site_id = $1 AND state = 'DONE' AND done_at >= $2 AND done_at < $3) AS reached,
			(SELECT COALESCE(sum(satisfaction), 0) FROM callbacks WHERE site_id = $1 AND state = 'DONE' AND done_at >= $2 AND done_at < $3) AS sat_sum,
			(SELECT count(*) FROM callbacks WHERE site_id = $1 AND state = 'DONE' AND satisfaction >= $5 AND done_at >= $2 AND done_at < $3) AS satisfied,
			(SELECT count(*) FROM complaints WHERE site_id = $1 AND opened_at >= $2 AND opened_at < $3) AS opened,
			(SELECT count(*) FROM complaints WHERE site_id = $1 AND closed_at >= $2 AND closed_at < $3) AS closed
		FROM settlements st WHERE st.site_id = $1 AND st.settled_at >= $2 AND st.settled_at < $3`,
		site, from, to, pq.Array(shop.BillableJobStates()), shop.SatisfiedFrom); err != nil {
		return nil, translate(err)
	}
	r.Labour, r.Parts, r.Total = f.Labour, f.Parts, f.Total
	r.ByPayer[shop.PayerCustomer], r.ByPayer[shop.PayerWarranty] = f.Customer, f.Warranty
	r.ByPayer[shop.PayerInsurer], r.ByPayer[shop.PayerInternal] = f.Insurer, f.Internal
	r.LabourMinutesSold, r.DeliveriesPromised, r.DeliveriesOnTime = f.Minutes, f.Promised, f.OnTime
	r.Inspections, r.FailedInspections = f.Inspections, f.Failed
	r.CallbacksFinished, r.CallbacksReached, r.SatisfactionSum, r.CallbacksSatisfied = f.Finished, f.Reached, f.SatSum, f.Satisfied
	r.ComplaintsOpened, r.ComplaintsClosed = f.Opened, f.Closed
	return r, nil
}
