package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"bayboard/shop"
)

const callbackColumns = `id, site_id, order_id, customer_id, advisor_id, seq, due_on, state, attempts, first_attempt_at,
	last_attempt_at, reached, satisfaction, remarks, problem, fallback, done_by, done_at, version, created_at`

const complaintColumns = `id, site_id, customer_id, order_id, callback_id, owner_id, description, state, promised_answer_at,
	opened_at, escalated_at, supervisor_id, resolution, closed_at, closed_by, check_due_on, checked_at, satisfied, version`

const planColumns = `id, site_id, vehicle_id, kind, due_on, due_mileage, state, created_by, created_at`

const reminderColumns = `id, site_id, plan_id, step, channel, due_on, done_at, done_by, outcome`

// scheduleAfterDelivery is DeliverVehicle's hook: it schedules the order's
// two callbacks and, when a next service date was told, the service plan
// with its reminders, in the delivery's transaction.
func scheduleAfterDelivery(c *change, o *shop.Order, nextService *time.Time, nextKm *int) error {
	var row struct {
		CustomerID        shop.CustomerID
		VehicleID         shop.VehicleID
		TimeZone          string
		FirstCallbackDays int
	}
	if err := c.tx.GetContext(c.ctx, &row, `
		SELECT v.customer_id, v.vehicle_id, s.time_zone, s.first_callback_days
		FROM visits v JOIN sites s ON s.id = v.site_id WHERE v.id = $1`, o.VisitID); err != nil {
		return err
	}
	loc := (&shop.Site{TimeZone: row.TimeZone}).Location()
	first := shop.FirstCallbackDue(c.now, loc, row.FirstCallbackDays)
	second := first.AddDate(0, 0, shop.SecondCallbackDays)
	if _, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO callbacks (site_id, order_id, customer_id, advisor_id, seq, due_on, state, created_at)
		VALUES ($1, $2, $3, $4, 1, $5, 'DUE', $7), ($1, $2, $3, $4, 2, $6, 'DUE', $7)
		ON CONFLICT (order_id, seq) DO NOTHING`,
		o.SiteID, o.ID, row.CustomerID, o.AdvisorID, first, second, c.now); err != nil {
		return err
	}
	if err := c.event(orderEvent(o, shop.EventCallbacksScheduled, nil,
		"Callbacks scheduled: first on "+first.Format(time.DateOnly)+", second within 7 days of it")); err != nil {
		return err
	}
	if nextService == nil {
		return nil
	}
	due := shop.LocalDate(*nextService, time.UTC)
	if due.Before(shop.LocalDate(c.now, loc)) {
		return nil // a date already past plans nothing; the visit still records it
	}
	_, err := insertPlan(c, &shop.ServicePlan{SiteID: o.SiteID, VehicleID: row.VehicleID, Kind: shop.PlanRoutine, DueOn: due,
		DueMileage: nextKm, State: shop.PlanOpen, CreatedBy: c.actor.UserID, CreatedAt: c.now})
	if shop.ErrorCode(err) == shop.ECONFLICT {
		return nil // another order of the visit planned the same service
	}
	return err
}

func insertPlan(c *change, p *shop.ServicePlan) (*shop.ServicePlan, error) {
	res := c.tx.QueryRowxContext(c.ctx, `
		INSERT INTO service_plans (site_id, vehicle_id, kind, due_on, due_mileage, state, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (vehicle_id, kind, due_on) DO NOTHING RETURNING id`,
		p.SiteID, p.VehicleID, p.Kind, p.DueOn, p.DueMileage, p.State, p.CreatedBy, p.CreatedAt)
	if err := res.Scan(&p.ID); isNoRows(err) {
		return nil, &shop.Error{Code: shop.ECONFLICT, Field: "dueOn", Message: "This vehicle already has that service planned on that day."}
	} else if err != nil {
		return nil, err
	}
	for _, r := range shop.PlanReminders(p) {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO reminders (site_id, plan_id, step, channel, due_on) VALUES ($1, $2, $3, $4, $5)`,
			r.SiteID, r.PlanID, r.Step, r.Channel, r.DueOn); err != nil {
			return nil, err
		}
	}
	return p, c.event(shop.Event{SiteID: p.SiteID, Kind: shop.EventServicePlanned,
		Summary: fmt.Sprintf("%s service planned for %s", p.Kind, p.DueOn.Format(time.DateOnly))})
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
// letter instead). Finishing the first callback sets the second's day.
// Errors: INVALID, NOT_FOUND, FORBIDDEN (e.g. the customer's own advisor where
// the site forbids it), INVALID_TRANSITION, CONFLICT.
func (d *DB) RecordCallback(ctx context.Context, in RecordCallbackInput) (*CallbackResult, error) {
	return mutate(d, ctx, "recordCallback", deref(in.IdempotencyKey), in, func(c *change) (*CallbackResult, error) {
		cb, o, site, err := lockCallback(c, in.CallbackID, shop.ActCallback)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("callback", in.ExpectedVersion, cb.Version); err != nil {
			return nil, err
		}
		if err := shop.MayMakeCallback(site.CallbackSettings(), c.actor.UserID, cb.AdvisorID); err != nil {
			return nil, err
		}
		remarks, err := shop.CheckText("remarks", deref(in.Remarks), false, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		var phone string
		if err := c.tx.GetContext(c.ctx, &phone, `SELECT phone FROM customers WHERE id = $1`, cb.CustomerID); err != nil {
			return nil, err
		}
		problem := in.Problem != nil && *in.Problem
		loc := site.Location()
		if err := cb.RecordAttempt(shop.CallbackOutcome{Reached: in.Reached, Satisfaction: in.Satisfaction, Remarks: remarks,
			Problem: problem, HasMobile: isMobile(phone)}, c.actor.UserID, c.now, loc); err != nil {
			return nil, err
		}
		cb.Version++
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE callbacks SET state = $2, attempts = $3, first_attempt_at = $4, last_attempt_at = $5, reached = $6,
				satisfaction = $7, remarks = $8, problem = $9, fallback = $10, done_by = $11, done_at = $12, version = $13
			WHERE id = $1`, cb.ID, cb.State, cb.Attempts, cb.FirstAttemptAt, cb.LastAttemptAt, cb.Reached, cb.Satisfaction,
			cb.Remarks, cb.Problem, cb.Fallback, cb.DoneBy, cb.DoneAt, cb.Version); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO callback_attempts (callback_id, reached, notes, by_user, at) VALUES ($1, $2, $3, $4, $5)`,
			cb.ID, in.Reached, remarks, c.actor.UserID, c.now); err != nil {
			return nil, err
		}
		if cb.Seq == 1 && cb.State != shop.CallbackDue {
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE callbacks SET due_on = $2, version = version + 1 WHERE order_id = $1 AND seq = 2 AND state = 'DUE'`,
				cb.OrderID, shop.SecondCallbackDue(c.now, loc)); err != nil {
				return nil, err
			}
		}
		var summary string
		switch cb.State {
		case shop.CallbackDone:
			summary = fmt.Sprintf("Callback %d: reached, satisfaction %d/5", cb.Seq, *cb.Satisfaction)
		case shop.CallbackUnreachable:
			summary = fmt.Sprintf("Callback %d: unreachable after %d tries; send a %s", cb.Seq, cb.Attempts, strings.ToLower(string(*cb.Fallback)))
		default:
			summary = fmt.Sprintf("Callback %d: not reached (try %d)", cb.Seq, cb.Attempts)
		}
		if err := c.event(orderEvent(o, shop.EventCallbackRecorded, nil, summary)); err != nil {
			return nil, err
		}
		out := &CallbackResult{Callback: cb}
		if problem {
			desc, err := shop.CheckText("problemDescription", deref(in.ProblemDescription), true, shop.MaxLongText)
			if err != nil {
				return nil, err
			}
			cbID := cb.ID
			out.Complaint, err = openComplaint(c, o.SiteID, cb.CustomerID, &o.ID, &cbID, desc, in.PromisedAnswerAt)
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	})
}

func isMobile(phone string) bool {
	p := strings.TrimPrefix(phone, "+86")
	return len(p) == 11 && p[0] == '1'
}

// lockCallback reads a callback, its order and site, and checks access.
func lockCallback(c *change, id shop.CallbackID, act shop.Action) (*shop.Callback, *shop.Order, *shop.Site, error) {
	missing := &shop.Error{Code: shop.ENOTFOUND, Field: "callbackId", Message: "No callback with that ID exists."}
	var orderID shop.OrderID
	err := c.tx.GetContext(c.ctx, &orderID, `SELECT order_id FROM callbacks WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, nil, nil, missing
	} else if err != nil {
		return nil, nil, nil, err
	}
	o, err := lockOrder(c, orderID, act, nil)
	if err != nil {
		if shop.ErrorCode(err) == shop.ENOTFOUND {
			return nil, nil, nil, missing
		}
		return nil, nil, nil, err
	}
	var cb shop.Callback
	if err := c.tx.GetContext(c.ctx, &cb, `SELECT `+callbackColumns+` FROM callbacks WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, nil, nil, err
	}
	var s shop.Site
	if err := c.tx.GetContext(c.ctx, &s, `SELECT `+siteColumns+` FROM sites WHERE id = $1`, o.SiteID); err != nil {
		return nil, nil, nil, err
	}
	return &cb, o, &s, nil
}

// openComplaint records a complaint owned by the actor who took it.
func openComplaint(c *change, site shop.SiteID, customer shop.CustomerID, order *shop.OrderID, cb *shop.CallbackID,
	desc string, promised *time.Time) (*shop.Complaint, error) {
	at := c.now.Add(24 * time.Hour)
	if promised != nil {
		if err := shop.CheckPromisedAnswer(*promised, c.now); err != nil {
			return nil, err
		}
		at = promised.UTC()
	}
	k := &shop.Complaint{SiteID: site, CustomerID: customer, OrderID: order, CallbackID: cb, OwnerID: c.actor.UserID,
		Description: desc, State: shop.ComplaintOpen, PromisedAnswerAt: at, OpenedAt: c.now, Version: 1}
	if err := c.tx.GetContext(c.ctx, &k.ID, `
		INSERT INTO complaints (site_id, customer_id, order_id, callback_id, owner_id, description, state, promised_answer_at, opened_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		k.SiteID, k.CustomerID, k.OrderID, k.CallbackID, k.OwnerID, k.Description, k.State, k.PromisedAnswerAt, c.now); err != nil {
		return nil, err
	}
	return k, c.event(complaintEvent(c, k, shop.EventComplaintOpened,
		"Complaint opened; answer promised by "+at.Format(time.RFC3339)))
}

// complaintEvent builds a complaint's event; tied to its order (and the
// order's advisor, for the advisor's feed) when it has one. No personal data.
func complaintEvent(c *change, k *shop.Complaint, kind shop.EventKind, summary string) shop.Event {
	ev := shop.Event{SiteID: k.SiteID, Kind: kind, OrderID: k.OrderID, Summary: summary}
	if k.OrderID != nil {
		var o struct {
			VisitID   shop.VisitID
			AdvisorID shop.UserID
		}
		if err := c.tx.GetContext(c.ctx, &o, `SELECT visit_id, advisor_id FROM repair_orders WHERE id = $1`, *k.OrderID); err == nil {
			ev.VisitID, ev.AdvisorID = &o.VisitID, &o.AdvisorID
		}
	}
	return ev
}

// OpenComplaintInput records a complaint taken by the caller, who owns it.
type OpenComplaintInput struct {
	CustomerID       shop.CustomerID
	OrderID          *shop.OrderID
	Description      string
	PromisedAnswerAt *time.Time
	IdempotencyKey   *string
}

// OpenComplaint records a complaint (投诉). Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) OpenComplaint(ctx context.Context, in OpenComplaintInput) (*shop.Complaint, error) {
	return mutate(d, ctx, "openComplaint", deref(in.IdempotencyKey), in, func(c *change) (*shop.Complaint, error) {
		var site shop.SiteID
		err := c.tx.GetContext(c.ctx, &site, `SELECT site_id FROM customers WHERE id = $1`, in.CustomerID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(site)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "customerId", Message: "No customer with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, site, shop.ActComplaint); err != nil {
			return nil, err
		}
		if in.OrderID != nil {
			var n int
			if err := c.tx.GetContext(c.ctx, &n, `
				SELECT count(*) FROM repair_orders o JOIN visits v ON v.id = o.visit_id WHERE o.id = $1 AND v.customer_id = $2`,
				*in.OrderID, in.CustomerID); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "orderId", Message: "That repair order is not this customer's."}
			}
		}
		desc, err := shop.CheckText("description", in.Description, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		return openComplaint(c, site, in.CustomerID, in.OrderID, nil, desc, in.PromisedAnswerAt)
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

func (d *DB) complaintStep(ctx context.Context, op string, in ComplaintActionInput,
	action func(k *shop.Complaint) (shop.ComplaintAction, error),
	apply func(c *change, k *shop.Complaint, loc *time.Location) (shop.EventKind, string, error)) (*shop.Complaint, error) {
	return mutate(d, ctx, op, deref(in.IdempotencyKey), in, func(c *change) (*shop.Complaint, error) {
		var k shop.Complaint
		err := c.tx.GetContext(c.ctx, &k, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1 FOR UPDATE`, in.ComplaintID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(k.SiteID)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "complaintId", Message: "No complaint with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, k.SiteID, shop.ActComplaint); err != nil {
			return nil, err
		}
		if err := checkVersion("complaint", in.ExpectedVersion, k.Version); err != nil {
			return nil, err
		}
		act, err := action(&k)
		if err != nil {
			return nil, err
		}
		if k.State, err = shop.NextComplaintState(k.State, act); err != nil {
			return nil, err
		}
		var s shop.Site
		if err := c.tx.GetContext(c.ctx, &s, `SELECT `+siteColumns+` FROM sites WHERE id = $1`, k.SiteID); err != nil {
			return nil, err
		}
		kind, summary, err := apply(c, &k, s.Location())
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
		return &k, c.event(complaintEvent(c, &k, kind, summary))
	})
}

func escalate(c *change, k *shop.Complaint) error {
	sup, err := siteSupervisor(c.ctx, c.tx, k.SiteID)
	if err != nil {
		return err
	}
	k.EscalatedAt, k.SupervisorID = &c.now, sup
	return nil
}

// EscalateComplaint hands a complaint the owner cannot solve to the supervisor.
// Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) EscalateComplaint(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "escalateComplaint", in,
		func(*shop.Complaint) (shop.ComplaintAction, error) { return shop.ComplaintEscalate, nil },
		func(c *change, k *shop.Complaint, _ *time.Location) (shop.EventKind, string, error) {
			return shop.EventComplaintEscalated, "Complaint escalated to the supervisor", escalate(c, k)
		})
}

// CloseComplaint records the resolution; the satisfaction check is due a week later.
// Only the owner, the supervisor it went to, or a manager may close it.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) CloseComplaint(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "closeComplaint", in,
		func(*shop.Complaint) (shop.ComplaintAction, error) { return shop.ComplaintClose, nil },
		func(c *change, k *shop.Complaint, loc *time.Location) (shop.EventKind, string, error) {
			a := c.actor
			if a.UserID != k.OwnerID && (k.SupervisorID == nil || *k.SupervisorID != a.UserID) &&
				a.Role != shop.RoleServiceManager && a.Role != shop.RoleAdmin {
				return "", "", shop.Errorf(shop.EFORBIDDEN, "The complaint belongs to whoever took it first (首问责任制) or the supervisor it went to; they close it.")
			}
			res, err := shop.CheckText("resolution", deref(in.Resolution), true, shop.MaxLongText)
			if err != nil {
				return "", "", err
			}
			due := shop.ComplaintCheckDue(c.now, loc)
			k.Resolution, k.ClosedAt, k.ClosedBy, k.CheckDueOn = res, &c.now, &a.UserID, &due
			return shop.EventComplaintClosed, "Complaint closed; satisfaction check on " + due.Format(time.DateOnly), nil
		})
}

// CheckComplaintSatisfaction records the check a week after closing: satisfied
// closes it for good; not satisfied sends it to the supervisor.
func (d *DB) CheckComplaintSatisfaction(ctx context.Context, in ComplaintActionInput) (*shop.Complaint, error) {
	return d.complaintStep(ctx, "checkComplaintSatisfaction", in,
		func(*shop.Complaint) (shop.ComplaintAction, error) {
			if in.Satisfied == nil {
				return "", shop.FieldErrorf("satisfied", "Say whether the customer is satisfied.")
			}
			if *in.Satisfied {
				return shop.ComplaintCheckOK, nil
			}
			return shop.ComplaintCheckFailed, nil
		},
		func(c *change, k *shop.Complaint, loc *time.Location) (shop.EventKind, string, error) {
			if k.CheckDueOn != nil && shop.LocalDate(c.now, loc).Before(*k.CheckDueOn) {
				return "", "", shop.Errorf(shop.EINVALIDTRANSITION, "The satisfaction check is due on %s, a week after closing; it cannot be recorded before (CHECK).", k.CheckDueOn.Format(time.DateOnly))
			}
			k.CheckedAt, k.Satisfied = &c.now, in.Satisfied
			if *in.Satisfied {
				return shop.EventComplaintChecked, "Complaint checked: the customer is satisfied", nil
			}
			k.ClosedAt, k.ClosedBy, k.CheckDueOn = nil, nil, nil
			return shop.EventComplaintEscalated, "Complaint checked: the customer is still not satisfied; escalated to the supervisor", escalate(c, k)
		})
}

// RunFollowUpRules applies the time-based rules at the clock's now: a
// CALLBACK_DUE event once per callback when its local day comes, and
// COMPLAINT_ESCALATED for complaints still with their owner two days after
// they were opened. Safe to run from every instance at once; the realtime
// hub calls it next to MarkLateOrders. It returns how many events it wrote.
func (d *DB) RunFollowUpRules(ctx context.Context) (int, error) {
	n := 0
	err := d.tx(ctx, func(tx *sqlx.Tx) error {
		now := d.Now().UTC().Truncate(time.Microsecond)
		var due []struct {
			shop.Callback
			VisitID shop.VisitID
		}
		if err := tx.SelectContext(ctx, &due, `
			UPDATE callbacks cb SET due_notified_on = cb.due_on
			FROM sites s, repair_orders o
			WHERE s.id = cb.site_id AND o.id = cb.order_id AND cb.state = 'DUE' AND cb.due_notified_on IS NULL
			  AND cb.due_on <= ($1::TIMESTAMPTZ AT TIME ZONE s.time_zone)::DATE
			  AND cb.id IN (SELECT id FROM callbacks WHERE state = 'DUE' AND due_notified_on IS NULL FOR UPDATE SKIP LOCKED)
			RETURNING cb.id, cb.site_id, cb.order_id, cb.customer_id, cb.advisor_id, cb.seq, cb.due_on, cb.state, cb.attempts,
				cb.version, cb.created_at, o.visit_id`, now); err != nil {
			return err
		}
		for _, cb := range due {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO events (site_id, kind, order_id, visit_id, advisor_id, summary, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				cb.SiteID, shop.EventCallbackDue, cb.OrderID, cb.VisitID, cb.AdvisorID,
				fmt.Sprintf("Callback %d due on %s", cb.Seq, cb.DueOn.Format(time.DateOnly)), now); err != nil {
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
			if !k.NeedsEscalation(now) {
				continue
			}
			sup, err := siteSupervisor(ctx, tx, k.SiteID)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE complaints SET state = 'ESCALATED', escalated_at = $2, supervisor_id = $3, version = version + 1 WHERE id = $1`,
				k.ID, now, sup); err != nil {
				return err
			}
			var visit *shop.VisitID
			var advisor *shop.UserID
			if k.OrderID != nil {
				var o struct {
					VisitID   shop.VisitID
					AdvisorID shop.UserID
				}
				if err := tx.GetContext(ctx, &o, `SELECT visit_id, advisor_id FROM repair_orders WHERE id = $1`, *k.OrderID); err != nil {
					return err
				}
				visit, advisor = &o.VisitID, &o.AdvisorID
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO events (site_id, kind, order_id, visit_id, advisor_id, summary, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				k.SiteID, shop.EventComplaintEscalated, k.OrderID, visit, advisor,
				"Complaint unsolved after two days: escalated to the supervisor", now); err != nil {
				return err
			}
			n++
		}
		n += len(due)
		if n > 0 {
			_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, '')`, ChannelEvents)
			return err
		}
		return nil
	})
	return n, err
}

// CreateServicePlanInput plans a vehicle's next service by date and mileage.
type CreateServicePlanInput struct {
	VehicleID      shop.VehicleID
	Kind           shop.PlanKind
	DueOn          time.Time
	DueMileage     *int
	IdempotencyKey *string
}

// CreateServicePlan plans a service and generates its reminder tasks.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) CreateServicePlan(ctx context.Context, in CreateServicePlanInput) (*shop.ServicePlan, error) {
	return mutate(d, ctx, "createServicePlan", deref(in.IdempotencyKey), in, func(c *change) (*shop.ServicePlan, error) {
		var v struct {
			SiteID   shop.SiteID
			TimeZone string
		}
		err := c.tx.GetContext(c.ctx, &v, `SELECT v.site_id, s.time_zone FROM vehicles v JOIN sites s ON s.id = v.site_id WHERE v.id = $1`, in.VehicleID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(v.SiteID)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "vehicleId", Message: "No vehicle with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, v.SiteID, shop.ActCallback); err != nil {
			return nil, err
		}
		due := shop.LocalDate(in.DueOn, time.UTC)
		if err := shop.ValidPlanDue(due, shop.LocalDate(c.now, (&shop.Site{TimeZone: v.TimeZone}).Location())); err != nil {
			return nil, err
		}
		if in.DueMileage != nil {
			if err := shop.ValidMileage(*in.DueMileage); err != nil {
				return nil, atField("dueMileage", err)
			}
		}
		return insertPlan(c, &shop.ServicePlan{SiteID: v.SiteID, VehicleID: in.VehicleID, Kind: in.Kind, DueOn: due,
			DueMileage: in.DueMileage, State: shop.PlanOpen, CreatedBy: c.actor.UserID, CreatedAt: c.now})
	})
}

// RecordReminderInput records that a reminder was sent or the call made.
type RecordReminderInput struct {
	ReminderID     shop.ReminderID
	Outcome        string
	IdempotencyKey *string
}

// RecordReminder marks a reminder task done. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION (already done).
func (d *DB) RecordReminder(ctx context.Context, in RecordReminderInput) (*shop.Reminder, error) {
	return mutate(d, ctx, "recordReminder", deref(in.IdempotencyKey), in, func(c *change) (*shop.Reminder, error) {
		var r shop.Reminder
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+reminderColumns+` FROM reminders WHERE id = $1 FOR UPDATE`, in.ReminderID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "reminderId", Message: "No reminder with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActCallback); err != nil {
			return nil, err
		}
		if r.DoneAt != nil {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The reminder was already done on %s (RECORD).", r.DoneAt.Format(time.RFC3339))
		}
		outcome, err := shop.CheckText("outcome", in.Outcome, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		r.DoneAt, r.DoneBy, r.Outcome = &c.now, &c.actor.UserID, outcome
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE reminders SET done_at = $2, done_by = $3, outcome = $4 WHERE id = $1`,
			r.ID, c.now, c.actor.UserID, outcome); err != nil {
			return nil, err
		}
		return &r, c.event(shop.Event{SiteID: r.SiteID, Kind: shop.EventReminderRecorded,
			Summary: fmt.Sprintf("Reminder %d (%s) done", r.Step, r.Channel)})
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

// FindCallbacksDue lists a site's callbacks due on local day day or earlier
// and not yet finished: the callback staff's list. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindCallbacksDue(ctx context.Context, site shop.SiteID, day time.Time) ([]*shop.Callback, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*shop.Callback
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+callbackColumns+` FROM callbacks WHERE site_id = $1 AND state = 'DUE' AND due_on <= $2
		ORDER BY due_on, id LIMIT 500`, site, shop.LocalDate(day, time.UTC))
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
}

// FindComplaints lists complaints, oldest first (at most 500). Errors: NOT_FOUND, FORBIDDEN.
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
		ORDER BY opened_at, id LIMIT 500`, f.SiteID, pq.Array(states), f.CustomerID, checkBy)
	return rows, translate(err)
}

// DueReminder is a reminder task with its plan.
type DueReminder struct {
	Reminder *shop.Reminder
	Plan     *shop.ServicePlan
}

// FindRemindersDue returns the reminder tasks to do on local day day: of each
// open plan, the latest step whose day has come, if not yet done.
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindRemindersDue(ctx context.Context, site shop.SiteID, day time.Time) ([]*DueReminder, error) {
	if _, err := d.siteDay(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	today := shop.LocalDate(day, time.UTC)
	var plans []*shop.ServicePlan
	if err := d.db.SelectContext(ctx, &plans, `
		SELECT `+planColumns+` FROM service_plans
		WHERE site_id = $1 AND state = 'OPEN' AND due_on >= $2 AND due_on - 28 <= $2 ORDER BY due_on, id`, site, today); err != nil {
		return nil, translate(err)
	}
	if len(plans) == 0 {
		return []*DueReminder{}, nil
	}
	ids := make([]shop.ServicePlanID, len(plans))
	byID, due := map[shop.ServicePlanID]*shop.ServicePlan{}, map[shop.ServicePlanID]time.Time{}
	for i, p := range plans {
		ids[i], byID[p.ID], due[p.ID] = p.ID, p, p.DueOn
	}
	var rs []*shop.Reminder
	if err := d.db.SelectContext(ctx, &rs, `SELECT `+reminderColumns+` FROM reminders WHERE plan_id = ANY($1) ORDER BY plan_id, step`, pq.Array(ids)); err != nil {
		return nil, translate(err)
	}
	out := []*DueReminder{}
	for _, r := range shop.RemindersDue(rs, due, today) {
		out = append(out, &DueReminder{Reminder: r, Plan: byID[r.PlanID]})
	}
	return out, nil
}

// Invitation is a vehicle not seen for 3 months or more (招揽).
type Invitation struct {
	CustomerID  shop.CustomerID
	VehicleID   shop.VehicleID
	LastVisitAt time.Time
}

// FindInvitations lists the site's vehicles whose last visit was 3 months or
// more before local day day and that are not with us now, longest absent
// first (at most 500). Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindInvitations(ctx context.Context, site shop.SiteID, day time.Time) ([]*Invitation, error) {
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
		ORDER BY last_visit_at, v.id LIMIT 500`, site, cutoff)
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
