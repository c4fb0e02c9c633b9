package shop

import (
	"fmt"
	"time"
)

// ReceivablePayer is who owes a receivable (应收款).
type ReceivablePayer string

// Payers of receivables: the insurer (保险), the maker under warranty (索赔)
// and an account customer (签单).
const (
	ReceivableInsurer  ReceivablePayer = "INSURER"
	ReceivableWarranty ReceivablePayer = "WARRANTY"
	ReceivableAccount  ReceivablePayer = "ACCOUNT"
)

// Valid reports whether p is a known payer.
func (p ReceivablePayer) Valid() bool {
	return p == ReceivableInsurer || p == ReceivableWarranty || p == ReceivableAccount
}

// CustomerAccount makes a customer an account customer (签单): they sign the
// bill and pay later, up to the credit limit.
type CustomerAccount struct {
	SiteID      SiteID
	CustomerID  CustomerID
	CreditLimit Money
	UpdatedBy   UserID
	UpdatedAt   time.Time
}

// SetCustomerAccount opens or changes a customer's account (签单) with its
// credit limit; a limit of 0 stops new charges. Only the service manager or
// an administrator decides credit. Errors: FORBIDDEN, INVALID naming creditLimit.
func SetCustomerAccount(site SiteID, customer CustomerID, limit Money, by *Actor, now time.Time) (CustomerAccount, Event, error) {
	if by.Role != RoleServiceManager && by.Role != RoleAdmin {
		return CustomerAccount{}, Event{}, Errorf(EFORBIDDEN, "Only the service manager gives a customer credit; your role is %s.", by.Role)
	}
	if limit < 0 || limit > MaxMoney {
		return CustomerAccount{}, Event{}, FieldErrorf("creditLimit", "A credit limit is between 0 and %s; %s is not.", MaxMoney, limit)
	}
	a := CustomerAccount{SiteID: site, CustomerID: customer, CreditLimit: limit, UpdatedBy: by.UserID, UpdatedAt: now}
	return a, Event{SiteID: site, Kind: EventCustomerAccountSet, Summary: fmt.Sprintf("Customer account (签单) credit limit set to %s", limit)}, nil
}

// Receivable is what a payer other than the customer at the counter owes
// for a settlement. Paid never exceeds Amount.
type Receivable struct {
	ID           ReceivableID
	SiteID       SiteID
	SettlementID SettlementID
	OrderID      OrderID
	Payer        ReceivablePayer
	// CustomerID is the account customer, for ACCOUNT receivables.
	CustomerID *CustomerID
	// Debtor names who owes: the insurer, the maker, or "" for an account.
	Debtor   string
	Amount   Money
	Paid     Money
	OpenedAt time.Time
	Version  int
}

// Balance is what is still owed.
func (r *Receivable) Balance() Money { return r.Amount - r.Paid }

// ReceivablesOf returns the receivables a settlement opens: one per payer
// with a share (insurer, warranty, account), each for exactly that share.
// insurer and maker name the debtors; customer is the order's customer.
func ReceivablesOf(s Settlement, customer CustomerID, insurer, maker string) []Receivable {
	var out []Receivable
	add := func(p ReceivablePayer, amount Money, debtor string, c *CustomerID) {
		if amount > 0 {
			out = append(out, Receivable{SiteID: s.SiteID, SettlementID: s.ID, OrderID: s.OrderID, Payer: p,
				CustomerID: c, Debtor: debtor, Amount: amount, OpenedAt: s.SettledAt, Version: 1})
		}
	}
	add(ReceivableInsurer, s.InsurerShare, insurer, nil)
	add(ReceivableWarranty, s.WarrantyShare, maker, nil)
	add(ReceivableAccount, s.AccountShare, "", &customer)
	return out
}

// ReceivablePayment is one payment against a receivable.
type ReceivablePayment struct {
	ID           ReceivablePaymentID
	ReceivableID ReceivableID
	SiteID       SiteID
	Amount       Money
	Reference    string
	ReceivedBy   UserID
	ReceivedAt   time.Time
}

// PayReceivable records a payment against a receivable: partial payments
// are fine, more than the balance never. Errors: INVALID naming amount or
// reference.
func PayReceivable(r Receivable, amount Money, reference string, by UserID, now time.Time) (Receivable, ReceivablePayment, Event, error) {
	ref, err := CheckText("reference", reference, false, MaxShortText)
	if err != nil {
		return r, ReceivablePayment{}, Event{}, err
	}
	if amount <= 0 || amount > r.Balance() {
		return r, ReceivablePayment{}, Event{}, FieldErrorf("amount", "The %s owes %s on this receivable; a payment of %s is not possible (more than 0, at most what is owed).", r.Payer.describe(), r.Balance(), amount)
	}
	r.Paid += amount
	r.Version++
	p := ReceivablePayment{ReceivableID: r.ID, SiteID: r.SiteID, Amount: amount, Reference: ref, ReceivedBy: by, ReceivedAt: now}
	oid := r.OrderID
	return r, p, Event{SiteID: r.SiteID, Kind: EventReceivablePaid, OrderID: &oid,
		Summary: fmt.Sprintf("The %s paid %s; still owed %s", r.Payer.describe(), amount, r.Balance())}, nil
}

func (p ReceivablePayer) describe() string {
	switch p {
	case ReceivableInsurer:
		return "insurer"
	case ReceivableWarranty:
		return "maker (warranty)"
	case ReceivableAccount:
		return "account customer"
	}
	return string(p)
}

// AgeBucket is how long a receivable has been owed.
type AgeBucket string

// Ageing buckets, in days since settlement by the site's calendar.
const (
	AgeCurrent AgeBucket = "DAYS_0_30"
	Age31To60  AgeBucket = "DAYS_31_60"
	Age61To90  AgeBucket = "DAYS_61_90"
	AgeOver90  AgeBucket = "OVER_90"
)

// AgeBuckets lists the buckets, youngest first.
var AgeBuckets = []AgeBucket{AgeCurrent, Age31To60, Age61To90, AgeOver90}

// AgeInDays counts calendar days from opened to now in the site's time zone:
// settled at 23:50 and looked at 00:10 is one day old.
func AgeInDays(opened, now time.Time, loc *time.Location) int {
	a, b := opened.In(loc), now.In(loc)
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

// BucketOf returns the bucket of a receivable days old.
func BucketOf(days int) AgeBucket {
	switch {
	case days <= 30:
		return AgeCurrent
	case days <= 60:
		return Age31To60
	case days <= 90:
		return Age61To90
	}
	return AgeOver90
}

// Ageing is the outstanding balance of receivables by bucket.
type Ageing struct {
	Payer    ReceivablePayer
	Buckets  map[AgeBucket]Money
	Total    Money
	Count    int
	AsOf     time.Time
	TimeZone string
}

// AgeReceivables sums the outstanding balances of rs by age bucket at now in
// the site's zone; fully paid receivables are left out.
func AgeReceivables(payer ReceivablePayer, rs []*Receivable, now time.Time, loc *time.Location) Ageing {
	a := Ageing{Payer: payer, Buckets: map[AgeBucket]Money{}, AsOf: now, TimeZone: loc.String()}
	for _, r := range rs {
		if r.Balance() <= 0 {
			continue
		}
		a.Buckets[BucketOf(AgeInDays(r.OpenedAt, now, loc))] += r.Balance()
		a.Total += r.Balance()
		a.Count++
	}
	return a
}

// AuthorizeMoney returns FORBIDDEN unless the actor may read a site's
// receivables and payments: whoever settles (the cashier) or sees the
// department's figures (the service manager). Errors: UNAUTHENTICATED,
// NOT_FOUND (another site), FORBIDDEN.
func AuthorizeMoney(a *Actor, site SiteID) error {
	if err := Authorize(a, site, ActSettle); err == nil || ErrorCode(err) != EFORBIDDEN {
		return err
	}
	return Authorize(a, site, ActReport)
}
