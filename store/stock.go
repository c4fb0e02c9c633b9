package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Stock that moves with the work (see shop/stock.go): part lines reserve,
// issue slips count against lines, every change of on hand is a movement in
// the ledger, transfers, stocktakes and purchase orders. Lock order as for
// every parts operation: parts (by ID), then the repair order or purchase
// order, then branch stock rows (by store ID).

const movementColumns = `id, site_id, part_id, store_id, kind, quantity, unit_cost, receipt_id, issue_id, transfer_id,
	stocktake_id, reason, moved_by, moved_at`

const purchaseOrderColumns = `id, site_id, supplier_id, reference, state, created_by, created_at, closed_at, version`

const purchaseLineColumns = `id, site_id, purchase_order_id, part_id, quantity, received, unit_cost`

// addMovement appends one line to the stock ledger.
func addMovement(c *change, m shop.StockMovement) error {
	_, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO stock_movements (site_id, part_id, store_id, kind, quantity, unit_cost, receipt_id, issue_id, transfer_id,
			stocktake_id, reason, moved_by, moved_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		m.SiteID, m.PartID, m.StoreID, m.Kind, m.Quantity, m.UnitCost, m.ReceiptID, m.IssueID, m.TransferID,
		m.StocktakeID, m.Reason, m.MovedBy, m.MovedAt)
	return err
}

// orderPartsBook reads an order's part lines and issue slips, in ID order.
func orderPartsBook(c *change, order shop.OrderID) ([]*shop.PartLine, []*shop.PartIssue, error) {
	var lines []*shop.PartLine
	if err := c.tx.SelectContext(c.ctx, &lines, `SELECT `+partLineColumns+` FROM part_lines WHERE order_id = $1 ORDER BY id`, order); err != nil {
		return nil, nil, err
	}
	var issues []*shop.PartIssue
	if err := c.tx.SelectContext(c.ctx, &issues, `SELECT `+issueColumns+` FROM part_issues WHERE order_id = $1 ORDER BY id`, order); err != nil {
		return nil, nil, err
	}
	return lines, issues, nil
}

// lockPartsByID locks parts in ID order (the lock order of every parts writer).
func lockPartsByID(c *change, ids []shop.PartID) (map[shop.PartID]*shop.Part, error) {
	var parts []*shop.Part
	if err := c.tx.SelectContext(c.ctx, &parts, `SELECT `+partColumns+` FROM parts WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
		pq.Array(ids)); err != nil {
		return nil, err
	}
	out := make(map[shop.PartID]*shop.Part, len(parts))
	for _, p := range parts {
		out[p.ID] = p
	}
	return out, nil
}

// lockCataloguePart locks the catalogue part of number at the site of order,
// before the order is locked, so adding a line keeps the lock order.
func lockCataloguePart(c *change, order shop.OrderID, number string) error {
	num, err := shop.CheckPartNumber("part", number)
	if err != nil {
		return nil // the decision reports it
	}
	_, err = c.tx.ExecContext(c.ctx, `
		SELECT 1 FROM parts WHERE part_number = $2 AND site_id = (SELECT site_id FROM repair_orders WHERE id = $1) FOR UPDATE`,
		order, num)
	return err
}

// lockPackageParts locks, in ID order, the catalogue parts a maintenance
// package names at the order's site, before the order is locked (as
// lockCataloguePart does for one part). No package, nothing to lock.
func lockPackageParts(c *change, order shop.OrderID, pkg *shop.PackageID) error {
	if pkg == nil {
		return nil
	}
	_, err := c.tx.ExecContext(c.ctx, `
		SELECT 1 FROM parts WHERE id IN (
			SELECT p.id FROM parts p JOIN service_package_parts pp ON pp.part_number = p.part_number
			WHERE pp.package_id = $2 AND p.site_id = (SELECT site_id FROM repair_orders WHERE id = $1))
		ORDER BY id FOR UPDATE`, order, *pkg)
	return err
}

// lockNewOrderParts locks, in ID order, the catalogue parts a new order's
// lines name and those the visit's appointment reserved, before any line is
// written: a line's foreign key share-locks its part, and taking the part's
// update lock only after that would deadlock two orders of the same part.
func lockNewOrderParts(c *change, site shop.SiteID, visit shop.VisitID, lines []*PartLineInput) (map[shop.PartID]*shop.Part, error) {
	nums := make([]string, 0, len(lines))
	for _, l := range lines {
		nums = append(nums, strings.TrimSpace(l.PartNumber))
	}
	var parts []*shop.Part
	err := c.tx.SelectContext(c.ctx, &parts, `
		SELECT `+partColumns+` FROM parts WHERE id IN (
			SELECT id FROM parts WHERE site_id = $1 AND part_number = ANY($2)
			UNION SELECT part_id FROM part_reservations WHERE state IN ('WAITING', 'RESERVED')
			  AND appointment_id = (SELECT appointment_id FROM visits WHERE id = $3))
		ORDER BY id FOR UPDATE`, site, pq.Array(nums), visit)
	out := make(map[shop.PartID]*shop.Part, len(parts))
	for _, p := range parts {
		out[p.ID] = p
	}
	return out, err
}

// reserveNewOrder lets a new order take over the reservations of the
// appointment its car came in for, then reserves stock for each of its
// catalogue part lines. The caller locked the parts (lockNewOrderParts).
func reserveNewOrder(c *change, o *shop.Order, parts map[shop.PartID]*shop.Part) error {
	var rs []*shop.PartReservation
	if err := c.tx.SelectContext(c.ctx, &rs, `
		SELECT `+reservationColumns+` FROM part_reservations
		WHERE appointment_id = (SELECT appointment_id FROM visits WHERE id = $1) AND state IN ('WAITING', 'RESERVED')
		ORDER BY id FOR UPDATE`, o.VisitID); err != nil {
		return err
	}
	adopted, ev, ok := shop.AdoptAppointmentReservations(o, rs)
	if ok {
		for _, r := range adopted {
			if _, err := c.tx.ExecContext(c.ctx, `
				UPDATE part_reservations SET order_id = $2, appointment_id = NULL, from_appointment_id = $3, version = $4 WHERE id = $1`,
				r.ID, r.OrderID, r.FromAppointmentID, r.Version); err != nil {
				return err
			}
		}
		if err := c.event(ev); err != nil {
			return err
		}
	}
	var lines []*shop.PartLine
	if err := c.tx.SelectContext(c.ctx, &lines, `SELECT `+partLineColumns+` FROM part_lines WHERE order_id = $1 ORDER BY id`, o.ID); err != nil {
		return err
	}
	for _, pl := range lines {
		if pl.PartID == nil || parts[*pl.PartID] == nil {
			continue
		}
		tied, err := reserveLine(c, o, pl, parts[*pl.PartID], adopted)
		if err != nil {
			return err
		}
		if tied != nil {
			adopted = slices.DeleteFunc(adopted, func(r *shop.PartReservation) bool { return r.ID == tied.ID })
		}
	}
	return nil
}

// reserveAddedLine reserves stock for a part line added to an order (see
// reserveLine). The caller locked the part.
func reserveAddedLine(c *change, o *shop.Order, pl *shop.PartLine) error {
	if pl.PartID == nil {
		return nil
	}
	var p shop.Part
	if err := c.tx.GetContext(c.ctx, &p, `SELECT `+partColumns+` FROM parts WHERE id = $1 FOR UPDATE`, *pl.PartID); err != nil {
		return err
	}
	var free []*shop.PartReservation
	if err := c.tx.SelectContext(c.ctx, &free, `
		SELECT `+reservationColumns+` FROM part_reservations
		WHERE order_id = $1 AND part_id = $2 AND part_line_id IS NULL AND state IN ('WAITING', 'RESERVED')
		ORDER BY id FOR UPDATE`, o.ID, p.ID); err != nil {
		return err
	}
	_, err := reserveLine(c, o, pl, &p, free)
	return err
}

// reserveLine reserves stock of p (locked, current) for a new part line pl
// (see shop.ReservePartLine); free are the order's open reservations tied to
// no line, locked. p is updated to the part's stock after; it returns the
// reservation it tied to the line, if any.
func reserveLine(c *change, o *shop.Order, pl *shop.PartLine, p *shop.Part, free []*shop.PartReservation) (*shop.PartReservation, error) {
	p2, tied, r, ev, ok := shop.ReservePartLine(*p, o, *pl, free, c.actor.UserID, c.now)
	if !ok {
		return nil, nil
	}
	*p = p2
	if tied != nil {
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE part_reservations SET part_line_id = $2, job_id = $3, version = $4 WHERE id = $1`,
			tied.ID, tied.PartLineID, tied.JobID, tied.Version); err != nil {
			return nil, err
		}
	}
	if r != nil && r.State == shop.ReservationReserved {
		if err := savePartStock(c, p); err != nil {
			return nil, err
		}
	}
	if r != nil {
		if err := c.tx.GetContext(c.ctx, &r.ID, `
			INSERT INTO part_reservations (site_id, part_id, order_id, job_id, part_line_id, quantity, state, reserved_by, created_at, filled_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			r.SiteID, r.PartID, r.OrderID, r.JobID, r.PartLineID, r.Quantity, r.State, r.ReservedBy, r.CreatedAt, r.FilledAt); err != nil {
			return nil, err
		}
	}
	// Only a shortage, or a reservation moved to the line's job, can change
	// whether the job waits for parts.
	if pl.JobID != nil && (tied != nil || r.State == shop.ReservationWaiting) {
		if _, err := refreshPartsShort(c, *pl.JobID); err != nil {
			return nil, err
		}
	}
	return tied, c.event(ev)
}

// releaseLineReservations releases what a part line still holds or awaits
// (its line removed). The caller locked the order's reserved parts first.
func releaseLineReservations(c *change, o *shop.Order, line shop.PartLineID, why string) error {
	var open []*shop.PartReservation
	if err := c.tx.SelectContext(c.ctx, &open, `
		SELECT `+reservationColumns+` FROM part_reservations
		WHERE order_id = $1 AND part_line_id = $2 AND state IN ('WAITING', 'RESERVED')
		ORDER BY id FOR UPDATE`, o.ID, line); err != nil {
		return err
	}
	return releaseOpen(c, o, nil, open, why)
}

// settleParts checks every billable part line was issued (or removed) and
// returns the lines as billed: issued minus returned (see
// shop.CheckPartsIssued, shop.BilledPartLines).
func settleParts(c *change, o *shop.Order, jobs []*shop.Job) ([]*shop.PartLine, error) {
	lines, issues, err := orderPartsBook(c, o.ID)
	if err != nil {
		return nil, err
	}
	if err := shop.CheckPartsIssued(jobs, lines, issues); err != nil {
		return nil, err
	}
	return shop.BilledPartLines(lines, issues), nil
}

// recordBilled writes what settlement billed of each catalogue part line of
// the order: the billed lines' quantities, nothing for the others.
func recordBilled(c *change, order shop.OrderID, billed []*shop.PartLine) error {
	ids := make([]int64, 0, len(billed))
	qs := make([]int64, 0, len(billed))
	for _, l := range billed {
		ids, qs = append(ids, int64(l.ID)), append(qs, int64(l.Quantity))
	}
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE part_lines l SET billed_quantity = COALESCE(b.q, 0)
		FROM part_lines x LEFT JOIN UNNEST($2::BIGINT[], $3::BIGINT[]) AS b (id, q) ON b.id = x.id
		WHERE l.id = x.id AND x.order_id = $1 AND x.part_id IS NOT NULL`, order, pq.Array(ids), pq.Array(qs))
	return err
}

// DropPartLineInput removes a part line that turned out not to be needed
// from a signed order.
type DropPartLineInput struct {
	PartLineID      shop.PartLineID
	ExpectedVersion *int
	Reason          string
	IdempotencyKey  *string
}

// DropPartLine removes a part line with nothing issued against it (or all
// of it returned) from a signed, unsettled order; what it reserved is
// released. Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, CONFLICT.
func (d *DB) DropPartLine(ctx context.Context, in DropPartLineInput) (*shop.Order, error) {
	var order shop.OrderID
	if err := d.db.GetContext(ctx, &order, `SELECT order_id FROM part_lines WHERE id = $1`, in.PartLineID); isNoRows(err) {
		return nil, missingAt("partLineId", "part line")
	} else if err != nil {
		return nil, translate(err)
	}
	return d.orderStepAfter(ctx, "dropPartLine", OrderRef{order, in.ExpectedVersion, in.IdempotencyKey}, in, shop.ActEstimate,
		func(c *change) error { return lockReservedParts(c, order, nil) },
		func(c *change, o *shop.Order) ([]shop.Event, error) {
			lines, issues, err := orderPartsBook(c, o.ID)
			if err != nil {
				return nil, err
			}
			i := slices.IndexFunc(lines, func(l *shop.PartLine) bool { return l.ID == in.PartLineID })
			if i < 0 {
				return nil, missingAt("partLineId", "part line")
			}
			ev, err := shop.DropPartLine(o, *lines[i], shop.NetIssuedByLine(issues)[in.PartLineID], in.Reason)
			if err != nil {
				return nil, err
			}
			if err := releaseLineReservations(c, o, in.PartLineID, "the part line was dropped"); err != nil {
				return nil, err
			}
			if _, err := c.tx.ExecContext(c.ctx, `DELETE FROM part_lines WHERE id = $1`, in.PartLineID); err != nil {
				return nil, err
			}
			return []shop.Event{ev}, estimate(c, o)
		})
}

// CreateStockStoreInput opens a branch store of a site.
type CreateStockStoreInput struct {
	SiteID         shop.SiteID
	Name           string
	IdempotencyKey *string
}

// CreateStockStore opens a branch store (分库). Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT (name taken).
func (d *DB) CreateStockStore(ctx context.Context, in CreateStockStoreInput) (*shop.StockStore, error) {
	return mutate(d, ctx, "createStockStore", deref(in.IdempotencyKey), in, func(c *change) (*shop.StockStore, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActManageParts); err != nil {
			return nil, err
		}
		s, ev, err := shop.NewStockStore(in.SiteID, in.Name)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &s.ID, `INSERT INTO stock_stores (site_id, name) VALUES ($1, $2) RETURNING id`, s.SiteID, s.Name); err != nil {
			return nil, err
		}
		return &s, c.event(ev)
	})
}

// FindStockStores lists a site's branch stores. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindStockStores(ctx context.Context, site shop.SiteID) ([]*shop.StockStore, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*shop.StockStore
	err := d.db.SelectContext(ctx, &rows, `SELECT id, site_id, name FROM stock_stores WHERE site_id = $1 ORDER BY id`, site)
	return rows, translate(err)
}

// lockStockLevel locks (creating it empty) a part's stock in a store of the
// part's site: the part row for the main store (nil), else the branch row.
func lockStockLevel(c *change, p *shop.Part, store *shop.StockStoreID, field string) (*shop.StockLevel, error) {
	if store == nil {
		return &shop.StockLevel{PartID: p.ID, OnHand: p.OnHand, Reserved: p.Reserved}, nil
	}
	_, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO branch_stock (store_id, part_id, site_id)
		SELECT id, $2, site_id FROM stock_stores WHERE id = $1 AND site_id = $3
		ON CONFLICT (store_id, part_id) DO NOTHING`, *store, p.ID, p.SiteID)
	if err != nil {
		return nil, err
	}
	lv := shop.StockLevel{PartID: p.ID, Store: store}
	err = c.tx.GetContext(c.ctx, &lv.OnHand, `SELECT on_hand FROM branch_stock WHERE store_id = $1 AND part_id = $2 AND site_id = $3 FOR UPDATE`,
		*store, p.ID, p.SiteID)
	if isNoRows(err) {
		return nil, missingAt(field, "store")
	}
	return &lv, err
}

// saveStockLevel writes a store's on hand back (the main store's with its part).
func saveStockLevel(c *change, p *shop.Part, lv *shop.StockLevel) error {
	if lv.Store == nil {
		p.OnHand = lv.OnHand
		return savePartStock(c, p)
	}
	_, err := c.tx.ExecContext(c.ctx, `UPDATE branch_stock SET on_hand = $3 WHERE store_id = $1 AND part_id = $2`, *lv.Store, p.ID, lv.OnHand)
	return err
}

// TransferStockInput moves parts between two stores of a site; a nil store
// is the main store.
type TransferStockInput struct {
	PartID         shop.PartID
	FromStoreID    *shop.StockStoreID
	ToStoreID      *shop.StockStoreID
	Quantity       int
	Note           *string
	IdempotencyKey *string
}

// TransferStock books a transfer (调拨): two movements, out of one store and
// into the other, in one transaction, so they always balance.
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) TransferStock(ctx context.Context, in TransferStockInput) (*shop.StockTransfer, error) {
	return mutate(d, ctx, "transferStock", deref(in.IdempotencyKey), in, func(c *change) (*shop.StockTransfer, error) {
		p, err := lockPart(c, in.PartID, shop.ActManageParts)
		if err != nil {
			return nil, err
		}
		// Branch rows in store ID order, so two transfers never wait on each other.
		ids := []*shop.StockStoreID{in.FromStoreID, in.ToStoreID}
		if in.FromStoreID != nil && in.ToStoreID != nil && *in.ToStoreID < *in.FromStoreID {
			ids[0], ids[1] = ids[1], ids[0]
		}
		levels := map[*shop.StockStoreID]*shop.StockLevel{}
		for i, s := range ids {
			field := "fromStoreId"
			if s == in.ToStoreID {
				field = "toStoreId"
			}
			if i == 1 && s != nil && ids[0] != nil && *s == *ids[0] {
				continue // same store both sides: the decision refuses it
			}
			if levels[s], err = lockStockLevel(c, p, s, field); err != nil {
				return nil, err
			}
		}
		from, to := levels[in.FromStoreID], levels[in.ToStoreID]
		if to == nil {
			to = from
		}
		f2, t2, tr, mv, ev, err := shop.TransferStock(*p, *from, *to, shop.TransferInput{From: in.FromStoreID, To: in.ToStoreID,
			Quantity: in.Quantity, Note: deref(in.Note)}, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := saveStockLevel(c, p, &f2); err != nil {
			return nil, err
		}
		if err := saveStockLevel(c, p, &t2); err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &tr.ID, `
			INSERT INTO stock_transfers (site_id, part_id, from_store_id, to_store_id, quantity, note, moved_by, moved_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			tr.SiteID, tr.PartID, tr.FromStoreID, tr.ToStoreID, tr.Quantity, tr.Note, tr.MovedBy, tr.MovedAt); err != nil {
			return nil, err
		}
		for _, m := range mv {
			m.TransferID = &tr.ID
			if err := addMovement(c, m); err != nil {
				return nil, err
			}
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		if in.ToStoreID == nil {
			return &tr, fillWaiting(c, p) // stock back in the main store may serve who waits
		}
		return &tr, nil
	})
}

// StocktakeInput is a count of one store of a site (盘库).
type StocktakeInput struct {
	SiteID         shop.SiteID
	StoreID        *shop.StockStoreID
	Lines          []shop.StocktakeCount
	Note           *string
	IdempotencyKey *string
}

// PostStocktake books a stocktake: every counted part's book and count, and
// an ADJUSTMENT movement for each difference (a service manager posts those,
// each with its reason). Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) PostStocktake(ctx context.Context, in StocktakeInput) (*shop.Stocktake, error) {
	return mutate(d, ctx, "postStocktake", deref(in.IdempotencyKey), in, func(c *change) (*shop.Stocktake, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActManageParts); err != nil {
			return nil, err
		}
		ids := make([]shop.PartID, 0, len(in.Lines))
		for _, l := range in.Lines {
			ids = append(ids, l.PartID)
		}
		if len(ids) > shop.MaxStocktakeLines {
			ids = ids[:0] // the decision refuses it; lock nothing
		}
		parts, err := lockPartsByID(c, ids)
		if err != nil {
			return nil, err
		}
		levels, costs := map[shop.PartID]*shop.StockLevel{}, map[shop.PartID]shop.Money{}
		sorted := slices.Sorted(func(yield func(shop.PartID) bool) {
			for id := range parts {
				if !yield(id) {
					return
				}
			}
		})
		for _, id := range sorted {
			p := parts[id]
			if p.SiteID != in.SiteID {
				continue // another site's part is not in this catalogue
			}
			lv, err := lockStockLevel(c, p, in.StoreID, "storeId")
			if err != nil {
				return nil, err
			}
			levels[id], costs[id] = lv, p.AvgCost
		}
		st, moves, ev, err := shop.PostStocktake(*c.actor, in.SiteID, in.StoreID, in.Lines, deref(in.Note), levels, costs, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &st.ID, `
			INSERT INTO stocktakes (site_id, store_id, note, posted_by, posted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			st.SiteID, st.StoreID, st.Note, st.PostedBy, st.PostedAt); err != nil {
			return nil, err
		}
		for _, l := range st.Lines {
			if _, err := c.tx.ExecContext(c.ctx, `
				INSERT INTO stocktake_lines (stocktake_id, part_id, book, counted, reason) VALUES ($1, $2, $3, $4, $5)`,
				st.ID, l.PartID, l.Book, l.Counted, l.Reason); err != nil {
				return nil, err
			}
		}
		for _, m := range moves {
			m.StocktakeID = &st.ID
			p := parts[m.PartID]
			if err := saveStockLevel(c, p, levels[m.PartID]); err != nil {
				return nil, err
			}
			if err := addMovement(c, m); err != nil {
				return nil, err
			}
		}
		if err := c.event(ev); err != nil {
			return nil, err
		}
		if in.StoreID != nil {
			return &st, nil
		}
		for _, m := range moves {
			if m.Quantity > 0 {
				if err := fillWaiting(c, parts[m.PartID]); err != nil {
					return nil, err
				}
			}
		}
		return &st, nil
	})
}

// SetReorderPointInput sets a part's reorder point.
type SetReorderPointInput struct {
	PartID         shop.PartID
	ReorderPoint   int
	IdempotencyKey *string
}

// SetReorderPoint sets a part's reorder point (订货点). Errors: INVALID,
// NOT_FOUND, FORBIDDEN.
func (d *DB) SetReorderPoint(ctx context.Context, in SetReorderPointInput) (*shop.Part, error) {
	return mutate(d, ctx, "setReorderPoint", deref(in.IdempotencyKey), in, func(c *change) (*shop.Part, error) {
		p, err := lockPart(c, in.PartID, shop.ActManageParts)
		if err != nil {
			return nil, err
		}
		p2, ev, err := shop.SetReorderPoint(*p, in.ReorderPoint)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE parts SET reorder_point = $2 WHERE id = $1`, p2.ID, p2.ReorderPoint); err != nil {
			return nil, err
		}
		return &p2, c.event(ev)
	})
}

// ReorderRow is a part at or below its reorder point: its stock, what is on
// order and a suggested quantity.
type ReorderRow struct {
	Part      *shop.Part
	Incoming  int
	Suggested int
}

// FindReorderParts lists a site's parts whose free stock plus what is on
// open purchase orders is at or below their reorder point.
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindReorderParts(ctx context.Context, site shop.SiteID) ([]*ReorderRow, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []struct {
		shop.Part
		Incoming int
	}
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT p.id, p.site_id, p.part_number, p.description, p.unit_price, p.on_hand, p.reserved, p.reorder_point, p.avg_cost,
			COALESCE(i.incoming, 0) AS incoming
		FROM parts p LEFT JOIN (
			SELECT l.part_id, SUM(l.quantity - l.received)::INT AS incoming
			FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id AND o.state = 'OPEN'
			WHERE l.site_id = $1 GROUP BY l.part_id) i ON i.part_id = p.id
		WHERE p.site_id = $1 AND p.reorder_point > 0
		ORDER BY p.part_number`, site); err != nil {
		return nil, translate(err)
	}
	out := []*ReorderRow{}
	for i := range rows {
		p := rows[i].Part
		if shop.NeedsReorder(&p, rows[i].Incoming) {
			out = append(out, &ReorderRow{Part: &p, Incoming: rows[i].Incoming, Suggested: shop.ReorderQuantity(&p, rows[i].Incoming)})
		}
	}
	return out, nil
}

// FindPartsMargin returns the parts revenue, cost and margin of a site's
// orders settled in [from, to) (see shop.ComputePartsMargin).
// Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) FindPartsMargin(ctx context.Context, site shop.SiteID, from, to time.Time) (*shop.PartsMargin, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	if err := shop.CheckPeriod(from, to); err != nil {
		return nil, err
	}
	var lines []*shop.PartLine
	if err := d.db.SelectContext(ctx, &lines, `
		SELECT `+partLineColumns+` FROM part_lines WHERE order_id IN (
			SELECT id FROM repair_orders WHERE site_id = $1 AND settled_at >= $2 AND settled_at < $3)
		ORDER BY id`, site, from, to); err != nil {
		return nil, translate(err)
	}
	var issues []*shop.PartIssue
	if err := d.db.SelectContext(ctx, &issues, `
		SELECT `+issueColumns+` FROM part_issues WHERE order_id IN (
			SELECT id FROM repair_orders WHERE site_id = $1 AND settled_at >= $2 AND settled_at < $3)
		ORDER BY id`, site, from, to); err != nil {
		return nil, translate(err)
	}
	m := shop.ComputePartsMargin(lines, issues)
	return &m, nil
}

// FindStockMovements returns a page of a part's ledger, newest first.
// Errors: NOT_FOUND, UNAUTHENTICATED.
func (d *DB) FindStockMovements(ctx context.Context, part shop.PartID, page Page) ([]*shop.StockMovement, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.StockMovement
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+movementColumns+` FROM stock_movements
		WHERE part_id = $1 AND site_id = ANY($2) AND ($3::BIGINT IS NULL OR id < $3)
		ORDER BY id DESC LIMIT $4`, part, pq.Array(a.SiteIDs), page.after(), page.limit())
	return rows, translate(err)
}

// CreateSupplierInput adds a supplier of a site.
type CreateSupplierInput struct {
	SiteID         shop.SiteID
	Name           string
	Contact        *string
	Phone          *string
	IdempotencyKey *string
}

// CreateSupplier adds a supplier (供应商). Errors: INVALID, NOT_FOUND,
// FORBIDDEN, CONFLICT (name taken).
func (d *DB) CreateSupplier(ctx context.Context, in CreateSupplierInput) (*shop.Supplier, error) {
	return mutate(d, ctx, "createSupplier", deref(in.IdempotencyKey), in, func(c *change) (*shop.Supplier, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActManageParts); err != nil {
			return nil, err
		}
		s, ev, err := shop.NewSupplier(in.SiteID, in.Name, deref(in.Contact), deref(in.Phone))
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &s.ID, `INSERT INTO suppliers (site_id, name, contact, phone) VALUES ($1, $2, $3, $4) RETURNING id`,
			s.SiteID, s.Name, s.Contact, s.Phone); err != nil {
			return nil, err
		}
		return &s, c.event(ev)
	})
}

// FindSuppliers lists a site's suppliers by name. Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindSuppliers(ctx context.Context, site shop.SiteID) ([]*shop.Supplier, error) {
	if _, err := authorize(ctx, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*shop.Supplier
	err := d.db.SelectContext(ctx, &rows, `SELECT id, site_id, name, contact, phone FROM suppliers WHERE site_id = $1 ORDER BY name`, site)
	return rows, translate(err)
}

// CreatePurchaseOrderInput places a purchase order with a supplier.
type CreatePurchaseOrderInput struct {
	SiteID         shop.SiteID
	SupplierID     shop.SupplierID
	Reference      *string
	Lines          []shop.PurchaseLineInput
	IdempotencyKey *string
}

// CreatePurchaseOrder places a purchase order (采购单); its lines count as
// incoming stock until received. Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) CreatePurchaseOrder(ctx context.Context, in CreatePurchaseOrderInput) (*shop.PurchaseOrder, error) {
	return mutate(d, ctx, "createPurchaseOrder", deref(in.IdempotencyKey), in, func(c *change) (*shop.PurchaseOrder, error) {
		if err := shop.Authorize(c.actor, in.SiteID, shop.ActManageParts); err != nil {
			return nil, err
		}
		var supplierSite *shop.SiteID
		var s shop.SiteID
		if err := c.tx.GetContext(c.ctx, &s, `SELECT site_id FROM suppliers WHERE id = $1`, in.SupplierID); err == nil {
			supplierSite = &s
		} else if !isNoRows(err) {
			return nil, err
		}
		ids := make([]int64, 0, len(in.Lines))
		for _, l := range in.Lines {
			ids = append(ids, int64(l.PartID))
		}
		var found []struct {
			ID     shop.PartID
			SiteID shop.SiteID
		}
		if err := c.tx.SelectContext(c.ctx, &found, `SELECT id, site_id FROM parts WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
			return nil, err
		}
		sites := map[shop.PartID]shop.SiteID{}
		for _, f := range found {
			sites[f.ID] = f.SiteID
		}
		po, lines, ev, err := shop.NewPurchaseOrder(in.SiteID, in.SupplierID, supplierSite, deref(in.Reference), in.Lines, sites, c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &po.ID, `
			INSERT INTO purchase_orders (site_id, supplier_id, reference, state, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, po.SiteID, po.SupplierID, po.Reference, po.State, po.CreatedBy, po.CreatedAt); err != nil {
			return nil, err
		}
		for _, l := range lines {
			if _, err := c.tx.ExecContext(c.ctx, `
				INSERT INTO purchase_order_lines (site_id, purchase_order_id, part_id, quantity, unit_cost) VALUES ($1, $2, $3, $4, $5)`,
				l.SiteID, po.ID, l.PartID, l.Quantity, l.UnitCost); err != nil {
				return nil, err
			}
		}
		return &po, c.event(ev)
	})
}

// lockPurchaseOrder reads a purchase order and its lines for update.
func lockPurchaseOrder(c *change, id shop.PurchaseOrderID, field string) (*shop.PurchaseOrder, []*shop.PurchaseOrderLine, error) {
	var po shop.PurchaseOrder
	err := c.tx.GetContext(c.ctx, &po, `SELECT `+purchaseOrderColumns+` FROM purchase_orders WHERE id = $1 FOR UPDATE`, id)
	if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(po.SiteID)) {
		return nil, nil, missingAt(field, "purchase order")
	} else if err != nil {
		return nil, nil, err
	}
	if err := shop.Authorize(c.actor, po.SiteID, shop.ActManageParts); err != nil {
		return nil, nil, err
	}
	var lines []*shop.PurchaseOrderLine
	if err := c.tx.SelectContext(c.ctx, &lines, `
		SELECT `+purchaseLineColumns+` FROM purchase_order_lines WHERE purchase_order_id = $1 ORDER BY id FOR UPDATE`, id); err != nil {
		return nil, nil, err
	}
	return &po, lines, nil
}

// CancelPurchaseOrder cancels what is still to come of an open purchase
// order. Errors: NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) CancelPurchaseOrder(ctx context.Context, id shop.PurchaseOrderID, key *string) (*shop.PurchaseOrder, error) {
	return mutate(d, ctx, "cancelPurchaseOrder", deref(key), id, func(c *change) (*shop.PurchaseOrder, error) {
		po, _, err := lockPurchaseOrder(c, id, "purchaseOrderId")
		if err != nil {
			return nil, err
		}
		po2, ev, err := shop.CancelPurchaseOrder(*po, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE purchase_orders SET state = $2, closed_at = $3, version = $4 WHERE id = $1`,
			po2.ID, po2.State, po2.ClosedAt, po2.Version); err != nil {
			return nil, err
		}
		return &po2, c.event(ev)
	})
}

// ReceivePurchaseInput receives goods against a purchase order line.
type ReceivePurchaseInput struct {
	PurchaseOrderLineID shop.PurchaseOrderLineID
	Quantity            int
	Reference           *string
	IdempotencyKey      *string
}

// ReceivePurchase books goods received against a purchase order line into
// the main store at the line's cost: the part's average cost moves, waiting
// reservations are filled, and the order closes once every line is in.
// Errors: INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) ReceivePurchase(ctx context.Context, in ReceivePurchaseInput) (*shop.StockReceipt, error) {
	return mutate(d, ctx, "receivePurchase", deref(in.IdempotencyKey), in, func(c *change) (*shop.StockReceipt, error) {
		var ref struct {
			PartID          shop.PartID
			PurchaseOrderID shop.PurchaseOrderID
		}
		err := c.tx.GetContext(c.ctx, &ref, `SELECT part_id, purchase_order_id FROM purchase_order_lines WHERE id = $1`, in.PurchaseOrderLineID)
		if isNoRows(err) {
			return nil, missingAt("purchaseOrderLineId", "purchase order line")
		} else if err != nil {
			return nil, err
		}
		p, err := lockPart(c, ref.PartID, shop.ActManageParts)
		if err != nil {
			return nil, atField("purchaseOrderLineId", err)
		}
		po, lines, err := lockPurchaseOrder(c, ref.PurchaseOrderID, "purchaseOrderLineId")
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(lines, func(l *shop.PurchaseOrderLine) bool { return l.ID == in.PurchaseOrderLineID })
		var elsewhere int
		if err := c.tx.GetContext(c.ctx, &elsewhere, `SELECT COALESCE(SUM(on_hand), 0) FROM branch_stock WHERE part_id = $1`, p.ID); err != nil {
			return nil, err
		}
		out, err := shop.ReceivePurchase(*p, *po, *lines[i], lines, elsewhere, in.Quantity, deref(in.Reference), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		p2 := out.Part
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE parts SET on_hand = $2, reserved = $3, avg_cost = $4 WHERE id = $1`,
			p2.ID, p2.OnHand, p2.Reserved, p2.AvgCost); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE purchase_order_lines SET received = $2 WHERE id = $1`, out.Line.ID, out.Line.Received); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE purchase_orders SET state = $2, closed_at = $3, version = $4 WHERE id = $1`,
			out.Order.ID, out.Order.State, out.Order.ClosedAt, out.Order.Version); err != nil {
			return nil, err
		}
		rc := out.Receipt
		if err := c.tx.GetContext(c.ctx, &rc.ID, `
			INSERT INTO stock_receipts (site_id, part_id, quantity, reference, received_by, received_at, purchase_order_line_id, unit_cost)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			rc.SiteID, rc.PartID, rc.Quantity, rc.Reference, rc.ReceivedBy, rc.ReceivedAt, rc.PurchaseOrderLineID, rc.UnitCost); err != nil {
			return nil, err
		}
		m := out.Movement
		m.ReceiptID = &rc.ID
		if err := addMovement(c, m); err != nil {
			return nil, err
		}
		if err := c.event(out.Event); err != nil {
			return nil, err
		}
		return &rc, fillWaiting(c, &p2)
	})
}

// PurchaseOrderFilter selects a site's purchase orders.
type PurchaseOrderFilter struct {
	SiteID shop.SiteID
	State  *shop.PurchaseOrderState
}

// FindPurchaseOrders lists a site's purchase orders, newest first.
// Errors: NOT_FOUND, FORBIDDEN.
func (d *DB) FindPurchaseOrders(ctx context.Context, f PurchaseOrderFilter) ([]*shop.PurchaseOrder, error) {
	if _, err := authorize(ctx, f.SiteID, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*shop.PurchaseOrder
	err := d.db.SelectContext(ctx, &rows, `
		SELECT `+purchaseOrderColumns+` FROM purchase_orders WHERE site_id = $1 AND ($2::TEXT IS NULL OR state = $2)
		ORDER BY id DESC LIMIT 200`, f.SiteID, f.State)
	return rows, translate(err)
}

// FindPurchaseOrderLines returns the lines of purchase orders in one statement.
func (d *DB) FindPurchaseOrderLines(ctx context.Context, ids []shop.PurchaseOrderID) (map[shop.PurchaseOrderID][]*shop.PurchaseOrderLine, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.PurchaseOrderLine
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+purchaseLineColumns+` FROM purchase_order_lines WHERE purchase_order_id = ANY($1) AND site_id = ANY($2) ORDER BY id`,
		pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.PurchaseOrderID][]*shop.PurchaseOrderLine{}
	for _, l := range rows {
		out[l.PurchaseOrderID] = append(out[l.PurchaseOrderID], l)
	}
	return out, nil
}

// StockSnapshot reads the stock books of the actor's sites in one
// transaction, for shop.CheckStockInvariants. Errors: UNAUTHENTICATED.
func (d *DB) StockSnapshot(ctx context.Context) (shop.StockSnapshot, error) {
	var s shop.StockSnapshot
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return s, err
	}
	tx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return s, translate(err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`); err != nil {
		return s, translate(err)
	}
	sites := pq.Array(a.SiteIDs)
	if err := tx.SelectContext(ctx, &s.Stock, `
		SELECT p.id AS part_id, p.part_number, NULL::BIGINT AS store_id, p.on_hand, p.reserved,
			COALESCE((SELECT SUM(l.quantity - l.received) FROM purchase_order_lines l JOIN purchase_orders o
				ON o.id = l.purchase_order_id AND o.state = 'OPEN' WHERE l.part_id = p.id), 0) AS incoming,
			COALESCE((SELECT SUM(quantity) FROM stock_movements m WHERE m.part_id = p.id AND m.store_id IS NULL), 0) AS movements,
			COALESCE((SELECT SUM(quantity - issued) FROM part_reservations r WHERE r.part_id = p.id AND r.state = 'RESERVED'), 0) AS held_by_open
		FROM parts p WHERE p.site_id = ANY($1)
		UNION ALL
		SELECT b.part_id, p.part_number, b.store_id, b.on_hand, 0, 0,
			COALESCE((SELECT SUM(quantity) FROM stock_movements m WHERE m.part_id = b.part_id AND m.store_id = b.store_id), 0), 0
		FROM branch_stock b JOIN parts p ON p.id = b.part_id WHERE b.site_id = ANY($1)
		ORDER BY 1, 3 NULLS FIRST`, sites); err != nil {
		return s, translate(err)
	}
	if err := tx.SelectContext(ctx, &s.DeliveredLines, `
		SELECT l.order_id, l.id AS line_id, l.part_number, l.billed_quantity AS billed,
			COALESCE((SELECT SUM(quantity - returned) FROM part_issues i WHERE i.part_line_id = l.id), 0) AS net_issued
		FROM part_lines l JOIN repair_orders o ON o.id = l.order_id
		WHERE o.state = 'DELIVERED' AND l.part_id IS NOT NULL AND l.site_id = ANY($1)
		ORDER BY l.id`, sites); err != nil {
		return s, translate(err)
	}
	return s, nil
}
