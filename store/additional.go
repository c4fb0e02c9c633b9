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

// RequestAdditionalWork records additional work with its cost and extra time.
// Its job waits in PENDING_APPROVAL: it cannot be dispatched or started until
// the customer agrees. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) RequestAdditionalWork(ctx context.Context, in RequestAdditionalWorkInput) (*shop.AdditionalWork, error) {
	return mutate(d, ctx, "requestAdditionalWork", deref(in.IdempotencyKey), in, func(c *change) (*shop.AdditionalWork, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActRequestExtra, nil)
		if err != nil {
			return nil, err
		}
		if _, err := shop.NextOrderState(o.State, shop.OrderWork); err != nil {
			return nil, err
		}
		reason, err := shop.CheckText("reason", in.Reason, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		if in.ExtraMinutes < 0 || in.ExtraMinutes > 60*24*30 {
			return nil, shop.FieldErrorf("extraMinutes", "Extra time must be between 0 minutes and 30 days.")
		}
		if in.FoundOnJobID != nil {
			var n int
			if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM jobs WHERE id = $1 AND order_id = $2`, *in.FoundOnJobID, o.ID); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "foundOnJobId", Message: "That job is not on this repair order."}
			}
		}
		j, err := insertJob(c, o, &JobLineInput{Description: in.Description, LabourMinutes: in.LabourMinutes,
			LabourPrice: in.LabourPrice, Payer: in.Payer}, shop.JobPendingApproval, true, in.Safety, "")
		if err != nil {
			return nil, err
		}
		var parts shop.Money
		for i, p := range in.Parts {
			pl, err := insertPartLine(c, o, &j.ID, p, true, fmt.Sprintf("parts[%d]", i))
			if err != nil {
				return nil, err
			}
			parts += pl.Total()
		}
		aw := &shop.AdditionalWork{}
		if err := c.tx.GetContext(c.ctx, aw, `
			INSERT INTO additional_work (site_id, order_id, found_on_job_id, job_id, description, reason, labour_price,
				parts_price, extra_minutes, safety, state, requested_by, requested_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'REQUESTED', $11, $12)
			RETURNING `+additionalColumns,
			o.SiteID, o.ID, in.FoundOnJobID, j.ID, j.Description, reason, j.LabourPrice, parts, in.ExtraMinutes,
			in.Safety, c.actor.UserID, c.now); err != nil {
			return nil, err
		}
		safety := ""
		if in.Safety {
			safety = " (safety-relevant)"
		}
		if err := c.event(orderEvent(o, shop.EventAdditionalRequested, &j.ID,
			fmt.Sprintf("Additional work found%s: %s, %s, +%d min; waiting for the customer", safety, j.Description, aw.Total(), in.ExtraMinutes))); err != nil {
			return nil, err
		}
		return aw, afterJobs(c, o)
	})
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
	return mutate(d, ctx, op, deref(in.IdempotencyKey), in, func(c *change) (*shop.AdditionalWork, error) {
		var ref struct {
			OrderID shop.OrderID
			JobID   shop.JobID
		}
		err := c.tx.GetContext(c.ctx, &ref, `SELECT order_id, job_id FROM additional_work WHERE id = $1`, in.AdditionalWorkID)
		if isNoRows(err) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "additionalWorkId", Message: "No additional work with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if !approve {
			// Declining releases the job's reservations: parts before the order.
			if err := lockReservedParts(c, ref.OrderID, &ref.JobID); err != nil {
				return nil, err
			}
		}
		o, err := lockOrder(c, ref.OrderID, shop.ActDecideExtra, nil)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "additionalWorkId", Message: "No additional work with that ID exists."}
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
		action, state, kind := shop.JobDecline, shop.AdditionalDeclined, shop.EventAdditionalDeclined
		if approve {
			action, state, kind = shop.JobApprove, shop.AdditionalApproved, shop.EventAdditionalApproved
		}
		if aw.State != shop.AdditionalRequested {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The additional work was already decided (%s); it cannot %s now.", aw.State, action.Describe())
		}
		contact, err := shop.CheckText("customerContact", in.CustomerContact, true, shop.MaxShortText)
		if err != nil {
			return nil, err
		}
		note, err := shop.CheckText("note", deref(in.Note), false, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		var j shop.Job
		if err := c.tx.GetContext(c.ctx, &j, `SELECT `+jobColumns+` FROM jobs WHERE id = $1 FOR UPDATE`, aw.JobID); err != nil {
			return nil, err
		}
		if j.State, err = shop.NextJobState(o.State, j.State, action); err != nil {
			return nil, err
		}
		if err := saveJob(c, &j); err != nil {
			return nil, err
		}
		method := in.ContactMethod
		if err := c.tx.GetContext(c.ctx, aw, `
			UPDATE additional_work SET state = $2, decided_by = $3, decided_at = $4, customer_contact = $5,
				contact_method = $6, decision_note = $7, version = version + 1
			WHERE id = $1 RETURNING `+additionalColumns,
			aw.ID, state, c.actor.UserID, c.now, contact, method, note); err != nil {
			return nil, err
		}
		// No customer's name in summaries: the timeline feeds the boards.
		summary := fmt.Sprintf("The customer declined the additional work (asked by %s): %s", method, aw.Description)
		if approve {
			summary = fmt.Sprintf("The customer approved the additional work (asked by %s): %s, %s", method, aw.Description, aw.Total())
			switch {
			case in.NewPromisedAt != nil:
				t := in.NewPromisedAt.UTC()
				o.PromisedAt = &t
			case o.PromisedAt != nil && aw.ExtraMinutes > 0:
				t := o.PromisedAt.Add(time.Duration(aw.ExtraMinutes) * time.Minute)
				o.PromisedAt = &t
			}
			if o.PromisedAt != nil {
				summary += "; promised time now " + o.PromisedAt.UTC().Format(time.RFC3339)
			}
			if err := saveOrder(c, o, false); err != nil {
				return nil, err
			}
		}
		if err := c.event(orderEvent(o, kind, &j.ID, summary)); err != nil {
			return nil, err
		}
		if !approve {
			if err := releaseReservations(c, o, &j.ID, "the customer declined the additional work"); err != nil {
				return nil, err
			}
			// Freed stock may have filled another job's reservation, which saved the order.
			if err := c.tx.GetContext(c.ctx, o, `SELECT `+orderColumns+` FROM repair_orders WHERE id = $1`, o.ID); err != nil {
				return nil, err
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
		SELECT id, site_id, order_id, labour, parts, total, customer_share, warranty_share, insurer_share, internal_share,
			payment_method, payment_reference, settled_by, settled_at FROM settlements
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
