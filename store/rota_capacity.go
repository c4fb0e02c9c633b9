package store

import (
	"context"
	"encoding/json"
	"time"

	"bayboard/shop"
)

// siteHoursJSON is the select expression of a site's weekly hours (alias s
// for sites) as JSON, for siteHours.
const siteHoursJSON = `COALESCE((SELECT json_agg(json_build_object('weekday', h.weekday, 'closed', h.closed, 'opensAt', h.opens_at, 'closesAt', h.closes_at))
			  FROM site_hours h WHERE h.site_id = s.id), '[]')`

// siteHours is a site's hours from its default hours and the weekly hours
// read by siteHoursJSON.
func siteHours(zone string, opens, closes int, hoursJSON []byte) (shop.Site, error) {
	s := shop.Site{TimeZone: zone, OpensAt: opens, ClosesAt: closes}
	return s, json.Unmarshal(hoursJSON, &s.Hours)
}

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
			`+siteHoursJSON+` AS hours,
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
	hours, err := siteHours(row.TimeZone, row.OpensAt, row.ClosesAt, row.Hours)
	if err != nil {
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

// Bounds of what the estimate reads ahead: the rota of the coming weeks
// (later days have the whole crew) and the closed dates of the coming year.
const (
	rotaDaysAhead   = 62
	closedDaysAhead = 400
)

// workshop returns a site's capacity model at now and the remaining labour
// minutes of its open jobs (leaving out one order, e.g. the one being
// estimated), in one statement: the hours of siteHours, the closed dates
// and the rota from today on, the active technicians and the backlog.
func workshop(ctx context.Context, q queryer, site shop.SiteID, except *shop.OrderID, now time.Time) (shop.Workshop, int, error) {
	var row struct {
		TimeZone    string
		OpensAt     int
		ClosesAt    int
		Technicians int
		Backlog     int
		Hours       []byte
		Closed      []byte
		Shifts      []byte
	}
	err := q.GetContext(ctx, &row, `
		SELECT s.time_zone, s.opens_at, s.closes_at,
			(SELECT count(*) FROM users u JOIN user_sites us ON us.user_id = u.id
			 WHERE us.site_id = s.id AND u.role = 'TECHNICIAN' AND u.active) AS technicians,
			COALESCE((SELECT sum(CASE WHEN j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'PENDING_APPROVAL') THEN j.labour_minutes
			                      ELSE j.labour_minutes * (100 - j.progress) / 100 END)
			 FROM jobs j JOIN repair_orders o ON o.id = j.order_id
			 WHERE o.site_id = s.id AND o.state IN ('SIGNED', 'IN_WORK') AND o.id <> COALESCE($2, 0)
			   AND j.state IN ('WAITING_DISPATCH', 'DISPATCHED', 'IN_PROGRESS', 'PAUSED', 'REWORK')), 0) AS backlog,
			`+siteHoursJSON+` AS hours,
			COALESCE((SELECT json_agg(c.day ORDER BY c.day) FROM site_closed_days c
			  WHERE c.site_id = s.id AND c.day >= d.day AND c.day < d.day + $4::INT), '[]') AS closed,
			COALESCE((SELECT json_agg(json_build_object('day', sh.day, 'startsAt', sh.starts_at, 'endsAt', sh.ends_at,
				'works', sh.kind = 'WORK' AND u.role = 'TECHNICIAN' AND u.active) ORDER BY sh.day, sh.user_id)
			  FROM shifts sh JOIN users u ON u.id = sh.user_id
			  WHERE sh.site_id = s.id AND sh.day >= d.day AND sh.day < d.day + $5::INT), '[]') AS shifts
		FROM sites s CROSS JOIN LATERAL (SELECT ($3::TIMESTAMPTZ AT TIME ZONE s.time_zone)::DATE AS day) d
		WHERE s.id = $1`, site, except, now, closedDaysAhead, rotaDaysAhead)
	if err != nil {
		return shop.Workshop{}, 0, err
	}
	hours, err := siteHours(row.TimeZone, row.OpensAt, row.ClosesAt, row.Hours)
	if err != nil {
		return shop.Workshop{}, 0, err
	}
	w := shop.Workshop{Location: hours.Location(), OpensAt: row.OpensAt, ClosesAt: row.ClosesAt, Hours: hours.Hours,
		Technicians: row.Technicians, Rota: map[string][]shop.OnShift{}}
	var closed []string
	if err := json.Unmarshal(row.Closed, &closed); err != nil {
		return shop.Workshop{}, 0, err
	}
	for _, c := range closed {
		day, err := time.Parse(time.DateOnly, c)
		if err != nil {
			return shop.Workshop{}, 0, err
		}
		w.ClosedDays = append(w.ClosedDays, shop.ClosedDay{Day: day})
	}
	var shifts []struct {
		Day      string `json:"day"`
		StartsAt *int   `json:"startsAt"`
		EndsAt   *int   `json:"endsAt"`
		Works    bool   `json:"works"`
	}
	if err := json.Unmarshal(row.Shifts, &shifts); err != nil {
		return shop.Workshop{}, 0, err
	}
	// Any rota entry plans its day (as capacity's rota_known); only the
	// technicians' WORK shifts put someone on it.
	for _, s := range shifts {
		on := w.Rota[s.Day]
		if s.Works && s.StartsAt != nil && s.EndsAt != nil {
			on = append(on, shop.OnShift{StartsAt: *s.StartsAt, EndsAt: *s.EndsAt})
		}
		if on == nil {
			on = []shop.OnShift{}
		}
		w.Rota[s.Day] = on
	}
	return w, row.Backlog, nil
}
