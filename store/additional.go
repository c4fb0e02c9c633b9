package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

const additionalColumns = `id, site_id, order_id, found_on_job_id, job_id, description, reason, labour_price, parts_price,
	extra_minutes, safety, state, requested_by, requested_at, decided_by, decided_at, customer_contact,
	contact_method, decision_note, version`

// RequestAdditionalWorkInput reports additional work (增项) found during repair.
type RequestAdditionalWorkInput struct {
	OrderID       shop.OrderID
	FoundOnJobID  *shop.JobID
	Description   string
	Reason        string
	LabourMinutes int
	LabourPrice   *shop.Money
	Parts         []*PartLineInput
	ExtraMinutes  int
	Safety        bool
	Payer         *shop.Payer
	// IdempotencyKey makes a retried report create one request only.
	IdempotencyKey *string
}

// RequestAdditionalWork records additional work with its cost and extra time
// (see shop.RequestAdditionalWork). Its job waits in PENDING_APPROVAL: it
// cannot be dispatched or started until the customer agrees. Errors:
// INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) RequestAdditionalWork(ctx context.Context, in RequestAdditionalWorkInput) (*shop.AdditionalWork, error) {
	return mutate(d, ctx, "requestAdditionalWork", deref(in.IdempotencyKey), in, func(c *change) (*shop.AdditionalWork, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActRequestExtra, nil)
		if err != nil {
			return nil, err
		}
		return requestAdditionalWork(c, o, in)
	})
}

// requestAdditionalWork records additional work on the locked order o in
// the change: RequestAdditionalWork, and an inspection's finding proposed
// in one tap.
func requestAdditionalWork(c *change, o *shop.Order, in RequestAdditionalWorkInput) (*shop.AdditionalWork, error) {
	jobs, err := orderJobs(c, o.ID)
	if err != nil {
		return nil, err
	}
	rate, err := labourRate(c, o.SiteID, in.LabourPrice)
	if err != nil {
		return nil, err
	}
	j, aw, err := shop.RequestAdditionalWork(*o, jobs, shop.AdditionalRequest{FoundOnJobID: in.FoundOnJobID,
		Description: in.Description, Reason: in.Reason, LabourMinutes: in.LabourMinutes, LabourPrice: in.LabourPrice,
		ExtraMinutes: in.ExtraMinutes, Safety: in.Safety, Payer: in.Payer}, rate, c.actor.UserID, c.now)
	if err != nil {
		return nil, err
	}
	if err := insertJob(c, &j); err != nil {
		return nil, err
	}
	lines := make([]shop.PartLine, len(in.Parts))
	for i, p := range in.Parts {
		field := fmt.Sprintf("parts[%d]", i)
		part, err := findCatalogue(c, o.SiteID, p.PartNumber, field)
		if err != nil {
			return nil, err
		}
		if lines[i], err = shop.NewPartLine(o, &j.ID, *p, part, field, c.now); err != nil {
			return nil, err
		}
		lines[i].Additional = true
		if err := insertPartLine(c, &lines[i]); err != nil {
			return nil, err
		}
	}
	aw, ev := shop.PriceAdditionalWork(o, &j, aw, lines)
	if err := c.tx.GetContext(c.ctx, &aw, `
		INSERT INTO additional_work (site_id, order_id, found_on_job_id, job_id, description, reason, labour_price,
			parts_price, extra_minutes, safety, state, requested_by, requested_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		RETURNING `+additionalColumns,
		aw.SiteID, aw.OrderID, aw.FoundOnJobID, aw.JobID, aw.Description, aw.Reason, aw.LabourPrice, aw.PartsPrice,
		aw.ExtraMinutes, aw.Safety, aw.State, aw.RequestedBy, aw.RequestedAt); err != nil {
		return nil, err
	}
	if err := c.event(ev); err != nil {
		return nil, err
	}
	return &aw, afterJobs(c, o)
}

// DecideAdditionalWorkInput records the customer's answer to additional work.
type DecideAdditionalWorkInput struct {
	AdditionalWorkID shop.AdditionalWorkID
	ExpectedVersion  *int
	// CustomerContact is who on the customer's side answered.
	CustomerContact string
	ContactMethod   shop.ContactMethod
	Note            *string
	// NewPromisedAt moves the promised time; by default approval adds the extra minutes.
	NewPromisedAt  *time.Time
	IdempotencyKey *string
}

// ApproveAdditionalWork records the customer's approval: the job may now be
// dispatched, and the promised time moves by the extra time.
func (d *DB) ApproveAdditionalWork(ctx context.Context, in DecideAdditionalWorkInput) (*shop.AdditionalWork, error) {
	return d.decideAdditional(ctx, "approveAdditionalWork", in, true)
}

// DeclineAdditionalWork records the customer's refusal (who was told, when)
// and releases the parts reserved for the declined job.
func (d *DB) DeclineAdditionalWork(ctx context.Context, in DecideAdditionalWorkInput) (*shop.AdditionalWork, error) {
	return d.decideAdditional(ctx, "declineAdditionalWork", in, false)
}

func (d *DB) decideAdditional(ctx context.Context, op string, in DecideAdditionalWorkInput, approve bool) (*shop.AdditionalWork, error) {
	decision := shop.AdditionalDecision{Approve: approve, CustomerContact: in.CustomerContact, ContactMethod: in.ContactMethod,
		Note: in.Note, NewPromisedAt: in.NewPromisedAt}
	return mutate(d, ctx, op, deref(in.IdempotencyKey), in, func(c *change) (*shop.AdditionalWork, error) {
		var ref struct {
			OrderID shop.OrderID
			JobID   shop.JobID
		}
		missing := notFoundAt("additionalWorkId", "No additional work with that ID exists.")
		err := c.tx.GetContext(c.ctx, &ref, `SELECT order_id, job_id FROM additional_work WHERE id = $1`, in.AdditionalWorkID)
		if isNoRows(err) {
			return nil, missing
		} else if err != nil {
			return nil, err
		}
		if decision.ReleasesParts() {
			// Declining releases the job's reservations: parts before the order.
			if err := lockReservedParts(c, ref.OrderID, &ref.JobID); err != nil {
				return nil, err
			}
		}
		if decision.ReservesParts() {
			// Approving reserves the job's parts: parts before the order.
			if _, err := c.exec(`
				SELECT 1 FROM parts WHERE id IN (SELECT part_id FROM part_lines WHERE job_id = $1) ORDER BY id FOR UPDATE`, ref.JobID); err != nil {
				return nil, err
			}
		}
		o, err := lockOrder(c, ref.OrderID, shop.ActDecideExtra, nil)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, missing
			}
			return nil, err
		}
		aw := &shop.AdditionalWork{}
		if err := c.tx.GetContext(c.ctx, aw, `SELECT `+additionalColumns+` FROM additional_work WHERE id = $1 FOR UPDATE`, in.AdditionalWorkID); err != nil {
			return nil, err
		}
		if err := checkVersion("additional work request", in.ExpectedVersion, aw.Version); err != nil {
			return nil, err
		}
		var j shop.Job
		if err := c.tx.GetContext(c.ctx, &j, `SELECT `+jobColumns+` FROM jobs WHERE id = $1 FOR UPDATE`, aw.JobID); err != nil {
			return nil, err
		}
		o2, j2, aw2, ev, err := shop.DecideAdditionalWork(*o, j, *aw, decision, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := saveJob(c, &j2); err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, aw, `
			UPDATE additional_work SET state = $2, decided_by = $3, decided_at = $4, customer_contact = $5,
				contact_method = $6, decision_note = $7, version = $8
			WHERE id = $1 RETURNING `+additionalColumns,
			aw2.ID, aw2.State, aw2.DecidedBy, aw2.DecidedAt, aw2.CustomerContact, aw2.ContactMethod, aw2.DecisionNote, aw2.Version); err != nil {
			return nil, err
		}
		if o2 != *o { // the decision moved the promised time
			*o = o2
			if err := saveOrder(c, o, false); err != nil {
				return nil, err
			}
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		if decision.ReleasesParts() {
			if err := releaseReservations(c, o, &j2.ID, "the customer declined the additional work"); err != nil {
				return nil, err
			}
			// Freed stock may have filled another job's reservation, which saved the order.
			if err := c.tx.GetContext(c.ctx, o, `SELECT `+orderColumns+` FROM repair_orders WHERE id = $1`, o.ID); err != nil {
				return nil, err
			}
		}
		if decision.ReservesParts() {
			var lines []*shop.PartLine
			if err := c.tx.SelectContext(c.ctx, &lines, `
				SELECT `+partLineColumns+` FROM part_lines WHERE job_id = $1 AND part_id IS NOT NULL ORDER BY id`, j2.ID); err != nil {
				return nil, err
			}
			for _, pl := range lines {
				if err := reserveAddedLine(c, o, pl); err != nil { // the approved line holds its stock
					return nil, err
				}
			}
		}
		return aw, afterJobs(c, o)
	})
}

// FindAdditionalWorkByOrderIDs returns each order's additional work in one statement.
func (d *DB) FindAdditionalWorkByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.AdditionalWork, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.AdditionalWork
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+additionalColumns+` FROM additional_work WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	redactAdditional(a, rows...)
	out := map[shop.OrderID][]*shop.AdditionalWork{}
	for _, w := range rows {
		out[w.OrderID] = append(out[w.OrderID], w)
	}
	return out, nil
}

// FindAdditionalWorkByID returns one additional work request.
func (d *DB) FindAdditionalWorkByID(ctx context.Context, id shop.AdditionalWorkID) (*shop.AdditionalWork, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var w shop.AdditionalWork
	err = d.db.GetContext(ctx, &w, `SELECT `+additionalColumns+` FROM additional_work WHERE id = $1 AND site_id = ANY($2)`, id, pq.Array(a.SiteIDs))
	if isNoRows(err) {
		return nil, notFound("additional work request")
	} else if err != nil {
		return nil, translate(err)
	}
	redactAdditional(a, &w)
	return &w, nil
}

// FindChecksByOrderIDs returns each order's checks in one statement.
func (d *DB) FindChecksByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.Check, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Check
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT id, site_id, order_id, job_id, kind, passed, notes, checked_by, checked_at FROM checks
		WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.OrderID][]*shop.Check{}
	for _, ch := range rows {
		out[ch.OrderID] = append(out[ch.OrderID], ch)
	}
	return out, nil
}

// FindSettlementsByOrderIDs returns the settlements of orders in one statement.
func (d *DB) FindSettlementsByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID]*shop.Settlement, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Settlement
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+settlementColumns+` FROM settlements
		WHERE order_id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.OrderID]*shop.Settlement{}
	for _, s := range rows {
		out[s.OrderID] = s
	}
	return out, nil
}

const eventColumns = `id, COALESCE(pos, 0) AS pos, site_id, kind, order_id, job_id, visit_id, advisor_id, actor_id, summary, at`

// FindEventsByOrder returns an order's timeline, oldest first, after a cursor;
// one more than first when there is a next page.
func (d *DB) FindEventsByOrder(ctx context.Context, id shop.OrderID, after shop.EventID, first int) ([]*shop.Event, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Event
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+eventColumns+` FROM events WHERE order_id = $1 AND site_id = ANY($2) AND id > $3
		ORDER BY id LIMIT $4`, id, pq.Array(a.SiteIDs), after, first+1)
	return rows, translate(err)
}
