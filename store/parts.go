package store

import (
	"context"
	"slices"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Lock order of the parts operations: the part row first, then the repair
// order, then its jobs. Order writers lock no parts, except the steps that
// release an order's reservations (cancel, deliver, decline additional work),
// and those lock the parts before the order (lockReservedParts), so no two
// transactions can wait on each other in a cycle.

const partColumns = `id, site_id, part_number, description, unit_price, on_hand, reserved, reorder_point, avg_cost`

const reservationColumns = `id, site_id, part_id, order_id, job_id, appointment_id, quantity, issued, state, reserved_by,
	note, created_at, filled_at, closed_at, version, part_line_id, from_appointment_id`

const issueColumns = `id, site_id, part_id, order_id, job_id, reservation_id, quantity, returned, drawn_by, issued_by,
	issued_at, returned_at, part_line_id, unit_cost`

// lockPart reads a part for update and checks the actor may act on its site.
func lockPart(c *change, id shop.PartID, act shop.Action) (*shop.Part, error) {
	var p shop.Part
	err := c.tx.GetContext(c.ctx, &p, `SELECT `+partColumns+` FROM parts WHERE id = $1 FOR UPDATE`, id)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(p.SiteID)) {
		return nil, missingAt("partId", "part")
	} else if err != nil {
		return nil, err
	}
	return &p, shop.Authorize(c.actor, p.SiteID, act)
}

func savePartStock(c *change, p *shop.Part) error {
	_, err := c.tx.ExecContext(c.ctx, `UPDATE parts SET on_hand = $2, reserved = $3 WHERE id = $1`, p.ID, p.OnHand, p.Reserved)
	return err
}

// CreatePartInput adds a part to a site's catalogue.
type CreatePartInput struct {
	SiteID         shop.SiteID
	PartNumber     string
	Description    string
	UnitPrice      shop.Money
	IdempotencyKey *string
}

// AddPart adds a part to the catalogue with no stock; stock comes in through
// ReceiveStock. Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT (number taken).
func (d *DB) AddPart(ctx context.Context, in CreatePartInput) (*shop.Part, error) {
	return mutate(d, ctx, "createPart", deref(in.IdempotencyKey), in, func(c *change) (*shop.Part, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActManageParts); err != nil {
			return nil, err
		}
		p, ev, err := shop.NewPart(in.SiteID, in.PartNumber, in.Description, in.UnitPrice)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &p.ID, `
			INSERT INTO parts (site_id, part_number, description, unit_price) VALUES ($1, $2, $3, $4) RETURNING id`,
			p.SiteID, p.PartNumber, p.Description, p.UnitPrice); err != nil {
			return nil, err
		}
		return &p, c.event(ev)
	})
}

// ReservePartsInput sets parts aside for an appointment or a repair order
// (and optionally one of its jobs). Give orderId or appointmentId.
type ReservePartsInput struct {
	PartID         shop.PartID
	Quantity       int
	OrderID        *shop.OrderID
	JobID          *shop.JobID
	AppointmentID  *shop.AppointmentID
	Note           *string
	IdempotencyKey *string
}

// ReserveParts reserves parts. When the available stock cannot cover them the
// reservation WAITS: it is a shortage, its job shows as waiting for parts on
// the board, and received stock fills it first come first served.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) ReserveParts(ctx context.Context, in ReservePartsInput) (*shop.PartReservation, error) {
	return mutate(d, ctx, "reserveParts", deref(in.IdempotencyKey), in, func(c *change) (*shop.PartReservation, error) {
		p, err := lockPart(c, in.PartID, shop.ActReserveParts)
		if err != nil {
			return nil, err
		}
		var t shop.ReserveTarget
		if in.OrderID != nil {
			if t.Order, err = lockOrder(c, *in.OrderID, shop.ActReserveParts, nil); err != nil {
				return nil, err
			}
			if in.JobID != nil {
				var st shop.JobState
				err := c.tx.GetContext(c.ctx, &st, `SELECT state FROM jobs WHERE id = $1 AND order_id = $2 FOR UPDATE`, *in.JobID, t.Order.ID)
				if err == nil {
					t.JobState = &st
				} else if !isNoRows(err) {
					return nil, err
				}
			}
		} else if in.AppointmentID != nil {
			var ap struct {
				SiteID shop.SiteID
				State  shop.AppointmentState
			}
			err := c.tx.GetContext(c.ctx, &ap, `SELECT site_id, state FROM appointments WHERE id = $1 FOR UPDATE`, *in.AppointmentID)
			if err == nil {
				t.AppointmentSite, t.AppointmentState = &ap.SiteID, ap.State
			} else if !isNoRows(err) {
				return nil, err
			}
		}
		p2, r, ev, err := shop.ReserveParts(*p, shop.ReserveInput{Quantity: in.Quantity, Note: deref(in.Note), OrderID: in.OrderID,
			JobID: in.JobID, AppointmentID: in.AppointmentID}, t, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := savePartStock(c, &p2); err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &r.ID, `
			INSERT INTO part_reservations (site_id, part_id, order_id, job_id, appointment_id, quantity, state, reserved_by,
				note, created_at, filled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			r.SiteID, r.PartID, r.OrderID, r.JobID, r.AppointmentID, r.Quantity, r.State, r.ReservedBy, r.Note, r.CreatedAt, r.FilledAt); err != nil {
			return nil, err
		}
		if t.Order == nil {
			return &r, c.event(ev)
		}
		if r.JobID != nil {
			if _, err := refreshPartsShort(c, *r.JobID); err != nil {
				return nil, err
			}
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		return &r, afterJobs(c, t.Order)
	})
}

// refreshPartsShort sets a job's parts_short from its waiting reservations and
// reports whether it changed.
func refreshPartsShort(c *change, job shop.JobID) (bool, error) {
	res, err := c.tx.ExecContext(c.ctx, `
		UPDATE jobs j SET parts_short = w.short, version = j.version + 1, updated_at = $2
		FROM (SELECT EXISTS (SELECT 1 FROM part_reservations WHERE job_id = $1 AND state = 'WAITING') AS short) w
		WHERE j.id = $1 AND j.parts_short <> w.short`, job, c.now)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// fillWaiting lets stock that came in (received or returned) fill the part's
// waiting reservations, unblocks their jobs and tells the board.
func fillWaiting(c *change, p *shop.Part) error {
	var waiting []*shop.PartReservation
	if err := c.tx.SelectContext(c.ctx, &waiting, `
		SELECT `+reservationColumns+` FROM part_reservations WHERE part_id = $1 AND state = 'WAITING' ORDER BY id FOR UPDATE`, p.ID); err != nil {
		return err
	}
	filled := shop.FillWaiting(p, waiting, c.now)
	if len(filled) == 0 {
		return nil
	}
	if err := savePartStock(c, p); err != nil {
		return err
	}
	orders := map[shop.OrderID][]*shop.PartReservation{}
	var orderIDs []shop.OrderID
	for _, r := range filled {
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE part_reservations SET state = $2, filled_at = $3, version = version + 1 WHERE id = $1`, r.ID, r.State, c.now); err != nil {
			return err
		}
		if r.OrderID == nil {
			if err := c.event(shop.PartsArrivedEvent(p, r, nil)); err != nil {
				return err
			}
			continue
		}
		if orders[*r.OrderID] == nil {
			orderIDs = append(orderIDs, *r.OrderID)
		}
		orders[*r.OrderID] = append(orders[*r.OrderID], r)
	}
	// Lock the orders in ID order, so two receipts never wait on each other.
	slices.Sort(orderIDs)
	for _, id := range orderIDs {
		o, err := lockOrder(c, id, shop.ActRead, nil)
		if err != nil {
			return err
		}
		for _, r := range orders[id] {
			if r.JobID != nil {
				if _, err := refreshPartsShort(c, *r.JobID); err != nil {
					return err
				}
			}
			if err := c.event(shop.PartsArrivedEvent(p, r, o)); err != nil {
				return err
			}
		}
		if err := afterJobs(c, o); err != nil {
			return err
		}
	}
	return nil
}

// ReceiveStockInput books goods received into stock.
type ReceiveStockInput struct {
	PartID   shop.PartID
	Quantity int
	// Urgent marks an urgent order, e.g. a warranty part ordered for a car in the workshop.
	Urgent         *bool
	Warranty       *bool
	ForOrderID     *shop.OrderID
	Reference      *string
	IdempotencyKey *string
}

// ReceiveStock adds received parts to stock; waiting reservations are filled
// first come first served and their jobs unblocked.
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) ReceiveStock(ctx context.Context, in ReceiveStockInput) (*shop.StockReceipt, error) {
	return mutate(d, ctx, "receiveStock", deref(in.IdempotencyKey), in, func(c *change) (*shop.StockReceipt, error) {
		p, err := lockPart(c, in.PartID, shop.ActManageParts)
		if err != nil {
			return nil, err
		}
		var forSite *shop.SiteID
		if in.ForOrderID != nil {
			var site shop.SiteID
			err := c.tx.GetContext(c.ctx, &site, `SELECT site_id FROM repair_orders WHERE id = $1`, *in.ForOrderID)
			if err == nil {
				forSite = &site
			} else if !isNoRows(err) {
				return nil, err
			}
		}
		p2, rc, ev, err := shop.ReceiveStock(*p, shop.ReceiptInput{Quantity: in.Quantity, Urgent: in.Urgent != nil && *in.Urgent,
			Warranty: in.Warranty != nil && *in.Warranty, ForOrderID: in.ForOrderID, Reference: deref(in.Reference)},
			forSite, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := savePartStock(c, &p2); err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &rc.ID, `
			INSERT INTO stock_receipts (site_id, part_id, quantity, urgent, warranty, for_order_id, reference, received_by, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			rc.SiteID, rc.PartID, rc.Quantity, rc.Urgent, rc.Warranty, rc.ForOrderID, rc.Reference, rc.ReceivedBy, rc.ReceivedAt); err != nil {
			return nil, err
		}
		if err := addMovement(c, shop.StockMovement{SiteID: rc.SiteID, PartID: rc.PartID, Kind: shop.MoveReceipt, Quantity: rc.Quantity,
			UnitCost: p2.AvgCost, ReceiptID: &rc.ID, Reason: rc.Reference, MovedBy: &rc.ReceivedBy, MovedAt: c.now}); err != nil {
			return nil, err
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		return &rc, fillWaiting(c, &p2)
	})
}

// IssuePartsInput draws parts from stock against a repair order (领料 / 出库).
type IssuePartsInput struct {
	OrderID  shop.OrderID
	JobID    *shop.JobID
	PartID   shop.PartID
	Quantity int
	// DrawnBy is the technician (or foreman) who draws the parts and signs the slip.
	DrawnBy shop.UserID
	// PartLineID is the order's part line the slip counts for; without it,
	// the first line of that part with room (see shop.PickPartLine).
	PartLineID     *shop.PartLineID
	IdempotencyKey *string
}

// IssueParts issues parts to a repair order in work, consuming its
// reservations of that part first. Stock never goes below zero or below what
// is reserved for others, however many clerks issue at once.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) IssueParts(ctx context.Context, in IssuePartsInput) (*shop.PartIssue, error) {
	return mutate(d, ctx, "issueParts", deref(in.IdempotencyKey), in, func(c *change) (*shop.PartIssue, error) {
		p, err := lockPart(c, in.PartID, shop.ActManageParts)
		if err != nil {
			return nil, err
		}
		o, err := lockOrder(c, in.OrderID, shop.ActManageParts, nil)
		if err != nil {
			return nil, err
		}
		if err := requireStaff(c, o.SiteID, in.DrawnBy, "drawnBy", shop.RoleTechnician, shop.RoleForeman); err != nil {
			return nil, err
		}
		jobOnOrder := false
		if in.JobID != nil {
			if err := c.tx.GetContext(c.ctx, &jobOnOrder, `SELECT EXISTS (SELECT 1 FROM jobs WHERE id = $1 AND order_id = $2)`,
				*in.JobID, o.ID); err != nil {
				return nil, err
			}
		}
		lines, issues, err := orderPartsBook(c, o.ID)
		if err != nil {
			return nil, err
		}
		line, err := shop.PickPartLine(lines, in.PartLineID, p.ID, in.Quantity, shop.NetIssuedByLine(issues))
		if err != nil {
			return nil, err
		}
		// The order's reservations of this part: the line's own first, then the
		// job's, then the order's; never another line's.
		var held []*shop.PartReservation
		if err := c.tx.SelectContext(c.ctx, &held, `
			SELECT `+reservationColumns+` FROM part_reservations
			WHERE part_id = $1 AND order_id = $2 AND state = 'RESERVED' AND (job_id IS NULL OR $3::BIGINT IS NULL OR job_id = $3)
			  AND (part_line_id IS NULL OR part_line_id = $4)
			ORDER BY (part_line_id IS NOT DISTINCT FROM $4::BIGINT) DESC, (job_id IS NOT DISTINCT FROM $3::BIGINT) DESC, id FOR UPDATE`,
			p.ID, o.ID, in.JobID, line); err != nil {
			return nil, err
		}
		out, err := shop.IssueParts(*p, o, held, shop.IssueInput{Quantity: in.Quantity, JobID: in.JobID, DrawnBy: in.DrawnBy,
			PartLineID: line, UnitCost: p.AvgCost}, jobOnOrder, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := savePartStock(c, &out.Part); err != nil {
			return nil, err
		}
		for _, r := range out.Reservations {
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE part_reservations SET issued = $2, state = $3, version = version + 1, closed_at = $4 WHERE id = $1`,
				r.ID, r.Issued, r.State, r.ClosedAt); err != nil {
				return nil, err
			}
		}
		is := &out.Issue
		if err := c.tx.GetContext(c.ctx, &is.ID, `
			INSERT INTO part_issues (site_id, part_id, order_id, job_id, reservation_id, quantity, drawn_by, issued_by, issued_at,
				part_line_id, unit_cost)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			is.SiteID, is.PartID, is.OrderID, is.JobID, is.ReservationID, is.Quantity, is.DrawnBy, is.IssuedBy, is.IssuedAt,
			is.PartLineID, is.UnitCost); err != nil {
			return nil, err
		}
		if err := addMovement(c, shop.StockMovement{SiteID: is.SiteID, PartID: is.PartID, Kind: shop.MoveIssue, Quantity: -is.Quantity,
			UnitCost: is.UnitCost, IssueID: &is.ID, MovedBy: &is.IssuedBy, MovedAt: c.now}); err != nil {
			return nil, err
		}
		return is, c.event(out.Event)
	})
}

// ReturnPartsInput takes unused parts of an issue slip back into stock.
type ReturnPartsInput struct {
	IssueID        shop.PartIssueID
	Quantity       int
	IdempotencyKey *string
}

// ReturnParts returns unused parts to stock; waiting reservations may then be
// filled. Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) ReturnParts(ctx context.Context, in ReturnPartsInput) (*shop.PartIssue, error) {
	return mutate(d, ctx, "returnParts", deref(in.IdempotencyKey), in, func(c *change) (*shop.PartIssue, error) {
		var partID shop.PartID
		err := c.tx.GetContext(c.ctx, &partID, `SELECT part_id FROM part_issues WHERE id = $1`, in.IssueID)
		if isNoRows(err) {
			return nil, missingAt("issueId", "issue slip")
		} else if err != nil {
			return nil, err
		}
		p, err := lockPart(c, partID, shop.ActManageParts)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, missingAt("issueId", "issue slip")
			}
			return nil, err
		}
		var is shop.PartIssue
		if err := c.tx.GetContext(c.ctx, &is, `SELECT `+issueColumns+` FROM part_issues WHERE id = $1 FOR UPDATE`, in.IssueID); err != nil {
			return nil, err
		}
		o, err := lockOrder(c, is.OrderID, shop.ActManageParts, nil)
		if err != nil {
			return nil, err
		}
		p2, is2, ev, err := shop.ReturnParts(*p, is, o, in.Quantity, c.now)
		if err != nil {
			return nil, err
		}
		if err := savePartStock(c, &p2); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE part_issues SET returned = $2, returned_at = $3 WHERE id = $1`,
			is2.ID, is2.Returned, is2.ReturnedAt); err != nil {
			return nil, err
		}
		if err := addMovement(c, shop.StockMovement{SiteID: is2.SiteID, PartID: is2.PartID, Kind: shop.MoveReturn, Quantity: in.Quantity,
			UnitCost: is2.UnitCost, IssueID: &is2.ID, MovedBy: &c.actor.UserID, MovedAt: c.now}); err != nil {
			return nil, err
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		return &is2, fillWaiting(c, &p2)
	})
}

// ReleasePartReservationInput cancels a reservation's outstanding quantity.
type ReleasePartReservationInput struct {
	ReservationID   shop.PartReservationID
	ExpectedVersion *int
	Reason          string
	IdempotencyKey  *string
}

// ReleasePartReservation releases what a reservation still holds or awaits;
// its job stops waiting for that part. Errors: INVALID, NOT_FOUND,
// FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) ReleasePartReservation(ctx context.Context, in ReleasePartReservationInput) (*shop.PartReservation, error) {
	return mutate(d, ctx, "releasePartReservation", deref(in.IdempotencyKey), in, func(c *change) (*shop.PartReservation, error) {
		var partID shop.PartID
		err := c.tx.GetContext(c.ctx, &partID, `SELECT part_id FROM part_reservations WHERE id = $1`, in.ReservationID)
		if isNoRows(err) {
			return nil, missingAt("reservationId", "reservation")
		} else if err != nil {
			return nil, err
		}
		p, err := lockPart(c, partID, shop.ActReserveParts)
		if err != nil {
			if shop.ErrorCode(err) == shop.ENOTFOUND {
				return nil, missingAt("reservationId", "reservation")
			}
			return nil, err
		}
		var r shop.PartReservation
		if err := c.tx.GetContext(c.ctx, &r, `SELECT `+reservationColumns+` FROM part_reservations WHERE id = $1 FOR UPDATE`, in.ReservationID); err != nil {
			return nil, err
		}
		if err := checkVersion("reservation", in.ExpectedVersion, r.Version); err != nil {
			return nil, err
		}
		var o *shop.Order
		if r.OrderID != nil {
			if o, err = lockOrder(c, *r.OrderID, shop.ActReserveParts, nil); err != nil {
				return nil, err
			}
		}
		p2, r2, ev, err := shop.ReleaseReservation(*p, r, o, in.Reason, c.now)
		if err != nil {
			return nil, err
		}
		if p2.Reserved != p.Reserved {
			if err := savePartStock(c, &p2); err != nil {
				return nil, err
			}
		}
		r2.Version++
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE part_reservations SET state = $2, closed_at = $3, version = $4 WHERE id = $1`, r2.ID, r2.State, r2.ClosedAt, r2.Version); err != nil {
			return nil, err
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		if o == nil {
			return &r2, fillWaiting(c, &p2) // released stock may serve others who wait
		}
		if r2.JobID != nil {
			if _, err := refreshPartsShort(c, *r2.JobID); err != nil {
				return nil, err
			}
		}
		if err := afterJobs(c, o); err != nil {
			return nil, err
		}
		// Released stock may serve others who wait.
		return &r2, fillWaiting(c, &p2)
	})
}

// PartFilter selects a site's catalogue parts.
type PartFilter struct {
	SiteID shop.SiteID
	// Query matches the start of the part number or part of the description.
	Query string
	// Short keeps only parts with waiting reservations (shortages).
	Short bool
	After *shop.PartID
	First int
}

// FindParts lists a site's catalogue by part number; one more than First
// when there is a next page. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindParts(ctx context.Context, f PartFilter) ([]*shop.Part, error) {
	_, err := authorize(ctx, f.SiteID, shop.ActRead)
	if err != nil {
		return nil, err
	}
	var after int64
	if f.After != nil {
		after = int64(*f.After)
	}
	var rows []*shop.Part
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+partColumns+` FROM parts p
		WHERE site_id = $1 AND id > $2
		  AND ($3 = '' OR part_number ILIKE $3 || '%' OR description ILIKE '%' || $3 || '%')
		  AND (NOT $4 OR EXISTS (SELECT 1 FROM part_reservations r WHERE r.part_id = p.id AND r.state = 'WAITING'))
		ORDER BY id LIMIT $5`, f.SiteID, after, likeEscape(f.Query), f.Short, f.First+1)
	return rows, translate(err)
}

// FindReservations returns a page of the reservations of a part, an order
// or an appointment (give one), newest first. Errors: UNAUTHENTICATED.
func (d *DB) FindReservations(ctx context.Context, part *shop.PartID, order *shop.OrderID, appointment *shop.AppointmentID, page Page) ([]*shop.PartReservation, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.PartReservation
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+reservationColumns+` FROM part_reservations
		WHERE site_id = ANY($1) AND ($2::BIGINT IS NULL OR part_id = $2) AND ($3::BIGINT IS NULL OR order_id = $3)
		  AND ($4::BIGINT IS NULL OR appointment_id = $4) AND ($5::BIGINT IS NULL OR id < $5)
		ORDER BY id DESC LIMIT $6`, pq.Array(a.SiteIDs), part, order, appointment, page.after(), page.limit())
	return rows, translate(err)
}

// FindPartIssuesByOrderIDs returns the issue slips of orders in one statement.
func (d *DB) FindPartIssuesByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.PartIssue, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.PartIssue
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+issueColumns+` FROM part_issues WHERE order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.OrderID][]*shop.PartIssue{}
	for _, is := range rows {
		out[is.OrderID] = append(out[is.OrderID], is)
	}
	return out, nil
}

// FindPartByID returns a catalogue part of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindPartByID(ctx context.Context, id shop.PartID) (*shop.Part, error) {
	m, err := d.FindPartsByIDs(ctx, []shop.PartID{id})
	if err != nil {
		return nil, err
	}
	if p := m[id]; p != nil {
		return p, nil
	}
	return nil, notFound("part")
}

// lockReservedParts locks, in ID order, the parts that an order's (or one of
// its jobs') open reservations hold or wait for. Steps that release them
// (releaseReservations) call it before they lock the order, so they keep the
// lock order of every parts operation: part, then order.
func lockReservedParts(c *change, order shop.OrderID, job *shop.JobID) error {
	_, err := c.tx.ExecContext(c.ctx, `
		SELECT 1 FROM parts WHERE id IN (
			SELECT part_id FROM part_reservations
			WHERE order_id = $1 AND ($2::BIGINT IS NULL OR job_id = $2) AND state IN ('WAITING', 'RESERVED'))
		ORDER BY id FOR UPDATE`, order, job)
	return err
}

// releaseReservations releases the open reservations of an order, or of one
// of its jobs, once the work they were for will not be done (the order is
// cancelled or delivered, the job declined): reserved stock becomes available
// again and may fill others' waiting reservations; waiting ones leave the
// queue, so stock received later is not set aside for them. The caller locked
// the parts first (lockReservedParts) and then the order.
func releaseReservations(c *change, o *shop.Order, job *shop.JobID, why string) error {
	var open []*shop.PartReservation
	if err := c.tx.SelectContext(c.ctx, &open, `
		SELECT `+reservationColumns+` FROM part_reservations
		WHERE order_id = $1 AND ($2::BIGINT IS NULL OR job_id = $2) AND state IN ('WAITING', 'RESERVED')
		ORDER BY id FOR UPDATE`, o.ID, job); err != nil {
		return err
	}
	return releaseOpen(c, o, job, open, why)
}

// releaseOpen releases the open reservations open of order o (job: the job
// the event names, if any), as releaseReservations.
func releaseOpen(c *change, o *shop.Order, job *shop.JobID, open []*shop.PartReservation, why string) error {
	if len(open) == 0 {
		return nil
	}
	var partIDs []shop.PartID
	var jobIDs []shop.JobID
	for _, r := range open {
		partIDs = append(partIDs, r.PartID)
		if r.JobID != nil {
			jobIDs = append(jobIDs, *r.JobID)
		}
	}
	// The parts are ours already; NOWAIT turns the rare one reserved after
	// lockReservedParts into a CONFLICT (try again) instead of a wait for a
	// part with the order locked, which could deadlock.
	var parts []*shop.Part
	if err := c.tx.SelectContext(c.ctx, &parts, `
		SELECT `+partColumns+` FROM parts WHERE id = ANY($1) ORDER BY id FOR UPDATE NOWAIT`, pq.Array(partIDs)); err != nil {
		return err
	}
	byID := make(map[shop.PartID]*shop.Part, len(parts))
	for _, p := range parts {
		byID[p.ID] = p
	}
	freed, ev, _ := shop.ReleaseForOrder(o, job, open, byID, why, c.now)
	for _, r := range open {
		if _, err := c.tx.ExecContext(c.ctx, `
			UPDATE part_reservations SET state = $2, closed_at = $3, version = version + 1 WHERE id = $1`, r.ID, r.State, r.ClosedAt); err != nil {
			return err
		}
	}
	for _, id := range freed {
		if err := savePartStock(c, byID[id]); err != nil {
			return err
		}
	}
	slices.Sort(jobIDs)
	for _, id := range slices.Compact(jobIDs) {
		if _, err := refreshPartsShort(c, id); err != nil {
			return err
		}
	}
	if err := c.event(ev); err != nil {
		return err
	}
	for _, id := range freed {
		if err := fillWaiting(c, byID[id]); err != nil {
			return err
		}
	}
	return nil
}
