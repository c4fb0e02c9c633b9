package store

import (
	"context"
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
		var decided bool
		if err := c.tx.GetContext(c.ctx, &decided, `SELECT EXISTS (SELECT 1 FROM warranty_decisions WHERE job_id = $1)`, j.ID); err != nil {
			return nil, err
		}
		j2, o2, w, ev, err := shop.DecideWarranty(*j, *o, decided, in.Reason, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO warranty_decisions (job_id, site_id, order_id, reason, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, w.JobID, w.SiteID, w.OrderID, w.Reason, w.DecidedBy, w.DecidedAt); err != nil {
			return nil, err
		}
		if err := saveJob(c, &j2); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE part_lines SET payer = $2 WHERE job_id = $1`, j2.ID, j2.Payer); err != nil {
			return nil, err
		}
		if o2.UnderWarranty != o.UnderWarranty {
			if err := saveOrder(c, &o2, false); err != nil {
				return nil, err
			}
		}
		return &j2, c.event(ev)
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
		jobs, err := loadClaimJobs(c, o.ID, 0, in.JobIDs)
		if err != nil {
			return nil, err
		}
		var seq int64
		if err := c.tx.GetContext(c.ctx, &seq, `SELECT nextval('warranty_claim_number_seq')`); err != nil {
			return nil, err
		}
		cl, ev, err := shop.NewClaim(o, claimTexts(in.Complaint, in.Cause, in.Correction, in.CausalPartNumber), *jobs, seq,
			c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &cl.ID, `
			INSERT INTO warranty_claims (site_id, order_id, number, state, complaint, cause, correction, causal_part_number,
				labour_amount, parts_amount, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			cl.SiteID, cl.OrderID, cl.Number, cl.State, cl.Complaint, cl.Cause, cl.Correction, cl.CausalPartNumber,
			cl.LabourAmount, cl.PartsAmount, cl.CreatedBy, cl.CreatedAt, cl.UpdatedAt); err != nil {
			return nil, err
		}
		if err := saveClaimJobs(c, &cl, in.JobIDs); err != nil {
			return nil, err
		}
		return &cl, c.event(ev)
	})
}

func claimTexts(complaint, cause, correction, part *string) shop.ClaimTexts {
	return shop.ClaimTexts{Complaint: complaint, Cause: cause, Correction: correction, CausalPartNumber: part}
}

// loadClaimJobs reads the jobs ids name for a claim (0: a new one) of an
// order, as shop.ClaimJobs wants them. The order is locked, so no other
// claim of it changes meanwhile.
func loadClaimJobs(c *change, order shop.OrderID, claim shop.WarrantyClaimID, ids []shop.JobID) (*shop.ClaimJobs, error) {
	cj := &shop.ClaimJobs{IDs: ids, Jobs: make([]*shop.Job, len(ids)), OnOtherClaim: make([]bool, len(ids))}
	for i, id := range ids {
		var j shop.Job
		err := c.tx.GetContext(c.ctx, &j, `
			SELECT `+jobColumns+` FROM jobs j WHERE id = $1 AND order_id = $2
			  AND EXISTS (SELECT 1 FROM warranty_decisions w WHERE w.job_id = j.id)`, id, order)
		if isNoRows(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		cj.Jobs[i] = &j
		if err := c.tx.GetContext(c.ctx, &cj.OnOtherClaim[i], `
			SELECT EXISTS (SELECT 1 FROM warranty_claim_jobs WHERE job_id = $1 AND claim_id <> $2)`, id, claim); err != nil {
			return nil, err
		}
	}
	if err := c.tx.SelectContext(c.ctx, &cj.Parts, `SELECT `+partLineColumns+` FROM part_lines WHERE order_id = $1`, order); err != nil {
		return nil, err
	}
	return cj, nil
}

// saveClaimJobs replaces the jobs a claim covers.
func saveClaimJobs(c *change, cl *shop.WarrantyClaim, ids []shop.JobID) error {
	if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM warranty_claim_jobs WHERE claim_id = $1`, cl.ID); err != nil {
		return err
	}
	_, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO warranty_claim_jobs (claim_id, job_id) SELECT $1, unnest($2::BIGINT[])`, cl.ID, pq.Array(ids))
	return err
}

func saveClaim(c *change, cl *shop.WarrantyClaim) error {
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
	decide func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error)) (*shop.WarrantyClaim, error) {
	return mutate(d, ctx, op, deref(key), input, func(c *change) (*shop.WarrantyClaim, error) {
		var orderID shop.OrderID
		err := c.tx.GetContext(c.ctx, &orderID, `SELECT order_id FROM warranty_claims WHERE id = $1`, id)
		if isNoRows(err) {
			return nil, missingAt("claimId", "warranty claim")
		} else if err != nil {
			return nil, err
		}
		o, err := lockOrder(c, orderID, shop.ActWarranty, nil)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, missingAt("claimId", "warranty claim")
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
		cl2, ev, err := decide(c, cl, o)
		if err != nil {
			return nil, err
		}
		if err := saveClaim(c, &cl2); err != nil {
			return nil, err
		}
		return &cl2, c.event(ev)
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
	return d.claimStep(ctx, "updateWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in,
		func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error) {
			var jobs *shop.ClaimJobs
			if in.JobIDs != nil {
				var err error
				if jobs, err = loadClaimJobs(c, o.ID, cl.ID, in.JobIDs); err != nil {
					return cl, shop.Event{}, err
				}
			}
			cl2, ev, err := shop.UpdateClaim(cl, o, claimTexts(in.Complaint, in.Cause, in.Correction, in.CausalPartNumber), jobs, c.now)
			if err != nil || jobs == nil {
				return cl2, ev, err
			}
			return cl2, ev, saveClaimJobs(c, &cl2, in.JobIDs)
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
	return d.claimStep(ctx, "submitWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in,
		func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error) {
			var n int
			if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM warranty_claim_jobs WHERE claim_id = $1`, cl.ID); err != nil {
				return cl, shop.Event{}, err
			}
			return shop.SubmitClaim(cl, o, n, c.now)
		})
}

// ReviseWarrantyClaim takes a rejected claim back to draft for correction.
func (d *DB) ReviseWarrantyClaim(ctx context.Context, in WarrantyClaimActionInput) (*shop.WarrantyClaim, error) {
	return d.claimStep(ctx, "reviseWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in,
		func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error) {
			return shop.ReviseClaim(cl, o, c.now)
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
	return d.claimStep(ctx, "decideWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in,
		func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error) {
			return shop.DecideClaim(cl, o, in.Approved, deref(in.Reason), deref(in.MakerReference), c.now)
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
	return d.claimStep(ctx, "payWarrantyClaim", in.ClaimID, in.ExpectedVersion, in.IdempotencyKey, in,
		func(c *change, cl shop.WarrantyClaim, o *shop.Order) (shop.WarrantyClaim, shop.Event, error) {
			return shop.PayClaim(cl, o, in.Amount, c.now)
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
		claimOfOrder := false
		if in.ClaimID != nil {
			if err := c.tx.GetContext(c.ctx, &claimOfOrder, `
				SELECT EXISTS (SELECT 1 FROM warranty_claims WHERE id = $1 AND order_id = $2)`, *in.ClaimID, o.ID); err != nil {
				return nil, err
			}
		}
		site, err := siteOf(c, o.SiteID, false)
		if err != nil {
			return nil, err
		}
		r, ev, err := shop.RetainPart(o, n, claimOfOrder, shop.RetainInput{ClaimID: in.ClaimID, PartNumber: in.PartNumber,
			Description: deref(in.Description), Quantity: in.Quantity, Location: in.Location, Deadline: in.Deadline},
			shop.LocalDate(c.now, site.Location()), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &r.ID, `
			INSERT INTO retained_parts (site_id, order_id, claim_id, part_number, description, quantity, location, disposition,
				deadline, retained_by, retained_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			r.SiteID, r.OrderID, r.ClaimID, r.PartNumber, r.Description, r.Quantity, r.Location, r.Disposition, r.Deadline,
			r.RetainedBy, r.RetainedAt); err != nil {
			return nil, err
		}
		return &r, c.event(ev)
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
			return nil, missingAt("retainedPartId", "retained part")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActWarranty); err != nil {
			return nil, err
		}
		if err := checkVersion("retained part", in.ExpectedVersion, r.Version); err != nil {
			return nil, err
		}
		r2, ev, err := shop.UpdateRetainedPart(r, in.Location, in.Disposition, deref(in.ShipmentRef), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE retained_parts SET location = $2, disposition = $3, shipment_ref = $4, disposed_by = $5, disposed_at = $6,
				version = $7 WHERE id = $1`, r2.ID, r2.Location, r2.Disposition, r2.ShipmentRef, r2.DisposedBy, r2.DisposedAt, r2.Version); err != nil {
			return nil, err
		}
		return &r2, c.event(ev)
	})
}

// ClaimFilter selects a site's warranty claims.
type ClaimFilter struct {
	SiteID  shop.SiteID
	OrderID *shop.OrderID
	States  []shop.ClaimState
	Page    Page
}

// FindWarrantyClaims lists a page of claims, newest first.
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
		  AND ($4::BIGINT IS NULL OR id < $4)
		ORDER BY id DESC LIMIT $5`, f.SiteID, f.OrderID, pq.Array(states), f.Page.after(), f.Page.limit())
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

// FindRetainedParts lists a page of a site's retained warranty parts, soonest
// deadline first: with keptOnly, those still kept. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindRetainedParts(ctx context.Context, site shop.SiteID, keptOnly bool, page Page) ([]*shop.RetainedPart, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var rows []*shop.RetainedPart
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+retainedColumns+` FROM retained_parts
		WHERE site_id = $1 AND (NOT $2 OR disposition = 'KEPT')
		  AND ($3::BIGINT IS NULL OR (deadline, id) > (SELECT deadline, id FROM retained_parts WHERE id = $3))
		ORDER BY deadline, id LIMIT $4`, site, keptOnly, page.after(), page.limit())
	return rows, translate(err)
}

// FindWarrantyClaimByID returns a claim of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindWarrantyClaimByID(ctx context.Context, id shop.WarrantyClaimID) (*shop.WarrantyClaim, error) {
	return findOne[shop.WarrantyClaim](d, ctx, `SELECT `+claimColumns+` FROM warranty_claims WHERE id = $1 AND site_id = ANY($2)`, id, "warranty claim")
}
