package shop

import "time"

// Period is the span of a report.
type Period string

// Report periods, in the site's time zone; a week starts on Monday.
const (
	PeriodDay   Period = "DAY"
	PeriodWeek  Period = "WEEK"
	PeriodMonth Period = "MONTH"
)

// PeriodBounds returns the instants [from, to) of the period containing local
// day date (a calendar date; its clock is ignored) in loc. Days are local
// days, so a day across a daylight-saving change is 23 or 25 hours long.
func PeriodBounds(p Period, date time.Time, loc *time.Location) (from, to time.Time, err error) {
	y, m, d := date.Date()
	switch p {
	case PeriodDay:
		from = time.Date(y, m, d, 0, 0, 0, 0, loc)
		to = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	case PeriodWeek:
		wd := (int(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Weekday()) + 6) % 7 // Monday = 0
		from = time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
		to = time.Date(y, m, d-wd+7, 0, 0, 0, 0, loc)
	case PeriodMonth:
		from = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		to = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	default:
		return time.Time{}, time.Time{}, FieldErrorf("period", "%q is not a period: use DAY, WEEK or MONTH.", p)
	}
	return from, to, nil
}

// Report is the business statistics (业务统计) of a site for a period, each
// figure computed from the records.
type Report struct {
	SiteID SiteID
	Period Period
	From   time.Time
	To     time.Time
	// Received counts repair orders (not cancelled) of cars received in the
	// period, by type of work; Delivered counts orders delivered in it.
	Received  map[WorkType]int
	Delivered map[WorkType]int
	// Revenue of the orders settled in the period.
	Labour  Money
	Parts   Money
	Total   Money
	ByPayer map[Payer]Money
	// LabourMinutesSold sums the billable labour time of the orders settled in the period.
	LabourMinutesSold int
	// Delivered orders with a promised time, and those ready by it.
	DeliveriesPromised int
	DeliveriesOnTime   int
	// Final inspections in the period, and those that failed (返工).
	Inspections       int
	FailedInspections int
	// Callbacks finished in the period (reached or given up), those reached,
	// the sum of satisfaction scores and the satisfied ones (4 or 5).
	CallbacksFinished  int
	CallbacksReached   int
	SatisfactionSum    int
	CallbacksSatisfied int
	ComplaintsOpened   int
	ComplaintsClosed   int
	// Follow-up tasks the clock closed as MISSED in the period: callbacks,
	// service reminder tasks and appointment reminders.
	CallbacksMissed            int
	RemindersMissed            int
	AppointmentRemindersMissed int
	// Advisors and Technicians are the per-person figures of the orders
	// settled in the period; RepeatRepairs the cars back for the same
	// complaint within 30 days, received in the period.
	Advisors      []PersonFigures
	Technicians   []PersonFigures
	RepeatRepairs []RepeatRepair
	// PartsFigures are the parts turnover, fill rate and margin of the
	// period; Receivables what each payer owed at its end (or now, for the
	// period under way), by age.
	PartsFigures PartsFigures
	Receivables  []Ageing
}

// Ratio returns n/d, or nil when d is zero (no rate without cases).
func Ratio(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	r := float64(n) / float64(d)
	return &r
}

// OnTimeRate is the share of delivered cars (with a promised time) ready by it.
func (r *Report) OnTimeRate() *float64 { return Ratio(r.DeliveriesOnTime, r.DeliveriesPromised) }

// ReworkRate is the share of final inspections that failed.
func (r *Report) ReworkRate() *float64 { return Ratio(r.FailedInspections, r.Inspections) }

// ReachRate is the share of finished callbacks that reached the customer.
func (r *Report) ReachRate() *float64 { return Ratio(r.CallbacksReached, r.CallbacksFinished) }

// SatisfactionRate is the share of reached customers who were satisfied.
func (r *Report) SatisfactionRate() *float64 { return Ratio(r.CallbacksSatisfied, r.CallbacksReached) }

// AverageSatisfaction is the mean score of the reached customers.
func (r *Report) AverageSatisfaction() *float64 {
	if r.CallbacksReached == 0 {
		return nil
	}
	v := float64(r.SatisfactionSum) / float64(r.CallbacksReached)
	return &v
}

// BillableJobStates lists the states of jobs whose labour is sold
// (JobState.Billable), for the figures the database adds up.
func BillableJobStates() []string {
	var out []string
	for _, s := range JobStates {
		if s.Billable() {
			out = append(out, string(s))
		}
	}
	return out
}
