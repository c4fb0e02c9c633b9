package store

import (
	"context"

	"github.com/lib/pq"

	"bayboard/shop"
)

const receivableColumns = `id, site_id, settlement_id, order_id, payer, customer_id, debtor, amount, paid, opened_at, version`

// SetCustomerAccountInput opens or changes a customer's account (签单).
type SetCustomerAccountInput struct {
	CustomerID     shop.CustomerID
	CreditLimit    shop.Money
	IdempotencyKey *string
}

// SetCustomerAccount makes the customer an account customer with the credit
// limit (see shop.SetCustomerAccount). Errors: INVALID, NOT_FOUND, FORBIDDEN.
func (d *DB) SetCustomerAccount(ctx context.Context, in SetCustomerAccountInput) (*shop.CustomerAccount, error) {
	return mutate(d, ctx, "setCustomerAccount", deref(in.IdempotencyKey), in, func(c *change) (*shop.CustomerAccount, error) {
		var site shop.SiteID
		err := c.tx.GetContext(c.ctx, &site, `SELECT site_id FROM customers WHERE id = $1 FOR UPDATE`, in.CustomerID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(site)) {
			return nil, notFoundAt("customerId", "No customer with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, site, shop.ActRead); err != nil {
			return nil, err
		}
		a, ev, err := shop.SetCustomerAccount(site, in.CustomerID, in.CreditLimit, c.actor, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO customer_accounts (site_id, customer_id, credit_limit, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (customer_id) DO UPDATE SET credit_limit = EXCLUDED.credit_limit,
				updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
			a.SiteID, a.CustomerID, a.CreditLimit, a.UpdatedBy, a.UpdatedAt); err != nil {
			return nil, err
		}
		return &a, c.event(ev)
	})
}

// FindCustomerAccount returns a customer's account, nil when they have none.
// Errors: UNAUTHENTICATED.
func (d *DB) FindCustomerAccount(ctx context.Context, id shop.CustomerID) (*shop.CustomerAccount, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.CustomerAccount
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT site_id, customer_id, credit_limit, updated_by, updated_at FROM customer_accounts
		WHERE customer_id = $1 AND site_id = ANY($2)`, id, pq.Array(a.SiteIDs)); err != nil || len(rows) == 0 {
		return nil, translate(err)
	}
	return rows[0], nil
}

// PayReceivableInput records a payment against a receivable.
type PayReceivableInput struct {
	ReceivableID    shop.ReceivableID
	ExpectedVersion *int
	Amount          shop.Money
	Reference       *string
	IdempotencyKey  *string
}

// PayReceivable records a payment from the insurer, the maker or an account
// customer, partial or in full, never above the balance (see
// shop.PayReceivable). Errors: INVALID, NOT_FOUND, FORBIDDEN, CONFLICT.
func (d *DB) PayReceivable(ctx context.Context, in PayReceivableInput) (*shop.Receivable, error) {
	return mutate(d, ctx, "payReceivable", deref(in.IdempotencyKey), in, func(c *change) (*shop.Receivable, error) {
		var r shop.Receivable
		err := c.tx.GetContext(c.ctx, &r, `SELECT `+receivableColumns+` FROM receivables WHERE id = $1 FOR UPDATE`, in.ReceivableID)
		if isNoRows(err) || (err == nil && !c.actor.CanSeeSite(r.SiteID)) {
			return nil, notFoundAt("receivableId", "No receivable with that ID exists.")
		} else if err != nil {
			return nil, err
		}
		if err := shop.Authorize(c.actor, r.SiteID, shop.ActSettle); err != nil {
			return nil, err
		}
		if err := checkVersion("receivable", in.ExpectedVersion, r.Version); err != nil {
			return nil, err
		}
		next, p, ev, err := shop.PayReceivable(r, in.Amount, deref(in.Reference), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE receivables SET paid = $2, version = $3 WHERE id = $1`,
			next.ID, next.Paid, next.Version); err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO receivable_payments (site_id, receivable_id, amount, reference, received_by, received_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, p.SiteID, p.ReceivableID, p.Amount, p.Reference, p.ReceivedBy, p.ReceivedAt); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// ReceivableFilter selects a site's receivables; nil fields do not filter.
type ReceivableFilter struct {
	SiteID     shop.SiteID
	Payer      *shop.ReceivablePayer
	CustomerID *shop.CustomerID
	// Outstanding leaves out the fully paid.
	Outstanding *bool
	// First bounds the answer (default and maximum 500), oldest first.
	First *int
}

// FindReceivables returns a site's receivables, oldest first. Errors:
// UNAUTHENTICATED, NOT_FOUND (another site), FORBIDDEN (see shop.AuthorizeMoney).
func (d *DB) FindReceivables(ctx context.Context, f ReceivableFilter) ([]*shop.Receivable, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.AuthorizeMoney(a, f.SiteID); err != nil {
		return nil, err
	}
	first := 500
	if f.First != nil && *f.First > 0 && *f.First < first {
		first = *f.First
	}
	var rows []*shop.Receivable
	err = d.db.SelectContext(ctx, &rows, `
		SELECT `+receivableColumns+` FROM receivables
		WHERE site_id = $1 AND ($2::TEXT IS NULL OR payer = $2) AND ($3::BIGINT IS NULL OR customer_id = $3)
			AND (NOT $4 OR paid < amount)
		ORDER BY opened_at, id LIMIT $5`, f.SiteID, f.Payer, f.CustomerID, f.Outstanding != nil && *f.Outstanding, first)
	return rows, translate(err)
}

// FindReceivablesBySettlementIDs returns each settlement's receivables in
// one statement. Errors: UNAUTHENTICATED.
func (d *DB) FindReceivablesBySettlementIDs(ctx context.Context, ids []shop.SettlementID) (map[shop.SettlementID][]*shop.Receivable, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Receivable
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+receivableColumns+` FROM receivables
		WHERE settlement_id = ANY($1) AND site_id = ANY($2) ORDER BY id`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.SettlementID][]*shop.Receivable{}
	for _, r := range rows {
		out[r.SettlementID] = append(out[r.SettlementID], r)
	}
	return out, nil
}

// FindReceivablePayments returns the payments of a receivable, oldest first.
// Errors: UNAUTHENTICATED.
func (d *DB) FindReceivablePayments(ctx context.Context, id shop.ReceivableID) ([]*shop.ReceivablePayment, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.ReceivablePayment
	err = d.db.SelectContext(ctx, &rows, `
		SELECT id, site_id, receivable_id, amount, reference, received_by, received_at FROM receivable_payments
		WHERE receivable_id = $1 AND site_id = ANY($2) ORDER BY id`, id, pq.Array(a.SiteIDs))
	return rows, translate(err)
}

// ReceivablesAgeing sums what a payer owes a site by age (0-30, 31-60, 61-90,
// over 90 days since settlement, by the site's calendar and clock). Errors:
// UNAUTHENTICATED, NOT_FOUND, FORBIDDEN.
func (d *DB) ReceivablesAgeing(ctx context.Context, site shop.SiteID, payer shop.ReceivablePayer) (*shop.Ageing, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.AuthorizeMoney(a, site); err != nil {
		return nil, err
	}
	var zone string
	if err := d.db.GetContext(ctx, &zone, `SELECT time_zone FROM sites WHERE id = $1`, site); err != nil {
		if isNoRows(err) {
			return nil, notFound("site")
		}
		return nil, translate(err)
	}
	var rows []*shop.Receivable
	if err := d.db.SelectContext(ctx, &rows, `SELECT `+receivableColumns+` FROM receivables
		WHERE site_id = $1 AND payer = $2 AND paid < amount`, site, payer); err != nil {
		return nil, translate(err)
	}
	ag := shop.AgeReceivables(payer, rows, d.Now(), shop.Zone(zone))
	return &ag, nil
}
