package store

import (
	"context"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Batch finders of the parts, warranty, callback, complaint and reminder
// records, for the GraphQL loaders: each reads many records (or the lists of
// many parents) in one statement, only from the actor's sites. A key of
// another site is simply absent from the result, like a missing one.

const receiptColumns = `id, site_id, part_id, quantity, urgent, warranty, for_order_id, reference, received_by, received_at`

// selectInSites runs query with $1 = keys and $2 = the actor's sites.
func selectInSites[V any](ctx context.Context, d *DB, query string, keys any) ([]*V, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*V
	if err := d.selectPrepared(ctx, &rows, query, keys, pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	return rows, nil
}

// byKey indexes rows by key.
func byKey[K comparable, V any](rows []*V, err error, key func(*V) K) (map[K]*V, error) {
	if err != nil {
		return nil, err
	}
	out := make(map[K]*V, len(rows))
	for _, r := range rows {
		out[key(r)] = r
	}
	return out, nil
}

// groupBy groups rows by key, keeping their order.
func groupBy[K comparable, V any](rows []*V, err error, key func(*V) K) (map[K][]*V, error) {
	if err != nil {
		return nil, err
	}
	out := map[K][]*V{}
	for _, r := range rows {
		k := key(r)
		out[k] = append(out[k], r)
	}
	return out, nil
}

// one returns the record of id from a batch, or NOT_FOUND naming kind.
func one[K comparable, V any](m map[K]*V, err error, id K, kind string) (*V, error) {
	if err != nil {
		return nil, err
	}
	if v := m[id]; v != nil {
		return v, nil
	}
	return nil, notFound(kind)
}

// FindReservationsByIDs returns part reservations by ID in one statement.
func (d *DB) FindReservationsByIDs(ctx context.Context, ids []shop.PartReservationID) (map[shop.PartReservationID]*shop.PartReservation, error) {
	rows, err := selectInSites[shop.PartReservation](ctx, d, `
		SELECT `+reservationColumns+` FROM part_reservations WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(r *shop.PartReservation) shop.PartReservationID { return r.ID })
}

// FindReservationByID returns a part reservation of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindReservationByID(ctx context.Context, id shop.PartReservationID) (*shop.PartReservation, error) {
	m, err := d.FindReservationsByIDs(ctx, []shop.PartReservationID{id})
	return one(m, err, id, "reservation")
}

// FindReservationsByOrderIDs returns each order's part reservations, newest
// first, in one statement.
func (d *DB) FindReservationsByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.PartReservation, error) {
	rows, err := selectInSites[shop.PartReservation](ctx, d, `
		SELECT `+reservationColumns+` FROM part_reservations WHERE order_id = ANY($1) AND site_id = ANY($2)
		ORDER BY id DESC`, pq.Array(ids))
	return groupBy(rows, err, func(r *shop.PartReservation) shop.OrderID { return *r.OrderID })
}

// FindPartIssuesByIDs returns issue slips by ID in one statement.
func (d *DB) FindPartIssuesByIDs(ctx context.Context, ids []shop.PartIssueID) (map[shop.PartIssueID]*shop.PartIssue, error) {
	rows, err := selectInSites[shop.PartIssue](ctx, d, `
		SELECT `+issueColumns+` FROM part_issues WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(is *shop.PartIssue) shop.PartIssueID { return is.ID })
}

// FindStockReceiptsByIDs returns stock receipts by ID in one statement.
func (d *DB) FindStockReceiptsByIDs(ctx context.Context, ids []shop.StockReceiptID) (map[shop.StockReceiptID]*shop.StockReceipt, error) {
	rows, err := selectInSites[shop.StockReceipt](ctx, d, `
		SELECT `+receiptColumns+` FROM stock_receipts WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(r *shop.StockReceipt) shop.StockReceiptID { return r.ID })
}

// FindWarrantyClaimsByIDs returns warranty claims by ID in one statement.
func (d *DB) FindWarrantyClaimsByIDs(ctx context.Context, ids []shop.WarrantyClaimID) (map[shop.WarrantyClaimID]*shop.WarrantyClaim, error) {
	rows, err := selectInSites[shop.WarrantyClaim](ctx, d, `
		SELECT `+claimColumns+` FROM warranty_claims WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(c *shop.WarrantyClaim) shop.WarrantyClaimID { return c.ID })
}

// FindWarrantyClaimsByOrderIDs returns each order's warranty claims, newest
// first, in one statement.
func (d *DB) FindWarrantyClaimsByOrderIDs(ctx context.Context, ids []shop.OrderID) (map[shop.OrderID][]*shop.WarrantyClaim, error) {
	rows, err := selectInSites[shop.WarrantyClaim](ctx, d, `
		SELECT `+claimColumns+` FROM warranty_claims WHERE order_id = ANY($1) AND site_id = ANY($2)
		ORDER BY id DESC`, pq.Array(ids))
	return groupBy(rows, err, func(c *shop.WarrantyClaim) shop.OrderID { return c.OrderID })
}

// FindRetainedPartsByIDs returns retained warranty parts by ID in one statement.
func (d *DB) FindRetainedPartsByIDs(ctx context.Context, ids []shop.RetainedPartID) (map[shop.RetainedPartID]*shop.RetainedPart, error) {
	rows, err := selectInSites[shop.RetainedPart](ctx, d, `
		SELECT `+retainedColumns+` FROM retained_parts WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(p *shop.RetainedPart) shop.RetainedPartID { return p.ID })
}

// FindRetainedPartByID returns a retained part of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindRetainedPartByID(ctx context.Context, id shop.RetainedPartID) (*shop.RetainedPart, error) {
	m, err := d.FindRetainedPartsByIDs(ctx, []shop.RetainedPartID{id})
	return one(m, err, id, "retained part")
}

// FindCallbacksByIDs returns callbacks by ID in one statement.
func (d *DB) FindCallbacksByIDs(ctx context.Context, ids []shop.CallbackID) (map[shop.CallbackID]*shop.Callback, error) {
	rows, err := selectInSites[shop.Callback](ctx, d, `
		SELECT `+callbackColumns+` FROM callbacks WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(cb *shop.Callback) shop.CallbackID { return cb.ID })
}

// FindComplaintsByIDs returns complaints by ID in one statement.
func (d *DB) FindComplaintsByIDs(ctx context.Context, ids []shop.ComplaintID) (map[shop.ComplaintID]*shop.Complaint, error) {
	rows, err := selectInSites[shop.Complaint](ctx, d, `
		SELECT `+complaintColumns+` FROM complaints WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(k *shop.Complaint) shop.ComplaintID { return k.ID })
}

// FindComplaintByID returns a complaint of the actor's sites. Errors: NOT_FOUND.
func (d *DB) FindComplaintByID(ctx context.Context, id shop.ComplaintID) (*shop.Complaint, error) {
	m, err := d.FindComplaintsByIDs(ctx, []shop.ComplaintID{id})
	return one(m, err, id, "complaint")
}

// FindServicePlansByIDs returns service plans by ID in one statement.
func (d *DB) FindServicePlansByIDs(ctx context.Context, ids []shop.ServicePlanID) (map[shop.ServicePlanID]*shop.ServicePlan, error) {
	rows, err := selectInSites[shop.ServicePlan](ctx, d, `
		SELECT `+planColumns+` FROM service_plans WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(p *shop.ServicePlan) shop.ServicePlanID { return p.ID })
}

// FindRemindersByIDs returns reminder tasks by ID in one statement.
func (d *DB) FindRemindersByIDs(ctx context.Context, ids []shop.ReminderID) (map[shop.ReminderID]*shop.Reminder, error) {
	rows, err := selectInSites[shop.Reminder](ctx, d, `
		SELECT `+reminderColumns+` FROM reminders WHERE id = ANY($1) AND site_id = ANY($2)`, pq.Array(ids))
	return byKey(rows, err, func(r *shop.Reminder) shop.ReminderID { return r.ID })
}
