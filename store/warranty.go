package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

const claimColumns = `id, site_id, order_id, number, state, complaint, cause, correction, causal_part_number,
	labour_amount, parts_amount, paid_amount, reject_reason, maker_reference, created_by, submitted_at, decided_at,
	paid_at, version, created_at, updated_at`

const retainedColumns = `id, site_id, order_id, claim_id, part_number, description, quantity, location, disposition,
	deadline, shipment_ref, retained_by, retained_at, disposed_by, disposed_at, version`

// DecideWarrantyInput marks a job as under warranty (质保范围判定).
type DecideWarrantyInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	// Reason is why the repair is covered, e.g. the warranty terms that apply.
	Reason         string
	IdempotencyKey *string
}

// DecideWarranty marks a job and its part lines as paid by the maker and
// records who decided and why; the bill then shows the warranty share apart
// from the customer's. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT (stale version, already decided).
func (d *DB) DecideWarranty(ctx context.Context, in DecideWarrantyInput) (*shop.Job, error) {
	return mutate(d, ctx, "decideWarranty", deref(in.IdempotencyKey), in, func(c *change) (*shop.Job, error) {
		j, o, err := lockJob(c, in.JobID, shop.ActWarranty, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		if !o.State.Open() || o.State == shop.OrderSettled {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The repair order is %s; its bill is final and the warranty decision can no longer change it (DECIDE_WARRANTY).", o.State.Describe())
		}
		if !j.State.Billable() {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The job is %s; only a job that is billed can be put under warranty (DECIDE_WARRANTY).", j.State.Describe())
		}
		reason, err := shop.CheckText("reason", in.Reason, true, shop.MaxLongText)
		if err != nil {
			return nil, err
		}
		res, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO warranty_decisions (job_id, site_id, order_id, reason, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id) DO NOTHING`, j.ID, o.SiteID, o.ID, reason, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, &shop.Error{Code: shop.ECONFLICT, Field: "jobId", Message: "This job was already put under warranty."}
		}
		j.Payer = shop.PayerWarranty
		if err := saveJob(c, j); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE part_lines SET payer = 'WARRANTY' WHERE job_id = $1`, j.ID); err != nil {
			return nil, err
		}
		if !o.UnderWarranty {
			o.UnderWarranty = true
			if err := saveOrder(c, o, false); err != nil {
				return nil, err
			}
		}
		return j, c.event(orderEvent(o, shop.EventWarrantyDecided, &j.ID, "Under warranty: "+j.Description))
	})
}

// CreateWarrantyClaimInput drafts a claim (索赔单) over warranty jobs of an order.
type CreateWarrantyClaimInput struct {
	OrderID          shop.OrderID
	JobIDs           []shop.JobID
	Complaint        *string
	Cause            *string
	Correction       *string
	CausalPartNumber *string
	IdempotencyKey   *string
}

// CreateWarrantyClaim drafts a claim. Every job must be under warranty and
// on the order, and not claimed already. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT.
func (d *DB) CreateWarrantyClaim(ctx context.Context, in CreateWarrantyClaimInput) (*shop.WarrantyClaim, error) {
	return mutate(d, ctx, "createWarrantyClaim", deref(in.IdempotencyKey), in, func(c *change) (*shop.WarrantyClaim, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActWarranty, nil)
		if err != nil {
			return nil, err
		}
		cl := &shop.WarrantyClaim{SiteID: o.SiteID, OrderID: o.ID, State: shop.ClaimDraft, CreatedBy: c.actor.UserID,
			Version: 1, CreatedAt: c.now, UpdatedAt: c.now}
		if err := applyClaimTexts(cl, in.Complaint, in.Cause, in.Correction, in.CausalPartNumber); err != nil {
			return nil, err
		}
		var seq int64
		if err := c.tx.GetContext(c.ctx, &seq, `SELECT nextval('warranty_claim_number_seq')`); err != nil {
			return nil, err
		}
		cl.Number = fmt.Sprintf("WC%s-%05d", c.now.Format("060102"), seq%100000)
		if err := c.tx.GetContext(c.ctx, &cl.ID, `
			INSERT INTO warranty_claims (site_id, order_id, number, state, complaint, cause, correction, causal_part_number,
				created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			cl.SiteID, cl.OrderID, cl.Number, cl.State, cl.Complaint, cl.Cause, cl.Correction, cl.CausalPartNumber,
			cl.CreatedBy, c.now); err != nil {
			return nil, err
		}
		if err := setClaimJobs(c, cl, in.JobIDs); err != nil {
			return nil, err
		}
		if err := saveClaim(c, cl, false); err != nil {
			return nil, err
		}
		return cl, c.event(orderEvent(o, shop.EventClaimChanged, nil, fmt.Sprintf("Warranty claim %s drafted: %s", cl.Number, cl.Total())))
	})
}

func applyClaimTexts(cl *shop.WarrantyClaim, complaint, cause, correction, part *string) error {
	var err error
	if complaint != nil {
		if cl.Complaint, err = shop.CheckText("complaint", *complaint, false, shop.MaxLongText); err != nil {
			return err
		}
	}
	if cause != nil {
		if cl.Cause, err = shop.CheckText("cause", *cause, false, shop.MaxLongText); err != nil {
			return err
		}
	}
	if correction != nil {
		if cl.Correction, err = shop.CheckText("correction", *correction, false, shop.MaxLongText); err != nil {
			return err
		}
	}
	if part != nil {
		if cl.CausalPartNumber, err = shop.CheckText("causalPartNumber", *part, false, 60); err != nil {
			return err
		}
	}
	return nil
}

// setClaimJobs replaces a claim's jobs and recomputes its amounts.
func setClaimJobs(c *change, cl *shop.WarrantyClaim, ids []shop.JobID) error {
	if len(ids) == 0 {
		return shop.FieldErrorf("jobIds", "A claim needs at least one warranty job.")
	}
	if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM warranty_claim_jobs WHERE claim_id = $1`, cl.ID); err != nil {
		return err
	}
	var jobs []*shop.Job
	for i, id := range ids {
		var j shop.Job
		err := c.tx.GetContext(c.ctx, &j, `
			SELECT `+jobColumns+` FROM jobs j WHERE id = $1 AND order_id = $2
			  AND EXISTS (SELECT 1 FROM warranty_decisions w WHERE w.job_id = j.id)`, id, cl.OrderID)
		if isNoRows(err) {
			return &shop.Error{Code: shop.ENOTFOUND, Field: fmt.Sprintf("jobIds[%d]", i), Message: "That job is not a warranty job of this repair order; decide the warranty first."}
		} else if err != nil {
			return err
		}
		res, err := c.tx.ExecContext(c.ctx, `INSERT INTO warranty_claim_jobs (claim_id, job_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, cl.ID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &shop.Error{Code: shop.ECONFLICT, Field: fmt.Sprintf("jobIds[%d]", i), Message: "That job is already on a warranty claim."}
		}
		jobs = append(jobs, &j)
	}
	var parts []*shop.PartLine
	if err := c.tx.SelectContext(c.ctx, &parts, `SELECT `+partLineColumns+` FROM part_lines WHERE order_id = $1`, cl.OrderID); err != nil {
		return err
	}
	cl.LabourAmount, cl.PartsAmount = shop.ClaimAmounts(jobs, parts)
	return nil
}

func saveClaim(c *change, cl *shop.WarrantyClaim, bump bool) error {
	if bump {
		cl.Version++
	}
	cl.UpdatedAt = c.now
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE warranty_claims SET state = $2, complaint = $3, cause = $4, correction = $5, causal_part_number = $6,
			labour_amount = $7, parts_amount = $8, paid_amount = $9, reject_reason = $10, maker_reference = $11,
			submitted_at = $12, decided_at = $13, paid_at = $14, version = $15, updated_at = $16
		WHERE id = $1`,
		cl.ID, cl.State, cl.Complaint, cl.Cause, cl.Correction, cl.CausalPartNumber, cl.LabourAmount, cl.PartsAmount,
		cl.PaidAmount, cl.RejectReason, cl.MakerReference, cl.SubmittedAt, cl.DecidedAt, cl.PaidAt, cl.Version, cl.UpdatedAt)
	return err
}

// claimStep runs one claim transition: lock the order then the claim,
// authorise, check the version, move the state machine, apply, save, log.
func (d *DB) claimStep(ctx context.Context, op string, id shop.WarrantyClaimID, expected *int, key *string, input any,
	action shop.ClaimAction, apply func(c *change, cl *shop.WarrantyClaim) (string, error)) (*shop.WarrantyClaim, error) {
	return mutate(d, ctx, op, deref(key), input, func(c *change) (*shop.WarrantyClaim, error) {
		var orderID shop.OrderID
		missing := &shop.Error{Code: shop.ENOTFOUND, Field: "claimId", Message: "No warranty claim with that ID exists."}
		err := c.tx.GetContext(c.ctx, &orderID, `SELECT order_id FROM warranty_claims WHERE id = $1`, id)
		if isNoRows(err) {
			return nil, missing
		} else if err != nil {
			return nil, err
		}
		o, err := lockOrder(c, orderID, shop.ActWarranty, nil)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, missing
			}
			return nil, err
		}
		var cl shop.WarrantyClaim
		if err := c.tx.GetContext(c.ctx, &cl, `SELECT `+claimColumns+` FROM warranty_claims WHERE id = $1 FOR UPDATE`, id); err != nil {
			return nil, err
		}
		if err := checkVersion("warranty claim", expected, cl.Version); err != nil {
			return nil, err
		}
		next, err := shop.NextClaimState(cl.State, action)
		if err != nil {
			return nil, err
		}
		cl.State = next
		summary, err := apply(c, &cl)
		if err != nil {
			return nil, err
		}
		if err := saveClaim(c, &cl, true); err != nil {
			return nil, err
		}
		return &cl, c.event(orderEvent(o, shop.EventClaimChanged, nil, fmt.Sprintf("Warranty claim %s %s", cl.Number, summary)))
	})
}

// UpdateWarrantyClaimInput changes a draft claim.
type UpdateWarrantyClaimInput struct {
	ClaimID          shop.WarrantyClaimID
	ExpectedVersion  *int
	JobIDs           []shop.JobID
	Complaint        *string
	Cause            *string
	Correction       *string
	CausalPartNumber *string
	IdempotencyKey   *string
}

// UpdateWarrantyClaim changes a DRAFT claim's texts or jobs.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) UpdateWarrantyClaim(ctx context.Context, in UpdateWarrantyClaimInput) (*shop.WarrantyClaim, error) {
	return d.claimStep(ctx, "updateWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in, shop.ClaimEdit,
		func(c *change, cl *shop.WarrantyClaim) (string, error) {
			if err := applyClaimTexts(cl, in.Complaint, in.Cause, in.Correction, in.CausalPartNumber); err != nil {
				return "", err
			}
			if in.JobIDs != nil {
				if err := setClaimJobs(c, cl, in.JobIDs); err != nil {
					return "", err
				}
			}
			return "changed: " + cl.Total().String(), nil
		})
}

// WarrantyClaimActionInput names a claim for a transition without data.
type WarrantyClaimActionInput struct {
	ClaimID         shop.WarrantyClaimID
	ExpectedVersion *int
	IdempotencyKey  *string
}

// SubmitWarrantyClaim sends a complete draft to the maker.
// Errors: INVALID (naming the missing field), NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) SubmitWarrantyClaim(ctx context.Context, in WarrantyClaimActionInput) (*shop.WarrantyClaim, error) {
	return d.claimStep(ctx, "submitWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in, shop.ClaimSubmit,
		func(c *change, cl *shop.WarrantyClaim) (string, error) {
			var n int
			if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM warranty_claim_jobs WHERE claim_id = $1`, cl.ID); err != nil {
				return "", err
			}
			if err := shop.CheckClaimComplete(cl, n); err != nil {
				return "", err
			}
			cl.SubmittedAt = &c.now
			return "submitted to the maker: " + cl.Total().String(), nil
		})
}

// ReviseWarrantyClaim takes a rejected claim back to draft for correction.
func (d *DB) ReviseWarrantyClaim(ctx context.Context, in WarrantyClaimActionInput) (*shop.WarrantyClaim, error) {
	return d.claimStep(ctx, "reviseWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in, shop.ClaimRevise,
		func(c *change, cl *shop.WarrantyClaim) (string, error) {
			cl.RejectReason, cl.DecidedAt, cl.SubmittedAt = "", nil, nil
			return "back to draft for correction", nil
		})
}

// DecideWarrantyClaimInput records the maker's decision on a submitted claim.
type DecideWarrantyClaimInput struct {
	ClaimID         shop.WarrantyClaimID
	ExpectedVersion *int
	Approved        bool
	// Reason is required for a rejection.
	Reason         *string
	MakerReference *string
	IdempotencyKey *string
}

// DecideWarrantyClaim records the maker's approval or rejection (with its reason).
func (d *DB) DecideWarrantyClaim(ctx context.Context, in DecideWarrantyClaimInput) (*shop.WarrantyClaim, error) {
	action := shop.ClaimReject
	if in.Approved {
		action = shop.ClaimApprove
	}
	return d.claimStep(ctx, "decideWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in, action,
		func(c *change, cl *shop.WarrantyClaim) (string, error) {
			ref, err := shop.CheckText("makerReference", deref(in.MakerReference), false, shop.MaxShortText)
			if err != nil {
				return "", err
			}
			cl.MakerReference, cl.DecidedAt = ref, &c.now
			if in.Approved {
				return "approved by the maker", nil
			}
			reason, err := shop.CheckText("reason", deref(in.Reason), true, shop.MaxLongText)
			if err != nil {
				return "", shop.FieldErrorf("reason", "A rejection needs the maker's reason.")
			}
			cl.RejectReason = reason
			return "rejected by the maker: " + reason, nil
		})
}

// PayWarrantyClaimInput records the maker's payment of an approved claim.
type PayWarrantyClaimInput struct {
	ClaimID         shop.WarrantyClaimID
	ExpectedVersion *int
	// Amount paid; the claimed total by default.
	Amount         *shop.Money
	IdempotencyKey *string
}

// PayWarrantyClaim marks an approved claim paid.
func (d *DB) PayWarrantyClaim(ctx context.Context, in PayWarrantyClaimInput) (*shop.WarrantyClaim, error) {
	return d.claimStep(ctx, "payWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in, shop.ClaimPay,
		func(c *change, cl *shop.WarrantyClaim) (string, error) {
			amount := cl.Total()
			if in.Amount != nil {
				amount = *in.Amount
			}
			if err := shop.ValidPrice("amount", amount); err != nil {
				return "", err
			}
			cl.PaidAmount, cl.PaidAt = &amount, &c.now
			return "paid: " + amount.String(), nil
		})
}

// RetainWarrantyPartInput records a replaced warranty part kept for the maker (保修件).
type RetainWarrantyPartInput struct {
	OrderID     shop.OrderID
	ClaimID     *shop.WarrantyClaimID
	PartNumber  string
	Description *string
	Quantity    int
	Location    string
	// Deadline is the local day by which it must be shipped back or scrapped;
	// 30 days from today by default.
	Deadline       *time.Time
	IdempotencyKey *string
}

// RetainWarrantyPart records a retained part of a warranty repair.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) RetainWarrantyPart(ctx context.Context, in RetainWarrantyPartInput) (*shop.RetainedPart, error) {
	return mutate(d, ctx, "retainWarrantyPart", deref(in.IdempotencyKey), in, func(c *change) (*shop.RetainedPart, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActWarranty, nil)
		if err != nil {
			return nil, err
		}
		var n int
		if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM warranty_decisions WHERE order_id = $1`, o.ID); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "No job of this repair order is under warranty; only warranty parts are retained (RETAIN).")
		}
		if in.ClaimID != nil {
			if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM warranty_claims WHERE id = $1 AND order_id = $2`, *in.ClaimID, o.ID); err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "claimId", Message: "That claim is not of this repair order."}
			}
		}
		num, err := shop.CheckText("partNumber", in.PartNumber, true, 60)
		if err != nil {
			return nil, err
		}
		desc, err := shop.CheckText("description", deref(in.Description), false, shop.MaxShortText)
		if err != nil {
			return nil, err
		}
		loc, err := shop.CheckText("location", in.Location, true, shop.MaxShortText)
		if err != nil {
			return nil, err
		}
		if err := shop.ValidQuantity(in.Quantity); err != nil {
			return nil, err
		}
		site, err := d.site(c.ctx, o.SiteID)
		if err != nil {
			return nil, err
		}
		today := shop.LocalDate(c.now, site.Location())
		deadline := today.AddDate(0, 0, shop.DefaultRetentionDays)
		if in.Deadline != nil {
			deadline = shop.LocalDate(*in.Deadline, time.UTC)
			if deadline.Before(today) {
				return nil, shop.FieldErrorf("deadline", "The deadline %s is in the past.", deadline.Format(time.DateOnly))
			}
		}
		r := &shop.RetainedPart{SiteID: o.SiteID, OrderID: o.ID, ClaimID: in.ClaimID, PartNumber: num, Description: desc,
			Quantity: in.Quantity, Location: loc, Disposition: shop.DispositionKept, Deadline: deadline,
			RetainedBy: c.actor.UserID, RetainedAt: c.now, Version: 1}
		if err := c.tx.GetContext(c.ctx, &r.ID, `
			INSERT INTO retained_parts (site_id, order_id, claim_id, part_number, description, quantity, location, disposition,
				deadline, retained_by, retained_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			r.SiteID, r.OrderID, r.ClaimID, r.PartNumber, r.Description, r.Quantity, r.Location, r.Disposition, r.Deadline,
			r.RetainedBy, c.now); err != nil {
			return nil, err
		}
		return r, c.event(orderEvent(o, shop.EventPartRetained, nil, fmt.Sprintf("Warranty part %s × %d retained at %s until %s",
			num, r.Quantity, loc, deadline.Format(time.DateOnly))))
	})
}

// UpdateRetainedPartInput moves a retained part or settles its disposition.
type UpdateRetainedPartInput struct {
	RetainedPartID  shop.RetainedPartID
	ExpectedVersion *int
	Location        *string
	Disposition     *shop.Disposition
	ShipmentRef     *string
	IdempotencyKey  *string
}

// UpdateRetainedPart records where a kept part now is, or that it was shipped
// back to the maker or scrapped. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) UpdateRetainedPart(ctx context.Context, in UpdateRetainedPartInput) (*shop.RetainedPart, error) {
	return mutate(d, ctx, "updateRetainedPart", deref(in.IdempotencyKey), in, func(c *change) (*shop.RetainedPart, error) {
		var r shop.RetainedPart
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+retainedColumns+` FROM retained_parts WHERE id = $1 FOR UPDATE`, in.RetainedPartID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, &shop.Error{Code: shop.ENOTFOUND, Field: "retainedPartId", Message: "No retained part with that ID exists."}
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActWarranty); err != nil {
			return nil, err
		}
		if err := checkVersion("retained part", in.ExpectedVersion, r.Version); err != nil {
			return nil, err
		}
		if in.Location == nil && in.Disposition == nil {
			return nil, shop.FieldErrorf("location", "Give a new location or a disposition.")
		}
		summary := ""
		if in.Location != nil {
			if r.Disposition != shop.DispositionKept {
				return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The part is already %s; it has no location to change (MOVE).", r.Disposition)
			}
			loc, err := shop.CheckText("location", *in.Location, true, shop.MaxShortText)
			if err != nil {
				return nil, err
			}
			r.Location, summary = loc, "moved to "+loc
		}
		if in.Disposition != nil {
			ref, err := shop.CheckText("shipmentRef", deref(in.ShipmentRef), false, shop.MaxShortText)
			if err != nil {
				return nil, err
			}
			if err := r.Dispose(*in.Disposition, ref, c.actor.UserID, c.now); err != nil {
				return nil, err
			}
			summary = string(r.Disposition)
		}
		r.Version++
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE retained_parts SET location = $2, disposition = $3, shipment_ref = $4, disposed_by = $5, disposed_at = $6,
				version = $7 WHERE id = $1`, r.ID, r.Location, r.Disposition, r.ShipmentRef, r.DisposedBy, r.DisposedAt, r.Version); err != nil {
			return nil, err
		}
		return &r, c.event(shop.Event{SiteID: r.SiteID, Kind: shop.EventRetainedPartDisposed, OrderID: &r.OrderID,
			Summary: fmt.Sprintf("Retained warranty part %s %s", r.PartNumber, summary)})
	})
}

// ClaimFilter selects a site's warranty claims.
type ClaimFilter struct {
	SiteID  shop.SiteID
	OrderID *shop.OrderID
	States  []shop.ClaimState
}

// FindWarrantyClaims lists claims, newest first (at most 500).
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindWarrantyClaims(ctx context.Context, f ClaimFilter) ([]*shop.WarrantyClaim, error) {
	_, err := authorize(ctx, f.SiteID, shop.ActRead)
	if err != nil {
		return nil, err
	}
	states := make([]string, len(f.States))
	for i, s := range f.States {
		states[i] = string(s)
	}
	var rows []*shop.WarrantyClaim
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+claimColumns+` FROM warranty_claims
		WHERE site_id = $1 AND ($2::BIGINT IS NULL OR order_id = $2) AND (cardinality($3::TEXT[]) = 0 OR state = ANY($3))
		ORDER BY id DESC LIMIT 500`, f.SiteID, f.OrderID, pq.Array(states))
	return rows, translate(err)
}

// FindClaimJobIDs returns the jobs of claims in one statement.
func (d *DB) FindClaimJobIDs(ctx context.Context, ids []shop.WarrantyClaimID) (map[shop.WarrantyClaimID][]shop.JobID, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ClaimID shop.WarrantyClaimID
		JobID   shop.JobID
	}
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT cj.claim_id, cj.job_id FROM warranty_claim_jobs cj JOIN warranty_claims c ON c.id = cj.claim_id
		WHERE cj.claim_id = ANY($1) AND c.site_id = ANY($2) ORDER BY cj.job_id`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.WarrantyClaimID][]shop.JobID{}
	for _, r := range rows {
		out[r.ClaimID] = append(out[r.ClaimID], r.JobID)
	}
	return out, nil
}

// FindWarrantyDecisionsByJobIDs returns the warranty decisions of jobs.
func (d *DB) FindWarrantyDecisionsByJobIDs(ctx context.Context, ids []shop.JobID) (map[shop.JobID]*shop.WarrantyDecision, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.WarrantyDecision
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT job_id, site_id, order_id, reason, decided_by, decided_at FROM warranty_decisions
		WHERE job_id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.JobID]*shop.WarrantyDecision{}
	for _, w := range rows {
		out[w.JobID] = w
	}
	return out, nil
}

// FindRetainedParts lists a site's retained warranty parts: with keptOnly,
// those still kept, soonest deadline first. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindRetainedParts(ctx context.Context, site shop.SiteID, keptOnly bool) ([]*shop.RetainedPart, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var rows []*shop.RetainedPart
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+retainedColumns+` FROM retained_parts
		WHERE site_id = $1 AND (NOT $2 OR disposition = 'KEPT') ORDER BY deadline, id LIMIT 500`, site, keptOnly)
	return rows, translate(err)
}

// FindWarrantyClaimByID returns a claim of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindWarrantyClaimByID(ctx context.Context, id shop.WarrantyClaimID) (*shop.WarrantyClaim, error) {
	return findOne[shop.WarrantyClaim](d, ctx, `SELECT `+claimColumns+` FROM warranty_claims WHERE id = $1 AND site_id = ANY($2)`, id, "warranty claim")
}
