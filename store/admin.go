package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// Master data through the API (issue 15): sites and their hours, bays,
// labour rates, teams, users and tokens. Each command locks what it
// changes, lets shop decide, saves, and appends the event (with the before
// and after) in the same transaction.

// loadHours reads a site's weekly hours and closed days into s.
func (d *DB) loadHours(ctx context.Context, q sqlx.QueryerContext, s *shop.Site) error {
	var hours []struct {
		Weekday  int
		Closed   bool
		OpensAt  int
		ClosesAt int
	}
	if err := sqlx.SelectContext(ctx, q, &hours, `
		SELECT weekday, closed, opens_at, closes_at FROM site_hours WHERE site_id = $1 ORDER BY weekday`, s.ID); err != nil {
		return translate(err)
	}
	s.Hours = make([]shop.DayHours, len(hours))
	for i, h := range hours {
		s.Hours[i] = shop.DayHours{Weekday: time.Weekday(h.Weekday), Closed: h.Closed, OpensAt: h.OpensAt, ClosesAt: h.ClosesAt}
	}
	s.ClosedDays = nil
	return translate(sqlx.SelectContext(ctx, q, &s.ClosedDays, `
		SELECT day, reason FROM site_closed_days WHERE site_id = $1 ORDER BY day`, s.ID))
}

// lockSite reads a site for update with its hours, checks the actor may
// change master data there and the version the caller saw.
func lockSite(c *change, id shop.SiteID, expected *int) (*shop.Site, error) {
	if !c.actor.CanSeeSite(id) {
		return nil, missingAt("siteId", "site")
	}
	s, err := siteOf(c, id, true)
	if err != nil {
		return nil, err
	}
	if err := shop.Authorize(c.actor, id, shop.ActMasterData); err != nil {
		return nil, err
	}
	if err := checkVersion("site", expected, s.Version); err != nil {
		return nil, err
	}
	return s, c.d.loadHours(c.ctx, c.tx, s)
}

// SetUpSiteInput is a new site set up through the API.
type SetUpSiteInput struct {
	Code       string
	Name       string
	TimeZone   *string
	LabourRate shop.Money
	OpensAt    *int
	ClosesAt   *int
}

// SetUpSite creates a site (administrator only, see shop.CreateSiteBy); the
// administrator who sets it up works there from then on. Errors: INVALID,
// FORBIDDEN, CONFLICT (code taken).
func (d *DB) SetUpSite(ctx context.Context, in SetUpSiteInput) (*shop.Site, error) {
	s, err := mutate(d, ctx, "setUpSite", "", in, func(c *change) (*shop.Site, error) {
		s, ev, err := shop.CreateSiteBy(c.actor, shop.SiteInput{Code: in.Code, Name: in.Name, TimeZone: deref(in.TimeZone),
			LabourRate: in.LabourRate, OpensAt: in.OpensAt, ClosesAt: in.ClosesAt})
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO sites (code, name, time_zone, currency, labour_rate, opens_at, closes_at, first_callback_days,
				callback_not_by_advisor, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			s.Code, s.Name, s.TimeZone, s.Currency, s.LabourRate, s.OpensAt, s.ClosesAt, s.FirstCallbackDays,
			s.CallbackNotByAdvisor, s.Version).Scan(&s.ID); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `INSERT INTO user_sites (user_id, site_id) VALUES ($1, $2)`, c.actor.UserID, s.ID); err != nil {
			return nil, err
		}
		ev.SiteID = s.ID
		return &s, c.event(ev)
	})
	if err == nil {
		d.tokens.clear() // the administrator's cached actor does not know the new site yet
	}
	return s, err
}

// UpdateSiteInput changes a site's name, time zone, default labour rate and default hours.
type UpdateSiteInput struct {
	SiteID          shop.SiteID
	ExpectedVersion *int
	Name            *string
	TimeZone        *string
	LabourRate      *shop.Money
	OpensAt         *int
	ClosesAt        *int
	IdempotencyKey  *string
}

// UpdateSite changes a site (see shop.EditSite). Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT.
func (d *DB) UpdateSite(ctx context.Context, in UpdateSiteInput) (*shop.Site, error) {
	return mutate(d, ctx, "updateSite", deref(in.IdempotencyKey), in, func(c *change) (*shop.Site, error) {
		s, err := lockSite(c, in.SiteID, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		next, ev, err := shop.EditSite(*s, shop.SiteChanges{Name: in.Name, TimeZone: in.TimeZone, LabourRate: in.LabourRate,
			OpensAt: in.OpensAt, ClosesAt: in.ClosesAt})
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE sites SET name = $2, time_zone = $3, labour_rate = $4, opens_at = $5, closes_at = $6, version = $7
			WHERE id = $1`, next.ID, next.Name, next.TimeZone, next.LabourRate, next.OpensAt, next.ClosesAt, next.Version); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// DayHoursInput is one weekday's hours.
type DayHoursInput struct {
	Day      shop.Weekday
	Closed   *bool
	OpensAt  *int
	ClosesAt *int
}

// SetSiteHoursInput replaces a site's weekly hours; a weekday left out
// keeps the site's default hours.
type SetSiteHoursInput struct {
	SiteID          shop.SiteID
	ExpectedVersion *int
	Hours           []*DayHoursInput
	IdempotencyKey  *string
}

// SetSiteHours replaces a site's weekly hours (see shop.SetWeekHours).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) SetSiteHours(ctx context.Context, in SetSiteHoursInput) (*shop.Site, error) {
	return mutate(d, ctx, "setSiteHours", deref(in.IdempotencyKey), in, func(c *change) (*shop.Site, error) {
		s, err := lockSite(c, in.SiteID, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		week := make([]shop.DayHours, len(in.Hours))
		for i, h := range in.Hours {
			week[i] = shop.DayHours{Weekday: h.Day.Weekday(), Closed: h.Closed != nil && *h.Closed,
				OpensAt: derefInt(h.OpensAt), ClosesAt: derefInt(h.ClosesAt)}
		}
		next, ev, err := shop.SetWeekHours(*s, week)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM site_hours WHERE site_id = $1`, s.ID); err != nil {
			return nil, err
		}
		for _, h := range next.Hours {
			if _, err := c.tx.ExecContext(c.ctx, `
				INSERT INTO site_hours (site_id, weekday, closed, opens_at, closes_at) VALUES ($1, $2, $3, $4, $5)`,
				s.ID, int(h.Weekday), h.Closed, h.OpensAt, h.ClosesAt); err != nil {
				return nil, err
			}
		}
		if err := saveSiteVersion(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

func saveSiteVersion(c *change, s *shop.Site) error {
	_, err := c.tx.ExecContext(c.ctx, `UPDATE sites SET version = $2 WHERE id = $1`, s.ID, s.Version)
	return err
}

// SetClosedDayInput closes a site on a local date (a holiday), or opens it again.
type SetClosedDayInput struct {
	SiteID          shop.SiteID
	ExpectedVersion *int
	Day             time.Time
	Closed          bool
	Reason          *string
	IdempotencyKey  *string
}

// SetClosedDay closes or reopens a date (see shop.SetClosedDay). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) SetClosedDay(ctx context.Context, in SetClosedDayInput) (*shop.Site, error) {
	return mutate(d, ctx, "setClosedDay", deref(in.IdempotencyKey), in, func(c *change) (*shop.Site, error) {
		s, err := lockSite(c, in.SiteID, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		next, ev, err := shop.SetClosedDay(*s, in.Day, in.Closed, deref(in.Reason))
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM site_closed_days WHERE site_id = $1`, s.ID); err != nil {
			return nil, err
		}
		for _, cd := range next.ClosedDays {
			if _, err := c.tx.ExecContext(c.ctx, `INSERT INTO site_closed_days (site_id, day, reason) VALUES ($1, $2, $3)`,
				s.ID, cd.Day.Format(time.DateOnly), cd.Reason); err != nil {
				return nil, err
			}
		}
		if err := saveSiteVersion(c, &next); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindSiteHours returns a site's weekly hours and closed days (for the
// GraphQL fields; FindSiteByID loads them already).
func (d *DB) FindSiteHours(ctx context.Context, id shop.SiteID) (*shop.Site, error) {
	if _, err := authorize(ctx, id, shop.ActRead); err != nil {
		return nil, err
	}
	s := &shop.Site{ID: id}
	return s, d.loadHours(ctx, d.db, s)
}

// AddBayInput is a new workshop bay.
type AddBayInput struct {
	SiteID shop.SiteID
	Code   string
	Name   *string
	Kind   *string
}

// AddBay adds a bay to a site (see shop.CreateBayAt). Errors: INVALID,
// NOT_FOUND, FORBIDDEN, CONFLICT (code taken).
func (d *DB) AddBay(ctx context.Context, in AddBayInput) (*shop.Bay, error) {
	return mutate(d, ctx, "addBay", "", in, func(c *change) (*shop.Bay, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActMasterData); err != nil {
			return nil, atField("siteId", err)
		}
		b, ev, err := shop.CreateBayAt(in.SiteID, shop.BayInput{Code: in.Code, Name: deref(in.Name), Kind: deref(in.Kind)})
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO bays (site_id, code, name, kind, active, version) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			b.SiteID, b.Code, b.Name, b.Kind, b.Active, b.Version).Scan(&b.ID); err != nil {
			return nil, err
		}
		return &b, c.event(ev)
	})
}

// UpdateBayInput renames, re-kinds, retires or reinstates a bay.
type UpdateBayInput struct {
	BayID           shop.BayID
	ExpectedVersion *int
	Name            *string
	Kind            *string
	Active          *bool
	IdempotencyKey  *string
}

// UpdateBay changes a bay (see shop.EditBay). Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT.
func (d *DB) UpdateBay(ctx context.Context, in UpdateBayInput) (*shop.Bay, error) {
	return mutate(d, ctx, "updateBay", deref(in.IdempotencyKey), in, func(c *change) (*shop.Bay, error) {
		var b shop.Bay
		err := c.tx.GetContext(c.ctx, &b, `SELECT `+bayColumns+` FROM bays WHERE id = $1 FOR UPDATE`, in.BayID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(b.SiteID)) {
			return nil, missingAt("bayId", "bay")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, b.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("bay", in.ExpectedVersion, b.Version); err != nil {
			return nil, err
		}
		next, ev, err := shop.EditBay(b, shop.BayChanges{Name: in.Name, Kind: in.Kind, Active: in.Active})
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE bays SET name = $2, kind = $3, active = $4, version = $5 WHERE id = $1`,
			next.ID, next.Name, next.Kind, next.Active, next.Version); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

const labourRateColumns = `id, site_id, code, name, rate, version`

// AddLabourRateInput is a new hourly rate for a kind of work.
type AddLabourRateInput struct {
	SiteID shop.SiteID
	Code   string
	Name   string
	Rate   shop.Money
}

// AddLabourRate adds a labour rate (see shop.NewLabourRate). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT (code taken).
func (d *DB) AddLabourRate(ctx context.Context, in AddLabourRateInput) (*shop.LabourRate, error) {
	return mutate(d, ctx, "addLabourRate", "", in, func(c *change) (*shop.LabourRate, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActMasterData); err != nil {
			return nil, atField("siteId", err)
		}
		r, ev, err := shop.NewLabourRate(in.SiteID, in.Code, in.Name, in.Rate)
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO labour_rates (site_id, code, name, rate, version) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			r.SiteID, r.Code, r.Name, r.Rate, r.Version).Scan(&r.ID); err != nil {
			return nil, err
		}
		return &r, c.event(ev)
	})
}

// UpdateLabourRateInput renames or re-prices a labour rate.
type UpdateLabourRateInput struct {
	LabourRateID    shop.LabourRateID
	ExpectedVersion *int
	Name            *string
	Rate            *shop.Money
	IdempotencyKey  *string
}

// UpdateLabourRate changes a labour rate (see shop.EditLabourRate). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) UpdateLabourRate(ctx context.Context, in UpdateLabourRateInput) (*shop.LabourRate, error) {
	return mutate(d, ctx, "updateLabourRate", deref(in.IdempotencyKey), in, func(c *change) (*shop.LabourRate, error) {
		var r shop.LabourRate
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+labourRateColumns+` FROM labour_rates WHERE id = $1 FOR UPDATE`, in.LabourRateID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, missingAt("labourRateId", "labour rate")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("labour rate", in.ExpectedVersion, r.Version); err != nil {
			return nil, err
		}
		next, ev, err := shop.EditLabourRate(r, in.Name, in.Rate)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE labour_rates SET name = $2, rate = $3, version = $4 WHERE id = $1`,
			next.ID, next.Name, next.Rate, next.Version); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindLabourRates lists a site's labour rates by code.
func (d *DB) FindLabourRates(ctx context.Context, site shop.SiteID) ([]*shop.LabourRate, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var out []*shop.LabourRate
	err := d.db.SelectContext(ctx, &out, `SELECT `+labourRateColumns+` FROM labour_rates WHERE site_id = $1 ORDER BY code`, site)
	return out, translate(err)
}

const teamColumns = `id, site_id, name, lead_id, version`

// AddTeamInput is a new workshop team.
type AddTeamInput struct {
	SiteID shop.SiteID
	Name   string
	LeadID *shop.UserID
}

// AddTeam sets up a team (see shop.NewTeam); its lead joins it and signs
// team-lead checks from then on. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// CONFLICT (name taken).
func (d *DB) AddTeam(ctx context.Context, in AddTeamInput) (*shop.Team, error) {
	t, err := mutate(d, ctx, "addTeam", "", in, func(c *change) (*shop.Team, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActMasterData); err != nil {
			return nil, atField("siteId", err)
		}
		lead, err := optionalUser(c, in.LeadID, "leadId")
		if err != nil {
			return nil, err
		}
		t, ev, err := shop.NewTeam(in.SiteID, in.Name, lead)
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `INSERT INTO teams (site_id, name, lead_id, version) VALUES ($1, $2, $3, $4) RETURNING id`,
			t.SiteID, t.Name, t.LeadID, t.Version).Scan(&t.ID); err != nil {
			return nil, err
		}
		if err := saveTeamMembers(c, &t, nil); err != nil {
			return nil, err
		}
		return &t, c.event(ev)
	})
	if err == nil {
		d.tokens.clear() // the lead's cached actor does not lead yet
	}
	return t, err
}

// UpdateTeamInput renames a team or changes its lead.
type UpdateTeamInput struct {
	TeamID          shop.TeamID
	ExpectedVersion *int
	Name            *string
	LeadID          *shop.UserID
	ClearLead       *bool
	IdempotencyKey  *string
}

// UpdateTeam changes a team (see shop.EditTeam). Errors: INVALID,
// NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) UpdateTeam(ctx context.Context, in UpdateTeamInput) (*shop.Team, error) {
	t, err := mutate(d, ctx, "updateTeam", deref(in.IdempotencyKey), in, func(c *change) (*shop.Team, error) {
		var t shop.Team
		err := c.tx.GetContext(c.ctx, &t, `SELECT `+teamColumns+` FROM teams WHERE id = $1 FOR UPDATE`, in.TeamID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(t.SiteID)) {
			return nil, missingAt("teamId", "team")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, t.SiteID, shop.ActMasterData); err != nil {
			return nil, err
		}
		if err := checkVersion("team", in.ExpectedVersion, t.Version); err != nil {
			return nil, err
		}
		lead, err := optionalUser(c, in.LeadID, "leadId")
		if err != nil {
			return nil, err
		}
		names := map[shop.UserID]string{}
		if t.LeadID != nil {
			var n string
			if err := c.tx.GetContext(c.ctx, &n, `SELECT name FROM users WHERE id = $1`, *t.LeadID); err != nil {
				return nil, err
			}
			names[*t.LeadID] = n
		}
		next, ev, err := shop.EditTeam(t, in.Name, lead, in.ClearLead != nil && *in.ClearLead, names)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE teams SET name = $2, lead_id = $3, version = $4 WHERE id = $1`,
			next.ID, next.Name, next.LeadID, next.Version); err != nil {
			return nil, err
		}
		if err := saveTeamMembers(c, &next, t.LeadID); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
	if err == nil {
		d.tokens.clear() // the old and new leads' cached actors
	}
	return t, err
}

// saveTeamMembers carries a team's decided name and lead onto its users:
// the lead is a member, members show the team's name, and a user's
// team-lead flag (what the team-lead check authorises by) follows whether
// they lead any team. oldLead is the team's lead before the change.
func saveTeamMembers(c *change, t *shop.Team, oldLead *shop.UserID) error {
	if t.LeadID != nil {
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE users SET team_id = $2, version = version + 1 WHERE id = $1`, *t.LeadID, t.ID); err != nil {
			return err
		}
	}
	if _, err := c.tx.ExecContext(c.ctx, `UPDATE users SET team = $2 WHERE team_id = $1`, t.ID, t.Name); err != nil {
		return err
	}
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE users u SET team_lead = EXISTS (SELECT 1 FROM teams t WHERE t.lead_id = u.id)
		WHERE u.id = ANY($1)`, pq.Array([]*shop.UserID{t.LeadID, oldLead}))
	return err
}

// FindTeams lists a site's teams by name.
func (d *DB) FindTeams(ctx context.Context, site shop.SiteID) ([]*shop.Team, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var out []*shop.Team
	err := d.db.SelectContext(ctx, &out, `SELECT `+teamColumns+` FROM teams WHERE site_id = $1 ORDER BY name`, site)
	return out, translate(err)
}

// FindTeamsByIDs returns teams by ID within the actor's sites (for the user's team field).
func (d *DB) FindTeamsByIDs(ctx context.Context, ids []shop.TeamID) (map[shop.TeamID]*shop.Team, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Team
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+teamColumns+` FROM teams WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.TeamID]*shop.Team, len(rows))
	for _, t := range rows {
		out[t.ID] = t
	}
	return out, nil
}

// lockUser reads a user for update; NOT_FOUND (on field) when there is none.
// Whether the actor may manage them is shop's decision.
func lockUser(c *change, id shop.UserID, field string) (*shop.User, error) {
	var row userRow
	err := c.tx.GetContext(c.ctx, &row, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 FOR UPDATE`, id)
	if isNoRows(err) {
		return nil, notFoundAt(field, "No user with that ID exists.")
	}
	return row.user(), err
}

func optionalUser(c *change, id *shop.UserID, field string) (*shop.User, error) {
	if id == nil {
		return nil, nil
	}
	return lockUser(c, *id, field)
}

func teamByID(c *change, id *shop.TeamID, field string) (*shop.Team, error) {
	if id == nil {
		return nil, nil
	}
	var t shop.Team
	err := c.tx.GetContext(c.ctx, &t, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, *id)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(t.SiteID)) {
		return nil, notFoundAt(field, "No team with that ID exists.")
	}
	return &t, err
}

// userEvents appends ev for each site of the user (the actor's when the user
// has none yet; none at all for an administrator of no site, who has no
// audit trail to write to).
func userEvents(c *change, ev shop.Event, sites []shop.SiteID) error {
	return appendEvents(c, shop.UserEvents(ev, sites, c.actor.SiteIDs)...)
}

// AddUserInput is a new user set up through the API.
type AddUserInput struct {
	Name      string
	ShortName *string
	Role      shop.Role
	SiteIDs   []shop.SiteID
	TeamID    *shop.TeamID
}

// AddUser sets up a user (see shop.NewUserBy); issue a token with
// IssueToken. Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) AddUser(ctx context.Context, in AddUserInput) (*shop.User, error) {
	return mutate(d, ctx, "addUser", "", in, func(c *change) (*shop.User, error) {
		team, err := teamByID(c, in.TeamID, "teamId")
		if err != nil {
			return nil, err
		}
		u, ev, err := shop.NewUserBy(c.actor, shop.UserInput{Name: in.Name, ShortName: deref(in.ShortName), Role: in.Role,
			SiteIDs: in.SiteIDs, Team: team})
		if err != nil {
			return nil, err
		}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO users (name, short_name, role, team_lead, team, team_id, version) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			u.Name, u.ShortName, u.Role, u.TeamLead, u.Team, u.TeamID, u.Version).Scan(&u.ID); err != nil {
			return nil, err
		}
		if err := saveUserSites(c, &u); err != nil {
			return nil, err
		}
		return &u, userEvents(c, ev, u.SiteIDs)
	})
}

func saveUserSites(c *change, u *shop.User) error {
	if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM user_sites WHERE user_id = $1`, u.ID); err != nil {
		return err
	}
	_, err := c.tx.ExecContext(c.ctx, `INSERT INTO user_sites (user_id, site_id) SELECT $1, unnest($2::BIGINT[])`,
		u.ID, pq.Array(u.SiteIDs))
	return err
}

// UpdateUserInput changes a user: name, role, sites, team, active.
type UpdateUserInput struct {
	UserID          shop.UserID
	ExpectedVersion *int
	Name            *string
	ShortName       *string
	Role            *shop.Role
	Active          *bool
	SiteIDs         []shop.SiteID
	TeamID          *shop.TeamID
	LeaveTeam       *bool
	IdempotencyKey  *string
}

// UpdateUser changes a user (see shop.EditUser). A deactivated user's
// tokens stop working at once here, and on every instance's open sockets
// within the token re-check interval. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT.
func (d *DB) UpdateUser(ctx context.Context, in UpdateUserInput) (*shop.User, error) {
	u, err := mutate(d, ctx, "updateUser", deref(in.IdempotencyKey), in, func(c *change) (*shop.User, error) {
		u, err := lockUser(c, in.UserID, "userId")
		if err != nil {
			return nil, err
		}
		if err := checkVersion("user", in.ExpectedVersion, u.Version); err != nil {
			return nil, err
		}
		current, err := teamByID(c, u.TeamID, "teamId")
		if err != nil && shop.ErrorCode(err) != shop.ENOTFOUND {
			return nil, err
		}
		ch := shop.UserChanges{Name: in.Name, ShortName: in.ShortName, Role: in.Role, Active: in.Active, SiteIDs: in.SiteIDs}
		ch.LeaveTeam = in.LeaveTeam != nil && *in.LeaveTeam
		if ch.Team, err = teamByID(c, in.TeamID, "teamId"); err != nil {
			return nil, err
		}
		var leads bool
		if err := c.tx.GetContext(c.ctx, &leads, `SELECT EXISTS (SELECT 1 FROM teams WHERE lead_id = $1)`, u.ID); err != nil {
			return nil, err
		}
		next, ev, err := shop.EditUser(c.actor, *u, ch, current, leads)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE users SET name = $2, short_name = $3, role = $4, active = $5, team = $6, team_id = $7, version = $8
			WHERE id = $1`, next.ID, next.Name, next.ShortName, next.Role, next.Active, next.Team, next.TeamID, next.Version); err != nil {
			return nil, err
		}
		if in.SiteIDs != nil {
			if err := saveUserSites(c, &next); err != nil {
				return nil, err
			}
		}
		return &next, userEvents(c, ev, next.SiteIDs)
	})
	if err == nil {
		d.tokens.clear() // a cached actor of this user carries the old role, sites or active flag
	}
	return u, err
}

// Token is an issued token without its secret: what it is for, when
// it expires, whether it was revoked.
type Token struct {
	ID        shop.TokenID
	UserID    shop.UserID
	Label     string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
	IssuedBy  *shop.UserID
}

const tokenColumns = `id, user_id, label, created_at, expires_at, revoked_at, issued_by`

// IssuedToken is a new token with its secret, shown once.
type IssuedToken struct {
	Token string
	Info  *Token
}

// IssueTokenInput issues a bearer token for a user.
type IssueTokenInput struct {
	UserID   shop.UserID
	TTLHours *int
	Label    *string
}

// IssueToken issues a bearer token for a user (see shop.IssueTokenFor),
// made as the CLI makes its tokens; only its hash is stored, and no
// idempotency key is taken, so the secret is never stored either. Errors:
// INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) IssueToken(ctx context.Context, in IssueTokenInput) (*IssuedToken, error) {
	return mutate(d, ctx, "issueToken", "", in, func(c *change) (*IssuedToken, error) {
		u, err := lockUser(c, in.UserID, "userId")
		if err != nil {
			return nil, err
		}
		ttl, label, ev, err := shop.IssueTokenFor(c.actor, *u, time.Duration(derefInt(in.TTLHours))*time.Hour, deref(in.Label))
		if err != nil {
			return nil, err
		}
		token, err := newToken()
		if err != nil {
			return nil, err
		}
		info := Token{UserID: u.ID, Label: label, CreatedAt: c.now, ExpiresAt: shop.TokenExpiry(c.now, ttl), IssuedBy: &c.actor.UserID}
		if err := c.tx.QueryRowContext(c.ctx, `
			INSERT INTO tokens (hash, user_id, label, created_at, expires_at, issued_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			HashToken(token), info.UserID, info.Label, info.CreatedAt, info.ExpiresAt, info.IssuedBy).Scan(&info.ID); err != nil {
			return nil, err
		}
		return &IssuedToken{Token: token, Info: &info}, userEvents(c, ev, u.SiteIDs)
	})
}

// RevokeTokenInput names the token to revoke.
type RevokeTokenInput struct {
	TokenID shop.TokenID
}

// RevokeTokenByID revokes a token (see shop.RevokeTokenOf): refused at once
// here, by other instances when their token cache forgets it, and its open
// websockets and streams are closed at their next token re-check, as a
// revocation by the CLI. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) RevokeTokenByID(ctx context.Context, in RevokeTokenInput) (*Token, error) {
	var hash []byte
	info, err := mutate(d, ctx, "revokeToken", "", in, func(c *change) (*Token, error) {
		var row struct {
			Token
			Hash []byte
		}
		err := c.tx.GetContext(c.ctx, &row, `SELECT `+tokenColumns+`, hash FROM tokens WHERE id = $1 FOR UPDATE`, in.TokenID)
		if isNoRows(err) {
			return nil, notFoundAt("tokenId", "No token with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		u, err := lockUser(c, row.UserID, "tokenId")
		if err != nil {
			return nil, err
		}
		ev, err := shop.RevokeTokenOf(c.actor, *u, row.Label, row.RevokedAt != nil)
		if err != nil {
			return nil, err
		}
		row.RevokedAt = &c.now
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE tokens SET revoked_at = $2 WHERE id = $1`, row.ID, c.now); err != nil {
			return nil, err
		}
		hash = row.Hash
		return &row.Token, userEvents(c, ev, u.SiteIDs)
	})
	if err == nil {
		d.tokens.drop(string(hash))
	}
	return info, err
}

// FindTokens lists a user's tokens, newest first, for who may manage the
// user or the user themselves. Errors: FORBIDDEN, NOT_FOUND.
func (d *DB) FindTokens(ctx context.Context, user shop.UserID) ([]*Token, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if a.UserID != user {
		var sites pq.Int64Array
		if err := d.db.GetContext(ctx, &sites, `SELECT COALESCE(array_agg(site_id), '{}') FROM user_sites WHERE user_id = $1`, user); err != nil {
			return nil, translate(err)
		}
		for _, s := range sites {
			if err := shop.Authorize(a, shop.SiteID(s), shop.ActMasterData); err != nil {
				return nil, err
			}
		}
		if len(sites) == 0 && a.Role != shop.RoleAdmin {
			return nil, notFound("user")
		}
	}
	var out []*Token
	err = d.db.SelectContext(ctx, &out, `SELECT `+tokenColumns+` FROM tokens WHERE user_id = $1 ORDER BY id DESC`, user)
	return out, translate(err)
}

// clear forgets every cached actor: after a change to users, teams or
// sites, so this instance answers from the database at once.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}

// FindTeamMembers lists a team's users by name.
func (d *DB) FindTeamMembers(ctx context.Context, team *shop.Team) ([]*shop.User, error) {
	if _, err := authorize(ctx, team.SiteID, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*userRow
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+userColumns+` FROM users u WHERE u.team_id = $1 ORDER BY u.name`, team.ID); err != nil {
		return nil, translate(err)
	}
	out := make([]*shop.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}
