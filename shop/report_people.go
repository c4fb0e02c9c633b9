package shop

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// The report per person and the repeat repairs (返修).

// PersonFigures are one advisor's or technician's figures for a period,
// from the jobs of the orders settled in it: labour minutes sold (the
// standard time billed) and clocked (time actually in progress).
type PersonFigures struct {
	UserID         UserID
	Name           string
	Orders         int
	Jobs           int
	MinutesSold    int
	MinutesClocked int
	// Revenue is the orders' settled total (advisors only; zero for technicians).
	Revenue Money
}

// Efficiency is minutes sold / minutes clocked (工时效率): above 1 the work
// took less than its standard time. Nil without clocked time.
func (p *PersonFigures) Efficiency() *float64 { return Ratio(p.MinutesSold, p.MinutesClocked) }

// RepeatRepairDays is the span within which a car back for the same
// complaint counts as a repeat repair (返修).
const RepeatRepairDays = 30

// VisitComplaint is a visit as the repeat-repair rule sees it.
type VisitComplaint struct {
	VisitID    VisitID
	VehicleID  VehicleID
	ReceivedAt time.Time
	Complaint  string
}

// RepeatRepair is a car back for the same complaint within RepeatRepairDays.
type RepeatRepair struct {
	VehicleID    VehicleID
	FirstVisitID VisitID
	FirstAt      time.Time
	VisitID      VisitID
	At           time.Time
	Complaint    string
}

// RepeatRepairs returns the visits received in [from, to) that repeat an
// earlier visit of the same car, received at most RepeatRepairDays before,
// for the same complaint (SameComplaint); each against the latest such
// earlier visit. visits may hold visits before from: they are the earlier ones.
func RepeatRepairs(visits []VisitComplaint, from, to time.Time) []RepeatRepair {
	vs := slices.Clone(visits)
	slices.SortFunc(vs, func(a, b VisitComplaint) int {
		if c := a.ReceivedAt.Compare(b.ReceivedAt); c != 0 {
			return c
		}
		return int(a.VisitID - b.VisitID)
	})
	var out []RepeatRepair
	for i, v := range vs {
		if v.ReceivedAt.Before(from) || !v.ReceivedAt.Before(to) {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			e := vs[j]
			if v.ReceivedAt.Sub(e.ReceivedAt) > RepeatRepairDays*24*time.Hour {
				break
			}
			if e.VehicleID == v.VehicleID && SameComplaint(e.Complaint, v.Complaint) {
				out = append(out, RepeatRepair{VehicleID: v.VehicleID, FirstVisitID: e.VisitID, FirstAt: e.ReceivedAt,
					VisitID: v.VisitID, At: v.ReceivedAt, Complaint: v.Complaint})
				break
			}
		}
	}
	return out
}

// SameComplaint reports whether two complaints (the customer's words at
// reception) are the same: equal once case, spaces and punctuation are
// ignored, or one containing the other ("brakes squeal" and "front brakes
// squeal when cold"). Empty complaints are never the same: a visit without
// one says nothing.
func SameComplaint(a, b string) bool {
	na, nb := normComplaint(a), normComplaint(b)
	if len([]rune(na)) < 2 || len([]rune(nb)) < 2 {
		return false
	}
	return na == nb || strings.Contains(na, nb) || strings.Contains(nb, na)
}

func normComplaint(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
