package shop

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"
)

// CSV export of the reports: every report is a header and rows of text.

// ReportName names a report that can be exported.
type ReportName string

// Exportable reports.
const (
	ReportService       ReportName = "SERVICE"
	ReportAdvisors      ReportName = "ADVISORS"
	ReportTechnicians   ReportName = "TECHNICIANS"
	ReportRepeatRepairs ReportName = "REPEAT_REPAIRS"
)

// ValidReportName checks a report name. Errors: INVALID on report.
func ValidReportName(n ReportName) error {
	switch n {
	case ReportService, ReportAdvisors, ReportTechnicians, ReportRepeatRepairs:
		return nil
	}
	return FieldErrorf("report", "%q is not a report: use SERVICE, ADVISORS, TECHNICIANS or REPEAT_REPAIRS.", n)
}

// CSV writes a header and rows as RFC 4180 text. A cell a spreadsheet would
// run as a formula (starting with =, +, -, @, tab or CR) gets a leading
// apostrophe: a customer's complaint must not become a formula on the
// manager's machine. A negative number (a loss on parts) is a number, not a
// formula, and keeps its sign.
func CSV(header []string, rows [][]string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(header) // writing to a bytes.Buffer cannot fail
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') && !negativeNumber(c) {
				c = "'" + c
			}
			safe[i] = c
		}
		_ = w.Write(safe)
	}
	w.Flush()
	return b.String()
}

// negativeNumber reports whether c is a plain negative decimal ("-12.50").
func negativeNumber(c string) bool {
	if len(c) < 2 || c[0] != '-' {
		return false
	}
	for _, r := range c[1:] {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

func ratioCell(r *float64) string {
	if r == nil {
		return ""
	}
	return strconv.FormatFloat(*r, 'f', 3, 64)
}

// ServiceReportCSV writes the business statistics as one figure a row.
func ServiceReportCSV(r *Report) string {
	itoa := strconv.Itoa
	rows := [][]string{
		{"from", r.From.UTC().Format(time.RFC3339)},
		{"to", r.To.UTC().Format(time.RFC3339)},
	}
	for _, t := range []WorkType{WorkMaintenance, WorkRepair, WorkWarranty, WorkAccident} {
		rows = append(rows, []string{"received_" + string(t), itoa(r.Received[t])}, []string{"delivered_" + string(t), itoa(r.Delivered[t])})
	}
	rows = append(rows,
		[]string{"labour", r.Labour.String()}, []string{"parts", r.Parts.String()}, []string{"total", r.Total.String()},
		[]string{"customer_share", r.ByPayer[PayerCustomer].String()}, []string{"warranty_share", r.ByPayer[PayerWarranty].String()},
		[]string{"insurer_share", r.ByPayer[PayerInsurer].String()}, []string{"internal_share", r.ByPayer[PayerInternal].String()},
		[]string{"labour_minutes_sold", itoa(r.LabourMinutesSold)},
		[]string{"deliveries_promised", itoa(r.DeliveriesPromised)}, []string{"deliveries_on_time", itoa(r.DeliveriesOnTime)},
		[]string{"on_time_rate", ratioCell(r.OnTimeRate())},
		[]string{"inspections", itoa(r.Inspections)}, []string{"failed_inspections", itoa(r.FailedInspections)},
		[]string{"rework_rate", ratioCell(r.ReworkRate())},
		[]string{"callbacks_finished", itoa(r.CallbacksFinished)}, []string{"callbacks_reached", itoa(r.CallbacksReached)},
		[]string{"reach_rate", ratioCell(r.ReachRate())}, []string{"average_satisfaction", ratioCell(r.AverageSatisfaction())},
		[]string{"callbacks_satisfied", itoa(r.CallbacksSatisfied)}, []string{"satisfaction_rate", ratioCell(r.SatisfactionRate())},
		[]string{"callbacks_missed", itoa(r.CallbacksMissed)}, []string{"reminders_missed", itoa(r.RemindersMissed)},
		[]string{"appointment_reminders_missed", itoa(r.AppointmentRemindersMissed)},
		[]string{"complaints_opened", itoa(r.ComplaintsOpened)}, []string{"complaints_closed", itoa(r.ComplaintsClosed)},
		[]string{"repeat_repairs", itoa(len(r.RepeatRepairs))},
	)
	pf := &r.PartsFigures
	rows = append(rows,
		[]string{"parts_issued_cost", pf.IssuedCost.String()},
		[]string{"stock_value_opening", pf.OpeningValue.String()}, []string{"stock_value_closing", pf.ClosingValue.String()},
		[]string{"stock_value_average", pf.AverageValue.String()}, []string{"parts_turnover", ratioCell(pf.Turnover())},
		[]string{"part_lines_issued", itoa(pf.LinesIssued)}, []string{"part_lines_from_stock", itoa(pf.LinesFromStock)},
		[]string{"fill_rate", ratioCell(pf.FillRate())},
		[]string{"parts_revenue_billed", pf.Margin.Revenue.String()}, []string{"parts_cost", pf.Margin.Cost.String()},
		[]string{"parts_margin", pf.Margin.Margin.String()},
	)
	for _, a := range r.Receivables {
		p := "receivables_" + strings.ToLower(string(a.Payer))
		for _, b := range AgeBuckets {
			rows = append(rows, []string{p + "_" + strings.ToLower(string(b)), a.Buckets[b].String()})
		}
		rows = append(rows, []string{p + "_total", a.Total.String()}, []string{p + "_count", itoa(a.Count)})
	}
	return CSV([]string{"figure", "value"}, rows)
}

// PeopleCSV writes per-person figures, one person a row.
func PeopleCSV(people []PersonFigures) string {
	rows := make([][]string, len(people))
	for i, p := range people {
		rows[i] = []string{strconv.FormatInt(int64(p.UserID), 10), p.Name, strconv.Itoa(p.Orders), strconv.Itoa(p.Jobs),
			strconv.Itoa(p.MinutesSold), strconv.Itoa(p.MinutesClocked), ratioCell(p.Efficiency()), p.Revenue.String()}
	}
	return CSV([]string{"user_id", "name", "orders", "jobs", "minutes_sold", "minutes_clocked", "efficiency", "revenue"}, rows)
}

// RepeatRepairsCSV writes the repeat repairs, one a row.
func RepeatRepairsCSV(rs []RepeatRepair) string {
	rows := make([][]string, len(rs))
	for i, r := range rs {
		rows[i] = []string{strconv.FormatInt(int64(r.VehicleID), 10), strconv.FormatInt(int64(r.FirstVisitID), 10),
			r.FirstAt.UTC().Format(time.RFC3339), strconv.FormatInt(int64(r.VisitID), 10), r.At.UTC().Format(time.RFC3339), r.Complaint}
	}
	return CSV([]string{"vehicle_id", "first_visit_id", "first_received_at", "visit_id", "received_at", "complaint"}, rows)
}
