package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// siteCapacity reads what capacity needs at now and lets
// shop.ComputeCapacity decide: the technicians on today's rota (every
// active one when nobody has a rota entry today) with their skills, the
// remaining minutes of the open jobs by the skill they need, and the
// appointments still expected today. Three statements.
func siteCapacity(ctx context.Context, q queryer, site shop.SiteID, now time.Time) (shop.WorkshopCapacity, error) {
	var s struct {
		TimeZone        string
		OpensAt         int
		ClosesAt        int
		Appointments    int
		ExpectedMinutes *int
	}
	// The site's local day is known only once its zone is: the appointments
	// of the day are counted with the zone in SQL.
	if err := q.GetContext(ctx, &s, `
		SELECT s.time_zone, s.opens_at, s.closes_at,
			(SELECT count(*) FROM appointments a WHERE a.site_id = s.id AND a.state = 'BOOKED'
			   AND (a.scheduled_at AT TIME ZONE s.time_zone)::DATE = ($2::TIMESTAMPTZ AT TIME ZONE s.time_zone)::DATE) AS appointments,
			(SELECT expected_minutes FROM appointment_capacity WHERE site_id = s.id) AS expected_minutes
		FROM sites s WHERE s.id = $1`, site, now); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	loc := shop.Zone(s.TimeZone)
	today := shop.LocalDate(now, loc)
	var techs []struct {
		UserID    shop.UserID
		Kind      *shop.ShiftKind
		StartsAt  *int
		EndsAt    *int
		Skills    pq.StringArray
		RotaKnown bool
	}
	if err := q.SelectContext(ctx, &techs, `
		SELECT u.id AS user_id, sh.kind, sh.starts_at, sh.ends_at,
			COALESCE((SELECT array_agg(k.skill ORDER BY k.skill) FROM user_skills k WHERE k.user_id = u.id), '{}') AS skills,
			EXISTS (SELECT 1 FROM shifts WHERE site_id = $1 AND day = $2) AS rota_known
		FROM users u JOIN user_sites us ON us.user_id = u.id
		LEFT JOIN shifts sh ON sh.user_id = u.id AND sh.site_id = $1 AND sh.day = $2
		WHERE us.site_id = $1 AND u.role = 'TECHNICIAN' AND u.active ORDER BY u.id`, site, today); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	var booked []shop.BookedWork
	if err := q.SelectContext(ctx, &booked, `
		SELECT COALESCE(j.required_skill, '') AS skill,
			sum(CASE WHEN j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'PENDING_APPROVAL') THEN j.labour_minutes
			         ELSE j.labour_minutes * (100 - j.progress) / 100 END) AS minutes
		FROM jobs j JOIN repair_orders o ON o.id = j.order_id
		WHERE o.site_id = $1 AND o.state IN ('SIGNED', 'IN_WORK')
		  AND j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'IN_PROGRESS', 'PAUSED', 'REWORK')
		GROUP BY 1 ORDER BY 1`, site); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	rotaKnown := len(techs) > 0 && techs[0].RotaKnown
	var all, onShift []shop.OnShift
	for _, t := range techs {
		all = append(all, shop.OnShift{UserID: t.UserID, Skills: []string(t.Skills)})
		if t.Kind != nil && *t.Kind == shop.ShiftWork {
			onShift = append(onShift, shop.OnShift{UserID: t.UserID, StartsAt: *t.StartsAt, EndsAt: *t.EndsAt, Skills: []string(t.Skills)})
		}
	}
	if !rotaKnown {
		onShift = shop.AssumedShifts(all, s.OpensAt, s.ClosesAt)
	}
	expected := shop.DefaultAppointmentCapacity.ExpectedMinutes
	if s.ExpectedMinutes != nil {
		expected = *s.ExpectedMinutes
	}
	// Opening hours: the site's OpensAt/ClosesAt today; per-weekday hours
	// (Site.HoursOn) pass their (opens, closes) here instead.
	return shop.ComputeCapacity(s.OpensAt, s.ClosesAt, shop.MinuteOfDay(now, loc), rotaKnown, onShift, booked, s.Appointments*expected), nil
}

// newCapacity is the Capacity answer for a computed capacity at now.
func newCapacity(c shop.WorkshopCapacity, now time.Time) *Capacity {
	return &Capacity{Technicians: c.Technicians, BacklogMinutes: c.BookedMinutes, FreeLabourMinutes: c.FreeMinutes, At: now, Detail: c}
}
