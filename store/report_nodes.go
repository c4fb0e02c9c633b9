package store

import (
	"context"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Batch finders of the stock and money records, for node(id:) and the
// loaders: one statement a kind (two for stocktakes and their lines), rows
// of the actor's sites only, a missing ID simply absent from the map.

// FindStockStoresByIDs returns branch stores by ID. Errors: UNAUTHENTICATED.
func (d *DB) FindStockStoresByIDs(ctx context.Context, ids []shop.StockStoreID) (map[shop.StockStoreID]*shop.StockStore, error) {
	return findByIDs(ctx, d, ids, `SELECT id, site_id, name FROM stock_stores WHERE id = ANY($1) AND site_id = ANY($2)`,
		func(s *shop.StockStore) shop.StockStoreID { return s.ID })
}

// FindSuppliersByIDs returns suppliers by ID. Errors: UNAUTHENTICATED.
func (d *DB) FindSuppliersByIDs(ctx context.Context, ids []shop.SupplierID) (map[shop.SupplierID]*shop.Supplier, error) {
	return findByIDs(ctx, d, ids, `SELECT id, site_id, name, contact, phone FROM suppliers WHERE id = ANY($1) AND site_id = ANY($2)`,
		func(s *shop.Supplier) shop.SupplierID { return s.ID })
}

// FindPurchaseOrdersByIDs returns purchase orders by ID. Errors: UNAUTHENTICATED.
func (d *DB) FindPurchaseOrdersByIDs(ctx context.Context, ids []shop.PurchaseOrderID) (map[shop.PurchaseOrderID]*shop.PurchaseOrder, error) {
	return findByIDs(ctx, d, ids, `SELECT `+purchaseOrderColumns+` FROM purchase_orders WHERE id = ANY($1) AND site_id = ANY($2)`,
		func(p *shop.PurchaseOrder) shop.PurchaseOrderID { return p.ID })
}

// FindStockTransfersByIDs returns transfers (调拨) by ID. Errors: UNAUTHENTICATED.
func (d *DB) FindStockTransfersByIDs(ctx context.Context, ids []shop.StockTransferID) (map[shop.StockTransferID]*shop.StockTransfer, error) {
	return findByIDs(ctx, d, ids, `SELECT id, site_id, part_id, from_store_id, to_store_id, quantity, note, moved_by, moved_at
		FROM stock_transfers WHERE id = ANY($1) AND site_id = ANY($2)`,
		func(s *shop.StockTransfer) shop.StockTransferID { return s.ID })
}

// FindStocktakesByIDs returns posted stocktakes by ID with their lines.
// Errors: UNAUTHENTICATED.
func (d *DB) FindStocktakesByIDs(ctx context.Context, ids []shop.StocktakeID) (map[shop.StocktakeID]*shop.Stocktake, error) {
	out, err := findByIDs(ctx, d, ids, `SELECT id, site_id, store_id, note, posted_by, posted_at FROM stocktakes WHERE id = ANY($1) AND site_id = ANY($2)`,
		func(s *shop.Stocktake) shop.StocktakeID { return s.ID })
	if err != nil || len(out) == 0 {
		return out, err
	}
	found := make([]shop.StocktakeID, 0, len(out))
	for id := range out {
		found = append(found, id)
	}
	var lines []struct {
		StocktakeID shop.StocktakeID
		shop.StocktakeLine
	}
	if err := d.db.SelectContext(ctx, &lines, `SELECT stocktake_id, part_id, book, counted, reason FROM stocktake_lines
		WHERE stocktake_id = ANY($1) ORDER BY stocktake_id, part_id`, pq.Array(found)); err != nil {
		return nil, translate(err)
	}
	for _, l := range lines {
		out[l.StocktakeID].Lines = append(out[l.StocktakeID].Lines, l.StocktakeLine)
	}
	return out, nil
}

// FindReceivablesByIDs returns receivables by ID, of the sites whose money
// the actor may read (shop.AuthorizeMoney); others are left out, as records
// of another site are. Errors: UNAUTHENTICATED.
func (d *DB) FindReceivablesByIDs(ctx context.Context, ids []shop.ReceivableID) (map[shop.ReceivableID]*shop.Receivable, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var sites []shop.SiteID
	for _, s := range a.SiteIDs {
		if shop.AuthorizeMoney(a, s) == nil {
			sites = append(sites, s)
		}
	}
	var rows []*shop.Receivable
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+receivableColumns+` FROM receivables WHERE id = ANY($1) AND site_id = ANY($2)`,
		pq.Array(ids), pq.Array(sites)); err != nil {
		return nil, translate(err)
	}
	out := make(map[shop.ReceivableID]*shop.Receivable, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// findByIDs runs query ($1 the IDs, $2 the actor's sites) into a map by key.
func findByIDs[K comparable, V any](ctx context.Context, d *DB, ids []K, query string, key func(*V) K) (map[K]*V, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*V
	if err := d.db.SelectContext(ctx, &rows, query, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := make(map[K]*V, len(rows))
	for _, r := range rows {
		out[key(r)] = r
	}
	return out, nil
}
