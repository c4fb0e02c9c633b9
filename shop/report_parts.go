package shop

import "time"

// The report's parts and receivables figures: stock turnover, fill rate,
// parts margin (配件毛利) and receivables outstanding (应收账款) by age.

// LineReservation is one reservation made for a part line first issued in a
// report's period, as the fill-rate rule sees it; a line issued with no
// reservation at all has one row with Reserved false.
type LineReservation struct {
	PartLineID PartLineID
	Reserved   bool
	CreatedAt  *time.Time
	FilledAt   *time.Time
}

// waited reports whether the reservation ever waited for stock: it was
// never filled, or filled later than it was made (a shortage filled by a
// receipt). A reservation the stock covered at once is filled when made.
func (r LineReservation) waited() bool {
	if !r.Reserved {
		return false
	}
	return r.FilledAt == nil || r.CreatedAt == nil || r.FilledAt.After(*r.CreatedAt)
}

// PartsFigures are a period's parts figures (配件). Stock value is the
// ledger's book value: every movement's quantity at its unit cost (receipts
// at their cost, issues, adjustments and transfers at the average cost of
// the moment), over all of the site's stores.
type PartsFigures struct {
	// IssuedCost is the cost of units issued in the period and not returned.
	IssuedCost Money
	// OpeningValue and ClosingValue are the stock's book value at the start
	// and the end of the period; AverageValue their mean.
	OpeningValue Money
	ClosingValue Money
	AverageValue Money
	// LinesIssued counts the part lines first issued in the period;
	// LinesFromStock those of them that never waited for stock.
	LinesIssued    int
	LinesFromStock int
	// Margin is the parts margin of the orders settled in the period.
	Margin PartsMargin
}

// Turnover is issued cost / average stock value (库存周转次数) over the
// period, not annualised; nil without stock value.
func (p *PartsFigures) Turnover() *float64 {
	if p.AverageValue <= 0 {
		return nil
	}
	r := float64(p.IssuedCost) / float64(p.AverageValue)
	return &r
}

// FillRate is the share of part lines issued from stock without waiting
// (一次满足率); nil without lines issued.
func (p *PartsFigures) FillRate() *float64 { return Ratio(p.LinesFromStock, p.LinesIssued) }

// ComputePartsFigures adds up a period's parts figures. valueBefore is the
// ledger value of the movements before the period, valueChange that of the
// movements within it; issued are the issue slips written in the period
// (their cost counts, less what came back); reservations are those of the
// lines first issued in the period (see LineReservation); margin is the
// parts margin of the orders settled in it (ComputePartsMargin).
func ComputePartsFigures(valueBefore, valueChange Money, issued []*PartIssue, reservations []LineReservation, margin PartsMargin) PartsFigures {
	f := PartsFigures{OpeningValue: valueBefore, ClosingValue: valueBefore + valueChange, Margin: margin}
	// Halves round half up, like the moving average cost.
	f.AverageValue = (f.OpeningValue + f.ClosingValue + 1) / 2
	for _, is := range issued {
		f.IssuedCost += is.UnitCost.Times(is.Quantity - is.Returned)
	}
	waited := map[PartLineID]bool{}
	for _, r := range reservations {
		waited[r.PartLineID] = waited[r.PartLineID] || r.waited()
	}
	f.LinesIssued = len(waited)
	for _, w := range waited {
		if !w {
			f.LinesFromStock++
		}
	}
	return f
}

// ReceivablesOutstanding ages what each payer (insurer, maker, account
// customers) owed at asOf, one Ageing a payer in that order. rs are the
// receivables opened before asOf with Paid as of asOf (payments received
// before it): a report of last month shows what was owed at its end, not
// what is owed today.
func ReceivablesOutstanding(rs []*Receivable, asOf time.Time, loc *time.Location) []Ageing {
	by := map[ReceivablePayer][]*Receivable{}
	for _, r := range rs {
		if r.OpenedAt.Before(asOf) {
			by[r.Payer] = append(by[r.Payer], r)
		}
	}
	out := make([]Ageing, 0, 3)
	for _, p := range []ReceivablePayer{ReceivableInsurer, ReceivableWarranty, ReceivableAccount} {
		out = append(out, AgeReceivables(p, by[p], asOf, loc))
	}
	return out
}
