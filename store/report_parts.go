package store

import (
	"context"
	"time"

	"bayboard/shop"
)

// reportParts adds the parts figures (shop.ComputePartsFigures) and the
// receivables outstanding (shop.ReceivablesOutstanding) to report r: five
// statements whatever the number of parts, orders or receivables.
func (d *DB) reportParts(ctx context.Context, r *shop.Report, loc *time.Location) error {
	var ledger struct{ Before, Change shop.Money }
	if err := d.db.GetContext(ctx, &ledger, `
		SELECT COALESCE(sum(quantity::BIGINT * unit_cost) FILTER (WHERE moved_at < $2), 0) AS before,
			COALESCE(sum(quantity::BIGINT * unit_cost) FILTER (WHERE moved_at >= $2), 0) AS change
		FROM stock_movements WHERE site_id = $1 AND moved_at < $3`, r.SiteID, r.From, r.To); err != nil {
		return err
	}
	var issued []*shop.PartIssue
	if err := d.db.SelectContext(ctx, &issued, `SELECT `+issueColumns+` FROM part_issues
		WHERE site_id = $1 AND issued_at >= $2 AND issued_at < $3`, r.SiteID, r.From, r.To); err != nil {
		return err
	}
	// One row per reservation of each line first issued in the period; a
	// line drawn with no reservation has one row of NULLs.
	var res []shop.LineReservation
	if err := d.db.SelectContext(ctx, &res, `
		WITH l AS (
			SELECT part_line_id FROM part_issues WHERE site_id = $1 AND part_line_id IS NOT NULL
			GROUP BY part_line_id HAVING min(issued_at) >= $2 AND min(issued_at) < $3)
		SELECT l.part_line_id, pr.id IS NOT NULL AS reserved, pr.created_at, pr.filled_at
		FROM l LEFT JOIN part_reservations pr ON pr.part_line_id = l.part_line_id
		ORDER BY l.part_line_id, pr.id`, r.SiteID, r.From, r.To); err != nil {
		return err
	}
	// The margin of the orders settled in the period: their lines and slips.
	var lines []*shop.PartLine
	if err := d.db.SelectContext(ctx, &lines, `SELECT `+partLineColumns+` FROM part_lines
		WHERE order_id IN (SELECT order_id FROM settlements WHERE site_id = $1 AND settled_at >= $2 AND settled_at < $3)
		ORDER BY id`, r.SiteID, r.From, r.To); err != nil {
		return err
	}
	var slips []*shop.PartIssue
	if err := d.db.SelectContext(ctx, &slips, `SELECT `+issueColumns+` FROM part_issues
		WHERE order_id IN (SELECT order_id FROM settlements WHERE site_id = $1 AND settled_at >= $2 AND settled_at < $3)
		ORDER BY id`, r.SiteID, r.From, r.To); err != nil {
		return err
	}
	r.PartsFigures = shop.ComputePartsFigures(ledger.Before, ledger.Change, issued, res, shop.ComputePartsMargin(lines, slips))

	// Receivables as they stood at the end of the period (now, for the
	// period under way): opened before it, paid by payments received before it.
	asOf := r.To
	if now := d.Now(); now.Before(asOf) {
		asOf = now
	}
	var rs []*shop.Receivable
	if err := d.db.SelectContext(ctx, &rs, `
		SELECT rc.id, rc.site_id, rc.settlement_id, rc.order_id, rc.payer, rc.customer_id, rc.debtor, rc.amount,
			COALESCE((SELECT sum(p.amount) FROM receivable_payments p WHERE p.receivable_id = rc.id AND p.received_at < $2), 0) AS paid,
			rc.opened_at, rc.version
		FROM receivables rc WHERE rc.site_id = $1 AND rc.opened_at < $2
			AND (rc.paid < rc.amount OR EXISTS (SELECT 1 FROM receivable_payments p WHERE p.receivable_id = rc.id AND p.received_at >= $2))
		ORDER BY rc.opened_at, rc.id`, r.SiteID, asOf); err != nil {
		return err
	}
	r.Receivables = shop.ReceivablesOutstanding(rs, asOf, loc)
	return nil
}
