package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// The rota (排班), technicians' skills, the skill a job needs, and a site's
// appointment capacity. Each command loads and locks, calls its decision in
// shop/rota.go or shop/capacity.go, saves and appends its event.

const shiftColumns = `site_id, user_id, day, kind, starts_at, ends_at, note, set_by, set_at`

// SetShiftInput sets one user's rota entry on a local day: a shift from
// StartsAt to EndsAt (minutes after local midnight) or leave.
type SetShiftInput struct {
	SiteID         shop.SiteID
	UserID         shop.UserID
	Day            time.Time
	Leave          *bool
	StartsAt       *int
	EndsAt         *int
	Note           *string
	IdempotencyKey *string
}

// SetShift sets (or replaces) a user's rota entry on a day, as
// shop.PlanShift decides; the user must work at the site. Service manager
// and foreman. Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) SetShift(ctx context.Context, in SetShiftInput) (*shop.Shift, error) {
	return mutate(d, ctx, "setShift", deref(in.IdempotencyKey), in, func(c *change) (*shop.Shift, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActDispatch); err != nil {
			return nil, err
		}
		if err := requireStaff(c, in.SiteID, in.UserID, "userId", shop.Roles...); err != nil {
			return nil, err
		}
		s, err := siteOf(c, in.SiteID, false)
		if err != nil {
			return nil, err
		}
		sh, ev, err := shop.PlanShift(shop.ShiftInput{SiteID: in.SiteID, UserID: in.UserID, Day: in.Day, Leave: in.Leave != nil && *in.Leave,
			StartsAt: in.StartsAt, EndsAt: in.EndsAt, Note: deref(in.Note)}, shop.LocalDate(c.now, s.Location()), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.exec(`
			INSERT INTO shifts (site_id, user_id, day, kind, starts_at, ends_at, note, set_by, set_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (site_id, user_id, day) DO UPDATE SET kind = EXCLUDED.kind, starts_at = EXCLUDED.starts_at,
				ends_at = EXCLUDED.ends_at, note = EXCLUDED.note, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
			sh.SiteID, sh.UserID, sh.Day, sh.Kind, sh.StartsAt, sh.EndsAt, sh.Note, sh.SetBy, sh.SetAt); err != nil {
			return nil, err
		}
		return &sh, c.event(ev)
	})
}

// FindRota returns a site's rota entries on local days from to to
// (inclusive, at most shop.MaxRotaDays), by day then user.
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) FindRota(ctx context.Context, site shop.SiteID, from, to time.Time) ([]*shop.Shift, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	from, to = shop.LocalDate(from, time.UTC), shop.LocalDate(to, time.UTC)
	if err := shop.ValidRotaRange(from, to); err != nil {
		return nil, err
	}
	rows := []*shop.Shift{}
	err := d.db.SelectContext(ctx, &rows, `SELECT `+shiftColumns+` FROM shifts
		WHERE site_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day, user_id`, site, from, to)
	return rows, translate(err)
}

// SetUserSkillsInput sets a technician's skills (the whole list).
type SetUserSkillsInput struct {
	UserID         shop.UserID
	Skills         []string
	IdempotencyKey *string
}

// SetUserSkills replaces a technician's skills (shop.SetSkills). The caller
// must manage the rota (ActDispatch) at one of the technician's sites.
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) SetUserSkills(ctx context.Context, in SetUserSkillsInput) ([]string, error) {
	return mutate(d, ctx, "setUserSkills", deref(in.IdempotencyKey), in, func(c *change) ([]string, error) {
		var u shop.User
		err := c.tx.GetContext(c.ctx, &u, `SELECT id, name, short_name, role, team_lead, active FROM users WHERE id = $1 FOR UPDATE`, in.UserID)
		if isNoRows(err) {
			return nil, missingAt("userId", "user")
		} else if err != nil {
			return nil, err
		}
		var sites []shop.SiteID
		if err := c.tx.SelectContext(c.ctx, &sites, `SELECT site_id FROM user_sites WHERE user_id = $1 AND site_id = ANY($2) ORDER BY site_id`,
			in.UserID, pq.Array(c.actor.SiteIDs)); err != nil {
			return nil, err
		}
		if len(sites) == 0 {
			return nil, missingAt("userId", "user")
		}
		if err := shop.Authorize(c.actor, sites[0], shop.ActDispatch); err != nil {
			return nil, err
		}
		skills, ev, err := shop.SetSkills(u, in.Skills)
		if err != nil {
			return nil, err
		}
		if _, err := c.exec(`DELETE FROM user_skills WHERE user_id = $1`, u.ID); err != nil {
			return nil, err
		}
		if _, err := c.exec(`INSERT INTO user_skills (user_id, skill) SELECT $1, unnest($2::TEXT[])`, u.ID, pq.Array(skills)); err != nil {
			return nil, err
		}
		ev.SiteID = sites[0]
		return skills, c.event(ev)
	})
}

// TechnicianSkills is a technician of a site and their skills.
type TechnicianSkills struct {
	UserID shop.UserID
	Name   string
	Skills []string
}

// FindTechnicianSkills returns the active technicians of a site with their
// skills, by name, in one statement. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindTechnicianSkills(ctx context.Context, site shop.SiteID) ([]*TechnicianSkills, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []struct {
		UserID shop.UserID
		Name   string
		Skills pq.StringArray
	}
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT u.id AS user_id, u.name, COALESCE(array_agg(k.skill ORDER BY k.skill) FILTER (WHERE k.skill IS NOT NULL), '{}') AS skills
		FROM users u JOIN user_sites us ON us.user_id = u.id LEFT JOIN user_skills k ON k.user_id = u.id
		WHERE us.site_id = $1 AND u.role = 'TECHNICIAN' AND u.active
		GROUP BY u.id, u.name ORDER BY u.name, u.id`, site); err != nil {
		return nil, translate(err)
	}
	out := make([]*TechnicianSkills, len(rows))
	for i, r := range rows {
		out[i] = &TechnicianSkills{UserID: r.UserID, Name: r.Name, Skills: []string(r.Skills)}
	}
	return out, nil
}

// SetJobSkillInput names the skill a job needs (nil or empty: none).
type SetJobSkillInput struct {
	JobID           shop.JobID
	Skill           *string
	ExpectedVersion *int
	IdempotencyKey  *string
}

// JobSkill is a job and the skill it needs (nil: none).
type JobSkill struct {
	Job   *shop.Job
	Skill *string
}

// SetJobSkill records the skill a job needs (shop.SetJobSkill): only
// technicians with it count for it in the capacity. Foreman and service
// manager. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) SetJobSkill(ctx context.Context, in SetJobSkillInput) (*JobSkill, error) {
	return mutate(d, ctx, "setJobSkill", deref(in.IdempotencyKey), in, func(c *change) (*JobSkill, error) {
		j, o, err := lockJob(c, in.JobID, shop.ActDispatch, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		skill, ev, err := shop.SetJobSkill(*j, o, in.Skill)
		if err != nil {
			return nil, err
		}
		if _, err := c.exec(`UPDATE jobs SET required_skill = $2, version = version + 1, updated_at = $3 WHERE id = $1`,
			j.ID, skill, c.now); err != nil {
			return nil, err
		}
		j.Version++
		j.UpdatedAt, j.RequiredSkill = c.now, skill
		return &JobSkill{Job: j, Skill: skill}, c.event(ev)
	})
}

// appointmentCapacity reads a site's appointment capacity, the default when
// the site has not set its own.
func appointmentCapacity(ctx context.Context, q queryer, site shop.SiteID) (shop.AppointmentCapacity, error) {
	c := shop.DefaultAppointmentCapacity
	err := q.GetContext(ctx, &c, `SELECT slot_minutes, per_slot, expected_minutes FROM appointment_capacity WHERE site_id = $1`, site)
	if isNoRows(err) {
		return shop.DefaultAppointmentCapacity, nil
	}
	return c, err
}

// FindAppointmentCapacity returns a site's appointment capacity.
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindAppointmentCapacity(ctx context.Context, site shop.SiteID) (*shop.AppointmentCapacity, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	c, err := appointmentCapacity(ctx, d.db, site)
	return &c, translate(err)
}

// SetAppointmentCapacityInput sets a site's appointment capacity.
type SetAppointmentCapacityInput struct {
	SiteID          shop.SiteID
	SlotMinutes     int
	PerSlot         int
	ExpectedMinutes int
	IdempotencyKey  *string
}

// SetAppointmentCapacity sets a site's appointment capacity
// (shop.SetAppointmentCapacity). Service manager. Errors: INVALID,
// NOT_FOUND, FORBIDDEN.
func (d *DB) SetAppointmentCapacity(ctx context.Context, in SetAppointmentCapacityInput) (*shop.AppointmentCapacity, error) {
	return mutate(d, ctx, "setAppointmentCapacity", deref(in.IdempotencyKey), in, func(c *change) (*shop.AppointmentCapacity, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActSiteSettings); err != nil {
			return nil, err
		}
		if _, err := siteOf(c, in.SiteID, true); err != nil {
			return nil, err
		}
		ac, ev, err := shop.SetAppointmentCapacity(in.SiteID, shop.AppointmentCapacity{SlotMinutes: in.SlotMinutes, PerSlot: in.PerSlot,
			ExpectedMinutes: in.ExpectedMinutes})
		if err != nil {
			return nil, err
		}
		if _, err := c.exec(`
			INSERT INTO appointment_capacity (site_id, slot_minutes, per_slot, expected_minutes) VALUES ($1, $2, $3, $4)
			ON CONFLICT (site_id) DO UPDATE SET slot_minutes = EXCLUDED.slot_minutes, per_slot = EXCLUDED.per_slot,
				expected_minutes = EXCLUDED.expected_minutes`, in.SiteID, ac.SlotMinutes, ac.PerSlot, ac.ExpectedMinutes); err != nil {
			return nil, err
		}
		return &ac, c.event(ev)
	})
}

// slotLockKey is the first key of the advisory lock that serialises a
// site's bookings: two advisors booking the last place of a slot at once
// cannot both get it.
const slotLockKey = 15006

// takeAppointmentSlot is BookAppointment's hook, before the appointment is
// saved: it locks the site's bookings, counts the slot's BOOKED
// appointments and lets shop.TakeSlot decide. Errors: INVALID on scheduledAt.
func takeAppointmentSlot(c *change, ap *shop.Appointment) error {
	if _, err := c.exec(`SELECT pg_advisory_xact_lock($1, $2::INT)`, slotLockKey, ap.SiteID); err != nil {
		return err
	}
	s, err := siteOf(c, ap.SiteID, false)
	if err != nil {
		return err
	}
	if err := c.d.loadHours(c.ctx, c.tx, s); err != nil {
		return err
	}
	ac, err := appointmentCapacity(c.ctx, c.tx, ap.SiteID)
	if err != nil {
		return err
	}
	from, to := shop.AppointmentSlot(ap.ScheduledAt, s.Location(), ac)
	var booked int
	if err := c.tx.GetContext(c.ctx, &booked, `
		SELECT count(*) FROM appointments WHERE site_id = $1 AND state = 'BOOKED' AND scheduled_at >= $2 AND scheduled_at < $3`,
		ap.SiteID, from, to); err != nil {
		return err
	}
	return shop.TakeSlot(ap.ScheduledAt, *s, ac, booked)
}

// planAppointmentReminder is BookAppointment's hook once the appointment is
// saved: the day-before reminder task on the advisor's follow-up list.
func planAppointmentReminder(c *change, ap *shop.Appointment) error {
	s, err := siteOf(c, ap.SiteID, false)
	if err != nil {
		return err
	}
	r, ok := shop.PlanAppointmentReminder(ap, s.Location(), c.now)
	if !ok {
		return nil
	}
	_, err = c.exec(`
		INSERT INTO appointment_reminders (site_id, appointment_id, advisor_id, due_on, state, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, r.SiteID, r.AppointmentID, r.AdvisorID, r.DueOn, r.State, r.CreatedAt)
	return err
}
