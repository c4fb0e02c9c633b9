package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// The follow-up side of time: the day-before appointment reminders on the
// advisor's list, reminders by mileage, and the clock closing callbacks and
// reminder tasks past their window as MISSED.

const appointmentReminderColumns = `id, site_id, appointment_id, advisor_id, due_on, state, done_at, done_by, outcome, created_at`

// FindAppointmentRemindersDue lists a site's day-before appointment
// reminders due on local day day or earlier and not done, of appointments
// still booked, soonest first; only advisor's when advisor is set: the
// advisor's follow-up list. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindAppointmentRemindersDue(ctx context.Context, site shop.SiteID, day time.Time, advisor *shop.UserID) ([]*shop.AppointmentReminder, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	rows := []*shop.AppointmentReminder{}
	err := d.db.SelectContext(ctx, &rows, `
		SELECT r.id, r.site_id, r.appointment_id, r.advisor_id, r.due_on, r.state, r.done_at, r.done_by, r.outcome, r.created_at
		FROM appointment_reminders r JOIN appointments a ON a.id = r.appointment_id
		WHERE r.site_id = $1 AND r.state = 'DUE' AND r.due_on <= $2 AND a.state = 'BOOKED'
		  AND ($3::BIGINT IS NULL OR r.advisor_id = $3)
		ORDER BY r.due_on, a.scheduled_at, r.id LIMIT 500`, site, shop.LocalDate(day, time.UTC), advisor)
	return rows, translate(err)
}

// RecordAppointmentReminderInput records that the customer was reminded of
// an appointment (an appointment has one reminder task).
type RecordAppointmentReminderInput struct {
	AppointmentID  shop.AppointmentID
	Outcome        string
	IdempotencyKey *string
}

// RecordAppointmentReminder marks a day-before reminder done
// (shop.RecordAppointmentReminder). Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION.
func (d *DB) RecordAppointmentReminder(ctx context.Context, in RecordAppointmentReminderInput) (*shop.AppointmentReminder, error) {
	return mutate(d, ctx, "recordAppointmentReminder", deref(in.IdempotencyKey), in, func(c *change) (*shop.AppointmentReminder, error) {
		var r shop.AppointmentReminder
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+appointmentReminderColumns+` FROM appointment_reminders WHERE appointment_id = $1 FOR UPDATE`,
			in.AppointmentID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, notFoundAt("appointmentId", "That appointment has no reminder task.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActBookAppointment); err != nil {
			return nil, err
		}
		r2, ev, err := shop.RecordAppointmentReminder(r, in.Outcome, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.exec(`UPDATE appointment_reminders SET state = $2, done_at = $3, done_by = $4, outcome = $5 WHERE id = $1`,
			r2.ID, r2.State, r2.DoneAt, r2.DoneBy, r2.Outcome); err != nil {
			return nil, err
		}
		return &r2, c.event(ev)
	})
}

// vehicleReadings returns the odometer readings of vehicles in the site's
// zone loc: every visit's, and the vehicle record's own (its latest).
func vehicleReadings(ctx context.Context, q queryer, ids []shop.VehicleID, zones map[shop.VehicleID]*time.Location) (map[shop.VehicleID][]shop.OdometerReading, error) {
	var rows []struct {
		VehicleID shop.VehicleID
		At        time.Time
		Km        int
	}
	if err := q.SelectContext(ctx, &rows, `
		SELECT vehicle_id, received_at AS at, mileage AS km FROM visits WHERE vehicle_id = ANY($1)
		UNION ALL
		SELECT id, updated_at, mileage FROM vehicles WHERE id = ANY($1) AND mileage > 0
		ORDER BY 1, 2`, pq.Array(ids)); err != nil {
		return nil, err
	}
	out := map[shop.VehicleID][]shop.OdometerReading{}
	for _, r := range rows {
		out[r.VehicleID] = append(out[r.VehicleID], shop.OdometerReading{Day: shop.LocalDate(r.At, zones[r.VehicleID]), Km: r.Km})
	}
	return out, nil
}

// planDue is a plan's effective day (shop.EffectiveDue) and what decided it.
type planDue struct {
	Due       time.Time
	ByMileage bool
	Km        *int // estimated odometer today, when known
}

// planDues returns the effective day of each plan (date or mileage) at
// local day today; loc is each plan's site zone.
func planDues(ctx context.Context, q queryer, plans []*shop.ServicePlan, zone func(shop.SiteID) *time.Location, today time.Time) (map[shop.ServicePlanID]planDue, error) {
	out := make(map[shop.ServicePlanID]planDue, len(plans))
	var ids []shop.VehicleID
	zones := map[shop.VehicleID]*time.Location{}
	for _, p := range plans {
		out[p.ID] = planDue{Due: p.DueOn}
		if p.DueMileage != nil {
			ids, zones[p.VehicleID] = append(ids, p.VehicleID), zone(p.SiteID)
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	readings, err := vehicleReadings(ctx, q, ids, zones)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if p.DueMileage == nil {
			continue
		}
		rs := readings[p.VehicleID]
		due, by := shop.EffectiveDue(p, shop.LocalDate(p.CreatedAt, zone(p.SiteID)), rs)
		pd := planDue{Due: due, ByMileage: by}
		if km, ok := shop.EstimateMileage(rs, today); ok {
			pd.Km = &km
		}
		out[p.ID] = pd
	}
	return out, nil
}

// expireFollowUps is the clock's pass over follow-up tasks past their
// window, in RunFollowUpRules' transaction: callbacks (shop.MissCallback),
// service reminder tasks (shop.MissReminders) and appointment reminders
// (shop.ExpireAppointmentReminder). Each pass takes at most a batch of each
// (SKIP LOCKED: several instances share the work), so a backlog of years
// drains over a few passes without one long transaction.
func expireFollowUps(ctx context.Context, tx *sqlx.Tx, now time.Time) ([]shop.Event, error) {
	const batch = 500
	var zs []struct {
		ID       shop.SiteID
		TimeZone string
	}
	if err := tx.SelectContext(ctx, &zs, `SELECT id, time_zone FROM sites`); err != nil {
		return nil, err
	}
	zones := map[shop.SiteID]*time.Location{}
	for _, z := range zs {
		zones[z.ID] = shop.Zone(z.TimeZone)
	}
	zone := func(s shop.SiteID) *time.Location {
		if l := zones[s]; l != nil {
			return l
		}
		return time.UTC
	}
	var evs []shop.Event
	// Callbacks: the window is decided in the site's day; a day's margin for zones ahead of UTC.
	var cbs []*shop.Callback
	if err := tx.SelectContext(ctx, &cbs, `
		SELECT `+callbackColumns+` FROM callbacks WHERE state = 'DUE' AND due_on < $1
		ORDER BY due_on, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
		shop.LocalDate(now, time.UTC).AddDate(0, 0, -shop.CallbackWindowDays+1), batch); err != nil {
		return nil, err
	}
	if len(cbs) > 0 {
		_, visits, err := callbackPlaces(ctx, tx, cbs)
		if err != nil {
			return nil, err
		}
		for _, cb := range cbs {
			cb2, ev, ok := shop.MissCallback(*cb, visits[cb.OrderID], shop.LocalDate(now, zone(cb.SiteID)), now)
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET state = $2, done_at = $3, version = version + 1 WHERE id = $1`,
				cb2.ID, cb2.State, cb2.DoneAt); err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
	}
	// Service reminder tasks: open plans with tasks neither done nor missed,
	// whose date has passed or that a mileage may have brought forward (a
	// plan by mileage is never due before a week after it was made, so
	// younger ones are not even read).
	var plans []*shop.ServicePlan
	if err := tx.SelectContext(ctx, &plans, `
		SELECT `+planColumns+` FROM service_plans p
		WHERE p.state = 'OPEN'
		  AND (p.due_on < $1 OR (p.due_mileage IS NOT NULL AND p.created_at < $3))
		  AND EXISTS (SELECT 1 FROM reminders r WHERE r.plan_id = p.id AND r.done_at IS NULL AND r.missed_at IS NULL)
		ORDER BY p.due_on, p.id LIMIT $2 FOR UPDATE SKIP LOCKED`, shop.LocalDate(now, time.UTC).AddDate(0, 0, 1), batch,
		now.AddDate(0, 0, -shop.MileageNoticeDays)); err != nil {
		return nil, err
	}
	if len(plans) > 0 {
		dues, err := planDues(ctx, tx, plans, zone, shop.LocalDate(now, time.UTC))
		if err != nil {
			return nil, err
		}
		ids := make([]shop.ServicePlanID, len(plans))
		for i, p := range plans {
			ids[i] = p.ID
		}
		var rs []*shop.Reminder
		if err := tx.SelectContext(ctx, &rs, `SELECT `+reminderColumns+` FROM reminders WHERE plan_id = ANY($1) ORDER BY plan_id, step`, pq.Array(ids)); err != nil {
			return nil, err
		}
		var missed []int64
		for _, p := range plans {
			closed, pevs := shop.MissReminders(rs, p, dues[p.ID].Due, shop.LocalDate(now, zone(p.SiteID)), now)
			for _, r := range closed {
				missed = append(missed, int64(r.ID))
			}
			evs = append(evs, pevs...)
		}
		if len(missed) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE reminders SET missed_at = $2 WHERE id = ANY($1)`, pq.Array(missed), now); err != nil {
				return nil, err
			}
		}
	}
	// Appointment reminders: cancelled with their appointment, missed once its day came.
	var ars []struct {
		shop.AppointmentReminder
		AppointmentState shop.AppointmentState
	}
	if err := tx.SelectContext(ctx, &ars, `
		SELECT r.id, r.site_id, r.appointment_id, r.advisor_id, r.due_on, r.state, r.done_at, r.done_by, r.outcome, r.created_at,
			a.state AS appointment_state
		FROM appointment_reminders r JOIN appointments a ON a.id = r.appointment_id
		WHERE r.state = 'DUE' AND (a.state <> 'BOOKED' OR r.due_on < $1)
		ORDER BY r.id LIMIT $2 FOR UPDATE OF r SKIP LOCKED`, shop.LocalDate(now, time.UTC).AddDate(0, 0, 1), batch); err != nil {
		return nil, err
	}
	for _, ar := range ars {
		r, ok := shop.ExpireAppointmentReminder(ar.AppointmentReminder, ar.AppointmentState, shop.LocalDate(now, zone(ar.SiteID)), now)
		if !ok {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_reminders SET state = $2, done_at = $3 WHERE id = $1`, r.ID, r.State, r.DoneAt); err != nil {
			return nil, err
		}
		if r.State == shop.AppointmentReminderMissed {
			evs = append(evs, shop.Event{SiteID: r.SiteID, Kind: shop.EventFollowUpMissed, AdvisorID: r.AdvisorID,
				Summary: "The day-before reminder of an appointment was not made: closed as missed"})
		}
	}
	return evs, nil
}
