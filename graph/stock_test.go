package graph_test

import (
	"testing"

	"bayboard/shop"
)

// TestStockGraphQL runs the stock mutations and queries through the API: a
// purchase order received at cost, the ledger, a transfer, a stocktake and
// the reorder list.
func TestStockGraphQL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	site := gid(shop.TypeSite, int64(e.f.Site.ID))
	mgr := e.f.Manager
	run := func(u *shop.User, q string, vars map[string]any) map[string]any {
		t.Helper()
		var out map[string]any
		e.must(t, u, q, vars, &out)
		return out
	}
	payload := func(out map[string]any, name string) map[string]any {
		t.Helper()
		p, _ := out[name].(map[string]any)
		if ues, _ := p["userErrors"].([]any); len(ues) > 0 {
			t.Fatalf("%s: userErrors=%v, want none", name, ues)
		}
		return p
	}
	out := run(mgr, `mutation($s: ID!) { createPart(input: {siteId: $s, partNumber: "06L115562B", description: "机油滤清器", unitPrice: "96.00"}) {
		part { id } userErrors { code field message } } }`, map[string]any{"s": site})
	part := payload(out, "createPart")["part"].(map[string]any)["id"].(string)
	out = run(mgr, `mutation($s: ID!) { createSupplier(input: {siteId: $s, name: "一汽大众配件", phone: "020-1234"}) {
		supplier { id name } userErrors { code field message } } }`, map[string]any{"s": site})
	supplier := payload(out, "createSupplier")["supplier"].(map[string]any)["id"].(string)

	out = run(mgr, `mutation($s: ID!, $sup: ID!, $p: ID!) { createPurchaseOrder(input: {siteId: $s, supplierId: $sup, reference: "PO-1",
		lines: [{partId: $p, quantity: 10, unitCost: "60.00"}]}) {
		purchaseOrder { id state lines { id outstanding unitCost { amount } part { id } } } userErrors { code field message } } }`,
		map[string]any{"s": site, "sup": supplier, "p": part})
	po := payload(out, "createPurchaseOrder")["purchaseOrder"].(map[string]any)
	line := po["lines"].([]any)[0].(map[string]any)
	if line["outstanding"].(float64) != 10 || po["state"] != "OPEN" {
		t.Fatalf("state=%v, want OPEN with 10 outstanding", po)
	}
	out = run(mgr, `mutation($l: ID!) { receivePurchase(input: {purchaseOrderLineId: $l, quantity: 10, reference: "DN-9"}) {
		receipt { id quantity } userErrors { code field message } } }`, map[string]any{"l": line["id"]})
	payload(out, "receivePurchase")

	out = run(mgr, `mutation($s: ID!) { createStockStore(input: {siteId: $s, name: "钣喷库"}) { store { id name } userErrors { code field message } } }`,
		map[string]any{"s": site})
	branch := payload(out, "createStockStore")["store"].(map[string]any)["id"].(string)
	out = run(mgr, `mutation($p: ID!, $b: ID!) { transferStock(input: {partId: $p, toStoreId: $b, quantity: 3}) {
		transfer { quantity fromStoreId toStoreId part { onHand } } userErrors { code field message } } }`, map[string]any{"p": part, "b": branch})
	tr := payload(out, "transferStock")["transfer"].(map[string]any)
	if tr["fromStoreId"] != nil || tr["toStoreId"] != branch || tr["part"].(map[string]any)["onHand"].(float64) != 7 {
		t.Fatalf("state=%v, want 3 moved from the main store (7 left)", tr)
	}

	stocktake := `mutation($s: ID!, $p: ID!, $r: String) { postStocktake(input: {siteId: $s, lines: [{partId: $p, counted: 6, reason: $r}]}) {
		stocktake { lines { book counted difference reason } } userErrors { code field message } } }`
	out = run(mgr, stocktake, map[string]any{"s": site, "p": part})
	if ues := out["postStocktake"].(map[string]any)["userErrors"].([]any); len(ues) != 1 || ues[0].(map[string]any)["code"] != shop.EINVALID {
		t.Fatalf("state=%v, want INVALID: a difference needs a reason", ues)
	}
	out = run(mgr, stocktake, map[string]any{"s": site, "p": part, "r": "包装破损"})
	l := payload(out, "postStocktake")["stocktake"].(map[string]any)["lines"].([]any)[0].(map[string]any)
	if l["book"].(float64) != 7 || l["difference"].(float64) != -1 {
		t.Fatalf("state=%v, want book 7, difference -1", l)
	}

	out = run(mgr, `mutation($p: ID!) { setReorderPoint(input: {partId: $p, reorderPoint: 8}) { part { reorderPoint } userErrors { code field message } } }`,
		map[string]any{"p": part})
	payload(out, "setReorderPoint")
	out = run(mgr, `query($s: ID!, $p: ID!) {
		partsToReorder(siteId: $s) { part { id avgCost { amount } movements { kind quantity } } incoming suggested }
		purchaseOrders(siteId: $s) { state }
		suppliers(siteId: $s) { name }
		stockStores(siteId: $s) { name }
		partsMargin(siteId: $s, from: "2020-01-01T00:00:00Z", to: "2029-01-01T00:00:00Z") { revenue { amount } cost { amount } marginBasisPoints }
		node(id: $p) { id }
	}`, map[string]any{"s": site, "p": part})
	rows := out["partsToReorder"].([]any)
	if len(rows) != 1 {
		t.Fatalf("state=%v, want the part to reorder", rows)
	}
	r := rows[0].(map[string]any)
	p := r["part"].(map[string]any)
	if p["avgCost"].(map[string]any)["amount"] != "60.00" || r["suggested"].(float64) != 10 || len(p["movements"].([]any)) != 4 {
		t.Fatalf("state=%v, want cost 60.00, suggested 10 (2 × 8 − 6), 4 movements", r)
	}
	if po := out["purchaseOrders"].([]any); len(po) != 1 || po[0].(map[string]any)["state"] != "RECEIVED" {
		t.Fatalf("state=%v, want the purchase order RECEIVED", po)
	}
	t.Run("ErrForbiddenAdvisor", func(t *testing.T) {
		out := run(e.f.Advisor, `mutation($s: ID!) { createSupplier(input: {siteId: $s, name: "X"}) { userErrors { code } } }`, map[string]any{"s": site})
		if ues := out["createSupplier"].(map[string]any)["userErrors"].([]any); len(ues) != 1 || ues[0].(map[string]any)["code"] != shop.EFORBIDDEN {
			t.Fatalf("state=%v, want FORBIDDEN", ues)
		}
	})
}
