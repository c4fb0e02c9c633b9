package store

import (
	"context"
	"encoding/json"
	"time"

	"bayboard/shop"
)

// siteCapacity reads what capacity needs at now, in one statement (the
// board reads it on every snapshot), and lets shop.ComputeCapacity decide:
// the active technicians with today's rota entry and their skills, whether
// anyone has a rota entry today, the remaining minutes of the open jobs by
// the skill they need, and the appointments still expected today. "Today"
// is the site's local day, which only the statement knows before it runs.
func siteCapacity(ctx context.Context, q queryer, site shop.SiteID, now time.Time) (shop.WorkshopCapacity, error) {
	var row struct {
		TimeZone        string
		OpensAt         int
		ClosesAt        int
		Appointments    int
		ExpectedMinutes *int
		RotaKnown       bool
		ClosedToday     bool
		Hours           []byte
		Techs           []byte
		Booked          []byte
	}
	if err := q.GetContext(ctx, &row, `
		SELECT s.time_zone, s.opens_at, s.closes_at,
			(SELECT count(*) FROM appointments a WHERE a.site_id = s.id AND a.state = 'BOOKED'
			   AND (a.scheduled_at AT TIME ZONE s.time_zone)::DATE = d.day) AS appointments,
			(SELECT expected_minutes FROM appointment_capacity WHERE site_id = s.id) AS expected_minutes,
			EXISTS (SELECT 1 FROM shifts WHERE site_id = s.id AND day = d.day) AS rota_known,
			EXISTS (SELECT 1 FROM site_closed_days c WHERE c.site_id = s.id AND c.day = d.day) AS closed_today,
			COALESCE((SELECT json_agg(json_build_object('weekday', h.weekday, 'closed', h.closed, 'opensAt', h.opens_at, 'closesAt', h.closes_at))
			  FROM site_hours h WHERE h.site_id = s.id), '[]') AS hours,
			COALESCE((SELECT json_agg(json_build_object('userId', u.id, 'kind', sh.kind, 'startsAt', sh.starts_at, 'endsAt', sh.ends_at,
				'skills', COALESCE((SELECT array_agg(k.skill ORDER BY k.skill) FROM user_skills k WHERE k.user_id = u.id), '{}')) ORDER BY u.id)
			  FROM users u JOIN user_sites us ON us.user_id = u.id
			  LEFT JOIN shifts sh ON sh.user_id = u.id AND sh.site_id = s.id AND sh.day = d.day
			  WHERE us.site_id = s.id AND u.role = 'TECHNICIAN' AND u.active), '[]') AS techs,
			COALESCE((SELECT json_agg(json_build_object('skill', b.skill, 'minutes', b.minutes) ORDER BY b.skill) FROM (
				SELECT COALESCE(j.required_skill, '') AS skill,
					sum(CASE WHEN j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'PENDING_APPROVAL') THEN j.labour_minutes
					         ELSE j.labour_minutes * (100 - j.progress) / 100 END) AS minutes
				FROM jobs j JOIN repair_orders o ON o.id = j.order_id
				WHERE o.site_id = s.id AND o.state IN ('SIGNED', 'IN_WORK')
				  AND j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'IN_PROGRESS', 'PAUSED', 'REWORK')
				GROUP BY 1) b), '[]') AS booked
		FROM sites s CROSS JOIN LATERAL (SELECT ($2::TIMESTAMPTZ AT TIME ZONE s.time_zone)::DATE AS day) d
		WHERE s.id = $1`, site, now); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	var techs []struct {
		UserID   shop.UserID     `json:"userId"`
		Kind     *shop.ShiftKind `json:"kind"`
		StartsAt *int            `json:"startsAt"`
		EndsAt   *int            `json:"endsAt"`
		Skills   []string        `json:"skills"`
	}
	var booked []shop.BookedWork
	hours := shop.Site{TimeZone: row.TimeZone, OpensAt: row.OpensAt, ClosesAt: row.ClosesAt}
	if err := json.Unmarshal(row.Hours, &hours.Hours); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	if row.ClosedToday {
		hours.ClosedDays = []shop.ClosedDay{{Day: now.In(hours.Location())}}
	}
	opens, closes, open := hours.HoursOn(now)
	if !open {
		opens, closes = 0, 0
	}
	if err := json.Unmarshal(row.Techs, &techs); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	if err := json.Unmarshal(row.Booked, &booked); err != nil {
		return shop.WorkshopCapacity{}, err
	}
	var all, onShift []shop.OnShift
	for _, t := range techs {
		all = append(all, shop.OnShift{UserID: t.UserID, Skills: t.Skills})
		if t.Kind != nil && *t.Kind == shop.ShiftWork && t.StartsAt != nil && t.EndsAt != nil {
			onShift = append(onShift, shop.OnShift{UserID: t.UserID, StartsAt: *t.StartsAt, EndsAt: *t.EndsAt, Skills: t.Skills})
		}
	}
	if !row.RotaKnown {
		onShift = shop.AssumedShifts(all, opens, closes)
	}
	expected := shop.DefaultAppointmentCapacity.ExpectedMinutes
	if row.ExpectedMinutes != nil {
		expected = *row.ExpectedMinutes
	}
	// Opening hours are today's: the weekday's hours, none on a closed day.
	return shop.ComputeCapacity(opens, closes, shop.MinuteOfDay(now, hours.Location()), row.RotaKnown, onShift, booked,
		row.Appointments*expected), nil
}

// newCapacity is the Capacity answer for a computed capacity at now.
func newCapacity(c shop.WorkshopCapacity, now time.Time) *Capacity {
	return &Capacity{Technicians: c.Technicians, BacklogMinutes: c.BookedMinutes, FreeLabourMinutes: c.FreeMinutes, At: now, Detail: c}
}
