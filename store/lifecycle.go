package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"bayboard/shop"
)

// OrderRef names an order and, optionally, the version the caller last saw.
type OrderRef struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	IdempotencyKey  *string
}

// orderStep runs one order command: lock the order (its reserved parts first
// when the command releases them), let decide call the decision, set the
// order to its result and write the command's other rows, then save the
// order, board lane derived again, and append the events decide returns.
func (d *DB) orderStep(ctx context.Context, op string, ref OrderRef, input any, act shop.Action, releasesParts bool,
	decide func(c *change, o *shop.Order) ([]shop.Event, error)) (*shop.Order, error) {
	var first func(c *change) error
	if releasesParts {
		first = func(c *change) error { return lockReservedParts(c, ref.OrderID, nil) }
	}
	return d.orderStepAfter(ctx, op, ref, input, act, first, decide)
}

// orderStepAfter is orderStep that runs first (when given) before it locks
// the order: parts before the order, as every writer of reservations locks them.
func (d *DB) orderStepAfter(ctx context.Context, op string, ref OrderRef, input any, act shop.Action, first func(c *change) error,
	decide func(c *change, o *shop.Order) ([]shop.Event, error)) (*shop.Order, error) {
	o, err := mutate(d, ctx, op, deref(ref.IdempotencyKey), input, func(c *change) (*shop.Order, error) {
		if first != nil {
			if err := first(c); err != nil {
				return nil, err
			}
		}
		o, err := lockOrder(c, ref.OrderID, act, ref.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		evs, err := decide(c, o)
		if err != nil {
			return nil, err
		}
		if err := saveOrder(c, o, true); err != nil {
			return nil, err
		}
		return o, appendEvents(c, evs...)
	})
	redactOrders(shop.ActorFromContext(ctx), o)
	return o, err
}

// appendEvents appends events to the log in the change's transaction.
func appendEvents(c *change, evs ...shop.Event) error {
	for _, ev := range evs {
		if err := c.event(ev); err != nil {
			return err
		}
	}
	return nil
}

// UpdateRepairOrderInput changes an order's terms. While DRAFT any term may
// change; later only the insurer's assessment and the promised time.
type UpdateRepairOrderInput struct {
	OrderID             shop.OrderID
	ExpectedVersion     *int
	Findings            *string
	UnderWarranty       *bool
	WashRequested       *bool
	PaymentMethod       *shop.PaymentMethod
	OldParts            *shop.OldPartsDisposition
	InsuranceClaim      *bool
	InsurerName         *string
	AssessmentReference *string
	PromisedAt          *time.Time
	Reason              *string
	IdempotencyKey      *string
}

// UpdateRepairOrder changes an order's terms (see shop.EditOrder).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) UpdateRepairOrder(ctx context.Context, in UpdateRepairOrderInput) (*shop.Order, error) {
	return mutate(d, ctx, "updateRepairOrder", deref(in.IdempotencyKey), in, func(c *change) (*shop.Order, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActEstimate, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		next, ev, err := shop.EditOrder(*o, shop.OrderChanges{Terms: shop.Terms{Findings: in.Findings,
			UnderWarranty: in.UnderWarranty, WashRequested: in.WashRequested, PaymentMethod: in.PaymentMethod,
			OldParts: in.OldParts, InsuranceClaim: in.InsuranceClaim, InsurerName: in.InsurerName,
			AssessmentReference: in.AssessmentReference}, PromisedAt: in.PromisedAt, Reason: in.Reason})
		if err != nil {
			return nil, err
		}
		*o = next
		if o.KeepsEstimate() {
			if err := estimate(c, o); err != nil {
				return nil, err
			}
		}
		if err := saveOrder(c, o, true); err != nil {
			return nil, err
		}
		return o, c.event(ev)
	})
}

// AddJobInput adds a labour line to a DRAFT order.
type AddJobInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	Job             JobLineInput
	Parts           []*PartLineInput
	IdempotencyKey  *string
}

// AddJob adds a job (and its parts) to a draft estimate (see shop.AddJob).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) AddJob(ctx context.Context, in AddJobInput) (*shop.Order, error) {
	return d.orderStep(ctx, "addJob", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate, false,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			rate, err := labourRate(c, o.SiteID, in.Job.LabourPrice)
			if err != nil {
				return nil, err
			}
			j, ev, err := shop.AddJob(*o, in.Job, rate, c.now)
			if err != nil {
				return nil, err
			}
			if err := insertJob(c, &j); err != nil {
				return nil, err
			}
			for i, p := range in.Parts {
				field := fmt.Sprintf("parts[%d]", i)
				part, err := findCatalogue(c, o.SiteID, p.PartNumber, field)
				if err != nil {
					return nil, err
				}
				pl, err := shop.NewPartLine(o, &j.ID, *p, part, field, c.now)
				if err != nil {
					return nil, err
				}
				if err := insertPartLine(c, &pl); err != nil {
					return nil, err
				}
			}
			return []shop.Event{ev}, estimate(c, o)
		})
}

// AddPartLineInput adds a part to a DRAFT order, optionally tied to a job.
type AddPartLineInput struct {
	OrderID         shop.OrderID
	JobID           *shop.JobID
	ExpectedVersion *int
	Part            PartLineInput
	IdempotencyKey  *string
}

// AddPartLine adds a part line to a draft estimate (see shop.AddPartLine).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) AddPartLine(ctx context.Context, in AddPartLineInput) (*shop.Order, error) {
	return d.orderStepAfter(ctx, "addPartLine", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		func(c *change) error { return lockCataloguePart(c, in.OrderID, in.Part.PartNumber) },
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return nil, err
			}
			part, err := findCatalogue(c, o.SiteID, in.Part.PartNumber, "part")
			if err != nil {
				return nil, err
			}
			pl, ev, err := shop.AddPartLine(*o, jobs, in.JobID, in.Part, part, c.now)
			if err != nil {
				return nil, err
			}
			if err := insertPartLine(c, &pl); err != nil {
				return nil, err
			}
			return []shop.Event{ev}, reserveAddedLine(c, o, &pl) // the line holds its stock
		})
}

// RemoveOrderLineInput removes a job or a part line from a DRAFT order.
type RemoveOrderLineInput struct {
	OrderID         shop.OrderID
	JobID           *shop.JobID
	PartLineID      *shop.PartLineID
	ExpectedVersion *int
	IdempotencyKey  *string
}

// RemoveOrderLine removes a job (with its parts) or a part line from a
// draft (see shop.RemoveOrderLine). Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) RemoveOrderLine(ctx context.Context, in RemoveOrderLineInput) (*shop.Order, error) {
	return d.orderStep(ctx, "removeOrderLine", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate, true,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return nil, err
			}
			ev, err := shop.RemoveOrderLine(*o, jobs, in.JobID, in.PartLineID)
			if err != nil {
				return nil, err
			}
			// The decision saw exactly one line named. What it held is released.
			q, id, field := `DELETE FROM jobs WHERE id = $1 AND order_id = $2`, any(in.JobID), "jobId"
			release := func() error { return releaseReservations(c, o, in.JobID, "the job was removed from the estimate") }
			if in.PartLineID != nil {
				q, id, field = `DELETE FROM part_lines WHERE id = $1 AND order_id = $2`, *in.PartLineID, "partLineId"
				release = func() error {
					return releaseLineReservations(c, o, *in.PartLineID, "the part line was removed from the estimate")
				}
			}
			if err := release(); err != nil {
				return nil, err
			}
			res, err := c.tx.ExecContext(c.ctx, q, id, o.ID)
			if err != nil {
				return nil, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil, notFoundAt(field, "That line is not on this repair order.")
			}
			return []shop.Event{ev}, estimate(c, o)
		})
}

// SignRepairOrderInput records the customer's signature on the order.
type SignRepairOrderInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	SignedBy        string
	PromisedAt      *time.Time
	IdempotencyKey  *string
}

// SignRepairOrder records the customer's signature (see shop.SignOrder):
// nothing is worked on before. The estimate is brought up to date first, as
// the default promised time. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) SignRepairOrder(ctx context.Context, in SignRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "signRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate, false,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return nil, err
			}
			if o.KeepsEstimate() {
				if err := estimate(c, o); err != nil {
					return nil, err
				}
			}
			next, ev, err := shop.SignOrder(*o, jobs, in.SignedBy, in.PromisedAt, c.now)
			if err != nil {
				return nil, err
			}
			*o = next
			return []shop.Event{ev}, nil
		})
}

// HandOverRepairOrderInput hands the car and order to the workshop.
type HandOverRepairOrderInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	Priority        *shop.Priority
	IdempotencyKey  *string
}

// HandOverRepairOrder hands a signed order to the workshop (派工 begins).
// Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) HandOverRepairOrder(ctx context.Context, in HandOverRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "handOverRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActHandOver, false,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			next, ev, err := shop.HandOverOrder(*o, in.Priority, c.now)
			if err != nil {
				return nil, err
			}
			*o = next
			return []shop.Event{ev}, nil
		})
}

// CancelRepairOrderInput withdraws an order before work begins.
type CancelRepairOrderInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	Reason          string
	IdempotencyKey  *string
}

// CancelRepairOrder cancels a draft or signed order and releases its parts
// reservations in the same transaction. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) CancelRepairOrder(ctx context.Context, in CancelRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "cancelRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate, true,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			next, ev, err := shop.CancelOrder(*o, in.Reason, c.now)
			if err != nil {
				return nil, err
			}
			*o = next
			return []shop.Event{ev}, releaseReservations(c, o, nil, "the repair order was cancelled")
		})
}

// JobRef names a job and, optionally, the version the caller last saw.
type JobRef struct {
	JobID           shop.JobID
	ExpectedVersion *int
	IdempotencyKey  *string
}

// jobStep runs one job command: lock the order and the job, let decide call
// the decision (and write the command's other rows), save the job with its
// event; afterwards the order may move on (all jobs checked → final
// inspection) and its board lane is derived again. Besides what decide
// sends, that is two statements: lock the order and the job, then save the
// job with its event and read the order's other jobs; a third only when the
// order changes.
func (d *DB) jobStep(ctx context.Context, op string, ref JobRef, input any, act shop.Action,
	decide func(c *change, l *lockedJob) (shop.Job, shop.Event, error)) (*shop.Job, error) {
	return mutate(d, ctx, op, deref(ref.IdempotencyKey), input, func(c *change) (*shop.Job, error) {
		l, err := lockJobRow(c, ref.JobID, act, ref.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		j, ev, err := decide(c, l)
		if err != nil {
			return nil, err
		}
		jobs, err := saveJobStep(c, l.O, &j, ev)
		if err != nil {
			return nil, err
		}
		return &j, afterJobsWith(c, l.O, jobs)
	})
}

// jobStepSQL saves a job (updateJobSQL, $1…$17), appends its event
// (insertEventSQL from $18, waking the listeners with notify) and reads the
// order's other jobs (order ID last), in one statement. The other jobs are read
// as they were when the statement began, which is current: the order is
// locked, and every writer of a job locks its order first.
func jobStepSQL(notify bool) string {
	orderParam := 27
	if notify {
		orderParam = 28
	}
	return `
		WITH saved AS (` + updateJobSQL + `
		), logged AS (
			` + insertEventSQL(18, notify) + `
		)
		SELECT ` + jobColumns + `
		FROM jobs WHERE order_id = $` + strconv.Itoa(orderParam) + ` AND id <> $1 ORDER BY id`
}

var (
	jobStepQuery        = jobStepSQL(false)
	jobStepAndWakeQuery = jobStepSQL(true)
)

// saveJobStep writes j (bumping its version) and its event ev, and returns
// every job of the order as it now stands, in ID order.
func saveJobStep(c *change, o *shop.Order, j *shop.Job, ev shop.Event) ([]*shop.Job, error) {
	evArgs, notify := c.eventArgs(&ev)
	q := jobStepQuery
	if notify {
		q = jobStepAndWakeQuery
	}
	args := append(jobArgs(c, j), evArgs...)
	args = append(args, o.ID)
	rows, err := c.query(q, args...)
	if err != nil {
		return nil, err
	}
	jobs, err := scanAll(rows, scanJob)
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(jobs, j.ID, func(x *shop.Job, id shop.JobID) int { return cmp.Compare(x.ID, id) })
	return slices.Insert(jobs, i, j), nil
}

// afterJobs moves an order to final inspection once every job is checked,
// and keeps its board lane current (see shop.AfterJobs).
func afterJobs(c *change, o *shop.Order) error {
	jobs, err := orderJobs(c, o.ID)
	if err != nil {
		return err
	}
	return afterJobsWith(c, o, jobs)
}

// afterJobsWith is afterJobs with the order's jobs, current and in ID order,
// already at hand.
func afterJobsWith(c *change, o *shop.Order, jobs []*shop.Job) error {
	next, changed, evs := shop.AfterJobs(*o, jobs, c.now)
	if !changed {
		return nil
	}
	*o = next
	if err := saveOrder(c, o, false); err != nil {
		return err
	}
	return appendEvents(c, evs...)
}

// DispatchJobInput assigns a job to a technician and a bay.
type DispatchJobInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	TechnicianID    shop.UserID
	BayID           shop.BayID
	IdempotencyKey  *string
}

// DispatchJob assigns a job to a technician and a bay of its site, or
// reassigns it; the event of a reassignment names the previous and the new
// technician (see shop.DispatchJob). Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) DispatchJob(ctx context.Context, in DispatchJobInput) (*shop.Job, error) {
	return d.jobStep(ctx, "dispatchJob", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActDispatch,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			o, j := l.O, *l.J
			if err := requireStaff(c, o.SiteID, in.TechnicianID, "technicianId", shop.RoleTechnician); err != nil {
				return j, shop.Event{}, err
			}
			to := shop.Dispatch{Technician: in.TechnicianID, PreviousName: l.Technician, Bay: in.BayID}
			err := c.tx.QueryRowContext(c.ctx, `
				SELECT b.code, NOT b.active, COALESCE((SELECT u.short_name FROM users u WHERE u.id = $3), '')
				FROM bays b WHERE b.id = $1 AND b.site_id = $2`, in.BayID, o.SiteID, in.TechnicianID).Scan(&to.BayCode, &to.BayRetired, &to.TechnicianName)
			if isNoRows(err) {
				return j, shop.Event{}, notFoundAt("bayId", "No bay with that ID exists at this site.")
			} else if err != nil {
				return j, shop.Event{}, err
			}
			return shop.DispatchJob(o, j, to, l.RunningSince, c.now)
		})
}

// StartJob starts a dispatched job, or rework after a failed check, as its
// technician (see shop.StartJob). Errors: NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) StartJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "startJob", in, in, shop.ActWorkJob,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			return shop.StartJob(l.O, *l.J, *c.actor, l.Technician, c.now)
		})
}

// PauseJobInput pauses a job with a reason.
type PauseJobInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	Reason          shop.PauseReason
	Note            *string
	IdempotencyKey  *string
}

// PauseJob pauses a job in progress, as its technician; WAITING_PARTS
// shows the car as blocked on the board. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) PauseJob(ctx context.Context, in PauseJobInput) (*shop.Job, error) {
	return d.jobStep(ctx, "pauseJob", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActWorkJob,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			return shop.PauseJob(l.O, *l.J, *c.actor, l.Technician, in.Reason, in.Note, l.RunningSince, c.now)
		})
}

// ResumeJob resumes a paused job, as its technician. Errors: NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) ResumeJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "resumeJob", in, in, shop.ActWorkJob,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			return shop.ResumeJob(l.O, *l.J, *c.actor, l.Technician, c.now)
		})
}

// ReportJobProgressInput reports how far a job in progress is.
type ReportJobProgressInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	Progress        int
	IdempotencyKey  *string
}

// ReportJobProgress records a job's progress percentage, as its
// technician reports it. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) ReportJobProgress(ctx context.Context, in ReportJobProgressInput) (*shop.Job, error) {
	return d.jobStep(ctx, "reportJobProgress", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActWorkJob,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			return shop.ReportJobProgress(l.O, *l.J, *c.actor, l.Technician, in.Progress, c.now)
		})
}

// FinishJob marks a job's work finished, as its technician; the self-check
// is next. Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) FinishJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "finishJob", in, in, shop.ActWorkJob,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			return shop.FinishJob(l.O, *l.J, *c.actor, l.Technician, l.RunningSince, c.now)
		})
}

// RecordJobCheckInput records a self-check or a team-lead check of a job.
type RecordJobCheckInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	Passed          bool
	Notes           *string
	IdempotencyKey  *string
}

// RecordSelfCheck records the technician's self-check (自检), by the
// technician the job is dispatched to; a failed one puts the job back in
// progress. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) RecordSelfCheck(ctx context.Context, in RecordJobCheckInput) (*shop.Job, error) {
	return d.jobStep(ctx, "recordSelfCheck", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActSelfCheck,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			j2, ch, ev, err := shop.SelfCheckJob(l.O, *l.J, *c.actor, l.Technician, in.Passed, in.Notes, c.now)
			if err != nil {
				return *l.J, ev, err
			}
			return j2, ev, insertCheck(c, &ch)
		})
}

// RecordTeamLeadCheck records the team lead's check (班组长检验), never by
// anyone who worked on the job (its history is read for that); a failed one
// sends the job back as rework. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT.
func (d *DB) RecordTeamLeadCheck(ctx context.Context, in RecordJobCheckInput) (*shop.Job, error) {
	return d.jobStep(ctx, "recordTeamLeadCheck", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActTeamLeadCheck,
		func(c *change, l *lockedJob) (shop.Job, shop.Event, error) {
			h, err := loadHistory(c, l.O.ID, &l.J.ID)
			if err != nil {
				return *l.J, shop.Event{}, err
			}
			j2, ch, ev, err := shop.TeamLeadCheckJob(l.O, *l.J, h, *c.actor, in.Passed, in.Notes, c.now)
			if err != nil {
				return *l.J, ev, err
			}
			return j2, ev, insertCheck(c, &ch)
		})
}

// loadHistory reads what the rules of who may check need of an order's jobs
// (of one job when job is given): the kind, job and actor of their events
// and their checks (see shop.History). The order is locked, and every
// writer of its jobs' events and checks locks it first, so this is current.
func loadHistory(c *change, order shop.OrderID, job *shop.JobID) (shop.History, error) {
	var h shop.History
	if err := c.tx.SelectContext(c.ctx, &h.Events, `
		SELECT kind, job_id, actor_id FROM events
		WHERE order_id = $1 AND job_id IS NOT NULL AND ($2::BIGINT IS NULL OR job_id = $2)`, order, job); err != nil {
		return h, err
	}
	err := c.tx.SelectContext(c.ctx, &h.Checks, `
		SELECT id, site_id, order_id, job_id, kind, passed, notes, checked_by, checked_at FROM checks
		WHERE order_id = $1 AND job_id IS NOT NULL AND ($2::BIGINT IS NULL OR job_id = $2)`, order, job)
	return h, err
}

// insertCheck writes the record of a check.
func insertCheck(c *change, ch *shop.Check) error {
	_, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO checks (site_id, order_id, job_id, kind, passed, notes, checked_by, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, ch.SiteID, ch.OrderID, ch.JobID, ch.Kind, ch.Passed, ch.Notes, ch.CheckedBy, ch.CheckedAt)
	return err
}

// RecordFinalInspectionInput records the 100% final inspection (总检).
type RecordFinalInspectionInput struct {
	OrderID         shop.OrderID
	ExpectedVersion *int
	Passed          bool
	Notes           *string
	FailedJobIDs    []shop.JobID
	IdempotencyKey  *string
}

// RecordFinalInspection passes the order on to wash or ready, or fails it:
// the named jobs go back as rework with the reason; never by anyone who
// worked on the order, which its jobs' history says (see shop.FinalInspection).
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) RecordFinalInspection(ctx context.Context, in RecordFinalInspectionInput) (*shop.Order, error) {
	return d.orderStep(ctx, "recordFinalInspection", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in,
		shop.ActFinalInspection, false, func(c *change, o *shop.Order) ([]shop.Event, error) {
			var jobs []*shop.Job
			if err := c.tx.SelectContext(c.ctx, &jobs, `SELECT `+jobColumns+` FROM jobs WHERE order_id = $1 ORDER BY id FOR UPDATE`, o.ID); err != nil {
				return nil, err
			}
			h, err := loadHistory(c, o.ID, nil)
			if err != nil {
				return nil, err
			}
			next, back, check, evs, err := shop.FinalInspection(*o, jobs, h,
				shop.Inspection{Passed: in.Passed, Notes: in.Notes, FailedJobIDs: in.FailedJobIDs}, c.actor.UserID, c.now)
			if err != nil {
				return nil, err
			}
			if err := insertCheck(c, &check); err != nil {
				return nil, err
			}
			for i := range back {
				if err := saveJob(c, &back[i]); err != nil {
					return nil, err
				}
			}
			*o = next
			return evs, nil
		})
}

// FinishWash records the wash (洗车) done; the car is ready. Errors:
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) FinishWash(ctx context.Context, in OrderRef) (*shop.Order, error) {
	return d.orderStep(ctx, "finishWash", in, in, shop.ActWash, false,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			next, evs, err := shop.FinishWash(*o, c.now)
			if err != nil {
				return nil, err
			}
			*o = next
			return evs, nil
		})
}

// SettleRepairOrderInput settles (结算) a ready order.
type SettleRepairOrderInput struct {
	OrderID             shop.OrderID
	ExpectedVersion     *int
	PaymentMethod       *shop.PaymentMethod
	PaymentReference    *string
	AssessmentReference *string
	// AmountPaid is paid at the counter now; nil pays the balance in full.
	AmountPaid *shop.Money
	// ChargeToAccount puts the customer's share on their account (签单).
	ChargeToAccount *bool
	// InvoiceNumber is the invoice (发票) number, when issued at settlement.
	InvoiceNumber  *string
	IdempotencyKey *string
}

// SettleRepairOrder writes the itemised settlement: labour and parts, split
// by payer, with the deposit credited, the counter payment and the
// receivables it opens (see shop.SettleOrder, store/settle.go). Errors:
// INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) SettleRepairOrder(ctx context.Context, in SettleRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "settleRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActSettle, false,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return nil, err
			}
			// Parts are billed as issued minus returned; lines never issued refuse settlement.
			parts, err := settleParts(c, o, jobs)
			if err != nil {
				return nil, err
			}
			if err := recordBilled(c, o.ID, parts); err != nil {
				return nil, err
			}
			return settleOrder(c, o, jobs, parts, in)
		})
}

// DeliverVehicleInput records delivery (交车).
type DeliverVehicleInput struct {
	OrderID            shop.OrderID
	ExpectedVersion    *int
	BelongingsChecked  bool
	ExitPass           *string
	NextServiceDate    *time.Time
	NextServiceMileage *int
	IdempotencyKey     *string
}

// DeliverVehicle hands the car back after settlement (see shop.DeliverOrder);
// the visit closes when its last order is delivered. The order's callbacks
// are scheduled, the next service told to the customer becomes a service
// plan with reminders, and parts still reserved for the order are released.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) DeliverVehicle(ctx context.Context, in DeliverVehicleInput) (*shop.Order, error) {
	return d.orderStep(ctx, "deliverVehicle", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActDeliver, true,
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			var others []shop.OrderState
			if err := c.tx.SelectContext(c.ctx, &others, `SELECT state FROM repair_orders WHERE visit_id = $1 AND id <> $2`, o.VisitID, o.ID); err != nil {
				return nil, err
			}
			if err := checkPaidForDelivery(c, o); err != nil {
				return nil, err
			}
			next, dv, ev, err := shop.DeliverOrder(*o, shop.DeliveryInput{BelongingsChecked: in.BelongingsChecked,
				ExitPass: in.ExitPass, NextServiceDate: in.NextServiceDate, NextServiceMileage: in.NextServiceMileage}, others, c.now)
			if err != nil {
				return nil, err
			}
			*o = next
			if dv.ClosesVisit {
				if _, err := c.tx.ExecContext(c.ctx, `
					UPDATE visits SET delivered_at = $2, exit_pass = $3, next_service_date = $4, next_service_km = $5,
						version = version + 1, updated_at = $2
					WHERE id = $1`,
					o.VisitID, c.now, dv.ExitPass, in.NextServiceDate, in.NextServiceMileage); err != nil {
					return nil, err
				}
			}
			if err := scheduleAfterDelivery(c, o, in.NextServiceDate, in.NextServiceMileage); err != nil {
				return nil, err
			}
			return []shop.Event{ev}, releaseReservations(c, o, nil, "the car was delivered")
		})
}
