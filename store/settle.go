package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/lib/pq"

	"bayboard/shop"
)

// Money that adds up (issue 15): what settlement loads besides the bill,
// what it writes besides the settlement row, and the commands of payments,
// approvals and invoices. Every rule is a shop decision; this file loads,
// locks and saves.

// settlementColumns are the columns a shop.Settlement scans from.
const settlementColumns = `id, site_id, order_id, labour, parts, total, customer_share, warranty_share, insurer_share,
	internal_share, payment_method, payment_reference, settled_by, settled_at, discount, discount_reason,
	discount_approved_by, account_share, deposit_from, deposit_credited, deposit_refund, paid, invoice_number, signed_off_by`

const approvalColumns = `site_id, order_id, kind, amount, reason, approved_by, approver_role, approved_at`

// settleParty is who settlement's money concerns besides the order: the
// visit's customer (an account customer, maybe), its appointment (the
// deposit) and the car's make (the maker owes warranty lines).
type settleParty struct {
	CustomerID    shop.CustomerID
	AppointmentID *shop.AppointmentID
	Make          string
}

func loadParty(c *change, o *shop.Order) (settleParty, error) {
	var p settleParty
	err := c.tx.GetContext(c.ctx, &p, `
		SELECT v.customer_id, v.appointment_id, COALESCE(vh.make, '') AS make
		FROM visits v LEFT JOIN vehicles vh ON vh.id = v.vehicle_id
		WHERE v.id = $1`, o.VisitID)
	return p, err
}

// settleTerms loads what settling o needs besides its bill, locking what
// two settlements at once could both spend: the appointment (its deposit)
// and the customer's account (its credit).
func settleTerms(c *change, o *shop.Order, p settleParty, in SettleRepairOrderInput) (shop.SettleTerms, error) {
	t := shop.SettleTerms{ChargeToAccount: in.ChargeToAccount != nil && *in.ChargeToAccount, AmountPaid: in.AmountPaid, InvoiceNumber: deref(in.InvoiceNumber)}
	if p.AppointmentID != nil {
		// Lock first, then look: a statement that waited for the lock
		// still reads the rest of its query (a subquery) as of its start,
		// so a settlement that credited the deposit meanwhile would go
		// unseen and the deposit be credited twice (refused by the unique
		// index, as a bare CONFLICT). The second statement sees it.
		var deposit shop.Money
		if err := c.tx.GetContext(c.ctx, &deposit, `
			SELECT deposit FROM appointments WHERE id = $1 FOR UPDATE`, *p.AppointmentID); err != nil {
			return t, err
		}
		var credited bool
		if err := c.tx.GetContext(c.ctx, &credited, `
			SELECT EXISTS (SELECT 1 FROM settlements WHERE deposit_from = $1)`, *p.AppointmentID); err != nil {
			return t, err
		}
		t.Deposit, t.DepositFrom = shop.DepositDue(deposit, credited), p.AppointmentID
	}
	approvals, err := loadApprovals(c, o.ID)
	if err != nil {
		return t, err
	}
	t.Discount, t.SignOff = approvals[shop.ApprovalDiscount], approvals[shop.ApprovalSignOff]
	if t.ChargeToAccount {
		if t.Account, t.AccountOwed, err = lockAccount(c, p.CustomerID); err != nil {
			return t, err
		}
	}
	if t.InvoiceNumber != "" {
		if t.InvoiceUsedBy, err = invoiceHolder(c, o.SiteID, t.InvoiceNumber); err != nil {
			return t, err
		}
	}
	return t, nil
}

func loadApprovals(c *change, order shop.OrderID) (map[shop.ApprovalKind]*shop.Approval, error) {
	var rows []*shop.Approval
	if err := c.tx.SelectContext(c.ctx, &rows, `SELECT `+approvalColumns+` FROM settlement_approvals WHERE order_id = $1`, order); err != nil {
		return nil, err
	}
	out := map[shop.ApprovalKind]*shop.Approval{}
	for _, a := range rows {
		out[a.Kind] = a
	}
	return out, nil
}

// lockAccount reads a customer's account (nil when they have none) for
// update, with what its receivables still owe.
func lockAccount(c *change, customer shop.CustomerID) (*shop.CustomerAccount, shop.Money, error) {
	var a shop.CustomerAccount
	err := c.tx.GetContext(c.ctx, &a, `
		SELECT site_id, customer_id, credit_limit, updated_by, updated_at FROM customer_accounts
		WHERE customer_id = $1 FOR UPDATE`, customer)
	if isNoRows(err) {
		return nil, 0, nil
	} else if err != nil {
		return nil, 0, err
	}
	var owed shop.Money
	err = c.tx.GetContext(c.ctx, &owed, `
		SELECT COALESCE(SUM(amount - paid), 0) FROM receivables WHERE customer_id = $1 AND payer = 'ACCOUNT'`, customer)
	return &a, owed, err
}

// invoiceHolder returns the order of site already holding invoice number n.
func invoiceHolder(c *change, site shop.SiteID, n string) (*shop.OrderID, error) {
	var id shop.OrderID
	err := c.tx.GetContext(c.ctx, &id, `
		SELECT order_id FROM settlements WHERE site_id = $1 AND invoice_number = $2`, site, strings.TrimSpace(n))
	if isNoRows(err) {
		return nil, nil
	}
	return &id, err
}

// saveSettlement writes a new settlement with the payment taken at the
// counter and the receivables it opens, all in the settling transaction.
func saveSettlement(c *change, o *shop.Order, p settleParty, s *shop.Settlement) error {
	if err := c.tx.GetContext(c.ctx, &s.ID, `
		INSERT INTO settlements (site_id, order_id, labour, parts, total, customer_share, warranty_share,
			insurer_share, internal_share, payment_method, payment_reference, settled_by, settled_at,
			discount, discount_reason, discount_approved_by, account_share, deposit_from, deposit_credited,
			deposit_refund, paid, invoice_number, signed_off_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
		RETURNING id`,
		s.SiteID, s.OrderID, s.Labour, s.Parts, s.Total, s.CustomerShare, s.WarrantyShare,
		s.InsurerShare, s.InternalShare, s.PaymentMethod, s.PaymentReference, s.SettledBy, s.SettledAt,
		s.Discount, s.DiscountReason, s.DiscountApprovedBy, s.AccountShare, s.DepositFrom, s.DepositCredited,
		s.DepositRefund, s.Paid, s.InvoiceNumber, s.SignedOffBy); err != nil {
		return err
	}
	if pay, ok := shop.CounterPayment(*s); ok {
		if err := insertPayment(c, &pay); err != nil {
			return err
		}
	}
	for _, r := range shop.ReceivablesOf(*s, p.CustomerID, o.InsurerName, p.Make) {
		if _, err := c.tx.ExecContext(c.ctx, `
			INSERT INTO receivables (site_id, settlement_id, order_id, payer, customer_id, debtor, amount, paid, opened_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.SiteID, r.SettlementID, r.OrderID, r.Payer, r.CustomerID, r.Debtor, r.Amount, r.Paid, r.OpenedAt, r.Version); err != nil {
			return err
		}
	}
	return nil
}

func insertPayment(c *change, p *shop.Payment) error {
	return c.tx.GetContext(c.ctx, &p.ID, `
		INSERT INTO payments (site_id, settlement_id, order_id, amount, method, reference, received_by, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		p.SiteID, p.SettlementID, p.OrderID, p.Amount, p.Method, p.Reference, p.ReceivedBy, p.ReceivedAt)
}

// settleOrder is the body of SettleRepairOrder: it loads the terms, lets
// shop.SettleOrder decide and writes the settlement with its payment and
// receivables.
func settleOrder(c *change, o *shop.Order, jobs []*shop.Job, parts []*shop.PartLine, in SettleRepairOrderInput) ([]shop.Event, error) {
	p, err := loadParty(c, o)
	if err != nil {
		return nil, err
	}
	terms, err := settleTerms(c, o, p, in)
	if err != nil {
		return nil, err
	}
	next, s, ev, err := shop.SettleOrder(*o, jobs, parts, shop.SettleInput{PaymentMethod: in.PaymentMethod,
		PaymentReference: in.PaymentReference, AssessmentReference: in.AssessmentReference, Terms: terms}, c.actor.UserID, c.now)
	if err != nil {
		return nil, err
	}
	*o = next
	return []shop.Event{ev}, saveSettlement(c, o, p, &s)
}

// lockSettlement reads an order's settlement for update.
func lockSettlement(c *change, order shop.OrderID) (*shop.Settlement, error) {
	var s shop.Settlement
	err := c.tx.GetContext(c.ctx, &s, `SELECT `+settlementColumns+` FROM settlements WHERE order_id = $1 FOR UPDATE`, order)
	if isNoRows(err) {
		return nil, nil
	}
	return &s, err
}

// checkPaidForDelivery refuses delivery while the customer owes at the counter.
func checkPaidForDelivery(c *change, o *shop.Order) error {
	s, err := lockSettlement(c, o.ID)
	if err != nil {
		return err
	}
	return shop.CheckPaidForDelivery(s)
}

// RecordPaymentInput takes a payment of the customer's balance (part payments allowed).
type RecordPaymentInput struct {
	OrderID        shop.OrderID
	Amount         shop.Money
	Method         shop.PaymentMethod
	Reference      *string
	IdempotencyKey *string
}

// RecordPayment takes a payment against a settled order's balance (see
// shop.RecordPayment) and returns the settlement as it now stands. Errors:
// INVALID, NOT_FOUND, FORBIDDEN, INVALID_TRANSITION.
func (d *DB) RecordPayment(ctx context.Context, in RecordPaymentInput) (*shop.Settlement, error) {
	return mutate(d, ctx, "recordPayment", deref(in.IdempotencyKey), in, func(c *change) (*shop.Settlement, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActSettle, nil)
		if err != nil {
			return nil, err
		}
		s, err := lockSettlement(c, o.ID)
		if err != nil {
			return nil, err
		}
		var cur shop.Settlement
		if s != nil {
			cur = *s
		}
		next, pay, ev, err := shop.RecordPayment(o, cur, in.Amount, in.Method, deref(in.Reference), c.actor.UserID, c.now)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE settlements SET paid = $2 WHERE id = $1`, next.ID, next.Paid); err != nil {
			return nil, err
		}
		if err := insertPayment(c, &pay); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// orderBill loads what an order's bill is computed from, as settlement does.
func orderBill(c *change, o *shop.Order) (shop.Bill, error) {
	jobs, err := orderJobs(c, o.ID)
	if err != nil {
		return shop.Bill{}, err
	}
	lines, issues, err := orderPartsBook(c, o.ID)
	if err != nil {
		return shop.Bill{}, err
	}
	shop.SetDrawn(lines, issues)
	return shop.ComputeBill(jobs, shop.BillingPartLines(lines)), nil
}

// ApproveDiscountInput approves a discount on an order's bill.
type ApproveDiscountInput struct {
	OrderID        shop.OrderID
	Amount         shop.Money
	Reason         string
	IdempotencyKey *string
}

// ApproveDiscount records the discount the acting user approves on the
// customer's share, within their role's limit (see shop.ApproveDiscount);
// it replaces an earlier one. Errors: INVALID, NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION.
func (d *DB) ApproveDiscount(ctx context.Context, in ApproveDiscountInput) (*shop.Approval, error) {
	return approveBill(d, ctx, "approveDiscount", in.OrderID, deref(in.IdempotencyKey), in,
		func(c *change, o *shop.Order, b shop.Bill) (shop.Approval, shop.Event, error) {
			return shop.ApproveDiscount(o, b, c.actor, in.Amount, in.Reason, c.now)
		})
}

// approveBill runs an approval of an order's bill as it stands (a discount,
// the sign-off): the order locked, its bill computed as settlement will,
// the decision's approval saved with its event.
func approveBill(d *DB, ctx context.Context, op string, order shop.OrderID, key string, in any,
	decide func(c *change, o *shop.Order, b shop.Bill) (shop.Approval, shop.Event, error)) (*shop.Approval, error) {
	return mutate(d, ctx, op, key, in, func(c *change) (*shop.Approval, error) {
		o, err := lockOrder(c, order, shop.ActRead, nil)
		if err != nil {
			return nil, err
		}
		b, err := orderBill(c, o)
		if err != nil {
			return nil, err
		}
		a, ev, err := decide(c, o, b)
		if err != nil {
			return nil, err
		}
		return &a, saveApproval(c, &a, ev)
	})
}

// SignOffBillInput is the service manager's sign-off of an order's bill.
type SignOffBillInput struct {
	OrderID        shop.OrderID
	IdempotencyKey *string
}

// SignOffBill records the service manager's sign-off of the order's bill as
// it stands (see shop.SignOffBill). Errors: NOT_FOUND, FORBIDDEN,
// INVALID_TRANSITION.
func (d *DB) SignOffBill(ctx context.Context, in SignOffBillInput) (*shop.Approval, error) {
	return approveBill(d, ctx, "signOffBill", in.OrderID, deref(in.IdempotencyKey), in,
		func(c *change, o *shop.Order, b shop.Bill) (shop.Approval, shop.Event, error) {
			return shop.SignOffBill(o, b, c.actor, c.now)
		})
}

func saveApproval(c *change, a *shop.Approval, ev shop.Event) error {
	if _, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO settlement_approvals (`+approvalColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (order_id, kind) DO UPDATE SET amount = EXCLUDED.amount, reason = EXCLUDED.reason,
			approved_by = EXCLUDED.approved_by, approver_role = EXCLUDED.approver_role, approved_at = EXCLUDED.approved_at`,
		a.SiteID, a.OrderID, a.Kind, a.Amount, a.Reason, a.ApprovedBy, a.ApproverRole, a.ApprovedAt); err != nil {
		return err
	}
	return c.event(ev)
}

// FindApprovalsByOrderID returns the discount and sign-off approved for an
// order. Errors: UNAUTHENTICATED, NOT_FOUND.
func (d *DB) FindApprovalsByOrderID(ctx context.Context, id shop.OrderID) ([]*shop.Approval, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Approval
	err = d.db.SelectContext(ctx, &rows, `SELECT `+approvalColumns+` FROM settlement_approvals
		WHERE order_id = $1 AND site_id = ANY($2) ORDER BY kind`, id, pq.Array(a.SiteIDs))
	return rows, translate(err)
}

// RecordInvoiceInput records the invoice (发票) number of a settled order.
type RecordInvoiceInput struct {
	OrderID        shop.OrderID
	InvoiceNumber  string
	IdempotencyKey *string
}

// RecordInvoice records the invoice number on the order's settlement, unique
// at the site (see shop.RecordInvoice). Errors: INVALID, CONFLICT,
// NOT_FOUND, FORBIDDEN.
func (d *DB) RecordInvoice(ctx context.Context, in RecordInvoiceInput) (*shop.Settlement, error) {
	return mutate(d, ctx, "recordInvoice", deref(in.IdempotencyKey), in, func(c *change) (*shop.Settlement, error) {
		o, err := lockOrder(c, in.OrderID, shop.ActSettle, nil)
		if err != nil {
			return nil, err
		}
		s, err := lockSettlement(c, o.ID)
		if err != nil {
			return nil, err
		} else if s == nil {
			return nil, notFoundAt("orderId", "This repair order is not settled yet: record the invoice once it is.")
		}
		holder, err := invoiceHolder(c, o.SiteID, in.InvoiceNumber)
		if err != nil {
			return nil, err
		}
		next, ev, err := shop.RecordInvoice(o, *s, in.InvoiceNumber, holder)
		if err != nil {
			return nil, err
		}
		if _, err := c.tx.ExecContext(c.ctx, `UPDATE settlements SET invoice_number = $2 WHERE id = $1`, next.ID, next.InvoiceNumber); err != nil {
			return nil, err
		}
		return &next, c.event(ev)
	})
}

// FindPaymentsBySettlementIDs returns each settlement's counter payments,
// oldest first, in one statement. Errors: UNAUTHENTICATED.
func (d *DB) FindPaymentsBySettlementIDs(ctx context.Context, ids []shop.SettlementID) (map[shop.SettlementID][]*shop.Payment, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	var rows []*shop.Payment
	if err := d.db.SelectContext(ctx, &rows, `
		SELECT id, site_id, settlement_id, order_id, amount, method, reference, received_by, received_at FROM payments
		WHERE settlement_id = ANY($1) AND site_id = ANY($2) ORDER BY id`, pq.Array(ids), pq.Array(a.SiteIDs)); err != nil {
		return nil, translate(err)
	}
	out := map[shop.SettlementID][]*shop.Payment{}
	for _, p := range rows {
		out[p.SettlementID] = append(out[p.SettlementID], p)
	}
	return out, nil
}

// FindBooks reads the money of every settlement of a site as one consistent
// snapshot (a read-only REPEATABLE READ transaction): settlements with the
// deposit they credited, counter payments, receivables and their payments.
// shop.CheckBooks says whether they add up. Errors: UNAUTHENTICATED,
// NOT_FOUND (another site), FORBIDDEN (see shop.AuthorizeMoney).
func (d *DB) FindBooks(ctx context.Context, site shop.SiteID) ([]shop.Books, error) {
	a, err := shop.RequireActor(ctx)
	if err != nil {
		return nil, err
	}
	if err := shop.AuthorizeMoney(a, site); err != nil {
		return nil, err
	}
	tx, err := d.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, translate(err)
	}
	defer tx.Rollback()
	var rows []struct {
		shop.Settlement
		AppointmentDeposit shop.Money
	}
	if err := tx.SelectContext(ctx, &rows, `
		SELECT `+qualified("s", settlementColumns)+`, COALESCE(a.deposit, 0) AS appointment_deposit
		FROM settlements s LEFT JOIN appointments a ON a.id = s.deposit_from
		WHERE s.site_id = $1 ORDER BY s.id`, site); err != nil {
		return nil, translate(err)
	}
	var pays []shop.Payment
	if err := tx.SelectContext(ctx, &pays, `
		SELECT id, site_id, settlement_id, order_id, amount, method, reference, received_by, received_at
		FROM payments WHERE site_id = $1 ORDER BY id`, site); err != nil {
		return nil, translate(err)
	}
	var recs []shop.Receivable
	if err := tx.SelectContext(ctx, &recs, `SELECT `+receivableColumns+` FROM receivables WHERE site_id = $1 ORDER BY id`, site); err != nil {
		return nil, translate(err)
	}
	var rpays []shop.ReceivablePayment
	if err := tx.SelectContext(ctx, &rpays, `
		SELECT id, site_id, receivable_id, amount, reference, received_by, received_at
		FROM receivable_payments WHERE site_id = $1 ORDER BY id`, site); err != nil {
		return nil, translate(err)
	}
	books := make([]shop.Books, len(rows))
	at := map[shop.SettlementID]*shop.Books{}
	for i, r := range rows {
		books[i] = shop.Books{Settlement: r.Settlement, Deposit: r.AppointmentDeposit, ReceivablePayments: map[shop.ReceivableID][]shop.ReceivablePayment{}}
		at[r.ID] = &books[i]
	}
	for _, p := range pays {
		if b := at[p.SettlementID]; b != nil {
			b.Payments = append(b.Payments, p)
		}
	}
	of := map[shop.ReceivableID]*shop.Books{}
	for _, r := range recs {
		if b := at[r.SettlementID]; b != nil {
			b.Receivables = append(b.Receivables, r)
			of[r.ID] = b
		}
	}
	for _, p := range rpays {
		if b := of[p.ReceivableID]; b != nil {
			b.ReceivablePayments[p.ReceivableID] = append(b.ReceivablePayments[p.ReceivableID], p)
		}
	}
	return books, translate(tx.Commit())
}
