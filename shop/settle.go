package shop

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
	if b.ByPayer[PayerInsurer] > 0 && o.AssessmentReference == "" {
		return FieldErrorf("assessmentReference", "Lines are billed to the insurer, but the insurer's assessment (定损单) is not recorded; an insurance car is not released without it.")
	}
	return nil
}
