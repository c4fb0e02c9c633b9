package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

const orderColumns = `id, site_id, visit_id, number, state, work_type, priority, findings, under_warranty,
	wash_requested, payment_method, old_parts, insurance_claim, insurer_name, assessment_reference,
	advisor_id, promised_at, estimated_at, signed_at, signed_by, handed_over_at, qc_passed_at, ready_at,
	notify_by, settled_at, delivered_at, cancelled_at, cancel_reason, rework_count, stage, stage_since,
	version, created_at, updated_at`

const jobColumns = `id, site_id, order_id, description, state, labour_minutes, labour_price, payer, additional,
	safety, technician_id, bay_id, progress, pause_reason, pause_note, rework_count, rework_reason,
	dispatched_at, started_at, finished_at, worked_minutes, parts_short, required_skill, version, created_at, updated_at`

const partLineColumns = `id, site_id, order_id, job_id, part_id, part_number, description, quantity, unit_price,
	payer, additional, created_at`

// JobLineInput is a labour line of an estimate (see shop.JobLineInput).
type JobLineInput = shop.JobLineInput

// PartLineInput is a part of an estimate (see shop.PartLineInput).
type PartLineInput = shop.PartLineInput

// CreateRepairOrderInput is the diagnosis and estimate (问诊 / 估价) of a visit: a DRAFT order.
type CreateRepairOrderInput struct {
	VisitID             shop.VisitID
	WorkType            shop.WorkType
	Findings            *string
	UnderWarranty       *bool
	WashRequested       *bool
	PaymentMethod       *shop.PaymentMethod
	OldParts            *shop.OldPartsDisposition
	InsuranceClaim      *bool
	InsurerName         *string
	AssessmentReference *string
	Jobs                []*JobLineInput
	Parts               []*PartLineInput
	IdempotencyKey      *string
}

func (in *CreateRepairOrderInput) terms() shop.Terms {
	return shop.Terms{Findings: in.Findings, UnderWarranty: in.UnderWarranty, WashRequested: in.WashRequested,
		PaymentMethod: in.PaymentMethod, OldParts: in.OldParts, InsuranceClaim: in.InsuranceClaim,
		InsurerName: in.InsurerName, AssessmentReference: in.AssessmentReference}
}

// CreateRepairOrder drafts a repair order with its estimate lines.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT, INVALID_TRANSITION.
func (d *DB) CreateRepairOrder(ctx context.Context, in CreateRepairOrderInput) (*shop.Order, error) {
	return mutate(d, ctx, "createRepairOrder", deref(in.IdempotencyKey), in, func(c *change) (*shop.Order, error) {
		var v shop.OrderVisit
		err := c.tx.GetContext(c.ctx, &v, `SELECT id, site_id, delivered_at FROM visits WHERE id = $1 FOR UPDATE`, in.VisitID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(v.SiteID)) {
			return nil, notFoundAt("visitId", "No visit with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, v.SiteID, shop.ActEstimate); err != nil {
			return nil, err
		}
		draft, err := shop.DraftOrder(v, *c.actor, in.WorkType, in.terms(), c.now)
		if err != nil {
			return nil, err
		}
		o := &draft
		var num struct {
			Seq      int64
			TimeZone string `db:"time_zone"`
		}
		if err := c.tx.GetContext(c.ctx, &num, `
			SELECT nextval('repair_order_number_seq') AS seq, time_zone FROM sites WHERE id = $1`, v.SiteID); err != nil {
			return nil, err
		}
		o.Number = shop.OrderNumber(c.now, shop.Zone(num.TimeZone), num.Seq)
		if err := c.tx.GetContext(c.ctx, &o.ID, `
			INSERT INTO repair_orders (site_id, visit_id, number, state, work_type, priority, findings, under_warranty,
				wash_requested, payment_method, old_parts, insurance_claim, insurer_name, assessment_reference,
				advisor_id, stage_since, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $16) RETURNING id`,
			o.SiteID, o.VisitID, o.Number, o.State, o.WorkType, o.Priority, o.Findings, o.UnderWarranty,
			o.WashRequested, o.PaymentMethod, o.OldParts, o.InsuranceClaim, o.InsurerName, o.AssessmentReference,
			o.AdvisorID, c.now); err != nil {
			return nil, err
		}
		parts, err := lockNewOrderParts(c, o.SiteID, v.ID, in.Parts) // before a line share-locks one
		if err != nil {
			return nil, err
		}
		jobIDs := make([]shop.JobID, len(in.Jobs))
		for i, jl := range in.Jobs {
			rate, err := labourRate(c, o.SiteID, jl.LabourPrice)
			if err != nil {
				return nil, err
			}
			j, err := shop.NewJob(o, *jl, rate, fmt.Sprintf("jobs[%d]", i), c.now)
			if err != nil {
				return nil, err
			}
			if err := insertJob(c, &j); err != nil {
				return nil, err
			}
			jobIDs[i] = j.ID
		}
		for i, pl := range in.Parts {
			field := fmt.Sprintf("parts[%d]", i)
			jid, err := shop.LineJob(field, pl.JobIndex, jobIDs)
			if err != nil {
				return nil, err
			}
			part, err := findCatalogue(c, o.SiteID, pl.PartNumber, field)
			if err != nil {
				return nil, err
			}
			line, err := shop.NewPartLine(o, jid, *pl, part, field, c.now)
			if err != nil {
				return nil, err
			}
			if err := insertPartLine(c, &line); err != nil {
				return nil, err
			}
		}
		if err := reserveNewOrder(c, o, parts); err != nil { // the lines hold their stock
			return nil, err
		}
		if err := estimate(c, o); err != nil {
			return nil, err
		}
		if err := saveOrder(c, o, false); err != nil {
			return nil, err
		}
		return o, c.event(shop.OrderCreated(o))
	})
}

// labourRate returns the site's labour rate (工时单价), read only when a
// line has no price of its own.
func labourRate(c *change, site shop.SiteID, price *shop.Money) (shop.Money, error) {
	var rate shop.Money
	if price != nil {
		return rate, nil
	}
	err := c.tx.GetContext(c.ctx, &rate, `SELECT labour_rate FROM sites WHERE id = $1`, site)
	return rate, err
}

// insertJob writes a new job and gives it its ID.
func insertJob(c *change, j *shop.Job) error {
	return c.tx.GetContext(c.ctx, &j.ID, `
		INSERT INTO jobs (site_id, order_id, description, state, labour_minutes, labour_price, payer, additional, safety,
			created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
		j.SiteID, j.OrderID, j.Description, j.State, j.LabourMinutes, j.LabourPrice, j.Payer, j.Additional, j.Safety, j.CreatedAt)
}

// findCatalogue returns the site's catalogue part of a line's number, nil
// when there is none or the number is not one (NewPartLine says why).
func findCatalogue(c *change, site shop.SiteID, number, field string) (*shop.Part, error) {
	num, err := shop.CheckPartNumber(field, number)
	if err != nil {
		return nil, nil
	}
	var p shop.Part
	err = c.tx.GetContext(c.ctx, &p, `SELECT id, description, unit_price FROM parts WHERE site_id = $1 AND part_number = $2`, site, num)
	if isNoRows(err) {
		return nil, nil
	}
	return &p, err
}

// insertPartLine writes a new part line and gives it its ID.
func insertPartLine(c *change, pl *shop.PartLine) error {
	return c.tx.GetContext(c.ctx, &pl.ID, `
		INSERT INTO part_lines (site_id, order_id, job_id, part_id, part_number, description, quantity, unit_price,
			payer, additional, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		pl.SiteID, pl.OrderID, pl.JobID, pl.PartID, pl.PartNumber, pl.Description, pl.Quantity, pl.UnitPrice,
		pl.Payer, pl.Additional, pl.CreatedAt)
}

// orderEvent builds an event about an order.
func orderEvent(o *shop.Order, kind shop.EventKind, job *shop.JobID, summary string) shop.Event {
	return shop.OrderEvent(o, kind, job, summary)
}

// lockOrder reads an order for update, checks the actor may act on it and the
// version the caller expects. Orders of other sites are NOT_FOUND.
func lockOrder(c *change, id shop.OrderID, act shop.Action, expected *int) (*shop.Order, error) {
	var o shop.Order
	err := c.tx.GetContext(c.ctx, &o, `SELECT `+orderColumns+` FROM repair_orders WHERE id = $1 FOR UPDATE`, id)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(o.SiteID)) {
		return nil, notFoundAt("orderId", "No repair order with that ID exists.")
	} else if err != nil {
		return nil, err
	}
	if err := shop.Authorize(c.actor, o.SiteID, act); err != nil {
		return nil, err
	}
	return &o, checkVersion("repair order", expected, o.Version)
}

// lockJobSQL reads a job and its order for update in one statement. FOR
// UPDATE OF o, j takes the order's lock first, as every writer does, so two
// writers never deadlock: a writer waiting for the order holds no lock on the
// job, and once it has the order nobody else is changing the job. Locking the
// job too is what makes the statement read it as it is now, should it have
// changed while the statement waited for the order. The name of the job's
// technician comes along for the rules of who may work it, which name them
// in a refusal.
var lockJobSQL = `
	SELECT ` + qualified("o", orderColumns) + `,
		` + qualified("j", jobColumns) + `, j.running_since,
		COALESCE((SELECT u.short_name FROM users u WHERE u.id = j.technician_id), '')
	FROM jobs j JOIN repair_orders o ON o.id = j.order_id
	WHERE j.id = $1
	FOR UPDATE OF o, j`

// qualified prefixes each column of a list with its table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, col := range cols {
		cols[i] = table + "." + strings.TrimSpace(col)
	}
	return strings.Join(cols, ", ")
}

// scanInto gathers the destinations of several scanners, so that they read
// one row between them.
type scanInto []any

func (s *scanInto) Scan(dest ...any) error {
	*s = append(*s, dest...)
	return nil
}

// lockedJob is a job and its order, locked, since when the job has been
// running (nil when it is not in progress) and the short name of its
// technician ("" without one).
type lockedJob struct {
	O            *shop.Order
	J            *shop.Job
	RunningSince *time.Time
	Technician   string
}

// lockJob reads a job and its order for update and checks access and the
// job's version. Jobs of other sites are NOT_FOUND.
func lockJob(c *change, id shop.JobID, act shop.Action, expected *int) (*shop.Job, *shop.Order, error) {
	l, err := lockJobRow(c, id, act, expected)
	if err != nil {
		return nil, nil, err
	}
	return l.J, l.O, nil
}

func lockJobRow(c *change, id shop.JobID, act shop.Action, expected *int) (*lockedJob, error) {
	var dest scanInto
	l := &lockedJob{}
	l.O, _ = scanOrder(&dest)
	l.J, _ = scanJob(&dest)
	dest = append(dest, nullTime{&l.RunningSince}, &l.Technician)
	err := c.queryRow(lockJobSQL, id).Scan(dest...)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(l.O.SiteID)) {
		return nil, notFoundAt("jobId", "No job with that ID exists.")
	} else if err != nil {
		return nil, err
	}
	if err := shop.Authorize(c.actor, l.O.SiteID, act); err != nil {
		return nil, err
	}
	return l, checkVersion("job", expected, l.J.Version)
}

func orderJobs(c *change, id shop.OrderID) ([]*shop.Job, error) {
	var jobs []*shop.Job
	err := c.tx.SelectContext(c.ctx, &jobs, `SELECT `+jobColumns+` FROM jobs WHERE order_id = $1 ORDER BY id`, id)
	return jobs, err
}

// saveOrder writes an order's mutable fields and bumps its version. With
// restage, the board lane is derived again from the jobs first.
func saveOrder(c *change, o *shop.Order, restage bool) error {
	if restage {
		jobs, err := orderJobs(c, o.ID)
		if err != nil {
			return err
		}
		setStage(c, o, jobs)
	}
	o.Version++
	o.UpdatedAt = c.now
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE repair_orders SET state = $2, work_type = $3, priority = $4, findings = $5, under_warranty = $6,
			wash_requested = $7, payment_method = $8, old_parts = $9, insurance_claim = $10, insurer_name = $11,
			assessment_reference = $12, promised_at = $13, estimated_at = $14, signed_at = $15, signed_by = $16,
			handed_over_at = $17, qc_passed_at = $18, ready_at = $19, notify_by = $20, settled_at = $21,
			delivered_at = $22, cancelled_at = $23, cancel_reason = $24, rework_count = $25, stage = $26,
			stage_since = $27, version = $28, updated_at = $29
		WHERE id = $1`,
		o.ID, o.State, o.WorkType, o.Priority, o.Findings, o.UnderWarranty, o.WashRequested, o.PaymentMethod,
		o.OldParts, o.InsuranceClaim, o.InsurerName, o.AssessmentReference, o.PromisedAt, o.EstimatedAt,
		o.SignedAt, o.SignedBy, o.HandedOverAt, o.QCPassedAt, o.ReadyAt, o.NotifyBy, o.SettledAt, o.DeliveredAt,
		o.CancelledAt, o.CancelReason, o.ReworkCount, o.Stage, o.StageSince, o.Version, o.UpdatedAt)
	return err
}

func setStage(c *change, o *shop.Order, jobs []*shop.Job) {
	*o = shop.Restage(*o, jobs, c.now)
}

// updateJobSQL writes a job's mutable fields ($2…$17) and bumps nothing
// itself: the caller has set the version and time.
const updateJobSQL = `
		UPDATE jobs SET state = $2, technician_id = $3, bay_id = $4, progress = $5, pause_reason = $6, pause_note = $7,
			rework_count = $8, rework_reason = $9, dispatched_at = $10, started_at = $11, finished_at = $12,
			worked_minutes = $13, version = $14, updated_at = $15, labour_price = $16, payer = $17,
			running_since = CASE WHEN $2 = 'IN_PROGRESS' THEN COALESCE(running_since, $15) ELSE NULL END
		WHERE id = $1`

// saveJob writes a job's mutable fields and bumps its version.
func saveJob(c *change, j *shop.Job) error {
	_, err := c.tx.ExecContext(c.ctx, updateJobSQL, jobArgs(c, j)...)
	return err
}

// jobArgs bumps a job's version and time and returns the values of updateJobSQL.
func jobArgs(c *change, j *shop.Job) []any {
	j.Version++
	j.UpdatedAt = c.now
	return []any{j.ID, j.State, j.TechnicianID, j.BayID, j.Progress, j.PauseReason, j.PauseNote, j.ReworkCount, j.ReworkReason,
		j.DispatchedAt, j.StartedAt, j.FinishedAt, j.WorkedMinutes, j.Version, j.UpdatedAt, j.LabourPrice, j.Payer}
}

// estimate sets the order's estimated completion from its labour and the
// workshop's real load (open jobs' remaining labour over its technicians).
func estimate(c *change, o *shop.Order) error {
	jobs, err := orderJobs(c, o.ID)
	if err != nil {
		return err
	}
	minutes := 0
	for _, j := range jobs {
		minutes += shop.RemainingMinutes(j)
	}
	w, backlog, err := workshop(c.ctx, c.tx, o.SiteID, &o.ID, c.now)
	if err != nil {
		return err
	}
	t := w.EstimateCompletion(c.now, backlog, minutes)
	o.EstimatedAt = &t
	return nil
}

// queryer is what both *sqlx.DB and *sqlx.Tx offer.
type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// FindOrderByID returns a repair order of the actor's sites; the customer's
// name as signed is masked for roles that may not see personal data.
// Errors: UNAUTHENTICATED, NOT_FOUND.
func (d *DB) FindOrderByID(ctx context.Context, id shop.OrderID) (*shop.Order, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanOrder, `SELECT `+orderColumns+` FROM repair_orders WHERE id = $1 AND site_id = ANY($2)`,
		id, pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	} else if len(rows) == 0 {
		return nil, notFound("repair order")
	}
	redactOrders(a, rows[0])
	return rows[0], nil
}

// FindOrdersByVisitIDs returns each visit's orders in one statement (for loaders).
func (d *DB) FindOrdersByVisitIDs(ctx context.Context, ids []shop.VisitID) (map[shop.VisitID][]*shop.Order, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanOrder, `SELECT `+orderColumns+` FROM repair_orders WHERE visit_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	redactOrders(a, rows...)
	out := map[shop.VisitID][]*shop.Order{}
	for _, o := range rows {
		out[o.VisitID] = append(out[o.VisitID], o)
	}
	return out, nil
}

// OrderFilter selects repair orders of a site.
type OrderFilter struct {
	SiteID    shop.SiteID
	States    []shop.OrderState
	AdvisorID *shop.UserID
	After     *shop.OrderID
	First     int
}

// FindOrders lists a site's orders, newest first; one more than First when
// there is a next page.
func (d *DB) FindOrders(ctx context.Context, f OrderFilter) ([]*shop.Order, error) {
	a, err := authorize(ctx, f.SiteID, shop.ActRead)
	if err != nil {
		return nil, err
	}
	states := make([]string, len(f.States))
	for i, s := range f.States {
		states[i] = string(s)
	}
	before := int64(1<<63 - 1)
	if f.After != nil {
		before = int64(*f.After)
	}
	rows, err := queryRows(ctx, d, scanOrder, `
		SELECT `+orderColumns+` FROM repair_orders
		WHERE site_id = $1 AND (cardinality($2::TEXT[]) = 0 OR state = ANY($2)) AND ($3::BIGINT IS NULL OR advisor_id = $3)
		  AND id < $4
		ORDER BY id DESC LIMIT $5`, f.SiteID, pq.Array(states), f.AdvisorID, before, f.First+1)
	redactOrders(a, rows...)
	return rows, err
}

// FindJobByID returns a job of the actor's sites.
func (d *DB) FindJobByID(ctx context.Context, id shop.JobID) (*shop.Job, error) {
	return findOne[shop.Job](d, ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1 AND site_id = ANY($2)`, id, "job")
}

// FindJobsByOrderIDs returns each order's jobs in one statement (for loaders).
func (d *DB) FindJobsByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.Job, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := map[shop.OrderID][]*shop.Job{}
	for _, j := range rows {
		out[j.OrderID] = append(out[j.OrderID], j)
	}
	return out, nil
}

// FindPartLinesByOrderIDs returns each order's part lines in one statement.
func (d *DB) FindPartLinesByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.PartLine, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanDrawnPartLine, `SELECT `+partLineColumns+`,
		(SELECT sum(i.quantity - i.returned) FROM part_issues i WHERE i.part_line_id = part_lines.id) AS drawn
		FROM part_lines WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := map[shop.OrderID][]*shop.PartLine{}
	for _, p := range rows {
		out[p.OrderID] = append(out[p.OrderID], p)
	}
	return out, nil
}

// FindPartsByIDs returns catalogue parts by ID in one statement (for loaders).
func (d *DB) FindPartsByIDs(ctx context.Context, ids []shop.PartID) (map[shop.PartID]*shop.Part, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Part
	if err := d.selectPrepared(ctx, &rows, `
		SELECT `+partColumns+` FROM parts
		WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.PartID]*shop.Part, len(rows))
	for _, p := range rows {
		out[p.ID] = p
	}
	return out, nil
}

// CreatePart adds a part to a site's catalogue (set-up and demo).
func (d *DB) CreatePart(ctx context.Context, p *shop.Part) error {
	err := d.db.GetContext(ctx, &p.ID, `
		INSERT INTO parts (site_id, part_number, description, unit_price, on_hand, reserved)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, p.SiteID, p.PartNumber, p.Description, p.UnitPrice, p.OnHand, p.Reserved)
	if err == nil && p.OnHand > 0 { // the ledger opens with the stock it is set up with
		_, err = d.db.ExecContext(ctx, `
			INSERT INTO stock_movements (site_id, part_id, kind, quantity, moved_at) VALUES ($1, $2, 'OPENING', $3, $4)`,
			p.SiteID, p.ID, p.OnHand, d.Now())
	}
	return translate(err)
}

// Capacity is the workshop's load today, for the board and for promising
// times: Technicians on shift, the booked work (BacklogMinutes) and what is
// free after it and the appointments still expected (see siteCapacity).
type Capacity struct {
	Technicians       int
	BacklogMinutes    int
	FreeLabourMinutes int
	At                time.Time
	// Detail is the whole computation: rota known, shift and appointment minutes, per skill.
	Detail shop.WorkshopCapacity
}

// FindCapacity returns a site's free labour today (车间可用工时): on-shift
// technicians' minutes within opening hours less booked work and expected
// appointments (siteCapacity). Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindCapacity(ctx context.Context, site shop.SiteID) (*Capacity, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return nil, err
	}
	now := d.Now()
	c, err := siteCapacity(ctx, d.db, site, now)
	if err != nil {
		return nil, translate(err)
	}
	return newCapacity(c, now), nil
}

// EstimateCompletion returns when new work of minutes would be done at a
// site given its current load.
func (d *DB) EstimateCompletion(ctx context.Context, site shop.SiteID, minutes int) (time.Time, error) {
	_, err := authorize(ctx, site, shop.ActRead)
	if err != nil {
		return time.Time{}, err
	}
	if err := shop.ValidLabourMinutes(minutes); err != nil {
		return time.Time{}, err
	}
	now := d.Now()
	w, backlog, err := workshop(ctx, d.db, site, nil, now)
	if err != nil {
		return time.Time{}, translate(err)
	}
	return w.EstimateCompletion(now, backlog, minutes), nil
}

// FindOrdersByIDs returns orders by ID in one statement (for loaders).
func (d *DB) FindOrdersByIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID]*shop.Order, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanOrder, `SELECT `+orderColumns+` FROM repair_orders WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	redactOrders(a, rows...)
	out := make(map[shop.OrderID]*shop.Order, len(rows))
	for _, o := range rows {
		out[o.ID] = o
	}
	return out, nil
}

// FindJobsByIDs returns jobs by ID in one statement (for loaders).
func (d *DB) FindJobsByIDs(ctx context.Context, ids []shop.JobID) (map[shop.JobID]*shop.Job, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := queryRows(ctx, d, scanJob, `SELECT `+jobColumns+` FROM jobs WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[shop.JobID]*shop.Job, len(rows))
	for _, j := range rows {
		out[j.ID] = j
	}
	return out, nil
}
