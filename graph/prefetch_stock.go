package graph

import (
	"context"

	"bayboard/shop"
	"bayboard/store"
)

// prefetchPurchaseOrders primes the loaders with the lines of a list of
// purchase orders and their parts, when the query selects them: one
// statement each however many orders (see prefetch.go for why the loaders'
// time window alone is not enough).
func prefetchPurchaseOrders(ctx context.Context, db *store.DB, pos []*shop.PurchaseOrder) error {
	lines := selected(ctx, "PurchaseOrder").under(ctx, "lines", "PurchaseOrderLine")
	if len(pos) == 0 || len(lines) == 0 {
		return nil
	}
	l := loaders(ctx)
	ids := make([]shop.PurchaseOrderID, len(pos))
	for i, po := range pos {
		ids[i] = po.ID
	}
	byOrder, err := db.FindPurchaseOrderLines(ctx, ids)
	if err != nil {
		return err
	}
	var parts []shop.PartID
	for _, id := range ids {
		l.PurchaseLines.Prime(ctx, id, byOrder[id])
		for _, ln := range byOrder[id] {
			parts = append(parts, ln.PartID)
		}
	}
	if !lines.has("part") || len(parts) == 0 {
		return nil
	}
	m, err := db.FindPartsByIDs(ctx, parts)
	if err != nil {
		return err
	}
	for id, p := range m {
		l.Parts.Prime(ctx, id, p)
	}
	return nil
}
