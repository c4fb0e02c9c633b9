package shop

import "fmt"

// Bill is the itemised total of a repair order, split by payer.
type Bill struct {
	Labour  Money
	Parts   Money
	Total   Money
	ByPayer map[Payer]Money
	// Parts are the billed part lines.
	PartLines []*PartLine
}

// ComputeBill adds up the billable jobs and their parts. Parts of a job that
// is not billable (declined, cancelled, still waiting for approval) are not
// charged; parts not tied to a job always are.
func ComputeBill(jobs []*Job, parts []*PartLine) Bill {
	b := Bill{ByPayer: map[Payer]Money{}}
	billable := map[JobID]bool{}
	for _, j := range jobs {
		if !j.State.Billable() {
			continue
		}
		billable[j.ID] = true
		b.Labour += j.LabourPrice
		b.ByPayer[j.Payer] += j.LabourPrice
	}
	for _, p := range parts {
		if p.JobID != nil && !billable[*p.JobID] {
			continue
		}
		t := p.Total()
		b.PartLines = append(b.PartLines, p)
		b.Parts += t
		b.ByPayer[p.Payer] += t
	}
	b.Total = b.Labour + b.Parts
	return b
}

// CheckSettlement says whether an order may be settled with this bill:
// a customer share needs a payment method (NONE or none given will not do),
// and insurer lines need the insurer's assessment (定损单) on the order.
// It returns INVALID naming the field at fault.
func CheckSettlement(o *Order, b Bill, method PaymentMethod) error {
	if b.ByPayer[PayerCustomer] > 0 && (method == PayNone || method == "") {
		return FieldErrorf("paymentMethod", "The customer owes %s; choose how they pay.", b.ByPayer[PayerCustomer])
	}
	return CheckInsurerAssessment(o, b)
}

// SettledSummary is the event text of a settlement: the total, and what the
// customer pays now, the deposit and what is left, when any of it applies.
func SettledSummary(s Settlement) string {
	sum := fmt.Sprintf("Settled: total %s, customer pays %s by %s", s.Total, s.CustomerShare, s.PaymentMethod)
	if s.Discount > 0 {
		sum += fmt.Sprintf(", discount %s", s.Discount)
	}
	if s.DepositCredited > 0 {
		sum += fmt.Sprintf(", deposit %s credited", s.DepositCredited)
	}
	if s.AccountShare > 0 {
		sum += fmt.Sprintf(", %s on account (签单)", s.AccountShare)
	}
	if due := s.BalanceDue(); due > 0 {
		sum += fmt.Sprintf(", still owed %s", due)
	}
	return sum
}
