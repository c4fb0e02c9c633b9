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
	if err := d.reportTime(ctx, r); err != nil {
		return nil, translate(err)
	}
	if err := d.reportParts(ctx, r, s.Location()); err != nil {
		return nil, translate(err)
	}
	return r, nil
}

// reportTime adds the figures of time to report r: follow-up tasks closed
// as MISSED, hours sold and clocked per advisor and per technician (jobs of
// billable states on the orders settled in the period), and the repeat
// repairs (shop.RepeatRepairs over the visits of the period and the 30 days
// before it). Four statements.
func (d *DB) reportTime(ctx context.Context, r *shop.Report) error {
	var m struct{ Callbacks, Reminders, Appointments int }
	if err := d.db.GetContext(ctx, &m, `
		SELECT
			(SELECT count(*) FROM callbacks WHERE site_id = $1 AND state = 'MISSED' AND done_at >= $2 AND done_at < $3) AS callbacks,
			(SELECT count(*) FROM reminders WHERE site_id = $1 AND missed_at >= $2 AND missed_at < $3) AS reminders,
			(SELECT count(*) FROM appointment_reminders WHERE site_id = $1 AND state = 'MISSED' AND done_at >= $2 AND done_at < $3) AS appointments`,
		r.SiteID, r.From, r.To); err != nil {
		return err
	}
	r.CallbacksMissed, r.RemindersMissed, r.AppointmentRemindersMissed = m.Callbacks, m.Reminders, m.Appointments
	r.Advisors, r.Technicians = []shop.PersonFigures{}, []shop.PersonFigures{}
	if err := d.db.SelectContext(ctx, &r.Advisors, `
		WITH s AS (
			SELECT st.order_id, st.total, o.advisor_id FROM settlements st JOIN repair_orders o ON o.id = st.order_id
			WHERE st.site_id = $1 AND st.settled_at >= $2 AND st.settled_at < $3),
		j AS (
			SELECT order_id, count(*) AS jobs, sum(labour_minutes) AS sold, sum(worked_minutes) AS clocked FROM jobs
			WHERE order_id IN (SELECT order_id FROM s) AND state = ANY($4) GROUP BY order_id)
		SELECT s.advisor_id AS user_id, u.name, count(*) AS orders, COALESCE(sum(j.jobs), 0) AS jobs,
			COALESCE(sum(j.sold), 0) AS minutes_sold, COALESCE(sum(j.clocked), 0) AS minutes_clocked, sum(s.total) AS revenue
		FROM s JOIN users u ON u.id = s.advisor_id LEFT JOIN j ON j.order_id = s.order_id
		GROUP BY s.advisor_id, u.name ORDER BY u.name, s.advisor_id`,
		r.SiteID, r.From, r.To, pq.Array(shop.BillableJobStates())); err != nil {
		return err
	}
	if err := d.db.SelectContext(ctx, &r.Technicians, `
		SELECT j.technician_id AS user_id, u.name, count(DISTINCT j.order_id) AS orders, count(*) AS jobs,
			sum(j.labour_minutes) AS minutes_sold, sum(j.worked_minutes) AS minutes_clocked, 0 AS revenue
		FROM jobs j JOIN settlements st ON st.order_id = j.order_id JOIN users u ON u.id = j.technician_id
		WHERE st.site_id = $1 AND st.settled_at >= $2 AND st.settled_at < $3 AND j.state = ANY($4)
		GROUP BY j.technician_id, u.name ORDER BY u.name, j.technician_id`,
		r.SiteID, r.From, r.To, pq.Array(shop.BillableJobStates())); err != nil {
		return err
	}
	var visits []shop.VisitComplaint
	if err := d.db.SelectContext(ctx, &visits, `
		SELECT id AS visit_id, vehicle_id, received_at, complaint FROM visits
		WHERE site_id = $1 AND received_at >= $2 AND received_at < $3 AND complaint <> ''
		ORDER BY received_at, id`, r.SiteID, r.From.Add(-shop.RepeatRepairDays*24*time.Hour), r.To); err != nil {
		return err
	}
	r.RepeatRepairs = shop.RepeatRepairs(visits, r.From, r.To)
	if r.RepeatRepairs == nil {
		r.RepeatRepairs = []shop.RepeatRepair{}
	}
	return nil
}

// FindReportCSV returns one report of a site for the period containing
// local day day as CSV text (shop.CSV): SERVICE (one figure a row),
// ADVISORS, TECHNICIANS or REPEAT_REPAIRS. Errors: INVALID (report,
// period), NOT_FOUND, FORBIDDEN.
func (d *DB) FindReportCSV(ctx context.Context, site shop.SiteID, name shop.ReportName, period shop.Period, day time.Time) (string, error) {
	if err := shop.ValidReportName(name); err != nil {
		return "", err
	}
	r, err := d.FindReport(ctx, site, period, day)
	if err != nil {
		return "", err
	}
	switch name {
	case shop.ReportAdvisors:
		return shop.PeopleCSV(r.Advisors), nil
	case shop.ReportTechnicians:
		return shop.PeopleCSV(r.Technicians), nil
	case shop.ReportRepeatRepairs:
		return shop.RepeatRepairsCSV(r.RepeatRepairs), nil
	}
	return shop.ServiceReportCSV(r), nil
}
