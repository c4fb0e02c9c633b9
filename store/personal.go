package store

import (
	"context"

	"github.com/lib/pq"

	"bayboard/shop"
)

// FindPersonalNamesByCustomerIDs returns, for each customer of the actor's
// sites, the names staff may have typed into free text about them: the
// customer's own, who signed their repair orders and who answered for them on
// additional work. Unmasked, whatever the actor's role: they are read only to
// be scrubbed (shop.RedactFreeText) from what a masked role reads, and never
// returned to a client. Errors: UNAUTHENTICATED, EINTERNAL.
func (d *DB) FindPersonalNamesByCustomerIDs(ctx context.Context, ids []shop.CustomerID) (map[shop.CustomerID][]string, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		customer shop.CustomerID
		name     string
	}
	rows, err := queryRows(ctx, d, func(r rowScanner) (*row, error) {
		x := &row{}
		return x, r.Scan((*int64)(&x.customer), &x.name)
	}, `
		SELECT c.id, c.name FROM customers c WHERE c.id = ANY($1) AND c.site_id = ANY($2)
		UNION
		SELECT vi.customer_id, o.signed_by FROM repair_orders o JOIN visits vi ON vi.id = o.visit_id
		WHERE vi.customer_id = ANY($1) AND vi.site_id = ANY($2) AND o.signed_by <> ''
		UNION
		SELECT vi.customer_id, w.customer_contact FROM additional_work w JOIN repair_orders o ON o.id = w.order_id
			JOIN visits vi ON vi.id = o.visit_id
		WHERE vi.customer_id = ANY($1) AND vi.site_id = ANY($2) AND w.customer_contact <> ''`,
		pq.Array(ids), pq.Array(a.SiteIDs))
	if err != nil {
		return nil, err
	}
	out := make(map[shop.CustomerID][]string, len(ids))
	for _, r := range rows {
		out[r.customer] = append(out[r.customer], r.name)
	}
	return out, nil
}
