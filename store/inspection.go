package store

import (
	"context"
	"encoding/json"

	"bayboard/shop"
)

// The digital inspection (电子检查单): see shop/inspection.go.

const (
	checklistColumns  = `id, site_id, name, work_type, entries, created_by, created_at`
	inspectionColumns = `id, site_id, order_id, checklist_id, name, started_by, started_at`
	itemColumns       = `id, site_id, inspection_id, order_id, seq, name, labour_minutes, part_number, quantity, status, note, recorded_by, recorded_at, additional_work_id, version`
)

// checklistRow is a checklist as stored (its lines as JSON).
type checklistRow struct {
	shop.Checklist
	Entries []byte
}

func (r *checklistRow) checklist() (*shop.Checklist, error) {
	c := r.Checklist
	return &c, json.Unmarshal(r.Entries, &c.Entries)
}

// CreateInspectionChecklistInput is a site's checklist for a kind of visit.
type CreateInspectionChecklistInput struct {
	SiteID   shop.SiteID
	Name     string
	WorkType shop.WorkType
	Entries  []*shop.ChecklistEntry
}

// CreateChecklist defines a checklist (shop.DefineChecklist). Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID.
func (d *DB) CreateChecklist(ctx context.Context, in CreateInspectionChecklistInput) (*shop.Checklist, error) {
	return mutate(d, ctx, "createInspectionChecklist", "", in, func(c *change) (*shop.Checklist, error) {
		entries := make([]shop.ChecklistEntry, len(in.Entries))
		for i, e := range in.Entries {
			entries[i] = *e
		}
		cl, err := shop.DefineChecklist(in.SiteID, in.Name, in.WorkType, entries, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(cl.Entries)
		if err != nil {
			return nil, err
		}
		err = c.tx.GetContext(c.ctx, &cl.ID, `
			INSERT INTO inspection_checklists (site_id, name, work_type, entries, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, cl.SiteID, cl.Name, cl.WorkType, b, cl.CreatedBy, cl.CreatedAt)
		return &cl, err
	})
}

// FindChecklists returns a site's checklists, of one kind of visit when
// given. Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (d *DB) FindChecklists(ctx context.Context, site shop.SiteID, wt *shop.WorkType) ([]*shop.Checklist, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.Authorize(a, site, shop.ActRead); err != nil {
		return nil, err
	}
	var rows []*checklistRow
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT `+checklistColumns+` FROM inspection_checklists
		WHERE site_id = $1 AND ($2::text IS NULL OR work_type = $2) ORDER BY id`, site, wt); err != nil {
		return nil, translate(err)
	}
	out := make([]*shop.Checklist, len(rows))
	for i, r := range rows {
		if out[i], err = r.checklist(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StartInspectionInput starts a checklist on an order.
type StartInspectionInput struct {
	OrderID     shop.OrderID
	ChecklistID shop.ChecklistID
}

// StartInspection starts a checklist on an order in work, one item per line
// (shop.StartInspection). Errors: UNAUTHENTICATED, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION, CONFLICT (already started).
func (d *DB) StartInspection(ctx context.Context, in StartInspectionInput) (*shop.VehicleInspection, error) {
	return mutate(d, ctx, "startInspection", "", in, func(c *change) (*shop.VehicleInspection, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActRead, nil)
		if err != nil {
			return nil, err
		}
		var row checklistRow
		err = c.tx.GetContext(c.ctx, &row, `SELECT `+checklistColumns+` FROM inspection_checklists WHERE id = $1 AND site_id = $2`, in.ChecklistID, o.SiteID)
		if isNoRows(err) {
			return nil, notFoundAt("checklistId", "No checklist with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		cl, err := row.checklist()
		if err != nil {
			return nil, err
		}
		ins, items, err := shop.StartInspection(o, cl, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		if err := c.tx.GetContext(c.ctx, &ins.ID, `
			INSERT INTO inspections (site_id, order_id, checklist_id, name, started_by, started_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, ins.SiteID, ins.OrderID, ins.ChecklistID, ins.Name, ins.StartedBy, ins.StartedAt); err != nil {
			return nil, err
		}
		for _, it := range items {
			if _, err := c.tx.ExecContext(c.ctx, `
				INSERT INTO inspection_items (site_id, inspection_id, order_id, seq, name, labour_minutes, part_number, quantity)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				it.SiteID, ins.ID, it.OrderID, it.Seq, it.Name, it.LabourMinutes, it.PartNumber, it.Quantity); err != nil {
				return nil, err
			}
		}
		return &ins, nil
	})
}

// lockItem reads an inspection item and locks its order (the order first,
// as every writer does). Items of other sites are NOT_FOUND.
func lockItem(c *change, id shop.InspectionItemID) (*shop.InspectionItem, *shop.Order, error) {
	var order shop.OrderID
	err := c.tx.GetContext(c.ctx, &order, `SELECT order_id FROM inspection_items WHERE id = $1`, id)
	if isNoRows(err) {
		return nil, nil, notFoundAt("itemId", "No inspection item with that ID exists.")
	} else if err != nil {
		return nil, nil, err
	}
	o, err := lockOrder(c, order, shop.ActRead, nil)
	if err != nil {
		return nil, nil, notFoundAt("itemId", "No inspection item with that ID exists.")
	}
	var it shop.InspectionItem
	if err := c.tx.GetContext(c.ctx, &it, `SELECT `+itemColumns+` FROM inspection_items WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, nil, err
	}
	return &it, o, nil
}

// RecordInspectionItemInput is one check.
type RecordInspectionItemInput struct {
	ItemID          shop.InspectionItemID
	Status          shop.ItemStatus
	Note            *string
	ExpectedVersion *int
}

// RecordInspectionItem records a check (shop.RecordInspectionItem). Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, INVALID, CONFLICT.
func (d *DB) RecordInspectionItem(ctx context.Context, in RecordInspectionItemInput) (*shop.InspectionItem, error) {
	return mutate(d, ctx, "recordInspectionItem", "", in, func(c *change) (*shop.InspectionItem, error) {
		it, o, err := lockItem(c, in.ItemID)
		if err != nil {
			return nil, err
		}
		if err := checkVersion("inspection item", in.ExpectedVersion, it.Version); err != nil {
			return nil, err
		}
		it2, err := shop.RecordInspectionItem(*it, o, in.Status, deref(in.Note), c.actor, c.now)
		if err != nil {
			return nil, err
		}
		_, err = c.tx.ExecContext(c.ctx, `
			UPDATE inspection_items SET status = $2, note = $3, recorded_by = $4, recorded_at = $5, version = $6 WHERE id = $1`,
			it2.ID, it2.Status, it2.Note, it2.RecordedBy, it2.RecordedAt, it2.Version)
		return &it2, err
	})
}

// ProposeFromInspectionItemInput names the finding to propose.
type ProposeFromInspectionItemInput struct {
	ItemID shop.InspectionItemID
}

// ProposeFromInspectionItem turns an amber or red finding into proposed
// additional work in one tap (shop.ProposeFromItem, then the same request
// as requestAdditionalWork), in one transaction. Errors: UNAUTHENTICATED,
// NOT_FOUND, FORBIDDEN, INVALID_TRANSITION, INVALID.
func (d *DB) ProposeFromInspectionItem(ctx context.Context, in ProposeFromInspectionItemInput) (*shop.AdditionalWork, error) {
	return mutate(d, ctx, "proposeFromInspectionItem", "", in, func(c *change) (*shop.AdditionalWork, error) {
		it, o, err := lockItem(c, in.ItemID)
		if err != nil {
			return nil, err
		}
		req, parts, err := shop.ProposeFromItem(*it, o, c.actor)
		if err != nil {
			return nil, err
		}
		rin := RequestAdditionalWorkInput{OrderID: o.ID, Description: req.Description, Reason: req.Reason,
			LabourMinutes: req.LabourMinutes, ExtraMinutes: req.ExtraMinutes, Safety: req.Safety}
		for i := range parts {
			rin.Parts = append(rin.Parts, &parts[i])
		}
		aw, err := requestAdditionalWork(c, o, rin)
		if err != nil {
			return nil, err
		}
		_, err = c.tx.ExecContext(c.ctx, `
			UPDATE inspection_items SET additional_work_id = $2, version = version + 1 WHERE id = $1`, it.ID, aw.ID)
		return aw, err
	})
}

// FindInspectionsByOrder returns an order's inspections, oldest first.
// Errors: UNAUTHENTICATED, NOT_FOUND.
func (d *DB) FindInspectionsByOrder(ctx context.Context, order shop.OrderID) ([]*shop.VehicleInspection, error) {
	rows, err := selectInSites[shop.VehicleInspection](ctx, d, `
		SELECT `+inspectionColumns+` FROM inspections WHERE order_id = $1 AND site_id = ANY($2) ORDER BY id`, order)
	return rows, err
}

// FindInspectionItems returns an inspection's items in checklist order.
// Errors: UNAUTHENTICATED.
func (d *DB) FindInspectionItems(ctx context.Context, ins shop.InspectionID) ([]*shop.InspectionItem, error) {
	return selectInSites[shop.InspectionItem](ctx, d, `
		SELECT `+itemColumns+` FROM inspection_items WHERE inspection_id = $1 AND site_id = ANY($2) ORDER BY seq`, ins)
}
