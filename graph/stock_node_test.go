package graph_test

import (
	"testing"

	"bayboard/shop"
	"bayboard/store"
	"bayboard/store/storetest"
)

// TestStockAndMoneyNodes fetches a branch store, a supplier, a purchase
// order, a stocktake and a receivable through node(id:) and nodes(ids:);
// a technician, who may not read the money, gets no receivable.
func TestStockAndMoneyNodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f, db := e.f, e.db
	clerk, mgr, cash := storetest.Ctx(f.PartsClerk), storetest.Ctx(f.Manager), storetest.Ctx(f.Cashier)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	p, err := db.AddPart(clerk, store.CreatePartInput{SiteID: f.Site.ID, PartNumber: "NODE-1", Description: "零件", UnitPrice: 1000})
	must(err)
	branch, err := db.CreateStockStore(mgr, store.CreateStockStoreInput{SiteID: f.Site.ID, Name: "钣喷库"})
	must(err)
	sup, err := db.CreateSupplier(clerk, store.CreateSupplierInput{SiteID: f.Site.ID, Name: "配件供应商"})
	must(err)
	po, err := db.CreatePurchaseOrder(clerk, store.CreatePurchaseOrderInput{SiteID: f.Site.ID, SupplierID: sup.ID,
		Lines: []shop.PurchaseLineInput{{PartID: p.ID, Quantity: 2, UnitCost: 500}}})
	must(err)
	st, err := db.PostStocktake(mgr, store.StocktakeInput{SiteID: f.Site.ID, Lines: []shop.StocktakeCount{{PartID: p.ID, Counted: 1, Reason: "盘盈"}}})
	must(err)
	_, err = db.ReceiveStock(clerk, store.ReceiveStockInput{PartID: p.ID, Quantity: 3})
	must(err)
	tr, err := db.TransferStock(clerk, store.TransferStockInput{PartID: p.ID, ToStoreID: &branch.ID, Quantity: 2})
	must(err)
	car := f.MustCar(t, db, shop.OrderReady, storetest.CarOptions{Jobs: 1, Payers: []shop.Payer{shop.PayerInsurer}})
	ref := "PICC-7"
	_, err = db.SettleRepairOrder(cash, store.SettleRepairOrderInput{OrderID: car.Order.ID, AssessmentReference: &ref})
	must(err)
	rs, err := db.FindReceivables(cash, store.ReceivableFilter{SiteID: f.Site.ID})
	must(err)
	if len(rs) != 1 {
		t.Fatalf("receivables=%d, want 1", len(rs))
	}
	ids := map[string]string{
		"StockStore":    gid(shop.TypeStockStore, int64(branch.ID)),
		"Supplier":      gid(shop.TypeSupplier, int64(sup.ID)),
		"StockTransfer": gid(shop.TypeStockTransfer, int64(tr.ID)),
		"PurchaseOrder": gid(shop.TypePurchaseOrder, int64(po.ID)),
		"Stocktake":     gid(shop.TypeStocktake, int64(st.ID)),
		"Receivable":    gid(shop.TypeReceivable, int64(rs[0].ID)),
	}
	const q = `query($id: ID!) { node(id: $id) { __typename id
		... on StockStore { name } ... on Supplier { name } ... on PurchaseOrder { lines { quantity } }
		... on Stocktake { lines { counted } } ... on Receivable { balance { amount } } ... on StockTransfer { quantity } } }`
	for typ, id := range ids {
		t.Run("OK"+typ, func(t *testing.T) {
			var out struct {
				Node *struct {
					Typename string `json:"__typename"`
					ID       string
					Name     string
					Lines    []struct{ Quantity, Counted int }
					Balance  *struct{ Amount string }
					Quantity int
				}
			}
			e.must(t, f.Manager, q, map[string]any{"id": id}, &out)
			n := out.Node
			if n == nil || n.Typename != typ || n.ID != id {
				t.Fatalf("node=%+v, want the %s", n, typ)
			}
			switch typ {
			case "StockStore", "Supplier":
				if n.Name == "" {
					t.Fatalf("node=%+v, want its name", n)
				}
			case "PurchaseOrder":
				if len(n.Lines) != 1 || n.Lines[0].Quantity != 2 {
					t.Fatalf("node=%+v, want its line", n)
				}
			case "Stocktake":
				if len(n.Lines) != 1 || n.Lines[0].Counted != 1 {
					t.Fatalf("node=%+v, want its line", n)
				}
			case "StockTransfer":
				if n.Quantity != 2 {
					t.Fatalf("node=%+v, want 2 moved", n)
				}
			case "Receivable":
				if n.Balance == nil || n.Balance.Amount != "324.68" {
					t.Fatalf("node=%+v, want 324.68 owed", n)
				}
			}
		})
	}
	t.Run("OKNodes", func(t *testing.T) {
		var out struct{ Nodes []*struct{ ID string } }
		e.must(t, f.Manager, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
			map[string]any{"ids": []string{ids["Supplier"], ids["Receivable"], ids["PurchaseOrder"]}}, &out)
		if len(out.Nodes) != 3 || out.Nodes[0] == nil || out.Nodes[1] == nil || out.Nodes[2] == nil || out.Nodes[1].ID != ids["Receivable"] {
			t.Fatalf("nodes=%+v, want all three", out.Nodes)
		}
	})
	t.Run("ErrReceivableForTechnician", func(t *testing.T) {
		var out struct{ Node *struct{ ID string } }
		e.must(t, f.Tech, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": ids["Receivable"]}, &out)
		if out.Node != nil {
			t.Fatalf("node=%+v, want null for a technician", out.Node)
		}
	})
}
