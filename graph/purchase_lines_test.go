package graph_test

import (
	"fmt"
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// maxPurchaseOrderStatements bounds the statements of a purchase-order list
// with its lines and their parts: the token lookup, the orders, their lines
// and the lines' parts.
const maxPurchaseOrderStatements = 4

// TestPurchaseOrderLinesStatementCount lists 2 and then 12 purchase orders
// with their lines: the lines are batched, not read one order at a time.
func TestPurchaseOrderLinesStatementCount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	clerk := storetest.Ctx(e.f.PartsClerk)
	sup, err := e.db.CreateSupplier(clerk, store.CreateSupplierInput{SiteID: e.f.Site.ID, Name: "配件供应商"})
	if err != nil {
		t.Fatal(err)
	}
	var parts []shop.PartID
	for i := range 2 {
		p, err := e.db.AddPart(clerk, store.CreatePartInput{SiteID: e.f.Site.ID, PartNumber: fmt.Sprintf("PO-P-%d", i), Description: "零件", UnitPrice: 1000})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p.ID)
	}
	place := func(n int) {
		t.Helper()
		for range n {
			if _, err := e.db.CreatePurchaseOrder(clerk, store.CreatePurchaseOrderInput{SiteID: e.f.Site.ID, SupplierID: sup.ID,
				Lines: []shop.PurchaseLineInput{{PartID: parts[0], Quantity: 2, UnitCost: 500}, {PartID: parts[1], Quantity: 1, UnitCost: 700}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	const q = `query($s: ID!) { purchaseOrders(siteId: $s) { id lines { id part { id } } } }`
	count := func(orders int) int64 {
		t.Helper()
		var out struct {
			PurchaseOrders []struct {
				Lines []struct{ ID string }
			}
		}
		before := e.db.Statements()
		e.must(t, e.f.Manager, q, map[string]any{"s": gid(shop.TypeSite, int64(e.f.Site.ID))}, &out)
		n := e.db.Statements() - before
		if len(out.PurchaseOrders) != orders {
			t.Fatalf("orders=%d, want %d", len(out.PurchaseOrders), orders)
		}
		for _, po := range out.PurchaseOrders {
			if len(po.Lines) != 2 {
				t.Fatalf("lines=%d, want 2", len(po.Lines))
			}
		}
		return n
	}
	place(2)
	var counts []int64
	for range 2 {
		counts = append(counts, count(2))
	}
	place(10)
	for range 2 {
		counts = append(counts, count(12))
	}
	assertSameBoundedCount(t, "purchase orders", "2 orders", "12 orders", counts, maxPurchaseOrderStatements)
}
