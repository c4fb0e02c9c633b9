package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

// The follow-up commands after delivery. Each loads and locks its records,
// calls its decision in shop/followup.go, saves what the decision returns
// and appends its events, in one transaction.

const callbackColumns = `id, site_id, order_id, customer_id, advisor_id, seq, due_on, state, attempts, first_attempt_at,
	last_attempt_at, reached, satisfaction, remarks, problem, fallback, done_by, done_at, version, created_at`

const complaintColumns = `id, site_id, customer_id, order_id, callback_id, owner_id, description, state, promised_answer_at,
	opened_at, escalated_at, supervisor_id, resolution, closed_at, closed_by, check_due_on, checked_at, satisfied, version`

const planColumns = `id, site_id, vehicle_id, kind, due_on, due_mileage, state, created_by, created_at`

const reminderColumns = `id, site_id, plan_id, step, channel, due_on, done_at, done_by, outcome, missed_at`

// scheduleAfterDelivery is DeliverVehicle's hook: it saves the order's two
// callbacks and, when a next service date was told, the service plan with
// its reminders (shop.ScheduleCallbacks), in the delivery's transaction.
func scheduleAfterDelivery(c *change, o *shop.Order, nextService *time.Time, nextKm *int) error {
	var row struct {
		CustomerID shop.CustomerID
		VehicleID  shop.VehicleID
	}
	if err := c.tx.GetContext(c.ctx, &row, `SELECT customer_id, vehicle_id FROM visits WHERE id = $1`, o.VisitID); err != nil {
		return err
	}
	s, err := siteOf(c, o.SiteID, false)
	if err != nil {
		return err
	}
	plan := shop.ScheduleCallbacks(o, s, row.CustomerID, row.VehicleID, nextService, nextKm, c.actor.UserID, c.now)
	first, second := plan.Callbacks[0], plan.Callbacks[1]
	if _, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO callbacks (site_id, order_id, customer_id, advisor_id, seq, due_on, state, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($1, $2, $3, $4, $9, $10, $11, $8)
		ON CONFLICT (order_id, seq) DO NOTHING`,
		first.SiteID, first.OrderID, first.CustomerID, first.AdvisorID, first.Seq, first.DueOn, first.State, first.CreatedAt,
		second.Seq, second.DueOn, second.State); err != nil {
		return err
	}
	if err := c.event(plan.Event); err != nil {
		return err
	}
	if plan.Plan == nil {
		return nil
	}
	inserted, err := insertPlan(c, plan.Plan)
	if err != nil || !inserted {
		return err // not inserted: another order of the visit planned the same service
	}
	return c.event(plan.PlanEvent)
}

// insertPlan saves a new service plan and its reminder tasks; inserted is
// false when the vehicle has a plan of that kind that day already.
func insertPlan(c *change, p *shop.ServicePlan) (inserted bool, err error) {
	res := c.tx.QueryRowxContext(c.ctx, `
		INSERT INTO service_plans (site_id, vehicle_id, kind, due_on, due_mileage, state, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (vehicle_id, kind, due_on) DO NOTHING RETURNING id`,
		p.SiteID, p.VehicleID, p.Kind, p.DueOn, p.DueMileage, p.State, p.CreatedBy, p.CreatedAt)
	if err := res.Scan(&p.ID); isNoRows(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	for _, r := range shop.PlanReminders(p) {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO reminders (site_id, plan_id, step, channel, due_on) VALUES ($1, $2, $3, $4, $5)`,
			r.SiteID, r.PlanID, r.Step, r.Channel, r.DueOn); err != nil {
			return false, err
		}
	}
	return true, nil
}

// siteOf reads a site in the change's transaction, locked with forUpdate.
func siteOf(c *change, id shop.SiteID, forUpdate bool) (*shop.Site, error) {
	q := `SELECT ` + siteColumns + ` FROM sites WHERE id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	var s shop.Site
	err := c.tx.GetContext(c.ctx, &s, q, id)
	if isNoRows(err) {
		return nil, missingAt("siteId", "site")
	}
	return &s, err
}

// RecordCallbackInput records one try of a callback (回访电话记录).
type RecordCallbackInput struct {
	CallbackID      shop.CallbackID
	ExpectedVersion *int
	Reached         bool
	Satisfaction    *int
	Remarks         *string
	// Problem flags a problem the customer raised: it becomes a complaint owned
	// by the caller (first-contact responsibility).
	Problem            *bool
	ProblemDescription *string
	PromisedAnswerAt   *time.Time
	IdempotencyKey     *string
}

// CallbackResult is a recorded callback and the complaint it opened, if any.
type CallbackResult struct {
	Callback  *shop.Callback
	Complaint *shop.Complaint
}

// RecordCallback records a try: reached with the satisfaction score, or not
// reached (after repeated tries over 5 days the customer gets a message or a
// letter instead). Finishing the first callback sets the second's day. The
// rules are shop.RecordCallback's. Errors: INVALID, NOT_FOUND, FORBIDDEN (e.g.
// the customer's own advisor where the site forbids it), INVALID_TRANSITION,
// CONFLICT.
func (d *DB) RecordCallback(ctx context.Context, in RecordCallbackInput) (*CallbackResult, error) {
	return mutate(d, ctx, "recordCallback", deref(in.IdempotencyKey), in, func(c *change) (*CallbackResult, error) {
		cb, o, site, err := lockCallback(c, in.CallbackID, shop.ActCallback)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("callback", in.ExpectedVersion, cb.Version); err != nil {
			return nil, err
		}
		var phone string
		if err := c.tx.GetContext(c.ctx, &phone, `SELECT phone FROM customers WHERE id = $1`, cb.CustomerID); err != nil {
			return nil, err
		}
		rec, err := shop.RecordCallback(*cb, o, site, phone, shop.CallbackTry{Reached: in.Reached, Satisfaction: in.Satisfaction,
			Remarks: deref(in.Remarks), Problem: in.Problem != nil && *in.Problem, ProblemDescription: deref(in.ProblemDescription),
			PromisedAnswerAt: in.PromisedAnswerAt}, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		out := &CallbackResult{Callback: &rec.Callback}
		if err := saveCallback(c, out.Callback); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO callback_attempts (callback_id, reached, notes, by_user, at) VALUES ($1, $2, $3, $4, $5)`,
			cb.ID, in.Reached, rec.Callback.Remarks, c.actor.UserID, c.now); err != nil {
			return nil, err
		}
		if rec.SecondDueOn != nil {
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE callbacks SET due_on = $2, version = version + 1 WHERE order_id = $1 AND seq = 2 AND state = 'DUE'`,
				cb.OrderID, *rec.SecondDueOn); err != nil {
				return nil, err
			}
		}
		if rec.Complaint != nil {
			out.Complaint = rec.Complaint
			if err := insertComplaint(c, out.Complaint); err != nil {
				return nil, err
			}
		}
		for _, ev := range rec.Events {
			if err := c.event(ev); err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

// saveCallback writes a callback's outcome, one version on.
func saveCallback(c *change, cb *shop.Callback) error {
	cb.Version++
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE callbacks SET state = $2, attempts = $3, first_attempt_at = $4, last_attempt_at = $5, reached = $6,
			satisfaction = $7, remarks = $8, problem = $9, fallback = $10, done_by = $11, done_at = $12, version = $13
		WHERE id = $1`, cb.ID, cb.State, cb.Attempts, cb.FirstAttemptAt, cb.LastAttemptAt, cb.Reached, cb.Satisfaction,
		cb.Remarks, cb.Problem, cb.Fallback, cb.DoneBy, cb.DoneAt, cb.Version)
	return err
}

// lockCallback reads a callback, its order and site, and checks access.
// Errors: NOT_FOUND, FORBIDDEN.
func lockCallback(c *change, id shop.CallbackID, act shop.Action) (*shop.Callback, *shop.Order, *shop.Site, error) {
	var orderID shop.OrderID
	err := c.tx.GetContext(c.ctx, &orderID, `SELECT order_id FROM callbacks WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, nil, nil, missingAt("callbackId", "callback")
	} else if err != nil {
		return nil, nil, nil, err
	}
	o, err := lockOrder(c, orderID, act, nil)
	if err != nil {
		if shop.ErrorCode(err) == shop.ENOTFOUND {
			return nil, nil, nil, missingAt("callbackId", "callback")
		}
		return nil, nil, nil, err
	}
	var cb shop.Callback
	if err := c.tx.GetContext(c.ctx, &cb, `SELECT `+callbackColumns+` FROM callbacks WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, nil, nil, err
	}
	s, err := siteOf(c, o.SiteID, false)
	if err != nil {
		return nil, nil, nil, err
	}
	return &cb, o, s, nil
}

// insertComplaint saves a new complaint and gives it its ID.
func insertComplaint(c *change, k *shop.Complaint) error {
	return c.tx.GetContext(c.ctx, &k.ID, `
		INSERT INTO complaints (site_id, customer_id, order_id, callback_id, owner_id, description, state, promised_answer_at, opened_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		k.SiteID, k.CustomerID, k.OrderID, k.CallbackID, k.OwnerID, k.Description, k.State, k.PromisedAnswerAt, k.OpenedAt)
}

// complaintOrder reads what a complaint's events say of its order (visit and
// advisor, for the advisor's feed); nil when it names none.
func complaintOrder(ctx context.Context, q queryer, k *shop.Complaint) (*shop.Order, error) {
	if k.OrderID == nil {
		return nil, nil
	}
	var o shop.Order
	err := q.GetContext(ctx, &o, `SELECT id, site_id, visit_id, advisor_id FROM repair_orders WHERE id = $1`, *k.OrderID)
	if isNoRows(err) {
		return nil, nil
	}
	return &o, err
}

// OpenComplaintInput records a complaint taken by the caller, who owns it.
type OpenComplaintInput struct {
	CustomerID       shop.CustomerID
	OrderID          *shop.OrderID
	Description      string
	PromisedAnswerAt *time.Time
	IdempotencyKey   *string
}

// OpenComplaint records a complaint (投诉), as shop.OpenComplaint decides.
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) OpenComplaint(ctx context.Context, in OpenComplaintInput) (*shop.Complaint, error) {
	return mutate(d, ctx, "openComplaint", deref(in.IdempotencyKey), in, func(c *change) (*shop.Complaint, error) {
		var site shop.SiteID
		err := c.tx.GetContext(c.ctx, &site, `SELECT site_id FROM customers WHERE id = $1`, in.CustomerID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(site)) {
			return nil, missingAt("customerId", "customer")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, site, shop.ActComplaint); err != nil {
			return nil, err
		}
		var o *shop.Order
		if in.OrderID != nil {
			var row shop.Order
			err := c.tx.GetContext(c.ctx, &row, `
				SELECT o.id, o.site_id, o.visit_id, o.advisor_id FROM repair_orders o JOIN visits v ON v.id = o.visit_id
				WHERE o.id = $1 AND v.customer_id = $2`, *in.OrderID, in.CustomerID)
			if err == nil {
				o = &row
			} else if !isNoRows(err) {
				return nil, err
			}
		}
		k, ev, err := shop.OpenComplaint(shop.ComplaintInput{SiteID: site, CustomerID: in.CustomerID, OrderID: in.OrderID,
			Description: in.Description, PromisedAnswerAt: in.PromisedAnswerAt}, o, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		if err := insertComplaint(c, &k); err != nil {
			return nil, err
		}
		return &k, c.event(ev)
	})
}

// siteSupervisor returns the site's service manager who takes escalations.
func siteSupervisor(ctx context.Context, q queryer, site shop.SiteID) (*shop.UserID, error) {
	var ids []shop.UserID
	if err := q.SelectContext(ctx, &ids, `
		SELECT u.id FROM users u JOIN user_sites s ON s.user_id = u.id
		WHERE s.site_id = $1 AND u.role = 'SERVICE_MANAGER' AND u.active ORDER BY u.id LIMIT 1`, site); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}

// ComplaintActionInput moves a complaint: escalate, close with a resolution,
// or record the satisfaction check a week after closing.
type ComplaintActionInput struct {
	ComplaintID     shop.ComplaintID
	ExpectedVersion *int
	// Resolution is required to close.
	Resolution *string
	// Satisfied is required for the satisfaction check.
	Satisfied      *bool
	Note           *string
	IdempotencyKey *string
}

// complaintLoad is what a complaint's decision gets: the complaint, its
// order (nil when it names none), its site's supervisor and time zone.
type complaintLoad struct {
	k          shop.Complaint
	o          *shop.Order
	supervisor *shop.UserID
	loc        *time.Location
}

// complaintStep loads and locks a complaint, authorises, checks the
// version, calls decide and saves what it returns with its event.
func (d *DB) complaintStep(ctx context.Context, op string, in ComplaintActionInput,
	decide func(c *change, l *complaintLoad) (shop.Complaint, shop.Event, error)) (*shop.Complaint, error) {
	return mutate(d, ctx, op, deref(in.IdempotencyKey), in, func(c *change) (*shop.Complaint, error) {
		l := &complaintLoad{}
		err := c.tx.GetContext(c.ctx, &l.k, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1 FOR UPDATE`, in.ComplaintID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(l.k.SiteID)) {
			return nil, missingAt("complaintId", "complaint")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, l.k.SiteID, shop.ActComplaint); err != nil {
			return nil, err
		}
		if err := checkVersion("complaint", in.ExpectedVersion, l.k.Version); err != nil {
			return nil, err
		}
		s, err := siteOf(c, l.k.SiteID, false)
		if err != nil {
			return nil, err
		}
		l.loc = s.Location()
		if l.supervisor, err = siteSupervisor(c.ctx, c.tx, l.k.SiteID); err != nil {
			return nil, err
		}
		if l.o, err = complaintOrder(c.ctx, c.tx, &l.k); err != nil {
			return nil, err
		}
		k, ev, err := decide(c, l)
		if err != nil {
			return nil, err
		}
		k.Version++
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE complaints SET state = $2, escalated_at = $3, supervisor_id = $4, resolution = $5, closed_at = $6,
				closed_by = $7, check_due_on = $8, checked_at = $9, satisfied = $10, version = $11
			WHERE id = $1`, k.ID, k.State, k.EscalatedAt, k.SupervisorID, k.Resolution, k.ClosedAt, k.ClosedBy, k.CheckDueOn,
			k.CheckedAt, k.Satisfied, k.Version); err != nil {
			return nil, err
		}
		return &k, c.event(ev)
	})
}

// EscalateComplaint hands a complaint the owner cannot solve to the supervisor.
// Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) EscalateComplaint(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "escalateComplaint", in, func(c *change, l *complaintLoad) (shop.Complaint, shop.Event, error) {
		return shop.EscalateComplaint(l.k, l.o, l.supervisor, c.now)
	})
}

// CloseComplaint records the resolution; the satisfaction check is due a week later.
// Only the owner, the supervisor it went to, or a manager may close it.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) CloseComplaint(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "closeComplaint", in, func(c *change, l *complaintLoad) (shop.Complaint, shop.Event, error) {
		return shop.CloseComplaint(l.k, l.o, c.actor, deref(in.Resolution), l.loc, c.now)
	})
}

// CheckComplaintSatisfaction records the check a week after closing: satisfied
// closes it for good; not satisfied sends it to the supervisor.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) CheckComplaintSatisfaction(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "checkComplaintSatisfaction", in, func(c *change, l *complaintLoad) (shop.Complaint, shop.Event, error) {
		return shop.CheckComplaintSatisfaction(l.k, l.o, in.Satisfied, l.supervisor, l.loc, c.now)
	})
}

// RunFollowUpRules applies the time-based rules at the clock's now: a
// CALLBACK_DUE event once per callback when its local day comes, and
// COMPLAINT_ESCALATED for complaints still with their owner two days after
// they were opened (shop.EscalateLateComplaint), and FOLLOW_UP_MISSED for
// callbacks and reminder tasks past their window (expireFollowUps). Safe to run from every
// instance at once; the realtime hub calls it next to MarkLateOrders. It
// returns how many events it wrote.
func (d *DB) RunFollowUpRules(ctx context.Context) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		// Callbacks whose day may have come somewhere: no time zone is more
		// than a day ahead of UTC. shop.CallbackDueNow decides in the site's.
		var maybe []*shop.Callback
		if err := tx.SelectContext(ctx, &maybe, `
			SELECT `+callbackColumns+` FROM callbacks
			WHERE state = 'DUE' AND due_notified_on IS NULL AND due_on <= $1
			ORDER BY id FOR UPDATE SKIP LOCKED`, shop.LocalDate(now, time.UTC).AddDate(0, 0, 1)); err != nil {
			return err
		}
		var evs []shop.Event
		if len(maybe) > 0 {
			zones, visits, err := callbackPlaces(ctx, tx, maybe)
			if err != nil {
				return err
			}
			var told []shop.CallbackID
			for _, cb := range maybe {
				if shop.CallbackDueNow(cb, now, shop.Zone(zones[cb.SiteID])) {
					told = append(told, cb.ID)
					evs = append(evs, shop.CallbackDueEvent(cb, visits[cb.OrderID]))
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET due_notified_on = due_on WHERE id = ANY($1)`, pq.Array(told)); err != nil {
				return err
			}
		}
		var late []*shop.Complaint
		if err := tx.SelectContext(ctx, &late, `
			SELECT `+complaintColumns+` FROM complaints
			WHERE state = 'OPEN' AND opened_at <= $1 ORDER BY id FOR UPDATE SKIP LOCKED`, now.Add(-shop.ComplaintEscalateAfter)); err != nil {
			return err
		}
		for _, k := range late {
			sup, err := siteSupervisor(ctx, tx, k.SiteID)
			if err != nil {
				return err
			}
			o, err := complaintOrder(ctx, tx, k)
			if err != nil {
				return err
			}
			k2, ev, ok := shop.EscalateLateComplaint(*k, o, sup, now)
			if !ok {
				continue
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE complaints SET state = $2, escalated_at = $3, supervisor_id = $4, version = version + 1 WHERE id = $1`,
				k2.ID, k2.State, k2.EscalatedAt, k2.SupervisorID); err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		missed, err := expireFollowUps(ctx, tx, now)
		if err != nil {
			return err
		}
		evs = append(evs, missed...)
		n = len(evs)
		return clockEvents(ctx, tx, now, evs)
	})
	return n, err
}

// callbackPlaces returns the time zones of the callbacks' sites and the
// visits of their orders.
func callbackPlaces(ctx context.Context, tx *sqlx.Tx, cbs []*shop.Callback) (map[shop.SiteID]string, map[shop.OrderID]shop.VisitID, error) {
	var sites []shop.SiteID
	var orders []shop.OrderID
	for _, cb := range cbs {
		sites, orders = append(sites, cb.SiteID), append(orders, cb.OrderID)
	}
	var zs []struct {
		ID       shop.SiteID
		TimeZone string
	}
	if err := tx.SelectContext(ctx, &zs, `SELECT id, time_zone FROM sites WHERE id = ANY($1)`, pq.Array(sites)); err != nil {
		return nil, nil, err
	}
	var vs []struct {
		ID      shop.OrderID
		VisitID shop.VisitID
	}
	if err := tx.SelectContext(ctx, &vs, `SELECT id, visit_id FROM repair_orders WHERE id = ANY($1)`, pq.Array(orders)); err != nil {
		return nil, nil, err
	}
	zones, visits := make(map[shop.SiteID]string, len(zs)), make(map[shop.OrderID]shop.VisitID, len(vs))
	for _, z := range zs {
		zones[z.ID] = z.TimeZone
	}
	for _, v := range vs {
		visits[v.ID] = v.VisitID
	}
	return zones, visits, nil
}

// CreateServicePlanInput plans a vehicle's next service by date and mileage.
type CreateServicePlanInput struct {
	VehicleID      shop.VehicleID
	Kind           shop.PlanKind
	DueOn          time.Time
	DueMileage     *int
	IdempotencyKey *string
}

// CreateServicePlan plans a service (shop.PlanService) and generates its
// reminder tasks. Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) CreateServicePlan(ctx context.Context, in CreateServicePlanInput) (*shop.ServicePlan, error) {
	return mutate(d, ctx, "createServicePlan", deref(in.IdempotencyKey), in, func(c *change) (*shop.ServicePlan, error) {
		var v struct {
			SiteID   shop.SiteID
			TimeZone string
		}
		err := c.tx.GetContext(c.ctx, &v, `SELECT v.site_id, s.time_zone FROM vehicles v JOIN sites s ON s.id = v.site_id WHERE v.id = $1`, in.VehicleID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(v.SiteID)) {
			return nil, missingAt("vehicleId", "vehicle")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, v.SiteID, shop.ActCallback); err != nil {
			return nil, err
		}
		today := shop.LocalDate(c.now, shop.Zone(v.TimeZone))
		p, ev, err := shop.PlanService(shop.PlanInput{SiteID: v.SiteID, VehicleID: in.VehicleID, Kind: in.Kind, DueOn: in.DueOn,
			DueMileage: in.DueMileage}, today, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		inserted, err := insertPlan(c, &p)
		if err != nil {
			return nil, err
		} else if !inserted {
			return nil, shop.ErrServicePlanned()
		}
		return &p, c.event(ev)
	})
}

// RecordReminderInput records that a reminder was sent or the call made.
type RecordReminderInput struct {
	ReminderID     shop.ReminderID
	Outcome        string
	IdempotencyKey *string
}

// RecordReminder marks a reminder task done (shop.RecordReminder).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION (already done).
func (d *DB) RecordReminder(ctx context.Context, in RecordReminderInput) (*shop.Reminder, error) {
	return mutate(d, ctx, "recordReminder", deref(in.IdempotencyKey), in, func(c *change) (*shop.Reminder, error) {
		var r shop.Reminder
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+reminderColumns+` FROM reminders WHERE id = $1 FOR UPDATE`, in.ReminderID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, missingAt("reminderId", "reminder")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActCallback); err != nil {
			return nil, err
		}
		r2, ev, err := shop.RecordReminder(r, in.Outcome, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE reminders SET done_at = $2, done_by = $3, outcome = $4 WHERE id = $1`,
			r2.ID, r2.DoneAt, r2.DoneBy, r2.Outcome); err != nil {
			return nil, err
		}
		return &r2, c.event(ev)
	})
}

// siteDay authorises act on site and returns the site's time zone.
func (d *DB) siteDay(ctx context.Context, site shop.SiteID, act shop.Action) (*shop.Site, error) {
	_, err := authorize(ctx, site, act)
	if err != nil {
		return nil, err
	}
	return d.site(ctx, site)
}

// Today returns the local day of the clock's now at a site.
func (d *DB) Today(s *shop.Site) time.Time { return shop.LocalDate(d.Now(), s.Location()) }

// FindCallbacksDue lists a page of a site's callbacks due on local day day
// or earlier and not yet finished, soonest first: the callback staff's list.
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindCallbacksDue(ctx context.Context, site shop.SiteID, day time.Time, page Page) ([]*shop.Callback, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*shop.Callback
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+callbackColumns+` FROM callbacks WHERE site_id = $1 AND state = 'DUE' AND due_on <= $2
		  AND ($3::BIGINT IS NULL OR (due_on, id) > (SELECT due_on, id FROM callbacks WHERE id = $3))
		ORDER BY due_on, id LIMIT $4`, site, shop.LocalDate(day, time.UTC), page.after(), page.limit())
	return rows, translate(err)
}

// FindCallbacksByOrderIDs returns the callbacks of orders in one statement.
func (d *DB) FindCallbacksByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.Callback, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Callback
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+callbackColumns+` FROM callbacks WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY seq`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.OrderID][]*shop.Callback{}
	for _, cb := range rows {
		out[cb.OrderID] = append(out[cb.OrderID], cb)
	}
	return out, nil
}

// ComplaintFilter selects a site's complaints.
type ComplaintFilter struct {
	SiteID     shop.SiteID
	States     []shop.ComplaintState
	CustomerID *shop.CustomerID
	// CheckDueBy keeps closed complaints whose satisfaction check is due by that local day.
	CheckDueBy *time.Time
	Page       Page
}

// FindComplaints lists a page of complaints, oldest first. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindComplaints(ctx context.Context, f ComplaintFilter) ([]*shop.Complaint, error) {
	if _, err := d.siteDay(ctx, f.SiteID, shop.ActRead); err != nil {
		return nil, err
	}
	states := make([]string, len(f.States))
	for i, s := range f.States {
		states[i] = string(s)
	}
	var checkBy *time.Time
	if f.CheckDueBy != nil {
		t := shop.LocalDate(*f.CheckDueBy, time.UTC)
		checkBy = &t
	}
	var rows []*shop.Complaint
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+complaintColumns+` FROM complaints
		WHERE site_id = $1 AND (cardinality($2::TEXT[]) = 0 OR state = ANY($2)) AND ($3::BIGINT IS NULL OR customer_id = $3)
		  AND ($4::DATE IS NULL OR (state = 'CLOSED' AND check_due_on <= $4))
		  AND ($5::BIGINT IS NULL OR (opened_at, id) > (SELECT opened_at, id FROM complaints WHERE id = $5))
		ORDER BY opened_at, id LIMIT $6`, f.SiteID, pq.Array(states), f.CustomerID, checkBy, f.Page.after(), f.Page.limit())
	return rows, translate(err)
}

// DueReminder is a reminder task with its plan, and what made it due.
type DueReminder struct {
	Reminder *shop.Reminder
	Plan     *shop.ServicePlan
	// ServiceDueOn is the plan's effective day: its date, or earlier when the
	// car's estimated mileage reaches the plan's first (ByMileage).
	ServiceDueOn time.Time
	ByMileage    bool
	// EstimatedMileage is the car's odometer estimated today from its visit
	// history, for plans due by mileage; nil when unknown.
	EstimatedMileage *int
}

// FindRemindersDue returns the reminder tasks to do on local day day: of each
// open plan, the latest step whose day has come, if not yet done nor
// missed. A plan with a service mileage is due by date or by mileage,
// whichever comes first (shop.EffectiveDue, from the car's odometer
// readings); its steps move with it. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindRemindersDue(ctx context.Context, site shop.SiteID, day time.Time) ([]*DueReminder, error) {
	s, err := d.siteDay(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	today := shop.LocalDate(day, time.UTC)
	var plans []*shop.ServicePlan
	if err := d.db.SelectContext(ctx, &plans, `
		SELECT `+planColumns+` FROM service_plans
		WHERE site_id = $1 AND state = 'OPEN' AND due_on >= $2 AND (due_on - $3::INT <= $2 OR due_mileage IS NOT NULL)
		ORDER BY due_on, id`,
		site, today, shop.ReminderLeadDays()); err != nil {
		return nil, translate(err)
	}
	if len(plans) == 0 {
		return []*DueReminder{}, nil
	}
	dues, err := planDues(ctx, d.db, plans, func(shop.SiteID) *time.Location { return s.Location() }, today)
	if err != nil {
		return nil, translate(err)
	}
	ids := make([]shop.ServicePlanID, len(plans))
	byID, due := map[shop.ServicePlanID]*shop.ServicePlan{}, map[shop.ServicePlanID]time.Time{}
	for i, p := range plans {
		ids[i], byID[p.ID], due[p.ID] = p.ID, p, dues[p.ID].Due
	}
	var stored []*shop.Reminder
	if err := d.db.SelectContext(ctx, &stored, `SELECT `+reminderColumns+` FROM reminders WHERE plan_id = ANY($1) ORDER BY plan_id, step`, pq.Array(ids)); err != nil {
		return nil, translate(err)
	}
	// Each plan's steps move to its effective day; the stored rows keep the
	// date's, so a later reading can move them again.
	var rs []*shop.Reminder
	for i := 0; i < len(stored); {
		j := i
		for j < len(stored) && stored[j].PlanID == stored[i].PlanID {
			j++
		}
		p := byID[stored[i].PlanID]
		rs = append(rs, shop.ShiftReminders(stored[i:j], p, due[p.ID])...)
		i = j
	}
	out := []*DueReminder{}
	for _, r := range shop.RemindersDue(rs, due, today) {
		pd := dues[r.PlanID]
		out = append(out, &DueReminder{Reminder: r, Plan: byID[r.PlanID], ServiceDueOn: pd.Due, ByMileage: pd.ByMileage, EstimatedMileage: pd.Km})
	}
	return out, nil
}

// Invitation is a vehicle not seen for 3 months or more (招揽).
type Invitation struct {
	CustomerID  shop.CustomerID
	VehicleID   shop.VehicleID
	LastVisitAt time.Time
}

// FindInvitations lists a page of the site's vehicles whose last visit was
// 3 months or more before local day day and that are not with us now,
// longest absent first; page.After is a vehicle ID. Errors: NOT_FOUND,
// FORBIDDEN.
func (d *DB) FindInvitations(ctx context.Context, site shop.SiteID, day time.Time, page Page) ([]*Invitation, error) {
	s, err := d.siteDay(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	cutoff := shop.InvitationCutoff(shop.LocalDate(day, time.UTC), s.Location())
	var rows []*Invitation
	err = d.db.SelectContext(ctx, &rows, `
		SELECT v.customer_id, v.id AS vehicle_id, max(vi.received_at) AS last_visit_at
		FROM vehicles v JOIN visits vi ON vi.vehicle_id = v.id
		WHERE v.site_id = $1
		GROUP BY v.id, v.customer_id
		HAVING max(vi.received_at) < $2 AND bool_and(vi.delivered_at IS NOT NULL)
		  AND ($3::BIGINT IS NULL OR (max(vi.received_at), v.id) > ((SELECT max(received_at) FROM visits WHERE vehicle_id = $3), $3))
		ORDER BY last_visit_at, v.id LIMIT $4`, site, cutoff, page.after(), page.limit())
	return rows, translate(err)
}

// FindCallbackByID returns a callback of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindCallbackByID(ctx context.Context, id shop.CallbackID) (*shop.Callback, error) {
	return findOne[shop.Callback](d, ctx, `SELECT `+callbackColumns+` FROM callbacks WHERE id = $1 AND site_id = ANY($2)`, id, "callback")
}

// FindRemindersByPlan returns a plan's reminder tasks, step 1 first.
func (d *DB) FindRemindersByPlan(ctx context.Context, id shop.ServicePlanID) ([]*shop.Reminder, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Reminder
	err = d.db.SelectContext(ctx, &rows, `SELECT `+reminderColumns+` FROM reminders WHERE plan_id = $1 AND site_id = ANY($2) ORDER BY step`,
		id, pq.Array(a.SiteIDs))
	return rows, translate(err)
}
