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

// orderStep runs one order transition: lock, authorise, check the version,
// move the state machine, let apply change the order, save, record the event.
func (d *DB) orderStep(ctx context.Context, op string, ref OrderRef, input any, act shop.Action, action shop.OrderAction,
	kind shop.EventKind, apply func(c *change, o *shop.Order) (summary string, err error)) (*shop.Order, error) {
	o, err := mutate(d, ctx, op, deref(ref.IdempotencyKey), input, func(c *change) (*shop.Order, error) {
		if action == shop.OrderCancel || action == shop.OrderDeliver {
			// These steps release the order's reservations: parts before the order.
			if err := lockReservedParts(c, ref.OrderID, nil); err != nil {
				return nil, err
			}
		}
		o, err := lockOrder(c, ref.OrderID, act, ref.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		next, err := shop.NextOrderState(o.State, action)
		if err != nil {
			return nil, err
		}
		prev := o.State
		o.State = next
		summary, err := apply(c, o)
		if err != nil {
			return nil, err
		}
		if err := saveOrder(c, o, true); err != nil {
			return nil, err
		}
		if err := c.event(orderEvent(o, kind, nil, summary)); err != nil {
			return nil, err
		}
		if o.State == shop.OrderReady && prev != shop.OrderReady {
			return o, c.event(orderEvent(o, shop.EventOrderReady, nil,
				"Ready for pick-up: tell the customer by "+o.NotifyBy.UTC().Format(time.RFC3339)))
		}
		return o, nil
	})
	redactOrders(shop.ActorFromContext(ctx), o)
	return o, err
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

// UpdateRepairOrder changes an order's terms. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) UpdateRepairOrder(ctx context.Context, in UpdateRepairOrderInput) (*shop.Order, error) {
	return mutate(d, ctx, "updateRepairOrder", deref(in.IdempotencyKey), in, func(c *change) (*shop.Order, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActEstimate, in.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		termsChange := in.Findings != nil || in.UnderWarranty != nil || in.WashRequested != nil || in.PaymentMethod != nil ||
			in.OldParts != nil || in.InsuranceClaim != nil || in.InsurerName != nil
		if termsChange {
			if _, err := shop.NextOrderState(o.State, shop.OrderEdit); err != nil {
				return nil, err
			}
		}
		if !o.State.Open() || o.State == shop.OrderSettled {
			return nil, shop.Errorf(shop.EINVALIDTRANSITION, "The repair order is %s; its terms can no longer change (EDIT).", o.State.Describe())
		}
		if err := applyTerms(o, in.Findings, in.UnderWarranty, in.WashRequested, in.PaymentMethod, in.OldParts,
			in.InsuranceClaim, in.InsurerName, in.AssessmentReference); err != nil {
			return nil, err
		}
		summary := "Repair order terms changed"
		if in.PromisedAt != nil {
			if o.State != shop.OrderDraft && o.PromisedAt != nil {
				reason, err := shop.CheckText("reason", deref(in.Reason), true, shop.MaxShortText)
				if err != nil {
					return nil, shop.FieldErrorf("reason", "Moving a promised time needs the reason the customer is told.")
				}
				summary = fmt.Sprintf("Promised time moved from %s to %s: %s", o.PromisedAt.UTC().Format(time.RFC3339),
					in.PromisedAt.UTC().Format(time.RFC3339), reason)
			}
			t := in.PromisedAt.UTC()
			o.PromisedAt = &t
		}
		if o.State == shop.OrderDraft {
			if err := estimate(c, o); err != nil {
				return nil, err
			}
		}
		if err := saveOrder(c, o, true); err != nil {
			return nil, err
		}
		return o, c.event(orderEvent(o, shop.EventOrderEdited, nil, summary))
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

// AddJob adds a job (and its parts) to a draft estimate.
func (d *DB) AddJob(ctx context.Context, in AddJobInput) (*shop.Order, error) {
	return d.orderStep(ctx, "addJob", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		shop.OrderEdit, shop.EventOrderEdited, func(c *change, o *shop.Order) (string, error) {
			j, err := insertJob(c, o, &in.Job, shop.JobWaitingDispatch, false, false, "job")
			if err != nil {
				return "", err
			}
			for i, p := range in.Parts {
				if _, err := insertPartLine(c, o, &j.ID, p, false, fmt.Sprintf("parts[%d]", i)); err != nil {
					return "", err
				}
			}
			return "Job added: " + j.Description, estimate(c, o)
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

// AddPartLine adds a part line to a draft estimate.
func (d *DB) AddPartLine(ctx context.Context, in AddPartLineInput) (*shop.Order, error) {
	return d.orderStep(ctx, "addPartLine", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		shop.OrderEdit, shop.EventOrderEdited, func(c *change, o *shop.Order) (string, error) {
			if in.JobID != nil {
				var n int
				if err := c.tx.GetContext(c.ctx, &n, `SELECT count(*) FROM jobs WHERE id = $1 AND order_id = $2`, *in.JobID, o.ID); err != nil {
					return "", err
				}
				if n == 0 {
					return "", &shop.Error{Code: shop.ENOTFOUND, Field: "jobId", Message: "That job is not on this repair order."}
				}
			}
			pl, err := insertPartLine(c, o, in.JobID, &in.Part, false, "part")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("Part added: %s × %d", pl.PartNumber, pl.Quantity), nil
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

// RemoveOrderLine removes a job (with its parts) or a part line from a draft.
func (d *DB) RemoveOrderLine(ctx context.Context, in RemoveOrderLineInput) (*shop.Order, error) {
	return d.orderStep(ctx, "removeOrderLine", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		shop.OrderEdit, shop.EventOrderEdited, func(c *change, o *shop.Order) (string, error) {
			if (in.JobID == nil) == (in.PartLineID == nil) {
				return "", shop.FieldErrorf("jobId", "Name exactly one line to remove: a jobId or a partLineId.")
			}
			var q, field string
			var id any
			if in.JobID != nil {
				q, id, field = `DELETE FROM jobs WHERE id = $1 AND order_id = $2`, *in.JobID, "jobId"
			} else {
				q, id, field = `DELETE FROM part_lines WHERE id = $1 AND order_id = $2`, *in.PartLineID, "partLineId"
			}
			res, err := c.tx.ExecContext(c.ctx, q, id, o.ID)
			if err != nil {
				return "", err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return "", &shop.Error{Code: shop.ENOTFOUND, Field: field, Message: "That line is not on this repair order."}
			}
			return "Line removed", estimate(c, o)
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

// SignRepairOrder records the customer's signature: nothing is worked on
// before. The promised time defaults to the estimate. Errors: INVALID,
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) SignRepairOrder(ctx context.Context, in SignRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "signRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		shop.OrderSign, shop.EventOrderSigned, func(c *change, o *shop.Order) (string, error) {
			name, err := shop.CheckText("signedBy", in.SignedBy, true, shop.MaxShortText)
			if err != nil {
				return "", err
			}
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return "", err
			}
			if len(jobs) == 0 {
				return "", shop.Errorf(shop.EINVALID, "A repair order needs at least one job before the customer signs it.")
			}
			if err := estimate(c, o); err != nil {
				return "", err
			}
			promised := o.EstimatedAt
			if in.PromisedAt != nil {
				if !in.PromisedAt.After(c.now) {
					return "", shop.FieldErrorf("promisedAt", "The promised time must be in the future.")
				}
				t := in.PromisedAt.UTC()
				promised = &t
			} else if o.PromisedAt != nil && o.PromisedAt.After(c.now) {
				promised = o.PromisedAt
			}
			o.PromisedAt, o.SignedAt, o.SignedBy = promised, &c.now, name
			return "Signed by the customer", nil
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
func (d *DB) HandOverRepairOrder(ctx context.Context, in HandOverRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "handOverRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActHandOver,
		shop.OrderHandOver, shop.EventOrderHandedOver, func(c *change, o *shop.Order) (string, error) {
			if in.Priority != nil {
				o.Priority = *in.Priority
			}
			o.HandedOverAt = &c.now
			return "Handed over to the workshop, priority " + string(o.Priority), nil
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
// reservations in the same transaction.
func (d *DB) CancelRepairOrder(ctx context.Context, in CancelRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "cancelRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		shop.OrderCancel, shop.EventOrderCancelled, func(c *change, o *shop.Order) (string, error) {
			reason, err := shop.CheckText("reason", in.Reason, true, shop.MaxShortText)
			if err != nil {
				return "", err
			}
			o.CancelledAt, o.CancelReason = &c.now, reason
			if err := releaseReservations(c, o, nil, "the repair order was cancelled"); err != nil {
				return "", err
			}
			return "Cancelled: " + reason, nil
		})
}

// JobRef names a job and, optionally, the version the caller last saw.
type JobRef struct {
	JobID           shop.JobID
	ExpectedVersion *int
	IdempotencyKey  *string
}

// jobStep runs one job transition; afterwards the order may move on (all
// jobs checked → final inspection) and its board lane is derived again.
// Besides what apply sends, that is two statements: lock the order and the
// job, then save the job with its event and read the order's other jobs;
// a third only when the order changes.
func (d *DB) jobStep(ctx context.Context, op string, ref JobRef, input any, act shop.Action, action shop.JobAction,
	kind shop.EventKind, apply func(c *change, o *shop.Order, j *shop.Job) (string, error)) (*shop.Job, error) {
	return mutate(d, ctx, op, deref(ref.IdempotencyKey), input, func(c *change) (*shop.Job, error) {
		l, err := lockJobRow(c, ref.JobID, act, ref.ExpectedVersion)
		if err != nil {
			return nil, err
		}
		o, j := l.O, l.J
		next, err := shop.NextJobState(o.State, j.State, action)
		if err != nil {
			return nil, err
		}
		prev := j.State
		j.State = next
		summary, err := apply(c, o, j)
		if err != nil {
			return nil, err
		}
		if prev == shop.JobInProgress && next != shop.JobInProgress {
			stopClock(c, j, l.RunningSince)
		}
		jobs, err := saveJobStep(c, o, j, orderEvent(o, kind, &j.ID, summary))
		if err != nil {
			return nil, err
		}
		return j, afterJobsWith(c, o, jobs)
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
	defer rows.Close()
	var jobs []*shop.Job
	for rows.Next() {
		sj, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, sj)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(jobs, j.ID, func(x *shop.Job, id shop.JobID) int { return cmp.Compare(x.ID, id) })
	return slices.Insert(jobs, i, j), nil
}

// afterJobs moves an order to final inspection once every job is checked,
// and keeps its board lane current.
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
	var err error
	submitted := false
	if o.State == shop.OrderInWork && shop.ReadyForQC(jobs) {
		if o.State, err = shop.NextOrderState(o.State, shop.OrderSubmitQC); err != nil {
			return err
		}
		submitted = true
	}
	before, since := o.Stage, o.StageSince
	setStage(c, o, jobs)
	if !submitted && since.Equal(o.StageSince) && (before == nil) == (o.Stage == nil) {
		return nil // nothing of the order changed
	}
	if err := saveOrder(c, o, false); err != nil {
		return err
	}
	if submitted {
		return c.event(orderEvent(o, shop.EventOrderSubmittedQC, nil, "Every job checked: waiting for final inspection"))
	}
	return nil
}

// DispatchJobInput assigns a job to a technician and a bay.
type DispatchJobInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	TechnicianID    shop.UserID
	BayID           shop.BayID
	IdempotencyKey  *string
}

// DispatchJob assigns (or reassigns) a job. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) DispatchJob(ctx context.Context, in DispatchJobInput) (*shop.Job, error) {
	return d.jobStep(ctx, "dispatchJob", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActDispatch,
		shop.JobDispatch, shop.EventJobDispatched, func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			if err := requireStaff(c, o.SiteID, in.TechnicianID, "technicianId", shop.RoleTechnician); err != nil {
				return "", err
			}
			var bay string
			err := c.tx.GetContext(c.ctx, &bay, `SELECT code FROM bays WHERE id = $1 AND site_id = $2`, in.BayID, o.SiteID)
			if isNoRows(err) {
				return "", &shop.Error{Code: shop.ENOTFOUND, Field: "bayId", Message: "No bay with that ID exists at this site."}
			} else if err != nil {
				return "", err
			}
			j.TechnicianID, j.BayID, j.DispatchedAt = &in.TechnicianID, &in.BayID, &c.now
			j.PauseReason, j.PauseNote = nil, ""
			return "Dispatched to bay " + bay, nil
		})
}

// StartJob starts a dispatched job, or rework after a failed check.
func (d *DB) StartJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "startJob", in, in, shop.ActWorkJob, shop.JobStart, shop.EventJobStarted,
		func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			if j.TechnicianID == nil {
				return "", shop.Errorf(shop.EINVALIDTRANSITION, "The job has no technician; dispatch it first.")
			}
			if j.StartedAt == nil {
				j.StartedAt = &c.now
			}
			if j.ReworkCount > 0 {
				return "Rework started", nil
			}
			return "Work started", nil
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

// PauseJob pauses a job in progress; WAITING_PARTS shows the car as blocked on the board.
func (d *DB) PauseJob(ctx context.Context, in PauseJobInput) (*shop.Job, error) {
	return d.jobStep(ctx, "pauseJob", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActWorkJob,
		shop.JobPause, shop.EventJobPaused, func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			note, err := shop.CheckText("note", deref(in.Note), in.Reason == shop.PauseOther, shop.MaxShortText)
			if err != nil {
				return "", err
			}
			r := in.Reason
			j.PauseReason, j.PauseNote = &r, note
			return "Paused: " + string(r) + " " + note, nil
		})
}

// ResumeJob resumes a paused job.
func (d *DB) ResumeJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "resumeJob", in, in, shop.ActWorkJob, shop.JobResume, shop.EventJobResumed,
		func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			j.PauseReason, j.PauseNote = nil, ""
			return "Work resumed", nil
		})
}

// ReportJobProgressInput reports how far a job in progress is.
type ReportJobProgressInput struct {
	JobID           shop.JobID
	ExpectedVersion *int
	Progress        int
	IdempotencyKey  *string
}

// ReportJobProgress records a job's progress percentage.
func (d *DB) ReportJobProgress(ctx context.Context, in ReportJobProgressInput) (*shop.Job, error) {
	return d.jobStep(ctx, "reportJobProgress", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActWorkJob,
		shop.JobReportProgress, shop.EventJobProgress, func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			if err := shop.ValidProgress(in.Progress); err != nil {
				return "", err
			}
			j.Progress = in.Progress
			return fmt.Sprintf("Progress %d%%", in.Progress), nil
		})
}

// FinishJob marks a job's work finished; the self-check is next.
func (d *DB) FinishJob(ctx context.Context, in JobRef) (*shop.Job, error) {
	return d.jobStep(ctx, "finishJob", in, in, shop.ActWorkJob, shop.JobFinish, shop.EventJobFinished,
		func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			j.Progress, j.FinishedAt = 100, &c.now
			return "Work finished", nil
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

// RecordSelfCheck records the technician's self-check (自检); a failed one
// puts the job back in progress.
func (d *DB) RecordSelfCheck(ctx context.Context, in RecordJobCheckInput) (*shop.Job, error) {
	action := shop.JobSelfCheckFail
	if in.Passed {
		action = shop.JobSelfCheckPass
	}
	return d.jobStep(ctx, "recordSelfCheck", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActSelfCheck,
		action, shop.EventSelfCheckRecorded, func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			return insertCheck(c, o, j, shop.CheckSelf, in.Passed, in.Notes)
		})
}

// RecordTeamLeadCheck records the team lead's check (班组长检验); a failed one
// sends the job back as rework.
func (d *DB) RecordTeamLeadCheck(ctx context.Context, in RecordJobCheckInput) (*shop.Job, error) {
	action := shop.JobTeamLeadFail
	if in.Passed {
		action = shop.JobTeamLeadPass
	}
	return d.jobStep(ctx, "recordTeamLeadCheck", JobRef{in.JobID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActTeamLeadCheck,
		action, shop.EventTeamLeadCheckRecorded, func(c *change, o *shop.Order, j *shop.Job) (string, error) {
			if !in.Passed {
				notes, err := shop.CheckText("notes", deref(in.Notes), true, shop.MaxLongText)
				if err != nil {
					return "", shop.FieldErrorf("notes", "A failed check needs notes saying what is wrong.")
				}
				j.ReworkCount++
				j.ReworkReason = notes
				j.Progress = 0
			}
			return insertCheck(c, o, j, shop.CheckTeamLead, in.Passed, in.Notes)
		})
}

func insertCheck(c *change, o *shop.Order, j *shop.Job, kind shop.CheckKind, passed bool, notes *string) (string, error) {
	n, err := shop.CheckText("notes", deref(notes), !passed, shop.MaxLongText)
	if err != nil {
		return "", err
	}
	var jid *shop.JobID
	if j != nil {
		jid = &j.ID
	}
	if _, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO checks (site_id, order_id, job_id, kind, passed, notes, checked_by, checked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, o.SiteID, o.ID, jid, kind, passed, n, c.actor.UserID, c.now); err != nil {
		return "", err
	}
	verdict := "passed"
	if !passed {
		verdict = "failed: " + n
	}
	return fmt.Sprintf("%s check %s", kind, verdict), nil
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
// the named jobs go back as rework with the reason.
func (d *DB) RecordFinalInspection(ctx context.Context, in RecordFinalInspectionInput) (*shop.Order, error) {
	action, kind := shop.OrderFailQC, shop.EventQCFailed
	if in.Passed {
		action, kind = shop.OrderPassQC, shop.EventQCPassed
	}
	return d.orderStep(ctx, "recordFinalInspection", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in,
		shop.ActFinalInspection, action, kind, func(c *change, o *shop.Order) (string, error) {
			summary, err := insertCheck(c, o, nil, shop.CheckFinal, in.Passed, in.Notes)
			if err != nil {
				return "", err
			}
			if in.Passed {
				if len(in.FailedJobIDs) > 0 {
					return "", shop.FieldErrorf("failedJobIds", "A passed inspection names no failed jobs.")
				}
				o.QCPassedAt = &c.now
				if o.WashRequested {
					o.State = shop.OrderWash
				} else {
					markReady(c, o)
				}
				return "Final inspection passed", nil
			}
			if len(in.FailedJobIDs) == 0 {
				return "", shop.FieldErrorf("failedJobIds", "Name the jobs that failed the inspection; they go back for rework.")
			}
			for i, id := range in.FailedJobIDs {
				var j shop.Job
				err := c.tx.GetContext(c.ctx, &j, `SELECT `+jobColumns+` FROM jobs WHERE id = $1 AND order_id = $2 FOR UPDATE`, id, o.ID)
				if isNoRows(err) {
					return "", &shop.Error{Code: shop.ENOTFOUND, Field: fmt.Sprintf("failedJobIds[%d]", i), Message: "That job is not on this repair order."}
				} else if err != nil {
					return "", err
				}
				if j.State, err = shop.NextJobState(shop.OrderQC, j.State, shop.JobSendBack); err != nil {
					return "", err
				}
				j.ReworkCount++
				j.ReworkReason = deref(in.Notes)
				j.Progress = 0
				if err := saveJob(c, &j); err != nil {
					return "", err
				}
			}
			o.ReworkCount++
			return summary, nil
		})
}

// markReady sets an order READY and its notify-by time (1 h / 4 h rule).
func markReady(c *change, o *shop.Order) {
	o.State = shop.OrderReady
	o.ReadyAt = &c.now
	promised, handed := c.now, c.now
	if o.PromisedAt != nil {
		promised = *o.PromisedAt
	}
	if o.HandedOverAt != nil {
		handed = *o.HandedOverAt
	}
	t := shop.NotifyBy(handed, promised, c.now)
	o.NotifyBy = &t
}

// FinishWash records the wash (洗车) done; the car is ready.
func (d *DB) FinishWash(ctx context.Context, in OrderRef) (*shop.Order, error) {
	return d.orderStep(ctx, "finishWash", in, in, shop.ActWash, shop.OrderFinishWash, shop.EventWashFinished,
		func(c *change, o *shop.Order) (string, error) {
			markReady(c, o)
			return "Washed and parked in the completed area", nil
		})
}

// SettleRepairOrderInput settles (结算) a ready order.
type SettleRepairOrderInput struct {
	OrderID             shop.OrderID
	ExpectedVersion     *int
	PaymentMethod       *shop.PaymentMethod
	PaymentReference    *string
	AssessmentReference *string
	IdempotencyKey      *string
}

// SettleRepairOrder writes the itemised settlement: labour and parts, split
// by payer. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) SettleRepairOrder(ctx context.Context, in SettleRepairOrderInput) (*shop.Order, error) {
	return d.orderStep(ctx, "settleRepairOrder", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActSettle,
		shop.OrderSettle, shop.EventOrderSettled, func(c *change, o *shop.Order) (string, error) {
			if in.PaymentMethod != nil {
				o.PaymentMethod = *in.PaymentMethod
			}
			if in.AssessmentReference != nil {
				ref, err := shop.CheckText("assessmentReference", *in.AssessmentReference, false, shop.MaxShortText)
				if err != nil {
					return "", err
				}
				o.AssessmentReference = ref
			}
			ref, err := shop.CheckText("paymentReference", deref(in.PaymentReference), false, shop.MaxShortText)
			if err != nil {
				return "", err
			}
			jobs, err := orderJobs(c, o.ID)
			if err != nil {
				return "", err
			}
			var parts []*shop.PartLine
			if err := c.tx.SelectContext(c.ctx, &parts, `SELECT `+partLineColumns+` FROM part_lines WHERE order_id = $1`, o.ID); err != nil {
				return "", err
			}
			bill := shop.ComputeBill(jobs, parts)
			if err := shop.CheckSettlement(o, bill, o.PaymentMethod); err != nil {
				return "", err
			}
			o.SettledAt = &c.now
			if _, err := c.tx.ExecContext(c.ctx, `
				INSERT INTO settlements (site_id, order_id, labour, parts, total, customer_share, warranty_share,
					insurer_share, internal_share, payment_method, payment_reference, settled_by, settled_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
				o.SiteID, o.ID, bill.Labour, bill.Parts, bill.Total, bill.ByPayer[shop.PayerCustomer], bill.ByPayer[shop.PayerWarranty],
				bill.ByPayer[shop.PayerInsurer], bill.ByPayer[shop.PayerInternal], o.PaymentMethod, ref, c.actor.UserID, c.now); err != nil {
				return "", err
			}
			return fmt.Sprintf("Settled: total %s, customer pays %s by %s", bill.Total, bill.ByPayer[shop.PayerCustomer], o.PaymentMethod), nil
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

// DeliverVehicle hands the car back after settlement; the visit closes when
// its last order is delivered. The order's callbacks are scheduled, the
// next service told to the customer becomes a service plan with reminders,
// and parts still reserved for the order are released.
func (d *DB) DeliverVehicle(ctx context.Context, in DeliverVehicleInput) (*shop.Order, error) {
	return d.orderStep(ctx, "deliverVehicle", OrderRef{in.OrderID, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActDeliver,
		shop.OrderDeliver, shop.EventOrderDelivered, func(c *change, o *shop.Order) (string, error) {
			if !in.BelongingsChecked {
				return "", shop.FieldErrorf("belongingsChecked", "Check the belongings list with the customer before delivery.")
			}
			exit, err := shop.CheckText("exitPass", deref(in.ExitPass), false, 40)
			if err != nil {
				return "", err
			}
			if exit == "" {
				exit = "EX-" + o.Number
			}
			if in.NextServiceMileage != nil {
				if err := shop.ValidMileage(*in.NextServiceMileage); err != nil {
					return "", atField("nextServiceMileage", err)
				}
			}
			o.DeliveredAt = &c.now
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE visits SET delivered_at = $2, exit_pass = $3, next_service_date = $4, next_service_km = $5,
					version = version + 1, updated_at = $2
				WHERE id = $1 AND NOT EXISTS (
					SELECT 1 FROM repair_orders WHERE visit_id = $1 AND id <> $6 AND state NOT IN ('DELIVERED', 'CANCELLED'))`,
				o.VisitID, c.now, exit, in.NextServiceDate, in.NextServiceMileage, o.ID); err != nil {
				return "", err
			}
			if err := scheduleAfterDelivery(c, o, in.NextServiceDate, in.NextServiceMileage); err != nil {
				return "", err
			}
			if err := releaseReservations(c, o, nil, "the car was delivered"); err != nil {
				return "", err
			}
			return "Delivered to the customer, exit pass " + exit, nil
		})
}
